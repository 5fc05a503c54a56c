"""daemon.json changes: a rejected one changes nothing; reloadable keys reload, others restart; check mode only reports."""

import json

import pytest

from conftest import apply_role, dockerd_pid, node, recap

NODES = ["engine-d12", "engine-d13", "engine-sysv"]   # Engine 20.10 (key table), 26.1 (dockerd --validate), no systemd
TARGET = ",".join(NODES)


def snapshot():
    state = {}
    for name in NODES:
        host = node(name)
        state[name] = (host.file("/etc/docker/daemon.json").content_string, dockerd_pid(host))
    return state


def answers(name):
    return node(name).run("docker info --format '{{.ServerVersion}}'").rc == 0


@pytest.mark.parametrize("override, key", [
    ({"log-levl": "debug"}, "log-levl"),                  # mistyped key
    ({"max-concurrent-downloads": "four"}, "max-concurrent-downloads"),   # wrong type
])
def test_rejected_config_leaves_file_and_daemon(override, key):
    before = snapshot()
    proc = apply_role(TARGET, {"anchorage_daemon_overrides": override})
    assert proc.returncode != 0
    for name in NODES:
        assert recap(proc.stdout, name)["failed"] == 1
    assert proc.output.count("Cannot configure the Docker daemon") >= len(NODES)
    assert key in proc.output
    assert snapshot() == before
    for name in NODES:
        assert answers(name)


def test_check_mode_reports_without_changing():
    before = snapshot()
    proc = apply_role(TARGET, {"anchorage_daemon_overrides": {"debug": True}}, check=True)
    assert proc.returncode == 0
    for name in NODES:
        assert recap(proc.stdout, name)["changed"] >= 1
    assert '"debug": true' in proc.stdout          # the diff shows the change
    assert snapshot() == before


def test_reloadable_key_reloads_without_restart():
    before = snapshot()
    proc = apply_role(TARGET, {"anchorage_daemon_overrides": {"debug": True}})
    assert proc.returncode == 0
    assert "Reload Docker Engine" in proc.stdout and "Restart Docker Engine" not in proc.stdout
    for name in NODES:
        host = node(name)
        assert json.loads(host.file("/etc/docker/daemon.json").content_string)["debug"] is True
        assert dockerd_pid(host) == before[name][1]
        assert host.check_output("docker info --format '{{.Debug}}'") == "true"


def test_other_key_restarts():
    before = snapshot()
    override = {"debug": True, "log-opts": {"max-size": "20m", "max-file": "3"}}
    proc = apply_role(TARGET, {"anchorage_daemon_overrides": override})
    assert proc.returncode == 0
    assert "Restart Docker Engine" in proc.stdout
    for name in NODES:
        host = node(name)
        assert dockerd_pid(host) != before[name][1]
        assert answers(name)


def test_restart_cut_off_by_a_failed_run_happens_in_the_next_run():
    """Issue 16: a run killed after writing daemon.json, before its handlers, leaves dockerd on the old config.

    The next run writes nothing, yet restarts dockerd: the record of what dockerd read at its start tells.
    """
    before = snapshot()
    debug = {name: node(name).check_output("docker info --format '{{.Debug}}'") for name in NODES}
    assert len(set(debug.values())) == 1
    was = debug[NODES[0]]
    override = {"debug": was != "true", "log-opts": {"max-size": "30m", "max-file": "2"}}   # reload + restart keys
    cut = apply_role(TARGET, {"anchorage_daemon_overrides": override},
                     interrupt_after="Config | Write daemon.json (validated before it is written)")
    assert cut.returncode != 0 and "INTERRUPTED after" in cut.stdout
    assert "Restart Docker Engine" not in cut.stdout and "Reload Docker Engine" not in cut.stdout
    for name in NODES:
        host = node(name)
        assert json.loads(host.file("/etc/docker/daemon.json").content_string)["log-opts"]["max-size"] == "30m"
        assert dockerd_pid(host) == before[name][1]                            # written, not applied
        assert host.check_output("docker info --format '{{.Debug}}'") == was

    check = apply_role(TARGET, {"anchorage_daemon_overrides": override}, check=True)
    assert check.returncode == 0 and "Schedule the restart a failed run left pending" in check.stdout
    for name in NODES:
        assert recap(check.stdout, name)["changed"] >= 1
        assert dockerd_pid(node(name)) == before[name][1]                      # check mode restarts nothing

    resumed = apply_role(TARGET, {"anchorage_daemon_overrides": override})
    assert resumed.returncode == 0 and "Restart Docker Engine" in resumed.stdout
    for name in NODES:
        host = node(name)
        assert dockerd_pid(host) != before[name][1]
        assert host.check_output("docker info --format '{{.Debug}}'") != was      # the new config runs
    again = apply_role(TARGET, {"anchorage_daemon_overrides": override})
    for name in NODES:
        assert recap(again.stdout, name)["changed"] == 0


def test_back_to_the_inventory_config():
    proc = apply_role(TARGET)
    assert proc.returncode == 0
    for name in NODES:
        config = json.loads(node(name).file("/etc/docker/daemon.json").content_string)
        assert "debug" not in config and config["log-opts"]["max-size"] == "10m"
        assert answers(name)
