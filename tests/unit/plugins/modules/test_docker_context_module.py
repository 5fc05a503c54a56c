# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The docker_context module and scripts/machine-env.py, judged by the real docker CLI.

The module runs as Ansible runs it, on a docker configuration folder in a
temporary directory; what it wrote is then read back by `docker --config TMP
context ls/inspect/show` and used by `docker --context NAME version`:
- a unix:// context answers from the local Engine (where one runs);
- a tcp:// context with TLS files answers from a small TLS server in this test
  that requires the client certificate and whose certificate the context's CA
  must verify, so the CLI only gets an answer when all three files are right.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import shutil
import socket
import ssl
import stat
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
MODULE = os.path.join(REPO, 'plugins', 'modules', 'docker_context.py')
SCRIPT = os.path.join(REPO, 'scripts', 'machine-env.py')
DOCKER = shutil.which('docker')
SOCKET = '/var/run/docker.sock'

needs_docker = pytest.mark.skipif(DOCKER is None, reason='the docker CLI is not on PATH: it is what judges the context store')
needs_openssl = pytest.mark.skipif(shutil.which('openssl') is None, reason='openssl is needed to make the test certificates')


def clean_env(**extra):
    # The CLI's DOCKER_* variables would override the store under test.
    env = dict((key, value) for key, value in os.environ.items() if not key.startswith('DOCKER_'))
    env.update(extra)
    return env


def run_module(args, check=False, diff=False):
    """(result, raw stdout) of one module run."""
    payload = {'ANSIBLE_MODULE_ARGS': dict(args, _ansible_check_mode=check, _ansible_diff=diff)}
    env = clean_env(PYTHONPATH=os.path.join(REPO, '.collections') + os.pathsep + os.environ.get('PYTHONPATH', ''))
    proc = subprocess.run([sys.executable, MODULE], input=json.dumps(payload), capture_output=True, text=True,
                          env=env, check=False)
    return json.loads(proc.stdout), proc.stdout


def docker(config, *args, **kwargs):
    return subprocess.run([DOCKER, '--config', str(config)] + list(args), capture_output=True, text=True,
                          env=kwargs.get('env') or clean_env(), timeout=60, check=False)


def listed(config):
    proc = docker(config, 'context', 'ls', '--format', 'json')
    assert proc.returncode == 0, proc.stderr
    return dict((entry['Name'], entry) for entry in map(json.loads, proc.stdout.splitlines()))


def inspect(config, name):
    proc = docker(config, 'context', 'inspect', name)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)[0]


def mode(path):
    return stat.S_IMODE(os.stat(str(path)).st_mode)


def tree(path):
    """Every file's bytes and mode under path, to show that nothing changed."""
    found = {}
    for root, dirs, files in os.walk(str(path)):
        found[root] = mode(root)
        for name in files:
            full = os.path.join(root, name)
            with open(full, 'rb') as handle:
                found[full] = (handle.read(), mode(full))
    return found


def local_engine_answers():
    if DOCKER is None or not os.path.exists(SOCKET):
        return False
    proc = subprocess.run([DOCKER, '-H', 'unix://' + SOCKET, 'version', '--format', '{{.Server.Version}}'],
                          capture_output=True, text=True, env=clean_env(), timeout=60, check=False)
    return proc.returncode == 0


needs_engine = pytest.mark.skipif(not local_engine_answers(),
                                  reason='no Docker Engine answers on %s for the unix:// context to reach '
                                         '(make engine-local starts one)' % SOCKET)


@pytest.fixture
def config(tmp_path):
    return tmp_path / 'docker-config'


@pytest.fixture
def pki(tmp_path):
    """A self-signed server certificate for 127.0.0.1 (the context's CA) and a client certificate and key."""
    folder = tmp_path / 'pki'
    folder.mkdir()
    for name, extra in (('server', ['-addext', 'subjectAltName=IP:127.0.0.1']), ('client', [])):
        subprocess.run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
                        '-nodes', '-keyout', str(folder / (name + '-key.pem')), '-out', str(folder / (name + '.pem')),
                        '-subj', '/CN=' + name, '-days', '2'] + extra, capture_output=True, check=True)
    return folder


class FakeEngine(BaseHTTPRequestHandler):
    """Answers /_ping and /version as an Engine does, enough for `docker version`."""

    def reply(self, body):
        data = json.dumps({'Version': 'fake-tls-engine', 'ApiVersion': '1.41', 'MinAPIVersion': '1.12',
                           'Os': 'linux', 'Arch': 'amd64'}).encode('utf-8')
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Api-Version', '1.41')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def do_GET(self):
        self.reply(True)

    def do_HEAD(self):
        self.reply(False)

    def log_message(self, *args):
        pass


