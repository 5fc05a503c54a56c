"""The demo stack's visualizer (demo/apps/visualizer) on the test lab (conftest.py), seen
as a user sees it: headless Chromium (Debian's chromium package) opens the page
on the manager, takes a screenshot (kept as tests/output/visualizer.png) and
dumps the DOM once the page has fetched the cluster. Every node of
`docker node ls` must be a column with its role, availability and state, and
every running task of the demo stack a card in its node's column. The live
service refuses every method but GET and HEAD, and its log lists the Engine
calls it made: GET only."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import struct
import time
from html.parser import HTMLParser

import pytest
from conftest import MACHINES, REPO, explain, run

PORT = 8081
MANAGER = next(m["name"] for m in MACHINES if "swarm_managers" in m["groups"])
SERVICE = "demo_visualizer"
OUTPUT = REPO / "tests/output"
SCREENSHOT = OUTPUT / "visualizer.png"
WIDTH, HEIGHT = 1600, 1000
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH: install Debian's chromium package (.ci/run does)")


def on_manager(lab, command: str) -> str:
    proc = lab.ssh(MANAGER, command)
    assert proc.returncode == 0, explain(proc)
    return proc.stdout


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture(name="visualizer", scope="module")
def fixture_visualizer(lab) -> tuple[str, int]:
    """Address and port of the node the visualizer's task runs on (host mode: only that node serves it), once the
    page answers with the cluster.

    Earlier tests restart Engines (machines, regenerate-certs.yml): first wait until the demo stack has settled
    (every task meant to run is running, every service at its count), so that the page and `docker stack ps`, read
    a moment apart, see the same tasks."""
    deadline = time.monotonic() + 240
    while True:
        tasks = json_lines(on_manager(lab, "docker stack ps demo --filter desired-state=running --format '{{json .}}'"))
        services = json_lines(on_manager(lab, "docker stack services demo --format '{{json .}}'"))
        settled = tasks and all(t["CurrentState"].startswith("Running") for t in tasks) and all(
            s["Replicas"].split(" ")[0].split("/")[0] == s["Replicas"].split(" ")[0].split("/")[1] for s in services)
        if settled or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert settled, (tasks, services)
    nodes = on_manager(lab, f"docker service ps {SERVICE} --filter desired-state=running --format '{{{{.Node}}}}'")
    assert len(nodes.split()) == 1, nodes
    address = lab.hosts()[nodes.strip()]
    deadline = time.monotonic() + 60
    while True:
        status, body = ask(address, "GET", "/api/cluster")
        if status == 200 and json.loads(body)["nodes"] or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert status == 200, body
    return address, PORT


def ask(address: str, method: str, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(address, PORT, timeout=10)
    try:
        conn.request(method, path, body=b"{}" if method in ("POST", "PUT", "PATCH") else None)
        response = conn.getresponse()
        return response.status, response.read()
    except OSError as exc:
        return 0, str(exc).encode()
    finally:
        conn.close()


def chromium(tmp_path, *args: str):
    # --no-sandbox: the tests run as root, where Chromium's sandbox refuses to start. The virtual time budget lets the
    # page's fetch and first render finish before the screenshot or the DOM dump.
    return run(CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path}",
               f"--window-size={WIDTH},{HEIGHT}", "--virtual-time-budget=8000", *args, timeout=180)


class Board(HTMLParser):
    """The node columns and task cards of a dumped page: their data-* attributes, their text, and for a card the
    column it sits in."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__()
        self.open: list[dict] = []
        self.columns: dict[str, dict] = {}
        self.cards: dict[str, dict] = {}

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        element = {"tag": tag, **dict(attrs), "text": []}
        if "data-task-id" in element:
            element["column"] = next((e["data-node"] for e in reversed(self.open)
                                      if "node" in e.get("class", "").split()), None)
        self.open.append(element)

    def handle_endtag(self, tag):
        while self.open:
            element = self.open.pop()
            if element["tag"] == tag:
                break
        # Text nodes of different elements are words apart, as the page shows them.
        element["text"] = " ".join(" ".join(element["text"]).split())
        if "node" in element.get("class", "").split() and "data-node" in element:
            self.columns[element["data-node"]] = element
        if "data-task-id" in element:
            self.cards[element["data-task-id"]] = element

    def handle_data(self, data):
        for element in self.open:
            element["text"].append(data)


