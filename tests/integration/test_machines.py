"""The docker-machine commands on the test lab (playbooks/machine.yml: ls, stop, start, rm; scripts/machine-ssh.py),
checked from the outside: `docker ps` on the controller, `docker node ls` on node1, the inventory file.

The lab and the helpers are in conftest.py. rm runs last in this file and lab.yml then makes node2 again, so the
files after this one find the lab whole.
"""

from __future__ import annotations

import json
import sys

from conftest import DOCKER, LAB, MACHINES, NAMES, REPO, SUBNET_PREFIX, explain, lab_objects, recap, run


def machine(lab, action: str, *extra: str):
    return lab.playbook("machine.yml", "-e", f"machine_action={action}", *extra)


def ls(lab, tmp_path, *extra: str) -> dict[str, dict]:
    """The machine list (the fact machine_ls, written as JSON), by name."""
    out = tmp_path / "machine_ls.json"
    out.unlink(missing_ok=True)
    proc = machine(lab, "ls", "-e", f"machine_ls_file={out}", *extra)
    assert proc.returncode == 0, explain(proc)
    return {row["name"]: row for row in json.loads(out.read_text())}


def node_ls(lab) -> dict[str, dict]:
    """`docker node ls` on node1, by hostname."""
    proc = lab.ssh("node1", "docker node ls --format '{{json .}}'")
    assert proc.returncode == 0, explain(proc)
    return {n["Hostname"]: n for n in (json.loads(line) for line in proc.stdout.splitlines() if line.strip())}


def container_status(name: str) -> str:
    return DOCKER.containers.get(f"{LAB}-{name}").attrs["State"]["Status"]


def changed(proc) -> int:
    return recap(proc)["localhost"]["changed"]


def flat(proc) -> str:
    return " ".join(proc.stdout.split())


def test_ls_shows_every_machine_as_the_swarm_sees_it(lab, tmp_path):
    rows = ls(lab, tmp_path)
    nodes = node_ls(lab)
    assert set(rows) == NAMES == set(nodes)
    # The lab made a CA and a client certificate (engine_tls): the Engines are read over TLS.
    via = "tls" if (lab.state_dir / "tls" / "ca.pem").exists() else "exec"
    for index, spec in enumerate(MACHINES):
        row = rows[spec["name"]]
        address = f"{SUBNET_PREFIX}{10 + index}"
        assert (row["state"], row["address"], row["url"], row["via"], row["errors"]) == (
            "running", address, f"tcp://{address}:2376", via, []), row
        assert row["engine_version"] == nodes[spec["name"]]["EngineVersion"]
        version = lab.ssh(spec["name"], "docker version --format '{{.Server.Version}}'").stdout.strip()
        assert row["engine_version"] == version
    assert (rows["node1"]["swarm_role"], rows["node1"]["swarm_leader"]) == ("manager", True)
    assert nodes["node1"]["ManagerStatus"] == "Leader"
    assert (rows["node2"]["swarm_role"], rows["node2"]["swarm_state"]) == ("worker", "ready")
    assert nodes["node2"]["ManagerStatus"] == "" and nodes["node2"]["Status"] == "Ready"


def test_ls_reads_through_docker_exec_without_the_lab_certificate(lab, tmp_path):
    over_tls = ls(lab, tmp_path)
    rows = ls(lab, tmp_path, "-e", f"machine_tls_dir={tmp_path / 'no-tls'}")
    for name in NAMES:
        assert rows[name]["via"] == "exec", rows[name]
        assert (rows[name]["engine_version"], rows[name]["swarm"]) == (
            over_tls[name]["engine_version"], over_tls[name]["swarm"])


def test_ls_prints_the_table_and_ssh_reaches_a_machine_by_name(lab):
    proc = machine(lab, "ls")
    assert proc.returncode == 0, explain(proc)
    assert changed(proc) == 0
    lines = [line.strip(" -'") for line in proc.stdout.split("Show the machines", 1)[1].splitlines()]
    table = [line.split() for line in lines if line.startswith(("NAME ", "node"))]
    assert table[0] == ["NAME", "ACTIVE", "DRIVER", "STATE", "URL", "SWARM", "DOCKER", "VIA", "ERRORS"], proc.stdout
    assert table[1][:7] == ["node1", "-", "docker", "running", f"tcp://{SUBNET_PREFIX}10:2376", "manager", "(leader)"]
    assert table[2][:6] == ["node2", "-", "docker", "running", f"tcp://{SUBNET_PREFIX}11:2376", "worker"]
    ssh = run(sys.executable, str(REPO / "scripts/machine-ssh.py"), "-i", str(lab.inventory), "node2", "hostname")
    assert (ssh.returncode, ssh.stdout.strip()) == (0, "node2"), explain(ssh)
    unknown = run(sys.executable, str(REPO / "scripts/machine-ssh.py"), "-i", str(lab.inventory), "node9")
    assert unknown.returncode == 2 and "its machines: node1, node2" in unknown.stderr


