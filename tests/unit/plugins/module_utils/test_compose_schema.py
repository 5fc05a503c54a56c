# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The compose schemas `docker stack deploy` validates against (docker/cli v28.2.2's 3.0 to 3.13) and the validator.

Every row that says what the CLI does was checked against docker CLI 28.2.2 (`docker stack config -c file.yml`,
which needs no daemon): its `cli` column is what the CLI printed (None: it accepted the file).
test_the_docker_cli_agrees runs the CLI again on every such row where docker 28.2.2 is on PATH (or DOCKER_CLI).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import subprocess

import docker_cli
import pytest

from ansible_collections.anchorage.swarm.plugins.module_utils import _compose_schema as S
from ansible_collections.anchorage.swarm.plugins.module_utils._compose_schema import (
    SCHEMA, VERSIONS, is_duration, is_ports, schema_for, schema_version, validate)

CLI_VERSION = '28.2.2'


def svc(version='3.8', **service):
    """A compose file of VERSION (None: no version key) with one service "web" (image redis unless given)."""
    service.setdefault('image', 'redis')
    config = {'services': {'web': service}}
    if version is not None:
        config['version'] = version
    return config


def top(version, **sections):
    """A compose file of VERSION with the service "web" and top-level SECTIONS."""
    config = svc(version)
    config.update(sections)
    return config


def canonical_sha256(schema):
    return hashlib.sha256(json.dumps(schema, sort_keys=True).encode('utf-8')).hexdigest()


# -- The schemas are docker/cli v28.2.2's files --------------------------------------------------------------------

def test_schema_is_the_clis_3_13_file():
    # sha256 of json.dumps(sort_keys=True) of the CLI's file with "$schema" popped (docker/cli v28.2.2, the same
    # file as master 28f7560); an edit of SCHEMA, however small, changes it.
    assert canonical_sha256(SCHEMA) == 'a55276f1aa6ce206c102c648d3e78c644419d8455e9c5cfc37801e6270593bb2'
    assert SCHEMA['id'] == 'config_schema_v3.13.json'
    assert '$schema' not in SCHEMA
    assert schema_for('3.13') is SCHEMA


def test_there_is_a_schema_for_each_file_of_the_cli():
    # cli/compose/schema/data of v28.2.2: config_schema_v3.0.json ... config_schema_v3.13.json.
    assert VERSIONS == ('3.0', '3.1', '3.2', '3.3', '3.4', '3.5', '3.6', '3.7', '3.8', '3.9', '3.10', '3.11', '3.12', '3.13')
    assert sorted(S._SHA256) == sorted(VERSIONS)


@pytest.mark.parametrize('version', VERSIONS)
def test_each_patched_schema_is_the_clis_file(version):
    # The round trip of scripts/compose-schemas.py --check, without the files: 3.13 patched for VERSION hashes to
    # the sha256 of the CLI's config_schema_vVERSION.json, stored when the patch was generated.
    schema = schema_for(version)
    assert canonical_sha256(schema) == S._SHA256[version]
    assert schema['id'] == 'config_schema_v%s.json' % version
    assert canonical_sha256(SCHEMA) == S._SHA256['3.13']  # building it left 3.13 alone


def test_each_patch_row_names_versions_older_than_3_13():
    for row in S._PATCH:
        assert len(row) in (2, 3)
        versions = S._versions(row[0])
        assert versions and '3.13' not in versions


@pytest.mark.skipif(not os.path.isdir('/tmp/schemas'), reason='the schema files are not in /tmp/schemas')
def test_the_files_give_the_same_schemas():
    for version in VERSIONS:
        with open(os.path.join('/tmp/schemas', '%s.json' % version)) as handle:
            original = json.load(handle)
        original.pop('$schema')
        assert schema_for(version) == original


def test_an_unsupported_version_has_no_schema():
    with pytest.raises(ValueError, match='unsupported Compose file version: 2.4'):
        schema_for('2.4')


# -- schema.Version(): which schema a file is checked against -------------------------------------------------------

SCHEMA_VERSIONS = [
    # (config, schema.Version(config)); a float is what Go's %v prints of it. Each checked against docker CLI
    # 28.2.2: "unsupported Compose file version: <it>" where there is no such schema, and a "3.x" it has is used.
    ({'services': {}}, '3.13'),
    ({'version': '', 'services': {}}, '3.13'),
    ({'version': '3', 'services': {}}, '3.13'),
    ({'version': '3.8', 'services': {}}, '3.8'),
    ({'version': '3.10', 'services': {}}, '3.10'),
    ({'version': 3.10, 'services': {}}, '3.1'),
    ({'version': 3.8, 'services': {}}, '3.8'),
    ({'version': 3, 'services': {}}, '3.13'),
    ({'version': 3.0, 'services': {}}, '3.13'),  # %v of 3.0 is "3"
    ({'version': 2.40, 'services': {}}, '2.4'),
    ({'version': 4, 'services': {}}, '4'),
    ({'version': None, 'services': {}}, '<nil>'),
    ({'version': True, 'services': {}}, 'true'),
    ({'version': 1000000.0, 'services': {}}, '1e+06'),
    ({'version': 123456.0, 'services': {}}, '123456'),
    ({'version': 0.00001, 'services': {}}, '1e-05'),
    ({'version': -0.0, 'services': {}}, '-0'),
    ({'version': [3], 'services': {}}, '[3]'),
    ({'version': {'a': 3}, 'services': {}}, 'map[a:3]'),
]


