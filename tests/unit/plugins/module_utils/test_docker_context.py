# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The context store's format and the decisions about it, pinned against what docker/cli writes.

The byte strings below are what `docker context create` (CLI 28.2) wrote for
the same settings; tests/unit/plugins/modules/test_docker_context.py checks the
same parity against the docker CLI on PATH.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import subprocess

import pytest

from ansible_collections.anchorage.swarm.plugins.module_utils._docker_context import (
    context_env,
    context_id,
    current_context_update,
    default_config_dir,
    describe,
    desired_entries,
    endpoint_problems,
    env_lines,
    go_json,
    label,
    pem_problem,
    plan,
    relative_paths,
    render_meta,
    store_paths,
    validate_host,
    validate_name,
)

CERT = b'-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'
KEY = b'-----BEGIN PRIVATE KEY-----\nSECRETKEYBODY\n-----END PRIVATE KEY-----\n'


def test_context_id_is_the_sha256_of_the_name():
    # The folder `docker context create m1` made.
    assert context_id('m1') == 'ca0df2c95aa144c1d0ff2ff3c8f967fdc1de9ef0c4120b3726416701b519d619'


def test_store_paths(tmp_path):
    paths = store_paths(str(tmp_path), 'm1')
    cid = context_id('m1')
    assert paths['meta_file'] == str(tmp_path / 'contexts' / 'meta' / cid / 'meta.json')
    assert paths['tls_dir'] == str(tmp_path / 'contexts' / 'tls' / cid / 'docker')
    assert paths['config_file'] == str(tmp_path / 'config.json')


def test_default_config_dir_follows_docker_config():
    assert default_config_dir({'DOCKER_CONFIG': '/srv/dc'}, home='/home/u') == '/srv/dc'
    assert default_config_dir({}, home='/home/u') == '/home/u/.docker'


@pytest.mark.parametrize('name', ['manager1', 'm1', 'a.b_c+d-e', '0x'])
def test_valid_names(name):
    assert validate_name(name) is None


@pytest.mark.parametrize('name, words', [
    ('default', 'reserved'),
    ('m', 'two characters'),
    ('-m1', 'must match'),
    ('with space', 'must match'),
    ('m1\n', 'must match'),
    ('a/b', 'must match'),
    ('', 'empty'),
])
def test_invalid_names_say_why(name, words):
    assert words in validate_name(name)


@pytest.mark.parametrize('host, scheme', [
    ('tcp://172.29.77.10:2376', 'tcp'),
    ('tcp://[fd00::10]:2376', 'tcp'),
    ('ssh://root@10.0.0.1', 'ssh'),
    ('ssh://deploy@build.example.com:2222', 'ssh'),
    ('unix:///var/run/docker.sock', 'unix'),
])
def test_valid_hosts(host, scheme):
    assert validate_host(host) == (scheme, None)


@pytest.mark.parametrize('host, words', [
    ('tcp://172.29.77.10', 'tcp://HOST:PORT'),
    ('tcp://:2376', 'tcp://HOST:PORT'),
    ('tcp://h:99999', 'not a valid URL'),
    ('tcp://u@h:2376', 'no user, path'),
    ('tcp://h:2376/x', 'no user, path'),
    ('ssh://u:pw@h', 'password'),
    ('ssh://h?x=1', 'query'),
    ('unix://var/run/docker.sock', 'three slashes'),
    ('http://h:2376', "scheme 'http'"),
    ('172.29.77.10:2376', 'tcp://HOST:PORT, ssh://'),
    ('', 'must not be empty'),
])
def test_invalid_hosts_say_what_to_write(host, words):
    scheme, problem = validate_host(host)
    assert scheme is None
    assert words in problem


def test_plain_tcp_is_refused_unless_allowed():
    errors, warnings = endpoint_problems('tcp', False, False, False)
    assert 'allow_insecure=true' in errors[0] and warnings == []
    errors, warnings = endpoint_problems('tcp', False, False, True)
    assert errors == [] and 'plain HTTP' in warnings[0]


def test_tls_is_for_tcp_only():
    for scheme in ('ssh', 'unix'):
        assert 'tcp:// hosts only' in endpoint_problems(scheme, True, False, False)[0][0]
        assert 'tcp:// hosts only' in endpoint_problems(scheme, False, True, False)[0][0]
    assert endpoint_problems('ssh', False, False, False) == ([], [])
    assert endpoint_problems('tcp', True, False, False) == ([], [])
    assert 'intercepted' in endpoint_problems('tcp', True, True, False)[1][0]


