# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Compose files to swarm objects as `docker stack deploy` makes them: docker/cli's cli/compose/template,
loader and convert, each group of tests naming the CLI behaviour it pins."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import hashlib
import os

import pytest

from ansible_collections.anchorage.swarm.plugins.module_utils import _compose as C
from ansible_collections.anchorage.swarm.plugins.module_utils._compose import ComposeError

DIGEST = 'sha256:' + 'ab' * 32
NS = {'com.docker.stack.namespace': 'probe'}


def reader(files):
    """A read_file over a dict {normalised path: bytes} that records the paths it was asked for."""
    def read(path):
        read.calls.append(path)
        if os.path.normpath(path) not in files:
            raise IOError(errno.ENOENT, 'No such file or directory', path)
        return files[os.path.normpath(path)]
    read.calls = []
    return read


def deploy(services, variables=None, files=None, working_dir='/srv/app', stack='probe', **top):
    """load() then convert() one compose file, as the stack module does; files are what read_file serves."""
    read = reader(files or {})
    config, warnings = C.load([('compose.yml', dict(version='3.13', services=services, **top))], variables,
                              working_dir=working_dir, read_file=read)
    out = C.convert(stack, config, variables, read_file=read, working_dir=working_dir)
    out['warnings'] = warnings + out['warnings']  # the stack module warns with both
    return out


def service(definition, key='web', **kwargs):
    """The converted spec of one service."""
    return deploy({key: definition}, **kwargs)['services'][key]


def container(definition, **kwargs):
    return service(definition, **kwargs)['TaskTemplate']['ContainerSpec']


def sha12(data):
    return hashlib.sha256(data).hexdigest()[:12]


# =================================================================================================================
# Interpolation: cli/compose/template (${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:?e}, ${VAR?e}, $$)

INTERPOLATED = [
    ('$A', {'A': 'x'}, 'x'),
    ('${A}', {'A': 'x'}, 'x'),
    ('pre-${A}-post', {'A': 'x'}, 'pre-x-post'),
    ('$A$B', {'A': '1', 'B': '2'}, '12'),
    ('$A-suffix', {'A': 'x'}, 'x'),  # the CLI's unbraced pattern takes "-suffix" as a default
    ('${A}', {'A': 3}, '3'),
    ('no variable', {}, 'no variable'),
    # ${VAR:-default}: the default when unset or empty.
    ('${A:-d}', {}, 'd'),
    ('${A:-d}', {'A': ''}, 'd'),
    ('${A:-d}', {'A': None}, 'd'),
    ('${A:-d}', {'A': 'x'}, 'x'),
    ('${A:-}', {}, ''),
    ('${A:-with spaces: and colons}', {}, 'with spaces: and colons'),
    # ${VAR-default}: the default only when unset.
    ('${A-d}', {}, 'd'),
    ('${A-d}', {'A': ''}, ''),
    ('${A-d}', {'A': 'x'}, 'x'),
    # ${VAR:?error} and ${VAR?error} give the value when it is there.
    ('${A:?must be set}', {'A': 'x'}, 'x'),
    ('${A?must be set}', {'A': ''}, ''),
    # $$ is a literal dollar, and what follows it is not a variable.
    ('$$', {}, '$'),
    ('$${A}', {}, '${A}'),
    ('cost: $$5', {}, 'cost: $5'),
    ('$$$A', {'A': 'x'}, '$x'),
]


@pytest.mark.parametrize('template, variables, expected', INTERPOLATED)
def test_interpolate_string(template, variables, expected):
    assert C.interpolate_string(template, variables, 'services.web.image') == expected


INTERPOLATION_ERRORS = [
    # An undefined variable without a default is an error here (the CLI warns and puts ""), naming the key.
    ('${A}', {}, 'services.web.image: variable A is not set'),
    ('$A', {'B': 'x'}, 'services.web.image: variable A is not set'),
    ('${A}', {'A': None}, 'services.web.image: variable A is not set'),
    ('${A:?must be set}', {}, 'services.web.image: required variable A is missing a value: must be set'),
    ('${A:?must be set}', {'A': ''}, 'services.web.image: required variable A is missing a value: must be set'),
    ('${A?must be set}', {}, 'services.web.image: required variable A is missing a value: must be set'),
    ('${A:?}', {}, 'services.web.image: required variable A is missing a value: '),
    ('cost $ 5', {}, 'services.web.image: invalid interpolation format'),
    ('${}', {}, 'services.web.image: invalid interpolation format'),
    ('${A B}', {'A': 'x'}, 'services.web.image: invalid interpolation format'),
    ('${1A}', {}, 'services.web.image: invalid interpolation format'),
]


@pytest.mark.parametrize('template, variables, message', INTERPOLATION_ERRORS)
def test_interpolation_errors(template, variables, message):
    with pytest.raises(ComposeError, match='^' + message.replace('$', r'\$').replace('?', r'\?')):
        C.interpolate_string(template, variables, 'services.web.image')


def test_interpolation_reaches_every_value_but_never_keys():
    config = {
        'version': '${V}',
        'x-anchor': '${X}',
        'services': {'${KEY}': {'image': '${IMAGE}', 'environment': ['A=${A}'], 'labels': {'${L}': '${A}'}}},
        'networks': {'n': {'driver': '${DRIVER}'}},
        'volumes': {'v': {'name': '${A}'}},
        'secrets': {'s': {'file': './${A}'}},
        'configs': {'c': {'file': './${A}.conf'}},
    }
    out = C.interpolate(config, {'IMAGE': 'redis', 'A': 'a', 'DRIVER': 'overlay', 'V': '3.8', 'X': 'x'})
    assert out == {
        # interpolation.go walks every top-level key: version and x- fields too.
        'version': '3.8',
        'x-anchor': 'x',
        'services': {'${KEY}': {'image': 'redis', 'environment': ['A=a'], 'labels': {'${L}': 'a'}}},
        'networks': {'n': {'driver': 'overlay'}},
        'volumes': {'v': {'name': 'a'}},
        'secrets': {'s': {'file': './a'}},
        'configs': {'c': {'file': './a.conf'}},
    }
    assert config['services']['${KEY}']['image'] == '${IMAGE}'  # the input is not changed


# loader/interpolate.go: after interpolation, the strings at these paths become numbers or booleans.
CASTS = [
    ({'deploy': {'replicas': '${N}'}}, {'N': '3'}, ('deploy', 'replicas'), 3),
    ({'deploy': {'update_config': {'parallelism': '${N}'}}}, {'N': '2'}, ('deploy', 'update_config', 'parallelism'), 2),
    ({'deploy': {'update_config': {'max_failure_ratio': '${R}'}}}, {'R': '0.25'}, ('deploy', 'update_config', 'max_failure_ratio'), 0.25),
    ({'deploy': {'rollback_config': {'parallelism': '${N}'}}}, {'N': '0'}, ('deploy', 'rollback_config', 'parallelism'), 0),
    ({'deploy': {'restart_policy': {'max_attempts': '${N}'}}}, {'N': '5'}, ('deploy', 'restart_policy', 'max_attempts'), 5),
    ({'deploy': {'placement': {'max_replicas_per_node': '${N}'}}}, {'N': '1'}, ('deploy', 'placement', 'max_replicas_per_node'), 1),
    ({'healthcheck': {'retries': '${N}'}}, {'N': '4'}, ('healthcheck', 'retries'), 4),
    ({'healthcheck': {'disable': '${D}'}}, {'D': 'yes'}, ('healthcheck', 'disable'), True),
    ({'ports': [{'target': '${T}', 'published': '${P}'}]}, {'T': '80', 'P': '8080'}, ('ports', 0, 'published'), 8080),
    ({'ports': [{'target': '${T}'}]}, {'T': '80'}, ('ports', 0, 'target'), 80),
    ({'ulimits': {'nproc': '${N}'}}, {'N': '65535'}, ('ulimits', 'nproc'), 65535),
    ({'ulimits': {'nofile': {'soft': '${S}', 'hard': '${S}0'}}}, {'S': '2'}, ('ulimits', 'nofile', 'hard'), 20),
    ({'read_only': '${B}'}, {'B': 'TRUE'}, ('read_only',), True),
    ({'tty': '${B}'}, {'B': 'off'}, ('tty',), False),
    ({'stdin_open': '${B}'}, {'B': 'n'}, ('stdin_open',), False),
    ({'oom_score_adj': '${N}'}, {'N': '-500'}, ('oom_score_adj',), -500),
    ({'volumes': [{'type': 'volume', 'target': '/d', 'read_only': '${B}'}]}, {'B': 'on'}, ('volumes', 0, 'read_only'), True),
    ({'volumes': [{'type': 'volume', 'target': '/d', 'volume': {'nocopy': '${B}'}}]}, {'B': 'true'},
     ('volumes', 0, 'volume', 'nocopy'), True),
    ({'secrets': [{'source': 's', 'mode': '${M}'}]}, {'M': '0440'}, ('secrets', 0, 'mode'), 440),  # Go's Atoi: decimal
    ({'configs': [{'source': 'c', 'mode': '${M}'}]}, {'M': '292'}, ('configs', 0, 'mode'), 292),
    # Other paths keep the string.
    ({'environment': {'N': '${N}'}}, {'N': '3'}, ('environment', 'N'), '3'),
    ({'deploy': {'labels': {'replicas': '${N}'}}}, {'N': '3'}, ('deploy', 'labels', 'replicas'), '3'),
]


