# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""swarm_step, the swarm role's dispatcher module, run as Ansible runs it against the fake Engine of
test_swarm_modules: which requests each step sends, in which order, and what it waits for."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

# engine is the fake Engine fixture the tests take by name.
from test_swarm_modules import engine  # noqa: F401  # pylint: disable=import-error,unused-import
from test_swarm_modules import MANAGER_TOKEN, SWARM, WORKER_TOKEN, info, node, run_module, worker_info  # pylint: disable=import-error


def step(engine, step_=None, check=False, **args):
    if step_ is not None:
        args['step'] = dict({'seq': 4, 'index': 2, 'host': 'm1', 'node': 'w1', 'desc': 'the step'}, **step_)
    return run_module('swarm_step', dict(args, docker_host=engine.docker_host, timeout=3), check=check)


def versioned(record, index=7):
    return dict(record, Version={'Index': index})


def test_update_merges_labels_and_sends_the_whole_spec_at_its_version(engine):
    current = versioned(node('id-w1', 'w1', labels={'zone': 'a'}))
    engine.on('GET', '/nodes/id-w1', (200, current)).on('POST', '/nodes/id-w1/update', (200, None))
    result = step(engine, {'action': 'update', 'node_id': 'id-w1', 'labels': {'disk': 'ssd'}, 'labels_mode': 'merge',
                           'availability': 'drain'})
    assert result['changed'] is True and not result.get('failed'), result
    [post] = engine.posts
    assert post['query'] == {'version': '7'}
    assert post['body'] == {'Role': 'worker', 'Availability': 'drain', 'Labels': {'zone': 'a', 'disk': 'ssd'}}
    assert result['step'] == {'seq': 4, 'index': 2, 'action': 'update', 'host': 'm1', 'node': 'w1', 'desc': 'the step'}
    assert result['started'] <= result['finished']


def test_update_unchanged_sends_nothing(engine):
    engine.on('GET', '/nodes/id-w1', (200, versioned(node('id-w1', 'w1', labels={'zone': 'a'}))))
    result = step(engine, {'action': 'update', 'node_id': 'id-w1', 'labels': {'zone': 'a'}, 'labels_mode': 'replace',
                           'availability': 'active'})
    assert result['changed'] is False and engine.posts == []


def test_update_replace_drops_labels_the_inventory_does_not_list(engine):
    engine.on('GET', '/nodes/id-w1', (200, versioned(node('id-w1', 'w1', labels={'zone': 'a', 'old': '1'}))))
    engine.on('POST', '/nodes/id-w1/update', (200, None))
    step(engine, {'action': 'update', 'node_id': 'id-w1', 'labels': {'zone': 'a'}, 'labels_mode': 'replace',
                  'availability': 'active'})
    assert engine.posts[0]['body']['Labels'] == {'zone': 'a'}


def test_demote_waits_until_the_node_is_no_raft_member(engine):
    manager = versioned(node('id-m2', 'm2', role='manager'))
    demoting = versioned(dict(manager, Spec=dict(manager['Spec'], Role='worker')), 8)
    done = versioned(node('id-m2', 'm2'), 9)
    engine.on('GET', '/nodes/id-m2', (200, manager), (200, demoting), (200, done))
    engine.on('POST', '/nodes/id-m2/update', (200, None))
    result = step(engine, {'action': 'demote', 'node_id': 'id-m2', 'node': 'm2'})
    assert result['changed'] is True and not result.get('failed'), result
    assert engine.posts[0]['body']['Role'] == 'worker'
    assert engine.paths.count(('GET', '/nodes/id-m2')) == 3


def test_demote_that_never_takes_effect_fails_with_why(engine):
    manager = versioned(node('id-m2', 'm2', role='manager'))
    engine.on('GET', '/nodes/id-m2', (200, manager)).on('POST', '/nodes/id-m2/update', (200, None))
    result = step(engine, {'action': 'demote', 'node_id': 'id-m2', 'node': 'm2', 'desc': 'demote m2 to worker'})
    assert result['failed'] is True
    assert result['msg'] == ('Cannot carry out step 4 (demote m2 to worker): the demotion of id-m2 did not happen '
                             'within 3 s')


def test_remove_after_leave_waits_for_down_then_removes_without_force(engine):
    up, down = node('id-w3', 'w3'), node('id-w3', 'w3', state='down')
    engine.on('GET', '/nodes/id-w3', (200, up), (200, up), (200, down))
    engine.on('DELETE', '/nodes/id-w3', (200, None))
    result = step(engine, {'action': 'remove', 'node_id': 'id-w3', 'wait_down': True, 'force': False})
    assert result['changed'] is True, result
    assert engine.paths[-1] == ('DELETE', '/nodes/id-w3')
    assert engine.requests[-1]['query'] == {'force': 'false'}


