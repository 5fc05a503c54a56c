"""Helpers the Molecule scenarios' tests share: reach the node containers, run playbooks, read Ansible's output.

Nodes are read through testinfra's docker backend (`docker exec` into the node containers on this machine), which
is what Ansible's connection does too, and fast enough to poll. Playbooks run against the scenario's inventory
(MOLECULE_INVENTORY_FILE, which Molecule sets for the verifier).
"""

import json
import os
import re
import subprocess
import sys
import time

import testinfra

INVENTORY = os.environ.get("MOLECULE_INVENTORY_FILE", "")
BIN = os.path.dirname(sys.executable)
# Slow things (an election, a node seen down, a rollout) are polled this long at most.
WAIT = 90


def node(name):
    """A testinfra host for a node container."""
    return testinfra.get_host("docker://%s" % name)


def sh(name, cmd):
    """Run `cmd` on node `name`; the testinfra CommandResult (rc, stdout, stderr)."""
    return node(name).run(cmd)


def out(name, cmd):
    """stdout of `cmd` on node `name`, which must succeed."""
    result = sh(name, cmd)
    assert result.rc == 0, "%s on %s: rc=%s %s %s" % (cmd, name, result.rc, result.stdout, result.stderr)
    return result.stdout.strip()


def run_playbook(playbook, extra_vars=None, check=False, verbosity=0, limit=None, timeout=900):
    """Run a playbook against the scenario's inventory; the CompletedProcess with `output` (stdout + stderr).

    Output is printed so that a failing test shows what Ansible said.
    """
    cmd = [os.path.join(BIN, "ansible-playbook"), "-i", INVENTORY, playbook]
    if extra_vars:
        cmd += ["-e", json.dumps(extra_vars)]
    if check:
        cmd += ["--check", "--diff"]
    if verbosity:
        cmd.append("-" + "v" * verbosity)
    if limit:
        cmd += ["--limit", limit]
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    started = time.time()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    print("%s  (rc=%d, %.0f s)" % (" ".join(cmd), proc.returncode, time.time() - started))
    print(proc.stdout[-30000:])
    print(proc.stderr[-5000:])
    # Ansible 2.19 writes task errors to stderr: search both.
    proc.output = proc.stdout + "\n" + proc.stderr
    return proc


def recap(output, host):
    """The PLAY RECAP counters of `host`, summed over the recap lines, as a dict of ints."""
    counts = {}
    for line in output.splitlines():
        if line.startswith(host + " ") and "ok=" in line:
            for key, value in (f.split("=") for f in line.split(":", 1)[1].split()):
                counts[key] = counts.get(key, 0) + int(value)
    assert counts, "no PLAY RECAP line for %s" % host
    return counts


def task_output(output, name):
    """The text Ansible printed under the (first) task whose header contains `name`, up to the next header."""
    match = re.search(r"^TASK \[[^\]]*%s\] \*+\n(.*?)(?=^(TASK|RUNNING HANDLER|PLAY) \[|^PLAY RECAP)" % re.escape(name),
                      output, re.S | re.M)
    return match.group(1) if match else ""


def wait_for(what, check, timeout=WAIT, interval=2):
    """Poll `check()` until it returns a truthy value (returned) or `timeout` seconds pass (test fails)."""
    deadline = time.time() + timeout
    last = None
    while True:
        try:
            last = check()
        except AssertionError as exc:
            last, error = None, exc
        else:
            error = None
        if last:
            return last
        if time.time() >= deadline:
            raise AssertionError("waited %d s for %s; last: %s" % (timeout, what, error or last))
        time.sleep(interval)
