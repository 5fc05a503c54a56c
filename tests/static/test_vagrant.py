# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""machine_driver vagrant and molecule/vagrant, checked where there is no VirtualBox (`make vagrant-check`).

The machine role runs as a user runs it (render-vagrant.yml, with machine_vagrant_up false unless a test says
otherwise), into a lab of its own under pytest's tmp dir. The Vagrantfile it writes is syntax-checked by Ruby and
then loaded by Ruby with a stand-in for Vagrant's configuration API (vagrantfile_config.rb), so what is checked is
what the file asks of Vagrant: the machines, their boxes, addresses, SSH ports and the root key. Vagrant itself,
VirtualBox and the VMs are never run here; the README says so.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import threading

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BIN = os.path.dirname(sys.executable)
PLAYBOOK = os.path.join(HERE, 'render-vagrant.yml')
LAB = 'vagrant-check'
DEFAULT_MACHINES = [('manager1', 'swarm_managers'), ('worker1', 'swarm_workers'), ('worker2', 'swarm_workers')]
DEFAULT_NAMES = [machine[0] for machine in DEFAULT_MACHINES]


def ruby():
    found = shutil.which('ruby')
    if not found:
        pytest.fail("ruby is missing: the rendered Vagrantfile is checked with it; install it (e.g. 'apt-get install "
                    "ruby') and run again.", pytrace=False)
    return found


def run_role(tmp, check=True, options=(), **extra):
    """Run the machine role on a lab under `tmp`; the CompletedProcess, with `output` (stdout + stderr)."""
    extra = dict({'machine_lab_name': LAB, 'machine_state_dir': os.path.join(tmp, 'state'),
                  'machine_inventory_file': os.path.join(tmp, 'inventory', 'hosts.yml'),
                  'machine_vagrant_up': False}, **extra)
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, 'ansible.cfg'), ANSIBLE_NOCOLOR='1',
               ANSIBLE_FORCE_COLOR='0')
    proc = subprocess.run([os.path.join(BIN, 'ansible-playbook'), PLAYBOOK, '-e', json.dumps(extra)] + list(options),
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)
    proc.output = proc.stdout + '\n' + proc.stderr
    if check:
        assert proc.returncode == 0, proc.output[-6000:]
    return proc


