# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rolling upgrade's decisions (playbooks/upgrade.yml): may it start, in which order, may this node go, is the
swarm whole again, which tasks are still on a drained node."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.anchorage.swarm.plugins.filter.swarm import FilterModule
from ansible_collections.anchorage.swarm.plugins.module_utils import _swarm as S

FILTERS = FilterModule().filters()


def node(name, role='worker', state='ready', leader=False, reach='reachable', node_id=None):
    out = {'id': node_id or 'id-' + name, 'hostname': name, 'role': role, 'availability': 'active', 'labels': {},
           'state': state, 'leader': leader, 'reachability': '', 'manager_addr': '', 'engine_version': '20.10.24'}
    if role == 'manager':
        out.update(reachability=reach, manager_addr='10.0.0.1:2377')
    return out


def record(entry, nodes, quorum=True, autolock=False, local_state='active'):
    """The swarm_node record a node's own Engine gives (a manager's lists the nodes when it has quorum)."""
    manager = entry['role'] == 'manager'
    return {'hostname': entry['hostname'], 'local_state': local_state, 'node_id': entry['id'], 'manager': manager,
            'quorum': quorum if manager else None, 'autolock': autolock if manager else None,
            'quorum_error': '' if quorum or not manager else 'The swarm does not have a leader.',
            'nodes': list(nodes) if manager and quorum else []}


def host(name, role='worker', availability='active'):
    """A host of the run as anchorage.swarm.swarm_inventory_entry gives it."""
    return {'name': name, 'role': role, 'availability': availability, 'labels': {}, 'addr': name}


def lab(nodes, inventory=None, autolock=False):
    """hosts, results, views for a swarm whose nodes are all in the inventory and all answer."""
    inventory = inventory or [n['hostname'] for n in nodes]
    by_name = dict((n['hostname'], n) for n in nodes)
    hosts = [host(name, by_name[name]['role']) for name in inventory]
    results = dict((name, {'changed': False, 'swarm_node': record(by_name[name], nodes, autolock=autolock)})
                   for name in inventory)
    views = [dict(results[h['name']], item=h['name']) for h in hosts if h['role'] == 'manager']
    return hosts, results, views


THREE = [node('m1', 'manager'), node('m2', 'manager', leader=True), node('m3', 'manager'), node('w1'), node('w2')]


# upgrade_check: may the upgrade start

def test_a_healthy_swarm_may_start():
    check = S.upgrade_check(*lab(THREE))
    assert check['refusals'] == []
    assert check['warnings'] == []
    assert check['via'] == ['m1', 'm2', 'm3']
    assert check['autolock'] is False
    assert dict((k, v['id']) for k, v in check['nodes'].items()) == dict((n['hostname'], n['id']) for n in THREE)


def test_order_is_workers_then_managers_the_leader_last_inventory_order_within():
    nodes = [node('m1', 'manager', leader=True), node('w1'), node('m2', 'manager'), node('w2'), node('m3', 'manager')]
    check = S.upgrade_check(*lab(nodes, inventory=['m1', 'w1', 'm2', 'w2', 'm3']))
    assert check['order'] == ['w1', 'w2', 'm2', 'm3', 'm1']
    assert check['described'] == ['w1', 'w2', 'm2 (manager)', 'm3 (manager)', 'm1 (leader)']
    assert check['leader'] == 'm1'


def test_leader_not_in_the_run():
    hosts, results, views = lab(THREE, inventory=['m1', 'm3', 'w1'])
    check = S.upgrade_check(hosts, results, views)
    assert check['order'] == ['w1', 'm1', 'm3']
    assert check['leader'] == ''
    assert check['warnings'] == ['Not in this run, so not upgraded: m2, w2']


def test_unreachable_host_is_refused():
    hosts, results, views = lab(THREE)
    results['w1'] = {'unreachable': True, 'msg': ' Failed to connect to the host via ssh \n', 'changed': False}
    check = S.upgrade_check(hosts, results, views)
    assert check['refusals'] == ['w1 cannot be reached: Failed to connect to the host via ssh']
    assert 'w1' not in check['order']