@pytest.fixture
def tls_engine(pki):
    """127.0.0.1:<port> serving TLS with the server certificate and requiring the client certificate."""
    server = ThreadingHTTPServer(('127.0.0.1', 0), FakeEngine)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(pki / 'server.pem'), str(pki / 'server-key.pem'))
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(str(pki / 'client.pem'))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.handle_error = lambda request, address: None  # refused handshakes are what some tests expect
    thread = threading.Thread(target=server.serve_forever)
    thread.daemon = True
    thread.start()
    yield 'tcp://127.0.0.1:%d' % server.server_address[1]
    server.shutdown()
    server.server_close()


def tls_args(config, pki, host, **extra):
    return dict(dict(name='machine1', host=host, docker_config=str(config), description='anchorage lab',
                     tls_ca_path=str(pki / 'server.pem'), tls_cert_path=str(pki / 'client.pem'),
                     tls_key_path=str(pki / 'client-key.pem')), **extra)


def key_body(pki):
    with open(str(pki / 'client-key.pem')) as handle:
        return ''.join(line for line in handle.read().splitlines() if not line.startswith('-----'))


@needs_docker
@needs_engine
def test_unix_context_reaches_the_local_engine(config):
    result, raw = run_module(dict(name='local', host='unix://' + SOCKET, docker_config=str(config)))
    assert result['changed'] is True, result
    assert listed(config)['local']['DockerEndpoint'] == 'unix://' + SOCKET
    proc = docker(config, '--context', 'local', 'version', '--format', '{{.Server.Version}}')
    assert proc.returncode == 0, proc.stderr
    expected = docker(config, '-H', 'unix://' + SOCKET, 'version', '--format', '{{.Server.Version}}').stdout
    assert proc.stdout == expected and proc.stdout.strip()
    assert run_module(dict(name='local', host='unix://' + SOCKET, docker_config=str(config)))[0]['changed'] is False


@needs_docker
@needs_openssl
def test_tls_context_is_the_cli_s_own(config, pki, tls_engine):
    result, raw = run_module(tls_args(config, pki, tls_engine), diff=True)
    assert result['changed'] is True, result
    context = inspect(config, 'machine1')
    assert context['Endpoints']['docker'] == {'Host': tls_engine, 'SkipTLSVerify': False}
    assert context['Metadata'] == {'Description': 'anchorage lab'}
    assert context['TLSMaterial'] == {'docker': ['ca.pem', 'cert.pem', 'key.pem']}
    tls_dir = os.path.join(context['Storage']['TLSPath'], 'docker')
    assert result['context']['tls_dir'] == tls_dir
    assert result['context']['env'] == {'DOCKER_HOST': tls_engine, 'DOCKER_TLS_VERIFY': '1', 'DOCKER_CERT_PATH': tls_dir}
    for name, source in (('ca.pem', 'server.pem'), ('cert.pem', 'client.pem'), ('key.pem', 'client-key.pem')):
        assert (pki / source).read_bytes() == open(os.path.join(tls_dir, name), 'rb').read()
        assert mode(os.path.join(tls_dir, name)) == 0o600
    assert mode(tls_dir) == mode(context['Storage']['TLSPath']) == 0o700
    assert mode(os.path.join(context['Storage']['MetadataPath'], 'meta.json')) == 0o644
    # The CLI reaches the engine only with the CA, the client certificate and its key all right.
    proc = docker(config, '--context', 'machine1', 'version', '--format', '{{.Server.Version}}')
    assert (proc.returncode, proc.stdout.strip()) == (0, 'fake-tls-engine'), proc.stderr
    # Never the key: neither in the result nor in the diff.
    assert key_body(pki) not in raw
    assert 'tls/docker/key.pem sha256:' in result['diff']['after']
    again, raw = run_module(tls_args(config, pki, tls_engine), diff=True)
    assert (again['changed'], again['changes']) == (False, [])
    assert key_body(pki) not in raw


@needs_docker
@needs_openssl
def test_tls_context_to_a_closed_port_names_it(config, pki):
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    host = 'tcp://127.0.0.1:%d' % port
    run_module(tls_args(config, pki, host))
    proc = docker(config, '--context', 'machine1', 'version')
    assert proc.returncode != 0
    assert '127.0.0.1:%d' % port in proc.stderr


