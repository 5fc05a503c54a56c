# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The compose schema `docker stack deploy` validates against (docker/cli's 3.13) and the mini validator for it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json

import pytest

from ansible_collections.anchorage.swarm.plugins.module_utils._compose_schema import SCHEMA, is_duration, validate


def compose(**service):
    """A compose file with one service "web" (image redis unless given) and nothing else."""
    service.setdefault('image', 'redis')
    return {'version': '3.8', 'services': {'web': service}}


# -- The schema is docker/cli's cli/compose/schema/data/config_schema_v3.13.json without its $schema key -------

def test_schema_is_the_clis_3_13_file():
    # sha256 of json.dumps(sort_keys=True) of the CLI's file with "$schema" popped, taken from docker/cli master
    # (28f7560); an edit of SCHEMA, however small, changes it.
    canonical = json.dumps(SCHEMA, sort_keys=True).encode('utf-8')
    assert hashlib.sha256(canonical).hexdigest() == 'a55276f1aa6ce206c102c648d3e78c644419d8455e9c5cfc37801e6270593bb2'
    assert SCHEMA['id'] == 'config_schema_v3.13.json'
    assert '$schema' not in SCHEMA


# -- Files the CLI accepts validate without errors ---------------------------------------------------------------

VALID = [
    pytest.param({'services': {'web': {'image': 'redis'}}}, id='no version'),
    pytest.param(compose(), id='minimal'),
    pytest.param({'version': '3.8', 'x-common': {'anything': [1, 2]}, 'services': {'web': {'image': 'redis', 'x-note': 1}}},
                 id='extension keys at the top and in a service'),
    pytest.param(compose(ports=[80, '8080:80', '127.0.0.1:53:53/udp', '9000-9001:90-91', '[::1]:8443:443',
                                {'target': 80, 'published': 8081, 'protocol': 'tcp', 'mode': 'host'}]), id='ports in all forms'),
    pytest.param(compose(volumes=['data:/data:ro', './conf:/etc/conf', '/cache',
                                  {'type': 'tmpfs', 'target': '/tmp', 'tmpfs': {'size': 1024}},
                                  {'type': 'bind', 'source': '/srv', 'target': '/srv', 'bind': {'propagation': 'rshared'}}]),
                 id='volumes short and long'),
    pytest.param(compose(environment=['A=1', 'B'], labels={'a': 'b', 'n': 1, 'x': None}, env_file='.env',
                         extra_hosts={'db': '10.0.0.2'}, dns='8.8.8.8', dns_search=['example.com']),
                 id='list_or_dict and string_or_list in both forms'),
    pytest.param(compose(command='redis-server --appendonly yes', entrypoint=['/bin/sh', '-c'],
                         healthcheck={'test': ['CMD', 'true'], 'interval': '1m30s', 'timeout': '500ms', 'retries': 3,
                                      'start_period': '0', 'start_interval': '5s'}, stop_grace_period='1h2m3s'),
                 id='commands, healthcheck and durations'),
    pytest.param(compose(deploy={'mode': 'replicated', 'replicas': 2, 'endpoint_mode': 'dnsrr', 'labels': ['a=b'],
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
    pytest.param(compose(deploy=None), id='deploy null'),
    pytest.param(compose(ulimits={'nproc': 65535, 'nofile': {'soft': 20000, 'hard': 40000}}), id='ulimits single and soft/hard'),
    pytest.param(compose(networks={'front': {'aliases': ['www']}, 'back': None}), id='service networks as a mapping'),
    pytest.param(compose(secrets=['a', {'source': 'b', 'target': 'bee', 'uid': '1', 'gid': '2', 'mode': 0o440}]),
                 id='secret refs short and long'),
    pytest.param(dict(compose(), networks={'front': None, 'back': {'driver': 'overlay', 'attachable': True,
                                                                   'ipam': {'config': [{'subnet': '10.1.0.0/24'}]}},
                                           'outside': {'external': {'name': 'ext'}}},
                      volumes={'data': None, 'ext': {'external': True}},
                      secrets={'s': {'file': './s.txt'}, 'e': {'external': True}, 'n': {'name': 'x', 'external': {'name': 'y'}}},
                      configs={'c': {'file': './c.conf', 'template_driver': 'golang'}}),
                 id='top-level networks, volumes, secrets and configs'),
    pytest.param(compose(build='.', restart='always', privileged=True, container_name='w', expose=['8080', 9000]),
                 id='unsupported and deprecated keys are valid schema'),
]


@pytest.mark.parametrize('config', VALID)
def test_valid_files_have_no_errors(config):
    assert validate(config) == []


# -- What the CLI rejects is rejected, and the message names the path of the bad key ----------------------------

INVALID = [
    ({'version': '3.8', 'servics': {}}, '(root): unknown key servics (additional properties are not allowed)'),
    (compose(imgae='redis'), 'services.web: unknown key imgae (additional properties are not allowed)'),
    ({'services': {'web app': {'image': 'redis'}}}, 'services: unknown key web app (additional properties are not allowed)'),
    ({'version': 3.8, 'services': {}}, 'version must be a string, not number'),
    ([], '(root) must be a object, not array'),
    ({'services': {'web': 'redis'}}, 'services.web must be a object, not string'),
    (compose(deploy={'replicas': '3'}), 'services.web.deploy.replicas must be a integer, not string'),
    (compose(deploy={'mode': 'global', 'placment': {}}), 'services.web.deploy: unknown key placment (additional properties are not allowed)'),
    (compose(deploy={'update_config': {'order': 'first'}}),
     "services.web.deploy.update_config.order must be one of start-first, stop-first, not 'first'"),
    (compose(stop_grace_period='10'), "services.web.stop_grace_period is not a valid duration: '10'"),
    (compose(healthcheck={'interval': '1d'}), "services.web.healthcheck.interval is not a valid duration: '1d'"),
    (compose(healthcheck={'tset': 'true'}), 'services.web.healthcheck: unknown key tset (additional properties are not allowed)'),
    (compose(ports=['http']), "services.web.ports.0 is not a valid ports: 'http'"),
    (compose(ports=['80/icmp']), "services.web.ports.0 is not a valid ports: '80/icmp'"),
    (compose(ports=[{'target': 80, 'publish': 8080}]), 'services.web.ports.0: unknown key publish (additional properties are not allowed)'),
    (compose(ports=['80', '80']), "services.web.ports has a duplicate item: '80'"),
    (compose(cap_add=['NET_ADMIN', 'NET_ADMIN']), "services.web.cap_add has a duplicate item: 'NET_ADMIN'"),
    (compose(volumes=[{'source': 'data', 'target': '/data'}]), 'services.web.volumes.0: type is required'),
    (compose(volumes=[{'type': 'tmpfs', 'target': '/t', 'tmpfs': {'size': -1}}]), 'services.web.volumes.0.tmpfs.size must be at least 0'),
    (compose(environment=[1]), 'services.web.environment.0 must be a string, not integer'),
    (compose(environment={'A': {'nested': 1}}), 'services.web.environment.A must be a string or number or null, not object'),
    (compose(environment='A=1'), 'services.web.environment has the wrong type (string)'),
    (compose(networks={'front': {'alias': ['www']}}), 'services.web.networks.front: unknown key alias (additional properties are not allowed)'),
    (compose(ulimits={'nofile': {'soft': 1}}), 'services.web.ulimits.nofile: hard is required'),
    (compose(command=['echo', 1]), 'services.web.command.1 must be a string, not integer'),
    (dict(compose(), volumes={'data': {'external': {'nme': 'x'}}}),
     'volumes.data.external: unknown key nme (additional properties are not allowed)'),
    (dict(compose(), secrets={'s': {'fille': 'x'}}), 'secrets.s: unknown key fille (additional properties are not allowed)'),
    (dict(compose(), networks={'n': {'driver': 1}}), 'networks.n.driver must be a string, not integer'),
]


@pytest.mark.parametrize('config, error', INVALID, ids=[e for _c, e in INVALID])
def test_invalid_files_name_the_bad_key(config, error):
    assert validate(config) == [error]


def test_every_error_is_reported():
    errors = validate(compose(imgae='redis', deploy={'replicas': 'two'}, stop_grace_period='soon'))
    assert sorted(errors) == [
        'services.web.deploy.replicas must be a integer, not string',
        "services.web.stop_grace_period is not a valid duration: 'soon'",
        'services.web: unknown key imgae (additional properties are not allowed)',
    ]


# -- The "duration" format is Go's time.ParseDuration ------------------------------------------------------------

@pytest.mark.parametrize('value', ['10s', '1m30s', '1.5h', '.5s', '1.s', '500ms', '10us', u'10\u00b5s', '3ns', '0', '-1s', '+2m',
                                   '1h2m3s4ms'])
def test_go_durations_are_durations(value):
    assert is_duration(value)


@pytest.mark.parametrize('value', ['10', '1d', '', 's', '1 s', '1s ', 'ten seconds', 10, None])
def test_other_values_are_not_durations(value):
    assert not is_duration(value)
