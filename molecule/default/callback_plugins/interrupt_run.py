# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Kill ansible-playbook the moment a given task has run on every host: a run cut off (the controller lost, ^C
twice, a CI job cancelled) between a write and the handlers it notified. Test-only, enabled by the scenario's
tests: ANSIBLE_CALLBACKS_ENABLED=interrupt_run ANSIBLE_INTERRUPT_AFTER='<task name>'.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: interrupt_run
type: aggregate
short_description: Kill the run once a named task has run on every host (tests only)
description:
  - When the task after the one named by E(ANSIBLE_INTERRUPT_AFTER) starts, ansible-playbook is killed (SIGKILL),
    so no handler runs and nothing is cleaned up, as when a run is cut off.
options: {}
"""

import os
import signal
import sys

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'interrupt_run'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super(CallbackModule, self).__init__()
        self.after = os.environ.get('ANSIBLE_INTERRUPT_AFTER', '')
        self.armed = False

    def v2_playbook_on_task_start(self, task, is_conditional):
        # The linear strategy starts a task once the one before it ended on every host.
        if self.armed:
            sys.stdout.write('INTERRUPTED after: %s\n' % self.after)
            sys.stdout.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        self.armed = bool(self.after) and task.get_name().endswith(self.after)

    def v2_playbook_on_handler_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)
