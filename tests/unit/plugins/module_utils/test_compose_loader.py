# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The compose loader, class by class of what issue 13 found the old loader getting wrong. Every expected value was
seen in `docker stack config` of docker CLI 28.2.2 (the corpus in tests/compose_corpus holds the full cases)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.anchorage.swarm.plugins.module_utils import _compose_loader as L
from ansible_collections.anchorage.swarm.plugins.module_utils._compose_loader import ComposeError
from ansible_collections.anchorage.swarm.plugins.module_utils._compose_yaml import parse_yaml


def load(*texts, **kwargs):
    files = {}
    for name, text in kwargs.pop('files', {}).items():
        files['/srv/app/' + name] = text.encode('utf-8')

    def read_file(path):
        if path not in files:
            raise IOError(2, 'No such file or directory', path)
        return files[path]
    parsed = [('f%d.yml' % i, parse_yaml(t.encode('utf-8'), 'f%d.yml' % i)) for i, t in enumerate(texts)]
    config, _warnings = L.load(parsed, kwargs.pop('variables', {}), working_dir='/srv/app', read_file=read_file,
                               home='/home/u')
    return config


def web(*texts, **kwargs):
    return load(*texts, **kwargs)['services']['web']


BASE = 'services:\n  web:\n    image: nginx\n'


# Merging several files ------------------------------------------------------------------------------------------

@pytest.mark.parametrize('key, base, override, expected', [
    ('cap_add', '[NET_ADMIN]', '[SYS_TIME]', ['NET_ADMIN', 'SYS_TIME']),
    ('dns', '1.1.1.1', '[8.8.8.8]', ['1.1.1.1', '8.8.8.8']),
    ('dns_search', '[a.example]', '[b.example]', ['a.example', 'b.example']),
    ('extra_hosts', '["a:10.0.0.1"]', '{b: 10.0.0.2}', ['a:10.0.0.1', 'b:10.0.0.2']),
])
def test_lists_are_appended(key, base, override, expected):
    assert web(BASE + '    %s: %s\n' % (key, base), 'services:\n  web:\n    %s: %s\n' % (key, override))[key] == expected


def test_placement_constraints_and_preferences_are_appended():
    base = BASE + '    deploy:\n      placement:\n        constraints: [node.role==manager]\n        preferences: [{spread: a}]\n'
    over = 'services:\n  web:\n    deploy:\n      placement:\n        constraints: [node.labels.x==1]\n        preferences: [{spread: b}]\n'
    placement = web(base, over)['deploy']['placement']
    assert placement == {'constraints': ['node.role==manager', 'node.labels.x==1'], 'preferences': [{'spread': 'a'}, {'spread': 'b'}]}


def test_mappings_merge_by_key_in_list_or_mapping_form():
    base = BASE + '    environment: [A=1, B=2]\n    labels: {a: "1"}\n    deploy:\n      labels: [x=1]\n'
    over = 'services:\n  web:\n    environment: {B: "3", C: "4"}\n    labels: [b=2]\n    deploy:\n      labels: {y: "2"}\n'
    svc = web(base, over)
    assert svc['environment'] == {'A': '1', 'B': '3', 'C': '4'}
    assert svc['labels'] == {'a': '1', 'b': '2'}
    assert svc['deploy']['labels'] == {'x': '1', 'y': '2'}


def test_ports_merge_by_published_port():
    base = BASE + '    ports: ["80:80"]\n'
    over = 'services:\n  web:\n    ports:\n      - {target: 8080, published: 80, mode: host}\n      - "53:53/udp"\n'
    assert web(base, over)['ports'] == [
        {'mode': 'ingress', 'target': 53, 'published': 53, 'protocol': 'udp'},
        {'target': 8080, 'published': 80, 'mode': 'host'},
    ]


