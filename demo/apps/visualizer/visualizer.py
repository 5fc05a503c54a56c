"""The demo stack's visualizer: the swarm's nodes as columns and their tasks as
cards, read from the Engine of the manager it runs on.

Read-only by construction: engine_get() is the only function that talks to the
Engine; it sends nothing but GET, only to the paths in ENGINE_PATHS, and logs
every call it makes ("engine GET /nodes -> 200") to stdout, where
`docker service logs` shows it. Mounting the socket read-only would not be
enough: a client can still connect to a read-only unix socket and POST.

Configuration (environment):
  DOCKER_SOCKET   the Engine's unix socket (/var/run/docker.sock)
  PORT            port to listen on (8081)
  REFRESH         seconds between two refreshes of the page (5)
  FAILED_WINDOW   seconds a failed or rejected task stays on the page (300)
  RUN_AS          user the server runs as once it has the socket's group (nobody)
  BIND            address to listen on ("" = every address of the container, or of the host on the host network)
  TOKEN_FILE      file holding the access token (/run/secrets/visualizer_token, a Docker secret)
  ALLOW_ANONYMOUS "yes" serves /api/cluster to anyone when there is no token file (default: refused)

  /             the page (index.html, no cluster data): fetches /api/cluster every REFRESH seconds
  /api/cluster  JSON: nodes, the tasks meant to run, recently failed tasks. It names nodes, addresses, versions and
                task errors, so it needs the token: "Authorization: Bearer TOKEN", or basic auth with any user name
                and the token as password (what a browser asks for). The page sends the token of its URL's
                fragment (http://host:8081/#token=TOKEN): a fragment never reaches a server or its logs.
  /health       200 without asking the Engine: the container's health check
Methods other than GET and HEAD get 405.

Standard library only.
"""

import base64
import binascii
import datetime
import hmac
import http.client
import json
import os
import pwd
import re
import signal
import socket
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SOCKET = os.environ.get("DOCKER_SOCKET", "/var/run/docker.sock")
REFRESH = int(os.environ.get("REFRESH", "5"))
FAILED_WINDOW = int(os.environ.get("FAILED_WINDOW", "300"))
TIMEOUT = 5.0
# Several open pages share one set of Engine calls per this many seconds.
CACHE_SECONDS = 2.0
TOKEN_FILE = os.environ.get("TOKEN_FILE", "/run/secrets/visualizer_token")
PAGE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "index.html")

ENGINE_PATHS = ("/nodes", "/tasks", "/services", "/info", "/version")
# An allowlisted path, with at most a query string of URL-encoded characters:
# nothing that could reach another endpoint (/nodes/../containers/create).
ENGINE_PATH = re.compile(r"(?:" + "|".join(map(re.escape, ENGINE_PATHS)) + r")(?:\?[A-Za-z0-9%._~=&+-]*)?")


class ReadOnlyError(ValueError):
    """A call to the Engine that the visualizer refuses to make."""


class EngineError(RuntimeError):
    """The Engine could not be reached or answered with an error."""


class UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP over the Engine's unix socket."""

    def __init__(self, path, timeout=TIMEOUT):
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.socket_path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


def log(message):
    print(message, flush=True)


def engine_get(path, method="GET", socket_path=None):
    """The only call to the Engine: a GET of an allowlisted path. Anything
    else raises ReadOnlyError before a connection is opened."""
    if method != "GET":
        log(f"refused {method} {path}: the visualizer only reads")
        raise ReadOnlyError(f"{method} {path}: the visualizer only sends GET to the Engine")
    if not ENGINE_PATH.fullmatch(path):
        log(f"refused GET {path}: not an allowlisted path")
        raise ReadOnlyError(f"GET {path}: not one of {', '.join(ENGINE_PATHS)}")
    socket_path = socket_path or SOCKET
    conn = UnixHTTPConnection(socket_path)
    try:
        conn.request("GET", path, headers={"Accept": "application/json"})
        response = conn.getresponse()
        body = response.read()
    except OSError as exc:
        log(f"engine GET {path} -> {type(exc).__name__}: {exc}")
        raise EngineError(f"no answer from the Engine at {socket_path}: {exc}") from exc
    finally:
        conn.close()
    log(f"engine GET {path} -> {response.status}")
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise EngineError(f"GET {path}: the Engine answered {response.status} without JSON") from exc
    if response.status != HTTPStatus.OK:
        # A worker's Engine answers 503 "This node is not a swarm manager..."
        message = data.get("message") if isinstance(data, dict) else None
        raise EngineError(f"GET {path}: {response.status} {message or body[:200].decode(errors='replace')}")
    return data


def parse_time(value):
    """An Engine timestamp (RFC 3339, nanoseconds) as an aware datetime, or None."""
    match = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)", value or "")
    if not match:
        return None
    # fromisoformat only takes up to microseconds before Python 3.11.
    text = match.group(1) + "." + (match.group(2) or "0").ljust(6, "0")[:6] + match.group(3).replace("Z", "+00:00")
    return datetime.datetime.fromisoformat(text)


