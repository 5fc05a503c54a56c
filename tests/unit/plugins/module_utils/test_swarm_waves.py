# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The plan as waves: what the swarm role's dispatcher carries out, in which order, and on which hosts.

The invariants hold for every plan of the scenario corpus below: waves carry every step exactly once and in the
plan's order; a change of the managers' Raft membership is a wave of its own; a wave that runs at once has one step
per host, each a node-local step.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import itertools

import pytest

from ansible_collections.anchorage.swarm.plugins.module_utils import _swarm as S

from test_swarm_plan import OTHER, cluster_state, entry, inactive, inv  # pylint: disable=import-error


def flat(result):
    return [step for wave in result['waves'] for step in wave['steps']]


def wave_actions(result):
    return [[(s['action'], s['host']) for s in wave['steps']] for wave in result['waves']]


def pending(name, error='rpc error: code = Unavailable'):
    return dict(inactive(name), local_state='pending', swarm_error=error)


def foreign_worker(name):
    return dict(inactive(name), local_state='active', remote_managers=['192.0.2.9:2377'])


def test_new_swarm_init_then_managers_one_by_one_then_workers_at_once():
    names = ['m1', 'm2', 'm3', 'w1', 'w2']
    result = S.plan(inv(['m1', 'm2', 'm3'], ['w1', 'w2'], w1={'labels': {'zone': 'a'}}),
                    dict((n, inactive(n)) for n in names))
    waves = result['waves']
    assert wave_actions(result)[:4] == [[('init', 'm1')], [('join', 'm2')], [('join', 'm3')],
                                        [('join', 'w1'), ('join', 'w2')]]
    assert [w['parallel'] for w in waves[:4]] == [False, False, False, True]
    assert [w['needs'] for w in waves[:4]] == [[], ['join_tokens'], ['join_tokens'], ['join_tokens']]
    assert all(w['via'] == 'm1' for w in waves)
    assert waves[3]['desc'] == 'w1 joins as worker; w2 joins as worker (at once)'
    # The node steps come last, in their own phase, run on the manager.
    assert [w['phase'] for w in waves] == ['membership'] * 4 + ['node']
    [update] = waves[4]['steps']
    assert (update['action'], update['host'], update['node'], update['labels']) == ('update', 'm1', 'w1', {'zone': 'a'})


def test_init_and_join_steps_carry_the_hosts_addresses():
    result = S.plan(inv(['m1'], ['w1'], m1={'advertise_addr': 'eth1', 'listen_addr': '0.0.0.0:2377'},
                        w1={'advertise_addr': '10.0.0.5', 'data_path_addr': 'eth2'}),
                    {'m1': inactive('m1'), 'w1': inactive('w1')},
                    {'data_path_port': 4790, 'default_addr_pool': ['10.20.0.0/16'], 'subnet_size': 26, 'autolock': False})
    init, join = [s for s in flat(result) if s['action'] in ('init', 'join')]
    assert (init['advertise_addr'], init['listen_addr'], init['data_path_port'], init['default_addr_pool'],
            init['subnet_size'], init['autolock']) == ('eth1', '0.0.0.0:2377', 4790, ['10.20.0.0/16'], 26, False)
    assert (join['advertise_addr'], join['data_path_addr'], join['listen_addr'], join['role']) == \
        ('10.0.0.5', 'eth2', '0.0.0.0:2377', 'worker')


def test_first_manager_stuck_in_pending_leaves_before_the_init():
    # The case the YAML order once got wrong: init before the leave, which the Engine refuses on a pending node.
    observed = {'m1': pending('m1'), 'm2': inactive('m2'), 'w1': inactive('w1')}
    result = S.plan(inv(['m1', 'm2'], ['w1']), observed)
    assert not result['errors']
    assert wave_actions(result)[:3] == [[('leave', 'm1')], [('init', 'm1')], [('join', 'm2')]]
    assert flat(result)[0]['force'] is True


def test_foreign_worker_with_force_rejoin_leaves_after_the_init_and_joins():
    observed = {'m1': inactive('m1'), 'w1': foreign_worker('w1'), 'w2': inactive('w2')}
    refused = S.plan(inv(['m1'], ['w1', 'w2']), observed)
    assert refused['waves'] == [] and any('swarm_force_rejoin' in e for e in refused['errors'])
    result = S.plan(inv(['m1'], ['w1', 'w2']), observed, {'force_rejoin': True})
    assert wave_actions(result)[:3] == [[('init', 'm1')], [('leave', 'w1')], [('join', 'w1'), ('join', 'w2')]]