def test_unpublished_ports_of_a_merged_service_collapse_as_in_the_cli():
    assert web(BASE + '    ports: ["80", "443"]\n', 'services:\n  web:\n    image: nginx:2\n')['ports'] == [
        {'mode': 'ingress', 'target': 443, 'protocol': 'tcp'}]


def test_logging_driver_change_drops_the_old_options():
    base = BASE + '    logging:\n      driver: json-file\n      options: {max-size: 10m}\n'
    assert web(base, 'services:\n  web:\n    logging:\n      driver: syslog\n')['logging'] == {'driver': 'syslog'}
    same = 'services:\n  web:\n    logging:\n      options: {max-file: "3"}\n'
    assert web(base, same)['logging'] == {'driver': 'json-file', 'options': {'max-size': '10m', 'max-file': '3'}}


def test_env_file_is_folded_into_each_files_environment_before_the_merge():
    base = BASE + '    env_file: base.env\n    environment: {A: from-base}\n'
    over = 'services:\n  web:\n    env_file: over.env\n'
    svc = web(base, over, files={'base.env': 'A=from-base-file\nB=1\n', 'over.env': 'A=from-override-file\n'})
    assert svc['environment'] == {'A': 'from-override-file', 'B': '1'}
    assert svc['env_file'] == ['base.env', 'over.env']


@pytest.mark.parametrize('line, kept', [
    ('read_only: false', {'read_only': True}),
    ('image: ""', {'image': 'nginx'}),
    ('command: []', {'command': ['run']}),
    ('user: ""', {'user': 'app'}),
])
def test_a_zero_override_keeps_the_base_value(line, kept):
    base = BASE + '    read_only: true\n    command: run\n    user: app\n'
    svc = web(base, 'services:\n  web:\n    %s\n' % line)
    for key, value in kept.items():
        assert svc[key] == value


def test_replicas_zero_overrides_because_it_is_a_pointer():
    base = BASE + '    deploy:\n      replicas: 3\n'
    assert web(base, 'services:\n  web:\n    deploy:\n      replicas: 0\n')['deploy']['replicas'] == 0


def test_healthcheck_tests_are_appended_as_mergo_appends_slices():
    base = BASE + '    healthcheck:\n      test: [CMD, a]\n      interval: 90s\n'
    check = web(base, 'services:\n  web:\n    healthcheck:\n      test: [CMD, b]\n')['healthcheck']
    assert check == {'test': ['CMD', 'a', 'CMD', 'b'], 'interval': '1m30s'}


def test_top_level_objects_of_an_override_replace_the_base_ones():
    base = BASE + 'networks:\n  front: {driver: overlay, labels: {a: "1"}}\n'
    over = 'services: {}\nnetworks:\n  front: {attachable: true}\n'
    assert load(base, over)['networks'] == {'front': {'attachable': True}}


# YAML (1.2 rules as yaml.v3 reads them) ---------------------------------------------------------------------------

def test_unquoted_colon_numbers_are_strings_not_base_60():
    svc = web(BASE + '    ports: [22:22]\n    labels: {t: 12:30}\n')
    assert svc['ports'] == [{'mode': 'ingress', 'target': 22, 'published': 22, 'protocol': 'tcp'}]
    assert svc['labels'] == {'t': '12:30'}


def test_yes_no_on_off_are_strings_and_octal_is_a_number():
    svc = web(BASE + '    environment: {A: yes, B: off, C: 0o400, D: 1e3, E: 3.0}\n')
    assert svc['environment'] == {'A': 'yes', 'B': 'off', 'C': '256', 'D': '1000', 'E': '3'}


def test_duplicate_keys_are_an_error():
    with pytest.raises(Exception, match='already defined'):
        web(BASE + '    image: redis\n')


