# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The daemon_config module run as Ansible runs it, on files in a temporary folder.

dockerd is not needed: --validate is exercised with a stand-in script that
behaves like dockerd 23+ (and like 20.10, which lacks the flag), so both
validation paths are covered; the real dockerd is exercised in molecule/default.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import stat
import subprocess
import sys

import pytest

MODULE = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'plugins', 'modules', 'daemon_config.py')

FAKE_DOCKERD_23 = """#!/bin/sh
# Stand-in for dockerd 23+: --help lists --validate; --validate rejects 'no-such-key'.
case "$1" in
  --help) echo '      --validate      Validate daemon configuration and exit'; exit 0;;
  --validate)
    if grep -q no-such-key "$3"; then
      echo "unable to configure the Docker daemon with file $3: the following directives don't match any configuration option: no-such-key" >&2
      exit 1
    fi
    echo 'configuration OK'; exit 0;;
esac
exit 2
"""

FAKE_DOCKERD_20 = """#!/bin/sh
# Stand-in for dockerd 20.10: no --validate flag.
echo '      --userland-proxy   Use userland proxy for loopback traffic (default true)'
"""


def run_module(args, check=False, diff=False):
    payload = {'ANSIBLE_MODULE_ARGS': dict(args, _ansible_check_mode=check, _ansible_diff=diff)}
    env = dict(os.environ)
    root = os.path.abspath(os.path.join(os.path.dirname(MODULE), '..', '..', '.collections'))
    env['PYTHONPATH'] = root + os.pathsep + env.get('PYTHONPATH', '')
    proc = subprocess.run([sys.executable, MODULE], input=json.dumps(payload), capture_output=True,
                          text=True, env=env, check=False)
    return json.loads(proc.stdout)


@pytest.fixture(params=[FAKE_DOCKERD_23, FAKE_DOCKERD_20], ids=['engine23', 'engine20'])
def dockerd(request, tmp_path):
    path = tmp_path / 'dockerd'
    path.write_text(request.param)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_writes_then_reports_no_change(tmp_path, dockerd):
    path = tmp_path / 'docker' / 'daemon.json'
    args = dict(path=str(path), config={'log-level': 'warn', 'live-restore': True}, dockerd_path=dockerd)
    first = run_module(args)
    assert first['changed'] is True
    assert first['restart_required'] is True
    assert json.loads(path.read_text()) == {'log-level': 'warn', 'live-restore': True}
    assert oct(path.stat().st_mode & 0o777) == '0o644'
    second = run_module(args)
    assert second['changed'] is False
    assert second['changed_keys'] == []


def test_reloadable_change_asks_for_reload_only(tmp_path, dockerd):
    path = tmp_path / 'daemon.json'
    path.write_text('{"debug": false, "log-level": "warn"}')
    result = run_module(dict(path=str(path), config={'debug': True, 'log-level': 'warn'}, dockerd_path=dockerd))
    assert result['changed_keys'] == ['debug']
    assert (result['reload_required'], result['restart_required']) == (True, False)


def test_check_mode_predicts_and_writes_nothing(tmp_path, dockerd):
    path = tmp_path / 'daemon.json'
    path.write_text('{"debug": false}\n')
    result = run_module(dict(path=str(path), config={'debug': True}, dockerd_path=dockerd), check=True, diff=True)
    assert result['changed'] is True
    assert '"debug": true' in result['diff']['after']
    assert '"debug": false' in result['diff']['before']
    assert path.read_text() == '{"debug": false}\n'


def test_rejected_config_keeps_the_old_file(tmp_path, dockerd):
    path = tmp_path / 'daemon.json'
    path.write_text('{"debug": false}\n')
    result = run_module(dict(path=str(path), config={'no-such-key': 1}, dockerd_path=dockerd))
    assert result['failed'] is True
    assert result['msg'].startswith('Cannot configure the Docker daemon: ')
    assert 'no-such-key' in result['msg']
    assert str(tmp_path) not in result['msg']
    assert path.read_text() == '{"debug": false}\n'


def test_flag_duplicate_is_refused_before_writing(tmp_path, dockerd):
    path = tmp_path / 'daemon.json'
    result = run_module(dict(path=str(path), config={'hosts': ['unix:///var/run/docker.sock']},
                             flags=['-H fd://'], dockerd_path=dockerd))
    assert result['failed'] is True
    assert "key 'hosts' is also set by a dockerd flag" in result['msg']
    assert not path.exists()


def test_absent_removes_the_file(tmp_path, dockerd):
    path = tmp_path / 'daemon.json'
    path.write_text('{"debug": true}')
    result = run_module(dict(path=str(path), state='absent', dockerd_path=dockerd))
    # dockerd keeps a removed key's value until it restarts.
    assert result['changed'] is True and result['restart_required'] is True
    assert not path.exists()
    assert run_module(dict(path=str(path), state='absent'))['changed'] is False


def test_state_present_requires_config(tmp_path):
    result = run_module(dict(path=str(tmp_path / 'daemon.json')))
    assert result['failed'] is True
    assert 'config' in result['msg']


@pytest.mark.parametrize('version, rejected', [
    ('20.10.24+dfsg1-1+deb12u1', True),   # the table is what 20.10 accepts
    ('5:27.3.1-1~debian.12~bookworm', False),  # 27.3 may know the key: left to dockerd --validate
])
def test_before_install_the_table_follows_the_engine_version(tmp_path, version, rejected):
    path = tmp_path / 'daemon.json'
    args = dict(path=str(path), config={'no-such-key': True}, dockerd_path=str(tmp_path / 'absent' / 'dockerd'),
                engine_version=version)
    result = run_module(args, check=True)
    assert result.get('failed', False) is rejected
    if rejected:
        assert "unknown key 'no-such-key'" in result['msg']
    else:
        assert result['validated_by'] == 'key table, values only'


