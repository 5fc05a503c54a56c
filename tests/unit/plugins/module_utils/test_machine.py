# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The machine lifecycle's decisions: the machine list, how each Engine was read, what an action may do."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.anchorage.swarm.plugins.filter.machine import FilterModule
from ansible_collections.anchorage.swarm.plugins.module_utils import _machine as M

LAB = 'anchorage-lab'
OPTIONS = {'lab': LAB, 'network': LAB, 'port': 2376, 'driver': 'docker', 'active_host': '', 'active_context': ''}
FILTERS = FilterModule().filters()


def planned(*names):
    return [{'name': n, 'container': '%s-%s' % (LAB, n), 'volume': '%s-%s-docker' % (LAB, n),
             'address': '172.29.77.%d' % (10 + i), 'groups': []} for i, n in enumerate(names)]


def container(name, state='running', label=True, address=None):
    return {'Names': ['/%s-%s' % (LAB, name)], 'State': state,
            'Labels': dict({'org.anchorage.lab': LAB}, **({'org.anchorage.machine': name} if label else {})),
            'NetworkSettings': {'Networks': {LAB: {'IPAddress': address or '172.29.77.99'}}}}


def node(name, role='worker', state='ready', leader=False, node_id=None):
    out = {'id': node_id or 'id-' + name, 'hostname': name, 'role': role, 'availability': 'active', 'labels': {},
           'state': state, 'leader': leader, 'engine_version': '20.10.24', 'reachability': '', 'manager_addr': ''}
    if role == 'manager':
        out['reachability'] = 'reachable' if state == 'ready' else 'unreachable'
    return out


def record(name, manager=False, nodes=None, local_state='active', quorum=True):
    return {'engine_version': '20.10.24', 'node_id': 'id-' + name if local_state != 'inactive' else '',
            'local_state': local_state, 'manager': manager, 'swarm_error': '',
            'quorum': quorum if manager else None, 'quorum_error': '' if quorum else 'no leader',
            'nodes': nodes if manager and quorum else []}


def tls_ok(name, **kwargs):
    return {'item': {'name': name}, 'changed': False, 'failed': False, 'swarm_node': record(name, **kwargs)}


def api_node(n):
    """A node of `docker node inspect` / GET /nodes."""
    out = {'ID': n['id'], 'Spec': {'Role': n['role'], 'Availability': 'active', 'Labels': {}},
           'Description': {'Hostname': n['hostname'], 'Engine': {'EngineVersion': '20.10.24'}},
           'Status': {'State': n['state'], 'Addr': '172.29.77.1'}}
    if n['role'] == 'manager':
        out['ManagerStatus'] = {'Leader': n['leader'], 'Reachability': n['reachability'], 'Addr': '172.29.77.10:2377'}
    return out


def exec_ok(name, manager=False, nodes=None, stderr=''):
    info = {'ServerVersion': '26.1.5', 'Swarm': {'NodeID': 'id-' + name, 'LocalNodeState': 'active',
                                                 'ControlAvailable': manager, 'Error': ''}}
    stdout = json.dumps(info)
    if nodes is not None:
        stdout += '\n' + json.dumps([api_node(n) for n in nodes], indent=4)
    return {'item': {'name': name}, 'rc': 0, 'stdout': stdout, 'stderr': stderr, 'changed': False}


SWARM3 = [node('manager1', 'manager', leader=True), node('worker1'), node('worker2')]


def lab3(worker2_state='running'):
    """The default lab read over TLS: manager1 leader, worker1 and worker2."""
    containers = [container('manager1'), container('worker1'), container('worker2', worker2_state)]
    results = [tls_ok('manager1', manager=True, nodes=SWARM3), tls_ok('worker1')]
    nodes = SWARM3
    if worker2_state == 'running':
        results.append(tls_ok('worker2'))
    else:
        nodes = [node('manager1', 'manager', leader=True), node('worker1'), node('worker2', state='down')]
        results[0] = tls_ok('manager1', manager=True, nodes=nodes)
    engines = M.engines(results, [])
    return M.machine_rows(planned('manager1', 'worker1', 'worker2'), containers, OPTIONS, engines,
                          M.swarm_view(engines)), nodes