@pytest.mark.parametrize('config, version', SCHEMA_VERSIONS)
def test_schema_version_is_the_clis(config, version):
    assert schema_version(config) == version


# -- Versions: the CLI's verdict, and ours ----------------------------------------------------------------------

VERSION_ROWS = [
    # (id, config, our errors, what docker CLI 28.2.2 printed)
    ('no version is 3.13', svc(None, healthcheck={'start_interval': '1s'}), [], None),
    ('"" is 3.13', svc('', healthcheck={'start_interval': '1s'}), [], None),
    ('"3" is 3.13', svc('3', healthcheck={'start_interval': '1s'}), [], None),
    ('3 unquoted is an integer', svc(3),
     ['version must be a string, not integer: write it in quotes, version: "3"'], 'version must be a string'),
    ('3.0 unquoted is an integer, 3.13', svc(3.0),
     ['version must be a string, not integer: write it in quotes, version: "3.0"'], 'version must be a string'),
    ('3.8 unquoted', svc(3.8),
     ['version must be a string, not number: write it in quotes, version: "3.8"'], 'version must be a string'),
    ('3.10 unquoted is 3.1', svc(3.10, healthcheck={'start_period': '1s'}), [  # in the order of the file's keys
        'services.web.healthcheck: unknown key start_period (additional properties are not allowed): start_period needs '
        'compose file version 3.4 or later, and this file is version 3.1',
        'version must be a string, not number: write it in quotes, version: "3.1" (or "3.10": unquoted, 3.10 is the number 3.1)',
    ], 'services.web.healthcheck Additional property start_period is not allowed'),
    ('"2.4"', svc('2.4'), [
        'version 2.4 is not a compose file format docker stack deploy reads (unsupported Compose file version: 2.4): '
        'write version: "3.13" (or the 3.x version the file was written for, "3.0" to "3.13"), or leave version out, '
        'which means 3.13'], 'unsupported Compose file version: 2.4'),
    ('4', svc(4), [S._unsupported('4')], 'unsupported Compose file version: 4'),
    ('"3.14"', svc('3.14'), [S._unsupported('3.14')], 'unsupported Compose file version: 3.14'),
    ('null', {'version': None, 'services': {'web': {'image': 'redis'}}}, [S._unsupported('<nil>')],
     'unsupported Compose file version: <nil>'),
    ('true', svc(True), [S._unsupported('true')], 'unsupported Compose file version: true'),
    ('1000000.0', svc(1000000.0), [S._unsupported('1e+06')], 'unsupported Compose file version: 1e+06'),
]


@pytest.mark.parametrize('config, errors', [row[1:3] for row in VERSION_ROWS], ids=[row[0] for row in VERSION_ROWS])
def test_versions(config, errors):
    assert validate(config) == errors


def test_an_unsupported_version_says_what_to_write():
    assert validate(svc('2.4')) == [S._unsupported('2.4')]
    assert 'write version: "3.13"' in S._unsupported('2.4')


def test_the_version_given_wins_over_the_files():
    # The loader validates every file against the version of the first (they must agree anyway).
    assert validate(svc('3.13', healthcheck={'start_interval': '1s'}), '3.11') == [
        'services.web.healthcheck: unknown key start_interval (additional properties are not allowed): start_interval '
        'needs compose file version 3.12 or later, and this file is version 3.11']
    assert validate(svc('3.11', healthcheck={'start_interval': '1s'}), '3') == []
    assert validate(svc('3.8'), '2.4') == [S._unsupported('2.4')]


# -- Version boundaries: each key or form the schemas add, refused by the version before, accepted by its own --------

def _refused(version, where, key, since):
    return ['%s: unknown key %s (additional properties are not allowed): %s needs compose file version %s or later, '
            'and this file is version %s' % (where, key, key, since, version)]


def _form(version, where, types, kind, since):
    return ['%s must be a %s, not %s: this form needs compose file version %s or later, and this file is version %s'
            % (where, types, kind, since, version)]


