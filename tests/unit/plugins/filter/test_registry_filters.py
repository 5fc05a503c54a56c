"""The registry role's decisions (plugins/filter/registry.py): the checks of its variables, each message naming the
variable and the fix; the registry's host and address; image references."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.anchorage.swarm.plugins.filter.registry import SETTINGS, FilterModule

FILTERS = FilterModule().filters()
PROBLEMS = FILTERS['registry_problems']
HOST = FILTERS['registry_host']
ADDRESS = FILTERS['registry_address']
IMAGE_REF = FILTERS['registry_image_ref']

# The role's defaults (roles/registry/defaults/main.yml), as the role passes them.
GOOD = {
    'registry_port': 5000, 'registry_stack_name': 'registry', 'registry_storage_label': 'anchorage.registry-storage',
    'registry_image': 'registry:2', 'registry_user': 'anchorage', 'registry_password': '',
    'registry_cert_days': 365, 'registry_cert_renew_days': 30, 'registry_ca_days': 3650,
    'registry_pki_dir': '/srv/pki/registry', 'registry_ca_dir': '/srv/pki/tls', 'registry_preload_dir': '/srv/pki/images',
    'registry_node_dir': '/etc/anchorage/registry', 'registry_build_dir': '/var/lib/anchorage/build', 'registry_host': '',
}


def problems(**changed):
    return PROBLEMS(dict(GOOD, **changed))


def test_the_defaults_have_no_problem():
    assert set(GOOD) == set(SETTINGS)
    assert PROBLEMS(GOOD) == []


@pytest.mark.parametrize('value', [
    'registry.example', '10.0.0.5', 'fd00::5', 'localhost', 'anchorage/registry:2', 'registry@sha256:' + 'a' * 64,
    'host:5000/team/registry:2.8', 'ghcr.io/distribution/registry'])
def test_good_values_pass(value):
    key = 'registry_image' if '/' in value or value.startswith('registry') else 'registry_host'
    assert problems(**{key: value}) == []


# Each bad input: the message names the variable and says what to give instead.
@pytest.mark.parametrize(('changed', 'message'), [
    ({'registry_port': 0}, 'registry_port=0 is not a TCP port: use 1-65535 (default 5000).'),
    ({'registry_port': 65536}, 'registry_port=65536 is not a TCP port: use 1-65535 (default 5000).'),
    ({'registry_port': 'web'}, 'registry_port=web is not a TCP port: use 1-65535 (default 5000).'),
    ({'registry_stack_name': '-reg'},
     'registry_stack_name=-reg is not a stack name: letters, digits, _ and -, starting with a letter or digit.'),
    ({'registry_storage_label': 'storage='},
     'registry_storage_label=storage= is not a node label key: letters, digits, . _ and -, for example '
     'anchorage.registry-storage.'),
    ({'registry_image': 'Registry:2'},
     'registry_image=Registry:2 is not an image reference: lower case repository[:tag], for example registry:2.'),
    ({'registry_user': 'ad min'},
     'registry_user must be a non-empty name without ":" or spaces (htpasswd user), default anchorage.'),
    ({'registry_user': ''},
     'registry_user must be a non-empty name without ":" or spaces (htpasswd user), default anchorage.'),
    ({'registry_password': 'two\nlines'}, 'registry_password must be one line (or empty to generate one).'),
    ({'registry_cert_days': 30},
     'registry_cert_days (30) must be greater than registry_cert_renew_days (30), which must be at least 1.'),
    ({'registry_cert_renew_days': 0},
     'registry_cert_days (365) must be greater than registry_cert_renew_days (0), which must be at least 1.'),
    ({'registry_ca_days': 395},
     'registry_ca_days (395) must exceed registry_cert_days + registry_cert_renew_days (395): no server certificate '
     'may outlive its CA.'),
    ({'registry_pki_dir': 'pki'},
     'registry_pki_dir=pki is not an absolute path: give a folder on the controller starting with /.'),
    ({'registry_ca_dir': ''},
     'registry_ca_dir="" is not an absolute path: give a folder on the controller starting with /.'),
    ({'registry_preload_dir': 'images'},
     'registry_preload_dir=images is not an absolute path: give a folder on the controller starting with /.'),
    ({'registry_node_dir': 'etc/registry'},
     'registry_node_dir=etc/registry is not an absolute path: give a folder on the nodes starting with /.'),
    ({'registry_build_dir': '~/build'},
     'registry_build_dir=~/build is not an absolute path: give a folder on the nodes starting with /.'),
    ({'registry_host': 'registry.example:5000'},
     'registry_host=registry.example:5000 is not a host name or IP address (no port: that is registry_port).'),
    ({'registry_host': 'https://registry.example'},
     'registry_host=https://registry.example is not a host name or IP address (no port: that is registry_port).'),
])
def test_each_bad_input_names_the_variable_and_the_fix(changed, message):
    assert problems(**changed) == [message]


def test_every_problem_is_reported_at_once():
    found = problems(registry_port=0, registry_user='a:b', registry_node_dir='x')
    assert [m.split('=')[0].split(' ')[0] for m in found] == ['registry_port', 'registry_user', 'registry_node_dir']


def test_the_password_never_shows_in_a_message():
    found = problems(registry_password='s3cret\n', registry_port=0)
    assert found and not any('s3cret' in m for m in found)


def test_a_setting_left_out_is_not_checked_and_an_unknown_one_is_refused():
    assert PROBLEMS({'registry_port': 5000}) == []
    with pytest.raises(AnsibleFilterError, match='registry_prot'):
        PROBLEMS({'registry_prot': 5000})
    with pytest.raises(AnsibleFilterError, match='mapping'):
        PROBLEMS(['registry_port'])


@pytest.mark.parametrize(('configured', 'advertise', 'ansible_host', 'expected'), [
    ('registry.example', '10.0.0.1', '10.0.0.2', 'registry.example'),
    ('', '10.0.0.1', '10.0.0.2', '10.0.0.1'),
    ('', '10.0.0.1:2377', '10.0.0.2', '10.0.0.1'),
    ('', '[fd00::1]:2377', '10.0.0.2', 'fd00::1'),
    ('', '[fd00::1]', '10.0.0.2', 'fd00::1'),
    ('', 'fd00::1', '10.0.0.2', 'fd00::1'),
    ('', 'eth1', '10.0.0.2', '10.0.0.2'),
    ('', '', '10.0.0.2', '10.0.0.2'),
    ('', None, '', 'node1'),
    ('', 'eth1:2377', '', 'node1'),
])
def test_the_registry_host_comes_from_the_storage_node(configured, advertise, ansible_host, expected):
    assert HOST(configured, advertise, ansible_host, 'node1') == expected


@pytest.mark.parametrize(('host', 'port', 'expected'), [
    ('10.0.0.1', 5000, '10.0.0.1:5000'),
    ('registry.example', '443', 'registry.example:443'),
    ('fd00::1', 5000, '[fd00::1]:5000'),
    ('[fd00::1]', 5000, '[fd00::1]:5000'),
])
def test_the_address_clients_write(host, port, expected):
    assert ADDRESS(host, port) == expected


@pytest.mark.parametrize(('host', 'port', 'message'), [('', 5000, 'no host'), ('h', 'x', 'not a port')])
def test_an_address_without_host_or_port_is_refused(host, port, message):
    with pytest.raises(AnsibleFilterError, match=message):
        ADDRESS(host, port)


@pytest.mark.parametrize(('image', 'expected'), [
    ('registry', 'registry:latest'),
    ('registry:2', 'registry:2'),
    ('anchorage/base:bookworm', 'anchorage/base:bookworm'),
    ('host:5000/team/app', 'host:5000/team/app:latest'),
    ('host:5000/team/app:1.2', 'host:5000/team/app:1.2'),
    ('app@sha256:' + 'b' * 64, 'app@sha256:' + 'b' * 64),
])
def test_image_references_get_latest_where_they_have_no_tag(image, expected):
    assert IMAGE_REF(image) == expected
    assert IMAGE_REF([image, 'x']) == [expected, 'x:latest']


def test_image_ref_refuses_what_is_no_reference():
    with pytest.raises(AnsibleFilterError, match='image reference'):
        IMAGE_REF({'name': 'x'})
