# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""machine_subnet: the machine role's IPv4 arithmetic (roles/machine/tasks/validate.yml) and its messages."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.anchorage.swarm.plugins.filter.machine import FilterModule
from ansible_collections.anchorage.swarm.plugins.module_utils._machine import subnet_plan

SUBNET = FilterModule().filters()['machine_subnet']


def test_the_default_lab_gets_consecutive_addresses_from_the_offset():
    plan = SUBNET('172.29.77.0/24', 5, 10)
    assert plan['errors'] == []
    assert plan['addresses'] == ['172.29.77.%d' % n for n in range(10, 15)]
    assert (plan['network'], plan['prefix'], plan['size'], plan['netmask']) == ('172.29.77.0', 24, 256,
                                                                                '255.255.255.0')


def test_addresses_carry_across_octets():
    # The Vagrant test's lab: a /23 and offset 300 (tests/static/test_vagrant.py).
    plan = SUBNET('192.168.56.0/23', 2, 300)
    assert plan['addresses'] == ['192.168.57.44', '192.168.57.45']
    assert plan['netmask'] == '255.255.254.0'


def test_the_machine_list_itself_counts():
    assert SUBNET('10.1.0.0/16', [{'name': 'a'}, {'name': 'b'}], 2)['addresses'] == ['10.1.0.2', '10.1.0.3']


@pytest.mark.parametrize('prefix, netmask', [(8, '255.0.0.0'), (20, '255.255.240.0'), (30, '255.255.255.252'),
                                             (0, '0.0.0.0')])
def test_netmask_of_each_prefix(prefix, netmask):
    network = '0.0.0.0' if prefix == 0 else '10.0.0.0'
    assert subnet_plan('%s/%d' % (network, prefix))['netmask'] == netmask


@pytest.mark.parametrize('subnet', ['172.29.77.0', '172.29.77.0/31', '172.29.77.0/32', '256.1.1.0/24',
                                    '172.29.77/24', 'fd00::/64', ' 172.29.77.0/24', '172.29.77.0/24\n', '',
                                    None, 24])
def test_what_is_not_an_ipv4_subnet_is_named_with_an_example(subnet):
    plan = SUBNET(subnet, 1, 10)
    assert plan['errors'] == ['machine_network_subnet %r is not an IPv4 subnet such as 172.29.77.0/24 (prefix at '
                              'most /30).' % (subnet,)]
    assert plan['addresses'] == []


def test_host_bits_are_refused_with_the_network_address_to_use():
    plan = SUBNET('172.29.77.5/24', 1, 10)
    assert plan['errors'] == ["machine_network_subnet '172.29.77.5/24' is not a network address (host bits are set): "
                              "use 172.29.77.0/24."]
    assert plan['addresses'] == []


@pytest.mark.parametrize('offset', [0, 1])
def test_an_offset_below_two_would_take_the_network_or_gateway_address(offset):
    errors = SUBNET('172.29.77.0/24', 1, offset)['errors']
    assert errors == ["machine_network_subnet '172.29.77.0/24' is fine, but machine_address_offset %d would take the "
                      "network or gateway address (use 2 or more)." % offset]


def test_the_machines_must_fit_below_the_broadcast_address():
    # A /29 has 8 addresses: .0 network, .1 gateway, .7 broadcast; from offset 2, 5 machines fit (.2 to .6).
    assert SUBNET('10.9.0.0/29', 5, 2)['addresses'][-1] == '10.9.0.6'
    plan = SUBNET('10.9.0.0/29', 6, 2)
    assert plan['errors'] == ["machine_network_subnet '10.9.0.0/29' has 6 addresses: it cannot hold 6 machines from "
                              "offset 2."]
    assert plan['addresses'] == []


def test_an_offset_given_on_the_command_line_is_a_number():
    assert SUBNET('172.29.77.0/24', 1, '300')['errors'][0].endswith('cannot hold 1 machines from offset 300.')
    assert SUBNET('172.29.77.0/24', 1, '20')['addresses'] == ['172.29.77.20']


@pytest.mark.parametrize('offset', ['ten', '-1', 2.5, None, True])
def test_an_offset_that_is_no_whole_number_is_named(offset):
    errors = SUBNET('172.29.77.0/24', 1, offset)['errors']
    assert len(errors) == 1 and errors[0].startswith('machine_address_offset %r must be a whole number' % (offset,))


NODES = FilterModule().filters()['machine_nodes']


def test_each_machine_gets_its_container_volume_image_address_and_groups():
    machines = [{'name': 'manager1', 'groups': ['swarm_managers']}, {'name': 'w1', 'image': 'debian13'}]
    nodes = NODES(machines, SUBNET('172.29.77.0/24', machines, 10)['addresses'], 'anchorage-lab', 'anchorage/node',
                  'debian12')
    assert nodes == [
        {'name': 'manager1', 'container': 'anchorage-lab-manager1', 'volume': 'anchorage-lab-manager1-docker',
         'image': 'anchorage/node:debian12', 'address': '172.29.77.10', 'groups': ['swarm_managers']},
        {'name': 'w1', 'container': 'anchorage-lab-w1', 'volume': 'anchorage-lab-w1-docker',
         'image': 'anchorage/node:debian13', 'address': '172.29.77.11', 'groups': []},
    ]


@pytest.mark.parametrize('machines, addresses', [([{'name': 'a'}], []), ([{'image': 'debian12'}], ['10.0.0.2']),
                                                 ('a', ['10.0.0.2'])])
def test_machines_without_a_name_or_an_address_are_refused(machines, addresses):
    with pytest.raises(AnsibleFilterError, match='machine_nodes'):
        NODES(machines, addresses, 'lab', 'anchorage/node', 'debian12')