def test_engine_that_does_not_answer_is_refused():
    hosts, results, views = lab(THREE)
    results['w2'] = {'failed': True, 'msg': 'Cannot read the swarm state: connection refused'}
    assert S.upgrade_check(hosts, results, views)['refusals'] == [
        "w2's Engine does not answer: Cannot read the swarm state: connection refused"]


def test_locked_manager_is_refused():
    hosts, results, views = lab(THREE)
    results['m3']['swarm_node'] = dict(results['m3']['swarm_node'], local_state='locked', node_id='', nodes=[],
                                       quorum=None)
    views[2] = dict(results['m3'], item='m3')
    assert S.upgrade_check(hosts, results, views)['refusals'] == [
        'm3 is a locked manager (autolock): unlock it first (swarm role with swarm_unlock_key)']


def test_host_not_in_the_swarm_is_refused():
    hosts, results, views = lab(THREE)
    hosts.append(host('w3'))
    results['w3'] = {'swarm_node': {'hostname': 'w3', 'local_state': 'inactive', 'node_id': '', 'manager': False,
                                    'quorum': None, 'nodes': []}}
    check = S.upgrade_check(hosts, results, views)
    assert check['refusals'] == [
        'w3 is not in the swarm (its swarm state is inactive): run the swarm role first']
    assert 'w3' not in check['order']


def test_host_is_matched_by_node_id_not_by_hostname():
    # w1 was rebuilt: its Engine has a new node ID; the swarm still lists the old entry under the same hostname.
    hosts, results, views = lab(THREE)
    results['w1']['swarm_node'] = dict(results['w1']['swarm_node'], node_id='id-new-w1')
    check = S.upgrade_check(hosts, results, views)
    assert check['refusals'] == ["w1 (node id-new-w1) is not in the swarm's node list"]
    assert 'w1' not in check['nodes']


def test_host_whose_hostname_differs_from_its_inventory_name_is_found_by_node_id():
    nodes = [node('manager1.lab.example', 'manager', leader=True, node_id='id-a'),
             node('ip-10-0-0-7', node_id='id-b')]
    hosts = [host('m1', 'manager'), host('w1')]
    results = {'m1': {'swarm_node': record(nodes[0], nodes)}, 'w1': {'swarm_node': record(nodes[1], nodes)}}
    check = S.upgrade_check(hosts, results, [dict(results['m1'], item='m1')])
    assert check['refusals'] == []
    assert check['order'] == ['w1', 'm1']
    assert check['nodes']['w1']['id'] == 'id-b'
    assert not [w for w in check['warnings'] if w.startswith('Not in this run')]


def test_wrong_availability_is_refused():
    hosts, results, views = lab(THREE)
    hosts[3]['availability'] = 'paused'
    assert S.upgrade_check(hosts, results, views)['refusals'] == [
        'w1: swarm_node_availability must be active, pause or drain']


def test_node_down_and_manager_unreachable_are_refused():
    nodes = [node('m1', 'manager', leader=True), node('m2', 'manager', state='down', reach='unreachable'),
             node('m3', 'manager', reach='unreachable'), node('w1'), node('w2', state='down')]
    hosts, results, views = lab(nodes, inventory=['m1', 'm3', 'w1'])
    assert S.upgrade_check(hosts, results, views)['refusals'] == [
        'manager m2 is down and unreachable', 'manager m3 is unreachable', 'worker w2 is down']


def test_manager_without_reachability_is_named_not_reachable():
    assert S.unwell_nodes([node('m1', 'manager', reach='')]) == ['manager m1 is not reachable']
    assert S.unwell_nodes([node('w1', state='unknown')]) == ['worker w1 is unknown']


