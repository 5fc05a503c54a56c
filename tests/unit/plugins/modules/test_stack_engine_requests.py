# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the stack and stack_info modules send to the Engine, run as Ansible runs them against a fake Engine.

The fake Engine (a unix socket in the test's tmp dir) answers from a script and records each request with its
headers and body. The modules run with the Docker SDK made unimportable (a `docker` package that raises
ImportError first on the path): they need Python's standard library only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import json
import os
import socketserver
import struct
import subprocess
import sys
import threading

import pytest

from test_swarm_modules import FakeEngine, _Handler

MODULES = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'plugins', 'modules')
COLLECTIONS = os.path.abspath(os.path.join(MODULES, '..', '..', '.collections'))
MANAGER_INFO = {'Name': 'm1', 'ServerVersion': '20.10.24+dfsg1',
                'Swarm': {'LocalNodeState': 'active', 'ControlAvailable': True, 'NodeID': 'n1'}}
STACK_FILTER = {'label': ['com.docker.stack.namespace=demo']}


class RecordingEngine(FakeEngine):
    """test_swarm_modules' fake Engine, which also records each request's headers."""

    headers = None

    def answer(self, method, path):
        # Called for each request after it is recorded and before it is answered: the client waits until then.
        self.requests[-1]['headers'] = self.headers
        return FakeEngine.answer(self, method, path)


class Handler(_Handler):
    """test_swarm_modules' fake Engine handler, which also answers DELETE and passes on the headers."""

    def _serve(self):
        self.server.engine.headers = dict(self.headers)
        _Handler._serve(self)

    do_GET = do_POST = do_DELETE = _serve


def sent(engine, method, path):
    return [r for r in engine.requests if (r['method'], r['path']) == (method, path)]


@pytest.fixture
def engine(tmp_path):
    fake = RecordingEngine(str(tmp_path / 'docker.sock'))
    server = socketserver.UnixStreamServer(fake.path, Handler)
    server.engine = fake
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def no_sdk(tmp_path):
    """A path entry whose `docker` package cannot be imported, and a docker config with registry credentials."""
    blocker = tmp_path / 'no-sdk' / 'docker'
    blocker.mkdir(parents=True)
    (blocker / '__init__.py').write_text('raise ImportError("the Docker SDK must not be needed")\n')
    config = tmp_path / 'docker-config'
    config.mkdir()
    (config / 'config.json').write_text(json.dumps(
        {'auths': {'registry.example:5000': {'auth': base64.b64encode(b'deployer:s3cret').decode()}}}))
    return {'PYTHONPATH': os.pathsep.join([str(tmp_path / 'no-sdk'), COLLECTIONS]), 'DOCKER_CONFIG': str(config)}


def run_module(name, args, env_extra, check=False):
    payload = {'ANSIBLE_MODULE_ARGS': dict(args, _ansible_check_mode=check, _ansible_diff=False)}
    env = dict(os.environ, **env_extra)
    proc = subprocess.run([sys.executable, os.path.join(MODULES, name + '.py')], input=json.dumps(payload),
                          capture_output=True, text=True, env=env, check=False)
    try:
        return json.loads(proc.stdout)
    except ValueError:
        raise AssertionError('%s printed no JSON: %s %s' % (name, proc.stdout, proc.stderr))


def _compose(tmp_path):
    (tmp_path / 'token.txt').write_text('top secret\n')
    return {'services': {'web': {'image': 'registry.example:5000/web:1', 'secrets': ['token']}},
            'secrets': {'token': {'file': str(tmp_path / 'token.txt')}}}


def test_the_docker_sdk_is_really_unimportable(no_sdk):
    proc = subprocess.run([sys.executable, '-c', 'import docker'], env=dict(os.environ, **no_sdk),
                          capture_output=True, text=True, check=False)
    assert proc.returncode != 0 and 'must not be needed' in proc.stderr


