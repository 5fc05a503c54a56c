"""Fault b: a worker runs `docker swarm leave`. A re-run joins it back, and its old (down) entry is gone."""

from conftest import apply, assert_converged, by_host, cluster_nodes, entry_down, out, plan_lines, wait_for


def test_worker_that_left_joins_again(inventory_vars):
    old_id = by_host(cluster_nodes())["sw-w1"][0]["id"]
    assert out("sw-w1", "docker swarm leave") == "Node left the swarm."
    assert out("sw-w1", "docker info --format '{{.Swarm.LocalNodeState}}'") == "inactive"
    # Right after the leave the managers still list it as ready for a few seconds; the role takes a ready entry
    # with the same hostname for another machine and stops (see the scenario's notes), so wait as an operator would.
    wait_for("the swarm to see sw-w1 down", entry_down("sw-w1", old_id))

    run = apply()
    assert run.returncode == 0
    steps = plan_lines(run.output)
    assert steps[0].startswith("remove the old worker entry %s of sw-w1" % old_id[:12])
    assert steps[1:] == ["sw-w1 joins as worker", "sw-w1: labels +disk=ssd +zone=b"]

    assert_converged(inventory_vars)
    entries = by_host(cluster_nodes())["sw-w1"]
    assert len(entries) == 1 and entries[0]["id"] != old_id
    assert entries[0]["state"] == "ready"
    assert old_id not in [n["id"] for n in cluster_nodes()]