def test_remove_of_a_node_already_gone_is_no_change(engine):
    engine.on('GET', '/nodes/id-w3', (404, {'message': 'node id-w3 not found'}))
    result = step(engine, {'action': 'remove', 'node_id': 'id-w3', 'wait_down': False, 'force': True})
    assert result['changed'] is False and not result.get('failed')
    assert ('DELETE', '/nodes/id-w3') not in engine.paths


def test_remove_stale_demotes_an_old_manager_entry_then_removes_it_by_force(engine):
    old = versioned(node('id-m1', 'm1', role='manager', state='down'))
    engine.on('GET', '/nodes/id-m1', (200, old), (200, old), (200, versioned(node('id-m1', 'm1', state='down'))))
    engine.on('POST', '/nodes/id-m1/update', (200, None)).on('DELETE', '/nodes/id-m1', (200, None))
    result = step(engine, {'action': 'remove_stale', 'node_id': 'id-m1', 'demote': True})
    assert result['changed'] is True, result
    assert [p for p in engine.paths if p[0] != 'GET'] == [('POST', '/nodes/id-m1/update'), ('DELETE', '/nodes/id-m1')]
    assert engine.requests[-1]['query'] == {'force': 'true'}


def test_autolock_and_rotation_update_the_swarm_at_its_version(engine):
    swarm = dict(SWARM, Version={'Index': 42}, Spec={'Name': 'default', 'EncryptionConfig': {'AutoLockManagers': False}})
    engine.on('GET', '/swarm', (200, swarm)).on('POST', '/swarm/update', (200, None))
    result = step(engine, {'action': 'autolock', 'enabled': True})
    assert result['changed'] is True
    assert engine.posts[0]['query'] == {'version': '42', 'rotateWorkerToken': 'false', 'rotateManagerToken': 'false'}
    assert engine.posts[0]['body']['EncryptionConfig'] == {'AutoLockManagers': True}
    result = step(engine, {'action': 'rotate', 'which': ['worker']})
    assert engine.posts[1]['query']['rotateWorkerToken'] == 'true'
    assert 'SWMTKN' not in json.dumps(result)


def test_autolock_already_as_asked_is_no_change(engine):
    engine.on('GET', '/swarm', (200, dict(SWARM, Version={'Index': 42})))
    assert step(engine, {'action': 'autolock', 'enabled': True})['changed'] is False
    assert engine.posts == []


def test_read_join_tokens_and_ready_managers(engine):
    engine.on('GET', '/swarm', (200, SWARM))
    engine.on('GET', '/nodes', (200, [node('a', 'm1', role='manager'), node('b', 'w1'),
                                      dict(node('c', 'm2', role='manager', state='down'),
                                           ManagerStatus={'Addr': '10.0.0.99:2377'})]))
    engine.on('GET', '/swarm/unlockkey', (200, {'UnlockKey': 'SWMKEY-1-secret'}))
    result = step(engine, read=['join_tokens', 'unlock_key'])
    assert result['join_tokens'] == {'worker': WORKER_TOKEN, 'manager': MANAGER_TOKEN}
    assert result['join_addrs'] == ['10.0.0.11:2377']
    assert result['unlock_key'] == 'SWMKEY-1-secret'
    assert engine.posts == []


def test_join_step_sends_its_addresses_the_token_and_the_managers(engine):
    engine.on('GET', '/info', (200, info()), (200, worker_info())).on('POST', '/swarm/join', (200, None))
    result = step(engine, {'action': 'join', 'role': 'worker', 'cluster_id': '', 'advertise_addr': '10.0.0.13',
                           'listen_addr': '0.0.0.0:2377', 'data_path_addr': ''},
                  join_token=WORKER_TOKEN, remote_addrs=['10.0.0.11:2377'])
    assert result['changed'] is True, result
    assert engine.posts[0]['body'] == {'ListenAddr': '0.0.0.0:2377', 'AdvertiseAddr': '10.0.0.13',
                                       'RemoteAddrs': ['10.0.0.11:2377'], 'JoinToken': WORKER_TOKEN}


def test_join_step_of_a_held_node_joins_at_pause(engine):
    """Issue 16: the join request carries the plan's availability, so no task is placed on the node in between."""
    engine.on('GET', '/info', (200, info()), (200, worker_info())).on('POST', '/swarm/join', (200, None))
    result = step(engine, {'action': 'join', 'role': 'worker', 'cluster_id': '', 'availability': 'pause'},
                  join_token=WORKER_TOKEN, remote_addrs=['10.0.0.11:2377'])
    assert result['changed'] is True, result
    assert engine.posts[0]['body']['Availability'] == 'pause'


