# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Swarm preflight's decisions, and its port probe on real sockets.

The probe runs two "nodes" in two threads on 127.0.0.1, each on its own free
high ports, so the test needs no root and touches no port Swarm uses.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import socket
import subprocess
import sys
import threading

import pytest

from ansible_collections.anchorage.swarm.plugins.module_utils._swarm_preflight import (
    advertise_addr_finding,
    clock_findings,
    default_interface,
    engine_version_findings,
    hostname_findings,
    ipvs_finding,
    module_listed,
    parse_dockerd_version,
    parse_ip_json,
    parse_ip_oneline,
    parse_payload,
    port_findings,
    probe_payload,
    split_advertise_addr,
    summarize,
    swarm_ports,
    vni_in_use,
    vxlan_finding,
)
from ansible_collections.anchorage.swarm.plugins.modules.swarm_preflight import run_probe

MODULE = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'plugins', 'modules', 'swarm_preflight.py')

WORKER_PORTS = ['7946/tcp', '7946/udp', '4789/udp']
MANAGER_PORTS = ['2377/tcp'] + WORKER_PORTS


def levels(findings):
    return [(f['level'], f['check'], f['node']) for f in findings]


# Ports and payloads --------------------------------------------------------

def test_swarm_ports_manager_port_only_on_managers():
    assert swarm_ports(True) == {'2377/tcp': 2377, '7946/tcp': 7946, '7946/udp': 7946, '4789/udp': 4789}
    assert swarm_ports(False) == {'7946/tcp': 7946, '7946/udp': 7946, '4789/udp': 4789}
    assert swarm_ports(False, 4790) == {'7946/tcp': 7946, '7946/udp': 7946, '4790/udp': 4790}


def test_payload_round_trip_and_junk():
    assert probe_payload('worker1') == b'anchorage-preflight worker1\n'
    assert parse_payload(probe_payload('worker1')) == 'worker1'
    assert parse_payload(b'anchorage-preflight n2') == 'n2'
    assert parse_payload(b'\x08\x00\x00\x00junk') is None  # a VXLAN header, say
    assert parse_payload(b'anchorage-preflight \n') is None
    assert parse_payload(b'anchorage-preflight \xff\xfe\n') is None
    assert parse_payload(b'') is None


# Host facts ----------------------------------------------------------------

IP_JSON = json.dumps([
    {'ifname': 'lo', 'addr_info': [{'family': 'inet', 'local': '127.0.0.1'}, {'family': 'inet6', 'local': '::1'}]},
    {'ifname': 'eth0', 'addr_info': [{'family': 'inet', 'local': '192.0.2.2'},
                                     {'family': 'inet6', 'local': 'fe80::1'}]},
    {'ifname': 'ifb0', 'addr_info': []},
    {'addr_info': []},
])

IP_ONELINE = """\
1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
1: lo    inet6 ::1/128 scope host \\       valid_lft forever preferred_lft forever
2: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\\       valid_lft forever preferred_lft forever
2: eth0    inet6 fe80::1/64 scope link \\       valid_lft forever preferred_lft forever
5: veth1@if4    inet 198.51.100.7/24 scope global veth1\\       valid_lft forever preferred_lft forever
"""


def test_parse_ip_json():
    assert parse_ip_json(IP_JSON) == {'lo': ['127.0.0.1', '::1'], 'eth0': ['192.0.2.2', 'fe80::1'], 'ifb0': []}
    assert parse_ip_json('') == {}


def test_parse_ip_oneline():
    assert parse_ip_oneline(IP_ONELINE) == {'lo': ['127.0.0.1', '::1'], 'eth0': ['192.0.2.2', 'fe80::1'],
                                            'veth1': ['198.51.100.7']}
    assert parse_ip_oneline('') == {}


def test_default_interface():
    assert default_interface('default via 192.0.2.1 dev eth0 \n') == 'eth0'
    assert default_interface('default via 192.0.2.1 dev ens3 proto dhcp src 192.0.2.5 metric 100\n'
                             'default via 10.0.0.1 dev wlan0\n') == 'ens3'
    assert default_interface('192.0.2.0/24 dev eth0 proto kernel scope link\n') is None
    assert default_interface('') is None