def test_before_install_a_wrong_value_is_refused_whatever_the_version(tmp_path):
    result = run_module(dict(path=str(tmp_path / 'daemon.json'), config={'live-restore': 'yes'},
                             dockerd_path=str(tmp_path / 'absent'), engine_version='27.3.1'), check=True)
    assert result['failed'] is True
    assert "key 'live-restore' must be a boolean" in result['msg']


@pytest.mark.parametrize(("config", "flags"), [
    ({'hosts': ['unix:///var/run/docker.sock', 'tcp://0.0.0.0:2375']}, []),
    ({'hosts': ['tcp://']}, []),
    ({'hosts': ['tcp://[::]:2376']}, []),
    ({'hosts': ['tcp://0.0.0.0:2376'], 'tlsverify': True}, []),
    ({'hosts': ['tcp://0.0.0.0:2376'], 'tlsverify': False, 'tlscacert': '/c', 'tlscert': '/c', 'tlskey': '/c'}, []),
    ({}, ['-H', 'tcp://0.0.0.0:2376']),
])
def test_tcp_hosts_without_tls_are_refused_before_writing(tmp_path, config, flags):
    path = tmp_path / 'daemon.json'
    path.write_text('{"debug": false}')
    result = run_module({'path': str(path), 'config': config, 'flags': flags, 'validate': False})
    assert result.get('failed') and 'tlsverify: true with tlscacert, tlscert and tlskey' in result['msg']
    assert path.read_text() == '{"debug": false}'


def test_tcp_host_with_tls_verification_is_written(tmp_path):
    path = tmp_path / 'daemon.json'
    config = {'hosts': ['tcp://0.0.0.0:2376'], 'tlsverify': True, 'tlscacert': '/c', 'tlscert': '/c', 'tlskey': '/c'}
    result = run_module({'path': str(path), 'config': config, 'validate': False})
    assert result['changed'] and not result.get('failed')


def test_relative_path_is_refused_by_name(tmp_path):
    result = run_module({'path': 'daemon.json', 'config': {'debug': True}, 'validate': False})
    assert result.get('failed') and "path 'daemon.json' is relative" in result['msg']
    assert 'exception' not in result and 'absolute path' in result['msg']


@pytest.mark.parametrize('sub', ['daemon.json', 'deeper/daemon.json'])
def test_path_under_a_file_is_refused_by_name(tmp_path, sub):
    blocker = tmp_path / 'docker'
    blocker.write_text('not a folder')
    result = run_module({'path': str(blocker / sub), 'config': {'debug': True}, 'validate': False})
    assert result.get('failed') and 'exception' not in result
    assert "'%s' is a file, not a directory" % blocker in result['msg'] and result['msg'].count('path') >= 1


def test_path_that_is_a_directory_is_refused_by_name(tmp_path):
    result = run_module({'path': str(tmp_path), 'config': {'debug': True}, 'validate': False})
    assert result.get('failed') and 'is a directory' in result['msg'] and 'exception' not in result


@pytest.mark.parametrize('text', ['[1, 2]', '"debug"', '3'])
def test_existing_json_that_is_not_an_object_is_replaced(tmp_path, text):
    path = tmp_path / 'daemon.json'
    path.write_text(text)
    result = run_module({'path': str(path), 'config': {'debug': True}, 'validate': False})
    assert result['changed'] and 'exception' not in result
    assert json.loads(path.read_text()) == {'debug': True}


def test_config_not_a_mapping_is_refused_by_name(tmp_path):
    result = run_module({'path': str(tmp_path / 'daemon.json'), 'config': ['debug'], 'validate': False})
    assert result.get('failed') and 'config' in result['msg'] and 'exception' not in result


@pytest.mark.parametrize(('args', 'refused'), [
    (dict(config={'log-drivr': 'json-file'}), None),        # a key newer than the table: validate=false lets it by
    (dict(config={'debug': 'yes please'}), "key 'debug' must be a boolean"),
    (dict(config={'live-restore': 'yes'}, engine_version='27.3.1'), "key 'live-restore' must be a boolean"),
    (dict(config={'no-such-key': True}, engine_version='20.10.24'), None),
    (dict(config={'debug': True}), None),
])
def test_validate_false_runs_no_dockerd_but_checks_the_values_of_known_keys(tmp_path, args, refused):
    # A dockerd that would accept anything: validate=false must not run it, the key table checks the known values.
    dockerd = tmp_path / 'dockerd'
    dockerd.write_text('#!/bin/sh\necho "--validate"\nexit 0\n')
    dockerd.chmod(0o755)
    path = tmp_path / 'daemon.json'
    result = run_module(dict(args, path=str(path), validate=False, dockerd_path=str(dockerd)))
    if refused:
        assert result['failed'] and refused in result['msg'] and not path.exists()
    else:
        assert not result.get('failed') and result['validated_by'] == 'key table, values only' and path.exists()


def test_no_dockerd_yet_checks_the_whole_key_table_of_the_engine_to_come(tmp_path):
    path = tmp_path / 'daemon.json'
    result = run_module({'path': str(path), 'config': {'log-drivr': 'json-file'}, 'engine_version': '20.10.24',
                         'dockerd_path': str(tmp_path / 'no-dockerd')})
    assert result['failed'] and "unknown key 'log-drivr' (did you mean 'log-driver'?)" in result['msg']
    assert not path.exists()