@needs_docker
@needs_openssl
def test_a_context_docker_context_create_made_is_unchanged(config, pki):
    # Same settings, written by the CLI: the module's meta.json and TLS files are byte for byte the CLI's.
    proc = docker(config, 'context', 'create', 'machine1', '--description', 'anchorage lab', '--docker',
                  'host=tcp://127.0.0.1:2376,ca=%s,cert=%s,key=%s'
                  % (pki / 'server.pem', pki / 'client.pem', pki / 'client-key.pem'))
    assert proc.returncode == 0, proc.stderr
    result, raw = run_module(tls_args(config, pki, 'tcp://127.0.0.1:2376'))
    assert (result['changed'], result['changes']) == (False, []), result


@needs_docker
@needs_openssl
def test_check_mode_predicts_and_writes_nothing(config, pki, tmp_path):
    result, raw = run_module(tls_args(config, pki, 'tcp://127.0.0.1:2376'), check=True, diff=True)
    assert result['changed'] is True
    assert 'create meta/meta.json' in result['changes'] and 'create tls/docker/key.pem' in result['changes']
    assert result['context']['env']['DOCKER_TLS_VERIFY'] == '1'
    assert '"Host": "tcp://127.0.0.1:2376"' in result['diff']['after']
    assert key_body(pki) not in raw
    assert not config.exists()
    run_module(tls_args(config, pki, 'tcp://127.0.0.1:2376'))
    before = tree(config)
    result, raw = run_module(tls_args(config, pki, 'tcp://127.0.0.1:2377', current=True), check=True, diff=True)
    assert result['changes'] == ['update meta/meta.json', 'update config.json currentContext']
    assert tree(config) == before
    assert listed(config)['machine1']['DockerEndpoint'] == 'tcp://127.0.0.1:2376'


@needs_docker
@needs_openssl
def test_a_mode_fix_is_a_change(config, pki):
    result, raw = run_module(tls_args(config, pki, 'tcp://127.0.0.1:2376'))
    key = os.path.join(result['context']['tls_dir'], 'key.pem')
    os.chmod(key, 0o644)
    os.chmod(result['context']['tls_dir'], 0o755)
    result, raw = run_module(tls_args(config, pki, 'tcp://127.0.0.1:2376'))
    assert result['changes'] == ['chmod tls/docker', 'chmod tls/docker/key.pem']
    assert (mode(key), mode(result['context']['tls_dir'])) == (0o600, 0o700)


@needs_docker
@needs_openssl
def test_update_host_and_drop_tls(config, pki):
    run_module(tls_args(config, pki, 'tcp://127.0.0.1:2376'))
    result, raw = run_module(dict(name='machine1', host='ssh://deploy@127.0.0.1:2222', docker_config=str(config)),
                             diff=True)
    assert result['changed'] is True
    context = inspect(config, 'machine1')
    assert context['Endpoints']['docker']['Host'] == 'ssh://deploy@127.0.0.1:2222'
    # The description was not given, so it stays; the TLS files are gone with their folder.
    assert context['Metadata'] == {'Description': 'anchorage lab'}
    assert context['TLSMaterial'] == {}
    assert not os.path.exists(context['Storage']['TLSPath'])
    assert result['context']['env'] == {'DOCKER_HOST': 'ssh://deploy@127.0.0.1:2222'}
    assert 'key.pem' in result['diff']['before'] and 'key.pem' not in result['diff']['after']


@needs_docker
def test_current_sets_and_unsets_the_cli_s_current_context(config):
    config.mkdir()
    (config / 'config.json').write_text('{\n\t"auths": {\n\t\t"registry:5000": {\n\t\t\t"auth": "c2VjcmV0"\n\t\t}\n\t}\n}')
    args = dict(name='machine1', host='ssh://root@127.0.0.1', docker_config=str(config))
    result, raw = run_module(dict(args, current=True), diff=True)
    assert result['context']['current'] is True
    assert docker(config, 'context', 'show').stdout.strip() == 'machine1'
    assert 'c2VjcmV0' not in raw
    assert json.loads((config / 'config.json').read_text())['auths'] == {'registry:5000': {'auth': 'c2VjcmV0'}}
    assert run_module(dict(args, current=True))[0]['changed'] is False
    # Not given: a user's `docker context use` stays.
    assert run_module(args)[0]['changed'] is False
    assert docker(config, 'context', 'show').stdout.strip() == 'machine1'
    result, raw = run_module(dict(args, current=False))
    assert result['changes'] == ['update config.json currentContext']
    assert docker(config, 'context', 'show').stdout.strip() == 'default'
    assert json.loads((config / 'config.json').read_text()) == {'auths': {'registry:5000': {'auth': 'c2VjcmV0'}}}