@pytest.mark.parametrize('definition, variables, path, expected', CASTS)
def test_casts_after_interpolation(definition, variables, path, expected):
    out = C.interpolate({'services': {'web': definition}}, variables)['services']['web']
    for key in path:
        out = out[key]
    assert out == expected and type(out) is type(expected)


@pytest.mark.parametrize('section', ['networks', 'volumes', 'secrets', 'configs'])
def test_external_is_cast_to_a_boolean(section):
    out = C.interpolate({section: {'x': {'external': '${E}'}}}, {'E': 'yes'})
    assert out[section]['x']['external'] is True


def test_a_literal_string_is_not_cast():
    # The CLI casts only what interpolation changed: `replicas: "3"` stays a string, and the schema refuses it.
    assert C.interpolate({'services': {'web': {'deploy': {'replicas': '3'}}}}, {})['services']['web']['deploy']['replicas'] == '3'
    with pytest.raises(ComposeError, match='services.web.deploy.replicas must be a integer, not string'):
        C.load([('a.yml', {'services': {'web': {'image': 'redis', 'deploy': {'replicas': '3'}}}})])


@pytest.mark.parametrize('definition, variables, message', [
    ({'deploy': {'replicas': '${N}'}}, {'N': 'three'}, "services.web.deploy.replicas: 'three' is not a valid integer"),
    ({'read_only': '${B}'}, {'B': 'maybe'}, "services.web.read_only: 'maybe' is not a valid boolean"),
    ({'deploy': {'update_config': {'max_failure_ratio': '${R}'}}}, {'R': 'half'},
     "services.web.deploy.update_config.max_failure_ratio: 'half' is not a valid number"),
])
def test_a_failed_cast_names_the_key(definition, variables, message):
    with pytest.raises(ComposeError) as err:
        C.interpolate({'services': {'web': definition}}, variables)
    assert str(err.value) == message


# =================================================================================================================
# load(): cli/compose/loader - forbidden, unsupported and deprecated keys, versions, schema, merging

def test_load_returns_the_interpolated_config_and_no_warnings():
    config, warnings = C.load([('a.yml', {'version': '3.8', 'services': {'web': {'image': '${IMAGE}'}}})], {'IMAGE': 'redis'})
    assert config == {'version': '3.8', 'services': {'web': {'image': 'redis'}}}
    assert warnings == []


@pytest.mark.parametrize('key', sorted(C.FORBIDDEN))
def test_forbidden_keys_are_an_error(key):
    with pytest.raises(ComposeError) as err:
        C.load([('a.yml', {'services': {'web': {'image': 'redis', key: 'x'}}})])
    assert str(err.value) == 'a.yml: compose file contains unsupported options: %s: %s' % (key, C.FORBIDDEN[key])


def test_all_forbidden_keys_are_named_sorted():
    with pytest.raises(ComposeError) as err:
        C.load([('a.yml', {'services': {'web': {'image': 'redis', 'volumes_from': ['x'], 'cpu_shares': 2},
                                        'db': {'image': 'redis', 'extends': 'x'}}})])
    assert str(err.value) == ('a.yml: compose file contains unsupported options: cpu_shares: %s; extends: %s; volumes_from: %s'
                              % (C.FORBIDDEN['cpu_shares'], C.FORBIDDEN['extends'], C.FORBIDDEN['volumes_from']))


def test_forbidden_keys_are_the_clis():
    assert sorted(C.FORBIDDEN) == ['cpu_quota', 'cpu_shares', 'cpuset', 'extends', 'mem_limit', 'memswap_limit',
                                   'volume_driver', 'volumes_from']


def test_unsupported_keys_are_one_sorted_warning_over_all_services_and_files():
    _config, warnings = C.load([
        ('a.yml', {'services': {'web': {'image': 'redis', 'restart': 'always'}, 'db': {'image': 'redis', 'build': '.'}}}),
        ('b.yml', {'services': {'web': {'privileged': True}, 'db': {'build': './db'}}}),
    ])
    assert warnings == ['Ignoring unsupported options: build, privileged, restart']


def test_unsupported_options_warning_as_the_cli_prints_it():
    _config, warnings = C.load([('a.yml', {'services': {'web': {'image': 'redis', 'restart': 'always', 'build': '.'}}})])
    assert warnings == ['Ignoring unsupported options: build, restart']


def test_unsupported_keys_are_the_clis():
    assert C.UNSUPPORTED == ('build', 'cgroupns_mode', 'cgroup_parent', 'devices', 'domainname', 'external_links', 'ipc', 'links',
                             'mac_address', 'network_mode', 'pid', 'privileged', 'restart', 'security_opt', 'shm_size', 'userns_mode')


def test_deprecated_keys_are_a_warning_with_the_clis_reason():
    _config, warnings = C.load([('a.yml', {'services': {'web': {'image': 'redis', 'container_name': 'w', 'expose': ['80']}}})])
    assert warnings == ['Ignoring deprecated options: container_name: Setting the container name is not supported.; '
                        "expose: Exposing ports is unnecessary - services on the same network can access each other's "
                        'containers on any port.']


@pytest.mark.parametrize('version', ['3', '3.0', '3.8', '3.13', None])
def test_compose_3_versions_load(version):
    config = {'services': {'web': {'image': 'redis'}}}
    if version is not None:
        config['version'] = version
    assert C.load([('a.yml', config)])[0]['services'] == {'web': {'image': 'redis'}}


@pytest.mark.parametrize('version', ['2.4', '2', '1', '4.0', 'latest'])
def test_other_versions_are_refused(version):
    with pytest.raises(ComposeError, match='^a.yml: version %s is not a compose file format docker stack deploy reads' % version):
        C.load([('a.yml', {'version': version, 'services': {'web': {'image': 'redis'}}})])


def test_files_of_different_versions_do_not_merge():
    with pytest.raises(ComposeError) as err:
        C.load([('a.yml', {'version': '3.7', 'services': {'web': {'image': 'redis'}}}),
                ('b.yml', {'version': '3.8', 'services': {'web': {'image': 'nginx'}}})])
    assert str(err.value) == 'b.yml: version mismatched between two compose files: 3.7 and 3.8; give every file the same version'


def test_version_3_is_the_default_version():
    # schema.normalizeVersion: "3" and a missing version are both the newest 3.x, so they merge.
    config, _warnings = C.load([('a.yml', {'version': '3', 'services': {'web': {'image': 'redis'}}}),
                                ('b.yml', {'services': {'web': {'image': 'nginx'}}})])
    assert config['services']['web']['image'] == 'nginx'


@pytest.mark.parametrize('files, message', [
    ([], 'compose: give at least one compose file or definition'),
    ([('a.yml', ['services'])], 'a.yml: top-level object must be a mapping (a compose file with a services key), not list'),
    ([('a.yml', {'services': {'web': {'image': 'redis'}}}), ('b.yml', {'services': {'web': {'imgae': 'x'}}})],
     'b.yml: services.web: unknown key imgae (additional properties are not allowed)'),
    ([('a.yml', {'services': {'web': {'image': 'redis', 'deploy': {'replicas': 'x', 'mode': 1}}}})],
     'a.yml: services.web.deploy.replicas must be a integer, not string; services.web.deploy.mode must be a string, not integer'),
])
def test_load_errors(files, message):
    with pytest.raises(ComposeError) as err:
        C.load(files)
    assert str(err.value) == message


@pytest.mark.parametrize('top', [{'version': '3.8'}, {'version': '3.8', 'services': {}}])
def test_no_services_loads_as_in_the_cli_but_is_not_deployed(top):
    config, _warnings = C.load([('a.yml', top)])
    assert config['services'] == {}
    with pytest.raises(ComposeError, match='^services: the compose files define no services$'):
        C.convert('probe', config)


def test_an_undefined_variable_names_the_key_it_is_in():
    with pytest.raises(ComposeError, match=r'^a\.yml: services\.web\.deploy\.labels\.owner: variable OWNER is not set'):
        C.load([('a.yml', {'services': {'web': {'image': 'redis', 'deploy': {'labels': {'owner': '${OWNER}'}}}}})])


def test_interpolation_comes_before_the_schema():
    config, _warnings = C.load([('a.yml', {'services': {'web': {'image': 'redis', 'deploy': {'replicas': '${N}'}}}})], {'N': '2'})
    assert config['services']['web']['deploy']['replicas'] == 2


