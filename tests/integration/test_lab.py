"""End to end: the lab as `make lab` makes it (machines, Engine, swarm, registry,
demo stack), checked from the outside. The lab and the helpers are in conftest.py."""

from __future__ import annotations

import json
import re
import stat
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import DOCKER, LAB, MACHINES, NAMES, REGISTRY_LABEL, REPO, SUBNET_PREFIX, _tool, explain, lab_objects, recap, run


def test_private_key_never_printed(lab):
    first = lab.runs[0]
    key_lines = [line for line in (lab.state_dir / "id_ed25519").read_text().splitlines()
                 if line and not line.startswith("-----")]
    assert key_lines, "the lab key is empty"
    output = first.stdout + first.stderr
    assert "-vvv" in " ".join(first.args) and "ESTABLISH" in output, "the first run was not verbose"
    leaked = [line for line in key_lines if line in output]
    assert not leaked, "the lab's private key appears in the output of ansible-playbook -vvv"


def test_lab_is_created(lab):
    first = lab.runs[0]
    assert first.returncode == 0, explain(first)
    hosts = recap(first)
    assert NAMES <= set(hosts), explain(first)
    assert all(h["failed"] == 0 and h["unreachable"] == 0 for h in hosts.values()), explain(first)


def test_machines_are_named_addressed_and_labelled(lab):
    objects = lab_objects()
    assert sorted(objects["containers"]) == [f"{LAB}-node1", f"{LAB}-node2"]
    assert sorted(objects["volumes"]) == [f"{LAB}-node1-docker", f"{LAB}-node2-docker"]
    assert objects["networks"] == [LAB]
    for index, machine in enumerate(MACHINES):
        attrs = DOCKER.containers.get(f"{LAB}-{machine['name']}").attrs
        assert attrs["State"]["Running"]
        assert attrs["Config"]["Hostname"] == machine["name"]
        assert attrs["Config"]["Image"] == f"anchorage/node:{machine['image']}"
        assert attrs["NetworkSettings"]["Networks"][LAB]["IPAddress"] == f"{SUBNET_PREFIX}{10 + index}"
        mounts = {m["Destination"]: m for m in attrs["Mounts"]}
        assert mounts["/var/lib/docker"]["Name"] == f"{LAB}-{machine['name']}-docker"
    assert lab.hosts() == {m["name"]: f"{SUBNET_PREFIX}{10 + i}" for i, m in enumerate(MACHINES)}


def test_key_file_is_private(lab):
    key = lab.state_dir / "id_ed25519"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_ping_over_openssh(lab):
    proc = lab.adhoc("-m", "ansible.builtin.ping")
    assert proc.returncode == 0, explain(proc)
    assert set(re.findall(r"^(\S+) \| SUCCESS", proc.stdout, re.M)) == NAMES, explain(proc)


def test_ping_over_paramiko(lab):
    known_hosts = Path.home() / ".ssh/known_hosts"
    before = known_hosts.read_text() if known_hosts.exists() else ""
    proc = lab.adhoc("-m", "ansible.builtin.ping", "-e", "ansible_connection=paramiko")
    assert proc.returncode == 0, explain(proc)
    assert set(re.findall(r"^(\S+) \| SUCCESS", proc.stdout, re.M)) == NAMES, explain(proc)
    after = known_hosts.read_text() if known_hosts.exists() else ""
    assert after == before, "paramiko recorded lab host keys in ~/.ssh/known_hosts"


def test_engine_runs_on_each_machine(lab):
    if not (REPO / "roles/engine/tasks/main.yml").exists():
        pytest.skip("role anchorage.swarm.engine does not exist yet")
    for name in sorted(NAMES):
        proc = lab.ssh(name, "docker info --format '{{.ServerVersion}} {{.Driver}}'")
        assert proc.returncode == 0, f"{name}: {explain(proc)}"
        version, driver = proc.stdout.split()
        assert re.match(r"\d+\.\d+", version), f"{name}: {proc.stdout}"
        # The volume on /var/lib/docker is what lets the inner Engine use overlay2.
        assert driver == "overlay2", f"{name}: {proc.stdout}"


