"""Helpers for the stack scenario's tests: deploy with the module, read what the manager's docker CLI says.

The test files run in name order; each leaves the test stack `app` deployed from files/compose.yml with its
defaults (as converge left it), so the next one starts from a known stack.
"""

import json
import os
import subprocess
import sys

SCENARIO_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROJECT_DIR = os.path.dirname(os.path.dirname(SCENARIO_DIR))
sys.path.insert(0, os.path.join(PROJECT_DIR, "molecule", "shared"))
# The tests import these from here too.
from nodes import out, run_playbook, sh, wait_for  # noqa: E402,F401

MANAGER = "st-m1"
NODES = ["st-m1", "st-w1", "st-w2"]
REGISTRY = "st-m1:5000"
STACK_DIR = "/srv/anchorage-stack-test"
STATE_DIR = os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", "")


def deploy(check=False, verbosity=0, **extra):
    """Run deploy.yml with the given extra vars (stack_name, stack_files, stack_variables, ...).

    Returns (process, module result dict); the result is what anchorage.swarm.stack returned.
    """
    saved = os.path.join(STATE_DIR, "stack-result.json")
    if os.path.exists(saved):
        os.remove(saved)
    proc = run_playbook(os.path.join(SCENARIO_DIR, "deploy.yml"), extra or None, check=check, verbosity=verbosity)
    result = {}
    if os.path.exists(saved):
        with open(saved) as handle:
            result = json.load(handle)
    return proc, result


def actions(result):
    """{service name: action} of a module result."""
    return dict((s["name"], s["action"]) for s in result.get("services", []))


def services(stack="app"):
    """`docker service inspect` of the stack's services on the manager, by name."""
    ids = out(MANAGER, "docker stack services -q %s" % stack).split()
    if not ids:
        return {}
    return dict((s["Spec"]["Name"], s) for s in json.loads(out(MANAGER, "docker service inspect %s" % " ".join(ids))))


def versions(stack="app"):
    """{service: spec version index}: a deploy that changes nothing leaves these alone."""
    return dict((name, s["Version"]["Index"]) for name, s in services(stack).items())


def service_tasks(service):
    """The tasks of a service that are meant to run, as `docker service ps` lists them."""
    lines = out(MANAGER, "docker service ps --no-trunc --filter desired-state=running "
                         "--format '{{.Name}}|{{.Node}}|{{.CurrentState}}|{{.Image}}|{{.Error}}' %s" % service)
    return [dict(zip(("name", "node", "state", "image", "error"), line.split("|"))) for line in lines.splitlines()]


def running_images(service):
    """The images of a service's tasks that are running now."""
    return sorted(t["image"] for t in service_tasks(service) if t["state"].startswith("Running"))


def stack_objects(kind, stack="app"):
    """Names of the secrets, configs or networks labelled with the stack's namespace."""
    return sorted(out(MANAGER, "docker %s ls --filter label=com.docker.stack.namespace=%s --format '{{.Name}}'"
                      % (kind, stack)).split())


def http_get(host, path, port=8000):
    """GET a path of the test app on a node's host-mode port, from that node; the body, or '' when it fails."""
    result = sh(host, "curl -fsS --max-time 3 http://127.0.0.1:%d%s" % (port, path))
    return result.stdout.strip() if result.rc == 0 else ""


def converged(stack="app"):
    """Whether every replicated service of the stack runs all its replicas (as `docker stack services` counts)."""
    lines = out(MANAGER, "docker stack services --format '{{.Name}}|{{.Mode}}|{{.Replicas}}' %s" % stack).splitlines()
    for line in lines:
        name, mode, replicas = line.split("|")
        if mode == "replicated":
            running, wanted = replicas.split(" ")[0].split("/")
            if running != wanted:
                return False
    return bool(lines)


def restore():
    """Back to the default deploy of the test stack; asserts it converged."""
    proc, result = deploy()
    assert proc.returncode == 0, result.get("msg")
    assert wait_for("the stack to converge", converged)


def put_file(name):
    """Copy files/NAME to the manager's stack folder, for the docker CLI to read."""
    subprocess.run(["docker", "exec", MANAGER, "mkdir", "-p", STACK_DIR], check=True)
    subprocess.run(["docker", "cp", os.path.join(SCENARIO_DIR, "files", name), "%s:%s/%s" % (MANAGER, STACK_DIR, name)],
                   check=True)


def running_task_ids(stack):
    """IDs of the stack's tasks meant to run: a deploy that changes nothing replaces none of them."""
    return sorted(out(MANAGER, "docker stack ps -q --filter desired-state=running %s" % stack).split())
