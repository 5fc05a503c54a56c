# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The swarm planner's decisions: which swarm, who inits, who joins as what, in which order, what quorum allows."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.anchorage.swarm.plugins.module_utils import _swarm as S

CLUSTER = 'c' * 25
OTHER = 'f' * 25


def inv(managers, workers=(), **per_host):
    out = []
    for role, names in (('manager', managers), ('worker', workers)):
        for name in names:
            entry = {'name': name, 'role': role, 'labels': {}, 'availability': 'active'}
            entry.update(per_host.get(name, {}))
            out.append(entry)
    return out


def inactive(name):
    return {'hostname': name, 'local_state': 'inactive', 'node_id': '', 'manager': False, 'cluster_id': '',
            'remote_managers': [], 'nodes': [], 'quorum': None}


def entry(name, role='worker', state='ready', leader=False, labels=None, availability='active', reach='reachable'):
    addr = '10.0.0.%d' % (sum(map(ord, name)) % 250)
    out = {'id': 'id-' + name, 'hostname': name, 'role': role, 'availability': availability, 'labels': labels or {},
           'state': state, 'addr': addr, 'leader': leader, 'engine_version': '20.10.24'}
    if role == 'manager':
        out.update(reachability=reach if state == 'ready' else 'unreachable', manager_addr=addr + ':2377')
    return out


def cluster_state(nodes, cluster=CLUSTER, quorum=True, autolock=False):
    """Observed records for every node of `nodes` (entries) as their own Engines report them."""
    observed = {}
    for n in nodes:
        if n['state'] != 'ready':
            continue
        manager = n['role'] == 'manager'
        observed[n['hostname']] = {
            'hostname': n['hostname'], 'local_state': 'active', 'node_id': n['id'], 'manager': manager,
            'cluster_id': cluster if manager else '', 'cluster_created': '2026-01-01T00:00:00Z',
            'remote_managers': [m['manager_addr'] for m in nodes if m['role'] == 'manager'],
            'autolock': autolock if manager else None, 'quorum': quorum if manager else None,
            'quorum_error': '' if quorum else 'The swarm does not have a leader.',
            'nodes': list(nodes) if manager and quorum else []}
    return observed


def actions(result):
    return [(s['action'], s['node']) for s in result['steps']]


def test_quorum_arithmetic():
    assert [S.quorum_size(n) for n in (1, 2, 3, 4, 5)] == [1, 2, 2, 3, 3]
    assert S.has_quorum(3, 2) and not S.has_quorum(3, 1) and not S.has_quorum(0, 0)
    assert [S.fault_tolerance(n) for n in (1, 2, 3, 4, 5)] == [0, 0, 1, 1, 2]


def test_bare_nodes_init_on_first_manager_then_managers_then_workers():
    names = ['m1', 'm2', 'm3', 'w1', 'w2']
    result = S.plan(inv(['m1', 'm2', 'm3'], ['w1', 'w2'], w1={'labels': {'zone': 'a'}}),
                    dict((n, inactive(n)) for n in names))
    assert not result['errors']
    assert actions(result)[:5] == [('init', 'm1'), ('join', 'm2'), ('join', 'm3'), ('join', 'w1'), ('join', 'w2')]
    assert [s['role'] for s in result['steps'] if s['action'] == 'join'] == ['manager', 'manager', 'worker', 'worker']
    assert ('update', 'w1') in actions(result)
    assert result['init_host'] == 'm1' and result['via'] == 'm1'
    assert result['tokens'] == ['manager', 'worker']
    assert result['diff']['before']['w1']['membership'] == 'none'
    assert result['diff']['after']['w1'] == {'membership': 'worker', 'labels': {'zone': 'a'}, 'availability': 'active'}


def test_init_prefers_the_first_reachable_manager():
    result = S.plan(inv(['m1', 'm2']), {'m1': None, 'm2': inactive('m2')})
    assert actions(result)[0] == ('init', 'm2')
    assert any('m1 is unreachable' in w for w in result['warnings'])