def test_second_run_changes_nothing(lab):
    assert len(lab.runs) == 2, "the first run failed"
    second = lab.runs[1]
    assert second.returncode == 0, explain(second)
    hosts = recap(second)
    assert NAMES | {"localhost"} <= set(hosts), explain(second)
    changed = {h: r["changed"] for h, r in hosts.items() if r["changed"]}
    assert not changed, f"second run changed {changed}\n{explain(second)}"
    assert lab.inventory_texts[0] == lab.inventory_texts[1]


def node_ls(lab, manager: str = "node1") -> dict[str, dict]:
    """`docker node ls` on a manager, by hostname."""
    proc = lab.ssh(manager, "docker node ls --format '{{json .}}'")
    assert proc.returncode == 0, explain(proc)
    return {n["Hostname"]: n for n in (json.loads(line) for line in proc.stdout.splitlines() if line.strip())}


def node_labels(lab, name: str) -> dict[str, str]:
    proc = lab.ssh("node1", f"docker node inspect {name} --format '{{{{json .Spec.Labels}}}}'")
    assert proc.returncode == 0, explain(proc)
    return json.loads(proc.stdout) or {}


def test_lab_ends_with_a_swarm_and_its_node_table(lab):
    nodes = node_ls(lab)
    assert set(nodes) == NAMES, nodes
    assert nodes["node1"]["ManagerStatus"] == "Leader"
    assert nodes["node2"]["ManagerStatus"] == ""
    assert all(n["Status"] == "Ready" and n["Availability"] == "Active" for n in nodes.values()), nodes
    # The worker reports it is in a swarm, one swarm: its node ID is in the manager's list.
    worker = lab.ssh("node2", "docker info --format '{{.Swarm.LocalNodeState}} {{.Swarm.NodeID}}'")
    state, node_id = worker.stdout.split()
    assert state == "active" and node_id == nodes["node2"]["ID"]
    table = re.findall(r"^\s+- (node\d)\s+(manager|worker)\s+(yes|-)\s+active\s+ready\s", lab.runs[1].stdout, re.M)
    assert sorted(table) == [("node1", "manager", "yes"), ("node2", "worker", "-")], explain(lab.runs[1])


def test_preflight_probed_the_ports_between_the_machines(lab):
    first = lab.runs[0].stdout
    # The first run formed the swarm, so the probe listened on every port of both machines at once.
    block = first.split("Check what Swarm needs on each node", 1)[1].split("TASK [", 1)[0]
    for port in ("7946/tcp", "7946/udp", "4789/udp"):
        assert re.search(rf"{re.escape(port)}: listening", block), block[-3000:]
    heard = re.findall(r"^\s+(\d+/(?:tcp|udp)):\n\s+- (node\d)$", block, re.M)
    assert {("7946/udp", "node1"), ("7946/udp", "node2"), ("4789/udp", "node1"), ("2377/tcp", "node2")} <= set(heard), \
        block[-3000:]
    assert not re.search(r"not tested|not probed|cannot reach", first)
    assert "ingress routing mesh" in first       # this kernel has no IPVS, and the run says so


def test_join_tokens_never_printed(lab):
    first = lab.runs[0]
    output = first.stdout + first.stderr
    assert "joins as worker" in output, "the -vvv run did not join the worker"
    for role in ("worker", "manager"):
        token = lab.ssh("node1", f"docker swarm join-token -q {role}").stdout.strip()
        assert token.startswith("SWMTKN-"), token
        assert token not in output, f"the {role} join token appears in the output of ansible-playbook -vvv"
        # Nor its secret part alone.
        assert token.rsplit("-", 1)[-1] not in output


