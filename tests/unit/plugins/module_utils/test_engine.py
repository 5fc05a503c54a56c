# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

import pytest

from ansible_collections.anchorage.swarm.plugins.module_utils._engine import (
    apply_action,
    changed_keys,
    dockerd_flags,
    engine_release,
    flag_conflicts,
    flag_key,
    match_versions,
    parse_madison,
    render,
    supports_validate,
    table_validation,
    tcp_hosts,
    tls_problems,
    validate_config,
    validate_error_message,
    version_regex,
)

PACKAGED_FLAGS = ['-H fd://', '--containerd=/run/containerd/containerd.sock']


@pytest.mark.parametrize('flag, key', [
    ('-H fd://', 'hosts'),
    ('--host=tcp://0.0.0.0:2376', 'hosts'),
    ('--containerd=/run/containerd/containerd.sock', 'containerd'),
    ('--log-level=debug', 'log-level'),
    ('-D', 'debug'),
    ('--insecure-registry=r:5000', 'insecure-registries'),
    ('--tlsverify', 'tlsverify'),
    ('fd://', None),
])
def test_flag_key(flag, key):
    assert flag_key(flag) == key


def test_dockerd_flags_drops_what_daemon_json_sets():
    assert dockerd_flags({'hosts': ['unix:///var/run/docker.sock']}, PACKAGED_FLAGS) == PACKAGED_FLAGS[1:]
    assert dockerd_flags({'containerd': '/x.sock'}, PACKAGED_FLAGS) == PACKAGED_FLAGS[:1]
    assert dockerd_flags({'debug': True}, PACKAGED_FLAGS) == PACKAGED_FLAGS
    assert dockerd_flags({}, []) == []


def test_flag_conflicts_lists_each_duplicate_once():
    assert flag_conflicts({'hosts': [], 'debug': True}, PACKAGED_FLAGS + ['-H unix://']) == ['hosts']
    assert flag_conflicts({'debug': True}, PACKAGED_FLAGS) == []


def test_changed_keys_sees_added_removed_and_changed():
    before = {'debug': False, 'labels': ['a'], 'mtu': 1500}
    after = {'debug': True, 'labels': ['a'], 'log-level': 'warn'}
    assert changed_keys(before, after) == ['debug', 'log-level', 'mtu']
    assert changed_keys(after, after) == []
    assert changed_keys(None, {'debug': True}) == ['debug']


@pytest.mark.parametrize('before, after, action', [
    ({'debug': True}, {'debug': True}, 'none'),
    ({}, {'debug': True, 'labels': ['a'], 'insecure-registries': ['r:5000']}, 'reload'),
    ({'debug': False}, {'debug': True}, 'reload'),
    ({}, {'debug': True, 'storage-driver': 'overlay2'}, 'restart'),
    ({}, {'hosts': ['fd://']}, 'restart'),
    # A reload applies only keys present in the file: a removed one stays in force.
    ({'debug': True, 'labels': ['a']}, {'debug': True}, 'restart'),
    (None, {'live-restore': True}, 'reload'),
])
def test_apply_action(before, after, action):
    assert apply_action(before, after) == action


def test_validate_config_accepts_a_typical_file():
    assert validate_config({
        'log-driver': 'json-file', 'log-opts': {'max-size': '10m'}, 'live-restore': True,
        'max-concurrent-downloads': 6, 'default-address-pools': [{'base': '10.10.0.0/16', 'size': 24}],
        'log-level': 'warn',
    }) == []


def test_validate_config_names_the_key_and_the_fix():
    problems = validate_config({'live-restor': True, 'max-concurrent-downloads': 'three', 'debug': 1,
                                'log-level': 'loud'})
    assert problems == [
        "key 'debug' must be a boolean, got 1",
        "unknown key 'live-restor' (did you mean 'live-restore'?): dockerd refuses keys it does not know "
        "(\"the following directives don't match any configuration option\")",
        "key 'log-level' must be one of debug, info, warn, error, fatal, got \"loud\"",
        "key 'max-concurrent-downloads' must be an integer, got \"three\"",
    ]


def test_validate_config_rejects_booleans_as_integers_and_non_mappings():
    assert validate_config({'mtu': True}) == ["key 'mtu' must be an integer, got true"]
    assert validate_config(['debug']) == ['daemon.json must be a mapping of option names to values, got list']


def test_validate_config_for_a_newer_engine_checks_known_values_only():
    config = {'some-key-of-engine-27': True, 'debug': 'yes', 'live-restore': True}
    assert validate_config(config, known_keys_only=False) == ["key 'debug' must be a boolean, got \"yes\""]


