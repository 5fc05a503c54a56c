# -*- coding: utf-8 -*-
# Copyright: Anchorage developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Compose files read as the docker CLI 28.x reads them (gopkg.in/yaml.v3 v3.0.1 Unmarshal into `any`).

Every expected value here was observed with docker CLI 28.2.2 (`docker stack config -c file.yml`, which needs no
daemon), in one of three ways:
- "printed": the value put under `version:`, which the CLI prints with fmt's %v in its error
  "unsupported Compose file version: <value>" (what go_sprint must give, and the same fmt.Sprint the CLI uses for
  environment and label values);
- "written": the value put under an `x-` extension field, which `docker stack config` writes back with yaml.v3's
  encoder (quoted when a string would read back as something else; timestamps in RFC 3339);
- "refused": the CLI's error for the file (yaml: ..., top-level object must be a mapping, json: ...).
The tests must pass with any PyYAML from 3.13 to 6.x: the reader uses PyYAML for events only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import os
import time

import pytest

from ansible_collections.anchorage.swarm.plugins.module_utils import _compose_yaml as Y
from ansible_collections.anchorage.swarm.plugins.module_utils._compose_yaml import ComposeYAMLError, GoTime
from ansible_collections.anchorage.swarm.plugins.module_utils._compose_yaml import go_sprint, parse_yaml

KINDS = {'str': str, 'int': int, 'float': float, 'bool': bool, 'null': type(None), 'time': GoTime}


def load(text, name='compose.yml'):
    return parse_yaml(text.encode('utf-8') if isinstance(text, str) else text, name)


def value_of(text):
    """A scalar as the value of a top-level key, in block context."""
    return load(u'x: %s\n' % text)['x']


def refused(text, name='compose.yml'):
    with pytest.raises(ComposeYAMLError) as info:
        load(text, name)
    message = str(info.value)
    assert message.startswith(name)
    return message


# ---------------------------------------------------------------------------------------------------------------
# Plain and quoted scalars: (text, kind, printed, written), observed with docker CLI 28.2.2.