def test_lab_ends_with_the_demo_stack_serving(lab):
    stacks = lab.ssh("node1", "docker stack ls --format '{{.Name}}'").stdout.split()
    assert {"demo", "registry"} <= set(stacks), stacks
    replicas = lab.ssh("node1", "docker stack services demo --format '{{.Name}} {{.Replicas}}'").stdout.split("\n")
    counts = dict(line.split(" ", 1) for line in replicas if line)
    assert set(counts) == {"demo_db", "demo_redis", "demo_memcached", "demo_web", "demo_visualizer"}, counts
    assert counts["demo_redis"].startswith("3/3") and counts["demo_memcached"].startswith("3/3"), counts
    assert counts["demo_db"].startswith("1/1") and counts["demo_web"].startswith("2/2"), counts
    assert counts["demo_visualizer"].startswith("1/1"), counts
    # The database is pinned to the manager; every image came from the private registry.
    db_node = lab.ssh("node1", "docker service ps demo_db --filter desired-state=running --format '{{.Node}}'")
    assert db_node.stdout.split() == ["node1"]
    images = lab.ssh("node1", "docker service ls --filter label=com.docker.stack.namespace=demo --format '{{.Image}}'")
    assert all(re.match(r"^172\.29\.78\.\d+:5000/anchorage/", image) for image in images.stdout.split()), images.stdout
    # No IPVS here: the run says the port is published in host mode, and each node answers on its own port.
    assert "published in host mode" in lab.runs[0].stdout
    for name, address in lab.hosts().items():
        with urllib.request.urlopen(f"http://{address}:8080/api", timeout=10) as response:
            page = json.load(response)
        assert page["ok"] is True, page
        assert page["web"]["hostname"] == f"web-{name}"
        for backend in ("database", "redis", "memcached"):
            assert page["backends"][backend]["reached"] is True, page


def test_registry_and_database_passwords_and_the_visualizer_token_never_printed(lab):
    output = lab.runs[0].stdout + lab.runs[0].stderr
    for path in ("registry/password", "demo/db_password", "demo/db_root_password", "demo/visualizer_token"):
        secret = (lab.state_dir / path).read_text().strip()
        assert len(secret) >= 16, path
        assert secret not in output, f"{path} appears in the output of ansible-playbook -vvv"
    key = (lab.state_dir / "registry").glob("*.key")
    for key_file in key:
        body = [line for line in key_file.read_text().splitlines() if line and not line.startswith("-----")]
        assert body and not any(line in output for line in body[:-1]), key_file


def test_check_diff_shows_exactly_what_the_run_then_does(lab):
    wanted = json.dumps({"swarm_node_labels": {"zone": "lab"}, "swarm_node_availability": "active"})
    check = lab.playbook("lab.yml", "--tags", "swarm", "--check", "--diff", "-e", wanted)
    assert check.returncode == 0, explain(check)
    assert "+zone=lab" in check.stdout and "swarm nodes (after this run)" in check.stdout, explain(check)
    assert node_labels(lab, "node2") == {}, "check mode changed the labels"
    real = lab.playbook("lab.yml", "--tags", "swarm", "-e", wanted)
    assert real.returncode == 0, explain(real)

    def plan_lines(proc):
        block = proc.stdout.split("Show the plan", 1)[1].split("TASK [", 1)[0]
        return [line.strip("'\"") for line in re.findall(r"^\s+- (.+)$", block, re.M)]

    assert plan_lines(check) == plan_lines(real) == ["node1: labels +zone=lab", "node2: labels +zone=lab"]
    # Merge (the default) keeps the label the registry role put on its storage node.
    assert node_labels(lab, "node1") == {"zone": "lab", REGISTRY_LABEL: "true"}
    assert node_labels(lab, "node2") == {"zone": "lab"}
    # replace drops the labels the inventory no longer lists, the registry's too; the registry role puts it back.
    replace = lab.playbook("lab.yml", "--tags", "swarm", "-e", '{"swarm_labels_mode": "replace"}')
    assert replace.returncode == 0, explain(replace)
    assert node_labels(lab, "node1") == node_labels(lab, "node2") == {}
    registry = lab.playbook("lab.yml", "--tags", "registry")
    assert registry.returncode == 0, explain(registry)
    assert node_labels(lab, "node1") == {REGISTRY_LABEL: "true"}
    # The label lets the scheduler place the waiting task again; it starts within seconds.
    deadline = time.monotonic() + 90
    while True:
        running = lab.ssh("node1", "docker service ps registry_registry --filter desired-state=running "
                                   "--format '{{.Node}} {{.CurrentState}}'")
        if running.stdout.startswith("node1 Running") or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert running.stdout.startswith("node1 Running"), running.stdout


