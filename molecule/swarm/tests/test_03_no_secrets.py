"""A run at -vvv that joins a node prints no join token (the unlock key: test_08)."""

from conftest import apply, assert_converged, by_host, cluster_nodes, entry_down, out, plan_lines, sh, wait_for


def test_vvv_join_shows_no_join_token(inventory_vars):
    old_id = by_host(cluster_nodes())["sw-w2"][0]["id"]
    out("sw-w2", "docker swarm leave")
    wait_for("the swarm to see sw-w2 down", entry_down("sw-w2", old_id))

    run = apply(verbosity=3)
    assert run.returncode == 0
    assert "sw-w2 joins as worker" in plan_lines(run.output)
    assert_converged(inventory_vars)

    # Tokens change only on rotation: the ones read now are the ones the run used.
    worker_token = out("sw-m1", "docker swarm join-token -q worker")
    manager_token = out("sw-m1", "docker swarm join-token -q manager")
    assert worker_token.startswith("SWMTKN-") and manager_token.startswith("SWMTKN-")
    assert worker_token not in run.output
    assert manager_token not in run.output
    # Nor any part of one: a token's secret is its last field.
    for token in (worker_token, manager_token):
        assert token.split("-")[-1] not in run.output
    assert "SWMTKN" not in run.output
    assert sh("sw-w2", "docker info --format '{{.Swarm.LocalNodeState}}'").stdout.strip() == "active"