def test_converged_cluster_plans_nothing():
    nodes = [entry('m1', 'manager', leader=True, labels={'zone': 'a'}), entry('w1')]
    result = S.plan(inv(['m1'], ['w1'], m1={'labels': {'zone': 'a'}}), cluster_state(nodes))
    assert result['steps'] == [] and not result['errors']
    assert result['cluster_id'] == CLUSTER and result['via'] == 'm1'


def test_rebuilt_first_manager_joins_the_existing_swarm_and_its_old_entry_goes():
    nodes = [entry('m1', 'manager', state='down'), entry('m2', 'manager', leader=True), entry('m3', 'manager'),
             entry('w1')]
    observed = cluster_state(nodes)
    observed['m1'] = inactive('m1')
    result = S.plan(inv(['m1', 'm2', 'm3'], ['w1']), observed)
    assert not result['errors'], result['errors']
    assert 'init' not in [step['action'] for step in result['steps']]
    assert actions(result)[:2] == [('remove_stale', 'm1'), ('join', 'm1')]
    assert result['steps'][0]['node_id'] == 'id-m1' and result['steps'][0]['demote']
    assert result['cluster_id'] == CLUSTER and result['via'] == 'm2'
    assert result['join_addrs'] == sorted([nodes[1]['manager_addr'], nodes[2]['manager_addr']])


def test_swarm_without_quorum_is_an_error_and_never_a_second_swarm():
    nodes = [entry('m1', 'manager'), entry('m2', 'manager', state='down'), entry('m3', 'manager', state='down')]
    observed = cluster_state(nodes, quorum=False)
    observed['m2'] = inactive('m2')     # rebuilt, empty
    result = S.plan(inv(['m1', 'm2', 'm3']), observed)
    assert result['steps'] == []
    assert any('has no quorum' in e and 'force-new-cluster' in e for e in result['errors'])


def test_node_in_a_foreign_swarm_is_refused_naming_both_ids():
    nodes = [entry('m1', 'manager', leader=True), entry('w1')]
    observed = cluster_state(nodes)
    observed['w2'] = cluster_state([entry('w2', 'manager', leader=True)], cluster=OTHER)['w2']
    result = S.plan(inv(['m1'], ['w1', 'w2']), observed)
    assert result['steps'] == []
    [error] = result['errors']
    assert 'w2' in error and OTHER[:12] in error and CLUSTER[:12] in error and 'swarm_force_rejoin' in error


def test_force_rejoin_makes_the_foreign_node_leave_then_join():
    nodes = [entry('m1', 'manager', leader=True), entry('w1')]
    observed = cluster_state(nodes)
    observed['w2'] = cluster_state([entry('w2', 'manager', leader=True)], cluster=OTHER)['w2']
    result = S.plan(inv(['m1'], ['w1', 'w2']), observed, {'force_rejoin': True})
    assert not result['errors']
    assert actions(result) == [('leave', 'w2'), ('join', 'w2')]
    assert result['steps'][0]['force'] is True


def test_two_swarms_with_quorum_the_one_holding_more_inventory_wins():
    big = [entry('m1', 'manager', leader=True), entry('w1'), entry('w2')]
    small = [entry('m2', 'manager', leader=True)]
    observed = cluster_state(big)
    observed.update(cluster_state(small, cluster=OTHER))
    result = S.plan(inv(['m1', 'm2'], ['w1', 'w2']), observed)
    assert result['cluster_id'] == CLUSTER
    assert any('m2' in e and OTHER[:12] in e for e in result['errors'])


def test_worker_removed_by_force_rejoins_without_force_flag():
    nodes = [entry('m1', 'manager', leader=True)]
    observed = cluster_state(nodes)
    orphan = cluster_state(nodes + [entry('w1')])['w1']
    observed['w1'] = orphan                         # thinks it is a member; the cluster has no entry for it
    result = S.plan(inv(['m1'], ['w1']), observed)
    assert actions(result) == [('leave', 'w1'), ('join', 'w1')]


def test_worker_that_left_joins_again():
    nodes = [entry('m1', 'manager', leader=True), entry('w1', state='down')]
    observed = cluster_state(nodes)
    observed['w1'] = inactive('w1')
    result = S.plan(inv(['m1'], ['w1']), observed)
    assert actions(result) == [('remove_stale', 'w1'), ('join', 'w1')]
    assert result['steps'][0]['demote'] is False
    assert result['tokens'] == ['worker']