def test_pending_first_manager_and_foreign_worker_together():
    observed = {'m1': pending('m1'), 'm2': inactive('m2'), 'w1': foreign_worker('w1'), 'w2': foreign_worker('w2')}
    result = S.plan(inv(['m1', 'm2'], ['w1', 'w2']), observed, {'force_rejoin': True})
    assert not result['errors'], result['errors']
    assert wave_actions(result)[:5] == [[('leave', 'm1')], [('init', 'm1')], [('leave', 'w1'), ('leave', 'w2')],
                                        [('join', 'm2')], [('join', 'w1'), ('join', 'w2')]]


def test_a_removal_is_demote_leave_and_node_rm_one_after_the_other():
    # m3 is up but not an Ansible host: it cannot be made to leave, so it is removed by force.
    nodes = [entry('m1', 'manager', leader=True), entry('m2', 'manager'), entry('m3', 'manager'), entry('w1')]
    result = S.plan(inv(['m1'], ['w1']), cluster_state(nodes), {'remove_absent': True, 'all_hosts': ['m2']})
    first, second = result['waves']
    assert [(s['action'], s['host']) for s in first['steps']] == [('demote', 'm1'), ('leave', 'm2'), ('remove', 'm1')]
    assert not first['parallel'] and first['phase'] == 'node'
    leave, remove = first['steps'][1:]
    assert leave['force'] is False and remove['wait_down'] is True and remove['force'] is False
    assert [(s['action'], s['host']) for s in second['steps']] == [('demote', 'm1'), ('remove', 'm1')]
    assert second['steps'][-1]['force'] is True and second['steps'][-1]['wait_down'] is False
    assert {s['index'] for s in first['steps']} == {0} and {s['index'] for s in second['steps']} == {1}


def test_promotions_and_demotions_are_one_wave_each():
    nodes = [entry('m1', 'manager', leader=True), entry('m2', 'manager'), entry('m3', 'manager'), entry('w1'),
             entry('w2')]
    result = S.plan(inv(['m1', 'w1', 'w2'], ['m2', 'm3']), cluster_state(nodes))
    assert wave_actions(result) == [[('promote', 'm1')], [('promote', 'm1')], [('demote', 'm1')],
                                    [('demote', 'm1')]]
    assert [s['node'] for w in result['waves'] for s in w['steps']] == ['w1', 'w2', 'm2', 'm3']


def test_autolock_at_init_hands_the_key_back_before_the_joins():
    result = S.plan(inv(['m1', 'm2'], ['w1']), dict((n, inactive(n)) for n in ('m1', 'm2', 'w1')), {'autolock': True})
    waves = result['waves']
    assert [w['desc'] for w in waves[:3]] == ['init a new swarm on m1', 'hand the unlock key back to the controller',
                                              'm2 joins as manager']
    assert waves[1]['keep_unlock_key'] and waves[1]['needs'] == ['unlock_key'] and waves[1]['steps'] == []


def test_autolock_turned_on_later_then_rotation_then_hand_back():
    nodes = [entry('m1', 'manager', leader=True), entry('w1')]
    result = S.plan(inv(['m1'], ['w1']), cluster_state(nodes), {'autolock': True, 'rotate_tokens': ['worker']})
    assert wave_actions(result) == [[('autolock', 'm1'), ('rotate', 'm1')], []]
    assert result['waves'][1]['keep_unlock_key']


def test_unlocks_run_at_once_with_the_key_read_on_the_manager():
    nodes = [entry('m1', 'manager', leader=True), entry('m2', 'manager', state='down'),
             entry('m3', 'manager', state='down'), entry('m4', 'manager'), entry('m5', 'manager')]
    observed = cluster_state(nodes)
    for name in ('m2', 'm3'):
        observed[name] = dict(inactive(name), local_state='locked', node_id='id-' + name)
    result = S.plan(inv(['m1', 'm2', 'm3', 'm4', 'm5']), observed)
    [wave] = result['waves']
    assert wave['parallel'] and wave['needs'] == ['unlock_key']
    assert [s['host'] for s in wave['steps']] == ['m2', 'm3']


def test_all_managers_locked_the_key_must_be_given():
    result = S.plan(inv(['m1']), {'m1': dict(inactive('m1'), local_state='locked', node_id='id-m1')})
    [wave] = result['waves']
    assert wave['needs'] == [] and wave['via'] == ''