BOUNDARIES = [
    # (id, config, our errors, what docker CLI 28.2.2 printed)
    ('secrets top-level 3.0', top('3.0', secrets={'s': {'file': './s.txt'}}), _refused('3.0', '(root)', 'secrets', '3.1'),
     '(root) Additional property secrets is not allowed'),
    ('secrets top-level 3.1', top('3.1', secrets={'s': {'file': './s.txt'}}), [], None),
    ('service secrets 3.0', svc('3.0', secrets=['s']), _refused('3.0', 'services.web', 'secrets', '3.1'),
     'services.web Additional property secrets is not allowed'),
    ('ports long syntax 3.1', svc('3.1', ports=[{'target': 80}]), _form('3.1', 'services.web.ports.0', 'string or number', 'object', '3.2'),
     'services.web.ports.0 must be a string or number'),
    ('ports long syntax 3.2', svc('3.2', ports=[{'target': 80}]), [], None),
    ('volumes long syntax 3.1', svc('3.1', volumes=[{'type': 'volume', 'source': 'a', 'target': '/a'}]),
     _form('3.1', 'services.web.volumes.0', 'string', 'object', '3.2'), 'services.web.volumes.0 must be a string'),
    ('volumes long syntax 3.2', svc('3.2', volumes=[{'type': 'volume', 'source': 'a', 'target': '/a'}]), [], None),
    ('endpoint_mode 3.1', svc('3.1', deploy={'endpoint_mode': 'dnsrr'}), _refused('3.1', 'services.web.deploy', 'endpoint_mode', '3.2'),
     'services.web.deploy Additional property endpoint_mode is not allowed'),
    ('endpoint_mode 3.2', svc('3.2', deploy={'endpoint_mode': 'dnsrr'}), [], None),
    ('network attachable 3.1', top('3.1', networks={'n': {'attachable': True}}), _refused('3.1', 'networks.n', 'attachable', '3.2'),
     'networks.n Additional property attachable is not allowed'),
    ('configs top-level 3.2', top('3.2', configs={'c': {'file': './c.conf'}}), _refused('3.2', '(root)', 'configs', '3.3'),
     '(root) Additional property configs is not allowed'),
    ('configs top-level 3.3', top('3.3', configs={'c': {'file': './c.conf'}}), [], None),
    ('placement preferences 3.2', svc('3.2', deploy={'placement': {'preferences': [{'spread': 'node.id'}]}}),
     _refused('3.2', 'services.web.deploy.placement', 'preferences', '3.3'),
     'services.web.deploy.placement Additional property preferences is not allowed'),
    ('credential_spec 3.2', svc('3.2', credential_spec={'file': 'x.json'}), _refused('3.2', 'services.web', 'credential_spec', '3.3'),
     'services.web Additional property credential_spec is not allowed'),
    ('healthcheck start_period 3.3', svc('3.3', healthcheck={'start_period': '10s'}),
     _refused('3.3', 'services.web.healthcheck', 'start_period', '3.4'),
     'services.web.healthcheck Additional property start_period is not allowed'),
    ('healthcheck start_period 3.4', svc('3.4', healthcheck={'start_period': '10s'}), [], None),
    ('x- at the top 3.0', top('3.0', **{'x-a': 1}), _refused('3.0', '(root)', 'x-a', '3.4'), '(root) Additional property x-a is not allowed'),
    ('x- at the top 3.3', top('3.3', **{'x-a': 1}), _refused('3.3', '(root)', 'x-a', '3.4'), '(root) Additional property x-a is not allowed'),
    ('x- at the top 3.4', top('3.4', **{'x-a': 1}), [], None),
    ('update_config order 3.3', svc('3.3', deploy={'update_config': {'order': 'start-first'}}),
     _refused('3.3', 'services.web.deploy.update_config', 'order', '3.4'),
     'services.web.deploy.update_config Additional property order is not allowed'),
    ('volume name 3.3', top('3.3', volumes={'v': {'name': 'x'}}), _refused('3.3', 'volumes.v', 'name', '3.4'),
     'volumes.v Additional property name is not allowed'),
    # 3.0 to 3.3 have no "duration" format on the healthcheck's interval and timeout: the schema lets "1d" by, the
    # decoder (time.ParseDuration) refuses it.
    ('healthcheck interval 1d 3.3', svc('3.3', healthcheck={'interval': '1d'}), [],
     '''error decoding 'HealthCheck.Interval': time: unknown unit "d" in duration "1d"'''),
    ('healthcheck interval 1d 3.4', svc('3.4', healthcheck={'interval': '1d'}),
     ["services.web.healthcheck.interval is not a valid duration: '1d'"],
     "services.web.healthcheck.interval Does not match format 'duration'"),
    ('isolation 3.4', svc('3.4', isolation='default'), _refused('3.4', 'services.web', 'isolation', '3.5'),
     'services.web Additional property isolation is not allowed'),
    ('network name 3.4', top('3.4', networks={'n': {'name': 'x'}}), _refused('3.4', 'networks.n', 'name', '3.5'),
     'networks.n Additional property name is not allowed'),
    ('generic_resources 3.4', svc('3.4', deploy={'resources': {'reservations': {'generic_resources': []}}}),
     _refused('3.4', 'services.web.deploy.resources.reservations', 'generic_resources', '3.5'),
     'services.web.deploy.resources.reservations Additional property generic_resources is not allowed'),
    ('limits pids 3.4 (the old resource definition)', svc('3.4', deploy={'resources': {'limits': {'pids': 1}}}),
     _refused('3.4', 'services.web.deploy.resources.limits', 'pids', '3.9'),
     'services.web.deploy.resources.limits Additional property pids is not allowed'),
    ('tmpfs of a long volume 3.5', svc('3.5', volumes=[{'type': 'tmpfs', 'target': '/t', 'tmpfs': {'size': 1}}]),
     _refused('3.5', 'services.web.volumes.0', 'tmpfs', '3.6'), 'services.web.volumes.0 Additional property tmpfs is not allowed'),
    ('tmpfs of a long volume 3.6', svc('3.6', volumes=[{'type': 'tmpfs', 'target': '/t', 'tmpfs': {'size': 1}}]), [], None),
    ('init 3.6', svc('3.6', init=True), _refused('3.6', 'services.web', 'init', '3.7'), 'services.web Additional property init is not allowed'),
    ('rollback_config 3.6', svc('3.6', deploy={'rollback_config': {'parallelism': 1}}),
     _refused('3.6', 'services.web.deploy', 'rollback_config', '3.7'), 'services.web.deploy Additional property rollback_config is not allowed'),
    ('x- in a service 3.6', svc('3.6', **{'x-a': 1}), _refused('3.6', 'services.web', 'x-a', '3.7'),
     'services.web Additional property x-a is not allowed'),
    ('x- in a service 3.7', svc('3.7', **{'x-a': 1}), [], None),
    ('max_replicas_per_node 3.7', svc('3.7', deploy={'placement': {'max_replicas_per_node': 1}}),
     _refused('3.7', 'services.web.deploy.placement', 'max_replicas_per_node', '3.8'),
     'services.web.deploy.placement Additional property max_replicas_per_node is not allowed'),
    ('max_replicas_per_node 3.8', svc('3.8', deploy={'placement': {'max_replicas_per_node': 1}}), [], None),
    ('secret template_driver 3.7', top('3.7', secrets={'s': {'file': './s', 'template_driver': 'golang'}}),
     _refused('3.7', 'secrets.s', 'template_driver', '3.8'), 'secrets.s Additional property template_driver is not allowed'),
    ('limits pids 3.8', svc('3.8', deploy={'resources': {'limits': {'pids': 1}}}),
     _refused('3.8', 'services.web.deploy.resources.limits', 'pids', '3.9'),
     'services.web.deploy.resources.limits Additional property pids is not allowed'),
    ('limits pids 3.9', svc('3.9', deploy={'resources': {'limits': {'pids': 1}}}), [], None),
    ('cgroupns_mode 3.8', svc('3.8', cgroupns_mode='host'), _refused('3.8', 'services.web', 'cgroupns_mode', '3.9'),
     'services.web Additional property cgroupns_mode is not allowed'),
    # 3.7 to 3.9 let any x- key into a volume, so x-cluster-spec is free-form there; 3.10 gives it a schema.
    ('volume x-cluster-spec 1 in 3.9', top('3.9', volumes={'v': {'x-cluster-spec': 1}}), [],
     "'[v].x-cluster-spec' expected a map, got 'int'"),
    ('volume x-cluster-spec 1 in 3.10', top('3.10', volumes={'v': {'x-cluster-spec': 1}}),
     ['volumes.v.x-cluster-spec must be a object, not integer'], 'volumes.v.x-cluster-spec must be a mapping'),
    ('any key in build 3.10', svc('3.10', build={'context': '.', 'foo': 1}),
     ['services.web.build: unknown key foo (additional properties are not allowed): compose file version 3.11 or later '
      'allows any key here, and this file is version 3.10'], 'services.web.build Additional property foo is not allowed'),
    ('any key in build 3.11', svc('3.11', build={'context': '.', 'foo': 1}), [], None),
    ('healthcheck start_interval 3.11', svc('3.11', healthcheck={'start_interval': '1s'}),
     _refused('3.11', 'services.web.healthcheck', 'start_interval', '3.12'),
     'services.web.healthcheck Additional property start_interval is not allowed'),
    ('healthcheck start_interval 3.12', svc('3.12', healthcheck={'start_interval': '1s'}), [], None),
    ('oom_score_adj 3.12', svc('3.12', oom_score_adj=100), _refused('3.12', 'services.web', 'oom_score_adj', '3.13'),
     'services.web Additional property oom_score_adj is not allowed'),
    ('network driver_opts of a service 3.12', svc('3.12', networks={'n': {'driver_opts': {'a': 1}}}),
     _refused('3.12', 'services.web.networks.n', 'driver_opts', '3.13'),
     'services.web.networks.n Additional property driver_opts is not allowed'),
    ('network driver_opts of a service 3.13', svc('3.13', networks={'n': {'driver_opts': {'a': 1}}}), [], None),
    ('a typo is a typo in every version', svc('3.0', imgae='redis'),
     ['services.web: unknown key imgae (additional properties are not allowed)'], 'services.web Additional property imgae is not allowed'),
]


