"""The plan is the program. A swarm started anew while its first manager is stuck in a join (`pending`) and a worker
still belongs to another swarm: with swarm_force_rejoin, the first manager leaves before the init (an init first is
refused by the Engine), the foreign worker leaves and joins, and what the role carried out is the plan, step for step,
in the plan's order."""

import re

from conftest import NODES, apply, assert_converged, node_addr, out, plan_lines, sh, swarm_info, task_output

# TEST-NET-1 (RFC 5737): no host has this address.
BLACKHOLE = "192.0.2.1"


def carried_out(output):
    """The lines of the role's "Show the steps carried out" task."""
    return [re.sub(r"^\s+- ", "", line).strip("'\"") for line in task_output(output, "Show the steps carried out").splitlines()
            if re.match(r"^\s+- ", line)]


def test_pending_first_manager_and_foreign_worker_rejoin_in_plan_order(inventory_vars):
    for name in NODES:
        sh(name, "docker swarm leave --force")
    # sw-w1 becomes a worker of a swarm of sw-w2's, which sw-w2 then leaves: sw-w1 stays in it, with no manager.
    out("sw-w2", "docker swarm init --advertise-addr %s" % node_addr("sw-w2"))
    token = out("sw-w2", "docker swarm join-token -q worker").strip()
    out("sw-w1", "docker swarm join --token %s %s:2377" % (token, node_addr("sw-w2")))
    out("sw-w2", "docker swarm leave --force")
    # sw-m1 is stuck in a join through a manager that never answers (its packets dropped: a refused connection
    # would end the join at once). The Engine gives up waiting after 20 s and goes on trying: `pending`.
    out("sw-m1", "iptables -I OUTPUT -p tcp -d %s --dport 2377 -j DROP" % BLACKHOLE)
    try:
        sh("sw-m1", "timeout 60 docker swarm join --token %s %s:2377" % (token, BLACKHOLE))
        assert swarm_info("sw-m1")["LocalNodeState"] == "pending"
        assert swarm_info("sw-w1")["LocalNodeState"] == "active"
        converge_in_plan_order(inventory_vars)
    finally:
        sh("sw-m1", "iptables -D OUTPUT -p tcp -d %s --dport 2377 -j DROP" % BLACKHOLE)


def converge_in_plan_order(inventory_vars):
    """Refused without swarm_force_rejoin, nothing changed; with it, the plan carried out as planned."""
    refused = apply()
    assert refused.returncode != 0
    assert "swarm_force_rejoin" in " ".join(refused.output.split())
    # Nothing changed: sw-m1 still in its join (the Engine says `error` once it gives up), sw-w1 still foreign.
    assert swarm_info("sw-m1")["LocalNodeState"] in ("pending", "error")
    assert swarm_info("sw-w1")["RemoteManagers"][0]["Addr"].startswith(node_addr("sw-w2"))

    run = apply({"swarm_force_rejoin": True})
    assert run.returncode == 0, run.output[-3000:]
    planned = plan_lines(run.output)
    assert planned[:3] == ["sw-m1 leaves its old swarm (forced)", "init a new swarm on sw-m1",
                           "sw-w1 leaves (forced) to join again"], planned
    assert planned[3:7] == ["sw-m2 joins as manager", "sw-m3 joins as manager", "sw-w1 joins as worker",
                            "sw-w2 joins as worker"], planned
    # Executed = planned, in order (the node steps of the replan have the same lines as those predicted).
    assert carried_out(run.output) == planned
    assert_converged(inventory_vars)