def test_merging_files_as_cli_loader_merge_does():
    base = {'version': '3.8', 'services': {
        'web': {'image': 'web:1', 'command': ['serve', '--port', '80'],
                'environment': {'A': '1', 'B': '2'},
                'deploy': {'replicas': 2, 'labels': {'team': 'x'}, 'update_config': {'parallelism': 2, 'order': 'start-first'}},
                'volumes': ['data:/data', './conf:/etc/web:ro'],
                'secrets': ['token', {'source': 'cert', 'target': 'cert.pem'}],
                'ports': ['8080:80']},
        'db': {'image': 'mariadb'}},
        'networks': {'back': {'driver': 'overlay', 'labels': {'a': 'b'}}},
        'volumes': {'data': None}}
    override = {'version': '3.8', 'services': {
        'web': {'image': 'web:2', 'command': ['serve'],
                'environment': {'B': 'two', 'C': '3'},
                'deploy': {'replicas': 3, 'update_config': {'parallelism': 1}},
                'volumes': ['other:/data', '/cache'],
                'secrets': ['key', 'token'],
                'ports': ['8080:80', '9090:90']},
        'cache': {'image': 'redis'}},
        'networks': {'back': {'attachable': True}, 'front': None},
        'volumes': {'other': {'driver': 'local'}}}
    base['secrets'] = {'token': {'file': 't'}, 'cert': {'file': 'c'}, 'key': {'file': 'k'}}
    config, _warnings = C.load([('base.yml', base), ('override.yml', override)], working_dir='/tmp/probe')
    # What `docker stack config -c base.yml -c override.yml` of docker CLI 28.2.2 printed for these two files.
    assert config == {
        'version': '3.8',
        'services': {
            'cache': {'image': 'redis'},
            'db': {'image': 'mariadb'},
            'web': {
                'command': ['serve'],
                'deploy': {'replicas': 3, 'labels': {'team': 'x'}, 'update_config': {'parallelism': 1, 'order': 'start-first'}},
                'environment': {'A': '1', 'B': 'two', 'C': '3'},
                'image': 'web:2',
                'ports': [{'mode': 'ingress', 'target': 80, 'published': 8080, 'protocol': 'tcp'},
                          {'mode': 'ingress', 'target': 90, 'published': 9090, 'protocol': 'tcp'}],
                'secrets': [{'source': 'cert', 'target': 'cert.pem'}, {'source': 'key'}, {'source': 'token'}],
                'volumes': [{'type': 'volume', 'target': '/cache'}, {'type': 'volume', 'source': 'other', 'target': '/data'},
                            {'type': 'bind', 'source': '/tmp/probe/conf', 'target': '/etc/web', 'read_only': True}],
            },
        },
        'networks': {'back': {'attachable': True}, 'front': {}},
        'volumes': {'data': {}, 'other': {'driver': 'local'}},
        'secrets': {'cert': {'file': '/tmp/probe/c'}, 'key': {'file': '/tmp/probe/k'}, 'token': {'file': '/tmp/probe/t'}},
    }
    assert base['services']['web']['image'] == 'web:1'  # the inputs are not changed


def test_variables_apply_to_every_file():
    config, _warnings = C.load([('a.yml', {'services': {'web': {'image': 'redis:${TAG}'}}}),
                                ('b.yml', {'services': {'db': {'image': 'mariadb:${TAG}'}}})], {'TAG': '7'})
    assert config['services'] == {'web': {'image': 'redis:7'}, 'db': {'image': 'mariadb:7'}}


# =================================================================================================================
# Values: durations (time.ParseDuration), sizes (go-units RAMInBytes), CPUs (opts.ParseCPUs)

@pytest.mark.parametrize('value, nanoseconds', [
    ('10s', 10 * 10 ** 9),
    ('1m30s', 90 * 10 ** 9),
    ('1.5h', 5400 * 10 ** 9),
    ('500ms', 500 * 10 ** 6),
    ('2us', 2000),
    (u'2\u00b5s', 2000),
    ('7ns', 7),
    ('1h2m3s4ms', (3723 * 1000 + 4) * 10 ** 6),
    ('.5s', 5 * 10 ** 8),
    ('0', 0),
    ('-1s', -10 ** 9),
])
def test_parse_duration(value, nanoseconds):
    assert C.parse_duration(value, 'x') == nanoseconds


@pytest.mark.parametrize('value', ['10', '1d', 'abc', '1s2', 's', '1.5 h'])
def test_parse_duration_refuses_what_go_refuses(value):
    with pytest.raises(ComposeError, match=r'^services\.web\.stop_grace_period: .* is not a duration'):
        C.parse_duration(value, 'services.web.stop_grace_period')