SCALARS = [
    # YAML 1.1 forms that yaml.v3 (YAML 1.2) reads as strings: base 60, yes/no/on/off/y/n.
    ('22:22', 'str', '22:22', '"22:22"'),
    ('1:2:3', 'str', '1:2:3', '"1:2:3"'),
    ('yes', 'str', 'yes', '"yes"'),
    ('no', 'str', 'no', '"no"'),
    ('on', 'str', 'on', '"on"'),
    ('off', 'str', 'off', '"off"'),
    ('y', 'str', 'y', '"y"'),
    ('n', 'str', 'n', '"n"'),
    ('Yes', 'str', 'Yes', '"Yes"'),
    ('ON', 'str', 'ON', '"ON"'),
    # Booleans: these six only.
    ('true', 'bool', 'true', 'true'),
    ('True', 'bool', 'true', 'true'),
    ('TRUE', 'bool', 'true', 'true'),
    ('false', 'bool', 'false', 'false'),
    ('False', 'bool', 'false', 'false'),
    ('FALSE', 'bool', 'false', 'false'),
    ('tRue', 'str', 'tRue', 'tRue'),
    # Null.
    ('null', 'null', '<nil>', 'null'),
    ('Null', 'null', '<nil>', 'null'),
    ('NULL', 'null', '<nil>', 'null'),
    ('~', 'null', '<nil>', 'null'),
    ('', 'null', '<nil>', 'null'),
    ('nUll', 'str', 'nUll', 'nUll'),
    # Ints: strconv.ParseInt(s without '_', 0, 64), then ParseUint, then floats.
    ('0o400', 'int', '256', '256'),
    ('0O400', 'int', '256', '256'),
    ('0777', 'int', '511', '511'),
    ('0x1F', 'int', '31', '31'),
    ('0X1F', 'int', '31', '31'),
    ('0b101', 'int', '5', '5'),
    ('0B101', 'int', '5', '5'),
    ('0b-101', 'int', '-5', '-5'),
    ('0o-17', 'int', '-15', '-15'),
    ('-0b101', 'int', '-5', '-5'),
    ('-0o17', 'int', '-15', '-15'),
    ('0', 'int', '0', '0'),
    ('-0', 'int', '0', '0'),
    ('+0', 'int', '0', '0'),
    ('00', 'int', '0', '0'),
    ('1_000', 'int', '1000', '1000'),
    ('1__0', 'int', '10', '10'),
    ('1_', 'int', '1', '1'),
    ('+_1', 'int', '1', '1'),
    ('0x_1F', 'int', '31', '31'),
    ('1000000', 'int', '1000000', '1000000'),
    ('9223372036854775807', 'int', '9223372036854775807', '9223372036854775807'),
    ('9223372036854775808', 'int', '9223372036854775808', '9223372036854775808'),
    ('18446744073709551615', 'int', '18446744073709551615', '18446744073709551615'),
    ('0xFFFFFFFFFFFFFFFF', 'int', '18446744073709551615', '18446744073709551615'),
    ('-9223372036854775808', 'int', '-9223372036854775808', '-9223372036854775808'),
    # Past uint64, or with a sign ParseUint refuses: a float if it looks like one, else a string.
    ('18446744073709551616', 'float', '1.8446744073709552e+19', '1.8446744073709552e+19'),
    ('-9223372036854775809', 'float', '-9.223372036854776e+18', '-9.223372036854776e+18'),
    ('+18446744073709551615', 'float', '1.8446744073709552e+19', '1.8446744073709552e+19'),
    ('0x10000000000000000', 'str', '0x10000000000000000', '0x10000000000000000'),
    # A leading 0 with 8 or 9 is no octal, but it is a float.
    ('08', 'float', '8', '8'),
    ('09', 'float', '9', '9'),
    ('089', 'float', '89', '89'),
    # Floats: yamlStyleFloat, printed with strconv 'g' shortest (%e from exponent 6 on, or below -4).
    ('-0.0', 'float', '-0', '-0'),
    ('0.0', 'float', '0', '0'),
    ('1e3', 'float', '1000', '1000'),
    ('1E3', 'float', '1000', '1000'),
    ('1.', 'float', '1', '1'),
    ('+.5', 'float', '0.5', '0.5'),
    ('-.5e-3', 'float', '-0.0005', '-0.0005'),
    ('.5', 'float', '0.5', '0.5'),
    ('.5_5', 'float', '0.55', '0.55'),
    ('.5e1_0', 'float', '5e+09', '5e+09'),
    ('._5', 'str', '._5', '._5'),
    ('1_000.5', 'float', '1000.5', '1000.5'),
    ('1e-400', 'float', '0', '0'),
    ('1e400', 'str', '1e400', '1e400'),
    ('.1e400', 'str', '.1e400', '.1e400'),
    ('0x1p4', 'str', '0x1p4', '0x1p4'),
    ('1000000.0', 'float', '1e+06', '1e+06'),
    ('123456.0', 'float', '123456', '123456'),
    ('0.0001', 'float', '0.0001', '0.0001'),
    ('0.00001', 'float', '1e-05', '1e-05'),
    ('100000000000000000000.0', 'float', '1e+20', '1e+20'),
    ('1e21', 'float', '1e+21', '1e+21'),
    ('2.5e-7', 'float', '2.5e-07', '2.5e-07'),
    ('5e-324', 'float', '5e-324', '5e-324'),
    ('0.1', 'float', '0.1', '0.1'),
    ('0.30000000000000004', 'float', '0.30000000000000004', '0.30000000000000004'),
    ('1.5', 'float', '1.5', '1.5'),
    ('3.0', 'float', '3', '3'),
    ('-.nan', 'str', '-.nan', '-.nan'),
    ('.Nan', 'str', '.Nan', '.Nan'),
    ('Inf', 'str', 'Inf', 'Inf'),
    ('NaN', 'str', 'NaN', 'NaN'),
    ('infinity', 'str', 'infinity', 'infinity'),
    # Timestamps: the layouts yaml.v3 hands time.Parse; a time.Time prints with String(), writes as RFC 3339.
    ('2001-12-14', 'time', '2001-12-14 00:00:00 +0000 UTC', '2001-12-14T00:00:00Z'),
    ('2001-1-2', 'time', '2001-01-02 00:00:00 +0000 UTC', '2001-01-02T00:00:00Z'),
    ('2001-12-14t21:59:43.10-05:00', 'time', '2001-12-14 21:59:43.1 -0500 -0500', '2001-12-14T21:59:43.1-05:00'),
    ('2001-12-14T21:59:43Z', 'time', '2001-12-14 21:59:43 +0000 UTC', '2001-12-14T21:59:43Z'),
    ('2001-12-14 21:59:43', 'time', '2001-12-14 21:59:43 +0000 UTC', '2001-12-14T21:59:43Z'),
    ('2001-12-14   21:59:43.5', 'time', '2001-12-14 21:59:43.5 +0000 UTC', '2001-12-14T21:59:43.5Z'),
    ('2001-12-14 1:2:3.5', 'time', '2001-12-14 01:02:03.5 +0000 UTC', '2001-12-14T01:02:03.5Z'),
    ('2001-12-14T21:59:43+00:00', 'time', '2001-12-14 21:59:43 +0000 UTC', '2001-12-14T21:59:43Z'),
    ('2001-12-14T21:59:43-00:00', 'time', '2001-12-14 21:59:43 +0000 UTC', '2001-12-14T21:59:43Z'),
    ('2001-12-14T21:59:43.123456789123Z', 'time', '2001-12-14 21:59:43.123456789 +0000 UTC',
     '2001-12-14T21:59:43.123456789Z'),
    ('2001-12-14T21:59:43,5Z', 'time', '2001-12-14 21:59:43.5 +0000 UTC', '2001-12-14T21:59:43.5Z'),
    ('2001-12-14 21:59:43,25', 'time', '2001-12-14 21:59:43.25 +0000 UTC', '2001-12-14T21:59:43.25Z'),
    ('2001-12-14T21:59:43.000Z', 'time', '2001-12-14 21:59:43 +0000 UTC', '2001-12-14T21:59:43Z'),
    ('2001-12-14T1:2:3Z', 'time', '2001-12-14 01:02:03 +0000 UTC', '2001-12-14T01:02:03Z'),
    ('2001-12-14T01:02:03+05:30', 'time', '2001-12-14 01:02:03 +0530 +0530', '2001-12-14T01:02:03+05:30'),
    ('2000-02-29', 'time', '2000-02-29 00:00:00 +0000 UTC', '2000-02-29T00:00:00Z'),
    ('0000-01-01', 'time', '0000-01-01 00:00:00 +0000 UTC', '0000-01-01T00:00:00Z'),
    ('9999-12-31', 'time', '9999-12-31 00:00:00 +0000 UTC', '9999-12-31T00:00:00Z'),
    # ... and what time.Parse refuses with these layouts stays a string.
    ('2001-12-14T21:59:43z', 'str', '2001-12-14T21:59:43z', '2001-12-14T21:59:43z'),
    ('2001-12-14T21:59:43', 'str', '2001-12-14T21:59:43', '2001-12-14T21:59:43'),
    ('2001-12-14 21:59:43.10 -5', 'str', '2001-12-14 21:59:43.10 -5', '2001-12-14 21:59:43.10 -5'),
    ('2001-12-14 21:59:43 +01:00', 'str', '2001-12-14 21:59:43 +01:00', '2001-12-14 21:59:43 +01:00'),
    ('2001-02-29', 'str', '2001-02-29', '2001-02-29'),
    ('1900-02-29', 'str', '1900-02-29', '1900-02-29'),
    ('2001-13-01', 'str', '2001-13-01', '2001-13-01'),
    ('2001-12-32', 'str', '2001-12-32', '2001-12-32'),
    ('2001-12-14T24:00:00Z', 'str', '2001-12-14T24:00:00Z', '2001-12-14T24:00:00Z'),
    ('2001-12-14T23:60:00Z', 'str', '2001-12-14T23:60:00Z', '2001-12-14T23:60:00Z'),
    ('2001-12-14T23:59:60Z', 'str', '2001-12-14T23:59:60Z', '2001-12-14T23:59:60Z'),
    ('2001-12-14T01:02:03+25:00', 'str', '2001-12-14T01:02:03+25:00', '2001-12-14T01:02:03+25:00'),
    ('2001-12-14T01:02:03+05:61', 'str', '2001-12-14T01:02:03+05:61', '2001-12-14T01:02:03+05:61'),
    ('2001-12-14T01:02:03+0500', 'str', '2001-12-14T01:02:03+0500', '2001-12-14T01:02:03+0500'),
    ('20011-12-14', 'str', '20011-12-14', '20011-12-14'),
    ('+2001-12-14', 'str', '+2001-12-14', '+2001-12-14'),
    ('2001-12-14T21:59:43.Z', 'str', '2001-12-14T21:59:43.Z', '2001-12-14T21:59:43.Z'),
    ('2001-12-14 21:59', 'str', '2001-12-14 21:59', '2001-12-14 21:59'),
    ('2001-12', 'str', '2001-12', '2001-12'),
    ('2001-12-14x', 'str', '2001-12-14x', '2001-12-14x'),
    # Strings.
    ('<<', 'str', '<<', '<<'),
    ('"<<"', 'str', '<<', '<<'),
    ('"123"', 'str', '123', '"123"'),
    ("'true'", 'str', 'true', '"true"'),
    ('"2001-12-14"', 'str', '2001-12-14', '"2001-12-14"'),
    ('"~"', 'str', '~', '"~"'),
    ("''", 'str', '', '""'),
    ('a b', 'str', 'a b', 'a b'),
    (u'\xe9', 'str', u'\xe9', u'\xe9'),
    ('"\\x41\\u00e9\\U0001F600"', 'str', u'A\xe9\U0001F600', '"A\xe9\\U0001F600"'),
    ('"\\t"', 'str', '\t', '"\\t"'),
    ("'it''s'", 'str', "it's", "it's"),
    ('http://x:80', 'str', 'http://x:80', 'http://x:80'),
    ('a:b', 'str', 'a:b', 'a:b'),
    ('a#b', 'str', 'a#b', 'a#b'),
    ('-a', 'str', '-a', '-a'),
]


def check_scalar(text, kind, printed, written, tag=None):
    value = value_of(text if tag is None else tag + ' ' + text)
    assert type(value) is KINDS[kind]  # pylint: disable=unidiomatic-typecheck
    assert go_sprint(value) == printed
    if kind == 'time':
        assert value.rfc3339() == written
        assert value.text == text.strip('"')
    elif kind == 'str' and not written.startswith(('"', '!!')):
        assert value == written


@pytest.mark.parametrize('text, kind, printed, written', SCALARS)
def test_scalar(text, kind, printed, written):
    check_scalar(text, kind, printed, written)