def test_promote_and_demote_to_match_the_inventory_promotions_first():
    nodes = [entry('m1', 'manager', leader=True), entry('m2', 'manager'), entry('m3', 'manager'), entry('w1')]
    result = S.plan(inv(['m1', 'm2', 'w1'], ['m3']), cluster_state(nodes))
    assert actions(result) == [('promote', 'w1'), ('demote', 'm3')]
    assert result['steps'][0]['node_id'] == 'id-w1' and result['steps'][0]['host'] == 'm1'


def test_demotion_that_would_lose_quorum_is_refused_with_why():
    nodes = [entry('m1', 'manager', leader=True), entry('m2', 'manager'), entry('m3', 'manager', state='down')]
    observed = cluster_state(nodes)
    result = S.plan(inv(['m1', 'm3'], ['m2']), observed)
    assert result['steps'] == []
    [error] = [e for e in result['errors'] if 'demote m2' in e]
    assert 'quorum of 2' in error and 'Bring the stopped managers back' in error


def test_last_manager_is_never_demoted():
    nodes = [entry('m1', 'manager', leader=True), entry('m2', 'manager', leader=False)]
    result = S.plan(inv(['m2'], ['m1']), cluster_state(nodes))
    assert actions(result) == [('demote', 'm1')]
    assert result['via'] == 'm2'          # cluster steps run on a manager that stays one


def test_no_manager_in_inventory():
    result = S.plan(inv([], ['w1']), {'w1': inactive('w1')})
    assert any('no manager' in e for e in result['errors'])


def test_absent_nodes_are_kept_unless_asked():
    nodes = [entry('m1', 'manager', leader=True), entry('m2', 'manager'), entry('m3', 'manager'), entry('w1')]
    result = S.plan(inv(['m1'], ['w1']), cluster_state(nodes))
    assert result['steps'] == []
    assert sum('not in the inventory' in w for w in result['warnings']) == 2


def test_absent_managers_are_demoted_and_removed_in_a_safe_order():
    nodes = [entry('m1', 'manager', leader=True), entry('m2', 'manager'), entry('m3', 'manager'), entry('w1')]
    result = S.plan(inv(['m1'], ['w1']), cluster_state(nodes), {'remove_absent': True, 'all_hosts': ['m2']})
    assert actions(result) == [('remove', 'm2'), ('remove', 'm3')]
    first, second = result['steps']
    assert first['demote'] and first['leave_host'] == 'm2' and second['leave_host'] == ''
    assert result['diff']['after']['m2'] == {'membership': 'removed'}


def test_absent_manager_removal_refused_when_it_would_lose_quorum():
    nodes = [entry('m1', 'manager', leader=True), entry('m2', 'manager'), entry('m3', 'manager', state='down')]
    result = S.plan(inv(['m1', 'm3'], []), cluster_state(nodes), {'remove_absent': True})
    assert result['steps'] == []
    assert any('remove manager m2' in e and 'quorum' in e for e in result['errors'])


@pytest.mark.parametrize('mode,expected', [('merge', {'zone': 'b', 'old': 'x'}), ('replace', {'zone': 'b'})])
def test_labels_merge_and_replace(mode, expected):
    nodes = [entry('m1', 'manager', leader=True, labels={'zone': 'a', 'old': 'x'})]
    result = S.plan(inv(['m1'], m1={'labels': {'zone': 'b'}}), cluster_state(nodes), {'labels_mode': mode})
    [step] = result['steps']
    assert step['action'] == 'update' and step['node_id'] == 'id-m1' and step['labels_mode'] == mode
    assert result['diff']['after']['m1']['labels'] == expected


def test_replace_with_same_labels_plans_nothing_and_merge_ignores_extra():
    nodes = [entry('m1', 'manager', leader=True, labels={'zone': 'a', 'old': 'x'})]
    assert S.plan(inv(['m1'], m1={'labels': {'zone': 'a'}}), cluster_state(nodes))['steps'] == []
    assert S.plan(inv(['m1'], m1={'labels': {'zone': 'a', 'old': 'x'}}), cluster_state(nodes),
                  {'labels_mode': 'replace'})['steps'] == []


