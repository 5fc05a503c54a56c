#!/usr/bin/python
# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: daemon_config
short_description: Manage a Docker Engine's daemon.json, validated before it is written
version_added: 0.1.0
description:
  - Writes C(daemon.json) from a dictionary, after checking it the way dockerd will.
  - With Engine 23.0 and later the candidate file is checked by C(dockerd --validate --config-file);
    older Engines (Debian 12 ships 20.10) are checked against a table of the keys and value types they accept.
  - A candidate that fails the check is never written; the old file and the running daemon stay as they were.
  - A C(tcp://) listener in C(hosts) or in O(flags) (any spelling, also C(tcp://) without a port and an address
    without a scheme) is refused unless C(tlsverify) is true and C(tlscacert), C(tlscert) and C(tlskey) are given.
  - O(path) must be absolute and its parent a directory (or not exist yet); otherwise the module fails naming O(path).
  - Reports which keys changed and whether a running dockerd picks them up by reload (SIGHUP) or needs a restart,
    so that a role can notify the right handler.
  - Why this module exists. community.docker has no module for the daemon configuration; a templated
    C(daemon.json) with M(ansible.builtin.template) cannot reject a file that would stop dockerd at its next
    start, nor tell reloadable changes from those that need a restart, nor catch a key that a C(dockerd) flag already sets
    (dockerd refuses to start when a setting is made both ways).
author:
  - Anchorage developers (@anchorage)
extends_documentation_fragment:
  - anchorage.swarm.attributes
attributes:
  check_mode:
    support: full
    details: The candidate is validated in check mode too, so check mode predicts a rejection.
  diff_mode:
    support: full
  idempotent:
    support: full