def test_join_refusal_names_the_step_and_masks_the_token(engine):
    engine.on('GET', '/info', (200, info()))
    engine.on('POST', '/swarm/join', (400, {'message': 'invalid join token %s' % WORKER_TOKEN}))
    result = step(engine, {'action': 'join', 'role': 'worker', 'desc': 'w1 joins as worker'},
                  join_token=WORKER_TOKEN, remote_addrs=['10.0.0.11:2377'])
    assert result['failed'] is True
    assert result['msg'].startswith('Cannot carry out step 4 (w1 joins as worker): invalid join token ')
    assert 'SWMTKN' not in json.dumps(result)


def test_init_step_on_a_pending_node_is_refused(engine):
    # The plan puts a forced leave before the init of a node stuck in a join; the init itself never forces.
    engine.on('GET', '/info', (200, info('pending', error='rpc error')))
    result = step(engine, {'action': 'init', 'node': 'm1', 'desc': 'init a new swarm on m1'})
    assert result['failed'] is True and 'set force=true to leave it first' in result['msg']
    assert engine.posts == []


def test_leave_then_init_as_the_plan_orders_them(engine):
    engine.on('GET', '/info', (200, info('pending', error='rpc error')), (200, info()))
    engine.on('POST', '/swarm/leave', (200, None))
    assert step(engine, {'action': 'leave', 'force': True})['changed'] is True
    engine.on('GET', '/info', (200, info()), (200, info('active', manager=True, cluster_id='x')))
    engine.on('POST', '/swarm/init', (200, 'x'))
    result = step(engine, {'action': 'init', 'advertise_addr': 'eth1', 'listen_addr': '0.0.0.0:2377',
                           'data_path_port': 4789, 'default_addr_pool': [], 'subnet_size': None, 'autolock': True})
    assert result['changed'] is True, result
    assert [p['path'] for p in engine.posts] == ['/swarm/leave', '/swarm/init']
    assert engine.posts[1]['body'] == {'ListenAddr': '0.0.0.0:2377', 'AdvertiseAddr': 'eth1', 'DataPathPort': 4789,
                                       'Spec': {'EncryptionConfig': {'AutoLockManagers': True}}}


def test_check_mode_predicts_and_sends_nothing(engine):
    engine.on('GET', '/nodes/id-w1', (200, versioned(node('id-w1', 'w1'))))
    result = step(engine, {'action': 'update', 'node_id': 'id-w1', 'labels': {'zone': 'b'}, 'labels_mode': 'merge',
                           'availability': 'active'}, check=True)
    assert result['changed'] is True and engine.posts == []


def test_unknown_action_and_missing_inputs_say_what_to_give(engine):
    result = step(engine, {'action': 'explode'})
    assert result['failed'] and "step.action is 'explode'" in result['msg'] and engine.requests == []
    engine.on('GET', '/info', (200, info('locked')))
    result = step(engine, {'action': 'unlock'})
    assert result['failed'] and 'give swarm_unlock_key' in result['msg']
    result = step(engine, {'action': 'update', 'node_id': '', 'node': 'w9'})
    assert result['failed'] and 'w9 has no node ID in this plan' in result['msg']


def test_fail_masks_the_join_token_and_the_unlock_key_itself():
    """Issue 16: the module's own masking, called directly. Through Ansible, no_log would hide both values anyway,
    so only this test fails when SwarmStep.fail() stops replacing them."""
    import pytest
    from ansible_collections.anchorage.swarm.plugins.modules import swarm_step as mod

    class Module(object):
        check_mode = False
        _diff = False
        params = dict(step={'seq': 3, 'action': 'join', 'desc': 'w1 joins as worker'}, read=None,
                      join_token=WORKER_TOKEN, unlock_key='SWMKEY-1-7c37Cc8654o6p38HnroywCi19pllOnGtbdZEgtKxZu8')

        def fail_json(self, **kw):
            raise SystemExit(kw)

    with pytest.raises(SystemExit) as exc:
        mod.SwarmStep(Module()).fail('the Engine said: bad token %s, key %s'
                                     % (WORKER_TOKEN, Module.params['unlock_key']))
    msg = exc.value.args[0]['msg']
    assert WORKER_TOKEN not in msg and Module.params['unlock_key'] not in msg
    assert msg == 'Cannot carry out step 3 (w1 joins as worker): the Engine said: bad token ********, key ********'