def test_label_values_compare_as_strings():
    nodes = [entry('m1', 'manager', leader=True, labels={'ssd': 'true', 'rack': '3'})]
    assert S.plan(inv(['m1'], m1={'labels': {'ssd': True, 'rack': 3}}), cluster_state(nodes))['steps'] == []


def test_availability_from_inventory():
    nodes = [entry('m1', 'manager', leader=True), entry('w1')]
    result = S.plan(inv(['m1'], ['w1'], w1={'availability': 'drain'}), cluster_state(nodes))
    assert actions(result) == [('update', 'w1')] and result['steps'][0]['availability'] == 'drain'
    assert 'availability active -> drain' in result['summary'][0]


def test_bad_inventory_values_name_the_variable():
    errors = S.validate_inventory(inv(['m1'], m1={'availability': 'off', 'labels': {'bad key': 1}}))
    assert any('swarm_node_availability' in e for e in errors)
    assert any('swarm_node_labels' in e for e in errors)
    assert S.validate_inventory(inv(['m1'], m1={'labels': ['a=b']}))


def test_locked_manager_is_unlocked_first():
    nodes = [entry('m1', 'manager', leader=True), entry('m2', 'manager', state='down'), entry('m3', 'manager')]
    observed = cluster_state(nodes)
    observed['m2'] = dict(inactive('m2'), local_state='locked', node_id='id-m2')
    result = S.plan(inv(['m1', 'm2', 'm3']), observed)
    assert actions(result) == [('unlock', 'm2')] and result['complete']


def test_all_managers_locked_unlock_then_plan_again():
    observed = {'m1': dict(inactive('m1'), local_state='locked', node_id='id-m1')}
    result = S.plan(inv(['m1']), observed)
    assert actions(result) == [('unlock', 'm1')] and not result['complete']


def test_unreachable_manager_counts_as_down_and_is_left_alone():
    nodes = [entry('m1', 'manager', leader=True), entry('m2', 'manager'), entry('m3', 'manager')]
    observed = cluster_state(nodes)
    observed['m3'] = None
    result = S.plan(inv(['m1', 'm2', 'm3']), observed)
    assert result['steps'] == [] and any('m3 is unreachable' in w for w in result['warnings'])


def test_even_manager_count_warns():
    nodes = [entry('m1', 'manager', leader=True), entry('m2', 'manager')]
    result = S.plan(inv(['m1', 'm2']), cluster_state(nodes))
    assert any('even number' in w for w in result['warnings'])


def test_autolock_and_rotation_steps():
    nodes = [entry('m1', 'manager', leader=True)]
    result = S.plan(inv(['m1']), cluster_state(nodes), {'autolock': True, 'rotate_tokens': ['worker']})
    assert actions(result) == [('autolock', ''), ('rotate', '')]
    assert result['steps'][0]['enabled'] is True and result['steps'][1]['which'] == ['worker']
    assert S.plan(inv(['m1']), cluster_state(nodes, autolock=True), {'autolock': True})['steps'] == []
    assert S.plan(inv(['m1']), cluster_state(nodes, autolock=True), {'autolock': None})['steps'] == []


def test_stuck_pending_node_leaves_and_joins():
    nodes = [entry('m1', 'manager', leader=True)]
    observed = cluster_state(nodes)
    observed['w1'] = dict(inactive('w1'), local_state='pending')
    assert actions(S.plan(inv(['m1'], ['w1']), observed)) == [('leave', 'w1'), ('join', 'w1')]


def test_live_duplicate_hostname_is_an_error():
    nodes = [entry('m1', 'manager', leader=True), dict(entry('w1'), id='id-other')]
    observed = cluster_state(nodes)
    observed['w1'] = inactive('w1')
    result = S.plan(inv(['m1'], ['w1']), observed)
    assert any('just left' in e and 'its own hostname' in e for e in result['errors']) and result['steps'] == []


