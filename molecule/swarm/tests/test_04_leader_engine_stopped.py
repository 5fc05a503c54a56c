"""Fault a: the leader's Engine stops. Another manager leads; a re-run (Engine role, then swarm role) brings the
stopped Engine back, and 3 managers are reachable again, with the running service untouched."""

import json

from conftest import (MANAGERS, apply, assert_converged, engine_up, leader, out, plan_lines, recap, stop_engine,
                      wait_for)


def service_state(via):
    """Spec version and running tasks (ID -> node ID) of the service `keep`."""
    version = out(via, "docker service inspect keep --format '{{.Version.Index}}'")
    tasks = [json.loads(line) for line in out(via, "docker service ps keep --filter desired-state=running "
                                                   "--format '{{json .}}' --no-trunc").splitlines()]
    return version, dict((t["ID"], t["Node"]) for t in tasks if t["CurrentState"].startswith("Running"))


def two_running(via):
    """service_state() once both tasks run, else None."""
    state = service_state(via)
    return state if len(state[1]) == 2 else None


def test_leader_engine_stopped(inventory_vars):
    old_leader = leader()
    others = [m for m in MANAGERS if m != old_leader]
    via = others[0]
    out(via, "docker service create --detach --name keep --replicas 2 --no-resolve-image "
             "--constraint node.role==worker anchorage/probe:1 sleep 1d")
    try:
        version, tasks = wait_for("2 running tasks of the service keep", lambda: two_running(via))

        stop_engine(old_leader)
        new_leader = wait_for("a new leader among %s" % others,
                              lambda: next((ldr for ldr in [leader(m) for m in others] if ldr in others), None))

        run = apply({"anchorage_with_engine": True})
        assert run.returncode == 0
        # The Engine role started the Engine; the swarm needed no step.
        assert engine_up(old_leader)
        assert recap(run.output, old_leader)["changed"] >= 1
        assert plan_lines(run.output) == []

        assert_converged(inventory_vars)
        # Raft does not hand leadership back: the leader is still the one elected while the Engine was down.
        assert leader() == new_leader != old_leader
        # The service was not updated, and its tasks kept running where they ran.
        assert service_state(via) == (version, tasks)
    finally:
        out(via, "docker service rm keep")