def test_no_quorum_is_refused_with_each_managers_answer():
    nodes = [node('m1', 'manager'), node('m2', 'manager'), node('m3', 'manager'), node('w1')]
    hosts = [host('m1', 'manager'), host('m2', 'manager'), host('m3', 'manager'), host('w1')]
    results = {
        'm1': {'swarm_node': record(nodes[0], nodes, quorum=False)},
        'm2': {'unreachable': True, 'msg': 'ssh: no route to host '},
        'm3': {'swarm_node': record(nodes[2], nodes, local_state='inactive', quorum=None)},
        'w1': {'swarm_node': record(nodes[3], nodes)},
    }
    results['m3']['swarm_node']['manager'] = False
    views = [dict(results[m], item=m) for m in ('m1', 'm2', 'm3')]
    check = S.upgrade_check(hosts, results, views)
    assert check['refusals'] == [
        'm2 cannot be reached: ssh: no route to host',
        'm3 is not in the swarm (its swarm state is inactive): run the swarm role first',
        'the swarm has no quorum, or no inventory manager can read it (m1: The swarm does not have a leader., '
        'm2: ssh: no route to host, m3: not a manager (swarm state inactive))']
    assert check['via'] == []
    assert check['order'] == []


def test_no_managers_in_the_inventory():
    hosts, results, dummy = lab(THREE)
    assert S.upgrade_check(hosts, results, [])['refusals'] == [
        'the swarm has no quorum, or no inventory manager can read it (the group of managers is empty)']


def test_swarm_is_read_through_the_first_manager_with_quorum():
    hosts, results, views = lab(THREE, autolock=True)
    views[0] = {'item': 'm1', 'failed': True, 'msg': 'timeout'}
    check = S.upgrade_check(hosts, results, views)
    assert check['via'] == ['m2', 'm3']
    assert check['autolock'] is True


@pytest.mark.parametrize('managers, warned', [(1, True), (2, True), (3, False), (5, False)])
def test_fewer_than_three_managers_is_warned(managers, warned):
    nodes = [node('m%d' % i, 'manager', leader=i == 1) for i in range(1, managers + 1)] + [node('w1')]
    check = S.upgrade_check(*lab(nodes))
    assert check['refusals'] == []
    expected = ('With %d manager(s) the swarm cannot keep its quorum through the restart of a manager: while one '
                'restarts, the control plane is unavailable (no scheduling, no docker service or node commands; '
                'running containers keep running). Three or five managers avoid this.' % managers)
    assert check['warnings'] == ([expected] if warned else [])


def test_single_manager_swarm_like_the_lab():
    nodes = [node('manager1', 'manager', leader=True), node('worker1'), node('worker2')]
    check = S.upgrade_check(*lab(nodes))
    assert check['order'] == ['worker1', 'worker2', 'manager1']
    assert check['described'][-1] == 'manager1 (leader)'
    assert len(check['warnings']) == 1 and check['warnings'][0].startswith('With 1 manager(s) the swarm cannot')


def test_roles_the_inventory_and_the_swarm_disagree_on_are_warned():
    hosts, results, views = lab(THREE)
    hosts[2]['role'] = 'worker'        # m3 is a manager in the swarm
    hosts[4]['role'] = 'manager'       # w2 is a worker in the swarm
    check = S.upgrade_check(hosts, results, [v for v in views if v['item'] != 'm3'])
    assert check['refusals'] == []
    assert check['warnings'] == ['The inventory and the swarm disagree: w2 is a worker, m3 is a manager. This run '
                                 'goes by the swarm; the swarm role converges the roles.']
    assert check['order'] == ['w1', 'w2', 'm1', 'm3', 'm2']


# upgrade_node_check: may this node be taken out now

def swarm_record(nodes, quorum=True):
    return {'quorum': quorum, 'quorum_error': '' if quorum else 'The swarm does not have a leader.',
            'nodes': nodes if quorum else []}


def test_node_may_go_when_every_other_manager_is_ready_and_reachable():
    for name in ('w1', 'm1', 'm2'):
        assert S.upgrade_node_check(swarm_record(THREE), 'id-' + name, name) is None