@pytest.mark.parametrize('text, listed', [
    ('kernel/net/netfilter/ipvs/ip_vs.ko: kernel/net/netfilter/nf_conntrack.ko\n', True),
    ('kernel/net/netfilter/ipvs/ip_vs.ko.zst: kernel/lib/libcrc32c.ko.zst\n', True),
    ('kernel/net/netfilter/ipvs/ip_vs.ko.xz:\n', True),
    ('kernel/net/netfilter/ipvs/ip_vs.ko\n', True),  # modules.builtin
    ('kernel/net/netfilter/ipvs/ip_vs_rr.ko: kernel/net/netfilter/ipvs/ip_vs.ko\n', False),
    ('kernel/drivers/net/vxlan/vxlan.ko:\n', False),
    ('', False),
])
def test_module_listed(text, listed):
    assert module_listed(text, 'ip_vs') is listed


def test_parse_dockerd_version():
    assert parse_dockerd_version('Docker version 20.10.24+dfsg1, build 297e128\n') == '20.10.24+dfsg1'
    assert parse_dockerd_version('Docker version 27.3.1, build 41ca978\n') == '27.3.1'
    assert parse_dockerd_version('') == ''


# VXLAN and IPVS --------------------------------------------------------------

def test_vni_in_use_shows_vxlan_support():
    assert vni_in_use('Error: A VXLAN device with the specified VNI already exists.\n')
    assert not vni_in_use('RTNETLINK answers: File exists\n')  # our own name, left by a killed run
    assert not vni_in_use('Error: Unknown device type.\n')
    assert not vni_in_use(None)


def test_vxlan_created_is_info():
    assert vxlan_finding('n1', True, '') == dict(
        level='info', check='vxlan', node='n1', msg='overlay networks supported (a VXLAN interface could be created)')


def test_vxlan_refused_by_the_kernel_is_an_error_with_the_fix():
    found = vxlan_finding('n1', False, 'Error: Unknown device type.\n')
    assert (found['level'], found['check']) == ('error', 'vxlan')
    assert 'overlay networks will not work on n1' in found['msg']
    assert 'Unknown device type' in found['msg']
    assert 'modprobe vxlan' in found['msg'] and 'CONFIG_VXLAN' in found['msg']


def test_vxlan_without_privilege_or_ip_command_is_not_tested():
    found = vxlan_finding('n1', False, 'RTNETLINK answers: Operation not permitted')
    assert found['level'] == 'warning' and 'become: true' in found['msg']
    found = vxlan_finding('n1', None, 'the ip command is missing; install iproute2 to test it')
    assert found['level'] == 'warning'
    assert found['msg'] == 'VXLAN support not tested: the ip command is missing; install iproute2 to test it'


def test_ipvs_absent_warns_with_the_fix():
    found = ipvs_finding('n1', False, False)
    assert (found['level'], found['check'], found['node']) == ('warning', 'ipvs', 'n1')
    assert found['msg'] == (
        'the ingress routing mesh and VIP load balancing will not work on n1 (kernel has no IPVS); '
        "run `modprobe ip_vs` or install the kernel's modules; until then publish ports with mode: host "
        'and use endpoint_mode: dnsrr')


@pytest.mark.parametrize('proc, module', [(True, False), (True, True), (False, True)])
def test_ipvs_loaded_or_loadable_is_info(proc, module):
    found = ipvs_finding('n1', proc, module)
    assert found['level'] == 'info'
    assert 'ingress routing mesh available' in found['msg']


# Advertise address -----------------------------------------------------------

ADDRESSES = {
    'lo': ['127.0.0.1', '::1'],
    'eth0': ['192.0.2.2', 'fd00::2', 'fe80::fc:ff:fe00:1'],
    'eth1': ['198.51.100.5', '198.51.100.6'],
    'eth2': ['2001:db8::5', 'fe80::5'],
    'eth3': ['fe80::7'],
}


@pytest.mark.parametrize('value, parsed', [
    ('192.0.2.2', ('192.0.2.2', None, True)),
    ('192.0.2.2:2377', ('192.0.2.2', 2377, True)),
    ('2001:db8::5', ('2001:db8::5', None, True)),
    ('[2001:db8::5]:2377', ('2001:db8::5', 2377, True)),
    ('eth0', ('eth0', None, False)),
    ('eth0:4000', ('eth0', 4000, False)),
])
def test_split_advertise_addr(value, parsed):
    assert split_advertise_addr(value) == parsed