def by_name(rows):
    return dict((r['name'], r) for r in rows)


# machine_names

@pytest.mark.parametrize(('given', 'names'), [
    (None, []), ([], []), ('worker1', ['worker1']), ('worker1, worker2,', ['worker1', 'worker2']),
    (['worker1', ' worker2 '], ['worker1', 'worker2']),
])
def test_names_are_a_list_or_comma_separated(given, names):
    assert M.names_list(given) == names


# How each Engine was read

def test_tls_reading_and_its_node_list():
    engines = M.engines([tls_ok('manager1', manager=True, nodes=SWARM3), tls_ok('worker1')], [])
    assert list(engines) == ['manager1', 'worker1']
    assert engines['manager1']['via'] == 'tls' and engines['manager1']['nodes'] == SWARM3
    assert engines['worker1']['manager'] is False and engines['worker1']['nodes'] is None


def test_exec_reading_keeps_why_tls_failed():
    failed = {'item': {'name': 'worker2'}, 'failed': False, 'msg': 'Cannot read the swarm state: GET /version on '
              'tcp://172.29.77.12:2376 got no answer: [Errno 111] Connection refused'}
    engines = M.engines([failed], [exec_ok('worker2')])
    assert engines['worker2']['via'] == 'exec' and engines['worker2']['version'] == '26.1.5'
    assert 'Connection refused' in engines['worker2']['tls_error']


def test_exec_reading_of_a_manager_parses_its_node_list():
    engines = M.engines([], [exec_ok('manager1', manager=True, nodes=SWARM3)])
    assert engines['manager1']['quorum'] is True
    assert [(n['hostname'], n['role'], n['leader']) for n in engines['manager1']['nodes']] == [
        ('manager1', 'manager', True), ('worker1', 'worker', False), ('worker2', 'worker', False)]


def test_exec_reading_of_a_manager_without_quorum_says_why():
    engines = M.engines([], [exec_ok('manager1', manager=True, stderr='Error response from daemon: no leader')])
    assert engines['manager1']['nodes'] is None and engines['manager1']['quorum_error'].endswith('no leader')
    assert M.swarm_view(engines)['error'] == ('cannot list the swarm nodes on manager1: '
                                              'Error response from daemon: no leader')


def test_an_engine_that_does_not_answer_is_an_error_not_a_reading():
    down = {'item': {'name': 'worker1'}, 'rc': 0, 'stderr': '', 'stdout': json.dumps(
        {'ServerErrors': ['Cannot connect to the Docker daemon at unix:///var/run/docker.sock.']})}
    engines = M.engines([], [down])
    assert engines['worker1']['via'] == ''
    assert engines['worker1']['error'] == ('its Engine does not answer: Cannot connect to the Docker daemon at '
                                           'unix:///var/run/docker.sock.')


def test_results_without_an_item_take_the_given_name():
    result = dict(tls_ok('manager1', manager=True, nodes=SWARM3))
    del result['item']
    assert list(M.engines([result], [], 'manager1')) == ['manager1']
    assert M.engines([result], []) == {}


def test_skipped_results_are_not_readings():
    assert M.engines([{'item': {'name': 'a'}, 'skipped': True}], [{'skipped': True, 'item': {'name': 'b'}}]) == {}


# The manager the swarm is read on

def test_swarm_is_read_on_the_first_manager_not_avoided():
    engines = M.engines([tls_ok('m1', manager=True, nodes=SWARM3), tls_ok('m2', manager=True, nodes=SWARM3[:1])], [])
    assert M.swarm_view(engines)['manager'] == 'm1'
    view = M.swarm_view(engines, 'm1')
    assert (view['manager'], view['via'], view['nodes']) == ('m2', 'tls', SWARM3[:1])