def without_digest(image):
    """The image as the stack file names it: a service pins it by digest (name:tag@sha256:...)."""
    return (image or "").split("@", 1)[0]


def node_view(node):
    spec, description, status = node.get("Spec", {}), node.get("Description", {}), node.get("Status", {})
    manager = node.get("ManagerStatus") or {}
    address = status.get("Addr", "")
    # A manager's Status.Addr can read 0.0.0.0; its ManagerStatus.Addr (host:port) is where it listens.
    if address in ("", "0.0.0.0") and manager.get("Addr"):
        address = manager["Addr"].rsplit(":", 1)[0]
    return {
        "id": node["ID"],
        "name": description.get("Hostname") or node["ID"][:12],
        "role": spec.get("Role", ""),
        "leader": bool(manager.get("Leader")),
        "reachability": manager.get("Reachability", ""),
        "availability": spec.get("Availability", ""),
        "state": status.get("State", ""),
        "engine_version": description.get("Engine", {}).get("EngineVersion", ""),
        "address": address,
    }


def task_view(task, services, nodes):
    spec = services.get(task.get("ServiceID"), {}).get("Spec", {})
    status = task.get("Status", {})
    node = nodes.get(task.get("NodeID"))
    return {
        "id": task["ID"],
        "service": spec.get("Name") or task.get("ServiceID", "")[:12],
        "stack": spec.get("Labels", {}).get("com.docker.stack.namespace", ""),
        # replicated, global, replicatedjob or globaljob.
        "mode": next(iter(spec.get("Mode", {})), "replicated").lower(),
        # A global service's tasks have no slot: the node names them.
        "slot": task.get("Slot") or None,
        "node": node["name"] if node else "",
        "node_id": task.get("NodeID", ""),
        "state": status.get("State", ""),
        "desired_state": task.get("DesiredState", ""),
        "image": without_digest(task.get("Spec", {}).get("ContainerSpec", {}).get("Image")),
        "message": status.get("Message", ""),
        "error": status.get("Err", ""),
        "updated": status.get("Timestamp", ""),
    }


def shown(task, now, failed_window):
    """Tasks meant to run, and those that failed or were rejected within failed_window seconds."""
    if task["desired_state"] == "running":
        return True
    updated = parse_time(task["updated"])
    return task["state"] in ("failed", "rejected") and updated is not None \
        and (now - updated).total_seconds() <= failed_window