# Explicit tags: (text, kind, printed, written), observed with docker CLI 28.2.2.
TAGGED = [
    ('!!str 123', 'str', '123', '"123"'),
    ('!!str true', 'str', 'true', '"true"'),
    ('!!str', 'str', '', '""'),
    ('!!int "123"', 'int', '123', '123'),
    ('!!int 0x10', 'int', '16', '16'),
    ('!!float 3', 'float', '3', '3'),
    ('!!float "3"', 'float', '3', '3'),
    ('!!float 1e6', 'float', '1e+06', '1e+06'),
    ('!!float 0x10', 'float', '16', '16'),
    ('!!float -9223372036854775808', 'float', '-9.223372036854776e+18', '-9.223372036854776e+18'),
    ('!!float 99999999999999999999', 'float', '1e+20', '1e+20'),
    ('!!bool true', 'bool', 'true', 'true'),
    ('!!bool "false"', 'bool', 'false', 'false'),
    ('!!bool TRUE', 'bool', 'true', 'true'),
    ('!!null ""', 'null', '<nil>', 'null'),
    ('!!null ~', 'null', '<nil>', 'null'),
    ('!!null null', 'null', '<nil>', 'null'),
    ('!!timestamp 2001-12-14', 'time', '2001-12-14 00:00:00 +0000 UTC', '2001-12-14T00:00:00Z'),
    ('!!timestamp "2001-12-14"', 'time', '2001-12-14 00:00:00 +0000 UTC', '2001-12-14T00:00:00Z'),
    ('!!timestamp "2001-12-14 1:2:3"', 'time', '2001-12-14 01:02:03 +0000 UTC', '2001-12-14T01:02:03Z'),
    ('!!binary aGVsbG8=', 'str', 'hello', 'hello'),
    ('!!binary "aGVsbG8="', 'str', 'hello', 'hello'),
    # Bytes that are not UTF-8: the CLI keeps them, and JSON (the Engine API) gets U+FFFD for each.
    ('!!binary /w==', 'str', u'\ufffd', '!!binary /w=='),
    # Other tags leave the text a string; the non-specific tag '!' resolves a plain scalar as if untagged.
    ('!foo 12', 'str', '12', '"12"'),
    ('!foo true', 'str', 'true', '"true"'),
    ('!!map foo', 'str', 'foo', 'foo'),
    ('!!seq 12', 'str', '12', '"12"'),
    ('!!set 12', 'str', '12', '"12"'),
    ('!!merge 12', 'str', '12', '"12"'),
    ('! 12', 'int', '12', '12'),
    ('! true', 'bool', 'true', 'true'),
    ('! "12"', 'str', '12', '"12"'),
    ('!<!> 12', 'int', '12', '12'),
    ('!<tag:yaml.org,2002:int> 12', 'int', '12', '12'),
    ('!<tag:yaml.org,2002:str> 12', 'str', '12', '"12"'),
    ('!!%73tr 12', 'str', '12', '"12"'),
]


@pytest.mark.parametrize('text, kind, printed, written', TAGGED)
def test_tagged_scalar(text, kind, printed, written):
    tag, dummy, rest = text.partition(' ')
    check_scalar(rest, kind, printed, written, tag)


def test_tag_directive():
    # Observed with docker CLI 28.2.2: printed [12 12] for each.
    assert load('%TAG !foo! tag:yaml.org,2002:\n---\nx: [!foo!int 12, !foo!str 12]\n')['x'] == [12, '12']
    assert load('%TAG ! tag:yaml.org,2002:\n---\nx: [!int 12, !str 12]\n')['x'] == [12, '12']
    assert load('%TAG !! tag:example.com,2000:\n---\nx: [!!int 12]\n')['x'] == ['12']


def test_binary_block():
    # Observed with docker CLI 28.2.2: printed [hello] (base64 ignores the line breaks).
    assert load('x:\n  - !!binary |\n    aGVs\n    bG8=\n')['x'] == ['hello']


# Tags that do not fit the text: (text, the CLI's error), observed with docker CLI 28.2.2.
TAG_ERRORS = [
    ('!!int abc', 'yaml: cannot decode !!str `abc` as a !!int'),
    ('!!int 1.5', 'yaml: cannot decode !!float `1.5` as a !!int'),
    ('!!int 99999999999999999999', 'yaml: cannot decode !!float `99999999999999999999` as a !!int'),
    ('!!int 2001-12-14', 'yaml: cannot decode !!str `2001-12-14` as a !!int'),
    ('!!int', 'yaml: cannot decode !!null `` as a !!int'),
    ('!!float abc', 'yaml: cannot decode !!str `abc` as a !!float'),
    ('!!float 2001-12-14', 'yaml: cannot decode !!str `2001-12-14` as a !!float'),
    ('!!float ""', 'yaml: cannot decode !!null `` as a !!float'),
    # An int64 becomes a float64 under !!float, a uint64 does not.
    ('!!float 18446744073709551615', 'yaml: cannot decode !!int `18446744073709551615` as a !!float'),
    ('!!bool yes', 'yaml: cannot decode !!str `yes` as a !!bool'),
    ('!!bool', 'yaml: cannot decode !!null `` as a !!bool'),
    ('!!null foo', 'yaml: cannot decode !!str `foo` as a !!null'),
    ('!!timestamp foo', 'yaml: cannot decode !!str `foo` as a !!timestamp'),
    ('!!timestamp true', 'yaml: cannot decode !!bool `true` as a !!timestamp'),
    ('!!timestamp 12', 'yaml: cannot decode !!int `12` as a !!timestamp'),
    ('!!binary aGVsbG8', 'yaml: !!binary value contains invalid base64 data'),
    ('!!binary "aGk=aGk="', 'yaml: !!binary value contains invalid base64 data'),
    ('!!binary "aGVs bG8="', 'yaml: !!binary value contains invalid base64 data'),
]


@pytest.mark.parametrize('text, cli_error', TAG_ERRORS)
def test_tag_error(text, cli_error):
    message = refused(u'x: %s\n' % text)
    assert 'line 1' in message
    assert cli_error[len('yaml: '):] in message


# Values the CLI decodes but then refuses to marshal to JSON for its schema validation: (text, its error),
# observed with docker CLI 28.2.2 under an x- field; printed: what `version:` showed before that.
JSON_REFUSED = [
    ('.inf', 'json: unsupported value: +Inf', '+Inf'),
    ('.Inf', 'json: unsupported value: +Inf', '+Inf'),
    ('.INF', 'json: unsupported value: +Inf', '+Inf'),
    ('+.inf', 'json: unsupported value: +Inf', '+Inf'),
    ('-.inf', 'json: unsupported value: -Inf', '-Inf'),
    ('.nan', 'json: unsupported value: NaN', 'NaN'),
    ('.NaN', 'json: unsupported value: NaN', 'NaN'),
    ('.NAN', 'json: unsupported value: NaN', 'NaN'),
    ('!!float .inf', 'json: unsupported value: +Inf', '+Inf'),
    ('2001-12-14T01:02:03+24:00', 'Time.MarshalJSON: timezone hour outside of range [0,23]',
     '2001-12-14 01:02:03 +2400 +2400'),
    ('2001-12-14T01:02:03-24:00', 'Time.MarshalJSON: timezone hour outside of range [0,23]',
     '2001-12-14 01:02:03 -2400 -2400'),
    ('2001-12-14T01:02:03+23:60', 'Time.MarshalJSON: timezone hour outside of range [0,23]',
     '2001-12-14 01:02:03 +2400 +2400'),
    ('{1: x}', 'json: unsupported type: map[interface {}]interface {}', 'map[1:x]'),
    ('[{true: x}]', 'json: unsupported type: map[interface {}]interface {}', '[map[true:x]]'),
    ('{~: x}', 'json: unsupported type: map[interface {}]interface {}', 'map[<nil>:x]'),
    ('{2001-12-14: x}', 'json: unsupported type: map[interface {}]interface {}', None),
    ('{!!str 1: x, ! 2: y}', 'json: unsupported type: map[interface {}]interface {}', None),
    ('{!foo 1: x}', 'json: unsupported type: map[interface {}]interface {}', None),
    ('{!!binary aGk=: x}', 'json: unsupported type: map[interface {}]interface {}', None),
]


@pytest.mark.parametrize('text, cli_error, printed', JSON_REFUSED)
def test_json_refused(text, cli_error, printed):
    message = refused(u'services: {}\nx-a: %s\n' % text)
    assert 'line 2' in message
    assert cli_error in message
    if printed and not printed.startswith(('map', '[')):
        assert go_sprint(Y._resolve('', text.split()[-1])[1] if text.startswith('!!') else Y._resolve('', text)[1]) \
            == printed