@pytest.mark.parametrize('config, errors', [row[1:3] for row in BOUNDARIES], ids=[row[0] for row in BOUNDARIES])
def test_version_boundaries(config, errors):
    assert validate(config) == errors


def test_every_key_a_version_adds_is_in_the_boundary_rows():
    # Each removal row of the patch is a key (or a whole definition) an older version does not have.
    ids = ' '.join(row[0] for row in BOUNDARIES)
    for name in ('secrets', 'endpoint_mode', 'attachable', 'configs', 'preferences', 'credential_spec', 'start_period',
                 'order', 'isolation', 'generic_resources', 'tmpfs', 'init', 'rollback_config', 'max_replicas_per_node',
                 'template_driver', 'pids', 'cgroupns_mode', 'x-cluster-spec', 'start_interval', 'oom_score_adj', 'driver_opts'):
        assert name in ids, name


# -- The "ports" format: nat.ParsePortSpec, of a string or of a number's numerator -----------------------------------

PORTS = [
    # (ports item, valid; docker CLI 28.2.2 on `ports: [item]` of a 3.8 file)
    ('80', True), ('8080:80', True), ('127.0.0.1:53:53/udp', True), ('9000-9001:90-91', True), ('[::1]:8443:443', True),
    ('80:80/TCP', True),  # the protocol is lowercased first
    ('80/tcp/xyz', True),  # SplitProtoPort ignores what follows a second "/"
    ('1-2-3', True),  # ParsePortRange ignores what follows a second "-"
    ('8000-8001:80', True),  # a host range for one container port
    ('8000-8001:80-81', True),
    ('::1:80:80', True),  # unbracketed IPv6: everything before the last two parts is the IP
    ('[1.2.3.4]:80:80', True), ('[]:80:80', True),  # brackets around nothing leave no IP to check
    (':80', True), ('::80', True), ('80/', True), ('0', True), ('0080', True), ('65535', True),
    ('1.2.3.4:80:80:80', False),  # the IP would be "1.2.3.4:80"
    ('80:80/xyz', False), ('8000:80-81', False), ('8001-8000:80', False), ('01.2.3.4:80:80', False),
    ('[fe80::1%eth0]:80:80', False),  # net.ParseIP refuses a zone
    (':::80', False), ('/tcp', False), ('65536', False), ('+80', False), ('', False), ('80:', False), ('80-', False),
    ('-80', False), ('http', False), ('80/icmp', False),
    (80, True), (0, True),
    (80.5, True),  # 161/2: the checker keeps the numerator "161" (the decoder then refuses a float port)
    (1e3, True), (8080.0, True),
    (-80, False), (1.0e21, False), (70000, False),
]