def test_pem_checks():
    assert pem_problem('tls_ca_path', CERT) is None
    assert pem_problem('tls_key_path', KEY) is None
    assert pem_problem('tls_key_path', b'-----BEGIN EC PRIVATE KEY-----\nx\n-----END EC PRIVATE KEY-----\n') is None
    assert 'no PEM certificate' in pem_problem('tls_cert_path', KEY)
    assert 'no PEM private key' in pem_problem('tls_key_path', CERT)
    assert 'encrypted' in pem_problem('tls_key_path', b'-----BEGIN ENCRYPTED PRIVATE KEY-----\nx\n')
    assert 'binary' in pem_problem('tls_ca_path', b'\x30\x82\x01\xff')


def test_meta_is_what_docker_context_create_writes():
    # `docker context create m1 --description 'a <b> & é' --docker host=tcp://127.0.0.1:2376,skip-tls-verify=true`
    expected = (u'{"Name":"m1","Metadata":{"Description":"a \\u003cb\\u003e \\u0026 \u00e9"},'
                u'"Endpoints":{"docker":{"Host":"tcp://127.0.0.1:2376","SkipTLSVerify":true}}}').encode('utf-8')
    assert render_meta('m1', 'tcp://127.0.0.1:2376', True, description=u'a <b> & \u00e9') == expected
    # Without a description the CLI writes an empty Metadata object.
    assert render_meta('m1', 'unix:///var/run/docker.sock', False) == (
        b'{"Name":"m1","Metadata":{},"Endpoints":{"docker":{"Host":"unix:///var/run/docker.sock","SkipTLSVerify":false}}}')


def test_meta_keeps_other_tools_fields_and_description_when_not_given():
    existing = {'Name': 'm1', 'Metadata': {'Description': 'old', 'zTool': {'b': 1, 'a': 2}},
                'Endpoints': {'docker': {'Host': 'tcp://old:2376', 'SkipTLSVerify': True}, 'other': {'X': 1}}}
    meta = json.loads(render_meta('m1', 'tcp://new:2376', False, existing=existing).decode('utf-8'))
    assert meta['Metadata'] == {'Description': 'old', 'zTool': {'a': 2, 'b': 1}}
    assert meta['Endpoints'] == {'docker': {'Host': 'tcp://new:2376', 'SkipTLSVerify': False}, 'other': {'X': 1}}
    cleared = json.loads(render_meta('m1', 'tcp://new:2376', False, description='', existing=existing).decode('utf-8'))
    assert 'Description' not in cleared['Metadata']


def test_go_json_escapes_like_go():
    assert go_json({'a': u'<&>\u2028'}) == '{"a":"\\u003c\\u0026\\u003e\\u2028"}'
    assert go_json({'a': 1, 'b': [1]}, indent='\t') == '{\n\t"a": 1,\n\t"b": [\n\t\t1\n\t]\n}'


def entries_with_tls(tls=None, meta=b'{}'):
    return desired_entries('m1', meta, tls if tls is not None else {'ca.pem': CERT, 'cert.pem': CERT, 'key.pem': KEY})


def test_plan_creates_everything_parents_first():
    actions = plan('m1', {}, entries_with_tls())
    assert [label('m1', path) for action, path in actions] == [
        'meta', 'meta/meta.json', 'tls', 'tls/docker', 'tls/docker/ca.pem', 'tls/docker/cert.pem', 'tls/docker/key.pem']
    assert set(action for action, path in actions) == {'create'}


def test_plan_is_empty_when_bytes_and_modes_match():
    desired = entries_with_tls()
    assert plan('m1', dict(desired), desired) == []


def test_plan_counts_a_mode_fix_and_a_content_change():
    desired = entries_with_tls()
    rel = relative_paths('m1')
    observed = dict(desired)
    observed[rel['tls_dir'] + '/key.pem'] = (KEY, 0o644)
    observed[rel['meta_file']] = (b'{"old":1}', 0o644)
    assert plan('m1', observed, desired) == [('update', rel['meta_file']), ('chmod', rel['tls_dir'] + '/key.pem')]