def test_no_manager_running_means_no_node_list():
    assert M.swarm_view(M.engines([tls_ok('worker1')], [])) == {'manager': '', 'via': '', 'nodes': None, 'error': ''}


# The machine list

def test_every_machine_with_state_address_engine_and_role():
    rows, dummy = lab3()
    assert [(r['name'], r['state'], r['url'], r['swarm'], r['engine_version'], r['via']) for r in rows] == [
        ('manager1', 'running', 'tcp://172.29.77.10:2376', 'manager (leader)', '20.10.24', 'tls'),
        ('worker1', 'running', 'tcp://172.29.77.11:2376', 'worker', '20.10.24', 'tls'),
        ('worker2', 'running', 'tcp://172.29.77.12:2376', 'worker', '20.10.24', 'tls'),
    ]
    assert all(r['errors'] == [] and r['in_machine_list'] for r in rows)
    assert by_name(rows)['worker2']['volume'] == 'anchorage-lab-worker2-docker'


def test_a_stopped_machine_is_matched_by_hostname_and_shown_down():
    rows, dummy = lab3('exited')
    worker2 = by_name(rows)['worker2']
    assert (worker2['state'], worker2['swarm'], worker2['engine_version'], worker2['via']) == (
        'stopped', 'worker (down)', '', '')
    assert worker2['node_ids'] == ['id-worker2']


def test_absent_machines_and_containers_no_longer_in_machine_list():
    containers = [container('manager1'), container('old', 'exited', label=False, address='172.29.77.30')]
    rows = M.machine_rows(planned('manager1', 'worker1'), containers, OPTIONS)
    assert [(r['name'], r['state'], r['in_machine_list']) for r in rows] == [
        ('manager1', 'running', True), ('worker1', 'absent', True), ('old', 'stopped', False)]
    old = by_name(rows)['old']
    assert old['url'] == 'tcp://172.29.77.30:2376' and old['volume'] == 'anchorage-lab-old-docker'
    assert old['errors'] == ['not in machine_list (the machine role removes it when it converges)']
    assert by_name(rows)['worker1']['url'] == 'tcp://172.29.77.11:2376'


def test_without_a_node_list_the_engine_still_tells_the_role():
    engines = M.engines([tls_ok('worker1')], [])
    rows = M.machine_rows(planned('worker1'), [container('worker1')], OPTIONS, engines, M.swarm_view(engines))
    assert rows[0]['swarm'] == 'worker (unknown)'


def test_errors_say_why_tls_was_not_used_and_which_node_is_missing():
    failed = {'item': {'name': 'worker1'}, 'msg': 'certificate verify failed'}
    engines = M.engines([tls_ok('manager1', manager=True, nodes=SWARM3[:1]), failed], [exec_ok('worker1')])
    rows = M.machine_rows(planned('manager1', 'worker1'), [container('manager1'), container('worker1')], OPTIONS,
                          engines, M.swarm_view(engines))
    assert by_name(rows)['worker1']['errors'] == [
        'TLS API tcp://172.29.77.11:2376: certificate verify failed',
        "node id-worker1 is not in the swarm's node list"]


@pytest.mark.parametrize(('active', 'expected'), [
    ({'active_context': 'worker1'}, ['worker1']),
    ({'active_host': 'tcp://172.29.77.10:2376', 'active_context': 'worker1'}, ['manager1']),
    ({}, []),
])
def test_active_is_where_the_docker_cli_points(active, expected):
    rows = M.machine_rows(planned('manager1', 'worker1'), [container('manager1'), container('worker1')],
                          dict(OPTIONS, **active))
    assert [r['name'] for r in rows if r['active']] == expected