@pytest.mark.parametrize('item, valid', PORTS, ids=[repr(item) for item, _valid in PORTS])
def test_ports_format(item, valid):
    assert is_ports(item) is valid
    errors = validate(svc('3.8', ports=[item]))
    assert errors == ([] if valid else ['services.web.ports.0 is not a valid ports: %r' % (item,)])


def test_ports_format_in_3_0_where_an_item_is_a_string_or_a_number():
    assert validate(svc('3.0', ports=['80:80', 80])) == []
    assert validate(svc('3.0', ports=['80:80/xyz'])) == ["services.web.ports.0 is not a valid ports: '80:80/xyz'"]


@pytest.mark.parametrize('item', [True, None, [80], {}])
def test_what_is_not_a_string_or_number_is_not_a_port(item):
    assert not is_ports(item)


# -- The "duration" format: time.ParseDuration --------------------------------------------------------------------

DURATIONS_VALID = ['10s', '1m30s', '1.5h', '.5s', '1.s', '500ms', '10us', u'10\u00b5s', u'10\u03bcs', '3ns', '0', '-0', '+0',
                   '0s', '-1s', '+2m', '1h2m3s4ms', '9223372036854775807ns', '-9223372036854775808ns', '2562047h',
                   '0.0000000001s', '1.00000000000000000000000000001s']
DURATIONS_INVALID = ['10', '00', '1d', '', '-', 's', '.s', '1 s', '1s ', '1h ', 'ten seconds', '1.5.5s', '1e3s',
                     '9223372036854775808ns', '2562048h', '99999999999999999999s', 10, 1.5, None, True]


@pytest.mark.parametrize('value', DURATIONS_VALID)
def test_go_durations_are_durations(value):
    # docker CLI 28.2.2 accepts each as stop_grace_period.
    assert is_duration(value)
    assert validate(svc('3.8', stop_grace_period=value)) == []


@pytest.mark.parametrize('value', DURATIONS_INVALID)
def test_other_values_are_not_durations(value):
    # docker CLI 28.2.2: "Does not match format 'duration'" for each string, "must be a string" for the others.
    assert not is_duration(value)


def test_a_number_is_not_a_duration_but_the_wrong_type():
    assert validate(svc('3.8', stop_grace_period=10)) == ['services.web.stop_grace_period must be a string, not integer']


# -- Values as gojsonschema sees them: JSON numbers, UseNumber, marshalWithoutNumber --------------------------------

