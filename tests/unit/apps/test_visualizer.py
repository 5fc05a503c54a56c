"""demo/apps/visualizer: the cluster view built from the Engine's real answers
(visualizer_engine.json, captured on the lab's manager while worker2 was
stopped), and the read-only design: the one function that calls the Engine
refuses anything but a GET of an allowlisted path, no other code sends a
request, and the page answers 405 to every method but GET and HEAD."""

import ast
import base64
import contextlib
import copy
import datetime
import http.client
import importlib.util
import json
import os
import pwd
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SOURCE = REPO / "demo/apps/visualizer/visualizer.py"
ENGINE = json.loads((Path(__file__).parent / "visualizer_engine.json").read_text())
CAPTURED = datetime.datetime.fromisoformat(ENGINE["captured"].replace("Z", "+00:00"))

_spec = importlib.util.spec_from_file_location("visualizer", SOURCE)
visualizer = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(visualizer)


def view(engine=None, **kwargs):
    engine = engine or ENGINE
    return visualizer.build_view(engine["nodes"], engine["tasks"], engine["services"], now=CAPTURED, **kwargs)


def raw_node(name):
    return next(n for n in ENGINE["nodes"] if n["Description"]["Hostname"] == name)


# --- the cluster view -----------------------------------------------------------------------------------------------

def test_every_node_with_role_leader_availability_state_and_address():
    nodes = view()["nodes"]
    assert [n["name"] for n in nodes] == ["manager1", "worker1", "worker2"], "managers first, then by name"
    by_name = {n["name"]: n for n in nodes}
    for raw in ENGINE["nodes"]:
        node = by_name[raw["Description"]["Hostname"]]
        assert node["id"] == raw["ID"]
        assert node["role"] == raw["Spec"]["Role"]
        assert node["availability"] == raw["Spec"]["Availability"]
        assert node["state"] == raw["Status"]["State"]
        assert node["address"] == raw["Status"]["Addr"]
        assert node["engine_version"] == raw["Description"]["Engine"]["EngineVersion"]
    assert [n["name"] for n in nodes if n["leader"]] == ["manager1"]
    # worker2 had been stopped when the answers were captured.
    assert by_name["worker2"]["state"] == "down" and by_name["worker1"]["state"] == "ready"


def test_a_manager_whose_status_address_is_unset_shows_its_manager_address():
    engine = copy.deepcopy(ENGINE)
    manager = next(n for n in engine["nodes"] if n.get("ManagerStatus"))
    manager["Status"]["Addr"] = "0.0.0.0"
    node = next(n for n in view(engine)["nodes"] if n["role"] == "manager")
    assert node["address"] == manager["ManagerStatus"]["Addr"].rsplit(":", 1)[0] == "172.29.77.10"


def test_every_task_meant_to_run_is_shown_with_service_node_slot_and_image():
    services = {s["ID"]: s["Spec"] for s in ENGINE["services"]}
    nodes = {n["ID"]: n["Description"]["Hostname"] for n in ENGINE["nodes"]}
    meant_to_run = [t for t in ENGINE["tasks"] if t["DesiredState"] == "running"]
    assert meant_to_run, "the capture holds running tasks"
    shown = {t["id"]: t for t in view()["tasks"]}
    for raw in meant_to_run:
        task = shown[raw["ID"]]
        assert task["service"] == services[raw["ServiceID"]]["Name"]
        assert task["node"] == nodes[raw["NodeID"]]
        assert task["state"] == raw["Status"]["State"]
        assert task["desired_state"] == "running"
        # A service of the demo stack pins its image by digest; the card shows it as the stack file names it.
        assert "@sha256:" in raw["Spec"]["ContainerSpec"]["Image"] or task["stack"] != "demo"
        assert task["image"] == services[raw["ServiceID"]]["Labels"]["com.docker.stack.image"]
        if "Global" in services[raw["ServiceID"]]["Mode"]:
            assert task["slot"] is None and task["mode"] == "global"
        else:
            assert task["slot"] == raw["Slot"] and task["mode"] == "replicated"
        assert task["stack"] == services[raw["ServiceID"]]["Labels"]["com.docker.stack.namespace"]