@pytest.mark.parametrize('version, release, mode', [
    ('20.10.24+dfsg1-1+deb12u1', (20, 10), 'all'),
    ('5:27.3.1-1~debian.12~bookworm', (27, 3), 'values'),
    ('26.1.5+dfsg1-9', (26, 1), 'values'),
    ('23.0.0', (23, 0), 'values'),
    ('22.06.0-beta', (22, 6), 'all'),
    ('', None, 'values'),
    ('latest', None, 'values'),
])
def test_engine_release_and_table_validation(version, release, mode):
    assert engine_release(version) == release
    assert table_validation(version) == mode


def test_supports_validate():
    assert supports_validate('      --userns-remap string   ...\n      --validate   Validate daemon configuration and exit\n')
    assert not supports_validate('      --userland-proxy   Use userland proxy (default true)\n')


def test_validate_error_message_hides_the_temporary_path():
    out = ('unable to configure the Docker daemon with file /tmp/x/daemon.1.json: '
           'the following directives don\'t match any configuration option: no-such-key\n')
    assert validate_error_message(out, '/tmp/x/daemon.1.json') == (
        "the following directives don't match any configuration option: no-such-key")
    assert validate_error_message('', '/tmp/y') == 'dockerd rejected the configuration'


def test_render_is_stable():
    assert render({'b': 1, 'a': {'d': 2, 'c': 3}}) == render({'a': {'c': 3, 'd': 2}, 'b': 1})
    assert json.loads(render({'a': 1})) == {'a': 1}


MADISON = """\
 docker.io | 20.10.24+dfsg1-1+deb12u1 | http://deb.debian.org/debian bookworm/main amd64 Packages
 docker.io | 20.10.24+dfsg1-1+b3 | http://deb.debian.org/debian bookworm/main amd64 Packages
 docker.io | 20.10.24+dfsg1-1+deb12u1 | http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
"""


def test_parse_madison_keeps_order_and_drops_duplicates():
    assert parse_madison(MADISON) == ['20.10.24+dfsg1-1+deb12u1', '20.10.24+dfsg1-1+b3']
    assert parse_madison('') == []


@pytest.mark.parametrize('requested, expected', [
    ('', ['20.10.24+dfsg1-1+deb12u1', '20.10.24+dfsg1-1+b3']),
    ('latest', ['20.10.24+dfsg1-1+deb12u1', '20.10.24+dfsg1-1+b3']),
    ('20.10.24+dfsg1-1+b3', ['20.10.24+dfsg1-1+b3']),
    ('20.10.*', ['20.10.24+dfsg1-1+deb12u1', '20.10.24+dfsg1-1+b3']),
    ('20.10.24', ['20.10.24+dfsg1-1+deb12u1', '20.10.24+dfsg1-1+b3']),
    ('20.10.2', []),
    ('26.1.*', []),
])
def test_match_versions(requested, expected):
    assert match_versions(requested, parse_madison(MADISON)) == expected


DOCKER_CE = ['5:27.3.1-1~debian.12~bookworm', '5:27.3.0-1~debian.12~bookworm', '5:26.1.4-1~debian.12~bookworm']


@pytest.mark.parametrize('requested, expected', [
    ('27.3.1', DOCKER_CE[:1]),
    ('5:27.3.1-1~debian.12~bookworm', DOCKER_CE[:1]),
    ('27.3.*', DOCKER_CE[:2]),
    ('2?.*', DOCKER_CE),
    ('27.3', []),
])
def test_match_versions_with_epoch_and_revision(requested, expected):
    assert match_versions(requested, DOCKER_CE) == expected


def test_version_regex_is_anchored_and_escapes_dots():
    regex = version_regex('26.1.*')
    assert regex.startswith('^') and regex.endswith('$')
    assert re.match(regex, '26.1.5+dfsg1-9')
    assert not re.match(regex, '2601.5')
    assert not re.match(regex, '126.1.5')


CERTS = ["--tlscacert=/c/ca.pem", "--tlscert=/c/cert.pem", "--tlskey=/c/key.pem"]
CERT_KEYS = {"tlscacert": "/c/ca.pem", "tlscert": "/c/cert.pem", "tlskey": "/c/key.pem"}