@needs_docker
def test_absent_removes_it_from_the_cli_s_list(config):
    args = dict(name='machine1', host='ssh://root@127.0.0.1', docker_config=str(config))
    run_module(dict(args, current=True))
    assert 'machine1' in listed(config)
    result, raw = run_module(dict(name='machine1', state='absent', docker_config=str(config)), check=True)
    assert result['changed'] is True and 'machine1' in listed(config)
    result, raw = run_module(dict(name='machine1', state='absent', docker_config=str(config)))
    assert result['changed'] is True
    assert 'machine1' not in listed(config)
    # It was the current context: the CLI falls back to the default one, as after `docker context rm --force`.
    assert docker(config, 'context', 'show').stdout.strip() == 'default'
    assert os.listdir(str(config / 'contexts' / 'meta')) == []
    assert run_module(dict(name='machine1', state='absent', docker_config=str(config)))[0]['changed'] is False


@needs_docker
def test_parallel_runs_into_a_new_store(config):
    # contexts.yml writes one context per host, in parallel forks, into a store that may not exist yet: the runs
    # must not disturb each other. (Whether two of them race on creating contexts/ depends on timing.)
    env = clean_env(PYTHONPATH=os.path.join(REPO, '.collections'))
    procs = [subprocess.Popen([sys.executable, MODULE], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
             for dummy in range(6)]
    for number, proc in enumerate(procs):
        args = dict(name='node%d' % number, host='ssh://root@10.0.0.%d' % number, docker_config=str(config))
        proc.stdin.write(json.dumps({'ANSIBLE_MODULE_ARGS': args}))
        proc.stdin.close()
    results = [json.loads(proc.stdout.read()) for proc in procs]
    for proc in procs:
        proc.wait()
    assert [result.get('failed', False) for result in results] == [False] * 6, results
    assert sorted(name for name in listed(config) if name != 'default') == ['node%d' % n for n in range(6)]


@pytest.mark.parametrize('args, words', [
    (dict(name='default', host='ssh://root@h'), "name 'default' is reserved"),
    (dict(name='-bad', host='ssh://root@h'), 'must match ^[a-zA-Z0-9]'),
    (dict(name='m1', host='tcp://10.0.0.1'), 'tcp://HOST:PORT'),
    (dict(name='m1', host='tcp://127.0.0.1:2375'), 'allow_insecure=true'),
    (dict(name='m1', host='ssh://root@h', skip_tls_verify=True), 'tcp:// hosts only'),
    (dict(name='m1', host='tcp://h:2376', tls_ca_path='/nonexistent/ca.pem'), 'tls_ca_path /nonexistent/ca.pem cannot be read'),
    (dict(name='m1', host='tcp://h:2376', tls_cert_path='/x'), 'tls_cert_path, tls_key_path'),
    (dict(name='m1'), 'host'),
    (dict(name='m1', state='absent', current=True), 'current=true needs state=present'),
])
def test_bad_input_is_refused_before_anything_is_written(config, args, words):
    result, raw = run_module(dict(args, docker_config=str(config)))
    assert result.get('failed') is True, result
    assert words in result['msg']
    assert not config.exists()


def test_encrypted_key_is_refused(config, tmp_path):
    (tmp_path / 'ca.pem').write_text('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n')
    (tmp_path / 'key.pem').write_text('-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n')
    result, raw = run_module(dict(name='m1', host='tcp://h:2376', docker_config=str(config), tls_ca_path=str(tmp_path / 'ca.pem'),
                                  tls_cert_path=str(tmp_path / 'ca.pem'), tls_key_path=str(tmp_path / 'key.pem')))
    assert result['msg'].startswith('Cannot write docker context m1: tls_key_path is encrypted')
    assert not config.exists()


def test_a_broken_config_json_is_not_overwritten(config):
    config.mkdir()
    (config / 'config.json').write_text('{"auths": ')
    result, raw = run_module(dict(name='m1', host='ssh://root@h', docker_config=str(config), current=True))
    assert 'is not valid JSON' in result['msg']
    assert (config / 'config.json').read_text() == '{"auths": '
    assert not (config / 'contexts').exists()


# scripts/machine-env.py: `docker-machine env` from the store the module wrote.

def machine_env(config, *args):
    return subprocess.run([sys.executable, SCRIPT, '--config', str(config)] + list(args), capture_output=True,
                          text=True, env=clean_env(), check=False)


def eval_then(lines, command, env=None):
    """Run `eval "$lines"; command` in sh, as a user's shell does after eval $(make -s env M=...)."""
    return subprocess.run(['sh', '-c', 'eval "$1"; shift; exec "$@"', 'sh', lines] + command, capture_output=True,
                          text=True, env=env or clean_env(), timeout=60, check=False)


@needs_docker
@needs_engine
def test_machine_env_points_docker_at_a_unix_context(config, tmp_path):
    run_module(dict(name='local', host='unix://' + SOCKET, docker_config=str(config)))
    proc = machine_env(config, 'local', '--hint', 'make -s env M=local')
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-4:] == [
        'export DOCKER_HOST="unix://%s"' % SOCKET, 'export DOCKER_MACHINE_NAME="local"',
        '# Run this command to configure your shell:', '# eval $(make -s env M=local)']
    # An empty config for the CLI, so only the variables can point it at the Engine; a stale TLS
    # setting from an earlier eval is unset by the lines.
    empty = tmp_path / 'empty-config'
    empty.mkdir()
    env = clean_env(DOCKER_CONFIG=str(empty), DOCKER_TLS_VERIFY='1', DOCKER_HOST='tcp://127.0.0.1:1')
    shown = eval_then(proc.stdout, ['sh', '-c', 'echo "$DOCKER_HOST|${DOCKER_TLS_VERIFY-unset}"'], env=env)
    assert shown.stdout.strip() == 'unix://%s|unset' % SOCKET
    version = eval_then(proc.stdout, [DOCKER, 'version', '--format', '{{.Server.Version}}'], env=env)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip()