def test_node_is_refused_without_quorum():
    assert S.upgrade_node_check(swarm_record(THREE, quorum=False), 'id-w1', 'w1') == \
        'the swarm has no quorum (The swarm does not have a leader.)'
    assert S.upgrade_node_check({}, 'id-w1', 'w1') == 'the swarm has no quorum ()'


@pytest.mark.parametrize('name', ['m1', 'w1'])
def test_node_is_refused_when_another_manager_is_down(name):
    nodes = [node('m1', 'manager', leader=True), node('m2', 'manager', state='down', reach='unreachable'),
             node('m3', 'manager', state='unknown'), node('w1')]
    assert S.upgrade_node_check(swarm_record(nodes), 'id-' + name, name) == (
        'manager(s) m2, m3 not ready and reachable: taking %s out as well could lose the quorum' % name)


def test_node_check_does_not_count_the_node_itself():
    nodes = [node('m1', 'manager', leader=True), node('m2', 'manager', reach='unreachable'), node('m3', 'manager')]
    assert S.upgrade_node_check(swarm_record(nodes), 'id-m2', 'm2') is None
    assert S.upgrade_node_check(swarm_record(nodes), 'id-m3', 'm3') == (
        'manager(s) m2 not ready and reachable: taking m3 out as well could lose the quorum')


def test_node_check_matches_the_node_by_id():
    # Another manager with the same hostname is another node.
    nodes = [node('m1', 'manager', leader=True), node('m1', 'manager', state='down', reach='unreachable', node_id='old')]
    assert S.upgrade_node_check(swarm_record(nodes), 'id-m1', 'm1') == (
        'manager(s) m1 not ready and reachable: taking m1 out as well could lose the quorum')


def test_single_manager_may_go():
    nodes = [node('manager1', 'manager', leader=True), node('worker1')]
    assert S.upgrade_node_check(swarm_record(nodes), 'id-manager1', 'manager1') is None


# upgrade_node_back: is the swarm whole again after the restart

def test_swarm_whole_again():
    assert S.upgrade_node_back({'swarm_node': swarm_record(THREE)}, 'id-m1', 'm1') is None


def test_swarm_not_whole_again():
    assert S.upgrade_node_back({'failed': True, 'msg': 'refused'}, 'id-m1', 'm1') == \
        'its Engine does not answer: refused'
    assert S.upgrade_node_back({'swarm_node': swarm_record(THREE, quorum=False)}, 'id-m1', 'm1') == \
        'no quorum: The swarm does not have a leader.'
    assert S.upgrade_node_back({'swarm_node': swarm_record(THREE)}, 'id-new', 'w9') == 'w9 is not in the node list'
    nodes = [node('m1', 'manager', leader=True), node('m2', 'manager', state='unknown', reach='unreachable'),
             node('w1', state='unknown')]
    assert S.upgrade_node_back({'swarm_node': swarm_record(nodes)}, 'id-m2', 'm2') == \
        'manager m2 is unknown and unreachable, worker w1 is unknown'


# busy_tasks: what still runs on a drained node

SERVICES = [
    {'ID': 'svc-web', 'Spec': {'Name': 'web', 'Mode': {'Replicated': {'Replicas': 3}}}},
    {'ID': 'svc-agent', 'Spec': {'Name': 'agent', 'Mode': {'Global': {}}}},
    {'ID': 'svc-job', 'Spec': {'Name': 'migrate', 'Mode': {'ReplicatedJob': {}}}},
]


def task(task_id, service, state, slot=None, node_id='id-w1'):
    out = {'ID': task_id, 'ServiceID': service, 'NodeID': node_id, 'Status': {'State': state},
           'DesiredState': 'running'}
    if slot is not None:
        out['Slot'] = slot
    return out


