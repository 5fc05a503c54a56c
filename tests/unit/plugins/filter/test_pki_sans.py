"""pki_sans: the one rule that turns host names and addresses into a server certificate's subject alternative names
(the Engines' TLS and the registry, through roles/pki)."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.anchorage.swarm.plugins.filter.pki import FilterModule

SANS = FilterModule().filters()['pki_sans']


def test_addresses_first_then_names_each_in_the_order_given():
    names = ['localhost', '127.0.0.1', 'node1', '172.29.78.10', 'node1.lab', 'fd00::1']
    assert SANS(names) == ['IP:127.0.0.1', 'IP:172.29.78.10', 'IP:fd00::1',
                           'DNS:localhost', 'DNS:node1', 'DNS:node1.lab']


def test_empty_entries_and_duplicates_are_dropped():
    assert SANS(['', None, 'a', 'A', 'a.', ' a ', '10.0.0.1', 'IP:10.0.0.1', '']) == ['IP:10.0.0.1', 'DNS:a']


def test_an_address_written_in_other_forms_is_one_name():
    assert SANS(['fd00:0:0::1', 'FD00::1', '[fd00::1]', 'IP:fd00::0001']) == ['IP:fd00::1']


def test_prefixes_are_kept_and_checked():
    assert SANS(['DNS:registry.example', 'ip:192.0.2.7', 'dns:Example.ORG']) == [
        'IP:192.0.2.7', 'DNS:registry.example', 'DNS:example.org']


def test_a_dns_prefix_keeps_a_name_that_looks_like_an_address_a_name():
    # Written with DNS: on purpose; without the prefix it would be an address.
    assert SANS(['DNS:10.0.0.1']) == ['DNS:10.0.0.1']


@pytest.mark.parametrize('name', ['st-m1', 'node_1', '*.apps.example', 'a' * 63 + '.example', 'xn--bcher-kva.example'])
def test_host_names_of_inventories_are_dns_names(name):
    assert SANS([name]) == ['DNS:' + name.lower()]


@pytest.mark.parametrize(('name', 'message'), [
    ('my host', 'neither an IP address nor a DNS name'),
    ('host:2376', 'neither an IP address nor a DNS name'),
    ('-leading.example', 'neither an IP address nor a DNS name'),
    ('a..b', 'neither an IP address nor a DNS name'),
    ('IP:registry.example', 'is not an IP address'),
    ('IP:10.0.0.256', 'is not an IP address'),
])
def test_what_is_no_name_is_refused_naming_it(name, message):
    with pytest.raises(AnsibleFilterError, match=message) as error:
        SANS(['localhost', name])
    assert repr(name) in str(error.value)


@pytest.mark.parametrize('names', ['localhost', {'a': 1}, 5])
def test_not_a_list_is_refused(names):
    with pytest.raises(AnsibleFilterError, match='give a list'):
        SANS(names)


def test_a_non_string_entry_is_refused():
    with pytest.raises(AnsibleFilterError, match='is not a string'):
        SANS([10])


def test_what_the_engine_role_gives_a_lab_node():
    names = ['localhost', '127.0.0.1', 'node1', '172.29.78.10', 'node1', 'node1', '172.29.78.10']
    assert SANS(names) == ['IP:127.0.0.1', 'IP:172.29.78.10', 'DNS:localhost', 'DNS:node1']
