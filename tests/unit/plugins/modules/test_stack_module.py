# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The stack module's input side: compose files read with the CLI's YAML, env_files, dot_env and variables."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.anchorage.swarm.plugins.module_utils._compose import ComposeError
from ansible_collections.anchorage.swarm.plugins.modules import stack as S


class FakeModule(object):
    def __init__(self, **params):
        self.params = dict(name='app', compose=None, project_dir=None, variables={}, env_files=[], dot_env=False)
        self.params.update(params)
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)


def test_variables_win_over_env_files_and_later_files_over_earlier(tmp_path):
    (tmp_path / '.env').write_text('TAG=dot\nONLY_DOT=1\n')
    (tmp_path / 'a.env').write_text('TAG=a\nREGISTRY=r1\n')
    (tmp_path / 'b.env').write_text('REGISTRY=r2\n')
    module = FakeModule(env_files=['a.env', str(tmp_path / 'b.env')], variables={'TAG': 'given'}, dot_env=True)
    variables = S.Stack(module)._variables(str(tmp_path))
    assert variables == {'TAG': 'given', 'REGISTRY': 'r2', 'ONLY_DOT': '1'}
    module.params['dot_env'] = False
    assert 'ONLY_DOT' not in S.Stack(module)._variables(str(tmp_path))


def test_compose_files_are_read_with_the_clis_yaml_and_env_files(tmp_path):
    (tmp_path / 'compose.yml').write_text('services:\n  web:\n    image: "nginx:${TAG}"\n    ports: [22:22]\n'
                                          '    environment: {A: yes}\n')
    (tmp_path / 'prod.env').write_text('TAG=1.25\n')
    module = FakeModule(compose=[str(tmp_path / 'compose.yml')], env_files=['prod.env'])
    web = S.Stack(module)._desired()['services']['web']
    assert web['TaskTemplate']['ContainerSpec']['Image'] == 'nginx:1.25'
    assert web['TaskTemplate']['ContainerSpec']['Env'] == ['A=yes']
    assert web['EndpointSpec']['Ports'] == [{'Protocol': 'tcp', 'TargetPort': 22, 'PublishMode': 'ingress', 'PublishedPort': 22}]


def test_malformed_yaml_is_a_message(tmp_path):
    (tmp_path / 'compose.yml').write_bytes(b'services:\n  web: [unclosed\n')
    with pytest.raises(ComposeError, match='^malformed YAML: .*compose.yml, line'):
        S.Stack(FakeModule(compose=[str(tmp_path / 'compose.yml')]))._read_compose()
