"""Helpers for the swarm scenario's tests: run the roles again, break nodes, read the cluster's real state.

The test files run in name order (test_01_..., test_02_...): each leaves the cluster as the inventory describes it,
so the next one starts from a clean swarm. Nodes are read through testinfra's docker backend (`docker exec` into the
node containers on this machine), which is what Ansible's connection does too, and fast enough to poll.
"""

import json
import os
import re
import subprocess
import sys
import time

import pytest

SCENARIO_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROJECT_DIR = os.path.dirname(os.path.dirname(SCENARIO_DIR))
sys.path.insert(0, os.path.join(PROJECT_DIR, "molecule", "shared"))
# The tests import these from here too.
from nodes import BIN, INVENTORY, WAIT, node, out, recap, run_playbook, sh, task_output, wait_for  # noqa: E402,F401  # pylint: disable=unused-import

MANAGERS = ["sw-m1", "sw-m2", "sw-m3"]
WORKERS = ["sw-w1", "sw-w2"]
NODES = MANAGERS + WORKERS


def apply(extra_vars=None, **kwargs):
    """Run the roles again (apply.yml: the Engine role when anchorage_with_engine, then the swarm role)."""
    return run_playbook(os.path.join(SCENARIO_DIR, "apply.yml"), extra_vars, **kwargs)


def plan_lines(output):
    """The lines of the role's "Show the plan" task (empty when the plan had no steps)."""
    lines = []
    for line in task_output(output, "Show the plan").splitlines():
        item = re.match(r"^\s+- (.*)$", line)
        if item:
            lines.append(item.group(1))
        elif lines and line.startswith("      "):
            # A long item that YAML folded onto the next line.
            lines[-1] += " " + line.strip()
    return [t[1:-1] if len(t) > 1 and t[0] == t[-1] and t[0] in "'\"" else t for t in lines]


def engine_up(name):
    return sh(name, "docker info --format '{{.ServerVersion}}'").rc == 0


def swarm_info(name):
    """`docker info`'s Swarm section of node `name`, or None when its Engine does not answer."""
    result = sh(name, "docker info --format '{{json .Swarm}}'")
    return json.loads(result.stdout) if result.rc == 0 else None


def cluster_id(name):
    return (((swarm_info(name) or {}).get("Cluster") or {}).get("ID")) or ""


def cluster_nodes(via=None):
    """`docker node inspect` of every node, read on manager `via` (or the first manager that answers).

    Each item is reduced to hostname, id, role, availability, labels, state, leader, reachability, version.
    """
    for name in [via] if via else MANAGERS:
        result = sh(name, "docker node ls -q")
        if result.rc != 0:
            continue
        ids = result.stdout.split()
        details = json.loads(out(name, "docker node inspect %s" % " ".join(ids)))
        return sorted((dict(
            hostname=n["Description"]["Hostname"],
            id=n["ID"],
            role=n["Spec"]["Role"],
            availability=n["Spec"]["Availability"],
            labels=n["Spec"].get("Labels") or {},
            state=n["Status"]["State"],
            leader=bool((n.get("ManagerStatus") or {}).get("Leader")),
            reachability=(n.get("ManagerStatus") or {}).get("Reachability", ""),
            engine=n["Description"]["Engine"]["EngineVersion"],
        ) for n in details), key=lambda n: (n["hostname"], n["id"]))
    raise AssertionError("no manager of %s could list the nodes" % (via or MANAGERS))


def by_host(nodes):
    """{hostname: [entries]}."""
    found = {}
    for n in nodes:
        found.setdefault(n["hostname"], []).append(n)
    return found


def leader(via=None):
    leaders = [n["hostname"] for n in cluster_nodes(via) if n["leader"]]
    return leaders[0] if leaders else None


def entry_down(hostname, node_id, via_candidates=None):
    """A check: the entry `node_id` of `hostname` is down, as a manager with a leader sees it."""
    def check():
        for via in via_candidates or MANAGERS:
            try:
                entries = [n for n in cluster_nodes(via) if n["id"] == node_id]
            except AssertionError:
                continue
            return bool(entries) and entries[0]["state"] == "down"
        return False
    return check


def expected_state(inventory_vars, managers, workers):
    """What the inventory asks for: {hostname: (role, labels, availability)}."""
    want = {}
    for name in managers + workers:
        hv = inventory_vars[name]
        want[name] = ("manager" if name in managers else "worker",
                      dict((str(k), str(v)) for k, v in (hv.get("swarm_node_labels") or {}).items()),
                      hv.get("swarm_node_availability", "active"))
    return want


def converged(inventory_vars, managers=None, workers=None):
    """None when the cluster is what the inventory asks for, else what differs (a string).

    Every inventory node listed once, Ready, with its role, labels and availability; managers Reachable with one
    Leader; no other entries; every manager reports the same cluster ID.
    """
    managers = MANAGERS if managers is None else managers
    workers = WORKERS if workers is None else workers
    want = expected_state(inventory_vars, managers, workers)
    try:
        nodes = cluster_nodes()
    except AssertionError as exc:
        return str(exc)
    entries = by_host(nodes)
    problems = []
    if sorted(entries) != sorted(want):
        problems.append("node list %s, inventory %s" % (sorted(entries), sorted(want)))
    for name, (role, labels, availability) in want.items():
        found = entries.get(name, [])
        if len(found) != 1:
            problems.append("%s listed %d times" % (name, len(found)))
            continue
        n = found[0]
        got = (n["role"], n["labels"], n["availability"])
        if got != (role, labels, availability):
            problems.append("%s is %s, inventory says %s" % (name, got, (role, labels, availability)))
        if n["state"] != "ready":
            problems.append("%s is %s" % (name, n["state"]))
        if role == "manager" and n["reachability"] != "reachable":
            problems.append("%s is %s" % (name, n["reachability"]))
    leaders = [n["hostname"] for n in nodes if n["leader"]]
    if len(leaders) != 1:
        problems.append("leaders: %s" % leaders)
    ids = dict((m, cluster_id(m)) for m in managers)
    if len(set(ids.values())) != 1 or not all(ids.values()):
        problems.append("cluster IDs of the managers: %s" % ids)
    return "; ".join(problems) or None


def assert_converged(inventory_vars, managers=None, workers=None, timeout=WAIT):
    """Wait (a restarted manager takes a few seconds to be Reachable) until the cluster is what the inventory says."""
    deadline = time.time() + timeout
    while True:
        problem = converged(inventory_vars, managers, workers)
        if problem is None:
            return
        if time.time() >= deadline:
            raise AssertionError("the cluster is not what the inventory says after %d s: %s" % (timeout, problem))
        time.sleep(2)


def node_snapshot(via=None):
    """The node list without what moves by itself (heartbeat state is kept: nothing here is expected to flap)."""
    return [dict((k, n[k]) for k in ("hostname", "id", "role", "availability", "labels", "state", "reachability"))
            for n in cluster_nodes(via)]


def stop_engine(name):
    out(name, "systemctl stop docker.service docker.socket")
    assert not engine_up(name)


def node_addr(name):
    """IPv4 address of eth0 (the scenario network) of node `name`."""
    return out(name, "ip -4 -o addr show dev eth0").split()[3].split("/")[0]


@pytest.fixture(scope="session")
def inventory_vars():
    """Variables of every host as Ansible sees them (ansible-inventory --list)."""
    text = subprocess.run([os.path.join(BIN, "ansible-inventory"), "-i", INVENTORY, "--list"],
                          capture_output=True, text=True, check=True).stdout
    return json.loads(text)["_meta"]["hostvars"]