def test_plan_removes_tls_no_longer_given_but_keeps_other_endpoints():
    rel = relative_paths('m1')
    observed = entries_with_tls()
    assert plan('m1', observed, entries_with_tls(tls={})) == [
        ('remove', rel['tls_dir'] + '/ca.pem'), ('remove', rel['tls_dir'] + '/cert.pem'),
        ('remove', rel['tls_dir'] + '/key.pem'), ('remove', rel['tls_dir']), ('remove', rel['tls_context_dir'])]
    other = rel['tls_context_dir'] + '/kubernetes'
    observed.update({other: (None, 0o700), other + '/ca.pem': (CERT, 0o600)})
    removed = [path for action, path in plan('m1', observed, entries_with_tls(tls={}))]
    assert other not in removed and rel['tls_context_dir'] not in removed and rel['tls_dir'] in removed


def test_plan_absent_removes_everything_deepest_first():
    actions = plan('m1', entries_with_tls(), {}, state='absent')
    paths = [label('m1', path) for action, path in actions]
    assert paths[-2:] == ['meta', 'tls'] and len(paths) == 7
    assert set(action for action, path in actions) == {'remove'}


def test_describe_shows_fingerprints_never_key_material():
    text = describe('m1', entries_with_tls(meta=render_meta('m1', 'tcp://h:2376', False)))
    assert 'SECRETKEYBODY' not in text and 'MIIB' not in text
    assert 'tls/docker/key.pem sha256:' in text and '(mode 0600)' in text
    assert '"Host": "tcp://h:2376"' in text


def test_env_as_docker_machine_set_it():
    env, unset = context_env('tcp://172.29.77.10:2376', '/c/tls/x/docker', ['ca.pem', 'cert.pem', 'key.pem'], False)
    env['DOCKER_MACHINE_NAME'] = 'manager1'
    assert env_lines(env, unset, 'sh', 'make -s env M=manager1') == (
        'export DOCKER_TLS_VERIFY="1"\n'
        'export DOCKER_HOST="tcp://172.29.77.10:2376"\n'
        'export DOCKER_CERT_PATH="/c/tls/x/docker"\n'
        'export DOCKER_MACHINE_NAME="manager1"\n'
        '# Run this command to configure your shell:\n'
        '# eval $(make -s env M=manager1)\n')


def test_env_without_verification_and_without_tls():
    env, unset = context_env('tcp://h:2376', '/d', ['ca.pem'], True)
    assert env == {'DOCKER_TLS': '1', 'DOCKER_CERT_PATH': '/d', 'DOCKER_HOST': 'tcp://h:2376'}
    assert unset == ['DOCKER_TLS_VERIFY']
    env, unset = context_env('ssh://root@h', '/d', [], False)
    assert env == {'DOCKER_HOST': 'ssh://root@h'}
    assert env_lines(env, unset, 'fish').splitlines() == [
        'set -e DOCKER_TLS_VERIFY;', 'set -e DOCKER_TLS;', 'set -e DOCKER_CERT_PATH;', 'set -gx DOCKER_HOST "ssh://root@h";']
    assert env_lines(env, unset, 'powershell').splitlines()[-1] == '$Env:DOCKER_HOST = "ssh://root@h"'


def test_sh_lines_survive_awkward_paths():
    path = '/tmp/a "b" $HOME `x` \\'
    lines = env_lines({'DOCKER_CERT_PATH': path}, [], 'sh')
    out = subprocess.run(['sh', '-c', lines + 'printf %s "$DOCKER_CERT_PATH"'], capture_output=True, text=True,
                         check=True).stdout
    assert out == path


def test_current_context_keeps_other_keys():
    text = '{\n\t"auths": {\n\t\t"r:5000": {\n\t\t\t"auth": "c2VjcmV0"\n\t\t}\n\t},\n\t"psFormat": "x"\n}'
    new, before, after = current_context_update(text, 'm1', True, 'present')
    assert (before, after) == ('', 'm1')
    assert json.loads(new) == {'auths': {'r:5000': {'auth': 'c2VjcmV0'}}, 'psFormat': 'x', 'currentContext': 'm1'}
    assert current_context_update(new, 'm1', True, 'present')[0] is None
    assert current_context_update(new, 'm1', None, 'present')[0] is None
    assert json.loads(current_context_update(new, 'm1', False, 'present')[0]) == json.loads(text)
    assert json.loads(current_context_update(new, 'm1', None, 'absent')[0]) == json.loads(text)
    # Another context being the current one is left alone.
    assert current_context_update(new, 'm2', False, 'present')[0] is None
    assert current_context_update(None, 'm1', True, 'present')[0] == '{\n\t"currentContext": "m1"\n}'


def test_current_context_refuses_a_broken_file():
    with pytest.raises(ValueError):
        current_context_update('{"auths": ', 'm1', True, 'present')
    with pytest.raises(ValueError):
        current_context_update('[]', 'm1', True, 'present')
