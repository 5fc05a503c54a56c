"""Fault f: autolock on; the swarm role unlocks a manager whose Engine restarted; then a rolling upgrade
(playbooks/upgrade.yml with upgrade_engine_version empty: a rolling restart) unlocks each restarted manager.
The runs that turn autolock on, unlock and upgrade, all at -vvv, print no unlock key."""

import os
import re

from conftest import (MANAGERS, PROJECT_DIR, apply, assert_converged, out, plan_lines, run_playbook, sh,
                      swarm_info, wait_for)

UPGRADE = os.path.join(PROJECT_DIR, "playbooks", "upgrade.yml")


def autolock(name):
    return out(name, "docker info --format '{{.Swarm.Cluster.Spec.EncryptionConfig.AutoLockManagers}}'") == "true"


def dockerd_started(name):
    """When systemd last started docker.service on `name` (monotonic µs): it changes with each restart."""
    return out(name, "systemctl show --property=ActiveEnterTimestampMonotonic --value docker.service")


def task_hosts(output, task, status):
    """Hosts with `status` (changed, ok, ...) under every occurrence of the task `task` (serial runs repeat it)."""
    hosts = []
    for block in re.findall(r"^TASK \[[^\]]*%s\] \*+\n(.*?)(?=^TASK \[|^PLAY |^RUNNING HANDLER )" % re.escape(task),
                            output, re.S | re.M):
        hosts += re.findall(r"^%s: \[([^\]]+)\]" % status, block, re.M)
    return hosts


def test_autolock_then_rolling_restart_unlocks_the_managers(inventory_vars):
    assert not autolock("sw-m1")
    run = apply({"swarm_autolock": True}, verbosity=3)
    assert run.returncode == 0
    assert plan_lines(run.output) == ["turn on autolock"]
    assert all(autolock(m) for m in MANAGERS)
    key = out("sw-m1", "docker swarm unlock-key -q")
    assert key.startswith("SWMKEY-")
    assert key not in run.output and key.split("-")[-1] not in run.output
    assert "SWMKEY" not in run.output

    # The swarm role unlocks a restarted manager with the key it reads on another one.
    out("sw-m3", "systemctl restart docker.service")
    assert wait_for("sw-m3 to come back locked",
                    lambda: (swarm_info("sw-m3") or {}).get("LocalNodeState") == "locked", timeout=60)
    # swarm_autolock is the inventory's setting, like the rest: keep it on.
    run = apply({"swarm_autolock": True}, verbosity=3)
    assert run.returncode == 0
    assert plan_lines(run.output) == ["unlock sw-m3 (autolock is on and its Engine restarted)"]
    assert swarm_info("sw-m3")["LocalNodeState"] == "active"
    assert "SWMKEY" not in run.output and key.split("-")[-1] not in run.output
    assert_converged(inventory_vars)

    started = dict((m, dockerd_started(m)) for m in MANAGERS)
    # Managers only: they are the ones that lock (the workers' restarts would only add minutes to the scenario).
    upgrade = run_playbook(UPGRADE, {"upgrade_engine_version": ""}, verbosity=3, limit="swarm_managers")
    assert upgrade.returncode == 0
    assert "SWMKEY" not in upgrade.output and key.split("-")[-1] not in upgrade.output
    # Each manager's dockerd was restarted, came back locked and was unlocked by the playbook.
    for m in MANAGERS:
        assert dockerd_started(m) != started[m], "%s was not restarted" % m
    assert sorted(task_hosts(upgrade.output, "Unlock the manager (autolock)", "changed")) == MANAGERS
    for m in MANAGERS:
        info = swarm_info(m)
        assert info["LocalNodeState"] == "active" and info["ControlAvailable"], m
    assert_converged(inventory_vars)
    assert all(autolock(m) for m in MANAGERS)
    # The key did not change.
    assert out("sw-m1", "docker swarm unlock-key -q") == key

    run = apply({"swarm_autolock": False})
    assert run.returncode == 0
    assert plan_lines(run.output) == ["turn off autolock"]
    assert not any(autolock(m) for m in MANAGERS)
    # Without autolock the swarm has no key to give.
    assert sh("sw-m1", "docker swarm unlock-key -q").rc != 0