def test_tasks_that_completed_or_failed_long_ago_are_not_shown():
    shown = view(failed_window=60)["tasks"]
    window_start = CAPTURED - datetime.timedelta(seconds=60)
    expected = {t["ID"] for t in ENGINE["tasks"] if t["DesiredState"] == "running" or (
        t["Status"]["State"] in ("failed", "rejected")
        and datetime.datetime.fromisoformat(t["Status"]["Timestamp"][:26] + "+00:00") >= window_start)}
    assert {t["id"] for t in shown} == expected
    recent_failures = [t for t in shown if t["state"] == "failed"]
    # worker2's redis and memcached tasks failed 48 s before the capture; its web task 63 s before.
    assert sorted(t["service"] for t in recent_failures) == ["demo_memcached", "demo_redis"]
    assert all(t["error"].startswith("task: non-zero exit") for t in recent_failures)
    assert len(view(failed_window=600)["tasks"]) > len(shown) > len(view(failed_window=0)["tasks"])


def test_services_count_their_running_and_wanted_tasks():
    services = {s["name"]: s for s in view(failed_window=0)["services"]}
    assert set(services) == {s["Spec"]["Name"] for s in ENGINE["services"]}
    for name, service in services.items():
        ids = {s["ID"] for s in ENGINE["services"] if s["Spec"]["Name"] == name}
        mine = [t for t in ENGINE["tasks"] if t["ServiceID"] in ids and t["DesiredState"] == "running"]
        assert service["wanted"] == len(mine)
        assert service["running"] == sum(t["Status"]["State"] == "running" for t in mine)
    assert services["demo_web"]["mode"] == "global" and services["demo_redis"]["mode"] == "replicated"


def test_a_task_on_an_unknown_node_or_of_an_unknown_service_still_shows():
    engine = copy.deepcopy(ENGINE)
    task = next(t for t in engine["tasks"] if t["DesiredState"] == "running")
    task.pop("NodeID")
    task["ServiceID"] = "gone0000000000000"
    shown = next(t for t in view(engine)["tasks"] if t["id"] == task["ID"])
    assert shown["node"] == "" and shown["service"] == "gone00000000"


def test_engine_timestamps_with_nanoseconds_parse():
    assert visualizer.parse_time("2026-11-26T22:50:12.413403543Z") == datetime.datetime(
        2026, 11, 26, 22, 50, 12, 413403, tzinfo=datetime.timezone.utc)
    assert visualizer.parse_time("2026-11-26T22:50:12Z").second == 12
    assert visualizer.parse_time("") is None and visualizer.parse_time("yesterday") is None


# --- read-only: the Engine-call function ---------------------------------------------------------------------------

@pytest.fixture(name="no_connection")
def fixture_no_connection(monkeypatch):
    """Fails the test if engine_get opens any connection."""
    opened = []
    monkeypatch.setattr(visualizer, "UnixHTTPConnection", lambda *a, **k: opened.append(a) or pytest.fail("connected"))
    return opened


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "HEAD", "get", ""])
def test_engine_get_refuses_every_method_but_get(method, no_connection):
    with pytest.raises(visualizer.ReadOnlyError, match="only sends GET"):
        visualizer.engine_get("/nodes", method=method)
    assert not no_connection


@pytest.mark.parametrize("path", [
    "/containers/json", "/containers/create", "/nodes/abc/update", "/nodes/../containers/create", "/services/create",
    "/swarm/leave", "/v1.41/nodes", "/nodes/", "/nodesx", "nodes", "/tasks#x", "/info?x=1 HTTP/1.1\r\nX-Y: z",
    "http://localhost/nodes", "//localhost/nodes", "",
])
def test_engine_get_refuses_every_path_off_the_allowlist(path, no_connection):
    with pytest.raises(visualizer.ReadOnlyError, match="not one of"):
        visualizer.engine_get(path)
    assert not no_connection


class FakeEngine(BaseHTTPRequestHandler):
    """Answers like the Engine from the captured JSON and records every request it gets."""

    calls = []
    status = 200

    def __getattr__(self, name):
        if name.startswith("do_"):
            return self.answer
        raise AttributeError(name)

    def answer(self):
        self.calls.append((self.command, self.path))
        key = self.path.split("?", 1)[0].strip("/")
        body = ENGINE.get(key) if self.status == 200 else {"message": "This node is not a swarm manager."}
        data = json.dumps(body).encode()
        self.send_response(self.status if body is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):  # pylint: disable=arguments-differ  # quiet: a unix socket has no client address
        pass


@pytest.fixture(name="engine")
def fixture_engine():
    """A fake Engine on a unix socket (under /tmp: a socket path has at most 107 characters)."""
    with tempfile.TemporaryDirectory(prefix="viz-") as folder:
        path = str(Path(folder) / "docker.sock")
        handler = type("Engine", (FakeEngine,), {"calls": [], "status": 200})
        server = socketserver.ThreadingUnixStreamServer(path, handler)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        try:
            yield path, handler
        finally:
            server.shutdown()
            server.server_close()