options:
  path:
    description: Path of the configuration file.
    type: path
    default: /etc/docker/daemon.json
  state:
    description:
      - V(present) writes O(config); V(absent) removes the file, so dockerd falls back to its defaults.
    type: str
    choices: [present, absent]
    default: present
  config:
    description:
      - The daemon configuration, keys as in C(daemon.json) (for example V(log-level), V(registry-mirrors)).
      - Required when O(state=present).
    type: dict
  flags:
    description:
      - Command-line flags dockerd is started with (for example V(-H fd://)).
      - A key of O(config) that one of these flags also sets fails the task before anything is written,
        since dockerd refuses to start on such a duplicate.
    type: list
    elements: str
    default: []
  validate:
    description:
      - Check the candidate with C(dockerd --validate) (Engine 23.0 and later) before writing it.
      - Where dockerd has no C(--validate) (or is not installed yet), the candidate is checked against the key table
        instead (unknown keys and wrong value types are refused, as dockerd refuses them at its next start); give
        O(engine_version) (for example V(27.3)) so that only the values of the keys the table knows are checked.
      - V(false) runs no dockerd and lets keys the table does not know through (a key newer than the table); the
        values of the keys it knows are still checked.
    type: bool
    default: true
  dockerd_path:
    description:
      - The dockerd binary used for C(--validate). Looked up on E(PATH) and in C(/usr/sbin) and C(/usr/bin) when not given.
      - A path that does not exist means the Engine is not installed yet (see O(engine_version)).
    type: path
  engine_version:
    description:
      - The version of the Engine that will run this file, for a check made before that Engine is installed
        (no dockerd on the host yet), so that a bad key stops a role before it installs anything, or for a check
        with O(validate=false), which runs no dockerd.
      - Below 23.0 the key table is what dockerd accepts, so unknown keys and wrong values are both refused;
        from 23.0 on, or when the version cannot be read, only the values of keys the table knows are checked,
        and unknown keys wait for C(dockerd --validate) once the Engine is installed.
      - Ignored when a dockerd is found and O(validate=true).
    type: str
  backup:
    description: Keep a timestamped copy of the old file when it is replaced.
    type: bool
    default: false
seealso:
  - name: Docker daemon configuration file
    description: The keys daemon.json accepts and which of them a reload applies.
    link: https://docs.docker.com/reference/cli/dockerd/#daemon-configuration-file
"""

EXAMPLES = r"""
- name: Configure the Engine
  anchorage.swarm.daemon_config:
    config:
      log-driver: json-file
      log-opts:
        max-size: 10m
      live-restore: true
    flags: ["-H fd://", "--containerd=/run/containerd/containerd.sock"]
  register: engine_config

- name: Show how the change reaches dockerd
  ansible.builtin.debug:
    msg: "{{ 'restart' if engine_config.restart_required else 'reload' if engine_config.reload_required else 'nothing' }}"
"""

RETURN = r"""
config:
  description: The configuration now in the file (empty when O(state=absent)).
  returned: success
  type: dict
  sample: {"live-restore": true, "log-driver": "json-file"}
changed_keys:
  description: Keys added, removed or changed.
  returned: success
  type: list
  elements: str
  sample: ["live-restore"]
reload_required:
  description:
    - The changes are applied to a running dockerd by a reload (SIGHUP).
    - Only when every changed key is reloadable and still present; a removed key keeps its value in a running dockerd.
  returned: success
  type: bool
restart_required:
  description: At least one changed key is applied only by restarting dockerd.
  returned: success
  type: bool
validated_by:
  description: What checked the candidate, V(dockerd --validate), V(key table), V(key table, values only) or V(none).
  returned: success
  type: str
  sample: dockerd --validate
backup_file:
  description: Path of the copy of the old file, when O(backup=true) and it was replaced.
  returned: changed and backup
  type: str
"""

import json
import os
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.anchorage.swarm.plugins.module_utils._engine import (
    apply_action,
    changed_keys,
    flag_conflicts,
    render,
    supports_validate,
    table_validation,
    tls_problems,
    MODULE_TLS_HOW,
    validate_config,
    validate_error_message,
)


class DaemonConfigManager(object):
    def __init__(self, module):
        self.module = module
        self.path = module.params['path']
        self.result = dict(changed=False, changed_keys=[], reload_required=False,
                           restart_required=False, validated_by='none', config={})

    def fail(self, why):
        self.module.fail_json(msg='Cannot configure the Docker daemon: %s' % why, **self.result)

    def read_current(self):
        if not os.path.exists(self.path):
            return None
        try:
            with open(self.path) as handle:
                text = handle.read()
        except (IOError, OSError) as exc:
            self.fail('%s cannot be read: %s' % (self.path, to_native(exc)))
        if not text.strip():
            return {}
        try:
            current = json.loads(text)
        except ValueError as exc:
            # A file dockerd itself would reject: replace it, but say so in the diff.
            self.module.warn('%s held invalid JSON (%s); it is replaced.' % (self.path, to_native(exc)))
            return {'__invalid_json__': text}
        if not isinstance(current, dict):
            # Valid JSON but not an object (a list, a string): dockerd rejects it just the same.
            self.module.warn('%s held JSON that is not an object (%s); it is replaced.'
                             % (self.path, type(current).__name__))
            return {'__invalid_json__': text}
        return current

    def check_path(self):
        """Refuse a path daemon.json cannot be written to, before anything is read or written."""
        if not os.path.isabs(self.path):
            self.fail("path '%s' is relative: give the absolute path of daemon.json (default /etc/docker/daemon.json); "
                      "dockerd reads /etc/docker/daemon.json unless --config-file names another" % self.path)
        if os.path.isdir(self.path):
            self.fail("path '%s' is a directory: give the path of the daemon.json file itself, "
                      "e.g. %s" % (self.path, os.path.join(self.path, 'daemon.json')))
        parent = os.path.dirname(self.path)
        while parent and not os.path.exists(parent):
            parent = os.path.dirname(parent) if os.path.dirname(parent) != parent else ''
        if parent and not os.path.isdir(parent):
            self.fail("path '%s' cannot be created: '%s' is a file, not a directory; remove that file or set path "
                      "to a file in a directory" % (self.path, parent))

    def find_dockerd(self):
        """The dockerd to validate with, or None where the Engine is not installed (yet)."""
        path = self.module.params['dockerd_path']
        if path:
            return path if os.access(path, os.X_OK) else None
        return self.module.get_bin_path('dockerd', opt_dirs=['/usr/sbin', '/usr/bin'])

    def validate(self, config):
        flags = self.module.params['flags']
        try:
            render(config)
        except (TypeError, ValueError) as exc:
            self.fail('config cannot be written as JSON (%s): give strings, numbers, booleans, lists and mappings '
                      'only' % to_native(exc))
        listeners = tls_problems(config, flags, False, where="flags / config's hosts", how=MODULE_TLS_HOW)
        if listeners:
            self.fail('; '.join(listeners) + '. The old file was kept and dockerd was not touched.')
        duplicates = flag_conflicts(config, flags)
        if duplicates:
            self.fail("key '%s' is also set by a dockerd flag (%s); set it in one place only, "
                      "dockerd refuses to start on a duplicate" % ("', '".join(duplicates), ' '.join(flags)))
        # validate=false runs no dockerd and lets keys the table does not know through (the way to write a key newer
        # than the table); the values of the keys it knows are still checked, a wrong type stops dockerd just the same.
        dockerd = self.find_dockerd() if self.module.params['validate'] else None
        known_keys_only = self.module.params['validate']
        if dockerd:
            rc, out, err = self.module.run_command([dockerd, '--help'])
            if supports_validate(out + err):
                return self.validate_with_dockerd(dockerd, config)
        elif self.module.params['validate'] and self.module.params['engine_version']:
            known_keys_only = table_validation(self.module.params['engine_version']) == 'all'
        problems = validate_config(config, known_keys_only=known_keys_only)
        self.result['validated_by'] = 'key table' if known_keys_only else 'key table, values only'
        if problems:
            self.fail('; '.join(problems) + '. The old file was kept and dockerd was not touched.')

    def validate_with_dockerd(self, dockerd, config):
        fd, tmp_path = tempfile.mkstemp(prefix='daemon.', suffix='.json', dir=self.module.tmpdir)
        try:
            with os.fdopen(fd, 'w') as handle:
                handle.write(render(config))
            rc, out, err = self.module.run_command([dockerd, '--validate', '--config-file', tmp_path])
        finally:
            os.unlink(tmp_path)
        self.result['validated_by'] = 'dockerd --validate'
        if rc != 0:
            self.fail('%s. The old file was kept and dockerd was not touched.'
                      % validate_error_message(err or out, tmp_path))

    def set_outcome(self, before, after):
        keys = changed_keys(before or {}, after)
        action = apply_action(before, after)
        self.result.update(changed_keys=keys, reload_required=action == 'reload',
                           restart_required=action == 'restart', config=after)
        if self.module._diff:
            self.result['diff'] = dict(
                before=render(before) if before is not None else '',
                after=render(after) if after or before is not None else '',
                before_header=self.path, after_header=self.path)

    def present(self):
        config = self.module.params['config']
        before = self.read_current()
        self.validate(config)
        self.set_outcome(before, config)
        if before is not None and before == config:
            return
        self.result['changed'] = True
        if self.module.check_mode:
            return
        directory = os.path.dirname(self.path)
        if not os.path.isdir(directory):
            os.makedirs(directory, 0o755)
        if self.module.params['backup'] and before is not None:
            self.result['backup_file'] = self.module.backup_local(self.path)
        fd, tmp_path = tempfile.mkstemp(prefix='.daemon.', dir=directory)
        with os.fdopen(fd, 'w') as handle:
            handle.write(render(config))
        os.chmod(tmp_path, 0o644)
        self.module.atomic_move(tmp_path, self.path)

    def absent(self):
        before = self.read_current()
        if before is None:
            return
        self.set_outcome(before, {})
        self.result['changed'] = True
        if self.module.check_mode:
            return
        if self.module.params['backup']:
            self.result['backup_file'] = self.module.backup_local(self.path)
        os.unlink(self.path)

    def run(self):
        self.check_path()
        {'present': self.present, 'absent': self.absent}[self.module.params['state']]()
        return self.result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type='path', default='/etc/docker/daemon.json'),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            config=dict(type='dict'),
            flags=dict(type='list', elements='str', default=[]),
            validate=dict(type='bool', default=True),
            dockerd_path=dict(type='path'),
            engine_version=dict(type='str'),
            backup=dict(type='bool', default=False),
        ),
        required_if=[('state', 'present', ['config'])],
        supports_check_mode=True,
    )
    module.exit_json(**DaemonConfigManager(module).run())


if __name__ == '__main__':
    main()