VALUES = [
    # (id, config, our errors, what docker CLI 28.2.2 printed)
    ('replicas 3.0 is an integer', svc(deploy={'replicas': 3.0}), [], None),
    ('replicas 1e21 is an integer', svc(deploy={'replicas': 1e21}), [], None),
    ('replicas 2.5 is not', svc(deploy={'replicas': 2.5}), ['services.web.deploy.replicas must be a integer, not number'],
     'services.web.deploy.replicas must be a integer'),
    ('replicas "3" is a string', svc(deploy={'replicas': '3'}), ['services.web.deploy.replicas must be a integer, not string'],
     'services.web.deploy.replicas must be a integer'),
    ('ulimits 2.5', svc(ulimits={'nproc': 2.5}), ['services.web.ulimits.nproc has the wrong type (number)'],
     'services.web.ulimits.nproc must be a integer'),
    ('80 and 80.0 are one item', svc(ports=[80, 80.0]), ['services.web.ports has a duplicate item: 80.0'],
     'services.web.ports array items[0,1] must be unique'),
    ('"80" and 80 are two', svc(ports=['80', 80]), [], None),
    ('expose 1 and 1.0 are one item', svc(expose=[1, 1.0]), ['services.web.expose has a duplicate item: 1.0'],
     'services.web.expose array items[0,1] must be unique'),
    ('a list of strings with a duplicate', svc(dns=['a', 'a']), ["services.web.dns has a duplicate item: 'a'"],
     'services.web.dns array items[0,1] must be unique'),
    ('networks with a duplicate', svc(networks=['a', 'a']), ["services.web.networks has a duplicate item: 'a'"],
     'services.web.networks array items[0,1] must be unique'),
    ('enum of a number', svc(deploy={'update_config': {'order': 1}}),
     ['services.web.deploy.update_config.order must be a string, not integer'], 'services.web.deploy.update_config.order must be a string'),
    ('minimum of -1', svc(volumes=[{'type': 'tmpfs', 'target': '/t', 'tmpfs': {'size': -1}}]),
     ['services.web.volumes.0.tmpfs.size must be at least 0'], 'services.web.volumes.0.tmpfs.size Must be greater than or equal to 0'),
    ('minimum of -0.0', svc(volumes=[{'type': 'tmpfs', 'target': '/t', 'tmpfs': {'size': -0.0}}]), [], None),
    ('expose has no format checker', svc(expose=['http', '80/xyz', 80.5]), [], None),
    ('expose wants a string or a number', svc(expose=[True]), ['services.web.expose.0 must be a string or number, not boolean'],
     'services.web.expose.0 must be a string or number'),
    ('ports item true', svc(ports=[True]), ['services.web.ports.0 has the wrong type (boolean)'], 'services.web.ports.0 must be a number'),
    ('a service name with a newline', {'version': '3.8', 'services': {'web\n': {'image': 'redis'}}},
     ['services: unknown key web\n (additional properties are not allowed)'], 'services Additional property web\n is not allowed'),
    ('an environment key with a newline', svc(environment={'a\n': 'b'}), [], None),
    ('driver_opts key with a newline', svc('3.13', networks={'n': {'driver_opts': {'a\nb': 1}}}), [], None),
    ('infinity', svc(deploy={'update_config': {'max_failure_ratio': float('inf')}}),
     ['services.web.deploy.update_config.max_failure_ratio is +Inf, which JSON cannot hold: docker stack deploy fails '
      'with "json: unsupported value: +Inf"'], None),
    ('NaN', svc(labels={'a': float('nan')}),
     ['services.web.labels.a is NaN, which JSON cannot hold: docker stack deploy fails with "json: unsupported value: NaN"'], None),
]


@pytest.mark.parametrize('config, errors', [row[1:3] for row in VALUES], ids=[row[0] for row in VALUES])
def test_values(config, errors):
    assert validate(config) == errors


def test_a_timestamp_is_a_string():
    class GoTime(object):  # the YAML reader's type for a !!timestamp; encoding/json writes its RFC 3339 form
        def rfc3339(self):
            return '2001-12-14T00:00:00Z'
    # docker CLI 28.2.2: `image: 2001-12-14` passes the schema (the decoder then refuses a time.Time);
    # `stop_grace_period: 2001-12-14` "Does not match format 'duration'".
    assert validate(svc(image=GoTime())) == []
    assert len(validate(svc(stop_grace_period=GoTime()))) == 1


# -- Files the CLI accepts validate without errors ---------------------------------------------------------------

