# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 16 (hardening) of the stack and stack_info modules, run as Ansible runs them against the recording fake
Engine of test_stack_engine_requests: what is sent, what is masked, what a failed run leaves behind."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import os
import socketserver
import struct
import subprocess
import sys
import threading

import pytest

from test_stack_engine_requests import MANAGER_INFO, MODULES, Handler, RecordingEngine, sent

PASSWORD = 'hunter2-db-pass'
NEW_PASSWORD = 'n3w-db-pass-42'
REGISTRY = 'registry.example:5000'


@pytest.fixture(name='fake')
def fake_engine(tmp_path):
    engine = RecordingEngine(str(tmp_path / 'docker.sock'))
    server = socketserver.UnixStreamServer(engine.path, Handler)
    server.engine = engine
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield engine
    server.shutdown()
    server.server_close()


@pytest.fixture(name='env')
def module_env(tmp_path):
    blocker = tmp_path / 'no-sdk' / 'docker'
    blocker.mkdir(parents=True)
    (blocker / '__init__.py').write_text('raise ImportError("the Docker SDK must not be needed")\n')
    config = tmp_path / 'docker-config'
    config.mkdir()
    (config / 'config.json').write_text(json.dumps(
        {'auths': {REGISTRY: {'auth': base64.b64encode(b'deployer:s3cret').decode()}}}))
    collections = os.path.abspath(os.path.join(MODULES, '..', '..', '.collections'))
    return {'PYTHONPATH': os.pathsep.join([str(tmp_path / 'no-sdk'), collections]), 'DOCKER_CONFIG': str(config)}


def run(name, args, env, check=False, diff=False):
    payload = {'ANSIBLE_MODULE_ARGS': dict(args, _ansible_check_mode=check, _ansible_diff=diff)}
    proc = subprocess.run([sys.executable, os.path.join(MODULES, name + '.py')], input=json.dumps(payload),
                          capture_output=True, text=True, env=dict(os.environ, **env), check=False)
    try:
        return json.loads(proc.stdout)
    except ValueError:
        raise AssertionError('%s printed no JSON: %s %s' % (name, proc.stdout, proc.stderr))


def empty_swarm(fake, services=None):
    fake.on('GET', '/info', (200, MANAGER_INFO)).on('GET', '/networks', (200, []))
    fake.on('GET', '/secrets', (200, [])).on('GET', '/configs', (200, []))
    fake.on('GET', '/services', (200, services or []))


def as_file(tmp_path, compose):
    """COMPOSE written to a file (JSON is YAML): an inline definition would be echoed in the module's invocation."""
    path = tmp_path / 'compose.yml'
    path.write_text(json.dumps(compose))
    return str(path)


def web(environment=None, **extra):
    service = {'image': REGISTRY + '/web:1'}
    if environment:
        service['environment'] = environment
    service.update(extra)
    return {'services': {'web': service}}