def test_node_table():
    lines = S.node_table([entry('w1', labels={'zone': 'a'}), entry('m1', 'manager', leader=True)])
    assert lines[0].split() == ['NAME', 'ROLE', 'LEADER', 'AVAILABILITY', 'STATE', 'ENGINE', 'LABELS']
    assert lines[1].split()[:3] == ['m1', 'manager', 'yes']
    assert lines[2].split() == ['w1', 'worker', '-', 'active', 'ready', '20.10.24', 'zone=a']


def test_init_only_settings_that_differ_are_warned_not_changed():
    nodes = [entry('m1', 'manager', leader=True)]
    observed = cluster_state(nodes)
    observed['m1'].update(data_path_port=4789, default_addr_pool=['10.0.0.0/8'])
    result = S.plan(inv(['m1']), observed, {'data_path_port': 4790, 'default_addr_pool': ['10.200.0.0/16']})
    assert result['steps'] == []
    assert any('swarm_data_path_port is 4790' in w for w in result['warnings'])
    assert any('swarm_default_addr_pool is 10.200.0.0/16' in w for w in result['warnings'])
    quiet = S.plan(inv(['m1']), observed, {'data_path_port': 4789, 'default_addr_pool': []})
    assert not [w for w in quiet['warnings'] if 'init only' in w]


def test_locked_manager_without_node_id_is_unlocked_then_planned_again_never_removed():
    """A locked 20.10 manager reports no node ID: its own entry must not look stale or foreign."""
    nodes = [entry('m1', 'manager', leader=True), entry('m2', 'manager'), entry('m3', 'manager', state='down')]
    observed = cluster_state(nodes)
    observed['m3'] = dict(inactive('m3'), local_state='locked')
    result = S.plan(inv(['m1', 'm2', 'm3']), observed)
    assert not result['errors'], result['errors']
    assert actions(result) == [('unlock', 'm3')]
    assert result['complete'] is False


# --- activate_later (issue 16): a node joining a running swarm waits at pause until the rest converged it ----------

def test_activate_later_joins_a_running_swarm_at_pause_and_names_the_node_held():
    nodes = [entry('m1', 'manager', leader=True), entry('w1')]
    observed = dict(cluster_state(nodes), w2=inactive('w2'), w3=inactive('w3'))
    result = S.plan(inv(['m1'], ['w1', 'w2', 'w3'], w3={'availability': 'drain'}), observed,
                    {'activate_later': True})
    joins = dict((s['node'], s) for s in result['steps'] if s['action'] == 'join')
    assert joins['w2']['availability'] == 'pause' and 'at pause' in joins['w2']['desc']
    assert joins['w3']['availability'] == 'drain'            # joins drained at once: nothing to wait for
    assert result['held'] == ['w2']
    assert result['diff']['after']['w2']['availability'] == 'pause'
    # No availability step for a joiner: its join request gives it.
    assert not [s for s in result['steps'] if s['action'] == 'update' and s['node'] in ('w2', 'w3')]


def test_activate_later_keeps_a_member_that_is_not_active_and_the_activate_pass_makes_it_active():
    nodes = [entry('m1', 'manager', leader=True), entry('w1', availability='pause'), entry('w2', availability='drain')]
    inventory = inv(['m1'], ['w1', 'w2'], w2={'availability': 'pause'})
    held = S.plan(inventory, cluster_state(nodes), {'activate_later': True})
    assert held['held'] == ['w1']
    assert actions(held) == [('update', 'w2')] and held['steps'][0]['availability'] == 'pause'   # not to active: done
    later = S.plan(inventory, cluster_state(nodes))
    assert later['held'] == []
    assert sorted(actions(later)) == [('update', 'w1'), ('update', 'w2')]
    assert [s['availability'] for s in later['steps'] if s['node'] == 'w1'] == ['active']


def test_activate_later_does_not_hold_the_nodes_of_a_swarm_this_run_creates():
    names = ['m1', 'w1']
    result = S.plan(inv(['m1'], ['w1']), dict((n, inactive(n)) for n in names), {'activate_later': True})
    assert result['held'] == []
    assert [s.get('availability') for s in result['steps'] if s['action'] == 'join'] == [None]