def test_json_refusal_comes_after_yaml_errors():
    # Observed with docker CLI 28.2.2: a YAML error is reported first (ParseYAML fails before the schema).
    assert 'already defined' in refused('services: {}\nx-a: .inf\nx-a: 1\n')


# ---------------------------------------------------------------------------------------------------------------
# go_sprint: fmt.Sprint of decoded values; printed by docker CLI 28.2.2 for `version: <yaml>`.

SPRINT = [
    (['a', 'b'], '[a b]', '[a, b]'),
    ({'b': 2, 'a': 1}, 'map[a:1 b:2]', '{b: 2, a: 1}'),
    ([1, {'x': [True, None]}, 1e6], '[1 map[x:[true <nil>]] 1e+06]', '[1, {x: [true, ~]}, 1e6]'),
    ([[], {}, [[]], ''], '[[] map[] [[]] ]', '[[], {}, [[]], ""]'),
    (1.5, '1.5', '1.5'),
    (None, '<nil>', '~'),
    (float('inf'), '+Inf', '.inf'),
    (float('-inf'), '-Inf', '-.inf'),
    (float('nan'), 'NaN', '.nan'),
    (0.00001, '1e-05', '0.00001'),
    (1e21, '1e+21', '1e21'),
    (123456789.0, '1.23456789e+08', '123456789.0'),
    (1e100, '1e+100', '1e100'),
    (-1e-100, '-1e-100', '-1e-100'),
    (1.7976931348623157e308, '1.7976931348623157e+308', '1.7976931348623157e308'),
    (True, 'true', 'true'),
    (-5, '-5', '-5'),
    (u'caf\xe9', u'caf\xe9', u'caf\xe9'),
    ({'z': [], 'a': {'c': 1, 'b': None}, 'A': 'x'}, 'map[A:x a:map[b:<nil> c:1] z:[]]', '{z: [], a: {c: 1, b: ~}, A: x}'),
]


@pytest.mark.parametrize('value, printed, text', SPRINT)
def test_go_sprint(value, printed, text):
    assert go_sprint(value) == printed
    if not isinstance(value, float) or not (math.isinf(value) or math.isnan(value)):
        assert go_sprint(load(u'version: %s\n' % text)['version']) == printed


def test_go_sprint_time():
    # Observed with docker CLI 28.2.2: `version: 2001-12-14` printed "2001-12-14 00:00:00 +0000 UTC", and in a
    # list "[2001-12-14 00:00:00 +0000 UTC 1 << <<]" for [2001-12-14, 1.0, <<, "<<"].
    assert go_sprint(value_of('2001-12-14')) == '2001-12-14 00:00:00 +0000 UTC'
    assert go_sprint(value_of('[2001-12-14, 1.0, <<, "<<"]')) == '[2001-12-14 00:00:00 +0000 UTC 1 << <<]'


def test_go_sprint_refuses_other_types():
    with pytest.raises(TypeError):
        go_sprint(object())


# ---------------------------------------------------------------------------------------------------------------
# Mappings: merge keys, duplicates, anchors, keys that are not strings. (document, value of `version`, printed),
# observed with docker CLI 28.2.2.

MAPPINGS = [
    # Merge precedence: the mapping's own keys win wherever they stand; in a list, the first mapping wins.
    ('x-a: &a {k: a, a: 1}\nx-b: &b {k: b, b: 2}\nversion:\n  <<: [*a, *b]\n',
     {'k': 'a', 'a': 1, 'b': 2}, 'map[a:1 b:2 k:a]'),
    ('x-a: &a {k: a, a: 1}\nx-b: &b {k: b, b: 2}\nversion:\n  <<: [*b, *a]\n',
     {'k': 'b', 'b': 2, 'a': 1}, 'map[a:1 b:2 k:b]'),
    ('x-a: &a {k: a, a: 1}\nversion:\n  k: own\n  <<: *a\n', {'k': 'own', 'a': 1}, 'map[a:1 k:own]'),
    ('x-a: &a {k: a, a: 1}\nversion:\n  <<: *a\n  k: own\n', {'k': 'own', 'a': 1}, 'map[a:1 k:own]'),
    # Nested merges: depth first.
    ('x-a: &a {k: a, <<: {k: inner, i: 1}}\nversion:\n  <<: *a\n', {'k': 'a', 'i': 1}, 'map[i:1 k:a]'),
    ('x-a: &a {k: a, <<: [{k: i1, i: 1}, {i: 2, j: 2}]}\nx-b: &b {j: b, z: b}\nversion:\n  <<: [*a, *b]\n'
     '  z: own\n', {'z': 'own', 'k': 'a', 'i': 1, 'j': 2}, 'map[i:1 j:2 k:a z:own]'),
    # Values are not merged deeply: the own b replaces the merged one.
    ('version:\n  <<: {a: 1, b: {c: 2}}\n  b: {d: 3}\n', {'a': 1, 'b': {'d': 3}}, 'map[a:1 b:map[d:3]]'),
    ('version:\n  <<: []\n  a: 1\n', {'a': 1}, 'map[a:1]'),
    ('version:\n  <<: !!null {a: 1}\n', {'a': 1}, 'map[a:1]'),
    # Which keys merge: << plain, !!merge or !; a quoted "<<" or !!str << is an ordinary key.
    ('version:\n  !!merge <<: {a: 1}\n', {'a': 1}, 'map[a:1]'),
    ('version:\n  ! <<: {a: 1}\n', {'a': 1}, 'map[a:1]'),
    ('version:\n  "<<": {a: 1}\n', {'<<': {'a': 1}}, 'map[<<:map[a:1]]'),
    ('version:\n  !!str <<: {a: 1}\n', {'<<': {'a': 1}}, 'map[<<:map[a:1]]'),
    ('version: {a: <<, b: [<<]}\n', {'a': '<<', 'b': ['<<']}, 'map[a:<< b:[<<]]'),
    # Keys are compared by kind and text: an anchored key and its alias are no duplicate, the later value wins.
    ('version:\n  &x a: 1\n  *x : 2\n', {'a': 2}, 'map[a:2]'),
    ('x-a: &k "1"\nversion: {*k : x}\n', {'1': 'x'}, 'map[1:x]'),
    # Only string keys make a map[string]any; these all are strings.
    ('version: {yes: x, on: y, No: z, !!merge foo: m, ! bar: b, "": e}\n',
     {'yes': 'x', 'on': 'y', 'No': 'z', 'foo': 'm', 'bar': 'b', '': 'e'}, 'map[:e No:z bar:b foo:m on:y yes:x]'),
    # Keys that are not strings do become strings when merged into a map[string]any: their text as written
    # (a !!binary key decoded), and a null key is dropped. (The anchor is defined where the CLI never decodes
    # it: under a key of a merged mapping that the mapping's own key overrides.)
    ('x-m:\n  k: v\n  <<: {k: &a {1: x, true: y, 2001-12-14: d, 1.50: f, 0x10: h, ~: n, !!binary aGk=: b, '
     '"s": s}}\nversion:\n  <<: *a\n',
     {'1': 'x', 'true': 'y', '2001-12-14': 'd', '1.50': 'f', '0x10': 'h', 'hi': 'b', 's': 's'},
     'map[0x10:h 1:x 1.50:f 2001-12-14:d hi:b s:s true:y]'),
    ('x-m:\n  k: v\n  <<: {k: &a {1: x, 0x1: y}}\nversion:\n  <<: *a\n', {'1': 'x', '0x1': 'y'}, 'map[0x1:y 1:x]'),
    # Anchors: an alias takes the latest anchor of its name; every alias is a copy.
    ('x-a: &a 1\nx-b: &a 2\nversion: [*a]\n', [2], '[2]'),
    ('version: [&a x, *a, &a y, *a]\n', ['x', 'x', 'y', 'y'], '[x x y y]'),
    ('version:\n  - &a\n    b: c\n  - *a\n', [{'b': 'c'}, {'b': 'c'}], '[map[b:c] map[b:c]]'),
    # Tags on collections change nothing.
    ('version: !!null {a: 1}\n', {'a': 1}, 'map[a:1]'),
    ('version: !!str [a]\n', ['a'], '[a]'),
    # Flow and complex keys.
    ('version: [? a, ? b : c, d: e]\n', [{'a': None}, {'b': 'c'}, {'d': 'e'}], '[map[a:<nil>] map[b:c] map[d:e]]'),
    ('version: {? a, b, c: }\n', {'a': None, 'b': None, 'c': None}, 'map[a:<nil> b:<nil> c:<nil>]'),
    ('version:\n  ? |\n    block key\n  : v\n', {'block key\n': 'v'}, 'map[block key\n:v]'),
    ('version: [a, [b, [c, {d: e}]], {f: [g]}, [], {}]\n', ['a', ['b', ['c', {'d': 'e'}]], {'f': ['g']}, [], {}],
     '[a [b [c map[d:e]]] map[f:[g]] [] map[]]'),
]