def test_engine_get_reads_over_the_socket_and_logs_each_call(engine, capsys):
    path, handler = engine
    query = "/tasks?filters=%7B%22desired-state%22%3A%5B%22running%22%5D%7D"
    assert visualizer.engine_get("/version", socket_path=path) == ENGINE["version"]
    assert visualizer.engine_get(query, socket_path=path) == ENGINE["tasks"]
    assert handler.calls == [("GET", "/version"), ("GET", query)]
    assert capsys.readouterr().out.splitlines() == ["engine GET /version -> 200", f"engine GET {query} -> 200"]


def test_the_cluster_view_comes_from_three_gets(engine):
    path, handler = engine
    fetched = visualizer.fetch_cluster(path)
    assert sorted(handler.calls) == [("GET", "/nodes"), ("GET", "/services"), ("GET", "/tasks")]
    expected = visualizer.build_view(ENGINE["nodes"], ENGINE["tasks"], ENGINE["services"])
    assert fetched["nodes"] == expected["nodes"] and fetched["tasks"] == expected["tasks"]


def test_an_engine_error_or_no_engine_raises_engine_error(engine):
    path, handler = engine
    handler.status = 503
    with pytest.raises(visualizer.EngineError, match="503 This node is not a swarm manager"):
        visualizer.engine_get("/nodes", socket_path=path)
    with pytest.raises(visualizer.EngineError, match="no answer from the Engine"):
        visualizer.engine_get("/nodes", socket_path=path + ".absent")


# --- read-only: nothing else in the source sends a request ---------------------------------------------------------

# Calls that open a connection or send a request, whatever object they are called on.
SENDING_CALLS = {"request", "putrequest", "urlopen", "Request", "HTTPConnection", "HTTPSConnection",
                 "UnixHTTPConnection", "create_connection", "send", "sendall", "sendto", "sendmsg"}