def test_busy_tasks_are_the_replicated_ones_that_hold_a_container():
    tasks = [task('t1', 'svc-web', 'running', 1), task('t2', 'svc-web', 'shutdown', 2), task('t3', 'svc-web', 'pending', 3),
             task('t4', 'svc-agent', 'running'), task('t5', 'svc-job', 'running', 1), task('t6', 'svc-web', 'complete', 4),
             task('t7', 'svc-web', 'failed', 5), task('t8', 'svc-gone', 'running', 1)]
    assert S.busy_tasks(tasks, SERVICES, 'id-w1') == ['web.1 (running)', 'web.3 (pending)']


def test_busy_tasks_of_other_nodes_are_not_counted():
    tasks = [task('t1', 'svc-web', 'running', 1, node_id='id-w2'), task('t2', 'svc-web', 'starting', 2)]
    assert S.busy_tasks(tasks, SERVICES, 'id-w1') == ['web.2 (starting)']
    assert S.busy_tasks(tasks, SERVICES) == ['web.1 (running)', 'web.2 (starting)']


def test_busy_task_without_a_slot_is_named_by_its_id():
    assert S.busy_tasks([task('t1', 'svc-web', 'assigned')], SERVICES, 'id-w1') == ['web.t1 (assigned)']


def test_drained_node_without_tasks():
    assert S.busy_tasks([], SERVICES, 'id-w1') == []
    assert S.busy_tasks([task('t1', 'svc-web', 'shutdown', 1)], [], 'id-w1') == []


# The filters the playbook calls

def test_filters_call_the_decisions():
    hosts, results, views = lab(THREE)
    assert FILTERS['swarm_upgrade_check'](hosts, results, views)['order'] == ['w1', 'w2', 'm1', 'm3', 'm2']
    assert FILTERS['swarm_upgrade_node_check'](swarm_record(THREE), 'id-w1', 'w1') is None
    assert FILTERS['swarm_upgrade_node_back']({'swarm_node': swarm_record(THREE)}, 'id-w1', 'w1') is None
    assert FILTERS['swarm_busy_tasks']([task('t1', 'svc-web', 'running', 1)], SERVICES, 'id-w1') == ['web.1 (running)']


@pytest.mark.parametrize('name, args', [
    ('swarm_upgrade_check', (['m1'], {}, [])),
    ('swarm_upgrade_check', ([host('m1')], [], [])),
    ('swarm_upgrade_check', ([host('m1')], {}, {})),
    ('swarm_upgrade_node_check', ('nodes', 'id', 'm1')),
    ('swarm_upgrade_node_back', (None, 'id', 'm1')),
    ('swarm_busy_tasks', ({}, [], 'id')),
])
def test_filters_reject_the_wrong_input(name, args):
    with pytest.raises(AnsibleFilterError):
        FILTERS[name](*args)


def test_unlock_key_problem_names_what_is_missing():
    assert S.unlock_key_problem({'failed': True, 'msg': 'no answer'}, '', 'm1') == \
        'the unlock key could not be read on m1: no answer'
    assert S.unlock_key_problem({'unlock_key': ''}, '', 'm1') == 'the swarm did not give its unlock key'
    assert 'not the swarm\'s current unlock key' in S.unlock_key_problem({'unlock_key': 'SWMKEY-1-a'}, 'SWMKEY-1-b', 'm1')
    assert S.unlock_key_problem({'unlock_key': 'SWMKEY-1-a'}, 'SWMKEY-1-a', 'm1') == ''
    assert S.unlock_key_problem({'unlock_key': 'SWMKEY-1-a'}, '', 'm1') == ''


def test_upgrade_stopped_says_where_why_and_how_the_node_is_left():
    message = S.upgrade_stopped(['w1', 'w2', 'm1'], 'w2', '2/3', 'Drain the node', 'node not found', True, 'pause')
    assert message.startswith('The rolling upgrade stopped at w2 (2/3), in "Drain the node": node not found. ')
    assert '`docker node update --availability pause w2`' in message
    assert message.endswith('Done: w1; not started: m1.')
    assert S.upgrade_stopped(['w1'], 'w1', '1/1', 't', '', False, 'active') == \
        'The rolling upgrade stopped at w1 (1/1), in "t": see the task above. Done: none; not started: none.'
