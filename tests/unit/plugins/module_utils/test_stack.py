# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Stack decisions: when a converted spec equals the one the Engine stores, what a deploy changes, how a rollout
goes (swarmkit's task states and update states), and which nodes a global service runs on."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json

import pytest

from ansible_collections.anchorage.swarm.plugins.module_utils import _compose as C
from ansible_collections.anchorage.swarm.plugins.module_utils import _stack as S

NET_ID = 'sl28qc9f7ad9mkwqmrxq6eah1'
NETWORK_NAMES = {NET_ID: 'probe_default'}

# A 20.10 Engine after `docker stack deploy` of `plain: {image: redis, restart: always}` in stack probe:
# `docker service inspect --format '{{json .Spec}}'` and the spec of one of its tasks, verbatim.
ENGINE_SPEC = json.loads(
    '{"Name":"probe_plain","Labels":{"com.docker.stack.image":"redis","com.docker.stack.namespace":"probe"},'
    '"TaskTemplate":{"ContainerSpec":{"Image":"redis:latest","Labels":{"com.docker.stack.namespace":"probe"},'
    '"Privileges":{"CredentialSpec":null,"SELinuxContext":null},"StopGracePeriod":10000000000,"DNSConfig":{},'
    '"Isolation":"default"},"Resources":{},"RestartPolicy":{"Condition":"any","Delay":5000000000,"MaxAttempts":0},'
    '"Placement":{},"Networks":[{"Target":"sl28qc9f7ad9mkwqmrxq6eah1","Aliases":["plain"]}],"ForceUpdate":0,'
    '"Runtime":"container"},"Mode":{"Replicated":{"Replicas":1}},"UpdateConfig":{"Parallelism":1,'
    '"FailureAction":"pause","Monitor":5000000000,"MaxFailureRatio":0,"Order":"stop-first"},'
    '"RollbackConfig":{"Parallelism":1,"FailureAction":"pause","Monitor":5000000000,"MaxFailureRatio":0,'
    '"Order":"stop-first"},"EndpointSpec":{"Mode":"vip"}}')
ENGINE_TASK_SPEC = json.loads(
    '{"ContainerSpec":{"Image":"redis:latest","Labels":{"com.docker.stack.namespace":"probe"},'
    '"Privileges":{"CredentialSpec":null,"SELinuxContext":null},"Isolation":"default"},"Resources":{},'
    '"RestartPolicy":{"Condition":"any","MaxAttempts":0},"Placement":{},'
    '"Networks":[{"Target":"sl28qc9f7ad9mkwqmrxq6eah1","Aliases":["plain"]}],"ForceUpdate":0}')


def converted(services, **top):
    """Specs as the stack module builds them: load() and convert() of one compose file in stack probe."""
    config, _warnings = C.load([('compose.yml', dict(version='3.8', services=services, **top))])
    return C.convert('probe', config, read_file=lambda path: b'', working_dir='/srv')['services']


def plain():
    return converted({'plain': {'image': 'redis', 'restart': 'always'}})['plain']


# =================================================================================================================
# comparable(): a converted spec and the spec the Engine returns for it compare equal

def test_converted_spec_equals_the_engine_spec_of_the_cli_deploy():
    assert S.comparable(plain()) == S.comparable(ENGINE_SPEC, NETWORK_NAMES)


def test_the_engine_spec_deployed_by_the_cli_plans_unchanged():
    desired = {'probe_plain': S.comparable(plain())}
    observed = {'probe_plain': S.comparable(ENGINE_SPEC, NETWORK_NAMES)}
    assert S.spec_changes(desired['probe_plain'], observed['probe_plain']) == ({}, {})
    assert S.plan_services(desired, observed) == [{'name': 'probe_plain', 'action': 'unchanged', 'before': {}, 'after': {}}]


def test_without_the_network_names_the_network_ids_differ():
    before, after = S.spec_changes(S.comparable(plain()), S.comparable(ENGINE_SPEC))
    assert before == {'TaskTemplate.Networks': [{'Target': NET_ID, 'Aliases': ['plain']}]}
    assert after == {'TaskTemplate.Networks': [{'Target': 'probe_default', 'Aliases': ['plain']}]}


def test_comparable_of_the_engine_spec():
    # What is left once IDs are names, and the defaults the Engine fills in are filled in on both sides.
    assert S.comparable(ENGINE_SPEC, NETWORK_NAMES) == {
        'Name': 'probe_plain',
        'Labels': {'com.docker.stack.image': 'redis', 'com.docker.stack.namespace': 'probe'},
        'TaskTemplate': {
            'ContainerSpec': {'Image': 'redis:latest', 'Labels': {'com.docker.stack.namespace': 'probe'}, 'StopGracePeriod': 10 ** 10},
            'RestartPolicy': {'Condition': 'any', 'Delay': 5 * 10 ** 9},
            'Networks': [{'Target': 'probe_default', 'Aliases': ['plain']}],
        },
        'Mode': {'Replicated': {'Replicas': 1}},
        'UpdateConfig': {'Parallelism': 1, 'FailureAction': 'pause', 'Monitor': 5 * 10 ** 9, 'Order': 'stop-first'},
        'RollbackConfig': {'Parallelism': 1, 'FailureAction': 'pause', 'Monitor': 5 * 10 ** 9, 'Order': 'stop-first'},
    }


def test_comparable_leaves_its_input_alone_and_is_idempotent():
    spec = copy.deepcopy(ENGINE_SPEC)
    once = S.comparable(spec, NETWORK_NAMES)
    assert spec == ENGINE_SPEC
    assert S.comparable(once) == once


@pytest.mark.parametrize('compose_service', [
    {'image': 'redis', 'deploy': {'update_config': {'parallelism': 1, 'failure_action': 'pause', 'monitor': '5s', 'order': 'stop-first'}}},
    {'image': 'redis', 'deploy': {'restart_policy': {'condition': 'any', 'delay': '5s'}}},
    {'image': 'redis', 'stop_grace_period': '10s'},
    {'image': 'redis', 'deploy': {'endpoint_mode': 'vip', 'replicas': 1, 'mode': 'replicated'}},
    {'image': 'redis', 'isolation': 'default'},
])
def test_explicit_engine_defaults_compare_equal_to_omitted_ones(compose_service):
    assert S.comparable(converted({'plain': compose_service})['plain']) == S.comparable(converted({'plain': {'image': 'redis'}})['plain'])


@pytest.mark.parametrize('compose_service, path, value', [
    ({'image': 'redis', 'deploy': {'replicas': 2}}, 'Mode.Replicated.Replicas', 2),
    ({'image': 'redis', 'deploy': {'replicas': 0}}, 'Mode.Replicated.Replicas', 0),
    ({'image': 'redis', 'stop_grace_period': '1m'}, 'TaskTemplate.ContainerSpec.StopGracePeriod', 60 * 10 ** 9),
    ({'image': 'redis', 'environment': ['A=1']}, 'TaskTemplate.ContainerSpec.Env', ['A=1']),
    ({'image': 'redis', 'deploy': {'update_config': {'order': 'start-first'}}}, 'UpdateConfig.Order', 'start-first'),
    ({'image': 'redis', 'deploy': {'endpoint_mode': 'dnsrr'}}, 'EndpointSpec.Mode', 'dnsrr'),
])
def test_a_real_change_shows_with_its_path(compose_service, path, value):
    compose_service = dict(compose_service, image='redis')
    desired = S.comparable(converted({'plain': dict(compose_service, restart='always')})['plain'])
    before, after = S.spec_changes(desired, S.comparable(ENGINE_SPEC, NETWORK_NAMES))
    assert after[path] == value
    assert set(after) | set(before) == {path}


LABEL = 'Labels.com.docker.stack.image'
IMAGE = 'TaskTemplate.ContainerSpec.Image'


@pytest.mark.parametrize('image, before, after', [
    ('redis:7', {LABEL: 'redis', IMAGE: 'redis:latest'}, {LABEL: 'redis:7', IMAGE: 'redis:7'}),
    # The image label is the image as written: the same image written otherwise is a new label, as for the CLI.
    ('redis:latest', {LABEL: 'redis'}, {LABEL: 'redis:latest'}),
    ('docker.io/library/redis', {LABEL: 'redis'}, {LABEL: 'docker.io/library/redis'}),
])
def test_another_image_changes_the_image_and_its_label(image, before, after):
    desired = S.comparable(converted({'plain': {'image': image, 'restart': 'always'}})['plain'])
    assert S.spec_changes(desired, S.comparable(ENGINE_SPEC, NETWORK_NAMES)) == (before, after)


def test_global_mode_keeps_its_empty_object():
    spec = S.comparable(converted({'plain': {'image': 'redis', 'deploy': {'mode': 'global'}}})['plain'])
    assert spec['Mode'] == {'Global': {}}
    assert S.spec_changes(spec, S.comparable(ENGINE_SPEC, NETWORK_NAMES))[1]['Mode.Global'] == {}


def test_comparable_normalises_what_the_engine_adds():
    engine = {
        'Version': {'Index': 42},
        'Name': 'probe_web',
        'Networks': [{'Target': 'id-b'}, {'Target': 'id-a', 'Aliases': ['web']}],  # API < 1.25: next to the task template
        'TaskTemplate': {
            'ContainerSpec': {'Image': 'nginx:latest',
                              'Secrets': [{'File': {'Name': 's', 'UID': '0', 'GID': '0', 'Mode': 292}, 'SecretID': 'sid', 'SecretName': 'x'}],
                              'Configs': [{'File': {'Name': 'c', 'UID': '0', 'GID': '0', 'Mode': 292}, 'ConfigID': 'cid', 'ConfigName': 'y'}]},
            'ForceUpdate': 3,
            'Runtime': 'container',
        },
        'EndpointSpec': {'Mode': 'vip', 'Ports': [{'TargetPort': 80, 'PublishedPort': 8080}]},
    }
    out = S.comparable(engine, {'id-a': 'probe_a', 'id-b': 'probe_b'})
    assert 'Version' not in out and 'Networks' not in out
    assert out['TaskTemplate']['Networks'] == [{'Target': 'probe_a', 'Aliases': ['web']}, {'Target': 'probe_b'}]
    assert 'ForceUpdate' not in out['TaskTemplate'] and 'Runtime' not in out['TaskTemplate']
    assert out['TaskTemplate']['ContainerSpec']['Secrets'] == [{'File': {'Name': 's', 'UID': '0', 'GID': '0', 'Mode': 292}, 'SecretName': 'x'}]
    assert out['TaskTemplate']['ContainerSpec']['Configs'] == [{'File': {'Name': 'c', 'UID': '0', 'GID': '0', 'Mode': 292}, 'ConfigName': 'y'}]
    assert out['EndpointSpec'] == {'Ports': [{'TargetPort': 80, 'PublishedPort': 8080, 'Protocol': 'tcp', 'PublishMode': 'ingress'}]}


def test_a_plugin_runtime_is_kept():
    assert S.comparable({'TaskTemplate': {'Runtime': 'plugin'}})['TaskTemplate']['Runtime'] == 'plugin'


def test_converted_ports_secrets_and_volumes_compare_equal_to_the_engines():
    spec = converted({'web': {'image': 'nginx', 'ports': ['8080:80', {'target': 443, 'published': 443, 'mode': 'host'}],
                              'secrets': ['s'], 'volumes': ['data:/data']}},
                     secrets={'s': {'external': True}}, volumes={'data': None})['web']
    engine = copy.deepcopy(spec)
    template = engine['TaskTemplate']
    template['ContainerSpec']['Secrets'][0]['SecretID'] = 'k7uxd0dw0f1e0cx8t2ee3c3a4'
    template['Networks'] = [{'Target': 'netid', 'Aliases': ['web']}]
    template['ForceUpdate'] = 0
    engine.update(Version={'Index': 7}, UpdateConfig={'Parallelism': 1, 'FailureAction': 'pause', 'Monitor': 5 * 10 ** 9,
                                                      'MaxFailureRatio': 0, 'Order': 'stop-first'})
    assert S.comparable(spec) == S.comparable(engine, {'netid': 'probe_default'})


# =================================================================================================================
# spec_changes() and plan_services(): what a deploy changes

def test_spec_changes_lists_changed_added_and_removed_paths():
    current = {'TaskTemplate': {'ContainerSpec': {'Image': 'a:1', 'Env': ['X=1']}}, 'Labels': {'old': 'x'}}
    desired = {'TaskTemplate': {'ContainerSpec': {'Image': 'a:2', 'Env': ['X=1']}}, 'Labels': {'new': 'y'}}
    assert S.spec_changes(desired, current) == (
        {'TaskTemplate.ContainerSpec.Image': 'a:1', 'Labels.old': 'x'},
        {'TaskTemplate.ContainerSpec.Image': 'a:2', 'Labels.new': 'y'},
    )


def test_spec_changes_of_equal_or_empty_specs():
    assert S.spec_changes({'A': {'B': [1, 2]}}, {'A': {'B': [1, 2]}}) == ({}, {})
    assert S.spec_changes({}, {}) == ({}, {})
    assert S.spec_changes({'A': 1}, None) == ({}, {'A': 1})


def test_plan_services():
    desired = {'s_new': {'Image': 'n'}, 's_same': {'Image': 'x'}, 's_changed': {'Image': 'b', 'Env': ['A=1']}}
    observed = {'s_same': {'Image': 'x'}, 's_changed': {'Image': 'a', 'Env': ['A=1']}, 's_gone': {'Image': 'g', 'Mode': {'Global': {}}}}
    expected = [
        {'name': 's_changed', 'action': 'update', 'before': {'Image': 'a'}, 'after': {'Image': 'b'}},
        {'name': 's_new', 'action': 'create', 'before': {}, 'after': {'Image': 'n'}},
        {'name': 's_same', 'action': 'unchanged', 'before': {}, 'after': {}},
    ]
    assert S.plan_services(desired, observed) == expected
    assert S.plan_services(desired, observed, prune=True) == expected + [
        {'name': 's_gone', 'action': 'remove', 'before': {'Image': 'g', 'Mode.Global': {}}, 'after': {}}]


def test_plan_of_a_created_service_shows_its_fields():
    spec = S.comparable(plain())
    step = S.plan_services({'probe_plain': spec}, {})[0]
    assert step['action'] == 'create'
    assert step['after']['TaskTemplate.ContainerSpec.Image'] == 'redis:latest'
    assert step['after']['Mode.Replicated.Replicas'] == 1


# =================================================================================================================
# stale_objects(): the stack's secrets and configs that nothing wants any more

def test_stale_objects():
    existing = [
        {'name': 'probe_db-aaaaaaaaaaaa', 'labels': {'com.docker.stack.namespace': 'probe'}},
        {'name': 'probe_db-bbbbbbbbbbbb', 'labels': {'com.docker.stack.namespace': 'probe'}},
        {'name': 'probe_api-cccccccccccc', 'labels': {'com.docker.stack.namespace': 'probe'}},
        {'name': 'other_db-aaaaaaaaaaaa', 'labels': {'com.docker.stack.namespace': 'other'}},
        {'name': 'manual', 'labels': None},
        {'name': 'no-labels'},
    ]
    assert S.stale_objects(existing, ['probe_db-bbbbbbbbbbbb'], 'probe') == ['probe_api-cccccccccccc', 'probe_db-aaaaaaaaaaaa']
    assert S.stale_objects(existing, set(['probe_db-aaaaaaaaaaaa', 'probe_db-bbbbbbbbbbbb', 'probe_api-cccccccccccc']), 'probe') == []
    assert S.stale_objects([], [], 'probe') == []


# =================================================================================================================
# service_progress(): the rollout as swarmkit's tasks and UpdateStatus show it

TEMPLATE = {'ContainerSpec': {'Image': 'app:2'}, 'Networks': [{'Target': 'netid', 'Aliases': ['web']}]}
OLD_TEMPLATE = {'ContainerSpec': {'Image': 'app:1'}, 'Networks': [{'Target': 'netid', 'Aliases': ['web']}]}


def engine_service(mode, state=None, message=None, template=None, name='probe_web'):
    out = {'ID': 'svc', 'Spec': {'Name': name, 'Mode': mode, 'TaskTemplate': copy.deepcopy(template or TEMPLATE)}}
    if state:
        out['UpdateStatus'] = {'State': state, 'Message': message or ''}
    return out


def task(state, desired='running', node='n1', template=None, ts='2026-01-01T00:00:00Z', err=None, task_id=None, slot=1):
    status = {'State': state, 'Timestamp': ts, 'Message': state}
    if err:
        status['Err'] = err
    return {'ID': task_id or ('t%s%s%s' % (node, state, ts)).ljust(25, 'x'), 'Slot': slot, 'NodeID': node,
            'DesiredState': desired, 'Status': status, 'Spec': copy.deepcopy(template or TEMPLATE)}


def progress(service, tasks, **kwargs):
    out = S.service_progress(service, tasks, **kwargs)
    return dict((k, out[k]) for k in ('mode', 'desired', 'running', 'updated', 'completed', 'converged', 'failed', 'rolled_back'))


def counts(mode, desired, running, updated, completed=0, converged=False, failed=False, rolled_back=False):
    return {'mode': mode, 'desired': desired, 'running': running, 'updated': updated, 'completed': completed, 'converged': converged,
            'failed': failed, 'rolled_back': rolled_back}


def test_the_engine_task_counts_as_current_for_the_cli_deployed_service():
    service = {'Spec': copy.deepcopy(ENGINE_SPEC)}
    tasks = [dict(task('running'), Spec=copy.deepcopy(ENGINE_TASK_SPEC))]
    assert progress(service, tasks) == counts('replicated', 1, 1, 1, converged=True)


@pytest.mark.parametrize('tasks, expected', [
    ([task('running', node=n) for n in ('n1', 'n2', 'n3')], counts('replicated', 3, 3, 3, converged=True)),
    ([task('running'), task('running', node='n2'), task('preparing', node='n3')], counts('replicated', 3, 2, 3)),
    ([task('running'), task('running', node='n2')], counts('replicated', 3, 2, 2)),
    # Tasks of the spec before the update run, but are not updated.
    ([task('running', template=OLD_TEMPLATE), task('running', node='n2'), task('running', node='n3', template=OLD_TEMPLATE)],
     counts('replicated', 3, 1, 1)),
    # Tasks on their way out (desired shutdown) and failed ones do not count.
    ([task('running', node=n) for n in ('n1', 'n2', 'n3')] + [task('running', desired='shutdown', template=OLD_TEMPLATE),
                                                              task('failed', desired='shutdown', err='exit 1')],
     counts('replicated', 3, 3, 3, converged=True)),
    # One task too many (scaling down) is not converged yet.
    ([task('running', node=n) for n in ('n1', 'n2', 'n3', 'n4')], counts('replicated', 3, 4, 4)),
])
def test_replicated_progress(tasks, expected):
    assert progress(engine_service({'Replicated': {'Replicas': 3}}), tasks) == expected


def test_replicated_without_a_count_wants_one():
    assert progress(engine_service({'Replicated': {}}), [task('running')]) == counts('replicated', 1, 1, 1, converged=True)


def test_scaled_to_zero():
    assert progress(engine_service({'Replicated': {'Replicas': 0}}), []) == counts('replicated', 0, 0, 0, converged=True)


def test_a_forced_update_makes_earlier_tasks_old():
    service = engine_service({'Replicated': {'Replicas': 1}})
    service['Spec']['TaskTemplate']['ForceUpdate'] = 2
    old, new = task('running'), task('running', node='n2')
    old['Spec']['ForceUpdate'] = 1
    new['Spec']['ForceUpdate'] = 2
    assert progress(service, [old]) == counts('replicated', 1, 0, 0)
    assert progress(service, [new]) == counts('replicated', 1, 1, 1, converged=True)


@pytest.mark.parametrize('eligible, tasks, expected', [
    (3, [task('running', node=n) for n in ('n1', 'n2', 'n3')], counts('global', 3, 3, 3, converged=True)),
    (3, [task('running', node=n) for n in ('n1', 'n2')], counts('global', 3, 2, 2)),
    (None, [task('running', node=n) for n in ('n1', 'n2')], counts('global', 2, 2, 2, converged=True)),
    (None, [task('running'), task('starting', node='n2')], counts('global', 2, 1, 2)),
    (2, [task('running'), task('running', node='n2', template=OLD_TEMPLATE)], counts('global', 2, 1, 1)),
])
def test_global_progress(eligible, tasks, expected):
    assert progress(engine_service({'Global': {}}), tasks, eligible_nodes=eligible) == expected


@pytest.mark.parametrize('tasks, expected', [
    ([task('complete', desired='complete', node=n) for n in ('n1', 'n2')], counts('replicated-job', 2, 0, 2, completed=2, converged=True)),
    ([task('complete', desired='complete'), task('running', desired='complete', node='n2')], counts('replicated-job', 2, 1, 2, completed=1)),
    # A failed task is shut down and replaced: only its replacement counts.
    ([task('failed', desired='shutdown', err='exit 3'), task('running', desired='complete', node='n2')], counts('replicated-job', 2, 1, 1)),
])
def test_replicated_job_progress(tasks, expected):
    assert progress(engine_service({'ReplicatedJob': {'MaxConcurrent': 2, 'TotalCompletions': 2}}), tasks) == expected


@pytest.mark.parametrize('eligible, tasks, expected', [
    (2, [task('complete', desired='complete', node=n) for n in ('n1', 'n2')], counts('global-job', 2, 0, 2, completed=2, converged=True)),
    (3, [task('complete', desired='complete', node=n) for n in ('n1', 'n2')], counts('global-job', 3, 0, 2, completed=2)),
    (2, [task('complete', desired='complete', node=n) for n in ('n1', 'n2')] + [task('running', desired='complete', node='n3')],
     counts('global-job', 2, 1, 3, completed=2)),  # a node that joined meanwhile runs it too
    (None, [task('complete', desired='complete'), task('running', desired='complete', node='n2')], counts('global-job', 2, 1, 2, completed=1)),
])
def test_global_job_progress(eligible, tasks, expected):
    assert progress(engine_service({'GlobalJob': {}}), tasks, eligible_nodes=eligible) == expected


def test_an_update_in_progress_is_not_converged():
    tasks = [task('running', node=n) for n in ('n1', 'n2')]
    for state in ('updating', 'rollback_started'):
        out = S.service_progress(engine_service({'Replicated': {'Replicas': 2}}, state=state, message='update in progress'), tasks)
        assert (out['running'], out['updated'], out['converged'], out['failed'], out['update_state']) == (2, 2, False, False, state)
    done = S.service_progress(engine_service({'Replicated': {'Replicas': 2}}, state='completed', message='update completed'), tasks)
    assert (done['converged'], done['update_state'], done['message']) == (True, 'completed', 'update completed')


def test_a_paused_update_has_failed_with_the_tasks_errors():
    message = 'update paused due to failure or early termination of task abc'
    service = engine_service({'Replicated': {'Replicas': 2}}, state='paused', message=message)
    tasks = [task('running'), task('running', node='n2', template=OLD_TEMPLATE),
             task('failed', desired='shutdown', node='n1', ts='2026-01-01T00:01:00Z', err='task: non-zero exit (1)', task_id='f' * 25),
             task('failed', desired='shutdown', node='n1', template=OLD_TEMPLATE, ts='2026-01-01T00:02:00Z', err='old spec failure')]
    out = S.service_progress(service, tasks, node_names={'n1': 'manager-1'})
    assert (out['failed'], out['converged'], out['rolled_back'], out['message']) == (True, False, False, message)
    # Only the failures of the present spec: the old one failing is not this update's doing.
    assert out['errors'] == [{'id': 'f' * 12, 'slot': 1, 'node': 'manager-1', 'state': 'failed', 'desired_state': 'shutdown',
                              'error': 'task: non-zero exit (1)', 'message': 'failed'}]


def test_rollback_paused_has_failed():
    out = S.service_progress(engine_service({'Replicated': {'Replicas': 1}}, state='rollback_paused'), [task('running')])
    assert (out['failed'], out['converged']) == (True, False)


def test_a_rolled_back_update_lists_the_failed_tasks_of_the_spec_rolled_back():
    # After the rollback the service's spec is the old one again, so the failed tasks ran a spec that is no more.
    service = engine_service({'Replicated': {'Replicas': 1}}, state='rollback_completed', message='rollback completed',
                             template=OLD_TEMPLATE)
    failed = [task('rejected', desired='shutdown', node='n%d' % i, ts='2026-01-01T00:0%d:00Z' % i, err='No such image: app:2',
                   task_id=('r%d' % i) * 13) for i in range(1, 5)]
    out = S.service_progress(service, [task('running', template=OLD_TEMPLATE)] + failed, node_names={'n4': 'worker-4'})
    assert (out['rolled_back'], out['failed'], out['converged'], out['running'], out['updated']) == (True, False, False, 1, 1)
    # The three newest, newest first, with the node's name where known.
    assert [(e['id'], e['node'], e['state'], e['error']) for e in out['errors']] == [
        ('r4r4r4r4r4r4', 'worker-4', 'rejected', 'No such image: app:2'),
        ('r3r3r3r3r3r3', 'n3', 'rejected', 'No such image: app:2'),
        ('r2r2r2r2r2r2', 'n2', 'rejected', 'No such image: app:2'),
    ]


def test_progress_names_the_service():
    out = S.service_progress(engine_service({'Replicated': {'Replicas': 1}}, name='shop_api'), [])
    assert (out['name'], out['update_state'], out['message'], out['errors']) == ('shop_api', '', '', [])


# =================================================================================================================
# progress_line(): one line per service for messages

def line(**fields):
    base = {'name': 'demo_web', 'mode': 'replicated', 'desired': 3, 'running': 2, 'updated': 1, 'completed': 0,
            'update_state': '', 'message': '', 'errors': []}
    base.update(fields)
    return S.progress_line(base)


def test_progress_lines():
    assert line() == 'demo_web: 2/3 running, 1/3 updated'
    assert line(update_state='updating') == 'demo_web: 2/3 running, 1/3 updated (update updating)'
    assert line(update_state='rollback_completed', message='rollback completed') == \
        'demo_web: 2/3 running, 1/3 updated (update rollback completed: rollback completed)'
    assert line(mode='replicated-job', completed=1, desired=2) == 'demo_web: 1/2 completed'
    assert line(mode='global-job', completed=3) == 'demo_web: 3/3 completed'
    errors = [{'id': 'abc', 'node': 'node-1', 'state': 'failed', 'error': 'exit 1', 'message': 'started'},
              {'id': 'def', 'node': '', 'state': 'rejected', 'error': '', 'message': 'no suitable node'}]
    assert line(update_state='paused', message='update paused', errors=errors) == (
        'demo_web: 2/3 running, 1/3 updated (update paused: update paused); task abc on node-1 failed: exit 1; '
        'task def on no node rejected: no suitable node')


def test_progress_line_of_a_real_progress():
    out = S.service_progress(engine_service({'Replicated': {'Replicas': 2}}, state='updating'), [task('running')])
    assert S.progress_line(out) == 'probe_web: 1/2 running, 1/2 updated (update updating)'


# =================================================================================================================
# node_matches() and eligible_nodes(): swarmkit placement constraints

NODE = {
    'ID': 'abcdef123456',
    'Spec': {'Role': 'manager', 'Availability': 'active', 'Labels': {'zone': 'a', 'Disk': 'SSD'}},
    'Description': {'Hostname': 'Manager-1', 'Platform': {'OS': 'linux', 'Architecture': 'x86_64'},
                    'Engine': {'Labels': {'storage': 'fast'}}},
    'Status': {'State': 'ready'},
}


@pytest.mark.parametrize('constraints, matches', [
    ([], True),
    (None, True),
    (['node.role == manager'], True),
    (['node.role==manager'], True),
    (['node.role == worker'], False),
    (['node.role != worker'], True),
    (['node.role != manager'], False),
    (['node.labels.zone == a'], True),
    (['node.labels.zone == b'], False),
    (['node.labels.zone != b'], True),
    (['node.labels.disk == ssd'], False),  # label names are case sensitive
    (['node.labels.Disk == ssd'], True),  # values are not
    (['node.labels.rack == 1'], False),  # a missing label equals nothing
    (['node.labels.rack != 1'], True),
    (['node.hostname == manager-1'], True),
    (['node.hostname != manager-1'], False),
    (['node.id == abcdef123456'], True),
    (['node.id == abcdef'], False),
    (['node.platform.os == linux', 'node.platform.arch == x86_64'], True),
    (['engine.labels.storage == fast'], True),
    (['node.role == manager', 'node.labels.zone == b'], False),  # all of them must hold
])
def test_node_matches(constraints, matches):
    assert S.node_matches(NODE, constraints) is matches


def swarm_node(name, role='worker', state='ready', availability='active', **labels):
    return {'ID': name, 'Spec': {'Role': role, 'Availability': availability, 'Labels': labels},
            'Description': {'Hostname': name}, 'Status': {'State': state}}


def test_eligible_nodes_are_ready_active_and_matching():
    nodes = [swarm_node('m1', role='manager', zone='a'), swarm_node('w1', zone='a'), swarm_node('w2', zone='b'),
             swarm_node('w3', state='down', zone='a'), swarm_node('w4', availability='drain', zone='a'), swarm_node('w5', availability='pause', zone='a')]
    assert S.eligible_nodes(nodes, {}) == 3
    assert S.eligible_nodes(nodes, {'TaskTemplate': {'Placement': {'Constraints': ['node.labels.zone == a']}}}) == 2
    assert S.eligible_nodes(nodes, {'TaskTemplate': {'Placement': {'Constraints': ['node.role != manager']}}}) == 2
    assert S.eligible_nodes(nodes, {'TaskTemplate': {'Placement': {'Constraints': ['node.hostname == w2']}}}) == 1
    assert S.eligible_nodes([], {}) == 0


def test_eligible_nodes_of_a_converted_global_service():
    spec = converted({'web': {'image': 'nginx', 'deploy': {'mode': 'global', 'placement': {'constraints': ['node.role == worker']}}}})['web']
    assert S.eligible_nodes([swarm_node('m1', role='manager'), swarm_node('w1'), swarm_node('w2')], spec) == 2


def test_rollout_names_nodes_and_counts_eligible_nodes_for_a_global_service():
    """rollout(): service_progress() with hostnames, and a global service's desired count from the ready nodes."""
    from ansible_collections.anchorage.swarm.plugins.module_utils._stack import node_names, rollout
    nodes = [
        {'ID': 'n1', 'Description': {'Hostname': 'manager1'}, 'Status': {'State': 'ready'},
         'Spec': {'Availability': 'active', 'Role': 'manager'}},
        {'ID': 'n2', 'Description': {'Hostname': 'worker1'}, 'Status': {'State': 'ready'},
         'Spec': {'Availability': 'active', 'Role': 'worker'}},
        {'ID': 'n3', 'Description': {}, 'Status': {'State': 'down'}, 'Spec': {'Availability': 'active', 'Role': 'worker'}},
    ]
    assert node_names(nodes) == {'n1': 'manager1', 'n2': 'worker1', 'n3': 'n3'}
    template = {'ContainerSpec': {'Image': 'app:1'}}
    service = {'Spec': {'Name': 'demo_web', 'Mode': {'Global': {}}, 'TaskTemplate': template}}
    task = {'ID': 't1', 'NodeID': 'n1', 'DesiredState': 'running', 'Status': {'State': 'running'}, 'Spec': template}
    progress = rollout(service, [task], nodes)
    assert (progress['desired'], progress['running'], progress['converged']) == (2, 1, False)
    replicated = {'Spec': {'Name': 'demo_db', 'Mode': {'Replicated': {'Replicas': 1}}, 'TaskTemplate': template}}
    assert rollout(replicated, [task], nodes)['converged'] is True


@pytest.mark.parametrize(('params', 'expected'), [
    ({'wait_timeout': 300}, []),
    ({'wait_timeout': 1}, []),
    ({'wait_timeout': None}, []),
    ({}, []),
    ({'wait_timeout': 0}, ['wait_timeout must be a number of seconds from 1 on (at least 1), not 0: give e.g. '
                           'wait_timeout=300']),
    ({'wait_timeout': -10}, ['wait_timeout must be a number of seconds from 1 on (at least 1), not -10: give e.g. '
                             'wait_timeout=300']),
    ({'logs_tail': 0}, []),
    ({'logs_tail': 20}, []),
    # The Engine refuses a negative tail ("negative tail values not supported").
    ({'logs_tail': -2}, ['logs_tail must be a positive number of lines, or 0 for all lines (at least 0), not -2: '
                         'give e.g. logs_tail=100']),
    ({'logs_tail': -1, 'wait_timeout': -1}, ['logs_tail must be a positive number of lines, or 0 for all lines '
                                             '(at least 0), not -1: give e.g. logs_tail=100',
                                             'wait_timeout must be a number of seconds from 1 on (at least 1), '
                                             'not -1: give e.g. wait_timeout=300']),
])
def test_option_problems_name_the_option_and_the_fix(params, expected):
    assert S.option_problems(params) == expected


def _service(mounts):
    return {'web': {'TaskTemplate': {'ContainerSpec': {'Mounts': mounts}}}}


@pytest.mark.parametrize(('mounts', 'words'), [
    ([{'Type': 'volume', 'Source': 'app_data', 'Target': '/data'}], None),
    # 'data:relative/path' in compose: a named volume with a relative target; the Engine's swarm executor rejects
    # every task ("invalid mount target, must be an absolute path").
    ([{'Type': 'volume', 'Source': 'app_data', 'Target': 'relative/path'}],
     "mount target 'relative/path' is not an absolute path"),
    ([{'Type': 'tmpfs', 'Target': ''}], "mount target '' is not an absolute path"),
    # A Windows named pipe is the executor's one exception.
    ([{'Type': 'npipe', 'Source': r'\\.\pipe\docker_engine', 'Target': r'\\.\pipe\docker_engine'}], None),
    ([{'Type': 'volume', 'Target': '/d'}, {'Type': 'volume', 'Target': '/d'}], 'mount target /d is given twice'),
    ([{'Type': 'bind', 'Source': 'rel', 'Target': '/d'}], "bind source 'rel' of /d is not an absolute path"),
])
def test_check_specs_mounts(mounts, words):
    from ansible_collections.anchorage.swarm.plugins.modules.stack import check_specs
    if words is None:
        check_specs(_service(mounts))
    else:
        with pytest.raises(C.ComposeError) as raised:
            check_specs(_service(mounts))
        assert str(raised.value).startswith('services.web.volumes: ') and words in str(raised.value)