def test_no_waves_when_the_plan_has_errors():
    nodes = [entry('m1', 'manager', leader=True)]
    observed = cluster_state(nodes)
    observed['w2'] = cluster_state([entry('w2', 'manager', leader=True)], cluster=OTHER)['w2']
    result = S.plan(inv(['m1'], ['w2']), observed)
    assert result['errors'] and result['waves'] == [] and result['steps'] == []


def _corpus():
    """Plans over every combination of node states for a 3-manager, 2-worker inventory on top of a few clusters."""
    states = {
        'inactive': inactive,
        'pending': pending,
        'foreign worker': foreign_worker,
    }
    for m1, m2, w1 in itertools.product(states, repeat=3):
        observed = {'m1': states[m1]('m1'), 'm2': states[m2]('m2'), 'm3': inactive('m3'),
                    'w1': states[w1]('w1'), 'w2': inactive('w2')}
        yield 'new swarm, m1 %s, m2 %s, w1 %s' % (m1, m2, w1), inv(['m1', 'm2', 'm3'], ['w1', 'w2']), observed, \
            {'force_rejoin': True, 'autolock': m1 == 'pending'}
    base = [entry('m1', 'manager', leader=True), entry('m2', 'manager'), entry('m3', 'manager'), entry('w1'),
            entry('w2'), entry('w3')]
    for managers, workers in (
            (['m1', 'm2', 'm3'], ['w1', 'w2']), (['m1', 'w1', 'w2'], ['m2', 'm3']), (['m1'], ['w1']),
            (['m1', 'm2', 'm3', 'w1', 'w2'], []), (['m2', 'm3', 'w3'], ['w1'])):
        observed = cluster_state(base)
        observed['w2'] = inactive('w2')
        yield 'cluster, managers %s' % managers, inv(managers, workers, w1={'labels': {'a': 'b'}}), observed, \
            {'remove_absent': True, 'all_hosts': ['m1', 'm2', 'm3', 'w1', 'w2', 'w3'], 'rotate_tokens': ['worker']}


@pytest.mark.parametrize('name,inventory,observed,options', list(_corpus()), ids=lambda v: v if isinstance(v, str) else '')
def test_waves_carry_every_step_once_in_plan_order(name, inventory, observed, options):
    result = S.plan(inventory, observed, options)
    steps = flat(result)
    assert [s['seq'] for s in steps] == list(range(1, len(steps) + 1))
    assert sorted(set(s['index'] for s in steps)) == list(range(len(result['steps']))), name
    assert [s['index'] for s in steps] == sorted(s['index'] for s in steps), name
    membership_changes = ('init', 'promote', 'demote')
    for wave in result['waves']:
        actions = [s['action'] for s in wave['steps']]
        if any(a in membership_changes for a in actions) or \
                any(s['action'] == 'join' and s['role'] == 'manager' for s in wave['steps']):
            assert len({s['index'] for s in wave['steps']}) == 1, (name, wave['desc'])
        if wave['parallel']:
            hosts = [s['host'] for s in wave['steps']]
            assert len(hosts) == len(set(hosts)), (name, wave['desc'])
            assert set(actions) <= {'unlock', 'leave', 'join'}, (name, wave['desc'])
        # The phases never interleave: every membership wave comes before every node wave.
    phases = [w['phase'] for w in result['waves']]
    assert phases == sorted(phases), name
    if result['init_host']:
        assert steps[0]['host'] == result['init_host'] or steps[1]['action'] == 'init'


def test_waves_done_takes_results_in_any_grouping_and_leaves_out_what_did_not_run():
    result = S.plan(inv(['m1'], ['w1', 'w2']), dict((n, inactive(n)) for n in ('m1', 'w1', 'w2')))
    waves = result['waves']
    init, workers = waves[0], waves[1]

    def ran(step):
        return {'step': dict(seq=step['seq']), 'changed': True, 'started': 1.0, 'finished': 2.0}

    sequential = {'results': [ran(init['steps'][0])]}
    parallel_w1 = {'results': [ran(workers['steps'][0])]}
    skipped = {'skipped': True, 'results': []}
    done = S.waves_done([init, workers], [sequential, [parallel_w1, skipped]])
    assert [d['seq'] for d in done['done']] == [1, 2]
    assert done['errors'] == ['step 3 (w2 joins as worker, on w2) did not run']
    assert S.waves_done([init], [{'step': dict(seq=1), 'skipped': True}])['errors']