@pytest.mark.parametrize('document, expected, printed', MAPPINGS)
def test_mapping(document, expected, printed):
    value = load(document)['version']
    assert value == expected
    assert go_sprint(value) == printed


def test_merge_order_and_copies():
    config = load('x-a: &a {k: a, a: [1]}\nx-b: &b {k: b, b: 2}\nm:\n  own: 0\n  <<: [*a, *b]\n')
    # Own keys first, then the merged ones in the order they were taken.
    assert list(config['m']) == ['own', 'k', 'a', 'b']
    config['m']['a'].append(2)
    assert config['x-a']['a'] == [1]


# Mappings the CLI refuses: (document, its error), observed with docker CLI 28.2.2.
MAPPING_ERRORS = [
    ('version:\n  a: 1\n  b: 2\n  a: 3\n  b: 4\n',
     'yaml: unmarshal errors:\n  line 4: mapping key "a" already defined at line 2\n'
     '  line 5: mapping key "b" already defined at line 3'),
    ('version:\n  x: {a: 1, a: 2}\n', 'line 2: mapping key "a" already defined at line 2'),
    ('version:\n  "1": a\n  "1": b\n', 'line 3: mapping key "1" already defined at line 2'),
    ('version:\n  1: a\n  "1": b\n', 'line 3: mapping key "1" already defined at line 2'),
    ('version:\n  a: 1\n  "a": 2\n', 'line 3: mapping key "a" already defined at line 2'),
    ('version:\n  a: 1\n  ? a\n  : 2\n', 'line 3: mapping key "a" already defined at line 2'),
    ('version:\n  <<: {k: 1}\n  <<: {k: 2}\n', 'line 3: mapping key "<<" already defined at line 2'),
    ('version:\n  <<: {a: 1, a: 2}\n', 'line 2: mapping key "a" already defined at line 2'),
    ('version:\n  k: v\n  <<: {k: &a {1: x, "1": y}}\nx-n:\n  <<: *a\n',
     'line 3: mapping key "1" already defined at line 3'),
    ('version:\n  <<: 12\n', 'yaml: map merge requires map or sequence of maps as the value'),
    ('version:\n  <<: ~\n', 'yaml: map merge requires map or sequence of maps as the value'),
    ('x-s: &s [1]\nversion:\n  <<: *s\n', 'yaml: map merge requires map or sequence of maps as the value'),
    ('version:\n  <<: [{a: 1}, [{b: 2}]]\n', 'yaml: map merge requires map or sequence of maps as the value'),
    ('version:\n  <<: [{a: 1}, 3]\n', 'yaml: map merge requires map or sequence of maps as the value'),
    ('version: &r\n  a: *r\n', "yaml: anchor 'r' value contains itself"),
    ('version: &r [*r]\n', "yaml: anchor 'r' value contains itself"),
    ('x: &a {<<: *a}\n', "yaml: anchor 'a' value contains itself"),
    ('version: *nope\n', "yaml: unknown anchor 'nope' referenced"),
    ('version: [*a]\nx: &a 1\n', "yaml: unknown anchor 'a' referenced"),
    ('version:\n  k: v\n  <<: {k: &a {[1]: x}}\nx-n:\n  <<: *a\n',
     'yaml: unmarshal errors:\n  line 3: cannot unmarshal !!seq into string'),
    ('version:\n  k: v\n  <<: {k: &a {!!int abc: x}}\nx-n:\n  <<: *a\n', 'yaml: cannot decode !!str `abc` as a !!int'),
    ('services: {}\n? [a]\n: x\n', 'yaml: invalid map key: []interface {}{"a"}'),
    ('version:\n  ? {a: b}\n  : c\n', 'yaml: invalid map key: map[string]interface {}{"a":"b"}'),
    # A key that is not a string, and is not merged into a string map, makes a map[any]any.
    ('services: {}\nx-m:\n  k: v\n  <<: {k: &a {1: x}}\nx-n:\n  1: own\n  <<: *a\n',
     'json: unsupported type: map[interface {}]interface {}'),
    ('services: {}\nx-a: &a {1: x}\n', 'json: unsupported type: map[interface {}]interface {}'),
]


@pytest.mark.parametrize('document, cli_error', MAPPING_ERRORS)
def test_mapping_error(document, cli_error):
    message = refused(document)
    for line in cli_error.split('\n'):
        line = line.strip()
        if line.startswith('line '):
            assert line.split(': ', 1)[1] in message
            assert line.split(': ', 1)[0] in message
        elif line.startswith('yaml: ') and 'invalid map key' not in line and 'unmarshal errors' not in line:
            assert line[len('yaml: '):] in message
        elif line.startswith('json: '):
            assert line in message


def test_duplicate_key_message():
    message = refused('services:\n  a: 1\n  a: 2\n')
    assert message == ('compose.yml, line 3: mapping key "a" already defined at line 2: remove or rename the '
                       'repeated key')


# The top level must be a mapping with string keys: (document, what the CLI said), observed with docker CLI 28.2.2.
TOP_LEVEL = [
    ('', 'top-level object must be a mapping'),
    ('# only a comment\n', 'top-level object must be a mapping'),
    ('\n\n', 'top-level object must be a mapping'),
    ('---\n', 'top-level object must be a mapping'),
    ('---\n...\n', 'top-level object must be a mapping'),
    ('--- \n---\nservices: {}\n', 'top-level object must be a mapping'),
    ('[a]\n', 'top-level object must be a mapping'),
    ('a\n', 'top-level object must be a mapping'),
    ('~\n', 'top-level object must be a mapping'),
    ('"a: b"\n', 'top-level object must be a mapping'),
    ('services: {}\n1: x\n', 'top-level object must be a mapping'),
    ('services: {}\n~: x\n', 'top-level object must be a mapping'),
]


@pytest.mark.parametrize('document, cli_error', TOP_LEVEL)
def test_top_level(document, cli_error):
    assert cli_error in refused(document)


def test_top_level_tagged_mapping():
    # Observed with docker CLI 28.2.2: each loaded as `services: {}`.
    for document in ('!!map {services: {}}\n', '!!str {services: {}}\n', '--- !!map\nservices: {}\n'):
        assert load(document) == {'services': {}}


# ---------------------------------------------------------------------------------------------------------------
# Documents and bytes: (data, value of `version` or None where the CLI refused it, what the CLI said), observed
# with docker CLI 28.2.2.