def test_deploy_sends_the_secret_and_the_credentials_to_the_engine_only(engine, tmp_path, no_sdk):
    engine.on('GET', '/info', (200, MANAGER_INFO))
    engine.on('GET', '/networks', (200, []))
    name = 'demo_token-' + hashlib.sha256(b'top secret\n').hexdigest()[:12]
    engine.on('GET', '/secrets', (200, []), (200, []), (200, [{'ID': 'sec1', 'Spec': {'Name': name}}]))
    engine.on('GET', '/configs', (200, []))
    engine.on('GET', '/services', (200, []))
    engine.on('POST', '/networks/create', (201, {'Id': 'net1'}))
    engine.on('POST', '/secrets/create', (201, {'ID': 'sec1'}))
    engine.on('POST', '/services/create', (201, {'ID': 'svc1'}))
    result = run_module('stack', dict(name='demo', compose=[_compose(tmp_path)], resolve_image='never', wait=False,
                                      with_registry_auth=True, docker_host=engine.docker_host), no_sdk)
    assert result.get('failed') is not True, result
    assert result['changed'] is True
    assert 'top secret' not in json.dumps(result) and 's3cret' not in json.dumps(result)

    created = sent(engine, 'POST', '/secrets/create')
    assert len(created) == 1
    assert base64.b64decode(created[0]['body']['Data']) == b'top secret\n'
    assert created[0]['body']['Name'] == name
    assert created[0]['body']['Labels'] == {'com.docker.stack.namespace': 'demo'}

    network = sent(engine, 'POST', '/networks/create')[0]['body']
    assert (network['Name'], network['Driver'], network['Scope']) == ('demo_default', 'overlay', 'swarm')

    service = sent(engine, 'POST', '/services/create')[0]
    auth = json.loads(base64.urlsafe_b64decode(service['headers']['X-Registry-Auth']))
    assert (auth['username'], auth['password'], auth['serveraddress']) == ('deployer', 's3cret', 'registry.example:5000')
    assert service['body']['Name'] == 'demo_web'
    assert service['body']['TaskTemplate']['ContainerSpec']['Secrets'][0]['SecretID'] == 'sec1'

    listed = sent(engine, 'GET', '/services')[0]
    assert json.loads(listed['query']['filters']) == STACK_FILTER
    # Unversioned paths: the Engine serves them at its own API version, as the SDK's version='auto' negotiated.
    assert all(not r['path'].startswith('/v1.') for r in engine.requests)


def test_resolve_image_asks_the_registry_with_the_credentials_with_registry_auth(engine, tmp_path, no_sdk):
    digest = 'sha256:' + 'b' * 64
    engine.on('GET', '/info', (200, MANAGER_INFO)).on('GET', '/networks', (200, []))
    engine.on('GET', '/secrets', (200, [])).on('GET', '/configs', (200, [])).on('GET', '/services', (200, []))
    engine.on('GET', '/distribution/registry.example:5000/web:1/json',
              (200, {'Descriptor': {'digest': digest}, 'Platforms': [{'architecture': 'amd64', 'os': 'linux'}]}))
    result = run_module('stack', dict(name='demo', compose=[_compose(tmp_path)], with_registry_auth=True,
                                      docker_host=engine.docker_host), no_sdk, check=True)
    assert result.get('failed') is not True, result
    asked = sent(engine, 'GET', '/distribution/registry.example:5000/web:1/json')
    assert len(asked) == 1
    assert json.loads(base64.urlsafe_b64decode(asked[0]['headers']['X-Registry-Auth']))['username'] == 'deployer'
    assert [r['method'] for r in engine.requests] == ['GET'] * len(engine.requests), 'check mode changed something'


def test_absent_deletes_services_secrets_and_networks(engine, no_sdk):
    engine.on('GET', '/info', (200, MANAGER_INFO))
    engine.on('GET', '/services', (200, [{'ID': 'svc1', 'Spec': {'Name': 'demo_web'}}]))
    engine.on('GET', '/networks', (200, [{'Id': 'net1', 'Name': 'demo_default'}]), (200, []))
    engine.on('GET', '/secrets', (200, [{'ID': 'sec1', 'Spec': {'Name': 'demo_token'}}]))
    engine.on('GET', '/configs', (200, []))
    engine.on('GET', '/tasks', (200, []))
    for path in ('/services/svc1', '/secrets/sec1', '/networks/net1'):
        engine.on('DELETE', path, (200, None))
    result = run_module('stack', dict(name='demo', state='absent', docker_host=engine.docker_host), no_sdk)
    assert result.get('failed') is not True, result
    deleted = [r['path'] for r in engine.requests if r['method'] == 'DELETE']
    assert deleted == ['/services/svc1', '/secrets/sec1', '/networks/net1']
    assert json.loads(sent(engine, 'GET', '/tasks')[0]['query']['filters']) == STACK_FILTER


