"""Helpers for the Engine scenario's tests: run the role again with other variables, read node state."""

import json
import os
import subprocess
import sys

import pytest
import testinfra

SCENARIO_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INVENTORY = os.environ.get("MOLECULE_INVENTORY_FILE", "")
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")


def node(name):
    """A testinfra host for a node of the scenario, reached like Ansible reaches it."""
    return testinfra.get_host("ansible://%s" % name, ansible_inventory=INVENTORY)


def apply_role(target, extra_vars=None, tags=None, check=False, interrupt_after=None):
    """Run the role (molecule/default/apply.yml) against `target`; returns the CompletedProcess (+ `output`).

    Output is printed so that a failing test shows what Ansible said. `interrupt_after` names a task: the run is
    killed once it ran on every host (callback_plugins/interrupt_run.py), before any handler.
    """
    cmd = [ANSIBLE_PLAYBOOK, "-i", INVENTORY, os.path.join(SCENARIO_DIR, "apply.yml"),
           "-e", json.dumps(dict({"anchorage_target": target}, **(extra_vars or {})))]
    if tags:
        cmd += ["--tags", tags]
    if check:
        cmd += ["--check", "--diff"]
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    if interrupt_after:
        env.update(ANSIBLE_CALLBACK_PLUGINS=os.path.join(SCENARIO_DIR, "callback_plugins"),
                   ANSIBLE_CALLBACKS_ENABLED="interrupt_run", ANSIBLE_INTERRUPT_AFTER=interrupt_after)
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900, check=False)
    print(" ".join(cmd))
    print(proc.stdout[-20000:])
    print(proc.stderr[-5000:])
    # Ansible 2.19 writes task errors to stderr: search both.
    proc.output = proc.stdout + "\n" + proc.stderr
    return proc


def recap(output, host):
    """The PLAY RECAP counters of `host` as a dict of ints."""
    for line in output.splitlines():
        if line.startswith(host + " ") and "ok=" in line:
            return {k: int(v) for k, v in (f.split("=") for f in line.split(":", 1)[1].split())}
    raise AssertionError("no PLAY RECAP line for %s" % host)


def dockerd_pid(host):
    """PID of the running dockerd (systemd's MainPID, else the PID file)."""
    if host.exists("systemctl") and host.run("systemctl is-system-running").stdout.strip() in ("running", "degraded"):
        return host.check_output("systemctl show --property=MainPID --value docker").strip()
    return host.check_output("cat /var/run/docker.pid").strip()


@pytest.fixture(scope="module")
def inventory_vars():
    """Variables of every host as Ansible sees them (ansible-inventory --list)."""
    out = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-inventory"), "-i", INVENTORY,
                          "--list"], capture_output=True, text=True, check=True).stdout
    return json.loads(out)["_meta"]["hostvars"]