def test_ls_table():
    rows, dummy = lab3('exited')
    lines = M.ls_table(rows)
    assert lines[0].split() == ['NAME', 'ACTIVE', 'DRIVER', 'STATE', 'URL', 'SWARM', 'DOCKER', 'VIA', 'ERRORS']
    assert lines[1].split() == ['manager1', '-', 'docker', 'running', 'tcp://172.29.77.10:2376', 'manager',
                                '(leader)', '20.10.24', 'tls', '-']
    assert lines[3].split() == ['worker2', '-', 'docker', 'stopped', 'tcp://172.29.77.12:2376', 'worker', '(down)',
                                '-', '-', '-']
    assert len(set(line.index('URL') if i == 0 else line.index('tcp://') for i, line in enumerate(lines))) == 1


# Plans

def test_unknown_names_fail_naming_the_field_and_the_machines():
    rows, nodes = lab3()
    result = M.plan(rows, 'stop', 'worker9,worker2', nodes=nodes, lab=LAB)
    assert result['errors'] == [
        "machine_names: 'worker9' is not a machine of lab anchorage-lab (its machines: manager1, worker1, worker2). "
        'Use those names (machine_action=ls lists them), or add the machine to machine_list and converge the '
        'machine role to create it.']
    assert result['stop'] == []


def test_rm_needs_names_or_all():
    rows, nodes = lab3()
    assert M.plan(rows, 'rm', [], nodes=nodes)['errors'][0].startswith('machine_names is empty: rm removes only')
    every = M.plan(rows, 'rm', [], select_all=True, nodes=nodes)
    assert every['errors'] == every['refusals'] == [] and every['remove'] == ['worker1', 'worker2', 'manager1']


def test_start_of_a_machine_not_created_fails_but_start_all_skips_it():
    containers = [container('manager1', 'exited')]
    rows = M.machine_rows(planned('manager1', 'worker1'), containers, OPTIONS)
    assert M.plan(rows, 'start', 'worker1')['errors'] == [
        'machine_names: worker1 is not created (state absent): the machine role creates the machines of '
        'machine_list when it converges.']
    every = M.plan(rows, 'start')
    assert every['start'] == ['manager1'] and every['notes'] == [
        'Not created, left as they are: worker1 (the machine role creates them when it converges).']


def test_stop_takes_workers_first_and_only_running_machines():
    rows, nodes = lab3('exited')
    result = M.plan(rows, 'stop', ['manager1', 'worker1', 'worker2'], nodes=nodes)
    assert result['stop'] == ['worker1', 'manager1'] and result['refusals'] == []


def test_start_brings_managers_first():
    rows, nodes = lab3()
    assert M.plan(rows, 'restart', nodes=nodes)['start'] == ['manager1', 'worker1', 'worker2']


def test_stopping_the_only_manager_is_refused_unless_forced():
    rows, nodes = lab3()
    result = M.plan(rows, 'stop', 'manager1', nodes=nodes)
    assert result['refusals'] == [
        'Cannot stop manager1: the swarm has 1 manager(s), 1 of them up; with manager1 down it would have 0 up, '
        'less than its quorum of 1, and it would stop accepting changes (no scheduling, no service or node '
        'commands) until they are back. Stop fewer managers, or set machine_force: true '
        '(-e machine_action=stop -e machine_names=manager1 -e machine_force=true) to stop anyway.']
    forced = M.plan(rows, 'stop', 'manager1', force=True, nodes=nodes)
    assert forced['refusals'] == [] and forced['warnings'][0].startswith('machine_force is set, so it goes ahead: ')
    assert forced['stop'] == ['manager1']


def test_stopping_every_node_of_the_swarm_at_once_is_not_refused():
    rows, nodes = lab3()
    assert M.plan(rows, 'stop', nodes=nodes)['refusals'] == []


def three_managers():
    nodes = [node('m1', 'manager', leader=True), node('m2', 'manager'), node('m3', 'manager'), node('w1')]
    engines = M.engines([tls_ok('m1', manager=True, nodes=nodes)], [])
    containers = [container(n) for n in ('m1', 'm2', 'm3', 'w1')]
    return M.machine_rows(planned('m1', 'm2', 'm3', 'w1'), containers, OPTIONS, engines,
                          M.swarm_view(engines)), nodes


