# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A restart that a failed run left pending (issue 16): the decision, and the module run as Ansible runs it.

The "dockerd" here is a real process (sleep) named by a PID file, so the module reads a real /proc entry; the
interrupted run against a real Engine is molecule/default/tests/test_daemon_config.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import sys

import pytest

from ansible_collections.anchorage.swarm.plugins.module_utils._engine import running_config_action

MODULE = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'plugins', 'modules',
                      'engine_running_config.py')
D1 = [100, 5000]
FILES = {'/etc/docker/daemon.json': 'a', '/etc/drop-in.conf': 'b'}


@pytest.mark.parametrize('record, dockerd, files, expected', [
    (None, None, FILES, ('none', [])),                                    # no dockerd: it starts with the files
    ({'dockerd': D1, 'files': FILES}, None, FILES, ('none', [])),
    (None, D1, FILES, ('record', [])),                                    # first run: record what it read
    ({'dockerd': [100, 4000], 'files': {}}, D1, FILES, ('record', [])),   # PID reused by a newer process
    ({'dockerd': [99, 5000], 'files': {}}, D1, FILES, ('record', [])),    # restarted from outside
    ({'dockerd': D1, 'files': FILES}, D1, FILES, ('none', [])),
    ({'dockerd': D1, 'files': dict(FILES, **{'/etc/docker/daemon.json': 'old'})}, D1, FILES,
     ('restart', ['/etc/docker/daemon.json'])),                           # written, never applied
    ({'dockerd': D1, 'files': {'/etc/docker/daemon.json': 'a'}}, D1, FILES,
     ('restart', ['/etc/drop-in.conf'])),                                 # a file that was absent then
    ({'dockerd': D1, 'files': {'/etc/docker/daemon.json': 'a'}}, D1,
     {'/etc/docker/daemon.json': 'a', '/etc/tls/key.pem': None}, ('none', [])),   # still absent
])
def test_running_config_action(record, dockerd, files, expected):
    assert running_config_action(record, dockerd, files) == expected


def run_module(args, check=False):
    payload = {'ANSIBLE_MODULE_ARGS': dict(args, _ansible_check_mode=check)}
    env = dict(os.environ)
    root = os.path.abspath(os.path.join(os.path.dirname(MODULE), '..', '..', '.collections'))
    env['PYTHONPATH'] = root + os.pathsep + env.get('PYTHONPATH', '')
    proc = subprocess.run([sys.executable, MODULE], input=json.dumps(payload), capture_output=True,
                          text=True, env=env, check=False)
    return json.loads(proc.stdout)


@pytest.fixture
def node(tmp_path):
    """A daemon.json, a PID file naming a live process, and the module's arguments for them."""
    config = tmp_path / 'daemon.json'
    config.write_text('{"debug": false}')
    process = subprocess.Popen(['sleep', '300'])
    pidfile = tmp_path / 'docker.pid'
    pidfile.write_text('%d\n' % process.pid)
    args = {'files': [str(config), str(tmp_path / 'absent.pem')], 'pidfile': str(pidfile),
            'record': str(tmp_path / 'run' / 'anchorage' / 'record.json')}
    yield config, process, pidfile, args
    process.kill()
    process.wait()


def test_a_write_not_applied_is_found_by_the_next_run(node):
    config, process, pidfile, args = node
    first = run_module(args)
    assert first['recorded'] and not first['restart_required'] and not first['changed']
    assert first['dockerd_pid'] == process.pid
    assert oct(os.stat(args['record']).st_mode & 0o777) == '0o600'
    again = run_module(args)
    assert not again['recorded'] and not again['restart_required']

    config.write_text('{"debug": true}')          # the failed run wrote this, and never restarted dockerd
    pending = run_module(args)
    assert pending['restart_required'] and pending['changed_files'] == [str(config)]
    assert not pending['changed']
    assert run_module(args)['restart_required']   # still pending: checking does not forget it

    after_restart = run_module(dict(args, state='started'))
    assert after_restart['recorded'] and after_restart['dockerd_pid'] == process.pid
    assert not run_module(args)['restart_required']


def test_check_mode_reports_and_writes_nothing(node):
    config, process, pidfile, args = node
    assert run_module(args, check=True)['recorded']
    assert not os.path.exists(args['record'])
    run_module(args)
    config.write_text('{"debug": true}')
    assert run_module(args, check=True)['restart_required']
    assert run_module(dict(args, state='started'), check=True)['recorded']
    assert run_module(args)['restart_required']   # check mode recorded nothing


def test_a_dockerd_restarted_from_outside_read_the_files(node):
    config, process, pidfile, args = node
    run_module(args)
    config.write_text('{"debug": true}')
    newer = subprocess.Popen(['sleep', '300'])     # a reboot or an outside restart: another dockerd
    try:
        pidfile.write_text('%d\n' % newer.pid)
        result = run_module(args)
        assert result['recorded'] and not result['restart_required'] and result['dockerd_pid'] == newer.pid
    finally:
        newer.kill()
        newer.wait()


def test_no_dockerd(node):
    config, process, pidfile, args = node
    pidfile.unlink()
    result = run_module(args)
    assert not result['restart_required'] and not result['recorded'] and result['dockerd_pid'] is None
    failed = run_module(dict(args, state='started', timeout=1))
    assert failed['failed'] and 'no dockerd runs after 1 s' in failed['msg']
    assert 'timeout' in run_module(dict(args, timeout=0))['msg']