def vagrant_config(path):
    """What the Vagrantfile at `path` configures: {'top': config, 'machines': {name: machine}}."""
    proc = subprocess.run([ruby(), os.path.join(HERE, 'vagrantfile_config.rb'), path], capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    configs = json.loads(proc.stdout)
    assert [c['version'] for c in configs] == ['2']
    top = configs[0]['config']
    machines = dict((c['args'][0], c['block']) for c in top['children']['vm']['calls'] if c['name'] == 'define')
    return {'top': top, 'machines': machines}


def calls(recorded, name):
    return [c for c in recorded['calls'] if c['name'] == name]


def stub_vagrant(tmp):
    """A `vagrant` that records its arguments and working directory, one line per call, and succeeds."""
    path = os.path.join(tmp, 'vagrant-stub')
    log = os.path.join(tmp, 'vagrant-calls.log')
    with open(path, 'w') as f:
        f.write('#!/bin/sh\necho "$(pwd) $*" >> %s\n' % log)
    os.chmod(path, stat.S_IRWXU)
    return path, log


@pytest.fixture(scope='module')
def default_lab(tmp_path_factory):
    """The default machine_list, rendered twice (the second run must change nothing)."""
    tmp = str(tmp_path_factory.mktemp('default'))
    first = run_role(tmp)
    second = run_role(tmp)
    return {'tmp': tmp, 'state': os.path.join(tmp, 'state'), 'first': first, 'second': second}


@pytest.fixture(scope='module')
def mixed_lab(tmp_path_factory):
    """Debian 12 and 13, another subnet, offset and port base."""
    tmp = str(tmp_path_factory.mktemp('mixed'))
    run_role(tmp, machine_list=[{'name': 'm1', 'image': 'debian12', 'groups': ['swarm_managers']},
                                {'name': 'w1', 'image': 'debian13', 'groups': ['swarm_workers']}],
             machine_network_subnet='192.168.56.0/23', machine_address_offset=300,
             machine_vagrant_ssh_port_base=2300, machine_vagrant_memory=1024, machine_vagrant_cpus=1)
    return {'tmp': tmp, 'state': os.path.join(tmp, 'state')}


def test_the_vagrantfile_is_ruby(default_lab):
    proc = subprocess.run([ruby(), '-c', os.path.join(default_lab['state'], 'Vagrantfile')], capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0 and 'Syntax OK' in proc.stdout, proc.stderr


def test_each_default_machine_has_its_name_address_and_ssh_port(default_lab):
    machines = vagrant_config(os.path.join(default_lab['state'], 'Vagrantfile'))['machines']
    assert sorted(machines) == sorted(DEFAULT_NAMES)
    for index, name in enumerate(DEFAULT_NAMES):
        vm = machines[name]['children']['vm']
        assert vm['set'] == {'box': 'debian/bookworm64', 'hostname': name}
        networks = dict((c['args'][0], c['options']) for c in calls(vm, 'network'))
        assert networks['private_network'] == {'ip': '172.29.77.%d' % (10 + index), 'netmask': '255.255.255.0'}
        assert networks['forwarded_port'] == {'id': 'ssh', 'guest': 22, 'host': 2200 + index, 'host_ip': '127.0.0.1',
                                              'auto_correct': False}
        provider = calls(vm, 'provider')
        assert [p['args'] for p in provider] == [['virtualbox']]
        assert provider[0]['block']['set'] == {'name': '%s-%s' % (LAB, name), 'memory': 2048, 'cpus': 2}


def test_machines_follow_machine_list_boxes_and_addresses(mixed_lab):
    machines = vagrant_config(os.path.join(mixed_lab['state'], 'Vagrantfile'))['machines']
    expected = {'m1': ('debian/bookworm64', '192.168.57.44', 2300), 'w1': ('debian/trixie64', '192.168.57.45', 2301)}
    for name, (box, address, port) in expected.items():
        vm = machines[name]['children']['vm']
        assert vm['set']['box'] == box
        networks = dict((c['args'][0], c['options']) for c in calls(vm, 'network'))
        assert networks['private_network'] == {'ip': address, 'netmask': '255.255.254.0'}
        assert networks['forwarded_port']['host'] == port
        assert calls(vm, 'provider')[0]['block']['set'] == {'name': '%s-%s' % (LAB, name), 'memory': 1024, 'cpus': 1}
    hosts = yaml.safe_load(open(os.path.join(mixed_lab['tmp'], 'inventory', 'hosts.yml')))['all']['hosts']
    assert dict((n, h['ansible_host']) for n, h in hosts.items()) == dict((n, e[1]) for n, e in expected.items())


def test_root_gets_the_lab_key_and_vagrant_no_share(default_lab):
    top = vagrant_config(os.path.join(default_lab['state'], 'Vagrantfile'))['top']
    vm = top['children']['vm']
    with open(os.path.join(default_lab['state'], 'id_ed25519.pub')) as f:
        public_key = f.read().strip()
    # The public half of the key the inventory logs in with.
    derived = subprocess.run(['ssh-keygen', '-y', '-f', os.path.join(default_lab['state'], 'id_ed25519')],
                             capture_output=True, text=True, check=True).stdout.split()[:2]
    assert public_key.split()[:2] == derived
    provisioners = calls(vm, 'provision')
    assert len(provisioners) == 1
    options = provisioners[0]['options']
    assert options['type'] == 'shell' and options['args'] == [public_key]
    script = options['inline']
    assert '/root/.ssh/authorized_keys' in script and 'PermitRootLogin prohibit-password' in script
    syntax = subprocess.run(['bash', '-n'], input=script, capture_output=True, text=True, check=False)
    assert syntax.returncode == 0, syntax.stderr
    assert calls(vm, 'synced_folder') == [{'name': 'synced_folder', 'args': ['.', '/vagrant'],
                                           'options': {'disabled': True}}]
    assert top['children']['ssh']['set'] == {'insert_key': True}


def test_the_inventory_points_at_the_vms(default_lab):
    with open(os.path.join(default_lab['tmp'], 'inventory', 'hosts.yml')) as f:
        inventory = yaml.safe_load(f)['all']
    assert inventory['vars']['ansible_user'] == 'root'
    assert inventory['vars']['ansible_ssh_private_key_file'] == os.path.join(default_lab['state'], 'id_ed25519')
    assert 'UserKnownHostsFile=%s/known_hosts' % default_lab['state'] in inventory['vars']['ansible_ssh_common_args']
    assert 'StrictHostKeyChecking=yes' in inventory['vars']['ansible_ssh_common_args']
    for index, (name, group) in enumerate(DEFAULT_MACHINES):
        address = '172.29.77.%d' % (10 + index)
        assert inventory['hosts'][name] == {'ansible_host': address, 'swarm_advertise_addr': address}
        assert name in inventory['children'][group]['hosts']


def test_rendering_only_runs_nothing_and_changes_nothing_the_second_time(default_lab):
    assert 'machine_vagrant_up is false: the Vagrantfile is at %s/Vagrantfile' % default_lab['state'] in \
        default_lab['first'].output
    assert not os.path.exists(os.path.join(default_lab['state'], '.vagrant'))
    assert not os.path.exists(os.path.join(default_lab['state'], 'known_hosts'))
    assert ' changed=0 ' in default_lab['second'].output, default_lab['second'].output[-3000:]


def test_without_vagrant_the_role_says_where_the_vagrantfile_is(tmp_path):
    proc = run_role(str(tmp_path), check=False, machine_vagrant_up=True,
                    machine_vagrant_executable=str(tmp_path / 'no-vagrant-here'))
    assert proc.returncode != 0
    text = ' '.join(proc.output.split())
    assert 'The Vagrantfile was written to %s/state/Vagrantfile' % tmp_path in text, proc.output[-3000:]
    assert 'install Vagrant' in text and 'VirtualBox' in text
    assert (tmp_path / 'state' / 'Vagrantfile').exists()
    assert not (tmp_path / 'inventory' / 'hosts.yml').exists()


def test_unknown_box_is_refused_before_anything_is_written(tmp_path):
    proc = run_role(str(tmp_path), check=False, machine_vagrant_boxes={'debian12': 'debian/bookworm64'},
                    machine_list=[{'name': 'n1', 'image': 'debian13'}])
    assert proc.returncode != 0
    assert "uses image 'debian13', which is not a key of machine_vagrant_boxes" in ' '.join(proc.output.split())
    assert not (tmp_path / 'state').exists()


class FakeSshd:
    """SSH servers on 127.0.0.1 that only show a host key (all ssh-keyscan needs), one key per port, standing in for
    the VMs' forwarded ports."""

    def __init__(self, tmp, count):
        import paramiko  # noqa: PLC0415 - only this test needs it (a requirement of the project, in .venv)
        self.keys, self.sockets = [], []
        for base in range(42200, 62000, 10):
            try:
                for port in range(base, base + count):
                    sock = socket.socket()
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    sock.bind(('127.0.0.1', port))
                    self.sockets.append(sock)
                break
            except OSError:
                self.close()
        self.base = base
        for index, sock in enumerate(self.sockets):
            path = os.path.join(tmp, 'host-key-%d' % index)
            subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', path], check=True)
            key = paramiko.Ed25519Key.from_private_key_file(path)
            self.keys.append('ssh-ed25519 ' + key.get_base64())
            sock.listen(5)
            threading.Thread(target=self._serve, args=(paramiko, sock, key), daemon=True).start()

    @staticmethod
    def _serve(paramiko, sock, key):
        while True:
            try:
                conn = sock.accept()[0]
            except OSError:
                return
            transport = paramiko.Transport(conn)
            transport.add_server_key(key)
            try:
                transport.start_server(server=paramiko.ServerInterface())
            except (paramiko.SSHException, EOFError, OSError):
                transport.close()

    def close(self):
        for sock in self.sockets:
            sock.close()
        self.sockets = []


def test_up_runs_vagrant_once_and_records_each_new_host_key(tmp_path):
    tmp = str(tmp_path)
    names = DEFAULT_NAMES
    sshd = FakeSshd(tmp, len(names))
    log = os.path.join(tmp, 'vagrant-calls.log')
    stub = tmp_path / 'vagrant-stub'
    # `status` says what `up` left; `up` leaves what Vagrant leaves: an id per machine.
    stub.write_text('\n'.join([
        '#!/bin/sh',
        'echo "$(pwd) $*" >> %s' % log,
        'case "$1" in',
        '  status) for m in %s; do' % ' '.join(names),
        '      if [ -e .vagrant/machines/$m/virtualbox/id ]; then s=running; else s=not_created; fi',
        '      echo "1700000000,$m,state,$s"; done ;;',
        '  up) for m in %s; do mkdir -p .vagrant/machines/$m/virtualbox; echo 1 > .vagrant/machines/$m/virtualbox/id;'
        ' done ;;' % ' '.join(names),
        '  destroy) shift 2; for m in "$@"; do rm -r .vagrant/machines/$m; done ;;',
        'esac', '']))
    stub.chmod(0o700)
    try:
        extra = dict(machine_vagrant_up=True, machine_vagrant_executable=str(stub),
                     machine_vagrant_ssh_port_base=sshd.base)
        first = run_role(tmp, **extra)
        second = run_role(tmp, **extra)
        checked = run_role(tmp, options=['--check', '--diff'], **extra)
        state = str(tmp_path / 'state')
        with open(os.path.join(state, 'known_hosts')) as f:
            known = sorted(f.read().splitlines())
        # worker2 leaves machine_list: its VM goes, with the Vagrantfile that still defines it, and its host key.
        third = run_role(tmp, machine_list=[{'name': n, 'groups': [g]} for n, g in DEFAULT_MACHINES[:2]], **extra)
    finally:
        sshd.close()
    with open(log) as f:
        called = [line.split(' ', 1) for line in f.read().splitlines()]
    assert [call[1] for call in called] == ['--version', 'status --machine-readable', 'up --provider virtualbox',
                                            '--version', 'status --machine-readable',
                                            '--version', 'status --machine-readable',
                                            '--version', 'destroy -f worker2', 'status --machine-readable'], \
        first.output[-3000:] + third.output[-3000:]
    assert all(cwd == state for cwd, args in called if args != '--version')
    assert known == sorted('%s,172.29.77.%d %s' % (name, 10 + i, sshd.keys[i]) for i, name in enumerate(names))
    assert ' changed=0 ' in second.output, second.output[-3000:]
    assert ' changed=0 ' in checked.output, checked.output[-3000:]
    with open(os.path.join(state, 'known_hosts')) as f:
        assert sorted(f.read().splitlines()) == known[:2]
    assert sorted(vagrant_config(os.path.join(state, 'Vagrantfile'))['machines']) == names[:2]
    with open(tmp_path / 'inventory' / 'hosts.yml') as f:
        assert sorted(yaml.safe_load(f)['all']['hosts']) == names[:2]


def test_absent_destroys_the_vms_with_vagrant_then_the_state(tmp_path):
    tmp = str(tmp_path)
    run_role(tmp)
    # What `vagrant up` leaves behind for a machine it made.
    made = tmp_path / 'state' / '.vagrant' / 'machines' / 'manager1' / 'virtualbox'
    made.mkdir(parents=True)
    (made / 'id').write_text('0b9b5a4e-0000-0000-0000-000000000000')
    stub, log = stub_vagrant(tmp)
    proc = run_role(tmp, machine_state='absent', machine_vagrant_up=True, machine_vagrant_executable=stub)
    with open(log) as f:
        called = [line.split(' ', 1) for line in f.read().splitlines()]
    assert [call[1] for call in called] == ['--version', 'destroy -f'], proc.output[-3000:]
    assert called[1][0] == str(tmp_path / 'state')
    assert not (tmp_path / 'state').exists()
    assert not (tmp_path / 'inventory' / 'hosts.yml').exists()


def test_absent_without_vagrant_keeps_the_vms_state(tmp_path):
    tmp = str(tmp_path)
    run_role(tmp)
    made = tmp_path / 'state' / '.vagrant' / 'machines' / 'worker1' / 'virtualbox'
    made.mkdir(parents=True)
    (made / 'id').write_text('0b9b5a4e-0000-0000-0000-000000000000')
    proc = run_role(tmp, check=False, machine_state='absent')
    assert proc.returncode != 0
    assert 'The VMs worker1 of lab %s exist' % LAB in ' '.join(proc.output.split())
    assert (made / 'id').exists() and (tmp_path / 'inventory' / 'hosts.yml').exists()


def test_the_docker_driver_refuses_a_vagrant_lab(tmp_path):
    tmp = str(tmp_path)
    run_role(tmp)
    proc = run_role(tmp, check=False, machine_driver='docker', machine_state='absent')
    assert proc.returncode != 0
    assert 'was made with machine_driver=vagrant' in ' '.join(proc.output.split())
    assert (tmp_path / 'state' / 'Vagrantfile').exists()


def test_molecule_syntax_of_the_vagrant_scenario(tmp_path):
    # The driver refuses every step, even this syntax check that never calls Vagrant, unless a `vagrant` is on PATH:
    # where there is none, a stand-in that only fails is appended to PATH (a real one, earlier on PATH, wins).
    stand_in = tmp_path / 'vagrant'
    stand_in.write_text('#!/bin/sh\necho "make vagrant-check: vagrant is not installed here" >&2\nexit 1\n')
    stand_in.chmod(0o700)
    env = dict(os.environ, PATH='%s:%s:%s' % (BIN, os.environ.get('PATH', ''), tmp_path), ANSIBLE_NOCOLOR='1',
               NO_COLOR='1')
    proc = subprocess.run([os.path.join(BIN, 'molecule'), 'syntax', '-s', 'vagrant'], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    assert 'playbook: %s' % os.path.join(REPO, 'molecule', 'vagrant', 'converge.yml') in output, output[-4000:]