def test_only_engine_get_sends_requests_and_only_get():
    tree = ast.parse(SOURCE.read_text())
    found = []
    for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
        for call in (n for n in ast.walk(function) if isinstance(n, ast.Call)):
            name = getattr(call.func, "attr", getattr(call.func, "id", None))
            if name in SENDING_CALLS:
                found.append((function.name, name, call))
    assert [entry[:2] for entry in found] == [("engine_get", "UnixHTTPConnection"), ("engine_get", "request")]
    request = found[1][2]
    assert isinstance(request.args[0], ast.Constant) and request.args[0].value == "GET", ast.dump(request)
    # Nor any module that could talk to the Engine some other way.
    imported = {alias.name for n in ast.walk(tree) if isinstance(n, ast.Import) for alias in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not imported & {"urllib.request", "subprocess", "requests", "docker", "asyncio", "ctypes"}, imported


# --- the page -----------------------------------------------------------------------------------------------------

TOKEN = "kq3VtD9sYx2mLw8RbN4cZp7H"


@pytest.fixture(name="page")
def fixture_page(engine, monkeypatch):
    path, handler = engine
    monkeypatch.setattr(visualizer.Handler, "cluster", visualizer.Cluster(path))
    monkeypatch.setattr(visualizer.Handler, "token", TOKEN)
    server = ThreadingHTTPServer(("127.0.0.1", 0), visualizer.Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def ask(method, url, authorization="Bearer " + TOKEN):
        conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
        with contextlib.closing(conn):
            headers = {"Authorization": authorization} if authorization else {}
            conn.request(method, url, body=b"{}" if method in ("POST", "PUT", "PATCH") else None, headers=headers)
            response = conn.getresponse()
            return response, response.read()
    try:
        yield ask, handler
    finally:
        server.shutdown()
        server.server_close()


def test_the_page_serves_its_html_and_the_cluster_json(page):
    ask, handler = page
    response, body = ask("GET", "/")
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/html")
    assert b'fetch("api/cluster"' in body
    response, body = ask("GET", "/api/cluster")
    data = json.loads(body)
    assert response.status == 200
    assert {n["name"] for n in data["nodes"]} == {n["Description"]["Hostname"] for n in ENGINE["nodes"]}
    response, body = ask("HEAD", "/")
    assert response.status == 200 and body == b"" and int(response.headers["Content-Length"]) > 0
    assert ask("GET", "/health")[0].status == 200 and ask("GET", "/nothing")[0].status == 404
    assert handler.calls and all(call[0] == "GET" for call in handler.calls)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO"])
def test_every_method_but_get_and_head_gets_405(page, method):
    ask, handler = page
    for url in ("/", "/api/cluster", "/health"):
        response = ask(method, url)[0]
        assert response.status == 405, (method, url)
        assert response.headers["Allow"] == "GET, HEAD"
    assert handler.calls == [], "a refused request reached the Engine"


def test_the_page_says_when_the_engine_cannot_answer(page):
    ask, handler = page
    handler.status = 503
    response, body = ask("GET", "/api/cluster")
    assert response.status == 502
    assert "not a swarm manager" in json.loads(body)["error"]


# --- access to the cluster's data (issue 16) ------------------------------------------------------------------------

def basic(user, password):
    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()


@pytest.mark.parametrize("authorization", [
    None, "", "Bearer", "Bearer wrong", "Bearer " + TOKEN[:-1], "Bearer " + TOKEN + "x", "Token " + TOKEN,
    basic("anchorage", "wrong"), basic(TOKEN, ""), "Basic !!notbase64", "Basic " + TOKEN,
])
def test_the_cluster_is_refused_without_the_token(page, authorization):
    ask, handler = page
    response, body = ask("GET", "/api/cluster", authorization=authorization)
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="anchorage visualizer"'
    assert b"token" in body and b'"nodes"' not in body
    assert handler.calls == [], "a refused request reached the Engine"


@pytest.mark.parametrize("authorization", ["Bearer " + TOKEN, "bearer  " + TOKEN, basic("anchorage", TOKEN),
                                           basic("", TOKEN)])
def test_the_cluster_is_served_with_the_token(page, authorization):
    ask, handler = page
    response, body = ask("GET", "/api/cluster", authorization=authorization)
    assert response.status == 200 and json.loads(body)["nodes"]


def test_the_page_and_the_health_check_need_no_token(page):
    ask, handler = page
    for url in ("/", "/health"):
        assert ask("GET", url, authorization=None)[0].status == 200
    assert handler.calls == []


def test_no_token_set_refuses_everyone_unless_anonymous_is_allowed(page, monkeypatch):
    ask, handler = page
    monkeypatch.setattr(visualizer.Handler, "token", None)
    response, body = ask("GET", "/api/cluster", authorization=None)
    assert response.status == 503 and b"visualizer_token" in body and handler.calls == []
    monkeypatch.setattr(visualizer.Handler, "allow_anonymous", True)
    assert ask("GET", "/api/cluster", authorization=None)[0].status == 200


def test_read_token(tmp_path):
    assert visualizer.read_token(str(tmp_path / "absent")) is None
    (tmp_path / "empty").write_text("\n")
    assert visualizer.read_token(str(tmp_path / "empty")) is None
    (tmp_path / "token").write_text(TOKEN + "\n")
    assert visualizer.read_token(str(tmp_path / "token")) == TOKEN


def test_the_page_sends_the_token_of_its_fragment():
    page = (REPO / "demo/apps/visualizer/index.html").read_text()
    assert 'location.hash' in page and "Authorization: `Bearer ${token}`" in page


def test_the_server_listens_on_bind_only_and_reads_its_token_file(tmp_path):
    """The real server process: BIND=127.0.0.2 answers there and nowhere else; the token file's token opens it."""
    (tmp_path / "token").write_text(TOKEN)
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    env = dict(os.environ, BIND="127.0.0.2", PORT=str(port), TOKEN_FILE=str(tmp_path / "token"),
               DOCKER_SOCKET=str(tmp_path / "no-engine.sock"),
               # This Python may live where 'nobody' cannot read it (pyenv under /root): the drop is tested apart.
               RUN_AS=pwd.getpwuid(os.getuid()).pw_name)
    server = subprocess.Popen([sys.executable, str(SOURCE)], env=env, stdout=subprocess.PIPE, text=True)
    try:
        started = ""
        while "listening" not in started and server.poll() is None:
            started += server.stdout.readline()
        assert "listening on 127.0.0.2:%d" % port in started, started
        with contextlib.closing(http.client.HTTPConnection("127.0.0.2", port, timeout=10)) as conn:
            conn.request("GET", "/api/cluster")
            assert conn.getresponse().status == 401
        with contextlib.closing(http.client.HTTPConnection("127.0.0.2", port, timeout=10)) as conn:
            conn.request("GET", "/api/cluster", headers={"Authorization": "Bearer " + TOKEN})
            assert conn.getresponse().status == 502          # past the token; no Engine behind it here
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    assert TOKEN not in started + output, "the token appears in the visualizer's log"
