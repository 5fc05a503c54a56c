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


def test_back_to_the_inventory_config():
    proc = apply_role(TARGET)
    assert proc.returncode == 0
    for name in NODES:
        config = json.loads(node(name).file("/etc/docker/daemon.json").content_string)
        assert "debug" not in config and config["log-opts"]["max-size"] == "10m"
        assert answers(name)
