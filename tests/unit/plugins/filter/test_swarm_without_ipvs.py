"""swarm_without_ipvs: which hosts cannot serve the ingress routing mesh, from swarm_preflight results."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.anchorage.swarm.plugins.filter.swarm import FilterModule

WITHOUT_IPVS = FilterModule().filters()['swarm_without_ipvs']


def _result(proc, module):
    return {'node': {'ipvs': {'proc': proc, 'module': module}}}


def test_loaded_or_loadable_ipvs_is_enough():
    assert WITHOUT_IPVS({'a': _result(True, False), 'b': _result(False, True)}) == []


def test_hosts_without_ipvs_are_listed_sorted():
    results = {'w2': _result(False, False), 'm1': _result(True, True), 'w1': _result(False, False)}
    assert WITHOUT_IPVS(results) == ['w1', 'w2']


@pytest.mark.parametrize('result', [{'skipped': True}, {'failed': True, 'msg': 'x'}, None, {}])
def test_a_host_without_a_result_counts_as_lacking_ipvs(result):
    assert WITHOUT_IPVS({'m1': _result(True, True), 'w1': result}) == ['w1']


def test_not_a_mapping_is_refused():
    with pytest.raises(AnsibleFilterError, match='mapping of host'):
        WITHOUT_IPVS([_result(True, True)])


def test_hosts_with_hostvars_take_the_first_variable_holding_a_result():
    hostvars = {'m1': {'swarm_preflight_result': _result(True, False), 'own': _result(False, False)},
                'w1': {'swarm_preflight_result': {'skipped': True}, 'own': _result(False, False)},
                'w2': {'own': _result(False, True)},
                'w3': {}}
    assert WITHOUT_IPVS(['m1', 'w1', 'w2', 'w3'], hostvars, ['swarm_preflight_result', 'own']) == ['w1', 'w3']
