"""Fault c: the first manager's machine is destroyed and created again, empty. A re-run (Engine role, then swarm
role) joins it to the existing swarm: same cluster ID, no second swarm, no stale entry. The run is at -vvv, and the
manager join token it used shows nowhere."""

import os

from conftest import (MANAGERS, SCENARIO_DIR, apply, assert_converged, by_host, cluster_id, cluster_nodes, leader,
                      out, plan_lines, run_playbook, sh, wait_for)


def test_rebuilt_first_manager_joins_the_existing_swarm(inventory_vars):
    before = cluster_id("sw-m2")
    old_id = by_host(cluster_nodes())["sw-m1"][0]["id"]
    others = [m for m in MANAGERS if m != "sw-m1"]

    rebuild = run_playbook(os.path.join(SCENARIO_DIR, "recreate.yml"), {"anchorage_target": "sw-m1"})
    assert rebuild.returncode == 0
    # An empty machine: no Engine, no swarm state.
    assert sh("sw-m1", "test -e /var/lib/docker/swarm || command -v dockerd").rc != 0
    # The other two keep the quorum (2 of 3) and a leader, and see sw-m1's old entry go unreachable.
    wait_for("a leader among sw-m2 and sw-m3", lambda: leader("sw-m2") in others)
    wait_for("sw-m1's old entry to be down",
             lambda: [n["state"] for n in cluster_nodes("sw-m2") if n["id"] == old_id] == ["down"])

    run = apply({"anchorage_with_engine": True}, verbosity=3)
    assert run.returncode == 0
    steps = plan_lines(run.output)
    assert steps[0].startswith("remove the old manager entry %s of sw-m1" % old_id[:12])
    assert steps[1:] == ["sw-m1 joins as manager", "sw-m1: labels +zone=a"]
    assert "init a new swarm" not in run.output

    assert_converged(inventory_vars)
    # Same swarm, and the only one: every manager, the rebuilt one too, reports the cluster ID from before.
    assert [cluster_id(m) for m in MANAGERS] == [before] * 3
    entries = by_host(cluster_nodes())
    assert len(entries["sw-m1"]) == 1 and entries["sw-m1"][0]["id"] != old_id
    assert old_id not in [n["id"] for n in cluster_nodes()]

    manager_token = out("sw-m2", "docker swarm join-token -q manager")
    assert manager_token not in run.output and manager_token.split("-")[-1] not in run.output