def test_an_unknown_machine_fails_naming_it_and_nothing_changes(lab):
    proc = machine(lab, "stop", "-e", "machine_names=node9,node2")
    assert proc.returncode != 0, explain(proc)
    assert f"machine_names: 'node9' is not a machine of lab {LAB} (its machines: node1, node2)" in flat(proc)
    assert container_status("node2") == "running"


def test_stopping_the_only_manager_is_refused_and_nothing_changes(lab):
    proc = machine(lab, "stop", "-e", "machine_names=node1")
    assert proc.returncode != 0, explain(proc)
    assert "Cannot stop node1: the swarm has 1 manager(s), 1 of them up" in flat(proc)
    assert "machine_force: true" in flat(proc) and "Nothing was changed." in flat(proc)
    assert container_status("node1") == "running"
    assert all(n["Status"] == "Ready" for n in node_ls(lab).values())


def test_check_mode_predicts_the_stop_and_changes_nothing(lab):
    proc = machine(lab, "stop", "-e", "machine_names=node2", "--check")
    assert proc.returncode == 0, explain(proc)
    assert changed(proc) > 0
    assert container_status("node2") == "running"
    assert node_ls(lab)["node2"]["Status"] == "Ready"


def test_stop_and_start_show_in_docker_ps_the_swarm_and_the_list(lab, tmp_path):
    stop = machine(lab, "stop", "-e", "machine_names=node2")
    assert stop.returncode == 0, explain(stop)
    assert changed(stop) > 0
    assert container_status("node2") == "exited"
    assert node_ls(lab)["node2"]["Status"] == "Down"
    row = ls(lab, tmp_path)["node2"]
    assert (row["state"], row["swarm"], row["engine_version"], row["via"]) == ("stopped", "worker (down)", "", "")
    again = machine(lab, "stop", "-e", "machine_names=node2")
    assert again.returncode == 0 and changed(again) == 0, explain(again)

    start = machine(lab, "start", "-e", "machine_names=node2")
    assert start.returncode == 0, explain(start)
    assert changed(start) > 0
    assert container_status("node2") == "running"
    assert node_ls(lab)["node2"]["Status"] == "Ready"
    row = ls(lab, tmp_path)["node2"]
    assert (row["state"], row["swarm"]) == ("running", "worker")
    again = machine(lab, "start")
    assert again.returncode == 0 and changed(again) == 0, explain(again)


def test_rm_removes_the_machine_everywhere_and_lab_makes_it_again(lab, tmp_path):
    contexts = run("docker", "--config", str(lab.docker_config), "context", "ls", "--format", "{{.Name}}")
    had_context = "node2" in contexts.stdout.split()
    proc = machine(lab, "rm", "-e", "machine_names=node2")
    assert proc.returncode == 0, explain(proc)
    assert lab_objects()["containers"] == [f"{LAB}-node1"]
    assert lab_objects()["volumes"] == [f"{LAB}-node1-docker"]
    assert set(node_ls(lab)) == {"node1"}, "the swarm keeps an entry for the removed machine"
    assert set(lab.hosts()) == {"node1"}
    assert "node2," not in (lab.state_dir / "known_hosts").read_text()
    if had_context:
        contexts = run("docker", "--config", str(lab.docker_config), "context", "ls", "--format", "{{.Name}}")
        assert "node2" not in contexts.stdout.split()
    # Still in machine_list: absent until make lab makes it again.
    assert ls(lab, tmp_path)["node2"]["state"] == "absent"
    again = machine(lab, "rm", "-e", "machine_names=node2")
    assert again.returncode == 0 and changed(again) == 0, explain(again)

    remade = lab.playbook("lab.yml")
    assert remade.returncode == 0, explain(remade)
    assert container_status("node2") == "running"
    nodes = node_ls(lab)
    assert set(nodes) == NAMES and nodes["node2"]["Status"] == "Ready" and nodes["node2"]["ManagerStatus"] == ""
    assert set(lab.hosts()) == NAMES