@pytest.mark.parametrize('value', ['192.0.2.2:0', '192.0.2.2:99999', 'eth0:x', '[::1', '[::1]x',
                                   'a/b', 'an-interface-name-too-long', 'a:b:c:'])
def test_split_advertise_addr_refuses(value):
    with pytest.raises(ValueError):
        split_advertise_addr(value)


def test_advertise_addr_empty_is_skipped():
    assert advertise_addr_finding('n1', '', ADDRESSES) is None


@pytest.mark.parametrize('value, msg', [
    ('192.0.2.2', 'advertise address 192.0.2.2 is on eth0'),
    ('192.0.2.2:2377', 'advertise address 192.0.2.2 is on eth0'),
    ('[2001:db8::5]:2377', 'advertise address 2001:db8::5 is on eth2'),
    ('eth0', 'advertise address is 192.0.2.2 on interface eth0'),  # its one IPv4 address wins
    ('eth2', 'advertise address is 2001:db8::5 on interface eth2'),  # no IPv4: its one global IPv6
])
def test_advertise_addr_on_the_host_is_info(value, msg):
    assert advertise_addr_finding('n1', value, ADDRESSES) == dict(level='info', check='advertise_addr', node='n1',
                                                                  msg=msg)


def test_advertise_addr_not_on_the_host_names_the_field_and_what_the_host_has():
    found = advertise_addr_finding('n1', '10.1.2.3', ADDRESSES)
    assert found['level'] == 'error'
    assert found['msg'] == (
        'swarm_advertise_addr 10.1.2.3 is not an address of n1 (it has eth0: 192.0.2.2, fd00::2; '
        'eth1: 198.51.100.5, 198.51.100.6; eth2: 2001:db8::5; lo: 127.0.0.1, ::1); '
        'set swarm_advertise_addr to one of them or to an interface name')


def test_advertise_addr_unknown_interface_is_an_error():
    found = advertise_addr_finding('n1', 'ens9', ADDRESSES)
    assert found['level'] == 'error'
    assert "swarm_advertise_addr 'ens9' is neither an interface nor an address of n1" in found['msg']
    assert 'eth0: 192.0.2.2' in found['msg']


def test_advertise_addr_interface_docker_cannot_use():
    several = advertise_addr_finding('n1', 'eth1', ADDRESSES)
    assert several['level'] == 'error'
    assert 'several addresses (198.51.100.5, 198.51.100.6)' in several['msg']
    none = advertise_addr_finding('n1', 'eth3', ADDRESSES)  # link-local only
    assert none['level'] == 'error' and 'no usable IPv4 or IPv6 address' in none['msg']


def test_advertise_addr_loopback_unlisted_hosts_and_junk():
    assert advertise_addr_finding('n1', '127.0.0.1', ADDRESSES)['level'] == 'warning'
    assert advertise_addr_finding('n1', '192.0.2.2', None)['level'] == 'warning'
    junk = advertise_addr_finding('n1', 'not an address', ADDRESSES)
    assert junk['level'] == 'error'
    assert junk['msg'] == "swarm_advertise_addr 'not an address' is not an IP address, IP:port or interface name"


# Hostnames, Engine versions, clocks ------------------------------------------

def test_unique_hostnames_find_nothing():
    assert hostname_findings({'n1': 'manager1', 'n2': 'worker1', 'n3': 'worker2', 'n4': None}) == []


def test_each_group_of_shared_hostnames_is_one_error():
    found = hostname_findings({'n1': 'debian', 'n2': 'Debian', 'n3': 'node', 'n4': 'node', 'n5': 'solo'})
    assert levels(found) == [('error', 'hostname', ''), ('error', 'hostname', '')]
    assert found[0]['msg'].startswith("nodes n1, n2 share the hostname 'debian': swarm identifies nodes by "
                                      'hostname in `docker node ls`')
    assert found[0]['msg'].endswith('set distinct hostnames')
    assert "nodes n3, n4 share the hostname 'node'" in found[1]['msg']


def test_same_engine_release_finds_nothing():
    assert engine_version_findings({'n1': '20.10.24+dfsg1', 'n2': '20.10.21', 'n3': ''}) == []
    assert engine_version_findings({'n1': '27.3.1'}) == []
    assert engine_version_findings({}) == []


