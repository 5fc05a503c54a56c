"""Shared by the lab tests: a lab of its own on the local Docker Engine, as `make lab` makes it.

A separate lab (`anchorage-test`, its own subnet, inventory and state under
pytest's tmp dir) is created with playbooks/lab.yml, checked from the outside
(ping over OpenSSH and paramiko, Engine answering on each machine, a second run
that changes nothing) and removed with playbooks/lab-down.yml. Tests run in file
order; the last one removes the lab, and the fixture removes it again whatever
happened.

The lab is made once per session and shared by every test file here; the test
that removes it runs last whatever file it is in (pytest_collection_modifyitems).
"""

from __future__ import annotations

import json
import os
import re
import shutil

import subprocess
import sys
import time

from pathlib import Path

import pytest
import yaml


REPO = Path(__file__).resolve().parents[2]
LAB = "anchorage-test"
LABEL = f"org.anchorage.lab={LAB}"
SUBNET_PREFIX = "172.29.78."
MACHINES = [
    {"name": "node1", "image": "debian12", "groups": ["swarm_managers"]},
    {"name": "node2", "image": "debian13", "groups": ["swarm_workers"]},
]
NAMES = {m["name"] for m in MACHINES}
REGISTRY_LABEL = "anchorage.registry-storage"
RECAP = re.compile(
    r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M
)


def _docker_client():
    try:
        import docker  # noqa: PLC0415 - optional: the tests skip without it

        client = docker.from_env(timeout=10)
        client.ping()
        return client
    except Exception as exc:  # noqa: BLE001 - any failure means "no Engine here"
        pytest.skip(f"no Docker Engine answers on this controller ({exc})", allow_module_level=True)
    return None


DOCKER = _docker_client()


def _tool(name: str) -> str:
    """The Ansible tool next to this Python (the project venv), else on PATH."""
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed", allow_module_level=True)
    return found


ENV = {
    **os.environ,
    "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
    "ANSIBLE_NOCOLOR": "1",
    "ANSIBLE_FORCE_COLOR": "0",
    "PYTHONUNBUFFERED": "1",
}


def run(*args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    started = time.monotonic()
    proc = subprocess.run(  # noqa: S603 - fixed tools, our own arguments
        list(args), cwd=REPO, env=ENV, capture_output=True, text=True, timeout=timeout, check=False
    )
    proc.duration = time.monotonic() - started
    return proc


def recap(proc: subprocess.CompletedProcess) -> dict[str, dict[str, int]]:
    return {
        host: {"ok": int(ok), "changed": int(ch), "unreachable": int(un), "failed": int(fa)}
        for host, ok, ch, un, fa in RECAP.findall(proc.stdout)
    }


def explain(proc: subprocess.CompletedProcess) -> str:
    return (
        f"rc={proc.returncode} after {proc.duration:.0f}s\n"
        f"--- stdout (tail)\n{proc.stdout[-6000:]}\n--- stderr (tail)\n{proc.stderr[-3000:]}"
    )


def lab_objects(label: str = LABEL) -> dict[str, list[str]]:
    return {
        "containers": [c.name for c in DOCKER.containers.list(all=True, filters={"label": label})],
        "volumes": [v.name for v in DOCKER.volumes.list(filters={"label": label})],
        "networks": [n.name for n in DOCKER.networks.list(filters={"label": label})],
    }


class Lab:
    def __init__(self, root: Path):
        self.root = root
        self.inventory_dir = root / "inventory"
        self.inventory = self.inventory_dir / "hosts.yml"
        self.state_dir = root / "state"
        self.vars_file = root / "lab-vars.json"
        # The docker CLI configuration the lab's contexts are written to (not the user's ~/.docker).
        self.docker_config = root / "docker-config"
        self.runs: list[subprocess.CompletedProcess] = []
        self.inventory_texts: list[str] = []

    def prepare(self) -> None:
        self.inventory_dir.mkdir(parents=True, exist_ok=True)
        # The committed group skeleton keeps the folder a valid inventory
        # before the first run writes hosts.yml, as in inventories/lab.
        shutil.copy(REPO / "inventories/lab/groups.yml", self.inventory_dir / "groups.yml")
        self.vars_file.write_text(
            json.dumps(
                {
                    "machine_lab_name": LAB,
                    "machine_network_subnet": SUBNET_PREFIX + "0/24",
                    "machine_list": MACHINES,
                    "machine_state_dir": str(self.state_dir),
                    "machine_inventory_file": str(self.inventory),
                    "machine_docker_config": str(self.docker_config),
                }
            )
        )

    def playbook(self, name: str, *extra: str, timeout: int = 900) -> subprocess.CompletedProcess:
        return run(
            _tool("ansible-playbook"), "-i", str(self.inventory_dir),
            "-e", f"@{self.vars_file}", f"playbooks/{name}", *extra, timeout=timeout,
        )

    def adhoc(self, *args: str) -> subprocess.CompletedProcess:
        return run(_tool("ansible"), "all", "-i", str(self.inventory_dir), *args, timeout=120)

    def hosts(self) -> dict[str, str]:
        data = yaml.safe_load(self.inventory.read_text())
        return {name: h["ansible_host"] for name, h in data["all"]["hosts"].items()}

    def docker(self, context: str, *args: str, timeout: int = 60) -> subprocess.CompletedProcess:
        """The docker CLI on the controller through the machine's context (tcp + TLS)."""
        return run("docker", "--config", str(self.docker_config), "--context", context, *args, timeout=timeout)

    def ssh(self, host: str, command: str) -> subprocess.CompletedProcess:
        return run(
            "ssh", "-i", str(self.state_dir / "id_ed25519"),
            "-o", f"UserKnownHostsFile={self.state_dir / 'known_hosts'}",
            "-o", "GlobalKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=yes",
            "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
            f"root@{self.hosts()[host]}", command, timeout=60,
        )


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    lab = Lab(tmp_path_factory.mktemp("lab"))
    lab.prepare()
    if any(lab_objects().values()):  # left over by an interrupted run
        lab.playbook("lab-down.yml")
    try:
        # The first run, where the key is made, at -vvv: test_private_key_never_printed reads it.
        for verbosity in (("-vvv",), ()):
            proc = lab.playbook("lab.yml", *verbosity)
            lab.runs.append(proc)
            lab.inventory_texts.append(lab.inventory.read_text() if lab.inventory.exists() else "")
            if proc.returncode != 0:
                break
        yield lab
    finally:
        lab.playbook("lab-down.yml")


def pytest_collection_modifyitems(items):
    """Run the lab tests file by file as usual, but the lab's removal last."""
    last = [i for i in items if i.name == "test_lab_down_removes_everything"]
    items[:] = [i for i in items if i not in last] + last
