# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collection against another community.docker than .venv's (make community-docker-5: 5.x).

`make community-docker-5` puts community.docker 5.x first on ANSIBLE_COLLECTIONS_PATH and names its folder in
ANCHORAGE_COMMUNITY_DOCKER_PATH. These tests check that it is the one Ansible loads, that every playbook resolves
its modules with it, and run the roles that call community.docker for real on a one-machine lab of their own
(`anchorage-cd5`, COMPAT_SUBNET, default 172.29.81.0/24): the machine role (docker_network, docker_volume,
docker_container, docker_container_exec, docker_container_copy_into, docker_host_info, docker_image_info), the
Engine, the swarm role (docker_swarm, docker_swarm_info, docker_node), a re-run that changes nothing, the machine
lifecycle's ls, and the lab's removal. The rest of `make test` runs against .venv's community.docker 4.x.
"""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LAB = "anchorage-cd5"
MACHINE = "cd5m1"
SUBNET = os.environ.get("COMPAT_SUBNET", "172.29.81.0/24")
COLLECTION_DIR = os.environ.get("ANCHORAGE_COMMUNITY_DOCKER_PATH", "")
EXPECT = os.environ.get("ANCHORAGE_COMMUNITY_DOCKER_EXPECT", "5.")
RECAP = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)

if not COLLECTION_DIR:
    pytest.skip("ANCHORAGE_COMMUNITY_DOCKER_PATH is not set: run make community-docker-5", allow_module_level=True)
if shutil.which("docker") is None or subprocess.run(["docker", "info"], capture_output=True, check=False).returncode:
    pytest.skip("no Docker Engine answers on this controller", allow_module_level=True)

ENV = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
           PYTHONUNBUFFERED="1")


def tool(name):
    here = Path(sys.executable).parent / name
    return str(here) if here.exists() else name


def run(*args, timeout=900):
    started = time.monotonic()
    proc = subprocess.run(list(args), cwd=REPO, env=ENV, capture_output=True, text=True, timeout=timeout, check=False)
    proc.duration = time.monotonic() - started
    return proc


def explain(proc):
    return "rc=%s after %.0fs\n--- stdout (tail)\n%s\n--- stderr (tail)\n%s" % (
        proc.returncode, proc.duration, proc.stdout[-6000:], proc.stderr[-3000:])


def lab_objects():
    label = "label=org.anchorage.lab=%s" % LAB
    found = {}
    for kind in ("container", "volume", "network"):
        args = ["docker", kind, "ls", "-q", "--filter", label] + (["-a"] if kind == "container" else [])
        found[kind] = run(*args, timeout=60).stdout.split()
    return found


class Lab:
    def __init__(self, root):
        self.inventory_dir = root / "inventory"
        self.inventory_dir.mkdir(parents=True)
        shutil.copy(REPO / "inventories/lab/groups.yml", self.inventory_dir / "groups.yml")
        self.vars_file = root / "lab-vars.json"
        self.vars_file.write_text(json.dumps({
            "machine_lab_name": LAB,
            "machine_network_subnet": SUBNET,
            "machine_list": [{"name": MACHINE, "image": "debian12", "groups": ["swarm_managers"]}],
            "machine_state_dir": str(root / "state"),
            "machine_inventory_file": str(self.inventory_dir / "hosts.yml"),
            "machine_docker_config": str(root / "docker-config"),
        }))

    def playbook(self, path, *extra):
        return run(tool("ansible-playbook"), "-i", str(self.inventory_dir), "-e", "@%s" % self.vars_file, path, *extra)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    lab = Lab(tmp_path_factory.mktemp("cd5"))
    if any(lab_objects().values()):  # left over by an interrupted run
        lab.playbook("playbooks/lab-down.yml")
    lab.runs = []
    try:
        for _run in range(2):
            proc = lab.playbook("tests/compat/lab.yml")
            lab.runs.append(proc)
            if proc.returncode:
                break
        yield lab
    finally:
        lab.playbook("playbooks/lab-down.yml")


def test_ansible_loads_the_community_docker_under_test():
    manifests = glob.glob(os.path.join(COLLECTION_DIR, "ansible_collections", "community", "docker", "MANIFEST.json"))
    assert manifests, "no community.docker in %s" % COLLECTION_DIR
    with open(manifests[0], encoding="utf-8") as handle:
        version = json.load(handle)["collection_info"]["version"]
    assert version.startswith(EXPECT), version
    proc = run(tool("ansible-doc"), "-t", "module", "--json", "community.docker.docker_container", timeout=120)
    assert proc.returncode == 0, explain(proc)
    doc = json.loads(proc.stdout)["community.docker.docker_container"]["doc"]
    assert doc["filename"].startswith(os.path.realpath(COLLECTION_DIR)) or doc["filename"].startswith(COLLECTION_DIR), \
        doc["filename"]


@pytest.mark.parametrize("playbook", ["site.yml", "playbooks/lab.yml", "playbooks/lab-down.yml",
                                      "playbooks/machine.yml", "playbooks/upgrade.yml", "playbooks/registry.yml",
                                      "playbooks/demo.yml", "playbooks/images.yml", "playbooks/contexts.yml"])
def test_every_playbook_resolves_its_modules(playbook):
    # --syntax-check loads every task's module or action: a community.docker module that 5.x lacks or renamed fails.
    proc = run(tool("ansible-playbook"), "--syntax-check", "-i", "localhost,", playbook, timeout=300)
    assert proc.returncode == 0, explain(proc)


def test_the_roles_converge_a_machine_with_engine_and_swarm(lab):
    first = lab.runs[0]
    assert first.returncode == 0, explain(first)
    proc = run("docker", "exec", "%s-%s" % (LAB, MACHINE), "docker", "info", "--format",
               "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}", timeout=60)
    assert proc.stdout.split() == ["active", "true"], explain(proc)


def test_a_second_run_changes_nothing(lab):
    assert len(lab.runs) == 2, "the first run failed"
    second = lab.runs[1]
    assert second.returncode == 0, explain(second)
    recap = RECAP.findall(second.stdout)
    assert recap and all(int(counts[2]) == 0 and int(counts[4]) == 0 for counts in recap), explain(second)


def test_machine_ls_reads_the_machine_and_its_swarm_role(lab):
    proc = lab.playbook("playbooks/machine.yml", "-e", "machine_action=ls")
    assert proc.returncode == 0, explain(proc)
    row = [line for line in proc.stdout.splitlines() if re.search(r"\b%s\b" % MACHINE, line) and "running" in line]
    assert row and "manager (leader)" in row[0], explain(proc)


def test_lab_down_removes_everything(lab):
    proc = lab.playbook("playbooks/lab-down.yml")
    assert proc.returncode == 0, explain(proc)
    assert lab_objects() == {"container": [], "volume": [], "network": []}