def test_differing_engine_releases_list_which_nodes_run_which():
    found = engine_version_findings({'n1': '20.10.24+dfsg1', 'n2': '26.1.5+dfsg1', 'n3': '5:20.10.5~3-0~debian',
                                     'n4': 'weird'})
    assert levels(found) == [('warning', 'engine_version', '')]
    assert found[0]['msg'].startswith('Engine releases differ across nodes (20.10 on n1, n3; 26.1 on n2; '
                                      'weird on n4): install the same release on every node')


def test_clock_within_the_limit_is_info_and_none_is_skipped():
    assert clock_findings({'n1': 0.4, 'n2': -10.0, 'n3': None}, 10.0) == [
        dict(level='info', check='clock', node='n1', msg='clock within 0.4 s of the controller'),
        dict(level='info', check='clock', node='n2', msg='clock within 10.0 s of the controller'),
    ]


def test_clock_skew_beyond_the_limit_is_an_error_either_way():
    found = clock_findings({'n1': 42.04, 'n2': -12.5}, 10.0)
    assert levels(found) == [('error', 'clock', 'n1'), ('error', 'clock', 'n2')]
    assert found[0]['msg'].startswith('clock is 42.0 s ahead of the controller (more than 10 s)')
    assert found[1]['msg'].startswith('clock is 12.5 s behind the controller')
    assert 'chrony' in found[0]['msg'] and 'NTP' in found[0]['msg']


# Ports, decided from probe results --------------------------------------------

def probe(bound=None, heard=None, connected=None, errors=None, started=100.0, ended=104.0):
    return dict(bound=bound or {}, heard=heard or {}, connected=connected or {}, errors=errors or {},
                started=started, ended=ended)


def everyone_heard(nodes, managers):
    """Probe results where every node heard every other on every port it should accept."""
    results = {}
    for node in nodes:
        keys = MANAGER_PORTS if node in managers else WORKER_PORTS
        others = sorted(n for n in nodes if n != node)
        tcp_to = {}
        for key in ('2377/tcp', '7946/tcp'):
            tcp_to[key] = [o for o in others if key == '7946/tcp' or o in managers]
        results[node] = probe(bound=dict((k, 'listening') for k in keys),
                              heard=dict((k, list(others)) for k in keys), connected=tcp_to)
    return results


def test_all_reachable_finds_nothing():
    assert port_findings(everyone_heard(['m1', 'w1', 'w2'], ['m1']), ['m1']) == []


def test_unheard_udp_port_is_an_error_naming_sender_receiver_and_fix():
    results = everyone_heard(['m1', 'w1', 'w2'], ['m1'])
    results['w2']['heard']['4789/udp'] = ['w1']  # m1's VXLAN traffic never arrives at w2
    found = port_findings(results, ['m1'])
    assert found == [dict(level='error', check='ports', node='w2',
                          msg="m1 cannot reach w2 on 4789/udp: open it in w2's firewall (and between the hosts)")]


def test_tcp_counts_when_the_sender_connected_even_if_unheard():
    results = everyone_heard(['m1', 'w1'], ['m1'])
    results['m1']['heard']['2377/tcp'] = []
    assert port_findings(results, ['m1']) == []
    results['w1']['connected']['2377/tcp'] = []
    found = port_findings(results, ['m1'])
    assert [f['msg'] for f in found] == ["w1 cannot reach m1 on 2377/tcp: open it in m1's firewall "
                                         '(and between the hosts)']


def test_manager_port_is_checked_on_managers_only():
    results = everyone_heard(['m1', 'w1'], ['m1'])
    # w1 is not a manager: nobody sends to its 2377, and that is fine.
    assert '2377/tcp' not in results['w1']['bound']
    assert port_findings(results, ['m1']) == []
    # Declared a manager on the controller but the node did not listen on 2377.
    found = port_findings(results, ['m1', 'w1'])
    assert levels(found) == [('warning', 'ports', 'w1')]
    assert found[0]['msg'].startswith('2377/tcp not tested: w1 did not listen on it')


