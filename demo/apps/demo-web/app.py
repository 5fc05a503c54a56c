"""The demo stack's web app: on every request, reach the database, redis and
memcached, and show which address of each answered.

Configuration (environment):
  DB_HOST, DB_NAME, DB_USER   MariaDB server name, database and user
  DB_PASSWORD_FILE            file holding the user's password (a swarm secret)
  REDIS_HOST, MEMCACHED_HOST  server names
  PORT                        port to listen on (8080)

  /         HTML page (JSON when the request accepts application/json)
  /api      JSON
  /health   200 without touching any backend: the container's health check

Standard library only, but for Debian's python3-pymysql, python3-redis and
python3-pymemcache: the image is built from Debian packages, nothing from PyPI.
"""

import concurrent.futures
import datetime
import html
import json
import os
import random
import signal
import socket
import sys
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pymemcache.client.base
import pymysql
import redis

# Short, so that a backend that is gone shows as an error on the page instead
# of a request that hangs.
TIMEOUT = 2.0
# However many addresses a name has, give up on a backend after this long.
DEADLINE = 3 * TIMEOUT
HOSTNAME = socket.gethostname()
COUNTER_KEY = "anchorage-demo-visits"


def resolve(name, port):
    """Every address of name. With endpoint_mode dnsrr a service name
    resolves to the address of each of its tasks; with vip, to one virtual IP
    that the Engine balances."""
    infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
    return sorted({info[4][0] for info in infos})


def visit_database(address):
    """Count this visit in the database: table visits, one row per request."""
    with open(os.environ["DB_PASSWORD_FILE"], encoding="utf-8") as secret:
        password = secret.read().rstrip("\n")
    conn = pymysql.connect(
        host=address, port=3306, user=os.environ["DB_USER"], password=password,
        database=os.environ["DB_NAME"], autocommit=True,
        connect_timeout=TIMEOUT, read_timeout=TIMEOUT, write_timeout=TIMEOUT)
    try:
        with conn.cursor() as cur:
            # The first request makes the table: the app needs no schema step.
            cur.execute(
                "CREATE TABLE IF NOT EXISTS visits ("
                " id BIGINT AUTO_INCREMENT PRIMARY KEY,"
                " web VARCHAR(255) NOT NULL,"
                " at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)")
            cur.execute("INSERT INTO visits (web) VALUES (%s)", (HOSTNAME,))
            cur.execute("SELECT COUNT(*) FROM visits")
            return {"visits": cur.fetchone()[0]}
    finally:
        conn.close()


def visit_redis(address):
    """Count this visit in redis. Each replica counts on its own: the number
    shows which one answered as much as the address does."""
    client = redis.Redis(host=address, port=6379,
                         socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT)
    try:
        return {"counter": client.incr(COUNTER_KEY)}
    finally:
        client.close()


def visit_memcached(address):
    """Count this visit in memcached. One client per address rather than a
    HashClient, so that the page can tell which server answered."""
    client = pymemcache.client.base.Client(
        (address, 11211), connect_timeout=TIMEOUT, timeout=TIMEOUT)
    try:
        value = client.incr(COUNTER_KEY, 1, noreply=False)
        if value is None:
            # incr never creates a key; add does, unless another request
            # just did, in which case incr now works.
            if client.add(COUNTER_KEY, b"1", noreply=False):
                value = 1
            else:
                value = client.incr(COUNTER_KEY, 1, noreply=False)
        return {"counter": int(value)}
    finally:
        client.close()


# Name of the backend on the page -> (environment variable of its host, port, visit).
BACKENDS = {
    "database": ("DB_HOST", 3306, visit_database),
    "redis": ("REDIS_HOST", 6379, visit_redis),
    "memcached": ("MEMCACHED_HOST", 11211, visit_memcached),
}