@pytest.mark.parametrize('value, size', [
    (512, 512),
    ('512', 512),
    ('1k', 1024),
    ('1K', 1024),
    ('512M', 512 * 1024 ** 2),
    ('512m', 512 * 1024 ** 2),
    ('1g', 1024 ** 3),
    ('2GiB', 2 * 1024 ** 3),
    ('10MB', 10 * 1024 ** 2),
    ('1.5G', 3 * 1024 ** 3 // 2),
    ('1 kb', 1024),
    ('1t', 1024 ** 4),
    ('1p', 1024 ** 5),
])
def test_parse_size_binary_multiples(value, size):
    assert C.parse_size(value, 'x') == size


@pytest.mark.parametrize('value', ['lots', '-1m', '1x', '1.2.3G', 'M', ''])
def test_parse_size_errors(value):
    with pytest.raises(ComposeError, match=r'^deploy\.resources\.limits\.memory: .* is not a size'):
        C.parse_size(value, 'deploy.resources.limits.memory')


@pytest.mark.parametrize('value, nano', [('0.5', 500000000), ('2', 2000000000), (1.25, 1250000000), ('0.000000001', 1), ('0', 0)])
def test_parse_cpus(value, nano):
    assert C.parse_cpus(value, 'x') == nano


@pytest.mark.parametrize('value, message', [('half', 'is not a number of CPUs'), ('-1', 'cannot be negative')])
def test_parse_cpus_errors(value, message):
    with pytest.raises(ComposeError, match=message):
        C.parse_cpus(value, 'cpus')


# =================================================================================================================
# Image references: distribution/reference, the familiar name the Engine client sends (":latest" added)

TAGGED = [
    ('redis', 'redis:latest'),
    ('redis:7', 'redis:7'),
    ('redis:7.2-alpine', 'redis:7.2-alpine'),
    ('library/redis', 'redis:latest'),
    ('docker.io/library/redis:7', 'redis:7'),
    ('docker.io/redis', 'redis:latest'),
    ('index.docker.io/library/redis', 'redis:latest'),
    ('docker.io/bitnami/redis', 'bitnami/redis:latest'),
    ('bitnami/redis:7.0', 'bitnami/redis:7.0'),
    ('registry.example.com/team/app', 'registry.example.com/team/app:latest'),
    ('registry.example.com:5000/app:1.2', 'registry.example.com:5000/app:1.2'),
    ('localhost/app', 'localhost/app:latest'),
    ('localhost:5000/a/b/c:v1', 'localhost:5000/a/b/c:v1'),
    ('[::1]:5000/app:1', '[::1]:5000/app:1'),
    ('Registry.Example.COM/app', 'Registry.Example.COM/app:latest'),
    ('my_app__x.y-z', 'my_app__x.y-z:latest'),
    ('redis@' + DIGEST, 'redis@' + DIGEST),
    ('redis:7@' + DIGEST, 'redis:7@' + DIGEST),
    ('docker.io/library/redis@' + DIGEST, 'redis@' + DIGEST),
]


@pytest.mark.parametrize('image, sent', TAGGED)
def test_tagged_image_as_the_engine_client_sends_it(image, sent):
    assert C.tagged_image(image) == sent


@pytest.mark.parametrize('image, parts', [
    ('redis', ('redis', None, None)),
    ('docker.io/library/redis:7', ('redis', '7', None)),
    ('ghcr.io/org/app:1@' + DIGEST, ('ghcr.io/org/app', '1', DIGEST)),
    ('localhost:5000/app', ('localhost:5000/app', None, None)),
])
def test_parse_image_splits_familiar_name_tag_and_digest(image, parts):
    assert C.parse_image(image, 'image') == parts


INVALID_IMAGES = [
    'Redis',
    'UPPER/Case',
    'redis:',
    ':7',
    'redis:-7',
    'redis:' + 't' * 129,
    'a//b',
    '-redis',
    'redis-',
    'redis@sha256:abc',
    'redis@' + DIGEST[:-1] + 'g',
    'redis:with space',
    'http://registry/app',
    'a' * 256,
    'registry:port/app',
]


@pytest.mark.parametrize('image', INVALID_IMAGES)
def test_invalid_image_references(image):
    with pytest.raises(ComposeError, match=r"^services\.web\.image: invalid image reference"):
        C.parse_image(image, 'services.web.image')


@pytest.mark.parametrize('image', ['', None])
def test_no_image(image):
    with pytest.raises(ComposeError, match=r'^services\.web\.image: no image specified'):
        C.parse_image(image, 'services.web.image')


def test_a_service_without_an_image_is_an_error():
    with pytest.raises(ComposeError, match=r'^services\.web\.image: no image specified'):
        deploy({'web': {'command': 'true'}})


def test_an_invalid_image_is_an_error_naming_the_service():
    with pytest.raises(ComposeError, match=r"^services\.web\.image: invalid image reference 'Redis:7'"):
        deploy({'web': {'image': 'Redis:7'}})


@pytest.mark.parametrize('image, pinned', [
    ('redis', 'redis:latest@' + DIGEST),
    ('redis:7', 'redis:7@' + DIGEST),
    ('docker.io/library/redis', 'redis:latest@' + DIGEST),
    ('registry.example.com:5000/app:1.2', 'registry.example.com:5000/app:1.2@' + DIGEST),
    # Already pinned: unchanged (imageWithDigestString).
    ('redis@sha256:' + 'cd' * 32, 'redis@sha256:' + 'cd' * 32),
    ('redis:7@sha256:' + 'cd' * 32, 'redis:7@sha256:' + 'cd' * 32),
])
def test_with_digest_as_resolve_image_pins_it(image, pinned):
    assert C.with_digest(image, DIGEST) == pinned


# =================================================================================================================
# Ports, short syntax: nat.ParsePortSpec + swarmopts.ConvertPortToPortConfig

def port(target, published=None, protocol='tcp'):
    out = {'Protocol': protocol, 'TargetPort': target, 'PublishMode': 'ingress'}
    if published is not None:
        out['PublishedPort'] = published
    return out


@pytest.mark.parametrize('entry, ports', [
    ('80', [port(80)]),
    (80, [port(80)]),
    ('8080:80', [port(80, 8080)]),
    ('53:53/udp', [port(53, 53, 'udp')]),
    ('5000:5000/sctp', [port(5000, 5000, 'sctp')]),
    ('9000-9001:90-91/udp', [port(90, 9000, 'udp'), port(91, 9001, 'udp')]),
    ('3000-3002', [port(3000), port(3001), port(3002)]),
    ('0.0.0.0:8080:80', [port(80, 8080)]),
    ('8000-8001:80', [port(80, 8000), port(80, 8001)]),  # one target port, published on each port of the range
])
def test_parse_port_short_syntax(entry, ports):
    warnings = []
    assert C.parse_port(entry, 'services.web.ports[0]', warnings) == ports
    assert warnings == []


@pytest.mark.parametrize('entry, ports, host_ip', [
    ('127.0.0.1:8080:80', [port(80, 8080)], '127.0.0.1'),
    ('127.0.0.1::80', [port(80)], '127.0.0.1'),
    ('10.0.0.1:53:53/udp', [port(53, 53, 'udp')], '10.0.0.1'),
    ('[::1]:8080:80', [port(80, 8080)], '[::1]'),
])
def test_a_host_ip_is_ignored_with_the_clis_warning(entry, ports, host_ip):
    warnings = []
    assert C.parse_port(entry, 'services.web.ports[1]', warnings) == ports
    assert warnings == ['services.web.ports[1]: ignoring IP-address (%s) service will listen on 0.0.0.0' % host_ip]


@pytest.mark.parametrize('entry, message', [
    ('90-91:80-82', 'the published and target port ranges differ in size'),
    ('70000', "port '70000' is out of range"),
    ('91-90', "port '91-90' is out of range"),
    ('http', "'http' is not a port or port range"),
    ('8080:web', "'web' is not a port or port range"),
])
def test_parse_port_errors(entry, message):
    with pytest.raises(ComposeError) as err:
        C.parse_port(entry, 'services.web.ports[0]', [])
    assert str(err.value) == 'services.web.ports[0]: ' + message


# =================================================================================================================
# Volumes, short syntax: volumespec.Parse

@pytest.mark.parametrize('entry, volume', [
    ('data:/var/lib/x', {'type': 'volume', 'source': 'data', 'target': '/var/lib/x'}),
    ('data:/x:ro', {'type': 'volume', 'source': 'data', 'target': '/x', 'read_only': True}),
    ('data:/x:rw', {'type': 'volume', 'source': 'data', 'target': '/x', 'read_only': False}),
    ('data:/x:nocopy', {'type': 'volume', 'source': 'data', 'target': '/x', 'volume': {'nocopy': True}}),
    ('./conf:/etc/x', {'type': 'bind', 'source': './conf', 'target': '/etc/x'}),
    ('../shared:/s', {'type': 'bind', 'source': '../shared', 'target': '/s'}),
    ('~/x:/y', {'type': 'bind', 'source': '~/x', 'target': '/y'}),
    ('/srv:/srv:ro,rshared', {'type': 'bind', 'source': '/srv', 'target': '/srv', 'read_only': True, 'bind': {'propagation': 'rshared'}}),
    ('/cache', {'type': 'volume', 'target': '/cache'}),
    # Options the CLI does not know (SELinux relabelling, consistency) it ignores.
    ('./x:/y:z', {'type': 'bind', 'source': './x', 'target': '/y'}),
    ('./x:/y:ro,Z,cached', {'type': 'bind', 'source': './x', 'target': '/y', 'read_only': True}),
])
def test_parse_volume_short_syntax(entry, volume):
    assert C.parse_volume(entry, 'services.web.volumes[0]') == volume


@pytest.mark.parametrize('entry', ['a:b:c:d', 'data:', ':/x', 'data:/x:', 'a::b'])
def test_parse_volume_errors(entry):
    with pytest.raises(ComposeError, match=r'^services\.web\.volumes\[0\]: invalid volume specification'):
        C.parse_volume(entry, 'services.web.volumes[0]')


# =================================================================================================================
# convert(): cli/compose/convert - names, labels, defaults

def test_plain_service_is_the_spec_the_cli_sends():
    # `plain: {image: redis, restart: always}` in stack probe: every field convert.Service fills, with its default.
    out = deploy({'plain': {'image': 'redis', 'restart': 'always'}})
    assert out['services']['plain'] == {
        'Name': 'probe_plain',
        'Labels': {'com.docker.stack.namespace': 'probe', 'com.docker.stack.image': 'redis'},
        'TaskTemplate': {
            'ContainerSpec': {
                'Image': 'redis:latest', 'Labels': NS, 'Command': None, 'Args': None, 'Hostname': '', 'Env': [], 'Dir': '',
                'User': '', 'Mounts': [], 'StopSignal': '', 'TTY': False, 'OpenStdin': False, 'ReadOnly': False,
                'Secrets': [], 'Configs': [], 'Isolation': '', 'Hosts': [], 'Sysctls': {}, 'Ulimits': [], 'Privileges': {},
                'CapabilityAdd': [], 'CapabilityDrop': [],
            },
            'Resources': {},
            'Placement': {'Constraints': [], 'Preferences': [], 'MaxReplicas': 0},
            'Networks': [{'Target': 'probe_default', 'Aliases': ['plain']}],
            'RestartPolicy': {'Condition': 'any'},
        },
        'Mode': {'Replicated': {'Replicas': 1}},
        'EndpointSpec': {'Mode': 'vip', 'Ports': []},
    }
    assert out['networks'] == {'probe_default': {'Name': 'probe_default', 'Driver': 'overlay', 'Options': {}, 'Internal': False,
                                                 'Attachable': False, 'Labels': NS}}
    assert out['external_networks'] == []
    assert out['secrets'] == {} and out['configs'] == {}
    assert out['warnings'] == ['Ignoring unsupported options: restart']


def test_names_and_labels():
    out = deploy({'web': {'image': 'docker.io/library/nginx', 'labels': ['tier=front', 'bare'],
                          'deploy': {'labels': {'team': 'ops', 'com.docker.stack.namespace': 'spoofed'}}},
                  'db': {'image': 'mariadb:11', 'labels': {'backup': 'yes', 'n': 1, 'f': 1.5}}}, stack='shop')
    web, db = out['services']['web'], out['services']['db']
    assert (web['Name'], db['Name']) == ('shop_web', 'shop_db')
    # deploy.labels are the service's, the namespace label always wins, and the image label is the image as written.
    assert web['Labels'] == {'team': 'ops', 'com.docker.stack.namespace': 'shop', 'com.docker.stack.image': 'docker.io/library/nginx'}
    assert web['TaskTemplate']['ContainerSpec']['Image'] == 'nginx:latest'
    # labels are the container's.
    assert web['TaskTemplate']['ContainerSpec']['Labels'] == {'tier': 'front', 'bare': '', 'com.docker.stack.namespace': 'shop'}
    assert db['TaskTemplate']['ContainerSpec']['Labels'] == {'backup': 'yes', 'n': '1', 'f': '1.5', 'com.docker.stack.namespace': 'shop'}
    assert db['Labels']['com.docker.stack.image'] == 'mariadb:11'


@pytest.mark.parametrize('stack', ['', '-x', 'a b', 'a/b', None])
def test_invalid_stack_names(stack):
    config, _warnings = C.load([('a.yml', {'services': {'web': {'image': 'redis'}}})])
    with pytest.raises(ComposeError, match='is not a valid stack name'):
        C.convert(stack, config, read_file=reader({}))


# -- Networks: convertServiceNetworks and convert.Networks -----------------------------------------------------

def test_networks_scoped_sorted_with_the_service_name_as_alias():
    out = deploy({'web': {'image': 'nginx', 'networks': {'front': {'aliases': ['www']}, 'back': None,
                                                         'outside': None, 'named': None, 'host': None}},
                  'db': {'image': 'mariadb', 'networks': ['back']}},
                 networks={'front': {'driver_opts': {'com.docker.network.driver.mtu': 1400}, 'labels': ['a=b'], 'attachable': True},
                           'back': {'internal': True, 'ipam': {'driver': 'default', 'config': [{'subnet': '10.9.0.0/24'}]}},
                           'outside': {'external': True},
                           'named': {'external': {'name': 'shared-net'}},
                           'host': {'external': True, 'name': 'host'},
                           'unused': {}})
    assert out['services']['web']['TaskTemplate']['Networks'] == [
        {'Target': 'host', 'Aliases': []},  # predefined networks take no alias
        {'Target': 'outside', 'Aliases': ['web']},
        {'Target': 'probe_back', 'Aliases': ['web']},
        {'Target': 'probe_front', 'Aliases': ['www', 'web']},
        {'Target': 'shared-net', 'Aliases': ['web']},
    ]
    assert out['services']['db']['TaskTemplate']['Networks'] == [{'Target': 'probe_back', 'Aliases': ['db']}]
    # Only the networks a service uses, not the external ones, nor "default" when no service is on it.
    assert out['networks'] == {
        'probe_back': {'Name': 'probe_back', 'Driver': 'overlay', 'Options': {}, 'Internal': True, 'Attachable': False, 'Labels': NS,
                       'IPAM': {'Driver': 'default', 'Config': [{'Subnet': '10.9.0.0/24'}]}},
        'probe_front': {'Name': 'probe_front', 'Driver': 'overlay', 'Options': {'com.docker.network.driver.mtu': '1400'},
                        'Internal': False, 'Attachable': True, 'Labels': {'a': 'b', 'com.docker.stack.namespace': 'probe'}},
    }
    assert out['external_networks'] == ['host', 'shared-net', 'outside']


def test_network_with_a_name_and_a_driver():
    out = deploy({'web': {'image': 'nginx', 'networks': ['net']}}, networks={'net': {'name': 'custom', 'driver': 'weave'}})
    assert out['services']['web']['TaskTemplate']['Networks'] == [{'Target': 'custom', 'Aliases': ['web']}]
    assert out['networks']['custom']['Driver'] == 'weave'


def test_network_driver_opts_of_an_attachment():
    out = deploy({'web': {'image': 'nginx', 'networks': {'net': {'driver_opts': {'opt': 1}}}}}, networks={'net': None})
    assert out['services']['web']['TaskTemplate']['Networks'] == [{'Target': 'probe_net', 'Aliases': ['web'], 'DriverOpts': {'opt': '1'}}]


def test_the_default_network_can_be_named_explicitly():
    out = deploy({'web': {'image': 'nginx', 'networks': ['default']}})
    assert out['services']['web']['TaskTemplate']['Networks'] == [{'Target': 'probe_default', 'Aliases': ['web']}]
    assert list(out['networks']) == ['probe_default']


def test_an_undefined_network_is_an_error_naming_it():
    with pytest.raises(ComposeError) as err:
        deploy({'web': {'image': 'nginx', 'networks': ['back']}})
    assert str(err.value).startswith("services.web.networks: undefined network 'back'")


# -- Ports: convertEndpointSpec, sorted as swarm.PortConfig.Compare sorts ---------------------------------------

def test_ports_short_and_long_syntax_sorted():
    spec = service({'image': 'nginx', 'ports': [
        {'target': 9000, 'published': 9000, 'mode': 'host'},
        '443:443',
        {'target': 80, 'published': 8080},
        '53:53/udp',
        '53:53',
        {'target': 7000},
        '6000',
    ]})
    assert spec['EndpointSpec'] == {'Mode': 'vip', 'Ports': [
        {'Protocol': 'tcp', 'TargetPort': 6000, 'PublishMode': 'ingress'},
        {'Protocol': 'tcp', 'TargetPort': 7000, 'PublishMode': 'ingress'},
        {'Protocol': 'tcp', 'TargetPort': 53, 'PublishMode': 'ingress', 'PublishedPort': 53},
        {'Protocol': 'udp', 'TargetPort': 53, 'PublishMode': 'ingress', 'PublishedPort': 53},
        {'Protocol': 'tcp', 'TargetPort': 443, 'PublishMode': 'ingress', 'PublishedPort': 443},
        {'Protocol': 'tcp', 'TargetPort': 80, 'PublishMode': 'ingress', 'PublishedPort': 8080},
        {'Protocol': 'tcp', 'TargetPort': 9000, 'PublishMode': 'host', 'PublishedPort': 9000},
    ]}


def test_port_warnings_are_returned():
    out = deploy({'web': {'image': 'nginx', 'ports': ['127.0.0.1:8080:80']}})
    assert out['warnings'] == ["compose.yml: services.web.ports[0]: ignoring IP-address (127.0.0.1) service will listen on '0.0.0.0'"]


def test_dnsrr_cannot_publish_through_the_ingress():
    with pytest.raises(ComposeError, match=r'^services\.web: endpoint_mode dnsrr cannot publish ports through the ingress'):
        deploy({'web': {'image': 'nginx', 'ports': ['80:80'], 'deploy': {'endpoint_mode': 'dnsrr'}}})


def test_dnsrr_with_host_mode_ports():
    spec = service({'image': 'nginx', 'ports': [{'target': 80, 'published': 80, 'mode': 'host'}], 'deploy': {'endpoint_mode': 'DNSRR'}})
    assert spec['EndpointSpec'] == {'Mode': 'dnsrr', 'Ports': [{'Protocol': 'tcp', 'TargetPort': 80, 'PublishMode': 'host', 'PublishedPort': 80}]}


# -- Volumes: convert.Volumes, with the loader's relative bind paths ---------------------------------------------

def test_mounts():
    mounts = container({'image': 'app', 'volumes': [
        'data:/data',
        'ext:/ext:ro',
        'named:/named:nocopy',
        'drv:/drv',
        './conf:/etc/app:ro',
        '../shared:/shared',
        '/abs/path:/abs',
        '/cache',
        {'type': 'bind', 'source': 'rel', 'target': '/rel', 'bind': {'propagation': 'rslave'}},
        {'type': 'tmpfs', 'target': '/tmp', 'tmpfs': {'size': 65536}},
        {'type': 'tmpfs', 'target': '/run'},
        {'type': 'volume', 'source': 'data', 'target': '/data2', 'read_only': True, 'consistency': 'cached'},
    ]}, working_dir='/srv/app', volumes={
        'data': None,
        'ext': {'external': True},
        'named': {'name': 'fixed-name', 'labels': {'keep': 'yes'}},
        'drv': {'driver': 'local', 'driver_opts': {'type': 'nfs', 'o': 'addr=10.0.0.1'}},
    })['Mounts']
    vol = {'NoCopy': False, 'Labels': NS}
    assert mounts == [
        {'Type': 'volume', 'Target': '/data', 'ReadOnly': False, 'Source': 'probe_data', 'Consistency': '', 'VolumeOptions': vol},
        {'Type': 'volume', 'Target': '/ext', 'ReadOnly': True, 'Source': 'ext', 'Consistency': '', 'VolumeOptions': {'NoCopy': False}},
        {'Type': 'volume', 'Target': '/named', 'ReadOnly': False, 'Source': 'fixed-name', 'Consistency': '',
         'VolumeOptions': {'NoCopy': True, 'Labels': {'keep': 'yes', 'com.docker.stack.namespace': 'probe'}}},
        {'Type': 'volume', 'Target': '/drv', 'ReadOnly': False, 'Source': 'probe_drv', 'Consistency': '',
         'VolumeOptions': {'NoCopy': False, 'Labels': NS, 'DriverConfig': {'Name': 'local', 'Options': {'type': 'nfs', 'o': 'addr=10.0.0.1'}}}},
        {'Type': 'bind', 'Target': '/etc/app', 'ReadOnly': True, 'Source': '/srv/app/conf', 'Consistency': ''},
        {'Type': 'bind', 'Target': '/shared', 'ReadOnly': False, 'Source': '/srv/shared', 'Consistency': ''},
        {'Type': 'bind', 'Target': '/abs', 'ReadOnly': False, 'Source': '/abs/path', 'Consistency': ''},
        {'Type': 'volume', 'Target': '/cache', 'ReadOnly': False, 'Source': '', 'Consistency': ''},
        {'Type': 'bind', 'Target': '/rel', 'ReadOnly': False, 'Source': '/srv/app/rel', 'Consistency': '',
         'BindOptions': {'Propagation': 'rslave'}},
        {'Type': 'tmpfs', 'Target': '/tmp', 'ReadOnly': False, 'Source': '', 'Consistency': '', 'TmpfsOptions': {'SizeBytes': 65536}},
        {'Type': 'tmpfs', 'Target': '/run', 'ReadOnly': False, 'Source': '', 'Consistency': ''},
        {'Type': 'volume', 'Target': '/data2', 'ReadOnly': True, 'Source': 'probe_data', 'Consistency': 'cached', 'VolumeOptions': vol},
    ]


def test_external_volume_with_a_name():
    mounts = container({'image': 'app', 'volumes': ['old:/old']}, volumes={'old': {'external': {'name': 'legacy-data'}}})['Mounts']
    assert mounts[0]['Source'] == 'legacy-data' and mounts[0]['VolumeOptions'] == {'NoCopy': False}


def test_service_level_tmpfs_is_not_converted():
    # convert.Service has no field for a service's `tmpfs:` key: the CLI drops it without a word.
    assert container({'image': 'app', 'tmpfs': ['/run', '/tmp']})['Mounts'] == []


@pytest.mark.parametrize('volume, message', [
    ('nosuch:/data', "services.web.volumes[0]: undefined volume 'nosuch': define it under the top-level volumes key"),
    ({'type': 'tmpfs', 'source': 'x', 'target': '/t'}, 'services.web.volumes[0]: a tmpfs mount takes no source'),
    ({'type': 'volume', 'source': 'data', 'target': '/t', 'bind': {'propagation': 'rshared'}},
     'services.web.volumes[0]: bind and tmpfs options are incompatible with type volume'),
    ({'type': 'bind', 'target': '/t'}, 'compose.yml: services.web.volumes[0]: invalid mount config for type "bind": field Source must not be empty'),
    ({'type': 'nfs', 'source': 'x', 'target': '/t'}, "services.web.volumes[0]: unknown volume type 'nfs' (use volume, bind or tmpfs)"),
])
def test_volume_errors(volume, message):
    with pytest.raises(ComposeError) as err:
        deploy({'web': {'image': 'app', 'volumes': [volume]}}, volumes={'data': None})
    assert str(err.value) == message


# -- Secrets and configs: objects named <stack>_<key>-<sha256[:12]>, references as convertFileObject makes them -

def test_file_secrets_and_configs_are_named_by_their_content():
    files = {'/srv/app/secrets/db.txt': b's3cret\n', '/etc/shared/token': b'tok', '/srv/app/nginx.conf': b'server {}\n'}
    out = deploy({'web': {'image': 'nginx', 'secrets': ['db', 'token'], 'configs': ['nginx']}}, files=files,
                 secrets={'db': {'file': './secrets/db.txt', 'labels': {'kind': 'password'}}, 'token': {'file': '/etc/shared/token'}},
                 configs={'nginx': {'file': 'nginx.conf', 'template_driver': 'golang'}})
    assert out['secrets'] == {
        'db': {'name': 'probe_db-' + sha12(b's3cret\n'), 'external': False, 'data': b's3cret\n', 'key': 'db',
               'labels': {'kind': 'password', 'com.docker.stack.namespace': 'probe'}},
        'token': {'name': 'probe_token-' + sha12(b'tok'), 'external': False, 'data': b'tok', 'key': 'token', 'labels': NS},
    }
    assert out['configs'] == {'nginx': {'name': 'probe_nginx-' + sha12(b'server {}\n'), 'external': False, 'data': b'server {}\n',
                                        'key': 'nginx', 'labels': NS, 'templating': {'Name': 'golang'}}}
    spec = out['services']['web']['TaskTemplate']['ContainerSpec']
    assert spec['Secrets'] == [
        {'File': {'Name': 'db', 'UID': '0', 'GID': '0', 'Mode': 0o444}, 'SecretID': '', 'SecretName': 'probe_db-' + sha12(b's3cret\n')},
        {'File': {'Name': 'token', 'UID': '0', 'GID': '0', 'Mode': 0o444}, 'SecretID': '', 'SecretName': 'probe_token-' + sha12(b'tok')},
    ]
    assert spec['Configs'] == [{'File': {'Name': 'nginx', 'UID': '0', 'GID': '0', 'Mode': 0o444}, 'ConfigID': '',
                                'ConfigName': 'probe_nginx-' + sha12(b'server {}\n')}]


def test_a_changed_file_is_a_new_object():
    def name(content):
        return deploy({'web': {'image': 'nginx', 'secrets': ['s']}}, files={'/srv/app/s': content},
                      secrets={'s': {'file': 's'}})['secrets']['s']['name']
    assert name(b'one') == 'probe_s-' + sha12(b'one')
    assert name(b'two') == 'probe_s-' + sha12(b'two') != name(b'one')


def test_long_syntax_references_and_their_order():
    files = {'/srv/app/a': b'a', '/srv/app/b': b'b'}
    spec = container({'image': 'nginx', 'secrets': [
        'a', 'ext', {'source': 'b', 'target': '/run/b.pem', 'uid': '100', 'gid': '101', 'mode': 0o400}]},
        files=files, secrets={'a': {'file': 'a'}, 'b': {'file': 'b', 'name': 'bee'}, 'ext': {'external': True}})
    # Sorted by secret name; external ones by their own name.
    assert spec['Secrets'] == [
        {'File': {'Name': '/run/b.pem', 'UID': '100', 'GID': '101', 'Mode': 0o400}, 'SecretID': '', 'SecretName': 'bee-' + sha12(b'b')},
        {'File': {'Name': 'ext', 'UID': '0', 'GID': '0', 'Mode': 0o444}, 'SecretID': '', 'SecretName': 'ext'},
        {'File': {'Name': 'a', 'UID': '0', 'GID': '0', 'Mode': 0o444}, 'SecretID': '', 'SecretName': 'probe_a-' + sha12(b'a')},
    ]


@pytest.mark.parametrize('definition, name', [
    ({'external': True}, 'ext'),
    ({'external': {'name': 'real-name'}}, 'real-name'),
    ({'external': True, 'name': 'given'}, 'given'),
])
def test_external_secrets_by_name(definition, name):
    out = deploy({'web': {'image': 'nginx', 'secrets': ['ext']}}, secrets={'ext': definition})
    assert out['secrets'] == {'ext': {'name': name, 'external': True}}
    assert out['services']['web']['TaskTemplate']['ContainerSpec']['Secrets'][0]['SecretName'] == name


def test_external_configs_by_name():
    out = deploy({'web': {'image': 'nginx', 'configs': [{'source': 'c', 'target': '/etc/c.conf', 'mode': 0o440}]}},
                 configs={'c': {'external': True}})
    assert out['services']['web']['TaskTemplate']['ContainerSpec']['Configs'] == [
        {'File': {'Name': '/etc/c.conf', 'UID': '0', 'GID': '0', 'Mode': 0o440}, 'ConfigID': '', 'ConfigName': 'c'}]


def test_driver_secrets_have_no_data_and_no_digest():
    out = deploy({'web': {'image': 'nginx', 'secrets': ['vault']}},
                 secrets={'vault': {'driver': 'secrets-plugin', 'driver_opts': {'path': 'db'}}})
    assert out['secrets']['vault'] == {'name': 'probe_vault', 'external': False, 'data': b'', 'key': 'vault', 'labels': NS,
                                       'driver': {'Name': 'secrets-plugin', 'Options': {'path': 'db'}}}


def test_secret_files_are_read_through_read_file_relative_to_the_working_dir():
    read = reader({'/srv/project/pw': b'x'})
    config, _warnings = C.load([('a.yml', {'services': {'web': {'image': 'nginx'}}, 'secrets': {'pw': {'file': 'pw'}}})])
    C.convert('probe', config, read_file=read, working_dir='/srv/project')
    assert read.calls == ['/srv/project/pw']


def test_secret_files_from_tmp_path_with_the_default_reader(tmp_path):
    (tmp_path / 'pw.txt').write_bytes(b'from disk')
    config, _warnings = C.load([('a.yml', {'services': {'web': {'image': 'nginx', 'secrets': ['pw']}},
                                           'secrets': {'pw': {'file': './pw.txt'}}})])
    out = C.convert('probe', config, working_dir=str(tmp_path))
    assert out['secrets']['pw']['data'] == b'from disk'
    assert out['secrets']['pw']['name'] == 'probe_pw-' + sha12(b'from disk')


@pytest.mark.parametrize('kind, top, message', [
    ('secrets', {'s': {'file': 'missing'}}, 'secrets.s.file: cannot read /srv/app/missing: No such file or directory'),
    ('configs', {'s': {'file': '/abs/missing'}}, 'configs.s.file: cannot read /abs/missing: No such file or directory'),
    ('secrets', {'s': {'labels': ['a=b']}}, 'secrets.s: give file (a path on the managed node), driver or external'),
    ('secrets', {'s': {'file': 'x', 'driver': 'plugin'}}, 'compose.yml: secrets.s: secret.driver and secret.file conflict; only use secret.driver'),
    ('secrets', {'s': {'file': 'long', 'name': 'n' * 52}},
     'secrets.s: the name %s-%s is longer than 64 characters; give a shorter name' % ('n' * 52, sha12(b'x'))),
])
def test_secret_and_config_errors(kind, top, message):
    with pytest.raises(ComposeError) as err:
        deploy({'web': {'image': 'nginx'}}, files={'/srv/app/long': b'x'}, **{kind: top})
    assert str(err.value) == message


def test_a_name_of_64_characters_is_allowed():
    out = deploy({'web': {'image': 'nginx'}}, files={'/srv/app/s': b'x'}, secrets={'s': {'file': 's', 'name': 'n' * 51}})
    assert out['secrets']['s']['name'] == 'n' * 51 + '-' + sha12(b'x')


@pytest.mark.parametrize('kind', ['secrets', 'configs'])
def test_an_undefined_secret_or_config_is_an_error_naming_it(kind):
    with pytest.raises(ComposeError) as err:
        deploy({'web': {'image': 'nginx', kind: ['nosuch']}})
    assert str(err.value) == ("services.web.%s: undefined %s 'nosuch': define it under the top-level %s key (file: or external: true)"
                              % (kind, kind[:-1], kind))


# -- Environment: loader.resolveEnvironment (env_file, then environment; a bare name takes the variable) --------

def test_environment_and_env_file():
    files = {'/srv/app/common.env': b'# comment\n\nA=from-file\nB=file\n  C=indented\nEMPTY=\nBARE\nFROM_VARS\n',
             '/etc/app/override.env': b'B=second-file\n'}
    env = container({'image': 'app', 'env_file': ['common.env', '/etc/app/override.env'],
                     'environment': {'A': 'from-env', 'N': 1, 'F': 0.5, 'UNSET': None, 'SET': None, 'BLANK': ''}},
                    files=files, variables={'SET': 'from-vars', 'BLANK': 'vars-too', 'EMPTY': 'vars-empty', 'FROM_VARS': 'v'})['Env']
    assert env == ['A=from-env', 'B=second-file', 'BLANK=vars-too', 'C=indented', 'EMPTY=vars-empty', 'F=0.5', 'FROM_VARS=v', 'N=1',
                   'SET=from-vars', 'UNSET']


def test_environment_as_a_list():
    env = container({'image': 'app', 'environment': ['B=2', 'A=1=1', 'C', 'D=']}, variables={'C': 'c'})['Env']
    assert env == ['A=1=1', 'B=2', 'C=c', 'D=']


def test_env_file_as_a_string_and_unreadable():
    assert container({'image': 'app', 'env_file': '.env'}, files={'/srv/app/.env': b'X=1\n'})['Env'] == ['X=1']
    with pytest.raises(ComposeError) as err:
        deploy({'web': {'image': 'app', 'env_file': 'missing.env'}})
    assert str(err.value) == ('compose.yml: services.web.env_file: cannot read /srv/app/missing.env: No such file or directory '
                              '(the path is relative to the folder of the first compose file)')


def test_parse_env_file():
    # pkg/kvfile: comments and blank lines skipped, leading blanks trimmed, a bare name only when it is set.
    lines = C.parse_env_lines(b'A=1\n#B=2\n\n   C=x=y\nD\nE\nF=\n', 'e.env', {'D': 'd'}, None)
    assert lines == ['A=1', 'C=x=y', 'D=d', 'F=']


# -- Healthcheck: convertHealthcheck with the loader's string -> CMD-SHELL -----------------------------------------

@pytest.mark.parametrize('check, health', [
    ({'test': 'curl -f http://localhost/'}, {'Test': ['CMD-SHELL', 'curl -f http://localhost/']}),
    ({'test': ['CMD', 'redis-cli', 'ping'], 'interval': '10s', 'timeout': '5s', 'retries': 3, 'start_period': '1m', 'start_interval': '2s'},
     {'Test': ['CMD', 'redis-cli', 'ping'], 'Interval': 10 ** 10, 'Timeout': 5 * 10 ** 9, 'Retries': 3, 'StartPeriod': 60 * 10 ** 9,
      'StartInterval': 2 * 10 ** 9}),
    ({'disable': True}, {'Test': ['NONE']}),
    ({'test': ['NONE']}, {'Test': ['NONE']}),
])
def test_healthcheck(check, health):
    assert container({'image': 'app', 'healthcheck': check})['Healthcheck'] == health


def test_no_healthcheck_key_without_a_healthcheck():
    assert 'Healthcheck' not in container({'image': 'app'})


def test_healthcheck_test_and_disable_conflict():
    with pytest.raises(ComposeError, match=r'^services\.web\.healthcheck: test and disable cannot be set at the same time'):
        deploy({'web': {'image': 'app', 'healthcheck': {'test': 'true', 'disable': True}}})


# -- Durations, resources, restart policy, update and rollback config -----------------------------------------------

def test_stop_grace_period():
    assert container({'image': 'app', 'stop_grace_period': '1m30s'})['StopGracePeriod'] == 90 * 10 ** 9
    assert 'StopGracePeriod' not in container({'image': 'app'})


def test_resources():
    spec = service({'image': 'app', 'deploy': {'resources': {
        'limits': {'cpus': '1.5', 'memory': '512M', 'pids': 100},
        'reservations': {'cpus': '0.25', 'memory': '1g', 'generic_resources': [{'discrete_resource_spec': {'kind': 'gpu', 'value': 2}}]}}}})
    assert spec['TaskTemplate']['Resources'] == {
        'Limits': {'NanoCPUs': 1500000000, 'MemoryBytes': 512 * 1024 ** 2, 'Pids': 100},
        'Reservations': {'NanoCPUs': 250000000, 'MemoryBytes': 1024 ** 3,
                         'GenericResources': [{'DiscreteResourceSpec': {'Kind': 'gpu', 'Value': 2}}]},
    }


def test_resources_errors_name_the_key():
    with pytest.raises(ComposeError, match=r"^compose\.yml: services\.web\.deploy\.resources\.limits\.memory: invalid size: '1x'"):
        deploy({'web': {'image': 'app', 'deploy': {'resources': {'limits': {'memory': '1x'}}}}})
    with pytest.raises(ComposeError, match=r"^services\.web\.deploy\.resources\.reservations\.cpus: 'one' is not a number of CPUs"):
        deploy({'web': {'image': 'app', 'deploy': {'resources': {'reservations': {'cpus': 'one'}}}}})


def test_restart_policy_from_deploy():
    spec = service({'image': 'app', 'restart': 'no', 'deploy': {'restart_policy': {
        'condition': 'on-failure', 'delay': '5s', 'max_attempts': 3, 'window': '2m'}}})
    assert spec['TaskTemplate']['RestartPolicy'] == {'Condition': 'on-failure', 'Delay': 5 * 10 ** 9, 'MaxAttempts': 3,
                                                     'Window': 120 * 10 ** 9}


@pytest.mark.parametrize('restart, policy', [
    ('always', {'Condition': 'any'}),
    ('unless-stopped', {'Condition': 'any'}),
    ('on-failure', {'Condition': 'on-failure'}),
    ('on-failure:3', {'Condition': 'on-failure', 'MaxAttempts': 3}),
    ('always:0', {'Condition': 'any'}),
])
def test_legacy_restart(restart, policy):
    assert service({'image': 'app', 'restart': restart})['TaskTemplate']['RestartPolicy'] == policy


@pytest.mark.parametrize('restart', ['no', None])
def test_no_restart_policy(restart):
    definition = {'image': 'app'}
    if restart:
        definition['restart'] = restart
    assert 'RestartPolicy' not in service(definition)['TaskTemplate']


def test_unknown_legacy_restart_policy():
    with pytest.raises(ComposeError, match=r"^services\.web\.restart: unknown policy 'sometimes'"):
        deploy({'web': {'image': 'app', 'restart': 'sometimes'}})


@pytest.mark.parametrize('key, field', [('update_config', 'UpdateConfig'), ('rollback_config', 'RollbackConfig')])
def test_update_and_rollback_config(key, field):
    assert field not in service({'image': 'app'})
    assert service({'image': 'app', 'deploy': {key: {}}})[field] == {'Parallelism': 1}
    assert service({'image': 'app', 'deploy': {key: {'order': 'start-first'}}})[field] == {'Parallelism': 1, 'Order': 'start-first'}
    assert service({'image': 'app', 'deploy': {key: {'parallelism': 0}}})[field] == {'Parallelism': 0}
    full = {'parallelism': 2, 'delay': '10s', 'failure_action': 'rollback', 'monitor': '1m', 'max_failure_ratio': 0.3, 'order': 'stop-first'}
    assert service({'image': 'app', 'deploy': {key: full}})[field] == {
        'Parallelism': 2, 'Delay': 10 ** 10, 'FailureAction': 'rollback', 'Monitor': 60 * 10 ** 9, 'MaxFailureRatio': 0.3, 'Order': 'stop-first'}


# -- Modes: convertDeployMode --------------------------------------------------------------------------------------

@pytest.mark.parametrize('deploy_section, mode', [
    (None, {'Replicated': {'Replicas': 1}}),
    ({'replicas': 3}, {'Replicated': {'Replicas': 3}}),
    ({'replicas': 0}, {'Replicated': {'Replicas': 0}}),
    ({'mode': 'replicated'}, {'Replicated': {'Replicas': 1}}),
    ({'mode': 'global'}, {'Global': {}}),
    ({'mode': 'replicated-job'}, {'ReplicatedJob': {'MaxConcurrent': 1, 'TotalCompletions': 1}}),
    ({'mode': 'replicated-job', 'replicas': 4}, {'ReplicatedJob': {'MaxConcurrent': 4, 'TotalCompletions': 4}}),
    ({'mode': 'global-job'}, {'GlobalJob': {}}),
])
def test_modes(deploy_section, mode):
    definition = {'image': 'app'}
    if deploy_section is not None:
        definition['deploy'] = deploy_section
    assert service(definition)['Mode'] == mode


@pytest.mark.parametrize('mode', ['global', 'global-job'])
def test_replicas_with_a_global_mode_is_an_error(mode):
    with pytest.raises(ComposeError) as err:
        deploy({'web': {'image': 'app', 'deploy': {'mode': mode, 'replicas': 2}}})
    assert str(err.value) == 'services.web.deploy.replicas: replicas can only be used with replicated or replicated-job mode'


def test_unknown_mode():
    with pytest.raises(ComposeError, match=r"^services\.web\.deploy\.mode: unknown mode 'everywhere'"):
        deploy({'web': {'image': 'app', 'deploy': {'mode': 'everywhere'}}})


# -- Container fields: caps, hosts, ulimits, dns, commands and the rest ----------------------------------------------

@pytest.mark.parametrize('add, drop, effective', [
    (['net_admin', 'SYS_TIME', 'CAP_CHOWN', ' sys_time '], None, (['CAP_CHOWN', 'CAP_NET_ADMIN', 'CAP_SYS_TIME'], [])),
    (None, ['mknod', 'CAP_NET_RAW'], ([], ['CAP_MKNOD', 'CAP_NET_RAW'])),
    (['NET_ADMIN'], ['net_admin', 'MKNOD'], (['CAP_NET_ADMIN'], ['CAP_MKNOD'])),  # adding wins
    (['all', 'NET_ADMIN'], ['MKNOD'], (['ALL'], ['CAP_MKNOD'])),
    (['ALL'], ['ALL', 'MKNOD'], (['ALL'], [])),
    (['NET_ADMIN'], ['all', 'MKNOD'], (['CAP_NET_ADMIN'], ['ALL'])),
    (['RESET', 'NET_ADMIN'], ['reset'], (['CAP_NET_ADMIN'], [])),  # RESET is for `service update` only
])
def test_capabilities_as_effective_cap_add_cap_drop(add, drop, effective):
    definition = {'image': 'app'}
    if add:
        definition['cap_add'] = add
    if drop:
        definition['cap_drop'] = drop
    spec = container(definition)
    assert (spec['CapabilityAdd'], spec['CapabilityDrop']) == effective


@pytest.mark.parametrize('hosts, expected', [
    (['somehost:162.242.195.82', 'otherhost=50.31.209.229', 'v6host:[::1]', 'plain6:fe80::1'],
     ['162.242.195.82 somehost', '50.31.209.229 otherhost', '::1 v6host', 'fe80::1 plain6']),  # a list keeps its order
    ({'b-host': '10.0.0.2', 'a-host': '10.0.0.1', 'v6': '[2001:db8::1]'}, ['10.0.0.1 a-host', '10.0.0.2 b-host', '2001:db8::1 v6']),
])
def test_extra_hosts(hosts, expected):
    assert container({'image': 'app', 'extra_hosts': hosts})['Hosts'] == expected


def test_ulimits_sorted_by_name():
    spec = container({'image': 'app', 'ulimits': {'nproc': 65535, 'nofile': {'soft': 20000, 'hard': 40000}}})
    assert spec['Ulimits'] == [{'Name': 'nofile', 'Soft': 20000, 'Hard': 40000}, {'Name': 'nproc', 'Soft': 65535, 'Hard': 65535}]


@pytest.mark.parametrize('definition, dns_config', [
    ({'dns': '8.8.8.8'}, {'Nameservers': ['8.8.8.8'], 'Search': []}),
    ({'dns': ['1.1.1.1', '9.9.9.9'], 'dns_search': 'example.com'}, {'Nameservers': ['1.1.1.1', '9.9.9.9'], 'Search': ['example.com']}),
    ({'dns_search': ['a.example', 'b.example']}, {'Nameservers': [], 'Search': ['a.example', 'b.example']}),
])
def test_dns(definition, dns_config):
    definition['image'] = 'app'
    assert container(definition)['DNSConfig'] == dns_config


def test_no_dns_config_without_dns():
    assert 'DNSConfig' not in container({'image': 'app'})


def test_entrypoint_is_command_and_command_is_args():
    spec = container({'image': 'app', 'entrypoint': '/bin/sh -c', 'command': 'echo "hello world" $$HOME'})
    assert spec['Command'] == ['/bin/sh', '-c']
    assert spec['Args'] == ['echo', 'hello world', '$HOME']
    spec = container({'image': 'app', 'entrypoint': ['/entry.sh'], 'command': ['a b', 'c']})
    assert (spec['Command'], spec['Args']) == (['/entry.sh'], ['a b', 'c'])


def test_other_container_fields():
    spec = service({'image': 'app', 'hostname': 'web-{{.Node.Hostname}}', 'user': '1000:1000', 'working_dir': '/app',
                    'stop_signal': 'SIGQUIT', 'tty': True, 'stdin_open': True, 'read_only': True, 'init': True, 'oom_score_adj': -100,
                    'sysctls': ['net.core.somaxconn=1024', 'net.ipv4.tcp_syncookies=0'], 'isolation': 'process',
                    'logging': {'driver': 'json-file', 'options': {'max-size': '10m', 'max-file': 3}},
                    'deploy': {'placement': {'constraints': ['node.role == manager', 'node.labels.zone != b'],
                                             'preferences': [{'spread': 'node.labels.zone'}], 'max_replicas_per_node': 2}}})
    task = spec['TaskTemplate']
    spec = task['ContainerSpec']
    assert (spec['Hostname'], spec['User'], spec['Dir'], spec['StopSignal']) == ('web-{{.Node.Hostname}}', '1000:1000', '/app', 'SIGQUIT')
    # oom_score_adj: the CLI's loader drops it (no field of its ServiceConfig takes the key), so no OomScoreAdj.
    assert (spec['TTY'], spec['OpenStdin'], spec['ReadOnly'], spec['Init'], spec.get('OomScoreAdj')) == (True, True, True, True, None)
    assert spec['Sysctls'] == {'net.core.somaxconn': '1024', 'net.ipv4.tcp_syncookies': '0'}
    assert spec['Isolation'] == 'process'
    assert task['LogDriver'] == {'Name': 'json-file', 'Options': {'max-size': '10m', 'max-file': '3'}}
    assert task['Placement'] == {'Constraints': ['node.role == manager', 'node.labels.zone != b'],
                                 'Preferences': [{'Spread': {'SpreadDescriptor': 'node.labels.zone'}}], 'MaxReplicas': 2}


def test_init_false_is_sent():
    assert container({'image': 'app', 'init': False})['Init'] is False
    assert 'Init' not in container({'image': 'app'})


def test_services_of_a_realistic_stack():
    # The shape of demo/stack/compose.yml: variables, secrets, a named volume, an overlay network, a global web.
    variables = {'REGISTRY': 'registry.lab:5000', 'WEB_PORT': '8080'}
    out = deploy({
        'db': {'image': '${REGISTRY:?set REGISTRY}/anchorage/mariadb:${TAG:-latest}', 'secrets': ['db_password'],
               'volumes': ['db-data:/var/lib/mysql'], 'networks': ['backend'], 'stop_grace_period': '60s',
               'deploy': {'replicas': 1, 'endpoint_mode': '${ENDPOINT_MODE:-vip}',
                          'placement': {'constraints': ['node.role == manager']}}},
        'web': {'image': '${REGISTRY}/anchorage/demo-web:${TAG:-latest}', 'networks': ['backend'],
                'ports': [{'target': 8080, 'published': '${WEB_PORT:-8080}', 'protocol': 'tcp', 'mode': '${PUBLISH_MODE:-ingress}'}],
                'deploy': {'mode': 'global', 'update_config': {'parallelism': 1, 'order': '${UPDATE_ORDER:-start-first}',
                                                               'failure_action': 'rollback', 'monitor': '30s'}}},
    }, variables=variables, files={'/srv/app/secrets/db_password': b'pw'}, networks={'backend': {'driver': 'overlay', 'attachable': False}},
        volumes={'db-data': {}}, secrets={'db_password': {'file': './secrets/db_password'}})
    db, web = out['services']['db'], out['services']['web']
    assert db['TaskTemplate']['ContainerSpec']['Image'] == 'registry.lab:5000/anchorage/mariadb:latest'
    assert db['Labels']['com.docker.stack.image'] == 'registry.lab:5000/anchorage/mariadb:latest'
    assert db['TaskTemplate']['ContainerSpec']['Mounts'][0]['Source'] == 'probe_db-data'
    assert db['TaskTemplate']['ContainerSpec']['Secrets'][0]['SecretName'] == 'probe_db_password-' + sha12(b'pw')
    assert web['Mode'] == {'Global': {}}
    assert web['EndpointSpec'] == {'Mode': 'vip', 'Ports': [{'Protocol': 'tcp', 'TargetPort': 8080, 'PublishMode': 'ingress',
                                                             'PublishedPort': 8080}]}
    assert web['UpdateConfig'] == {'Parallelism': 1, 'FailureAction': 'rollback', 'Monitor': 30 * 10 ** 9, 'Order': 'start-first'}
    assert list(out['networks']) == ['probe_backend']
    assert sorted(out['services']) == ['db', 'web']
