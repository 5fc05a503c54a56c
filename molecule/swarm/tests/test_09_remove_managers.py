"""Fault d (last: it shrinks the swarm): the inventory drops managers with swarm_remove_absent_nodes.

A removal that would break the quorum (sw-m3's Engine stopped, sw-m2 dropped) is refused and changes nothing.
With every manager up, dropping sw-m2 and sw-m3 demotes, makes leave and removes them one at a time.
The dropped hosts stay Ansible hosts (outside the play) so that each leaves on its own Engine; the smaller manager
groups (swarm_managers_no_m2, swarm_managers_one) are defined in molecule.yml.
"""

import re

from conftest import (WORKERS, apply, assert_converged, cluster_nodes, engine_up, leader, node_snapshot, out,
                      plan_lines, stop_engine, swarm_info, wait_for)


def shrink(group):
    return {"anchorage_target": "%s:swarm_workers" % group, "swarm_managers_group": group,
            "swarm_remove_absent_nodes": True}


def manager_seen(via, hostname, reachability, state):
    def check():
        return [(n["reachability"], n["state"]) for n in cluster_nodes(via)
                if n["hostname"] == hostname] == [(reachability, state)]
    return check


def test_removal_that_breaks_quorum_is_refused(inventory_vars):
    stop_engine("sw-m3")
    try:
        wait_for("a leader among sw-m1 and sw-m2", lambda: leader("sw-m1") in ("sw-m1", "sw-m2"))
        wait_for("sw-m3 seen down", manager_seen("sw-m1", "sw-m3", "unreachable", "down"))
        before = node_snapshot("sw-m1")

        run = apply(shrink("swarm_managers_no_m2"))
        assert run.returncode != 0
        message = " ".join(run.output.split())
        assert "Cannot remove manager sw-m2" in message
        assert "afterwards the swarm would have 2 managers of which 1 are reachable, less than its quorum of 2" \
            in message
        assert plan_lines(run.output) == []
        assert node_snapshot("sw-m1") == before
        assert swarm_info("sw-m2")["LocalNodeState"] == "active" and swarm_info("sw-m2")["ControlAvailable"]
    finally:
        out("sw-m3", "systemctl start docker.service")
    assert engine_up("sw-m3")
    wait_for("sw-m3 reachable again", manager_seen("sw-m1", "sw-m3", "reachable", "ready"))
    assert_converged(inventory_vars)


def test_dropped_managers_are_demoted_and_removed(inventory_vars):
    ids = dict((n["hostname"], n["id"]) for n in cluster_nodes())
    run = apply(shrink("swarm_managers_one"))
    assert run.returncode == 0
    assert plan_lines(run.output) == [
        "remove manager sw-m2 (%s): demote, leave on the node, node rm" % ids["sw-m2"][:12],
        "remove manager sw-m3 (%s): demote, leave on the node, node rm" % ids["sw-m3"][:12],
    ]
    # Each one demoted, then left, then removed, before the next: the parts of the removal waves as they ran.
    ran = re.findall(r"^changed: \[[^\]]*\] => \(item=(remove manager sw-m[23] \([0-9a-z]+\): [^)]*)\)$",
                     run.output, re.M)
    assert [part.split(": ", 1)[1] for part in ran] == [
        "demote", "leave on sw-m2", "wait until it is down, node rm",
        "demote", "leave on sw-m3", "wait until it is down, node rm"], ran
    assert [part.split(" (")[0] for part in ran] == ["remove manager sw-m2"] * 3 + ["remove manager sw-m3"] * 3

    assert_converged(inventory_vars, managers=["sw-m1"], workers=WORKERS)
    names = [n["hostname"] for n in cluster_nodes("sw-m1")]
    assert "sw-m2" not in names and "sw-m3" not in names
    assert leader("sw-m1") == "sw-m1"
    for name in ("sw-m2", "sw-m3"):
        assert swarm_info(name)["LocalNodeState"] == "inactive", name

    again = apply(shrink("swarm_managers_one"))
    assert again.returncode == 0 and plan_lines(again.output) == []
