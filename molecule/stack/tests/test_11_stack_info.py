"""stack_info returns services with their progress, tasks with node and state, and logs as docker service logs."""

import json
import os
import re

from conftest import NODES, SCENARIO_DIR, STATE_DIR, run_playbook


def test_stack_info():
    proc = run_playbook(os.path.join(SCENARIO_DIR, "info.yml"))
    assert proc.returncode == 0
    with open(os.path.join(STATE_DIR, "stack-info.json")) as handle:
        info = json.load(handle)
    by_name = dict((s["name"], s) for s in info["services"])
    assert sorted(by_name) == ["app_migrate", "app_web", "app_worker"]
    assert (by_name["app_web"]["desired"], by_name["app_web"]["running"]) == (3, 3)
    assert by_name["app_web"]["ports"] == ["8000:8000/tcp (host)"]
    running = [t for t in info["tasks"] if t["service"] == "app_web" and t["state"] == "running"]
    assert sorted(t["node"] for t in running) == sorted(NODES)
    assert by_name["app_migrate"]["mode"] == "replicated-job"
    lines = info["logs"]["app_migrate"]
    # Job tasks have no slot: like `docker service logs`, a line names the task by its node ID.
    assert lines and all(re.match(r"^app_migrate\.\w+\.\w{12}@st-(m1|w1|w2) \| migrated$", line) for line in lines), lines
