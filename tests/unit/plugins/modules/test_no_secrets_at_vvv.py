# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 16: the swarm modules that are given or read secrets, run by ansible-playbook at -vvv --diff, as a user
runs them, against the fake Engine of test_swarm_modules, which quotes the secret back in its refusals (as the real
Engine does for a bad token) and sends the join tokens with GET /swarm. No secret may appear in what Ansible
prints, whether the module succeeds, refuses before contact, or fails on the Engine's answer. The lab run
(tests/integration/test_lab.py) and the stack scenario (molecule/stack/tests/test_10_no_secrets.py) do the same on
real Engines."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import sys

import yaml

# engine is the fake Engine fixture the tests take by name.
from test_swarm_modules import engine  # noqa: F401  # pylint: disable=import-error,unused-import
from test_swarm_modules import (MANAGER_TOKEN, SWARM, VERSION, WORKER_TOKEN, info,  # pylint: disable=import-error
                                manager_info, node)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
UNLOCK_KEY = 'SWMKEY-1-7c37Cc8654o6p38HnroywCi19pllOnGtbdZEgtKxZu8'
SECRETS = {'worker token': WORKER_TOKEN, 'manager token': MANAGER_TOKEN, 'unlock key': UNLOCK_KEY,
           "worker token's secret part": WORKER_TOKEN.rsplit('-', 1)[1],
           "manager token's secret part": MANAGER_TOKEN.rsplit('-', 1)[1]}


def playbook(tmp_path, tasks):
    path = tmp_path / 'play.yml'
    path.write_text(yaml.safe_dump([{'name': 'Secrets at -vvv', 'hosts': 'localhost', 'connection': 'local',
                                     'gather_facts': False, 'tasks': tasks}]))
    env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_CONFIG=os.path.join(ROOT, 'ansible.cfg'))
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-vvv', '--diff',
                           '-i', 'localhost,', '-e', json.dumps({'ansible_python_interpreter': sys.executable}),
                           str(path)], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300, check=False)
    return proc, proc.stdout + proc.stderr


def task(name, module, **args):
    return {'name': name, 'anchorage.swarm.%s' % module: args, 'ignore_errors': True, 'register': 'out'}


def assert_no_secret(output):
    for what, secret in SECRETS.items():
        assert secret not in output, '%s appears in the output of ansible-playbook -vvv --diff' % what


def test_join_and_unlock_refusals_at_vvv_show_no_secret(engine, tmp_path):
    engine.on('GET', '/version', (200, VERSION))
    engine.on('GET', '/info', (200, info()))
    engine.on('POST', '/swarm/join', (400, {'message': 'invalid join token %s' % WORKER_TOKEN}))
    engine.on('POST', '/swarm/unlock', (400, {'message': 'invalid key %s, try %s' % (UNLOCK_KEY, MANAGER_TOKEN)}))
    host = engine.docker_host
    proc, output = playbook(tmp_path, [
        task('Join (the Engine quotes the token)', 'swarm_member', docker_host=host, state='joined',
             join_token=WORKER_TOKEN, remote_addrs=['10.0.0.11:2377']),
        task('Join step (the Engine quotes the token)', 'swarm_step', docker_host=host, join_token=WORKER_TOKEN,
             remote_addrs=['10.0.0.11:2377'],
             step={'seq': 1, 'action': 'join', 'role': 'worker', 'node': 'w1', 'desc': 'w1 joins as worker'}),
        task('Join with a bad manager address (refused before contact)', 'swarm_member', docker_host=host,
             state='joined', join_token=MANAGER_TOKEN, remote_addrs=['10.0.0.300:2377']),
        task('Join in check mode, with its diff', 'swarm_member', docker_host=host, state='joined',
             join_token=WORKER_TOKEN, remote_addrs=['10.0.0.11:2377']) | {'check_mode': True},
    ])
    assert proc.returncode == 0, output[-3000:]
    assert output.count('invalid join token') >= 2, output[-3000:]    # the refusals themselves are shown
    assert_no_secret(output)

    engine.on('GET', '/info', (200, info('locked')))
    proc, output = playbook(tmp_path, [
        task('Unlock (the Engine quotes the key)', 'swarm_member', docker_host=host, state='unlocked',
             unlock_key=UNLOCK_KEY),
        task('Unlock step (the Engine quotes the key)', 'swarm_step', docker_host=host, unlock_key=UNLOCK_KEY,
             step={'seq': 1, 'action': 'unlock', 'node': 'm1', 'desc': 'unlock m1'}),
    ])
    assert proc.returncode == 0 and output.count('invalid key') >= 2, output[-3000:]
    assert_no_secret(output)


def test_a_manager_read_at_vvv_shows_no_join_token(engine, tmp_path):
    engine.on('GET', '/version', (200, VERSION)).on('GET', '/info', (200, manager_info()))
    engine.on('GET', '/swarm', (200, SWARM))
    engine.on('GET', '/nodes', (200, [node('bbb', 'node1', role='manager', leader=True)]))
    proc, output = playbook(tmp_path, [
        task('Read the node (GET /swarm carries the join tokens)', 'swarm_node_info', docker_host=engine.docker_host),
        {'name': 'Show what was registered', 'ansible.builtin.debug': {'var': 'out'}},
    ])
    assert proc.returncode == 0 and 'hostname: node1' in output, output[-3000:]
    assert ('GET', '/swarm') in engine.paths
    assert_no_secret(output)