def test_without_activate_later_a_joiner_joins_active_and_a_drained_joiner_drained():
    nodes = [entry('m1', 'manager', leader=True)]
    observed = dict(cluster_state(nodes), w1=inactive('w1'), w2=inactive('w2'))
    result = S.plan(inv(['m1'], ['w1', 'w2'], w2={'availability': 'drain'}), observed)
    joins = dict((s['node'], s) for s in result['steps'] if s['action'] == 'join')
    assert 'availability' not in joins['w1'] and joins['w2']['availability'] == 'drain'
    assert result['held'] == [] and result['diff']['after']['w2']['availability'] == 'drain'


# What dockerd takes for the swarm's addresses and init settings (moby daemon/cluster), checked before any request.
@pytest.mark.parametrize('value, parsed', [
    ('10.0.0.11', ('10.0.0.11', None, True)),
    ('10.0.0.11:2377', ('10.0.0.11', 2377, True)),
    ('eth1', ('eth1', None, False)),
    ('ens3:2377', ('ens3', 2377, False)),
    ('[fd00::1]:2377', ('fd00::1', 2377, True)),
])
def test_split_address(value, parsed):
    assert S.split_address(value) == parsed


@pytest.mark.parametrize('value', ['10.0.0.300', '10.0.0.300:2377', '1.2.3', 'not an address', 'a-very-long-interface0',
                                   'eth0:99999', '', None, 2377])
def test_split_address_refuses(value):
    with pytest.raises(ValueError):
        S.split_address(value)


def test_address_problem_names_the_option_and_the_forms():
    assert S.address_problem('advertise_addr', 'eth1') is None
    assert 'advertise_addr' in S.address_problem('advertise_addr', '10.0.0.300')
    assert 'e.g. 10.0.0.11' in S.address_problem('advertise_addr', '10.0.0.300')
    # Listening on every address is fine; advertising it is not.
    assert S.address_problem('listen_addr', '0.0.0.0:2377') is None
    assert 'unspecified' in S.address_problem('swarm_advertise_addr', '0.0.0.0')


def test_init_settings_problems_follow_dockerd():
    assert S.init_settings_problems(4789, ['10.20.0.0/16'], 24) == []
    assert S.init_settings_problems(1024, None, 29) == []
    assert S.init_settings_problems(49151) == []
    for port in (1023, 49152, 70000, True, '4789'):
        assert 'data_path_port' in S.init_settings_problems(port)[0], port
    assert 'from 1 to 29' in S.init_settings_problems(subnet_size=30)[0]
    assert 'not a CIDR pool' in S.init_settings_problems(default_addr_pool=['10.20.0.0'])[0]
    assert 'not a CIDR pool' in S.init_settings_problems(default_addr_pool=['10.20.0.0/40'])[0]
    # A subnet bigger than its pool cannot be cut from it.
    problem = S.init_settings_problems(default_addr_pool=['10.20.0.0/16'], subnet_size=8, prefix='swarm_')
    assert problem == ['swarm_subnet_size 8 is shorter than the /16 of swarm_default_addr_pool item 10.20.0.0/16: '
                       'give a size from 16 to 29']


def test_plan_refuses_bad_addresses_and_settings_before_any_step():
    inventory = [{'name': 'm1', 'role': 'manager', 'advertise_addr': '10.0.0.300'}]
    result = S.plan(inventory, {'m1': None}, {'subnet_size': 33})
    assert result['steps'] == []
    assert any(e.startswith('m1: swarm_advertise_addr') for e in result['errors'])
    assert any(e.startswith('swarm_subnet_size 33') for e in result['errors'])


def test_mistyped_ipv4_is_digits_and_dots_that_are_no_address():
    assert S.mistyped_ipv4('10.0.0.300') and S.mistyped_ipv4('1.2.3') and S.mistyped_ipv4('10..0.1')
    assert not S.mistyped_ipv4('10.0.0.30')
    assert not S.mistyped_ipv4('m1.lab') and not S.mistyped_ipv4('eth0')
