#!/usr/bin/python
# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: engine_running_config
short_description: Tell whether the running dockerd has read its configuration files as they are now
version_added: 0.16.0
description:
  - Keeps a record, on the node, of the configuration files (daemon.json, the systemd drop-in, the TLS files) as the
    running dockerd read them (their SHA-256 digests), and the PID and start time of that dockerd.
  - O(state=check), at the start of a run, compares the files with the record and returns RV(restart_required) when
    the dockerd of the record still runs and a file changed since. That is a restart a failed run left pending
    (it wrote the file, and failed before its handler restarted dockerd).
  - When no record exists, or another dockerd runs than the recorded one (a reboot, a package upgrade, a restart
    from outside), that dockerd started after every write the role made, and the files as they are now are recorded.
  - O(state=started), from the role's handlers once dockerd was restarted or reloaded, records the files and the
    dockerd that now runs (waiting up to O(timeout) seconds for its PID file).
  - The record is the module's own bookkeeping, not host configuration, and writing it never reports a change.
  - Why this module exists. Ansible's handlers are lost when a run fails before they are flushed, and
    C(force_handlers) restarts dockerd only in the failing run itself; neither community.docker nor the popular
    Engine roles notice a configuration that was written but never applied.
author:
  - Anchorage developers (@anchorage)
extends_documentation_fragment:
  - anchorage.swarm.attributes
attributes:
  check_mode:
    support: full
    details: Reports RV(restart_required) and writes no record.
  diff_mode:
    support: none
  idempotent:
    support: full
options:
  files:
    description:
      - The files dockerd reads at its start. A file that does not exist is recorded as absent.
    type: list
    elements: path
    required: true
  pidfile:
    description: dockerd's PID file (C(pidfile) in daemon.json, C(-p); dockerd's default is C(/var/run/docker.pid)).
    type: path
    default: /var/run/docker.pid
  record:
    description:
      - Where the record is kept. Under C(/run) by default, which a reboot empties, as it restarts dockerd too.
    type: path
    default: /run/anchorage/engine-running-config.json
  state:
    description:
      - V(check) compares the files with the record (and records them when the running dockerd is not the recorded one).
      - V(started) records the files and the running dockerd, after a restart or reload.
    type: str
    choices: [check, started]
    default: check
  timeout:
    description: Seconds O(state=started) waits for a running dockerd in O(pidfile).
    type: int
    default: 60
"""

EXAMPLES = r"""
- name: Find a restart a failed run left pending
  anchorage.swarm.engine_running_config:
    files: [/etc/docker/daemon.json, /etc/systemd/system/docker.service.d/anchorage.conf]
  register: running_config

- name: Restart dockerd for the files it has not read
  ansible.builtin.debug:
    msg: "{{ running_config.changed_files | join(', ') }} changed since dockerd started"
  changed_when: true
  notify: engine_restart
  when: running_config.restart_required
"""

RETURN = r"""
restart_required:
  description: The running dockerd is the recorded one, and RV(changed_files) changed since it read them.
  returned: success
  type: bool
changed_files:
  description: The files that differ from the record.
  returned: success
  type: list
  elements: str
  sample: [/etc/docker/daemon.json]
dockerd_pid:
  description: The PID of the running dockerd, or V(null) when none runs.
  returned: success
  type: int
recorded:
  description: Whether a new record was written (never in check mode).
  returned: success
  type: bool
"""

import hashlib
import json
import os
import tempfile
import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.anchorage.swarm.plugins.module_utils._engine import running_config_action


def file_digest(path):
    """SHA-256 of a file's content, None when it does not exist."""
    try:
        with open(path, 'rb') as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except (IOError, OSError):
        return None


def process_identity(pidfile):
    """[pid, start time in clock ticks] of the live process a PID file names, None when none runs.

    The start time (field 22 of /proc/PID/stat) tells a PID that was reused by another process after a restart.
    """
    try:
        with open(pidfile) as handle:
            pid = int(handle.read().strip())
        with open('/proc/%d/stat' % pid) as handle:
            stat = handle.read()
    except (IOError, OSError, ValueError):
        return None
    # The command name (field 2) is in parentheses and may hold spaces: count the fields after its closing one.
    return [pid, int(stat[stat.rindex(')') + 2:].split()[19])]


class RunningConfig(object):
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.result = dict(changed=False, restart_required=False, changed_files=[], dockerd_pid=None, recorded=False)

    def fail(self, why):
        self.module.fail_json(msg='Cannot read the configuration dockerd runs with: %s' % why, **self.result)

    def current_files(self):
        return dict((path, file_digest(path)) for path in self.params['files'])

    def read_record(self):
        try:
            with open(self.params['record']) as handle:
                return json.load(handle)
        except (IOError, OSError, ValueError):
            # No record, or one a crash cut short: the same as none (the files are recorded anew).
            return None

    def write_record(self, dockerd, files):
        self.result['recorded'] = True
        if self.module.check_mode:
            return
        directory = os.path.dirname(self.params['record'])
        try:
            if not os.path.isdir(directory):
                os.makedirs(directory, 0o700)
            fd, tmp_path = tempfile.mkstemp(prefix='.running-config.', dir=directory)
            with os.fdopen(fd, 'w') as handle:
                json.dump({'dockerd': dockerd, 'files': files}, handle, sort_keys=True)
            os.chmod(tmp_path, 0o600)
            os.rename(tmp_path, self.params['record'])
        except (IOError, OSError) as exc:
            self.fail('record %s cannot be written (%s): give a record path in a writable directory'
                      % (self.params['record'], to_native(exc)))

    def check(self):
        dockerd = process_identity(self.params['pidfile'])
        files = self.current_files()
        action, paths = running_config_action(self.read_record(), dockerd, files)
        self.result.update(dockerd_pid=dockerd[0] if dockerd else None,
                           restart_required=action == 'restart', changed_files=paths)
        if action == 'record':
            self.write_record(dockerd, files)

    def started(self):
        deadline = time.time() + self.params['timeout']
        dockerd = process_identity(self.params['pidfile'])
        while dockerd is None and time.time() < deadline and not self.module.check_mode:
            time.sleep(0.5)
            dockerd = process_identity(self.params['pidfile'])
        if dockerd is None:
            if self.module.check_mode:
                return
            self.fail('no dockerd runs after %d s (PID file %s): see journalctl -u docker or the Engine\'s log'
                      % (self.params['timeout'], self.params['pidfile']))
        self.result['dockerd_pid'] = dockerd[0]
        self.write_record(dockerd, self.current_files())

    def run(self):
        if self.params['timeout'] < 1:
            self.fail('timeout %d is not a number of seconds: give 1 or more' % self.params['timeout'])
        {'check': self.check, 'started': self.started}[self.params['state']]()
        return self.result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            files=dict(type='list', elements='path', required=True),
            pidfile=dict(type='path', default='/var/run/docker.pid'),
            record=dict(type='path', default='/run/anchorage/engine-running-config.json'),
            state=dict(type='str', choices=['check', 'started'], default='check'),
            timeout=dict(type='int', default=60),
        ),
        supports_check_mode=True,
    )
    module.exit_json(**RunningConfig(module).run())


if __name__ == '__main__':
    main()
