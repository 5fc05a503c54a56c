# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""docker-machine ssh for the lab: `make ssh M=worker1`, or python3 scripts/machine-ssh.py [-i INVENTORY] NAME [COMMAND...].

Everything comes from the lab's inventory file (written by the machine role): the machine's address, the user,
the lab's key and its known_hosts, which OpenSSH checks strictly (the host keys were read from the machines
through the Engine, never accepted on first use). --print shows the ssh command instead of running it.
Run with python3 (PyYAML: the project venv), not executed: ansible-test allows only `#!/usr/bin/env python` as a
script's shebang, and Debian has no `python` command.
"""

import os
import shlex
import sys

DEFAULT_INVENTORY = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'inventories', 'lab', 'hosts.yml')
USAGE = 'usage: python3 scripts/machine-ssh.py [-i INVENTORY_FILE] [--print] NAME [COMMAND...]'


def fail(message):
    sys.stderr.write(message + '\n')
    sys.exit(2)


def ssh_argv(inventory, name, command):
    """The ssh command line for machine `name` of the inventory (a dict as the machine role writes it)."""
    lab = (inventory or {}).get('all') or {}
    hosts = lab.get('hosts') or {}
    if name not in hosts:
        known = ', '.join(sorted(hosts)) or 'none: run make lab first'
        if not name:
            fail('Which machine? Name one: make ssh M=NAME; the machines: %s.' % known)
        fail("No machine '%s' in this lab; its machines: %s (make ls shows their state)." % (name, known))
    host = hosts[name] or {}
    lab_vars = lab.get('vars') or {}
    key = host.get('ansible_ssh_private_key_file') or lab_vars.get('ansible_ssh_private_key_file')
    common = host.get('ansible_ssh_common_args') or lab_vars.get('ansible_ssh_common_args') or ''
    # As OpenSSH reads them: the inventory quotes a path with spaces.
    known_hosts = [a.split('=', 1)[1] for a in shlex.split(common) if a.startswith('UserKnownHostsFile=')]
    if not key or not known_hosts:
        fail('The inventory has no lab key or known_hosts file (ansible_ssh_private_key_file, '
             'ansible_ssh_common_args): it was not written by the machine role.')
    user = host.get('ansible_user') or lab_vars.get('ansible_user') or 'root'
    argv = ['ssh', '-i', key,
            '-o', 'UserKnownHostsFile=' + known_hosts[0],
            '-o', 'GlobalKnownHostsFile=/dev/null',
            '-o', 'StrictHostKeyChecking=yes',
            '-o', 'IdentitiesOnly=yes']
    if host.get('ansible_port'):
        argv += ['-p', str(host['ansible_port'])]
    return argv + ['%s@%s' % (user, host.get('ansible_host') or name)] + list(command)


def main(args):
    inventory_file, show = DEFAULT_INVENTORY, False
    while args and args[0].startswith('-'):
        if args[0] == '-i' and len(args) > 1:
            inventory_file, args = args[1], args[2:]
        elif args[0] == '--print':
            show, args = True, args[1:]
        else:
            fail(USAGE)
    if not args:
        fail(USAGE)
    try:
        import yaml  # noqa: PLC0415 - after the usage checks: PyYAML comes with Ansible (make venv)
    except ImportError:
        fail('PyYAML is missing: run this through make (make ssh M=NAME), which uses the project venv.')
    try:
        with open(inventory_file) as handle:
            inventory = yaml.safe_load(handle)
    except OSError as exc:
        fail('Cannot read the lab inventory %s (%s): make lab writes it.' % (inventory_file, exc.strerror))
    argv = ssh_argv(inventory, args[0], args[1:])
    if show:
        print(' '.join(shlex.quote(a) for a in argv))
        return
    os.execvp(argv[0], argv)


if __name__ == '__main__':
    main(sys.argv[1:])