def build_view(nodes, tasks, services, now=None, failed_window=FAILED_WINDOW):
    """The page's data from the Engine's /nodes, /tasks and /services answers."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    node_list = sorted((node_view(n) for n in nodes),
                       key=lambda n: (n["role"] != "manager", not n["leader"], n["name"]))
    by_id = {n["id"]: n for n in node_list}
    by_service = {s["ID"]: s for s in services}
    task_list = sorted((t for t in (task_view(t, by_service, by_id) for t in tasks) if shown(t, now, failed_window)),
                       key=lambda t: (t["service"], t["slot"] or 0, t["node"], t["state"] != "running", t["id"]))
    service_list = []
    for service in sorted(services, key=lambda s: s["Spec"]["Name"]):
        name = service["Spec"]["Name"]
        service_list.append({
            "name": name,
            "mode": next(iter(service["Spec"].get("Mode", {})), "replicated").lower(),
            "running": sum(1 for t in task_list if t["service"] == name and t["state"] == "running"),
            "wanted": sum(1 for t in task_list if t["service"] == name and t["desired_state"] == "running"),
        })
    return {
        "time": now.isoformat(timespec="seconds"),
        "refresh": REFRESH,
        "nodes": node_list,
        "tasks": task_list,
        "services": service_list,
    }


def fetch_cluster(socket_path=None):
    return build_view(engine_get("/nodes", socket_path=socket_path),
                      engine_get("/tasks", socket_path=socket_path),
                      engine_get("/services", socket_path=socket_path))


def read_token(path=None):
    """The access token, or None when its file is missing or empty."""
    try:
        with open(path or TOKEN_FILE, encoding="utf-8") as handle:
            return handle.read().strip() or None
    except OSError:
        return None


def authorized(header, token):
    """Whether an Authorization header carries the token: Bearer TOKEN, or Basic with TOKEN as the password.

    compare_digest: the time taken does not tell how much of a guess was right.
    """
    scheme, _space, value = (header or "").strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "basic":
        try:
            value = base64.b64decode(value, validate=True).decode("utf-8").partition(":")[2]
        except (binascii.Error, UnicodeDecodeError):
            return False
    elif scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(value.encode("utf-8"), token.encode("utf-8"))


class Cluster:
    """The last view, fetched again once it is CACHE_SECONDS old."""

    def __init__(self, socket_path=None):
        self.socket_path = socket_path
        self.lock = threading.Lock()
        self.view = None
        self.fetched = 0.0

    def get(self):
        with self.lock:
            if self.view is None or time.monotonic() - self.fetched > CACHE_SECONDS:
                self.view = fetch_cluster(self.socket_path)
                self.fetched = time.monotonic()
            return self.view


class Handler(BaseHTTPRequestHandler):
    server_version = "anchorage-visualizer"
    cluster = Cluster()
    # Read at start (main); None with allow_anonymous False refuses the cluster's data to everyone.
    token = None
    allow_anonymous = False

    def may_read_cluster(self):
        """Answer 401 (or 503 when no token is set) unless the request may see the cluster."""
        if self.token is None:
            if self.allow_anonymous:
                return True
            self.reply("application/json", json.dumps({"error": "no access token is set: give the visualizer_token "
                                                                "secret (TOKEN_FILE), or ALLOW_ANONYMOUS=yes"}).encode()
                       + b"\n", HTTPStatus.SERVICE_UNAVAILABLE)
            return False
        if authorized(self.headers.get("Authorization"), self.token):
            return True
        self.reply("application/json", b'{"error": "the access token is missing or wrong: open the page as '
                   b'http://HOST:PORT/#token=TOKEN, or send Authorization: Bearer TOKEN"}\n',
                   HTTPStatus.UNAUTHORIZED, {"WWW-Authenticate": 'Basic realm="anchorage visualizer"'})
        return False

    def do_GET(self):  # pylint: disable=invalid-name  # the name http.server calls
        path = self.path.split("?", 1)[0]
        if path == "/health":
            self.reply("text/plain; charset=utf-8", b"ok\n")
        elif path in ("/", "/index.html"):
            with open(PAGE, "rb") as page:
                self.reply("text/html; charset=utf-8", page.read())
        elif path == "/api/cluster":
            if not self.may_read_cluster():
                return
            try:
                body, status = self.cluster.get(), HTTPStatus.OK
            except EngineError as exc:
                body, status = {"error": str(exc)}, HTTPStatus.BAD_GATEWAY
            self.reply("application/json", json.dumps(body, indent=1).encode() + b"\n", status)
        else:
            self.reply("text/plain; charset=utf-8", b"not found\n", HTTPStatus.NOT_FOUND)

    def do_HEAD(self):  # pylint: disable=invalid-name  # the name http.server calls
        self.do_GET()

    def __getattr__(self, name):
        # http.server looks up do_<METHOD> for every request: each method but GET and HEAD is refused,
        # including those it would otherwise answer with 501.
        if name.startswith("do_"):
            return self.refuse
        raise AttributeError(name)

    def refuse(self):
        self.close_connection = True
        self.reply("text/plain; charset=utf-8", b"method not allowed: this page is read-only\n",
                   HTTPStatus.METHOD_NOT_ALLOWED, {"Allow": "GET, HEAD"})

    def reply(self, content_type, body, status=HTTPStatus.OK, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        # The page's own inline script and style, its own API; nothing else.
        self.send_header("Content-Security-Policy",
                         "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_request(self, code="-", size="-"):
        # Each page asks every few seconds: log refusals and errors only, the Engine calls are logged apart.
        if int(code) >= 400:
            super().log_request(code, size)


def drop_privileges(user, socket_path):
    """Serve as an ordinary user whose only group is the socket's: whoever holds
    the socket can drive the Engine, so nothing else in the process runs as root."""
    if os.getuid() != 0:
        return
    account = pwd.getpwnam(user)
    try:
        groups = [os.stat(socket_path).st_gid]
    except OSError as exc:
        log(f"no Engine socket at {socket_path} ({exc}): the page will say so")
        groups = []
    os.setgroups(groups)
    os.setgid(account.pw_gid)
    os.setuid(account.pw_uid)


def main():
    # As PID 1 the process gets no default SIGTERM action: without a handler,
    # docker stop would wait its full grace period and then kill.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    # The token is read as root: a Docker secret's file is root's, mode 0444 unless the stack says otherwise.
    Handler.token = read_token()
    Handler.allow_anonymous = os.environ.get("ALLOW_ANONYMOUS", "") == "yes"
    drop_privileges(os.environ.get("RUN_AS", "nobody"), SOCKET)
    bind = os.environ.get("BIND", "")
    server = ThreadingHTTPServer((bind, int(os.environ.get("PORT", "8081"))), Handler)
    log(f"visualizer listening on {bind or '*'}:{server.server_port}, reading the Engine at {SOCKET} (GET only)")
    if Handler.token:
        log(f"/api/cluster needs the access token of {TOKEN_FILE}")
    elif Handler.allow_anonymous:
        log("no access token: /api/cluster is open to anyone who reaches the port (ALLOW_ANONYMOUS=yes)")
    else:
        log(f"no access token in {TOKEN_FILE}: /api/cluster is refused until one is given")
    try:
        version = engine_get("/version")
        log(f"Engine {version.get('Version')} (API {version.get('ApiVersion')})")
    except EngineError as exc:
        log(str(exc))
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