@pytest.fixture(name="page", scope="module")
def fixture_page(visualizer, tmp_path_factory) -> tuple[Board, str]:
    """The page as Chromium rendered it: a screenshot in tests/output, and the DOM once the script has run."""
    address, port = visualizer
    url = f"http://{address}:{port}/"
    OUTPUT.mkdir(exist_ok=True)
    SCREENSHOT.unlink(missing_ok=True)
    shot = chromium(tmp_path_factory.mktemp("chromium"), f"--screenshot={SCREENSHOT}", url)
    assert shot.returncode == 0 and SCREENSHOT.exists(), explain(shot)
    print(f"visualizer screenshot: {SCREENSHOT}")
    dom = chromium(tmp_path_factory.mktemp("chromium"), "--dump-dom", url)
    assert dom.returncode == 0, explain(dom)
    board = Board()
    board.feed(dom.stdout)
    return board, dom.stdout


@needs_chromium
def test_screenshot_is_a_png_of_the_window(page):
    data = SCREENSHOT.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:16]
    assert struct.unpack(">II", data[16:24]) == (WIDTH, HEIGHT)
    # The page's header and an error banner alone make about 21 kB; columns and cards several times that.
    assert len(data) > 30_000, len(data)


@needs_chromium
def test_every_node_is_a_column_with_its_role_availability_and_state(lab, page):
    board, dom = page
    nodes = json_lines(on_manager(lab, "docker node ls --format '{{json .}}'"))
    assert {n["Hostname"] for n in nodes} == set(board.columns), dom[-3000:]
    for node in nodes:
        column = board.columns[node["Hostname"]]
        role = "manager" if node["ManagerStatus"] else "worker"
        expected = {"data-role": role, "data-leader": str(node["ManagerStatus"] == "Leader").lower(),
                    "data-availability": node["Availability"].lower(), "data-state": node["Status"].lower()}
        assert {key: column.get(key) for key in expected} == expected, column
        for word in (node["Hostname"], role, node["Availability"].lower(), node["Status"].lower()):
            assert word in column["text"].split(), (word, column["text"])
        assert ("leader" in column["text"].split()) == (node["ManagerStatus"] == "Leader"), column["text"]
    assert re.search(r'id="refreshed"[^>]*>last refreshed ', dom), "the page says when it last refreshed"


@needs_chromium
def test_every_running_task_of_the_demo_stack_is_a_card_in_its_nodes_column(lab, page):
    board, dom = page
    tasks = json_lines(on_manager(
        lab, "docker stack ps demo --filter desired-state=running --no-trunc --format '{{json .}}'"))
    running = [t for t in tasks if t["CurrentState"].startswith("Running")]
    # The visualizer itself is among them.
    assert {t["Name"].rsplit(".", 1)[0] for t in running} >= {"demo_web", "demo_db", SERVICE}, tasks
    for task in running:
        card = board.cards.get(task["ID"])
        assert card is not None, f"no card for task {task['ID']} ({task['Name']} on {task['Node']})\n{dom[-3000:]}"
        service = task["Name"].rsplit(".", 1)[0]
        assert card["data-service"] == service and service in card["text"], card
        assert card["data-node"] == card["column"] == task["Node"], card
        assert card["data-state"] == "running" and card["data-desired-state"] == "running", card
        assert card["data-image"] == task["Image"].split("@", 1)[0], card


def test_the_live_page_refuses_every_method_but_get_and_head(visualizer):
    address = visualizer[0]
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        for path in ("/", "/api/cluster"):
            status, body = ask(address, method, path)
            assert status == 405, (method, path, status, body)
    assert ask(address, "HEAD", "/")[0] == 200


def test_its_log_lists_engine_calls_and_all_are_gets(lab, visualizer):
    address = visualizer[0]
    # At least one refresh, whatever ran before.
    assert ask(address, "GET", "/api/cluster")[0] == 200
    log = on_manager(lab, f"docker service logs --raw {SERVICE} 2>&1")
    calls = re.findall(r"^engine (\S+) (\S+) -> ", log, re.M)
    assert calls, log[-3000:]
    assert {call[0] for call in calls} == {"GET"}, calls
    assert {call[1].split("?", 1)[0] for call in calls} >= {"/nodes", "/tasks", "/services"}, calls
    assert not re.search(r"^refused ", log, re.M), log[-3000:]
