"""--check --diff on a changed inventory shows exactly the steps the real run then takes, and changes nothing."""

from conftest import apply, assert_converged, by_host, cluster_nodes, node_snapshot, plan_lines, task_output

CHANGED = {
    "sw-w1": {"swarm_node_labels": {"zone": "c", "disk": "ssd", "rack": "r1"}},
    "sw-m3": {"swarm_node_availability": "drain"},
}
STEPS = ["sw-m3: availability active -> drain", "sw-w1: labels +rack=r1 +zone=c"]


def test_check_diff_then_real_run(inventory_vars):
    before = node_snapshot()

    check = apply({"anchorage_node_overrides": CHANGED}, check=True)
    assert check.returncode == 0
    predicted = plan_lines(check.output)
    assert predicted == STEPS
    diff = task_output(check.output, "Plan the swarm")
    assert "--- before: swarm nodes (now)" in diff and "+++ after: swarm nodes (after this run)" in diff
    assert "-  labels: disk=ssd, zone=b\n+  labels: disk=ssd, rack=r1, zone=c" in diff
    assert "-  availability: active\n+  availability: drain" in diff
    # Nodes the plan leaves alone are not in the diff.
    for name in ("sw-m1", "sw-m2", "sw-w2"):
        assert "%s:" % name not in diff
    assert node_snapshot() == before, "check mode changed the cluster"

    real = apply({"anchorage_node_overrides": CHANGED})
    assert real.returncode == 0
    assert plan_lines(real.output) == predicted
    entries = by_host(cluster_nodes())
    assert entries["sw-w1"][0]["labels"] == {"zone": "c", "disk": "ssd", "rack": "r1"}
    assert entries["sw-m3"][0]["availability"] == "drain"
    # Only those two nodes changed.
    after = dict((n["hostname"], n) for n in node_snapshot())
    for n in before:
        if n["hostname"] not in CHANGED:
            assert after[n["hostname"]] == n

    again = apply({"anchorage_node_overrides": CHANGED})
    assert again.returncode == 0 and plan_lines(again.output) == []

    # Back to the inventory: replace drops the label it no longer lists.
    check = apply({"swarm_labels_mode": "replace"}, check=True)
    assert check.returncode == 0
    assert plan_lines(check.output) == ["sw-m3: availability drain -> active", "sw-w1: labels -rack +zone=b"]
    restore = apply({"swarm_labels_mode": "replace"})
    assert restore.returncode == 0
    assert plan_lines(restore.output) == plan_lines(check.output)
    assert_converged(inventory_vars)
