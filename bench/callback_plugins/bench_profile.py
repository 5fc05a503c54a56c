# -*- coding: utf-8 -*-
"""Wall-clock time of every task and role of a playbook run, written as JSON for bench/run.py.

profile_tasks and profile_roles (ansible.posix) print the same figures for a reader; this writes them where a script
can add them up over runs: BENCH_PROFILE_JSON names the file. A task's time runs from its start to the next task's
start (or the end of the run), as in profile_tasks, so it includes every host's share and the wait for the slowest.
"""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: bench_profile
type: aggregate
short_description: per-task and per-role wall-clock times as JSON (make bench)
description:
  - Writes the file named by the BENCH_PROFILE_JSON environment variable at the end of the run.
requirements:
  - enabled with ANSIBLE_CALLBACKS_ENABLED=bench_profile and ANSIBLE_CALLBACK_PLUGINS=bench/callback_plugins
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_profile"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.started = time.monotonic()
        self.play = ""
        self.tasks = []
        self.current = None

    def _close(self):
        if self.current is not None:
            self.current["seconds"] = round(time.monotonic() - self.current.pop("_start"), 3)
            self.tasks.append(self.current)
            self.current = None

    def v2_playbook_on_play_start(self, play):
        self._close()
        self.play = play.get_name()

    def _start(self, task):
        self._close()
        role = task._role.get_name(include_role_fqcn=False) if task._role else ""
        self.current = {"play": self.play, "role": role, "task": task.name or task.action, "action": task.action,
                        "_start": time.monotonic()}

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._start(task)

    def v2_playbook_on_handler_task_start(self, task):
        self._start(task)

    def v2_playbook_on_stats(self, stats):
        self._close()
        path = os.environ.get("BENCH_PROFILE_JSON")
        if path:
            with open(path, "w", encoding="utf-8") as handle:
                json.dump({"seconds": round(time.monotonic() - self.started, 3), "tasks": self.tasks}, handle, indent=1)