# 1. variables are no_log --------------------------------------------------------------------------------------
def test_variables_are_no_log(fake, env):
    empty_swarm(fake)
    fake.on('POST', '/networks/create', (201, {'Id': 'net1'})).on('POST', '/services/create', (201, {'ID': 'svc1'}))
    result = run('stack', dict(name='demo', compose=[web({'DB_PASSWORD': '${DB_PASSWORD}'})], resolve_image='never',
                               wait=False, variables={'DB_PASSWORD': PASSWORD}, docker_host=fake.docker_host), env)
    assert result.get('failed') is not True, result
    assert PASSWORD not in json.dumps(result)
    assert result['invocation']['module_args']['variables'] == {'DB_PASSWORD': 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'}
    # ...and the value still reaches the Engine, where it belongs.
    assert 'DB_PASSWORD=' + PASSWORD in sent(fake, 'POST', '/services/create')[0]['body']['TaskTemplate']['ContainerSpec']['Env']


def test_plain_variables_are_hidden_in_the_invocation_but_do_not_mask_the_result(fake, env):
    """A TAG of "2" and replicas of "3" must not turn every 2 and 3 of the result and diff into ********."""
    empty_swarm(fake)
    compose = {'services': {'web': {'image': 'web:${TAG}', 'deploy': {'replicas': '${REPLICAS}'}}}}
    result = run('stack', dict(name='demo', compose=[compose], resolve_image='never',
                               variables={'TAG': '2', 'REPLICAS': '3'}, docker_host=fake.docker_host),
                 env, check=True, diff=True)
    assert result.get('failed') is not True, result
    hidden = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert result['invocation']['module_args']['variables'] == {'TAG': hidden, 'REPLICAS': hidden}
    after = result['diff'][0]['after']
    assert 'Mode.Replicated.Replicas: 3' in after and 'web:2' in after, after


def test_secret_named_variable_is_masked_wherever_it_shows(fake, env):
    """A variables value of a secret-looking name is masked by Ansible in every output (here a warning naming the
    image it was interpolated into), not only in the invocation."""
    empty_swarm(fake)
    result = run('stack', dict(name='demo', compose=[{'services': {'web': {'image': 'web:${API_TOKEN}'}}}],
                               variables={'API_TOKEN': 'tok3nvalue99'}, docker_host=fake.docker_host), env, check=True)
    assert result.get('failed') is not True, result
    assert 'could not be accessed' in json.dumps(result['warnings']), result['warnings']
    assert 'tok3nvalue99' not in json.dumps(result)


# 2. the diff masks environment values -------------------------------------------------------------------------
def test_diff_masks_environment_values_and_names_the_changed_key(fake, env, tmp_path):
    """The values come from the compose file itself (not a no_log parameter): only the module's masking hides them."""
    current = {'ID': 'svc1', 'Version': {'Index': 7}, 'Spec': {
        'Name': 'demo_web', 'Labels': {'com.docker.stack.namespace': 'demo', 'com.docker.stack.image': REGISTRY + '/web:1'},
        'TaskTemplate': {'ContainerSpec': {'Image': REGISTRY + '/web:1', 'Env': ['DB_PASSWORD=' + PASSWORD, 'MODE=prod'],
                                           'Labels': {'com.docker.stack.namespace': 'demo'}},
                         'Networks': [{'Target': 'net1', 'Aliases': ['web']}]},
        'Mode': {'Replicated': {'Replicas': 1}}}}
    empty_swarm(fake, [current])
    fake.on('GET', '/networks', (200, [{'Id': 'net1', 'Name': 'demo_default', 'Scope': 'swarm'}]))
    result = run('stack', dict(name='demo', compose=[as_file(tmp_path, web({'DB_PASSWORD': NEW_PASSWORD, 'MODE': 'prod'}))],
                               resolve_image='never', docker_host=fake.docker_host), env, check=True, diff=True)
    assert result.get('failed') is not True, result
    text = json.dumps(result)
    assert PASSWORD not in text and NEW_PASSWORD not in text, result['diff']
    diff = [d for d in result['diff'] if d['after_header'] == 'demo_web'][0]
    assert 'DB_PASSWORD=<masked, changed>' in diff['before'] and 'DB_PASSWORD=<masked, changed>' in diff['after']
    assert 'MODE=<masked>' in diff['after']


def test_diff_of_a_new_service_masks_its_environment(fake, env, tmp_path):
    empty_swarm(fake)
    result = run('stack', dict(name='demo', compose=[as_file(tmp_path, web({'API_TOKEN': NEW_PASSWORD}))], resolve_image='never',
                               docker_host=fake.docker_host), env, check=True, diff=True)
    assert result.get('failed') is not True, result
    assert NEW_PASSWORD not in json.dumps(result)
    assert 'API_TOKEN=<masked>' in result['diff'][0]['after']


# 3. credentials only with with_registry_auth ------------------------------------------------------------------
@pytest.mark.parametrize('with_auth', [False, True])
def test_digest_lookup_sends_credentials_only_with_registry_auth(fake, env, with_auth):
    empty_swarm(fake)
    path = '/distribution/%s/web:1/json' % REGISTRY
    fake.on('GET', path, (200, {'Descriptor': {'digest': 'sha256:' + 'b' * 64}, 'Platforms': []}))
    result = run('stack', dict(name='demo', compose=[web()], with_registry_auth=with_auth,
                               docker_host=fake.docker_host), env, check=True)
    assert result.get('failed') is not True, result
    assert len(sent(fake, 'GET', path)) == 1
    carrying = [r['path'] for r in fake.requests if 'X-Registry-Auth' in (r['headers'] or {})]
    assert carrying == ([path] if with_auth else [])


# 5a. ports and mounts are checked before anything is sent ------------------------------------------------------
@pytest.mark.parametrize('service, words', [
    ({'ports': ['8080:80', '8080:81']}, ['services.web.ports', 'published port 8080/tcp is given twice']),
    ({'ports': [{'target': 80, 'published': 70000}]}, ['services.web.ports', 'published 70000', '1 to 65535']),
    ({'volumes': ['/data:/srv', '/other:/srv']}, ['services.web.volumes', 'mount target /srv is given twice']),
    ({'volumes': [{'type': 'bind', 'source': '/data', 'target': 'srv'}]}, ['services.web.volumes', "'srv'", 'absolute']),
])
def test_bad_ports_and_mounts_fail_before_the_engine_is_contacted(fake, env, service, words):
    empty_swarm(fake)
    result = run('stack', dict(name='demo', compose=[web(**service)], docker_host=fake.docker_host), env)
    assert result['failed'] is True
    assert result['msg'].startswith('Cannot deploy stack demo: ')
    for word in words:
        assert word in result['msg'], result['msg']
    assert fake.requests == []


def test_bad_compose_sends_zero_requests(fake, env):
    empty_swarm(fake)
    result = run('stack', dict(name='demo', compose=[{'services': {'web': {'image': 'web:1', 'bogus': 1}}}],
                               docker_host=fake.docker_host), env)
    assert result['failed'] is True and fake.requests == []


# 5b. a refused change rolls back what the run created ----------------------------------------------------------
def test_refused_service_rolls_back_exactly_what_the_run_created(fake, env, tmp_path):
    (tmp_path / 'token.txt').write_text('top secret\n')
    compose = {'services': {'api': {'image': 'api:1', 'secrets': ['token'], 'networks': ['front', 'back']},
                            'web': {'image': 'web:1', 'networks': ['front']}},
               'networks': {'front': {}, 'back': {}},
               'secrets': {'token': {'file': str(tmp_path / 'token.txt')}}}
    fake.on('GET', '/info', (200, MANAGER_INFO)).on('GET', '/configs', (200, [])).on('GET', '/services', (200, []))
    # demo_back already exists (a network of an earlier run): it must be left alone.
    fake.on('GET', '/networks', (200, [{'Id': 'old', 'Name': 'demo_back', 'Scope': 'swarm'}]))
    fake.on('GET', '/secrets', (200, []))
    fake.on('POST', '/networks/create', (201, {'Id': 'net-front'}))
    fake.on('POST', '/secrets/create', (201, {'ID': 'sec1'}))
    fake.on('POST', '/services/create', (201, {'ID': 'svc-api'}), (400, {'message': 'invalid mount config'}))
    for path in ('/services/svc-api', '/secrets/sec1', '/networks/net-front'):
        fake.on('DELETE', path, (200, None))
    result = run('stack', dict(name='demo', compose=[compose], resolve_image='never', wait=False,
                               docker_host=fake.docker_host), env)
    assert result['failed'] is True
    assert 'invalid mount config' in result['msg']
    assert [r['path'] for r in fake.requests if r['method'] == 'DELETE'] == [
        '/services/svc-api', '/secrets/sec1', '/networks/net-front']
    assert 'rolled back what this run had created: service demo_api, secret demo_token-' in result['msg']
    assert result['msg'].endswith('network demo_front')
    assert result['rolled_back_objects'][0] == 'service demo_api'
    # Secret data went only to POST /secrets/create.
    carrying = [r['path'] for r in fake.requests if 'top secret' in json.dumps(r['body'])
                or base64.b64encode(b'top secret\n').decode() in json.dumps(r['body'])]
    assert carrying == ['/secrets/create']


def test_refused_first_object_reports_nothing_rolled_back(fake, env):
    empty_swarm(fake)
    fake.on('POST', '/networks/create', (500, {'message': 'boom'}))
    result = run('stack', dict(name='demo', compose=[web()], resolve_image='never', wait=False,
                               docker_host=fake.docker_host), env)
    assert result['failed'] is True
    assert 'boom; nothing had been created, nothing was rolled back' in result['msg']
    assert [r for r in fake.requests if r['method'] == 'DELETE'] == []


# 6. files that are not UTF-8 ------------------------------------------------------------------------------------
def test_compose_file_not_utf8_names_the_file(fake, env, tmp_path):
    path = tmp_path / 'compose.yml'
    path.write_bytes(b'services:\n  web:\n    image: web:1\n    environment:\n      NAME: caf\xe9\n')
    result = run('stack', dict(name='demo', compose=[str(path)], docker_host=fake.docker_host), env)
    assert result['failed'] is True and 'Traceback' not in result.get('module_stderr', ''), result
    assert str(path) in result['msg'] and 'UTF-8' in result['msg'], result['msg']
    assert fake.requests == []


def test_env_file_not_utf8_names_the_file(fake, env, tmp_path):
    path = tmp_path / 'prod.env'
    path.write_bytes(b'NAME=caf\xe9\n')
    result = run('stack', dict(name='demo', compose=[web()], env_files=[str(path)], docker_host=fake.docker_host), env)
    assert result['failed'] is True and 'Traceback' not in result.get('module_stderr', ''), result
    assert str(path) in result['msg'] and 'UTF-8' in result['msg'], result['msg']
    assert fake.requests == []


# 4. stack_info masks known secrets in logs ------------------------------------------------------------------------
def test_stack_info_masks_secret_env_values_and_mask_values_in_logs(fake, env):
    fake.on('GET', '/nodes', (200, [{'ID': 'n1', 'Description': {'Hostname': 'm1'}}]))
    spec = {'Name': 'demo_web', 'Mode': {'Replicated': {'Replicas': 1}},
            'TaskTemplate': {'ContainerSpec': {'Image': 'web:1', 'Env': ['DB_PASSWORD=' + PASSWORD, 'MODE=production']}}}
    fake.on('GET', '/services', (200, [{'ID': 'svc1', 'Spec': spec}]))
    fake.on('GET', '/tasks', (200, [{'ID': 't' * 25, 'Slot': 1, 'NodeID': 'n1', 'DesiredState': 'running',
                                     'Status': {'State': 'running'}}]))
    fake.on('GET', '/services/svc1', (200, {'ID': 'svc1', 'Spec': spec}))
    prefix = b'com.docker.swarm.node.id=n1,com.docker.swarm.service.id=svc1,com.docker.swarm.task.id=' + b't' * 25
    frames = b''
    for text in (b'connecting with ' + PASSWORD.encode(), b'mode production', b'api key ' + NEW_PASSWORD.encode()):
        line = prefix + b' ' + text + b'\n'
        frames += struct.pack('>BxxxI', 1, len(line)) + line
    fake.on('GET', '/services/svc1/logs', (200, frames))
    result = run('stack_info', dict(name='demo', logs=True, mask_values=[NEW_PASSWORD], docker_host=fake.docker_host), env)
    assert result.get('failed') is not True, result
    assert result['logs']['demo_web'] == [
        'demo_web.1.tttttttttttt@m1 | connecting with <masked DB_PASSWORD>',
        'demo_web.1.tttttttttttt@m1 | mode production',
        'demo_web.1.tttttttttttt@m1 | api key <masked mask_values[0]>']
