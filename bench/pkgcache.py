"""A caching HTTP proxy for Debian packages, so that package downloads do not dominate the benchmark.

Both sides of every comparison (our playbooks and bench/floor.sh) install Debian's docker.io on the bare machines
and build the demo images with apt-get inside `docker build`; pointed at this proxy (apt's Acquire::http::Proxy on
each machine, and the `proxies` of /root/.docker/config.json, which the docker CLI and community.docker's
docker_image pass to builds as http_proxy), they fetch each package from the mirror once, then from the
controller's disk.

- Package files (.deb, immutable under their versioned name) are kept on disk (bench_cache_dir/debs), across runs.
- Index files (InRelease, Packages.xz, by-hash/...) are kept in memory for this process only: one benchmark sees one
  consistent state of the mirror, and the next benchmark starts from the mirror's current state.
- Anything else, and every non-GET request, is passed through uncached. HTTPS (CONNECT) is refused: apt and the
  Dockerfiles use the plain-HTTP mirror, whose files apt checks against the signed InRelease.

Standard library only: run.py starts it in a thread (serve()); `python3 bench/pkgcache.py DIR [HOST [PORT]]` runs
it alone.
"""

from __future__ import annotations

import hashlib
import http.client
import http.server
import os
import shutil
import sys
import tempfile
import threading
import urllib.parse

# How each kind of path is kept; see the module's docstring.
INDEX_MARKERS = ("/dists/", "/by-hash/")


def cache_kind(url):
    """'disk' for a package file, 'memory' for an index file, None for anything not to cache."""
    path = urllib.parse.urlsplit(url).path
    if path.endswith((".deb", ".udeb")) and "/pool/" in path:
        return "disk"
    if any(marker in path for marker in INDEX_MARKERS):
        return "memory"
    return None


def disk_name(url):
    """File name of a cached package: readable, and unique per URL."""
    path = urllib.parse.urlsplit(url).path
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    return f"{digest}-{os.path.basename(path)}"


class PackageCache:
    """What the handler reads and writes: package files on disk, index files in memory, and counters."""

    def __init__(self, directory):
        self.debs = os.path.join(directory, "debs")
        os.makedirs(self.debs, exist_ok=True)
        self.memory = {}
        self.lock = threading.Lock()
        self.stats = {"hits": 0, "misses": 0, "passed": 0, "bytes_from_cache": 0, "bytes_from_mirror": 0}

    def count(self, key, amount=1):
        with self.lock:
            self.stats[key] += amount

    def lookup(self, url):
        """(content type, body bytes or file path) of a cached answer, or None."""
        kind = cache_kind(url)
        if kind == "memory":
            with self.lock:
                return self.memory.get(url)
        if kind == "disk":
            path = os.path.join(self.debs, disk_name(url))
            if os.path.exists(path):
                return ("application/vnd.debian.binary-package", path)
        return None

    def store(self, url, content_type, body):
        kind = cache_kind(url)
        if kind == "memory":
            with self.lock:
                self.memory[url] = (content_type, body)
        elif kind == "disk":
            # Written under a temporary name and renamed: a reader never sees half a file.
            fd, tmp = tempfile.mkstemp(dir=self.debs, prefix=".part-")
            with os.fdopen(fd, "wb") as out:
                out.write(body)
            os.replace(tmp, os.path.join(self.debs, disk_name(url)))


class ProxyHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    cache: PackageCache = None  # set on the subclass serve() makes

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass

    def do_CONNECT(self):  # noqa: N802 - http.server's naming
        self.send_error(405, "HTTPS is not proxied: use the plain-HTTP Debian mirror")

    def do_HEAD(self):  # noqa: N802
        self._forward(body=False)

    def do_GET(self):  # noqa: N802
        hit = self.cache.lookup(self.path)
        if hit is not None:
            content_type, body = hit
            if isinstance(body, str):
                with open(body, "rb") as handle:
                    body = handle.read()
            self.cache.count("hits")
            self.cache.count("bytes_from_cache", len(body))
            self._answer(200, content_type, body)
            return
        self._forward(body=True)

    def _answer(self, status, content_type, body, send_body=True):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _forward(self, body):
        parts = urllib.parse.urlsplit(self.path)
        if parts.scheme != "http" or not parts.hostname:
            self.send_error(400, "Expected a proxy request for an http:// URL")
            return
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        try:
            conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=60)
            conn.request(self.command, target, headers={"User-Agent": self.headers.get("User-Agent", "pkgcache")})
            resp = conn.getresponse()
            data = resp.read()
        except OSError as exc:
            self.send_error(502, f"Cannot reach {parts.hostname}: {exc}")
            return
        finally:
            conn.close()
        content_type = resp.getheader("Content-Type", "application/octet-stream")
        if self.command == "GET" and resp.status == 200 and cache_kind(self.path):
            self.cache.store(self.path, content_type, data)
            self.cache.count("misses")
        else:
            self.cache.count("passed")
        self.cache.count("bytes_from_mirror", len(data))
        self.send_response(resp.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)


def serve(directory, host, port=3142):
    """Start the proxy in a daemon thread; returns (server, cache). server.shutdown() stops it."""
    cache = PackageCache(directory)
    handler = type("BoundProxyHandler", (ProxyHandler,), {"cache": cache})
    server = http.server.ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="pkgcache", daemon=True).start()
    return server, cache


def clear(directory):
    """Forget every cached package (bench/run.py --fresh-cache)."""
    shutil.rmtree(os.path.join(directory, "debs"), ignore_errors=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args:
        sys.exit("usage: pkgcache.py CACHE_DIR [HOST [PORT]]")
    server = serve(args[0], args[1] if len(args) > 1 else "127.0.0.1", int(args[2]) if len(args) > 2 else 3142)[0]
    print(f"package cache on {server.server_address[0]}:{server.server_address[1]}", flush=True)
    threading.Event().wait()