VALID = [
    pytest.param({'services': {'web': {'image': 'redis'}}}, id='no version'),
    pytest.param(svc(), id='minimal'),
    pytest.param({'version': '3.8', 'x-common': {'anything': [1, 2]}, 'services': {'web': {'image': 'redis', 'x-note': 1}}},
                 id='extension keys at the top and in a service'),
    pytest.param(svc(ports=[80, '8080:80', '127.0.0.1:53:53/udp', '9000-9001:90-91', '[::1]:8443:443',
                            {'target': 80, 'published': 8081, 'protocol': 'tcp', 'mode': 'host'}]), id='ports in all forms'),
    pytest.param(svc(volumes=['data:/data:ro', './conf:/etc/conf', '/cache',
                              {'type': 'tmpfs', 'target': '/tmp', 'tmpfs': {'size': 1024}},
                              {'type': 'bind', 'source': '/srv', 'target': '/srv', 'bind': {'propagation': 'rshared'}}]),
                 id='volumes short and long'),
    pytest.param(svc(environment=['A=1', 'B'], labels={'a': 'b', 'n': 1, 'x': None}, env_file='.env',
                     extra_hosts={'db': '10.0.0.2'}, dns='8.8.8.8', dns_search=['example.com']),
                 id='list_or_dict and string_or_list in both forms'),
    pytest.param(svc('3.12', command='redis-server --appendonly yes', entrypoint=['/bin/sh', '-c'],
                     healthcheck={'test': ['CMD', 'true'], 'interval': '1m30s', 'timeout': '500ms', 'retries': 3,
                                  'start_period': '0', 'start_interval': '5s'}, stop_grace_period='1h2m3s'),
                 id='commands, healthcheck and durations'),
    pytest.param(svc('3.9', deploy={'mode': 'replicated', 'replicas': 2, 'endpoint_mode': 'dnsrr', 'labels': ['a=b'],
                                    'update_config': {'parallelism': 2, 'delay': '10s', 'order': 'start-first',
                                                      'failure_action': 'rollback', 'monitor': '30s', 'max_failure_ratio': 0.5},
                                    'rollback_config': {'parallelism': 0, 'order': 'stop-first'},
                                    'resources': {'limits': {'cpus': '0.5', 'memory': '512M', 'pids': 100},
                                                  'reservations': {'cpus': '0.25', 'memory': '1G', 'generic_resources': [
                                                      {'discrete_resource_spec': {'kind': 'gpu', 'value': 2}}]}},
                                    'restart_policy': {'condition': 'on-failure', 'delay': '5s', 'max_attempts': 3, 'window': '2m'},
                                    'placement': {'constraints': ['node.role == manager'], 'preferences': [{'spread': 'node.labels.zone'}],
                                                  'max_replicas_per_node': 1}}),
                 id='a full deploy section'),
    pytest.param(svc(deploy=None), id='deploy null'),
    pytest.param(svc(ulimits={'nproc': 65535, 'nofile': {'soft': 20000, 'hard': 40000}}), id='ulimits single and soft/hard'),
    pytest.param(svc(networks={'front': {'aliases': ['www']}, 'back': None}), id='service networks as a mapping'),
    pytest.param(svc(secrets=['a', {'source': 'b', 'target': 'bee', 'uid': '1', 'gid': '2', 'mode': 0o440}]),
                 id='secret refs short and long'),
    pytest.param(dict(svc(), networks={'front': None, 'back': {'driver': 'overlay', 'attachable': True,
                                                               'ipam': {'config': [{'subnet': '10.1.0.0/24'}]}},
                                       'outside': {'external': {'name': 'ext'}}},
                      volumes={'data': None, 'ext': {'external': True}},
                      secrets={'s': {'file': './s.txt'}, 'e': {'external': True}, 'n': {'name': 'x', 'external': {'name': 'y'}}},
                      configs={'c': {'file': './c.conf', 'template_driver': 'golang'}}),
                 id='top-level networks, volumes, secrets and configs'),
    pytest.param(svc(build='.', restart='always', privileged=True, container_name='w', expose=['8080', 9000]),
                 id='unsupported and deprecated keys are valid schema'),
]


# What docker CLI 28.2.2 printed for the VALID files it refused after the schema (it accepted the others).
VALID_CLI = {
    'list_or_dict and string_or_list in both forms': '/.env: no such file or directory',
    'top-level networks, volumes, secrets and configs': 'secret n: secret.external.name and secret.name conflict; only use secret.name',
}


@pytest.mark.parametrize('config', VALID)
def test_valid_files_have_no_errors(config):
    assert validate(config) == []


@pytest.mark.parametrize('version', VERSIONS)
def test_a_minimal_file_is_valid_in_every_version(version):
    assert validate(svc(version, ports=['80:80'], volumes=['data:/data'], environment={'A': 1})) == []


# -- What the CLI rejects is rejected, and the message names the path of the bad key ----------------------------

INVALID = [
    # (config, our error, what docker CLI 28.2.2 printed)
    ({'version': '3.8', 'servics': {}}, '(root): unknown key servics (additional properties are not allowed)',
     '(root) Additional property servics is not allowed'),
    (svc(imgae='redis'), 'services.web: unknown key imgae (additional properties are not allowed)',
     'services.web Additional property imgae is not allowed'),
    ({'services': {'web app': {'image': 'redis'}}}, 'services: unknown key web app (additional properties are not allowed)',
     'services Additional property web app is not allowed'),
    ([], '(root) must be a object, not array', 'top-level object must be a mapping'),  # the CLI's loader, before the schema
    ({'services': {'web': 'redis'}}, 'services.web must be a object, not string', 'services.web must be a mapping'),
    (svc(deploy={'mode': 'global', 'placment': {}}), 'services.web.deploy: unknown key placment (additional properties are not allowed)',
     'services.web.deploy Additional property placment is not allowed'),
    (svc(deploy={'update_config': {'order': 'first'}}),
     "services.web.deploy.update_config.order must be one of start-first, stop-first, not 'first'",
     'services.web.deploy.update_config.order must be one of the following: "start-first", "stop-first"'),
    (svc(stop_grace_period='10'), "services.web.stop_grace_period is not a valid duration: '10'",
     "services.web.stop_grace_period Does not match format 'duration'"),
    (svc(healthcheck={'interval': '1d'}), "services.web.healthcheck.interval is not a valid duration: '1d'",
     "services.web.healthcheck.interval Does not match format 'duration'"),
    (svc(healthcheck={'tset': 'true'}), 'services.web.healthcheck: unknown key tset (additional properties are not allowed)',
     'services.web.healthcheck Additional property tset is not allowed'),
    (svc(ports=['http']), "services.web.ports.0 is not a valid ports: 'http'", "services.web.ports.0 Does not match format 'ports'"),
    (svc(ports=[{'target': 80, 'publish': 8080}]), 'services.web.ports.0: unknown key publish (additional properties are not allowed)',
     'services.web.ports.0 Additional property publish is not allowed'),
    (svc(ports=['80', '80']), "services.web.ports has a duplicate item: '80'", 'services.web.ports array items[0,1] must be unique'),
    (svc(cap_add=['NET_ADMIN', 'NET_ADMIN']), "services.web.cap_add has a duplicate item: 'NET_ADMIN'",
     'services.web.cap_add array items[0,1] must be unique'),
    (svc(volumes=[{'source': 'data', 'target': '/data'}]), 'services.web.volumes.0: type is required', 'services.web.volumes.0 type is required'),
    (svc(environment=[1]), 'services.web.environment.0 must be a string, not integer', 'services.web.environment.0 must be a string'),
    (svc(environment={'A': {'nested': 1}}), 'services.web.environment.A must be a string or number or null, not object',
     'services.web.environment.A must be a string, number or null'),
    (svc(environment='A=1'), 'services.web.environment has the wrong type (string)', 'services.web.environment must be a mapping'),
    (svc(networks={'front': {'alias': ['www']}}), 'services.web.networks.front: unknown key alias (additional properties are not allowed)',
     'services.web.networks.front Additional property alias is not allowed'),
    (svc(ulimits={'nofile': {'soft': 1}}), 'services.web.ulimits.nofile: hard is required', 'services.web.ulimits.nofile hard is required'),
    (svc(command=['echo', 1]), 'services.web.command.1 must be a string, not integer', 'services.web.command.1 must be a string'),
    (dict(svc(), volumes={'data': {'external': {'nme': 'x'}}}),
     'volumes.data.external: unknown key nme (additional properties are not allowed)', 'volumes.data.external Additional property nme is not allowed'),
    (dict(svc(), secrets={'s': {'fille': 'x'}}), 'secrets.s: unknown key fille (additional properties are not allowed)',
     'secrets.s Additional property fille is not allowed'),
    (dict(svc(), networks={'n': {'driver': 1}}), 'networks.n.driver must be a string, not integer', 'networks.n.driver must be a string'),
    ({'services': {'web': {'image': 'redis'}}, 'version': '3.0', 'secrets': {}},
     '(root): unknown key secrets (additional properties are not allowed): secrets needs compose file version 3.1 or later, '
     'and this file is version 3.0', '(root) Additional property secrets is not allowed'),
]