def test_token_rotation_on_request_never_printed(lab):
    before = lab.ssh("node1", "docker swarm join-token -q worker").stdout.strip()
    proc = lab.playbook("lab.yml", "--tags", "swarm", "-vvv", "-e", '{"swarm_rotate_tokens": ["worker"]}')
    assert proc.returncode == 0, explain(proc)
    after = lab.ssh("node1", "docker swarm join-token -q worker").stdout.strip()
    assert after.startswith("SWMTKN-") and after != before
    output = proc.stdout + proc.stderr
    assert before not in output and after not in output, "a join token appears in the output at -vvv"
    assert recap(proc)["node1"]["changed"] > 0


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"machine_list": [{"name": "a"}, {"name": "a"}]},
         "machine_list[1] is invalid: name 'a' is used by more than one"),
        ({"machine_list": [{"name": "Bad_Name"}]},
         "machine_list[0] is invalid: name 'Bad_Name' must be a hostname"),
        ({"machine_list": [{"name": "a", "image": "debian99"}]}, "image 'debian99' is not a key of machine_images"),
        ({"machine_network_subnet": "172.29.79.0/29"}, "machine_network_subnet '172.29.79.0/29' has 6 addresses"),
        ({"machine_network_subnet": "172.29.79.5/24"}, "is not a network address"),
    ],
    ids=["duplicate-name", "invalid-name", "unknown-image", "subnet-too-small", "subnet-host-bits"],
)
def test_bad_input_fails_before_any_change(tmp_path, override, message):
    bad_lab = "anchorage-badinput"
    extra = {
        "machine_lab_name": bad_lab,
        "machine_network_subnet": "172.29.79.0/24",
        "machine_state_dir": str(tmp_path / "state"),
        "machine_inventory_file": str(tmp_path / "inventory/hosts.yml"),
        **override,
    }
    proc = run(
        _tool("ansible-playbook"), "-i", str(REPO / "inventories/lab/groups.yml"),
        "-e", json.dumps(extra), "playbooks/lab.yml", timeout=120,
    )
    assert proc.returncode != 0, explain(proc)
    assert message in " ".join(proc.stdout.split()), explain(proc)
    assert not any(lab_objects(f"org.anchorage.lab={bad_lab}").values())
    assert not (tmp_path / "state").exists()


def test_lab_down_removes_everything(lab):
    proc = lab.playbook("lab-down.yml")
    assert proc.returncode == 0, explain(proc)
    assert lab_objects() == {"containers": [], "volumes": [], "networks": []}
    assert not lab.inventory.exists()
    contexts = run("docker", "--config", str(lab.docker_config), "context", "ls", "--format", "{{.Name}}")
    assert contexts.stdout.split() == ["default"], explain(contexts)
    assert not lab.state_dir.exists()
    # The node images are a cache: they stay.
    for machine in MACHINES:
        DOCKER.images.get(f"anchorage/node:{machine['image']}")
    again = lab.playbook("lab-down.yml")
    assert again.returncode == 0, explain(again)
    assert all(h["changed"] == 0 for h in recap(again).values()), explain(again)