def test_ports_held_by_the_engine():
    results = everyone_heard(['m1', 'w1', 'w2'], ['m1'])
    for key in ('7946/tcp', '7946/udp', '4789/udp'):
        results['w1']['bound'][key] = 'in use'
        results['w1']['heard'].pop(key)
    found = port_findings(results, ['m1'])
    # TCP still tested by the senders' connects; each UDP port reported once, not once per sender.
    assert found == [
        dict(level='info', check='ports', node='w1', msg='4789/udp not tested: held by the Engine '
                                                         '(w1 is already in a swarm)'),
        dict(level='info', check='ports', node='w1', msg='7946/udp not tested: held by the Engine '
                                                         '(w1 is already in a swarm)'),
    ]
    results['m1']['connected']['7946/tcp'] = ['w2']  # m1 could not connect to the Engine on w1
    assert [f['msg'] for f in port_findings(results, ['m1']) if f['level'] == 'error'] == [
        "m1 cannot reach w1 on 7946/tcp: open it in w1's firewall (and between the hosts)"]


def test_port_that_could_not_be_bound_is_not_tested():
    results = everyone_heard(['w1', 'w2'], [])
    results['w2']['bound']['4789/udp'] = 'error: Permission denied'
    results['w2']['heard'].pop('4789/udp')
    assert levels(port_findings(results, [])) == [('warning', 'ports', 'w2')]


def test_node_without_probe_is_not_probed_and_not_blamed():
    results = everyone_heard(['m1', 'w1'], ['m1'])
    results['w2'] = None
    found = port_findings(results, ['m1'])
    assert found == [dict(level='warning', check='ports', node='w2',
                          msg='not probed: the preflight probe did not run on w2, so its ports were not tested')]


def test_unresolvable_peer_is_one_error():
    results = everyone_heard(['m1', 'w1'], ['m1'])
    results['w1']['heard'] = dict((k, []) for k in WORKER_PORTS)
    results['m1']['connected']['7946/tcp'] = []
    results['m1']['errors'] = {'w1': 'cannot resolve w1.example (IPv4): Name or service not known'}
    found = port_findings(results, ['m1'])
    assert found == [dict(level='error', check='ports', node='m1',
                          msg='m1 cannot send to w1: cannot resolve w1.example (IPv4): Name or service not known')]


def test_probes_that_did_not_overlap_are_not_tested_rather_than_blamed():
    results = everyone_heard(['w1', 'w2'], [])
    results['w2'].update(started=200.0, ended=204.0)  # ran after w1 had stopped (forks too low)
    results['w2']['heard'] = dict((k, []) for k in WORKER_PORTS)
    found = port_findings(results, [])
    assert levels(found) == [('warning', 'ports', 'w2')]
    assert 'w1 and w2 not tested against each other' in found[0]['msg']
    # What did arrive still counts, overlap or not.
    assert port_findings(everyone_heard(['w1', 'w2'], []), []) == []


def test_port_findings_take_the_whole_node_dict_too():
    results = everyone_heard(['m1', 'w1'], ['m1'])
    results['w1']['heard']['7946/udp'] = []
    nodes = dict((name, dict(name=name, probe=p, skew=0.1)) for name, p in results.items())
    assert port_findings(nodes, ['m1']) == port_findings(results, ['m1'])
    assert len(port_findings(nodes, ['m1'])) == 1


def test_data_path_port_follows_the_option():
    results = everyone_heard(['w1', 'w2'], [])
    for name in results:
        results[name]['bound']['4790/udp'] = results[name]['bound'].pop('4789/udp')
        results[name]['heard']['4790/udp'] = results[name]['heard'].pop('4789/udp')
    assert port_findings(results, [], data_path_port=4790) == []
    assert len(port_findings(results, [])) == 2  # 4789/udp was not listened on


def test_summarize():
    findings = [
        dict(level='error', check='ports', node='w2', msg='m1 cannot reach w2 on 4789/udp: ...'),
        None,
        dict(level='warning', check='engine_version', node='', msg='Engine releases differ'),
        dict(level='info', check='vxlan', node='m1', msg='overlay networks supported'),
    ]
    assert summarize(findings) == (['w2: m1 cannot reach w2 on 4789/udp: ...'], ['Engine releases differ'],
                                   ['m1: overlay networks supported'])
    assert summarize([]) == ([], [], [])


# The probe on real sockets ---------------------------------------------------

def free_port(kind):
    sock = socket.socket(socket.AF_INET, kind)
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def free_ports(keys):
    return dict((key, free_port(socket.SOCK_STREAM if key.endswith('/tcp') else socket.SOCK_DGRAM)) for key in keys)