V = u'version: [x, \xe9]\nservices: {}\n'
DOCUMENTS = [
    # Only the first document is read...
    (b'version: [x]\n---\nx-b: 2\n', ['x'], 'printed [x]'),
    (b'version: [x]\n---\n[: bad\n', ['x'], 'printed [x]'),
    (b'version: [x]\n--- [\n', ['x'], 'printed [x]'),
    (b'version: [x]\n...\nfoo: bar\n', ['x'], 'printed [x]'),
    (b'version: [x]\n---\nfoo: bar\nbaz: "unterminated\n', ['x'], 'printed [x]'),
    (b'version: [x]\n---\nfoo: bar\n---\n"unterminated\n', ['x'], 'printed [x]'),
    # ... but yaml.v3 scans two tokens past it, and a scanner error there fails the file.
    (b'version: [x]\n---\n"unterminated\n', None, 'yaml: line 3: found unexpected end of stream'),
    (b'version: [x]\n---\n\n\n\n"unterminated\n', None, 'yaml: line 6: found unexpected end of stream'),
    (b'version: [x]\n--- !!str\n"un\n', None, 'yaml: line 3: found unexpected end of stream'),
    (b'version: [x]\n...\n\t bad: [\n', None, 'yaml: line 3: found character that cannot start any token'),
    (b'--- \nversion: [x]\n', ['x'], 'printed [x]'),
    (b'---\nversion: [x]\n...\n', ['x'], 'printed [x]'),
    (b'%YAML 1.1\n---\nversion: [x]\n', ['x'], 'printed [x]'),
    (b'%YAML 1.2\n---\nversion: [x]\n', None, 'yaml: found incompatible YAML document'),
    (b'%YAML 2.0\n---\nversion: [x]\n', None, 'yaml: found incompatible YAML document'),
    (b'%YAML 1.1\n%YAML 1.1\n---\nversion: [x]\n', None, 'yaml: line 1: found duplicate %YAML directive'),
    (b'%TAG !e! x:\n%TAG !e! y:\n---\nversion: [x]\n', None, 'yaml: line 1: found duplicate %TAG directive'),
    (b'%FOO bar\n---\nversion: [x]\n', None, 'yaml: found unknown directive name'),
    # Encodings: UTF-8, a leading byte-order mark dropped; UTF-16 with its byte-order mark.
    (V.encode('utf-8'), ['x', u'\xe9'], u'printed [x \xe9]'),
    (b'\xef\xbb\xbf' + V.encode('utf-8'), ['x', u'\xe9'], u'printed [x \xe9]'),
    (V.encode('utf-16'), ['x', u'\xe9'], u'printed [x \xe9]'),
    (b'\xff\xfe' + V.encode('utf-16-le'), ['x', u'\xe9'], u'printed [x \xe9]'),
    (b'\xfe\xff' + V.encode('utf-16-be'), ['x', u'\xe9'], u'printed [x \xe9]'),
    (V, ['x', u'\xe9'], u'printed [x \xe9] (as bytes)'),
    (V.encode('utf-16-le'), None, 'yaml: control characters are not allowed'),
    (V.encode('utf-16-be'), None, 'yaml: control characters are not allowed'),
    (V.encode('utf-32'), None, 'yaml: control characters are not allowed'),
    (V.encode('latin-1'), None, 'yaml: incomplete UTF-8 octet sequence'),
    (b'version: [\xed\xa0\x80]\n', None, 'yaml: invalid Unicode character'),
    (b'version: [\xc0\xaf]\n', None, 'yaml: invalid length of a UTF-8 sequence'),
    (b'version: [\xf4\x90\x80\x80]\n', None, 'yaml: invalid Unicode character'),
    (b'version: [\x01]\n', None, 'yaml: control characters are not allowed'),
    (b'version: [a\x00b]\n', None, 'yaml: control characters are not allowed'),
    (b'version: [\x7f]\n', None, 'yaml: control characters are not allowed'),
    (b'version: [\xef\xbf\xbe]\n', None, 'yaml: control characters are not allowed'),
    (b'version: [a\x0bb]\n', None, 'yaml: control characters are not allowed'),
    (b'version: ["\\x01"]\n', [u'\x01'], 'printed [\x01]'),
    (b'version: [\xef\xbf\xbd]\n', [u'\ufffd'], u'printed [\ufffd]'),
    (b'version: [\xc2\x80]\n', None, 'yaml: control characters are not allowed'),
    (b'version: [\xf0\x9f\x98\x80, "\\U0001F600"]\n', [u'\U0001F600', u'\U0001F600'],
     u'printed [\U0001F600 \U0001F600]'),
    # Line breaks: CR LF, CR, LF, and NEL, LS, PS as YAML 1.1 has them.
    (b'version: [x]\r\nx-a: 1\r\n', ['x'], 'printed [x]'),
    (b'version:\r  - "a\r\r  b"\r', ['a\nb'], 'printed [a\nb]'),
    (b'version: [a\xc2\x85b]\n', ['a b'], 'printed [a b]'),
    (b'version:\n  - "a\xe2\x80\xa8\xe2\x80\xa8b"\n', [u'a\u2028\u2028b'], u'printed [a\u2028\u2028b]'),
    (b'version: [a\xe2\x80\xa9b]\n', [u'a\u2029b'], u'printed [a\u2029b]'),
    (b'version:\n  - a\xc2\x85  b\n', None, "yaml: line 3: could not find expected ':'"),
]


@pytest.mark.parametrize('data, expected, cli', DOCUMENTS)
def test_document(data, expected, cli):
    if expected is None:
        refused(data)
        assert cli.startswith('yaml:')
    else:
        assert load(data)['version'] == expected


def test_encoding_messages():
    assert 'save the file as UTF-8' in refused(V.encode('latin-1'))
    assert 'save the file as UTF-8' in refused(V.encode('utf-16-le'))
    assert 'save the file as UTF-8' in refused(b'\xff\xfe' + V.encode('utf-16-le') + b'\x00')
    message = refused(b'services:\n  x: "\x01"\n')
    assert message.startswith('compose.yml, line 2, column 7: control character U+0001')
    assert refused(b'services:\n  x: caf\xe9\n').startswith('compose.yml, line 2, column 9: is not UTF-8 text')


def test_byte_order_mark_inside_the_file():
    # Deviation, on purpose: yaml.v3 skips a character at the start of every line while its read buffer begins
    # with a byte-order mark (is_bom looks at the buffer, not at the position). Observed with docker CLI 28.2.2:
    # two byte-order marks, then "x-a: 1\nversion: [x]" gave "(root) Additional property ersion is not allowed",
    # and a mark at the start of a later line was read as part of the key ("Additional property \ufeffversion").
    # Since what the CLI reads depends on its buffer sizes, such files are refused.
    assert 'byte-order mark' in refused(b'\xef\xbb\xbf\xef\xbb\xbfservices: {}\n')
    assert 'line 2, column 1' in refused(u'services: {}\n\ufeffx-a: 1\n')
    assert 'line 1, column 12' in refused(u'services: "\ufeff"\n')
    # Written as an escape, the character is fine.
    assert load(u'services: {}\nx-a: "\\uFEFF"\n')['x-a'] == u'\ufeff'


# ---------------------------------------------------------------------------------------------------------------
# The scanner: where yaml.v3's Go port of libyaml scans otherwise than PyYAML (or than some PyYAML versions).
# (document, value of `version` or None where the CLI refused it, what the CLI said), observed with docker CLI
# 28.2.2.

