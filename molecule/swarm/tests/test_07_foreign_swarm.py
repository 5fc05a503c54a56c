"""Fault e: a node is a manager of another swarm. A run stops with an error naming the node and both swarms and
changes nothing; with swarm_force_rejoin it leaves that swarm and joins as the inventory says."""

from conftest import (apply, assert_converged, by_host, cluster_id, cluster_nodes, entry_down, node_addr,
                      node_snapshot, out, plan_lines, swarm_info, wait_for)


def test_node_in_a_foreign_swarm(inventory_vars):
    ours = cluster_id("sw-m1")
    old_id = by_host(cluster_nodes())["sw-w2"][0]["id"]
    out("sw-w2", "docker swarm leave --force && docker swarm init --advertise-addr %s" % node_addr("sw-w2"))
    foreign = cluster_id("sw-w2")
    assert foreign and foreign != ours
    wait_for("the swarm to see sw-w2's entry down", entry_down("sw-w2", old_id))
    before = node_snapshot()

    run = apply()
    assert run.returncode != 0
    errors = [line for line in run.output.splitlines() if "msg:" in line or "Cannot converge" in line]
    message = " ".join(run.output.split())
    assert "sw-w2 belongs to swarm %s, not to swarm %s" % (foreign[:12], ours[:12]) in message, errors
    assert "swarm_force_rejoin" in message
    assert plan_lines(run.output) == []
    # Nothing changed: the cluster's node list, and sw-w2 still the only manager of its own swarm.
    assert node_snapshot() == before
    info = swarm_info("sw-w2")
    assert info["ControlAvailable"] and info["Cluster"]["ID"] == foreign
    assert [n["hostname"] for n in cluster_nodes("sw-w2")] == ["sw-w2"]

    run = apply({"swarm_force_rejoin": True})
    assert run.returncode == 0
    steps = plan_lines(run.output)
    assert steps[0] == "sw-w2 leaves (forced) to join again"
    assert steps[1].startswith("remove the old worker entry %s of sw-w2" % old_id[:12])
    # The inventory has sw-w2 at pause: it joins at pause (the join request's Availability), never active between.
    assert steps[2:] == ["sw-w2 joins as worker", "sw-w2: labels +zone=a"]
    assert_converged(inventory_vars)
    info = swarm_info("sw-w2")
    assert info["LocalNodeState"] == "active" and not info["ControlAvailable"]
    assert cluster_id("sw-m1") == ours