def run_nodes(listen, window=1.5):
    """Run the probe of each node {name: listen ports} in its own thread, all at once."""
    results = {}

    def node(name):
        peers = [dict(name=other, addr='127.0.0.1', ports=ports) for other, ports in listen.items() if other != name]
        results[name] = run_probe(name, listen[name], peers, window, bind_addr='127.0.0.1')

    threads = [threading.Thread(target=node, args=(name,)) for name in listen]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_probe_two_nodes_hear_each_other():
    listen = dict(m1=free_ports(MANAGER_PORTS), w1=free_ports(WORKER_PORTS))
    results = run_nodes(listen)
    m1, w1 = results['m1'], results['w1']
    assert m1['bound'] == dict((k, 'listening') for k in MANAGER_PORTS)
    assert w1['bound'] == dict((k, 'listening') for k in WORKER_PORTS)
    assert m1['heard'] == dict((k, ['w1']) for k in MANAGER_PORTS)
    assert w1['heard'] == dict((k, ['m1']) for k in WORKER_PORTS)
    assert m1['connected'] == {'7946/tcp': ['w1']}
    assert w1['connected'] == {'2377/tcp': ['m1'], '7946/tcp': ['m1']}
    assert m1['errors'] == {} and w1['errors'] == {}
    assert m1['ended'] - m1['started'] >= 1.5
    assert port_findings(results, ['m1']) == []


def test_probe_port_in_use_counts_tcp_by_connect():
    listen = dict(m1=free_ports(MANAGER_PORTS), w1=free_ports(WORKER_PORTS))
    # Stand-ins for an Engine already in a swarm on w1: it holds 7946/tcp and 7946/udp.
    engine_tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    engine_tcp.bind(('127.0.0.1', listen['w1']['7946/tcp']))
    engine_tcp.listen(8)
    engine_udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    engine_udp.bind(('127.0.0.1', listen['w1']['7946/udp']))
    try:
        results = run_nodes(listen)
    finally:
        engine_tcp.close()
        engine_udp.close()
    w1, m1 = results['w1'], results['m1']
    assert w1['bound'] == {'7946/tcp': 'in use', '7946/udp': 'in use', '4789/udp': 'listening'}
    assert w1['heard'] == {'4789/udp': ['m1']}
    assert m1['connected'] == {'7946/tcp': ['w1']}  # reached the "Engine"
    assert m1['heard']['7946/udp'] == ['w1']
    assert port_findings(results, ['m1']) == [dict(
        level='info', check='ports', node='w1', msg='7946/udp not tested: held by the Engine (w1 is already in a swarm)')]


def test_probe_peer_that_never_listens_is_not_heard_and_is_blamed():
    listen = dict(w1=free_ports(WORKER_PORTS))
    silent = free_ports(WORKER_PORTS)  # nobody binds these
    peers = [dict(name='w2', addr='127.0.0.1', ports=silent),
             dict(name='w3', addr='no-such-host.invalid', ports=silent)]
    w1 = run_probe('w1', listen['w1'], peers, 1.0, bind_addr='127.0.0.1')
    assert w1['connected'] == {'7946/tcp': []}
    assert w1['heard'] == dict((k, []) for k in WORKER_PORTS)
    assert w1['errors']['w3'].startswith('cannot resolve no-such-host.invalid (IPv4)')
    w2 = dict(w1, heard=dict((k, []) for k in WORKER_PORTS), connected={'7946/tcp': []}, errors={})
    found = port_findings({'w1': w1, 'w2': w2}, [])
    assert ["w1 cannot reach w2 on %s: open it in w2's firewall (and between the hosts)" % k
            for k in ('4789/udp', '7946/tcp', '7946/udp')] == [f['msg'] for f in found if f['node'] == 'w2']


def test_probe_without_peers_only_binds():
    w1 = run_probe('w1', free_ports(WORKER_PORTS), [], 5.0, bind_addr='127.0.0.1')
    assert w1['bound'] == dict((k, 'listening') for k in WORKER_PORTS)
    assert w1['ended'] - w1['started'] < 1.0


# The module as Ansible runs it -------------------------------------------------

