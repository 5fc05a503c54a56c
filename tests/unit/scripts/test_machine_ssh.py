# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""scripts/machine-ssh.py (make ssh M=NAME): the ssh command comes from the lab's inventory file, a wrong name gets one
sentence listing the machines."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shlex
import subprocess
import sys

import pytest
import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
SCRIPT = os.path.join(REPO, 'scripts', 'machine-ssh.py')


def inventory(tmp_path, state):
    """An inventory as roles/machine/templates/hosts.yml.j2 writes it (the parts the script reads)."""
    data = {'all': {
        'vars': {
            'ansible_user': 'root',
            'ansible_ssh_private_key_file': '%s/id_ed25519' % state,
            'ansible_ssh_common_args': '-o UserKnownHostsFile=%s -o GlobalKnownHostsFile=/dev/null '
                                       '-o StrictHostKeyChecking=yes -o IdentitiesOnly=yes'
                                       % shlex.quote('%s/known_hosts' % state),
        },
        'hosts': {'manager1': {'ansible_host': '172.29.77.10'}, 'worker1': {'ansible_host': '172.29.77.11'}},
    }}
    path = tmp_path / 'hosts.yml'
    path.write_text(yaml.safe_dump(data))
    return str(path)


def machine_ssh(*args):
    return subprocess.run([sys.executable, SCRIPT] + list(args), capture_output=True, text=True, check=False)


@pytest.mark.parametrize('state', ['/work/.lab/anchorage-lab', '/home/a user/lab state'])
def test_prints_the_strict_ssh_command_of_the_lab(tmp_path, state):
    proc = machine_ssh('-i', inventory(tmp_path, state), '--print', 'worker1', 'docker', 'ps')
    assert proc.returncode == 0, proc.stderr
    assert shlex.split(proc.stdout) == [
        'ssh', '-i', '%s/id_ed25519' % state, '-o', 'UserKnownHostsFile=%s/known_hosts' % state,
        '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'StrictHostKeyChecking=yes', '-o', 'IdentitiesOnly=yes',
        'root@172.29.77.11', 'docker', 'ps']


@pytest.mark.parametrize(('name', 'message'), [
    ('worker9', "No machine 'worker9' in this lab; its machines: manager1, worker1 (make ls shows their state)."),
    ('', 'Which machine? Name one: make ssh M=NAME; the machines: manager1, worker1.'),
])
def test_an_unknown_machine_gets_the_list_of_machines(tmp_path, name, message):
    proc = machine_ssh('-i', inventory(tmp_path, '/s'), name)
    assert (proc.returncode, proc.stderr.strip(), proc.stdout) == (2, message, '')


def test_no_inventory_says_make_lab_writes_it(tmp_path):
    proc = machine_ssh('-i', str(tmp_path / 'absent.yml'), 'worker1')
    assert proc.returncode == 2 and proc.stderr.strip().endswith('make lab writes it.') and 'Traceback' not in proc.stderr