@needs_docker
@needs_openssl
def test_machine_env_tls_lines_are_docker_machine_s_and_work(config, pki, tls_engine, tmp_path):
    result, raw = run_module(tls_args(config, pki, tls_engine))
    proc = machine_env(config, 'machine1', '--hint', 'make -s env M=machine1')
    assert proc.stdout == (
        'export DOCKER_TLS_VERIFY="1"\n'
        'export DOCKER_HOST="%s"\n'
        'export DOCKER_CERT_PATH="%s"\n'
        'export DOCKER_MACHINE_NAME="machine1"\n'
        '# Run this command to configure your shell:\n'
        '# eval $(make -s env M=machine1)\n' % (tls_engine, result['context']['tls_dir']))
    empty = tmp_path / 'empty-config'
    empty.mkdir()
    # DOCKER_CERT_PATH alone gives the CLI the CA and the client certificate: the fake engine answers.
    version = eval_then(proc.stdout, [DOCKER, 'version', '--format', '{{.Server.Version}}'],
                        env=clean_env(DOCKER_CONFIG=str(empty)))
    assert (version.returncode, version.stdout.strip()) == (0, 'fake-tls-engine'), version.stderr
    unset = machine_env(config, '--unset')
    shown = eval_then(proc.stdout + unset.stdout, ['sh', '-c', 'echo "${DOCKER_HOST-unset}${DOCKER_CERT_PATH-unset}"'])
    assert shown.stdout.strip() == 'unsetunset'


def test_machine_env_missing_context_is_one_sentence(config):
    proc = machine_env(config, 'manager1')
    assert proc.returncode == 2
    assert proc.stdout == ''
    assert proc.stderr == 'No docker context manager1 in %s: run make lab first, or playbooks/contexts.yml for your inventory.\n' % config
    assert machine_env(config, 'default').stderr.startswith("No docker context default: its name 'default' is reserved")


def test_make_env_needs_m():
    make = shutil.which('make')
    if make is None:
        pytest.skip('make is not on PATH')
    proc = subprocess.run([make, '--no-print-directory', '-s', 'env'], cwd=REPO, capture_output=True, text=True,
                          env=clean_env(M=''), timeout=60, check=False)
    assert proc.returncode != 0 and proc.stdout == ''
    lines = [line for line in proc.stderr.splitlines() if not re.match(r'make(\[\d+\])?: \*\*\*', line)]
    assert lines == ['Name the machine: make -s env M=manager1 (one of the inventory\'s hosts; make lab made their docker contexts).']


@needs_docker
def test_make_env_prints_the_script_s_lines(config):
    make = shutil.which('make')
    if make is None:
        pytest.skip('make is not on PATH')
    run_module(dict(name='machine1', host='ssh://root@127.0.0.1', docker_config=str(config)))
    proc = subprocess.run([make, '--no-print-directory', '-s', 'env', 'M=machine1'], cwd=REPO, capture_output=True,
                          text=True, env=clean_env(DOCKER_CONFIG=str(config)), timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-3:] == [
        'export DOCKER_MACHINE_NAME="machine1"', '# Run this command to configure your shell:',
        '# eval $(make -s env M=machine1)']
    assert 'export DOCKER_HOST="ssh://root@127.0.0.1"' in proc.stdout