@pytest.mark.parametrize(
    ("config", "flags", "tls", "expected"),
    [
        # The packaged unit's flags and nothing else: no TCP listener at all.
        ({}, ["-H fd://", "--containerd=/run/containerd/containerd.sock"], False, []),
        ({}, ["-H", "fd://", "-H", "unix:///var/run/docker.sock"], False, []),
        ({"hosts": ["unix:///var/run/docker.sock", "fd://"]}, [], False, []),
        # The classic plain port, in each way it can be given.
        ({}, ["-H fd://", "-H tcp://0.0.0.0:2375"], False, ["tcp://0.0.0.0:2375"]),
        ({}, ["-H", "tcp://0.0.0.0:2375"], False, ["tcp://0.0.0.0:2375"]),
        ({}, ["-H=tcp://0.0.0.0:2375"], False, ["tcp://0.0.0.0:2375"]),
        ({}, ["-Htcp://10.0.0.1:2375"], False, ["tcp://10.0.0.1:2375"]),
        ({}, ["--host", "tcp://0.0.0.0:2375"], False, ["tcp://0.0.0.0:2375"]),
        ({}, ["--host=tcp://:2375"], False, ["tcp://:2375"]),
        ({}, ["--host tcp://:2376"], False, ["tcp://:2376"]),
        ({}, ["-H fd:// -H tcp://0.0.0.0:2375"], False, ["tcp://0.0.0.0:2375"]),
        ({}, ["-H TCP://0.0.0.0:2375"], False, ["TCP://0.0.0.0:2375"]),
        # No port means 2375; no scheme means tcp:// (dockerd's ParseDaemonHost).
        ({}, ["-H tcp://"], False, ["tcp://:2375"]),
        ({}, ["-H tcp://0.0.0.0"], False, ["tcp://0.0.0.0:2375"]),
        ({}, ["-H 0.0.0.0:2376"], False, ["0.0.0.0:2376"]),
        ({}, ["-H", ":2375"], False, [":2375"]),
        # IPv6, with and without a port.
        ({}, ["-H tcp://[::]:2375"], False, ["tcp://[::]:2375"]),
        ({}, ["-H tcp://[::]"], False, ["tcp://[::]:2375"]),
        ({}, ["-H tcp://[::1]:2376"], False, ["tcp://[::1]:2376"]),
        ({"hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2375"]}, [], False, ["tcp://0.0.0.0:2375"]),
        ({"hosts": ["tcp://"]}, [], False, ["tcp://:2375"]),
        ({"hosts": "tcp://0.0.0.0:2376"}, [], False, ["tcp://0.0.0.0:2376"]),
        # TLS verification on, with the three files, by flag or by daemon.json: allowed.
        ({}, ["-H fd://", "-H tcp://0.0.0.0:2376", "--tlsverify"] + CERTS, False, []),
        ({}, ["-H", "tcp://[::]:2376", "--tlsverify=true"] + CERTS, False, []),
        ({"hosts": ["tcp://0.0.0.0:2376"], "tlsverify": True}, CERTS, False, []),
        (dict(CERT_KEYS, hosts=["tcp://0.0.0.0:2376"], tlsverify=True), [], False, []),
        # tlsverify switched off, or without its files: refused.
        ({}, ["-H tcp://0.0.0.0:2376", "--tlsverify=false"] + CERTS, False, ["tcp://0.0.0.0:2376"]),
        ({}, ["-H tcp://0.0.0.0:2376", "--tlsverify=0"] + CERTS, False, ["tcp://0.0.0.0:2376"]),
        (dict(CERT_KEYS, hosts=["tcp://0.0.0.0:2376"], tlsverify=False), [], False, ["tcp://0.0.0.0:2376"]),
        (dict(CERT_KEYS, hosts=["tcp://0.0.0.0:2376"]), ["--tlsverify=false"], False, ["tcp://0.0.0.0:2376"]),
        ({}, ["-H tcp://0.0.0.0:2376", "--tlsverify"], False, ["tcp://0.0.0.0:2376"]),
        ({}, ["-H tcp://0.0.0.0:2376", "--tlsverify", "--tlscacert=/c/ca.pem"], False, ["tcp://0.0.0.0:2376"]),
        # --tlsverify would cover 2375 too, but clients speak plain HTTP there: never opened.
        ({}, ["-H fd://", "-H tcp://0.0.0.0:2375", "-H tcp://0.0.0.0:2376", "--tlsverify"] + CERTS, True,
         ["tcp://0.0.0.0:2375"]),
        # tls without verify is still open to anyone: refused.
        ({"hosts": ["tcp://0.0.0.0:2376"], "tls": True}, [], False, ["tcp://0.0.0.0:2376"]),
        (dict(CERT_KEYS, hosts=["tcp://0.0.0.0:2376"], tls=True), [], False, ["tcp://0.0.0.0:2376"]),
    ],
)
def test_tls_problems_refuse_every_tcp_listener_without_verify(config, flags, tls, expected):
    # A --tlsverify=false flag is a problem of its own (test_tls_problems_refuse_tlsverify_false_flag).
    problems = [p for p in tls_problems(config, flags, tls) if not p.startswith("'--tlsverify=")]
    assert len(problems) == len(expected)
    for problem, host in zip(problems, expected):
        plain = host.endswith(":2375")
        reason = " would open port 2375" if plain else " would serve the Engine API without TLS"
        assert problem.startswith(host.replace("tcp://:2375", "tcp://").replace(":2375", "") + reason) or \
            problem.startswith(host + reason)
        assert "engine_tls: true" in problem