# Interpolation -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('template, variables, expected', [
    ('$TAG-alpine', {'TAG': '1.25'}, '1.25'),          # unbraced: "-alpine" is TAG's default, not text
    ('$TAG-alpine', {}, 'alpine'),
    ('${A:-$B}', {}, '$B'),                             # a default is not interpolated again
    ('${A:?must-be-set}', {}, 'be-set'),                # the "-" makes it a hard default of "A:?must"
    ('${A:?must be set}', {'A': 'x'}, 'x'),
    ('$$A', {}, '$A'),
])
def test_interpolation_follows_the_cli_template(template, variables, expected):
    assert L.interpolate_string(template, variables, 'x') == expected


def test_required_variable_message():
    with pytest.raises(ComposeError, match='required variable A is missing a value: must be set'):
        L.interpolate_string('${A:?must be set}', {}, 'x')


@pytest.mark.parametrize('value, expected', [('3', 3), ('-1', None), (' 3', None), ('3.0', None), ('1e3', None)])
def test_replicas_cast_as_strconv_atoi(value, expected):
    text = BASE + '    deploy:\n      replicas: ${R}\n'
    if expected is None:
        with pytest.raises(ComposeError):
            web(text, variables={'R': value})
    else:
        assert web(text, variables={'R': value})['deploy']['replicas'] == expected


def test_numbers_print_as_go_prints_them_after_interpolation():
    assert web(BASE + '    environment: {A: 1.0, B: 1e21}\n')['environment'] == {'A': '1', 'B': '1e+21'}


# Validation and messages -----------------------------------------------------------------------------------------

def test_keys_newer_than_the_declared_version_are_refused():
    with pytest.raises(ComposeError, match='start_period'):
        web('version: "3.3"\n' + BASE + '    healthcheck:\n      start_period: 10s\n')


def test_four_part_port_strings_are_refused():
    with pytest.raises(ComposeError):
        web(BASE + '    ports: ["1.2.3.4:80:80:80"]\n')


def test_an_unclosed_quote_in_a_command_is_a_message_not_a_traceback():
    with pytest.raises(ComposeError, match='closing quote'):
        web(BASE + '    command: sh -c "echo hi\n')


def test_an_env_file_that_is_not_utf8_is_a_message():
    with pytest.raises(ComposeError, match='UTF-8'):
        L.load([('f.yml', {'services': {'web': {'image': 'nginx', 'env_file': 'bad.env'}}})], {}, working_dir='/srv',
               read_file=lambda path: b'A=\xe9t\xe9\n')


def test_oom_score_adj_is_dropped_with_a_warning():
    config, warnings = L.load([('f.yml', {'services': {'web': {'image': 'nginx', 'oom_score_adj': 100}}})])
    assert 'oom_score_adj' not in config['services']['web']
    assert any('oom_score_adj' in w for w in warnings)


# Small parsers -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('text, words', [
    ('echo "a b" c', ['echo', 'a b', 'c']),
    ('echo # comment', ['echo']),
    ('a\\ b "x\\y"', ['a b', 'xy']),
    ("sh -c 'echo $$HOME'", ['sh', '-c', 'echo $$HOME']),
    ('""', ['']),
])
def test_shlex_as_google_shlex(text, words):
    assert L.shlex_split(text) == words


@pytest.mark.parametrize('text, printed', [('90s', '1m30s'), ('1h', '1h0m0s'), ('1.5s', '1.5s'), ('500ms', '500ms'),
                                           ('0', '0s'), ('1m0.5s', '1m0.5s'), ('10us', u'10\u00b5s')])
def test_durations_print_as_go_prints_them(text, printed):
    assert L.go_duration_string(L.parse_go_duration(text)) == printed


def test_env_files_parameter_reads_compose_style_env_files():
    files = {'/a.env': b'# comment\nTAG=1.2\nexport NAME="a b"\nQ=\'x # y\'\nC=v # trailing\n'}
    assert L.read_env_files(['/a.env'], files.__getitem__) == {'TAG': '1.2', 'NAME': 'a b', 'Q': 'x # y', 'C': 'v'}
