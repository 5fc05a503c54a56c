"""make bench's own logic: the figures it reports (median/min/max, ratios, the profile), and the package cache both
sides of every comparison go through, run as a real proxy in front of a local HTTP server."""

import http.server
import json
import os
import sys
import threading
import urllib.request

import pytest

BENCH = os.path.join(os.path.dirname(__file__), "..", "..", "..", "bench")
sys.path.insert(0, BENCH)

import pkgcache  # noqa: E402
import run  # noqa: E402


@pytest.mark.parametrize("n, managers", [(1, 1), (3, 1), (4, 1), (5, 3), (6, 3), (9, 3)])
def test_managers_for_keeps_one_manager_in_small_labs_and_three_from_five(n, managers):
    assert run.managers_for(n) == managers


def test_subnet_gateway_is_the_first_host():
    assert run.subnet_gateway("172.29.78.0/24") == "172.29.78.1"


def test_summarize_gives_median_min_max():
    assert run.summarize([30.0, 10.0, 20.0]) == (20.0, 10.0, 30.0)
    assert run.summarize([10.0, 20.0]) == (15.0, 10.0, 20.0)
    assert run.summarize([]) is None


def test_recap_changed_reads_every_host_of_the_play_recap():
    output = """PLAY RECAP *********
manager1                   : ok=120  changed=2    unreachable=0    failed=0    skipped=300
worker1                    : ok=38   changed=0    unreachable=0    failed=0    skipped=81
"""
    assert run.recap_changed(output) == {"manager1": 2, "worker1": 0}


def test_summary_rows_pairs_ours_with_the_floor_and_gives_the_ratio():
    rows = [{"benchmark": "cold converge", "n": 3, "tool": tool, "seconds": s}
            for tool, s in [("ours", 200), ("ours", 210), ("ours", 190), ("floor", 100), ("floor", 90), ("floor", 110)]]
    rows.append({"benchmark": "cold converge", "n": 6, "tool": "ours", "seconds": 300})
    summary = run.summary_rows(rows)
    assert summary[0] == ("cold converge", 3, (200, 190, 210), (100, 90, 110), 2.0)
    # No floor figure for N=6: no ratio, rather than a made-up one.
    assert summary[1] == ("cold converge", 6, (300, 300, 300), None, None)
    text = run.table(summary, run.FLOORS)
    assert "  200.0 s [190.0-210.0]" in text and "2.00" in text and "bench/floor.sh" in text


def test_profile_totals_adds_up_roles_and_lists_the_slowest_tasks():
    profile = {"seconds": 10, "tasks": [
        {"play": "p", "role": "engine", "task": "Install", "seconds": 5.0},
        {"play": "p", "role": "engine", "task": "Pin", "seconds": 1.0},
        {"play": "Deploy", "role": "", "task": "Deploy the stack", "seconds": 3.0},
    ]}
    roles, tasks = run.profile_totals(profile, top=2)
    assert roles == [("engine", 6.0), ("(play) Deploy", 3.0)]
    assert tasks == [(5.0, "engine : Install"), (3.0, "Deploy the stack")]


def test_parse_args_refuses_nonsense_sizes():
    with pytest.raises(SystemExit):
        run.parse_args(["--sizes", "0,3"])
    args = run.parse_args(["--sizes", "3,6", "--runs", "1", "--only", "stack", "--results", "/tmp/x"])
    assert args.sizes == [3, 6] and args.runs == 1 and args.only == {"stack"}


@pytest.mark.parametrize("url, kind", [
    ("http://deb.debian.org/debian/pool/main/d/docker.io/docker.io_20.10.24+dfsg1-1+deb12u1_amd64.deb", "disk"),
    ("http://deb.debian.org/debian/dists/bookworm/InRelease", "memory"),
    ("http://deb.debian.org/debian/dists/bookworm/main/binary-amd64/by-hash/SHA256/abc", "memory"),
    ("http://example.org/install.sh", None),
])
def test_cache_kind_keeps_packages_on_disk_and_indexes_in_memory(url, kind):
    assert pkgcache.cache_kind(url) == kind


@pytest.fixture()
def mirror():
    """A local HTTP server standing in for the Debian mirror, counting the requests it answers."""
    seen = []

    class Mirror(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802
            seen.append(self.path)
            body = f"content of {self.path}".encode()
            self.send_response(200 if "missing" not in self.path else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Mirror)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()


def fetch(proxy_port, url):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": f"http://127.0.0.1:{proxy_port}"}))
    try:
        with opener.open(url, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def test_the_proxy_fetches_each_package_once_and_passes_errors_through(tmp_path, mirror):
    base, seen = mirror
    server, cache = pkgcache.serve(str(tmp_path), "127.0.0.1", 0)
    port = server.server_address[1]
    try:
        deb = f"{base}/debian/pool/main/r/redis/redis_7.0_amd64.deb"
        index = f"{base}/debian/dists/bookworm/InRelease"
        for attempt in (1, 2):  # the second from the cache
            assert fetch(port, deb) == (200, b"content of /debian/pool/main/r/redis/redis_7.0_amd64.deb")
            assert fetch(port, index) == (200, b"content of /debian/dists/bookworm/InRelease")
        assert fetch(port, f"{base}/debian/pool/main/missing_1_amd64.deb")[0] == 404
        assert seen.count("/debian/pool/main/r/redis/redis_7.0_amd64.deb") == 1
        assert seen.count("/debian/dists/bookworm/InRelease") == 1
        assert cache.stats["hits"] == 2 and cache.stats["misses"] == 2 and cache.stats["passed"] == 1
        # Packages survive the process (on disk); index files do not (a new cache asks the mirror again).
        assert len(os.listdir(tmp_path / "debs")) == 1
        again = pkgcache.PackageCache(str(tmp_path))
        assert again.lookup(deb) is not None and again.lookup(index) is None
    finally:
        server.shutdown()


def test_bench_profile_callback_writes_every_task(tmp_path):
    """The callback bench/run.py reads, run by a real ansible-playbook on localhost."""
    import subprocess
    playbook = tmp_path / "play.yml"
    playbook.write_text("- hosts: localhost\n  gather_facts: false\n  tasks:\n"
                        "    - name: First\n      ansible.builtin.command: sleep 0.3\n      changed_when: false\n"
                        "    - name: Second\n      ansible.builtin.debug: {msg: hi}\n")
    out = tmp_path / "profile.json"
    env = dict(os.environ, ANSIBLE_CALLBACK_PLUGINS=os.path.join(BENCH, "callback_plugins"),
               ANSIBLE_CALLBACKS_ENABLED="bench_profile", BENCH_PROFILE_JSON=str(out))
    subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", "-c", "local",
                    "-e", f"ansible_python_interpreter={sys.executable}", str(playbook)], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    profile = json.loads(out.read_text())
    assert [t["task"] for t in profile["tasks"]] == ["First", "Second"]
    assert profile["tasks"][0]["seconds"] >= 0.3
    assert profile["seconds"] >= sum(t["seconds"] for t in profile["tasks"])