@pytest.mark.parametrize(("flags", "refused"), [
    (["--tlsverify=false"], "--tlsverify=false"),
    (["--tlsverify=0"], "--tlsverify=0"),
    (["--tlsverify=FALSE", "-H fd://"], "--tlsverify=FALSE"),
    (["-H tcp://0.0.0.0:2376", "--tlsverify=f"] + CERTS, "--tlsverify=f"),
    (["--tlsverify=true"], None),
    (["--tlsverify"], None),
    (["-H fd://"], None),
])
def test_tls_problems_refuse_tlsverify_false_flag(flags, refused):
    # dockerd turns TLS on for any --tlsverify, whatever its value (setDefaultOptions), and then skips client checks.
    problems = [p for p in tls_problems({}, flags, False) if p.startswith("'--tlsverify=")]
    if refused is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problems[0].startswith("'%s' in engine_dockerd_flags: " % refused)
        assert "whatever its value" in problems[0] and "engine_tls: true" in problems[0]


@pytest.mark.parametrize(("config", "flags", "named"), [
    ({}, ["-H", "tcp://0.0.0.0:2375"], "remove '-H tcp://0.0.0.0:2375' from engine_dockerd_flags"),
    ({}, ["--host=tcp://:2375"], "remove '--host=tcp://:2375' from engine_dockerd_flags"),
    ({}, ["-H tcp://0.0.0.0:2376"], "(given as '-H tcp://0.0.0.0:2376' in engine_dockerd_flags)"),
    ({"hosts": ["tcp://0.0.0.0:2375"]}, [], "remove it from daemon.json hosts"),
])
def test_tls_problems_name_where_the_listener_is_given(config, flags, named):
    problems = tls_problems(config, flags, False)
    assert len(problems) == 1 and named in problems[0]


@pytest.mark.parametrize("key", ["hosts", "tls", "tlsverify", "tlscacert", "tlscert", "tlskey"])
def test_tls_problems_with_engine_tls_name_each_daemon_json_key(key):
    flags = ["-H fd://", "-H tcp://0.0.0.0:2376", "--tlsverify"] + CERTS
    problems = tls_problems({key: ["unix:///var/run/docker.sock"] if key == "hosts" else True}, flags, True)
    assert problems == [p for p in problems if "'%s'" % key in p] and len(problems) == 1
    assert "remove '%s' from daemon.json" % key in problems[0]


def test_tls_problems_without_engine_tls_leave_daemon_json_tls_alone():
    assert tls_problems({"hosts": ["unix:///var/run/docker.sock"]}, ["--tlsverify"], False) == []


@pytest.mark.parametrize("flags", [["--tlsverify", "false"], ["--tlsverify false"]])
def test_tls_problems_a_word_after_a_boolean_flag_is_a_stray_argument(flags):
    # pflag reads '--tlsverify false' as --tlsverify=true plus the argument 'false', which dockerd refuses.
    problems = tls_problems({}, ["-H tcp://0.0.0.0:2376"] + flags + CERTS, False)
    assert len(problems) == 1 and "--tlsverify=false" in problems[0] and "stray argument" in problems[0]


@pytest.mark.parametrize("host", ["ssh://user@node", "http://0.0.0.0:2375"])
def test_tls_problems_refuse_addresses_dockerd_cannot_listen_on(host):
    problems = tls_problems({}, ["-H", host], False)
    assert len(problems) == 1 and problems[0].startswith(host + " is not an address dockerd can listen on")
    assert "remove it from engine_dockerd_flags" in problems[0]


def test_tls_problems_message_says_where_and_how_for_the_module():
    problems = tls_problems({"hosts": ["tcp://0.0.0.0:2376"]}, [], False, where="config's hosts / flags",
                            how="set tlsverify")
    assert problems and "config's hosts / flags" not in problems[0] and problems[0].endswith("set tlsverify")


def test_tcp_hosts_reads_config_and_every_flag_form():
    assert tcp_hosts({"hosts": ["fd://", "tcp://a:1"]}, ["-H tcp://b:2", "--host=tcp://c:3", "-Hunix:///x"]) == [
        "tcp://a:1", "tcp://b:2", "tcp://c:3"]
