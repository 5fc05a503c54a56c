#!/usr/bin/env bash
# Start MariaDB; on the first start (no mysql/ in the data directory) create
# the data directory, set the root password and create the application
# database and user from the environment, as the official mariadb image does:
#   MARIADB_ROOT_PASSWORD or MARIADB_ROOT_PASSWORD_FILE   required on first start
#   MARIADB_DATABASE                                      optional
#   MARIADB_USER, MARIADB_PASSWORD or MARIADB_PASSWORD_FILE   optional
# The _FILE forms read the value from a file, such as a swarm secret in
# /run/secrets, so that no password is in the service's environment.
set -euo pipefail

datadir=/var/lib/mysql
socket=/run/mysqld/init.sock
# Written before the first initialisation and removed when it succeeds: an
# initialisation cut short leaves it behind and is started over, rather than
# leaving a half-made database that the next start would take as ready.
incomplete=$datadir/.anchorage-init-incomplete

log() { printf 'entrypoint: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# VAR from the file named by VAR_FILE (trailing newlines dropped).
file_env() {
  local var=$1 file_var=${1}_FILE
  if [ -n "${!file_var:-}" ]; then
    [ -z "${!var:-}" ] || die "both $var and $file_var are set; give one."
    [ -r "${!file_var}" ] || die "$file_var names ${!file_var}, which cannot be read."
    printf -v "$var" '%s' "$(<"${!file_var}")"
  fi
  unset "$file_var"
}

# A value inside '...' in SQL: backslashes and quotes escaped.
sql_string() {
  local s=${1//\\/\\\\}
  s=${s//$'\n'/\\n}
  printf '%s' "${s//\'/\\\'}"
}

initialise() {
  file_env MARIADB_ROOT_PASSWORD
  file_env MARIADB_PASSWORD
  local root_pw=${MARIADB_ROOT_PASSWORD:-} db=${MARIADB_DATABASE:-}
  local user=${MARIADB_USER:-} pw=${MARIADB_PASSWORD:-}
  [ -n "$root_pw" ] || die "the data directory is empty: set MARIADB_ROOT_PASSWORD or MARIADB_ROOT_PASSWORD_FILE to initialise it."
  [ "$user" != root ] || die "MARIADB_USER=root: the root account is made from MARIADB_ROOT_PASSWORD; name another user."
  [ -z "$user" ] || [ -n "$pw" ] || die "MARIADB_USER is set without MARIADB_PASSWORD or MARIADB_PASSWORD_FILE."

  log "initialising $datadir"
  touch "$incomplete"
  # Root logs in with a password (not the unix socket: the server does not
  # run as the OS root); no test database.
  mariadb-install-db --datadir="$datadir" --auth-root-authentication-method=normal \
    --skip-test-db --skip-name-resolve >/dev/null

  # A temporary server with no network: nothing can connect before the
  # passwords are set.
  mariadbd --skip-networking --socket="$socket" --datadir="$datadir" &
  local pid=$!
  local i
  for i in $(seq 60); do
    mariadb-admin --no-defaults --socket="$socket" --user=root ping >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || die "the temporary server stopped during initialisation."
    sleep 1
  done
  [ "$i" -lt 60 ] || die "the temporary server did not answer within 60 s."

  local sql
  # No anonymous accounts, and root only as localhost (socket) and '%'.
  sql="DROP USER IF EXISTS 'root'@'127.0.0.1', 'root'@'::1', ''@'localhost';
EXECUTE IMMEDIATE CONCAT('DROP USER IF EXISTS root@''', @@hostname, ''', ''''@''', @@hostname, '''');
ALTER USER 'root'@'localhost' IDENTIFIED BY '$(sql_string "$root_pw")';
CREATE USER 'root'@'%' IDENTIFIED BY '$(sql_string "$root_pw")';
GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
  # The database as an identifier (backticks doubled), and as the pattern a
  # GRANT takes, where '_' and '%' are wildcards unless escaped.
  local db_ident=${db//\`/\`\`}
  local db_pattern=${db_ident//_/\\_}
  db_pattern=${db_pattern//%/\\%}
  if [ -n "$db" ]; then
    sql+="
CREATE DATABASE IF NOT EXISTS \`$db_ident\`;"
  fi
  if [ -n "$user" ]; then
    sql+="
CREATE USER '$(sql_string "$user")'@'%' IDENTIFIED BY '$(sql_string "$pw")';"
    [ -z "$db" ] || sql+="
GRANT ALL ON \`$db_pattern\`.* TO '$(sql_string "$user")'@'%';"
  fi
  # The health check's own account: it may log in and nothing else. Its
  # password is random and lives in the data directory, readable by mysql only.
  local hc_pw
  hc_pw=$(head -c 30 /dev/urandom | base64 | tr -d '/+=')
  sql+="
CREATE USER 'healthcheck'@'127.0.0.1' IDENTIFIED BY '$hc_pw';"
  (umask 077 && printf '[client]\nuser=healthcheck\npassword=%s\nhost=127.0.0.1\nprotocol=tcp\n' "$hc_pw" \
    >"$datadir/.my-healthcheck.cnf")

  mariadb --no-defaults --socket="$socket" --user=root --batch <<<"$sql"

  kill -TERM "$pid"
  wait "$pid" || die "the temporary server did not stop cleanly."
  rm -f "$incomplete"
  log "initialised $datadir${db:+ (database $db)}${user:+ (user $user)}"
}

# Options alone (docker run IMAGE --some-option) are options of mariadbd.
if [ "${1:0:1}" = - ]; then
  set -- mariadbd "$@"
fi

if [ "$1" = mariadbd ] || [ "$1" = mysqld ]; then
  if [ -e "$incomplete" ]; then
    log "an earlier initialisation did not finish: starting it over"
    find "$datadir" -mindepth 1 -delete
  fi
  [ -d "$datadir/mysql" ] || initialise
  # The passwords are not needed any more: keep them out of the server's environment.
  unset MARIADB_ROOT_PASSWORD MARIADB_PASSWORD MARIADB_ROOT_PASSWORD_FILE MARIADB_PASSWORD_FILE
fi

# exec: the server is PID 1 and gets the SIGTERM of `docker stop` itself,
# which it answers with a clean shutdown.
exec "$@"