def test_three_managers_lose_one_but_not_two():
    rows, nodes = three_managers()
    assert M.plan(rows, 'stop', 'm2', nodes=nodes)['refusals'] == []
    refused = M.plan(rows, 'stop', 'm2,m3', nodes=nodes)['refusals']
    assert len(refused) == 1 and refused[0].startswith('Cannot stop m2, m3: the swarm has 3 manager(s), 3 of them up; '
                                                       'with m2, m3 down it would have 1 up, less than its quorum of 2')


def test_rm_of_a_manager_demotes_it_first_and_keeps_quorum():
    rows, nodes = three_managers()
    result = M.plan(rows, 'rm', 'm3', nodes=nodes)
    assert result['refusals'] == [] and result['demote'] == ['id-m3'] and result['remove_node_ids'] == ['id-m3']
    assert result['inventory'] == ['m1', 'm2', 'w1']


def test_rm_of_the_last_manager_is_refused():
    rows, nodes = lab3()
    refused = M.plan(rows, 'rm', 'manager1', nodes=nodes)['refusals']
    assert refused and refused[0].startswith('Cannot remove manager1: it is the last manager of the swarm')


def test_rm_of_a_worker_removes_all_its_entries_and_its_inventory_host():
    dummy, nodes = lab3('exited')
    ghost = node('worker2', state='down', node_id='id-old')
    engines = M.engines([tls_ok('manager1', manager=True, nodes=nodes + [ghost]), tls_ok('worker1')], [])
    rows = M.machine_rows(planned('manager1', 'worker1', 'worker2', 'worker3'),
                          [container('manager1'), container('worker1'), container('worker2', 'exited')],
                          OPTIONS, engines, M.swarm_view(engines))
    result = M.plan(rows, 'rm', 'worker2', nodes=nodes + [ghost])
    assert result['remove'] == ['worker2'] and result['demote'] == []
    assert result['remove_node_ids'] == ['id-old', 'id-worker2']
    # worker3 was never created: the inventory lists the machines that exist.
    assert result['inventory'] == ['manager1', 'worker1']


def test_without_a_node_list_quorum_is_not_checked_and_says_so():
    rows, dummy = lab3()
    result = M.plan(rows, 'stop', 'manager1', nodes=None)
    assert result['refusals'] == [] and result['notes'] == [
        'The swarm could not be read (no running manager answers): quorum was not checked.']


# Waits

def test_pending_until_ready_or_down():
    swarm = {'nodes': [node('worker1'), node('worker2', state='down'), node('worker2', state='ready', node_id='n')]}
    assert M.swarm_pending(swarm, ['worker1', 'worker2'], 'ready') == []
    assert M.swarm_pending(swarm, 'worker2', 'down') == ['worker2 (down, ready)']
    assert M.swarm_pending(swarm, 'worker9', 'ready') == ['worker9 (not in the node list)']
    assert M.swarm_pending({'nodes': None}, 'worker1', 'down') == ['worker1 (node list unreadable)']


# The filters' argument checks

@pytest.mark.parametrize(('name', 'args', 'message'), [
    ('machine_rows', ({}, [], OPTIONS), 'expected the machine plan'),
    ('machine_rows', ([], [], []), 'options must be a mapping'),
    ('machine_plan', ({}, 'ls'), 'expected the rows of machine_rows'),
    ('machine_swarm', ([],), "expected the machines' Engines"),
    ('machine_swarm_pending', ({'nodes': []}, ['a'], 'stopped'), 'the wanted state is ready or down'),
    ('machine_engines', ('x', []), 'expected the results of a registered loop'),
])
def test_filters_refuse_what_they_cannot_read(name, args, message):
    with pytest.raises(AnsibleFilterError, match=message):
        FILTERS[name](*args)


def test_filters_take_a_registered_loop_as_it_is():
    registered = {'results': [tls_ok('worker1')], 'changed': False, 'msg': 'All items completed'}
    assert list(FILTERS['machine_engines'](registered, {'results': [], 'skipped': True})) == ['worker1']