SCANNER = [
    # Tabs: skipped between tokens in the flow context and where no simple key may start (after a scalar, after
    # `key:`); not at the start of a line nor after `- ` or `? `.
    ('version:\n  a:\tb\n', {'a': 'b'}, 'printed map[a:b]'),
    ('version:\n  a: b\t\n  c: d\t# c\n', {'a': 'b', 'c': 'd'}, 'printed map[a:b c:d]'),
    ('version:\n  - a\t\n  - b \t c\n', ['a', 'b \t c'], 'printed [a b \t c]'),
    ('version: [\ta, b\t]\n', ['a', 'b'], 'printed [a b]'),
    ('version:\t\t[a]  \t \n', ['a'], 'printed [a]'),
    ('version: [a]\t#c\n', ['a'], 'printed [a]'),
    ('version:\n  - {a:\tb}\n', [{'a': 'b'}], 'printed [map[a:b]]'),
    ('version:\n  a: "x\n\ty"\n', {'a': 'x y'}, 'printed map[a:x y]'),
    ('version:\n  a: x\n   \ty\n', {'a': 'x y'}, 'printed map[a:x y]'),
    ('version:\n  a: |\n    x\n    \ty\n', {'a': 'x\n\ty\n'}, 'printed map[a:x\n\ty\n]'),
    ('version: |2\n  \tx\n', '\tx\n', 'printed \tx'),
    ('version:\n  - !!str\tx\n', ['x'], 'printed [x]'),
    ('version:\n  -\tb\n', None, 'yaml: line 2: found character that cannot start any token'),
    ('version:\n\t- b\n', None, 'yaml: line 2: found character that cannot start any token'),
    ('version:\n  ? a\n  :\tb\n', None, 'yaml: line 3: found character that cannot start any token'),
    ('version:\n  a:\n\tb: c\n', None, 'yaml: line 3: found character that cannot start any token'),
    ('version:\n  a: x\n  \ty\n', None, 'yaml: line 2: found a tab character that violates indentation'),
    ('version:\n  a: x\n\t y\n', None, 'yaml: line 2: found a tab character that violates indentation'),
    ('version:\n  k: v\n\t\n  l: w\n', None, 'yaml: line 2: found a tab character that violates indentation'),
    ('version: |\n  x\n\t\n', None, 'yaml: line 3: found a tab character where an indentation space is expected'),
    ('version: |\n  \t\n', None, 'yaml: line 2: found a tab character where an indentation space is expected'),
    ('version: >\n  \t%\n', None, 'yaml: line 2: found a tab character where an indentation space is expected'),
    ('version: |2\n \tx\n', None, 'yaml: line 2: found a tab character where an indentation space is expected'),
    ('version: "a"\tx\n', None, 'yaml: did not find expected key'),
    ('\t\nversion: [a]\n', None, 'yaml: found character that cannot start any token'),
    # Plain scalars end at ': ' and, in flow, at , ? [ ] { } only.
    ('version: [a:b, c:, d: e, http://x:80]\n', ['a:b', 'c:', {'d': 'e'}, 'http://x:80'],
     'printed [a:b c: map[d:e] http://x:80]'),
    ('version: [{a:1}]\n', [{'a:1': None}], 'printed [map[a:1:<nil>]]'),
    ('version: [a#b, c #d\n  ]\n', ['a#b', 'c'], 'printed [a#b c]'),
    ('version: [a ---, b ...]\n', ['a ---', 'b ...'], 'printed [a --- b ...]'),
    ('version: [-a, --a, -1, -.5, "-"]\n', ['-a', '--a', -1, -0.5, '-'], 'printed [-a --a -1 -0.5 -]'),
    ('version: [a@b, a`b, a%b, a!b, a&b, a*b, a|b, a>b]\n', ['a@b', 'a`b', 'a%b', 'a!b', 'a&b', 'a*b', 'a|b', 'a>b'],
     'printed [a@b a`b a%b a!b a&b a*b a|b a>b]'),
    ('version: x#c\n', 'x#c', 'printed x#c'),
    ('version: [a?b, c]\n', None, "yaml: did not find expected ',' or ']'"),
    ('version: @a\n', None, 'yaml: found character that cannot start any token'),
    ('version: `a\n', None, 'yaml: found character that cannot start any token'),
    ('version: [%a]\n', None, 'yaml: found character that cannot start any token'),
    ('version: [a, , b]\n', None, 'yaml: did not find expected node content'),
    # Escapes: \' is one, \/ is not; \x \u \U name a Unicode scalar value.
    (u'version: ["a\\\'b", "\\x01\\t\\N\\_\\L\\P\\e\\0"]\n', [u"a'b", u'\x01\t\x85\xa0\u2028\u2029\x1b\x00'],
     'printed (the same characters)'),
    ('version: ["\\\n  x", "a\\\n\n  b", \'it\'\'s\']\n', ['x', 'a\nb', "it's"], 'printed [x a\nb it\'s]'),
    ('version: ["a\\/b"]\n', None, 'yaml: found unknown escape character'),
    ('version: ["\\ud800"]\n', None, 'yaml: found invalid Unicode character escape code'),
    ('version: ["\\U00110000"]\n', None, 'yaml: found invalid Unicode character escape code'),
    # Block scalars: blanks (tabs too) and a comment, even without a blank before '#', after the indicator.
    ('version:\n  - |\t# c\n    x\n  - |#c\n    y\n', ['x\n', 'y\n'], 'printed [x\n y\n]'),
    ('version:\n  - a\n    b\n\n    c\n  - >\n    folded\n    text\n\n     more\n    last\n  - |+\n    keep\n\n'
     '  - |-\n    strip\n\n  - >2\n     two\n', ['a b\nc', 'folded text\n\n more\nlast\n', 'keep\n\n', 'strip', ' two\n'],
     'printed [a b\nc folded text\n\n more\nlast\n keep\n\n strip  two\n]'),
    ('version: [ "a\n  b\n\n  c  ", \'a\n\n\n  b\' ]\n', ['a b\nc  ', 'a\n\nb'], 'printed [a b\nc   a\n\nb]'),
    ('version:\n  - |1\n  x\n', None, "yaml: line 3: could not find expected ':'"),
    # Tags and anchors.
    ('version:\n  - !a/b!c y\n', ['y'], 'printed [y]'),
    ('version: [!<> 12]\n', None, 'yaml: did not find expected tag URI'),
    ('version: !foo!bar x\n', None, 'yaml: found undefined tag handle'),
    ('version: [&a-b_1 x, *a-b_1]\n', ['x', 'x'], 'printed [x x]'),
    ('version: [&a.b x]\n', None, 'yaml: did not find expected alphabetic or numeric character'),
    (u'version: [&\xe9 x]\n', None, 'yaml: did not find expected alphabetic or numeric character'),
    # Indentation.
    ('version:\n  - a\n   - b\n', ['a - b'], 'printed [a - b]'),
    ('version:\n  - a\n - b\n', None, 'yaml: line 2: did not find expected key'),
    ('version:\n  a: b\n   c: d\n', None, 'yaml: line 3: mapping values are not allowed in this context'),
    ('version:\n  a: - b\n', None, 'yaml: line 2: block sequence entries are not allowed in this context'),
    ('version: a: b\n', None, 'yaml: mapping values are not allowed in this context'),
    ('version:\n- - a\n  - b\n- c\n', [['a', 'b'], 'c'], 'printed [[a b] c]'),
    ('version: "unterminated\n', None, 'yaml: line 2: found unexpected end of stream'),
    ("version: 'a\n---\nb'\n", None, 'yaml: line 2: found unexpected document indicator'),
    # A simple key is at most 1024 characters long.
    ('version:\n  ' + 'a' * 1020 + ': 1\n', {'a' * 1020: 1}, 'printed map[aaa...:1]'),
    ('version:\n  ' + 'a' * 1030 + ': 1\n', None, "yaml: line 3: could not find expected ':'"),
]


@pytest.mark.parametrize('document, expected, cli', SCANNER)
def test_scanner(document, expected, cli):
    if expected is None:
        assert cli.startswith('yaml:')
        message = refused(document)
        assert 'fix the YAML syntax' in message
    else:
        assert load(document)['version'] == expected


# ---------------------------------------------------------------------------------------------------------------
# Time zones: a numeric offset that is the local zone's offset at that instant prints the local zone's name.
# (TZ, text, printed), observed with docker CLI 28.2.2 run with that TZ.