@pytest.mark.parametrize('config, error', [row[:2] for row in INVALID], ids=[row[1] for row in INVALID])
def test_invalid_files_name_the_bad_key(config, error):
    assert validate(config) == [error]


def test_every_error_is_reported():
    errors = validate(svc(imgae='redis', deploy={'replicas': 'two'}, stop_grace_period='soon'))
    assert sorted(errors) == [
        'services.web.deploy.replicas must be a integer, not string',
        "services.web.stop_grace_period is not a valid duration: 'soon'",
        'services.web: unknown key imgae (additional properties are not allowed)',
    ]


def test_a_required_version_in_old_schemas():
    # 3.0 to 3.9 require the version key; the CLI never meets it (no version is 3.13), a caller giving one may.
    assert validate({'services': {}}, '3.9') == ['(root): version is required']
    assert validate({'services': {}}, '3.10') == []


# -- The CLI says the same -----------------------------------------------------------------------------------------

CLI_ROWS = (
    [row for table in (VERSION_ROWS, BOUNDARIES, VALUES) for row in table
     if row[0] not in ('infinity', 'NaN')]  # a float infinity has no JSON spelling to hand to the CLI
    + [(param.id, param.values[0], [], VALID_CLI.get(param.id)) for param in VALID]
    + [(error, config, [error], cli) for config, error, cli in INVALID]
    + [('ports %r' % (item,), svc('3.8', ports=[item]), None,
        # a float passes the format (its numerator), then the decoder refuses a float port
        ("error decoding 'Ports': invalid type float64 for port" if isinstance(item, float) else None) if valid
        else "services.web.ports.0 Does not match format 'ports'") for item, valid in PORTS]
    + [('duration %r' % (value,), svc('3.8', stop_grace_period=value), None, None) for value in DURATIONS_VALID]
    + [('duration %r' % (value,), svc('3.8', stop_grace_period=value), None,
        "services.web.stop_grace_period Does not match format 'duration'" if isinstance(value, str)
        else 'services.web.stop_grace_period must be a string') for value in DURATIONS_INVALID]
)


def _docker():
    return docker_cli.find(set([CLI_VERSION]), 'the rows were')


@pytest.mark.parametrize('config, cli', [(row[1], row[3]) for row in CLI_ROWS], ids=[row[0] for row in CLI_ROWS])
def test_the_docker_cli_agrees(config, cli, tmp_path):
    """`docker stack config` of the row's file: rc 0 when `cli` is None, else rc 1 and `cli` in what it printed."""
    path, why = _docker()
    if path is None:
        pytest.skip(why)
    # JSON is YAML: the CLI reads back the same strings, integers, floats and nulls.
    (tmp_path / 'compose.yml').write_text(json.dumps(config))
    proc = subprocess.run([path, 'stack', 'config', '-c', 'compose.yml'], cwd=str(tmp_path), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env={'PATH': '/usr/bin:/bin', 'HOME': str(tmp_path)}, timeout=60, check=False)
    stderr = proc.stderr.decode('utf-8', 'replace')
    if cli is None:
        assert proc.returncode == 0, stderr
    else:
        assert proc.returncode == 1 and cli in stderr, stderr