def run_module(args, check=False):
    payload = {'ANSIBLE_MODULE_ARGS': dict(args, _ansible_check_mode=check)}
    env = dict(os.environ)
    root = os.path.abspath(os.path.join(os.path.dirname(MODULE), '..', '..', '.collections'))
    env['PYTHONPATH'] = root + os.pathsep + env.get('PYTHONPATH', '')
    proc = subprocess.run([sys.executable, MODULE], input=json.dumps(payload), capture_output=True,
                          text=True, env=env, check=False)
    return json.loads(proc.stdout)


def test_module_node_local_checks(tmp_path):
    import time
    result = run_module(dict(probe=False, node_name='n1', reference_time=time.time(), advertise_addr='lo'),
                        check=True)
    assert result['changed'] is False
    assert result['node']['name'] == 'n1'
    assert result['node']['probe'] is None
    assert 0 <= result['node']['skew'] < 10
    assert set(result['node']['ipvs']) == {'proc', 'module'}
    assert set(result['node']['vxlan']) == {'ok', 'error'}
    # Whatever this host has, each node-local check says something.
    assert [f['check'] for f in result['findings']] == ['vxlan', 'ipvs', 'advertise_addr', 'clock']
    assert all(f['node'] == 'n1' for f in result['findings'])


def test_module_refuses_a_bad_port():
    result = run_module(dict(probe=False, data_path_port=0))
    assert result['failed'] is True
    assert result['msg'] == ('Cannot run the Swarm preflight: data_path_port 0 is not a UDP port from 1024 to 49151 '
                             '(dockerd refuses others); leave it unset for the default 4789')


# Issue 16: the probe windows are compared on the controller's clock (each node's measured skew taken out).

def _skewed(results, node, skew):
    """The node dict the module returns: the probe timed by a clock `skew` seconds off, and that skew measured."""
    probe_ = dict(results[node])
    probe_['started'] += skew
    probe_['ended'] += skew
    return dict(probe=probe_, skew=skew)


def test_skew_within_the_allowed_does_not_make_windows_seem_to_overlap():
    # w2 really ran 5..9 s after w1's start (w1: 100..104), its clock is 3 s behind, so it reported 102..106:
    # on the nodes' own clocks the windows overlap 2 s and w2's silence looked like a closed firewall.
    results = everyone_heard(['w1', 'w2'], [])
    results['w2'].update(started=105.0, ended=109.0)
    results['w2']['heard'] = dict((k, []) for k in WORKER_PORTS)
    results['w1']['heard'] = dict((k, []) for k in WORKER_PORTS)
    nodes = dict(w1=dict(probe=results['w1'], skew=0.0), w2=_skewed(results, 'w2', -3.0))
    found = port_findings(nodes, [])
    assert [f['level'] for f in found] == ['warning', 'warning']
    assert all('not tested against each other' in f['msg'] for f in found)


def test_skewed_clock_still_reports_a_closed_port():
    # Both probed at the same time; w2's clock is 8 s ahead (allowed: 10 s). w1's VXLAN never reaches w2.
    results = everyone_heard(['w1', 'w2'], [])
    results['w2']['heard']['4789/udp'] = []
    nodes = dict(w1=dict(probe=results['w1'], skew=0.0), w2=_skewed(results, 'w2', 8.0))
    found = port_findings(nodes, [])
    assert found == [dict(level='error', check='ports', node='w2',
                          msg="w1 cannot reach w2 on 4789/udp: open it in w2's firewall (and between the hosts)")]


def test_input_problems_before_anything_is_probed():
    from ansible_collections.anchorage.swarm.plugins.module_utils._swarm_preflight import input_problems
    good = dict(advertise_addr='eth0', data_path_port=4789, max_clock_skew=2.0, window=4.0,
                peers=[dict(name='m2', addr='10.0.0.12'), dict(name='m3', addr='m3.lab')])
    assert input_problems(good) == []
    bad = dict(good, advertise_addr='not an address', data_path_port=80, max_clock_skew=-1.0, window=0,
               peers=[dict(name='m2', addr='m2:2377'), dict(name='m3', addr='10.0.0.300')])
    problems = input_problems(bad)
    assert [p.split()[0] for p in problems] == ['advertise_addr', 'data_path_port', 'max_clock_skew', 'window',
                                                'peers', 'peers']
    assert 'without a port' in problems[4]