def test_stack_refuses_plain_tcp_before_connecting(no_sdk):
    result = run_module('stack', dict(name='demo', state='absent', docker_host='tcp://127.0.0.1:9'), no_sdk)
    assert result['failed'] is True
    assert result['msg'].startswith('Cannot remove stack demo: tcp://127.0.0.1:9 is reached over TLS only: give ca_path, '
                                    'client_cert, client_key. Plain tcp://127.0.0.1:9 is not encrypted: use TLS')
    assert 'allow_plaintext=true' in result['msg']


def test_stack_info_refuses_plain_tcp_and_names_the_aliases_too(no_sdk):
    result = run_module('stack_info', dict(name='demo', docker_host='tcp://127.0.0.1:9', tls_ca_cert='/ca.pem'), no_sdk)
    assert result['failed'] is True
    assert result['msg'].startswith('Cannot read stack demo: tcp://127.0.0.1:9 is reached over TLS only: '
                                    'give client_cert, client_key')


def test_stack_info_reads_multiplexed_logs(engine, no_sdk):
    engine.on('GET', '/nodes', (200, [{'ID': 'n1', 'Description': {'Hostname': 'm1'}}]))
    spec = {'Name': 'demo_web', 'Mode': {'Replicated': {'Replicas': 1}}, 'TaskTemplate': {'ContainerSpec': {'Image': 'web:1'}}}
    engine.on('GET', '/services', (200, [{'ID': 'svc1', 'Spec': spec}]))
    engine.on('GET', '/tasks', (200, [{'ID': 't' * 25, 'Slot': 1, 'NodeID': 'n1', 'DesiredState': 'running',
                                       'Status': {'State': 'running'}}]))
    engine.on('GET', '/services/svc1', (200, {'ID': 'svc1', 'Spec': {'TaskTemplate': {'ContainerSpec': {}}}}))
    line = b'com.docker.swarm.node.id=n1,com.docker.swarm.service.id=svc1,com.docker.swarm.task.id=' + b't' * 25 + b' hello\n'
    engine.on('GET', '/services/svc1/logs', (200, struct.pack('>BxxxI', 1, len(line)) + line))
    result = run_module('stack_info', dict(name='demo', logs=True, logs_tail=5, docker_host=engine.docker_host), no_sdk)
    assert result.get('failed') is not True, result
    assert result['logs'] == {'demo_web': ['demo_web.1.tttttttttttt@m1 | hello']}
    query = sent(engine, 'GET', '/services/svc1/logs')[0]['query']
    assert query == {'details': 'true', 'follow': 'false', 'stdout': 'true', 'stderr': 'true', 'timestamps': 'false',
                     'tail': '5', 'since': '0'}


def test_stack_info_over_plain_tcp_with_allow_plaintext_works_and_warns(no_sdk):
    fake = RecordingEngine('')
    server = socketserver.TCPServer(('127.0.0.1', 0), Handler)
    server.engine = fake
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        fake.on('GET', '/nodes', (200, [])).on('GET', '/services', (200, []))
        host = 'tcp://127.0.0.1:%d' % server.server_address[1]
        result = run_module('stack_info', dict(name='demo', docker_host=host, allow_plaintext=True), no_sdk)
    finally:
        server.shutdown()
        server.server_close()
    assert result.get('failed') is not True, result
    assert result['services'] == [] and [r['path'] for r in fake.requests] == ['/nodes', '/services']
    assert any('is plain HTTP (allow_plaintext=true)' in str(w) for w in result.get('warnings', [])), result