def reach(env, port, visit):
    """Try the addresses of one backend in random order (so that requests
    spread over the replicas) until one answers."""
    host = os.environ.get(env, "")
    status = {"host": host, "addresses": [], "reached": False,
              "address": None, "result": None, "error": None}
    if not host:
        status["error"] = f"{env} is not set"
        return status
    try:
        status["addresses"] = resolve(host, port)
    except OSError as exc:
        status["error"] = f"cannot resolve {host}: {exc}"
        return status
    errors = []
    started = time.monotonic()
    for address in random.sample(status["addresses"], len(status["addresses"])):
        if time.monotonic() - started > DEADLINE:
            errors.append(f"{address}: not tried, {DEADLINE:g} s spent")
            continue
        try:
            status["result"] = visit(address)
        except Exception as exc:  # pylint: disable=broad-except  # any failure is shown, not raised
            errors.append(f"{address}: {type(exc).__name__}: {exc}")
            continue
        status.update(reached=True, address=address)
        break
    status["error"] = "; ".join(errors) or None
    return status


def report():
    """Reach the three backends at once: a request costs the slowest one, not the sum."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=len(BACKENDS))
    futures = {name: pool.submit(reach, *spec) for name, spec in BACKENDS.items()}
    backends = {}
    for name, future in futures.items():
        try:
            # Only a name lookup that never returns gets here.
            backends[name] = future.result(timeout=DEADLINE + TIMEOUT)
        except concurrent.futures.TimeoutError:
            backends[name] = {"host": os.environ.get(BACKENDS[name][0], ""), "addresses": [],
                              "reached": False, "address": None, "result": None,
                              "error": f"no answer within {DEADLINE + TIMEOUT:g} s"}
    pool.shutdown(wait=False)
    return {
        "web": {"hostname": HOSTNAME,
                "time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")},
        "ok": all(b["reached"] for b in backends.values()),
        "backends": backends,
    }


def esc(value):
    """Any value as HTML text."""
    return html.escape(str(value))


def render_html(data):
    """The report as a small page; every value is escaped."""
    rows = []
    for name, b in data["backends"].items():
        rows.append(
            f"<tr class=\"{'ok' if b['reached'] else 'down'}\"><td>{esc(name)}</td>"
            f"<td>{'reached' if b['reached'] else 'NOT reached'}</td>"
            f"<td>{esc(b['address'] or '-')}</td>"
            f"<td>{esc(', '.join(b['addresses']) or '-')} ({esc(b['host'])})</td>"
            f"<td>{esc(json.dumps(b['result']) if b['result'] else '')}</td>"
            f"<td>{esc(b['error'] or '')}</td></tr>")
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>anchorage demo</title>
<style>body{{font-family:sans-serif}} td,th{{padding:2px 8px;text-align:left}}
.ok td:nth-child(2){{color:green}} .down td:nth-child(2){{color:red}}</style></head>
<body><h1>anchorage demo: {'all backends reached' if data['ok'] else 'a backend is down'}</h1>
<p>Served by web task <b>{esc(data['web']['hostname'])}</b> at {esc(data['web']['time'])}.</p>
<table><tr><th>backend</th><th>status</th><th>answered</th><th>resolved (name)</th><th>result</th><th>error</th></tr>
{chr(10).join(rows)}
</table></body></html>
"""


class Handler(BaseHTTPRequestHandler):
    server_version = "anchorage-demo-web"

    def do_GET(self):  # pylint: disable=invalid-name  # the name http.server calls
        path = self.path.split("?", 1)[0]
        if path == "/health":
            self.send("text/plain; charset=utf-8", b"ok\n")
        elif path == "/api" or (path == "/" and "application/json" in self.headers.get("Accept", "")):
            self.send("application/json", json.dumps(report(), indent=2).encode() + b"\n")
        elif path == "/":
            self.send("text/html; charset=utf-8", render_html(report()).encode())
        else:
            self.send("text/plain; charset=utf-8", b"not found\n", HTTPStatus.NOT_FOUND)

    def send(self, content_type, body, status=HTTPStatus.OK):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        # Every answer is of this moment and this task: never from a cache.
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def main():
    # As PID 1 the process gets no default SIGTERM action: without a handler,
    # docker stop would wait its full grace period and then kill.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    server = ThreadingHTTPServer(("", int(os.environ.get("PORT", "8080"))), Handler)
    print(f"demo-web on {HOSTNAME} listening on :{server.server_port}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
