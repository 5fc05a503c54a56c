#!/usr/bin/env bash
# The floor of `make bench` (issue 6): the end result of `ansible-playbook playbooks/site.yml playbooks/demo.yml` on
# bare machines (Debian's docker.io, a swarm, the private registry with TLS and htpasswd that every node trusts, the
# demo images built on the first manager and pushed to it, the demo stack serving), done as directly as possible:
# bash, ssh and the docker CLI, everything that waits for nothing else running at the same time.
#   bench/floor.sh converge                     all of it; exits 0 once /api says "ok": true on every node
#   bench/floor.sh deploy STACK COMPOSE_FILE    docker stack deploy (compose variables from the environment)
#   bench/floor.sh rm STACK                     remove a stack, waiting until its tasks and networks are gone
# Environment: FLOOR_KEY (ssh key), FLOOR_KNOWN_HOSTS, FLOOR_MANAGERS and FLOOR_WORKERS ("name=ip ...", the first
# manager inits and builds), FLOOR_WORK (scratch folder on the controller: CA, keys, password, logs in log/);
# for deploy, FLOOR_REGISTRY_USER and FLOOR_REGISTRY_PASSWORD (default: anchorage and converge's password).
# Stacks are deployed by the controller's docker CLI (the nodes' 20.10 has no --detach=false on stack deploy) on the
# first manager's Engine through an SSH-forwarded socket, with its own DOCKER_CONFIG for the registry's credentials.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
: "${FLOOR_KEY:?set FLOOR_KEY}" "${FLOOR_KNOWN_HOSTS:?set FLOOR_KNOWN_HOSTS}" "${FLOOR_MANAGERS:?set FLOOR_MANAGERS}"
W=${FLOOR_WORK:?set FLOOR_WORK}
(umask 077 && mkdir -p "$W/ssh" "$W/log" "$W/registry" "$W/demo/secrets")
read -ra MANAGERS <<<"$FLOOR_MANAGERS"
read -ra WORKERS <<<"${FLOOR_WORKERS:-}"
ALL=("${MANAGERS[@]}" "${WORKERS[@]}") MIPS=("${MANAGERS[@]#*=}") M1=${MANAGERS[0]%%=*} MIP=${MANAGERS[0]#*=}
REG=$MIP:5000 SOCK=$W/manager.sock DSOCK=/var/run/docker.sock BASE=anchorage/base:bookworm
BUILD=/var/lib/anchorage/build APPS=(demo-web mariadb redis memcached visualizer)
PY=$REPO/.venv/bin/python; [[ -x $PY ]] || PY=python3   # with bcrypt (htpasswd), as ours needs passlib
SSH=(ssh -i "$FLOOR_KEY" -l root -o UserKnownHostsFile="$FLOOR_KNOWN_HOSTS" -o StrictHostKeyChecking=yes
     -o IdentitiesOnly=yes -o BatchMode=yes -o ConnectTimeout=10 -o ControlMaster=auto -o "ControlPath=$W/ssh/%C"
     -o ControlPersist=60 -o StreamLocalBindUnlink=yes)
# The controller's CLI on the first manager's Engine, never on the user's Engine or with the user's ~/.docker.
DK=(env -u DOCKER_CONTEXT -u DOCKER_TLS_VERIFY -u DOCKER_CERT_PATH DOCKER_CONFIG="$W/docker-config"
    DOCKER_HOST="unix://$SOCK" docker)

say() { printf '[floor %3ds] %s\n' "$SECONDS" "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }
on() { local ip=$1; shift; "${SSH[@]}" "$ip" "$@"; }

# Background jobs, each logging to $W/log/<name>.log. wait_jobs [GLOB] waits for the jobs whose name matches and
# shows the end of the log of each one that failed; await NAME waits for the mark a job leaves when it is done.
declare -A JOBS=()
job() { local name=$1; shift; "$@" </dev/null >"$W/log/$name.log" 2>&1 & JOBS[$!]=$name; }
wait_jobs() {
  local pid name failed=0
  for pid in "${!JOBS[@]}"; do
    name=${JOBS[$pid]}
    # shellcheck disable=SC2053  # a glob on purpose
    [[ $name == ${1:-*} ]] || continue
    unset "JOBS[$pid]"
    wait "$pid" && continue
    failed=1; say "FAILED: $name ($W/log/$name.log):"; tail -n 15 "$W/log/$name.log" >&2
  done
  return "$failed"
}
await() { until [[ -e $W/$1.ready ]]; do [[ ! -e $W/$1.failed ]] || die "$1 failed"; sleep 0.5; done; }
cleanup() {  # on exit: stop the jobs still running (after a failure), close the socket's forward
  local pid
  for pid in "${!JOBS[@]}"; do pkill -P "$pid" || true; kill "$pid" 2>/dev/null || true; done
  if [[ -S $SOCK ]]; then "${SSH[@]}" -O cancel -L "$SOCK:$DSOCK" "$MIP" 2>/dev/null || true; rm -f "$SOCK"; fi
}
trap cleanup EXIT

# The forward goes into the control master, made first by an ordinary command: a master made by ssh -fN would
# keep the caller's output open and never exit; this one exits 60 s after its last use (ControlPersist).
open_socket() {
  on "$MIP" true
  "${SSH[@]}" -O cancel -L "$SOCK:$DSOCK" "$MIP" 2>/dev/null || true
  "${SSH[@]}" -O forward -L "$SOCK:$DSOCK" "$MIP"
}
# docker login is done by the Engine the CLI talks to (it trusts certs.d); the CLI keeps the credentials. deploy
# takes FLOOR_REGISTRY_USER and FLOOR_REGISTRY_PASSWORD when the registry is not the one converge made.
login_controller() {
  if [[ -n ${FLOOR_REGISTRY_PASSWORD:-} ]]; then printf '%s' "$FLOOR_REGISTRY_PASSWORD"; else cat "$W/registry/password"; fi \
    | "${DK[@]}" login -u "${FLOOR_REGISTRY_USER:-anchorage}" --password-stdin "$REG" >"$W/log/login.log" 2>&1 \
    || { cat "$W/log/login.log" >&2; die "docker login $REG failed"; }
}
login_node() { on "$1" "docker login -u anchorage --password-stdin $REG" <"$W/registry/password"; }
deploy_stack() {  # STACK COMPOSE [option...]; the timeout catches a task that never starts (the CLI would wait on)
  local stack=$1 compose=$2; shift 2
  timeout "${FLOOR_DEPLOY_TIMEOUT:-900}" "${DK[@]}" stack deploy --detach=false --with-registry-auth --prune "$@" \
    -c "$compose" "$stack" >"$W/log/deploy-$stack.log" 2>&1 \
    || { tail -n 15 "$W/log/deploy-$stack.log" >&2; die "docker stack deploy $stack failed"; }
}

# Controller: the CA and the server certificate (ECC, the SANs ours gives), the password, the htpasswd file (bcrypt,
# the only scheme the registry takes) and the database passwords.
make_secrets() {
  cd "$W/registry"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out ca.key
  openssl req -x509 -new -key ca.key -subj "/CN=Anchorage registry CA" -days 3650 -out ca.crt \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out registry.key
  openssl req -new -key registry.key -subj "/CN=$MIP" \
    | openssl x509 -req -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 -out registry.crt -extfile <(
      printf 'subjectAltName=IP:%s,DNS:%s,DNS:localhost,IP:127.0.0.1\n' "$MIP" "$M1"
      printf 'keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n')
  "$PY" - "$W" <<'EOF'
import bcrypt, os, secrets, string, sys
def write(path, text):
    with open(os.open(os.path.join(sys.argv[1], path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 'w') as f:
        f.write(text)
def password(n):
    return ''.join(secrets.choice(string.ascii_letters + string.digits) for _ in range(n))
pw = password(32)
write('registry/password', pw)
write('registry/htpasswd', 'anchorage:%s\n' % bcrypt.hashpw(pw.encode(), bcrypt.gensalt()).decode())
write('demo/secrets/db_root_password', password(24))
write('demo/secrets/db_password', password(24))
EOF
}
probe_ipvs() {  # NAME IP: a mark when the node has no IPVS, neither loaded nor as a module
  local rc=0
  # shellcheck disable=SC2016  # expanded on the node
  on "$2" '[ -e /proc/net/ip_vs ] || grep -qs /ip_vs.ko "/lib/modules/$(uname -r)/modules.dep" \
    "/lib/modules/$(uname -r)/modules.builtin"' || rc=$?
  ((rc != 255)) || exit 1   # ssh itself failed
  ((rc == 0)) || touch "$W/no-ipvs.$1"
}
install_node() {  # IP: trust the registry's CA (certs.d: no restart), install Debian's docker.io, wait for the Engine
  on "$1" "set -e; mkdir -p /etc/docker/certs.d/$REG; cat >/etc/docker/certs.d/$REG/ca.crt
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q && apt-get install -y -q --no-install-recommends docker.io
    timeout 60 sh -c 'until docker info >/dev/null 2>&1; do sleep 1; done'" <"$W/registry/ca.crt"
}
ship_build_inputs() {  # the base image (only the controller's Engine has it) and the build contexts, to the manager
  docker save "$BASE" | on "$MIP" 'cat >/var/tmp/anchorage-base.tar'
  tar -C "$REPO/demo/apps" -c . | on "$MIP" "mkdir -p $BUILD/apps && tar -C $BUILD/apps -x"
}
registry_job() {  # built on the first manager (its storage node), deployed as roles/registry/tasks/deploy.yml does
  trap '[[ -e $W/registry.ready ]] || touch "$W/registry.failed"' EXIT
  on "$MIP" "docker build --build-arg BASE=$BASE -t anchorage/registry:2 $BUILD/apps/registry"
  cat >"$W/registry/compose.yml" <<EOF
version: "3.8"
services:
  registry:
    image: anchorage/registry:2
    environment:
      REGISTRY_HTTP_ADDR: ":5000"
      REGISTRY_HTTP_TLS_CERTIFICATE: /run/secrets/registry.crt
      REGISTRY_HTTP_TLS_KEY: /run/secrets/registry.key
      REGISTRY_AUTH: htpasswd
      REGISTRY_AUTH_HTPASSWD_REALM: Anchorage registry
      REGISTRY_AUTH_HTPASSWD_PATH: /run/secrets/htpasswd
    secrets:
      - {source: registry_crt, target: registry.crt}
      - {source: registry_key, target: registry.key}
      - {source: registry_htpasswd, target: htpasswd}
    volumes: [data:/var/lib/registry]
    ports: [{target: 5000, published: 5000, protocol: tcp, mode: $PUBLISH}]
    deploy:
      replicas: 1
      endpoint_mode: $ENDPOINT
      placement: {constraints: [node.labels.anchorage.registry-storage == true]}
      update_config: {order: stop-first, failure_action: rollback}
      restart_policy: {condition: any}
secrets:
  registry_crt: {file: ./registry.crt}
  registry_key: {file: ./registry.key}
  registry_htpasswd: {file: ./htpasswd}
volumes:
  data: {}
EOF
  deploy_stack registry "$W/registry/compose.yml" --resolve-image never   # a local image: no digest to ask for
  local deadline=$((SECONDS + 180))
  until [[ $(curl -s -o /dev/null -w '%{http_code}' --cacert "$W/registry/ca.crt" "https://$REG/v2/") == 401 ]]; do
    ((SECONDS < deadline)) || die "https://$REG/v2/ did not ask for credentials within 180 s"
    sleep 1
  done
  login_node "$MIP"   # the build node pushes
  login_controller    # sent along with every stack deploy (--with-registry-auth)
  touch "$W/registry.ready"
}
build_push() {  # APP: built at once, pushed once the registry answers
  on "$MIP" "docker build --build-arg BASE=$BASE -t $REG/anchorage/$1:latest $BUILD/apps/$1"
  await registry
  on "$MIP" "docker push $REG/anchorage/$1:latest"
}
join() {  # TOKEN_FILE IP...: one after another
  local tokens=$1 ip; shift
  for ip; do on "$ip" "read -r t; docker swarm join --token \"\$t\" --advertise-addr $ip $MIP:2377" <"$tokens"; done
}

converge() {
  local n ip deadline
  rm -f "$W"/*.ready "$W"/*.failed "$W"/no-ipvs.* "$W"/log/*
  say "converge: ${#MANAGERS[@]} manager(s), ${#WORKERS[@]} worker(s), registry $REG"
  # Opens the SSH masters too. Without IPVS on every node the routing mesh refuses connections: then ports are
  # published in host mode with dnsrr, as ours decides (playbooks/demo.yml, roles/registry/tasks/mode.yml).
  for n in "${ALL[@]}"; do job "ipvs-${n%%=*}" probe_ipvs "${n%%=*}" "${n#*=}"; done
  make_secrets >"$W/log/secrets.log" 2>&1 || { cat "$W/log/secrets.log" >&2; die "CA or passwords failed"; }
  wait_jobs 'ipvs-*' || die "a node cannot be reached over SSH"
  if compgen -G "$W/no-ipvs.*" >/dev/null; then PUBLISH=host ENDPOINT=dnsrr ORDER=stop-first; else
    PUBLISH=ingress ENDPOINT=vip ORDER=start-first; fi
  say "CA, certificate and passwords made; ports published in $PUBLISH mode"
  for n in "${ALL[@]}"; do job "install-${n%%=*}" install_node "${n#*=}"; done
  job ship ship_build_inputs
  wait_jobs ship || die "the base image or the build contexts could not be copied to $M1"
  wait_jobs "install-$M1" || die "docker.io could not be installed on $M1"
  on "$MIP" "set -e; docker load -qi /var/tmp/anchorage-base.tar >/dev/null; rm /var/tmp/anchorage-base.tar
    docker swarm init --advertise-addr $MIP >/dev/null
    docker node update --label-add anchorage.registry-storage=true \$(docker info -f '{{.Swarm.NodeID}}') >/dev/null" \
    || die "the swarm could not be initialised on $M1"
  on "$MIP" 'docker swarm join-token -q manager' >"$W/token.manager"
  on "$MIP" 'docker swarm join-token -q worker' >"$W/token.worker"
  open_socket
  say "engine on $M1, swarm initialised, base image loaded; building the registry and ${#APPS[@]} images"
  job registry registry_job
  for n in "${APPS[@]}"; do job "image-$n" build_push "$n"; done
  wait_jobs 'install-*' || die "docker.io could not be installed on every node"
  say "engine on every node; joining"
  # Managers one at a time (each join is a Raft membership change), as ours; workers all at once, alongside.
  if ((${#MIPS[@]} > 1)); then job join-managers join "$W/token.manager" "${MIPS[@]:1}"; fi
  for n in "${WORKERS[@]}"; do job "join-${n%%=*}" join "$W/token.worker" "${n#*=}"; done
  wait_jobs 'join-*' || die "a node could not join the swarm"
  rm -f "$W"/token.*
  say "swarm of ${#ALL[@]} nodes"
  wait_jobs registry || die "the registry did not come up"
  say "registry answers over TLS; logging the other managers in"
  for ip in "${MIPS[@]:1}"; do job "login-$ip" login_node "$ip"; done
  wait_jobs || die "images or logins failed"
  say "images pushed; deploying the demo stack"
  cp "$REPO/demo/stack/compose.yml" "$W/demo/compose.yml"   # the secrets next to it are the CLI's to read
  REGISTRY=$REG PUBLISH_MODE=$PUBLISH ENDPOINT_MODE=$ENDPOINT WEB_PORT=8080 VISUALIZER_PORT=8081 UPDATE_ORDER=$ORDER \
    deploy_stack demo "$W/demo/compose.yml"
  say "demo services converged; asking every node"
  deadline=$((SECONDS + 180))
  for n in "${ALL[@]}"; do
    until curl -fsS --max-time 5 "http://${n#*=}:8080/api" 2>/dev/null \
        | "$PY" -c 'import json, sys; sys.exit(json.load(sys.stdin).get("ok") is not True)' 2>/dev/null; do
      ((SECONDS < deadline)) || die "http://${n#*=}:8080/api (${n%%=*}) did not answer \"ok\": true within 180 s"
      sleep 2
    done
  done
  say "done: the demo answers \"ok\": true on all ${#ALL[@]} nodes"
}

# STACK: its services first, then wait until no node has a task of them, then the rest (networks, secrets). A network
# removed while tasks still stop leaks their addresses (moby/moby#37338); and docker stack rm --detach=false counts
# wrongly (docker/cli#7304): against these Engines it looped forever after the stack was gone.
remove() {
  local filter=label=com.docker.stack.namespace=$1 deadline=$((SECONDS + 300))
  "${DK[@]}" service ls -q --filter "$filter" | xargs -r "${DK[@]}" service rm >/dev/null
  while [[ -n $("${DK[@]}" node ls -q | xargs "${DK[@]}" node ps -q --filter "$filter") ]]; do
    ((SECONDS < deadline)) || die "tasks of stack $1 are still on the nodes after 300 s"
    sleep 1
  done
  "${DK[@]}" stack rm "$1" >/dev/null
  while [[ -n $("${DK[@]}" network ls -q --filter "$filter") ]]; do
    ((SECONDS < deadline)) || die "networks of stack $1 are still there after 300 s"
    sleep 1
  done
}

case ${1:-}:$# in
  converge:1) converge ;;
  deploy:3) open_socket; login_controller; deploy_stack "$2" "$3"; say "stack $2 deployed and converged" ;;
  rm:2) open_socket; remove "$2"; say "stack $2 removed" ;;
  *) die "usage: $0 converge | deploy STACK COMPOSE_FILE | rm STACK" ;;
esac