ZONES = [
    ('America/New_York', '2001-12-14T21:59:43.1-05:00', '2001-12-14 21:59:43.1 -0500 EST'),
    ('America/New_York', '2001-07-14T21:59:43.1-05:00', '2001-07-14 21:59:43.1 -0500 -0500'),
    ('America/New_York', '2001-07-14T21:59:43-04:00', '2001-07-14 21:59:43 -0400 EDT'),
    ('America/New_York', '2001-12-14T21:59:43+05:30', '2001-12-14 21:59:43 +0530 +0530'),
    ('America/New_York', '2001-12-14T21:59:43+00:00', '2001-12-14 21:59:43 +0000 +0000'),
    ('America/New_York', '2001-12-14T21:59:43Z', '2001-12-14 21:59:43 +0000 UTC'),
    ('America/New_York', '2001-12-14 21:59:43', '2001-12-14 21:59:43 +0000 UTC'),
    ('America/New_York', '1850-01-01T00:00:00-04:56', '1850-01-01 00:00:00 -0456 -0456'),
    ('America/New_York', '2100-07-01T00:00:00-04:00', '2100-07-01 00:00:00 -0400 EDT'),
    ('America/New_York', '9999-07-01T00:00:00-04:00', '9999-07-01 00:00:00 -0400 EDT'),
    ('America/New_York', '0001-01-01T00:00:00-05:00', '0001-01-01 00:00:00 -0500 -0500'),
    ('America/New_York', '2038-01-19T03:14:08-05:00', '2038-01-19 03:14:08 -0500 EST'),
    ('America/New_York', '1970-01-01T00:00:00+00:00', '1970-01-01 00:00:00 +0000 +0000'),
    ('Asia/Kolkata', '2001-12-14T21:59:43+05:30', '2001-12-14 21:59:43 +0530 IST'),
    ('Asia/Kolkata', '2001-12-14T21:59:43.1-05:00', '2001-12-14 21:59:43.1 -0500 -0500'),
    ('Europe/London', '2001-12-14T21:59:43+00:00', '2001-12-14 21:59:43 +0000 GMT'),
    ('Europe/London', '2001-07-14T21:59:43+01:00', '2001-07-14 21:59:43 +0100 BST'),
    ('Europe/London', '2001-12-14T21:59:43Z', '2001-12-14 21:59:43 +0000 UTC'),
    ('UTC', '2001-12-14T21:59:43+00:00', '2001-12-14 21:59:43 +0000 UTC'),
    ('UTC', '2001-12-14T21:59:43-05:00', '2001-12-14 21:59:43 -0500 -0500'),
]


@pytest.fixture
def zone():
    if not hasattr(time, 'tzset'):
        pytest.skip('no time.tzset here')
    saved = os.environ.get('TZ')

    def set_zone(name):
        if not os.path.exists(os.path.join('/usr/share/zoneinfo', name)):
            pytest.skip('no time zone data for %s' % name)
        os.environ['TZ'] = name
        time.tzset()

    yield set_zone
    if saved is None:
        os.environ.pop('TZ', None)
    else:
        os.environ['TZ'] = saved
    time.tzset()


@pytest.mark.parametrize('name, text, printed', ZONES)
def test_zone(zone, name, text, printed):
    zone(name)
    value = value_of(text)
    assert str(value) == printed
    assert go_sprint(value) == printed


def test_go_time():
    value = value_of('2001-12-14t21:59:43.10-05:00')
    assert value.text == '2001-12-14t21:59:43.10-05:00'
    assert (value.year, value.month, value.day, value.hour, value.minute, value.second) == (2001, 12, 14, 21, 59, 43)
    assert value.nanosecond == 100000000
    assert value.offset == -5 * 3600
    assert value.unix == 1008385183
    assert value == value_of('2001-12-14T21:59:43.1-05:00')
    assert value != value_of('2001-12-15T02:59:43.1Z')
    assert len(set([value, value_of('2001-12-14T21:59:43.1-05:00')])) == 1
    assert repr(value) == "GoTime('2001-12-14t21:59:43.10-05:00': 2001-12-14 21:59:43.1 -0500 -0500)"
    assert GoTime('x', 2001, 12, 14).rfc3339() == '2001-12-14T00:00:00Z'


# ---------------------------------------------------------------------------------------------------------------
# Aliases: yaml.v3 counts its decode steps and fails "document contains excessive aliasing" when more than 99%
# of them (for small documents) come from aliases.

def aliases(pad, count):
    return ('a0: &a0 [x, x, x, x, x, x, x, x, x, x]\na1: &a1 [' + ', '.join(['*a0'] * 10) + ']\n' +
            ''.join('p%d: %d\n' % (index, index) for index in range(pad)) +
            'version: [' + ', '.join(['*a1'] * count) + ']\n')


# (pad, the most aliases the CLI took, the fewest it refused), observed with docker CLI 28.2.2.
ALIAS_LIMITS = [(0, 121, 122), (50, 571, 572), (300, 2821, 2822), (1000, 3363, 3364)]


@pytest.mark.parametrize('pad, taken, refused_at', ALIAS_LIMITS)
def test_alias_ratio(pad, taken, refused_at):
    assert len(load(aliases(pad, taken))['version']) == taken
    assert 'excessive aliasing' in refused(aliases(pad, refused_at))


def test_billion_laughs():
    lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]']
    for level in range(1, 9):
        lines.append('a%d: &a%d [%s]' % (level, level, ', '.join(['*a%d' % (level - 1)] * 10)))
    # Observed with docker CLI 28.2.2: "yaml: document contains excessive aliasing".
    assert 'excessive aliasing' in refused('\n'.join(lines) + '\nversion: *a8\n')


def test_deep_nesting():
    # Deviation: the CLI takes flow collections 10000 levels deep (observed with docker CLI 28.2.2: 10001 gave
    # "yaml: exceeded max depth of 10000"); Python's recursion limit stops this reader some hundred levels
    # down, with an error rather than a traceback.
    assert go_sprint(load('version: ' + '[' * 200 + ']' * 200 + '\n')['version']) == '[' * 200 + ']' * 200
    assert 'nested too deeply' in refused('version: ' + '[' * 700 + ']' * 700 + '\n')


# ---------------------------------------------------------------------------------------------------------------

def test_compose_file():
    config = load('version: "3.8"\nx-env: &env\n  TZ: UTC\n  PORT: 8080\nservices:\n  web:\n    image: nginx:1.27\n'
                  '    ports: ["8080:80", 22:22]\n    environment:\n      <<: *env\n      DEBUG: yes\n'
                  '      RATIO: 0.5\n    labels:\n      com.example.on: on\n    command: [nginx, -g, daemon off;]\n')
    web = config['services']['web']
    assert web['ports'] == ['8080:80', '22:22']
    assert web['environment'] == {'DEBUG': 'yes', 'RATIO': 0.5, 'TZ': 'UTC', 'PORT': 8080}
    assert dict((key, go_sprint(value)) for key, value in web['environment'].items()) == \
        {'DEBUG': 'yes', 'RATIO': '0.5', 'TZ': 'UTC', 'PORT': '8080'}
    assert web['labels'] == {'com.example.on': 'on'}
    assert web['command'] == ['nginx', '-g', 'daemon off;']


def test_str_input_and_messages():
    assert parse_yaml(u'services: {}\n', 'a.yml') == {'services': {}}
    assert parse_yaml(bytearray(b'services: {}\n'), 'a.yml') == {'services': {}}
    message = refused('services:\n  a: b\n c: d\n', 'stack/compose.yml')
    assert message.startswith('stack/compose.yml, line 3, column 2: ')
    assert message.endswith(': fix the YAML syntax')
    error = pytest.raises(ComposeYAMLError, load, 'services: [a\n').value
    assert isinstance(error, ValueError)
    assert (error.name, error.line) == ('compose.yml', 2)


def test_missing_pyyaml(monkeypatch):
    assert Y.HAS_YAML and Y.YAML_IMPORT_ERROR is None
    monkeypatch.setattr(Y, 'HAS_YAML', False)
    monkeypatch.setattr(Y, 'YAML_IMPORT_ERROR', 'Traceback: No module named yaml')
    with pytest.raises(ImportError):
        parse_yaml(b'services: {}\n', 'compose.yml')
