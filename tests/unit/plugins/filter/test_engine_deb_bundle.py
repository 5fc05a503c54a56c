# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""engine_deb_bundle: the engine role's reading of an offline bundle's .deb file names (tasks/preflight.yml)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.anchorage.swarm.plugins.filter.engine import FilterModule

BUNDLE = FilterModule().filters()['engine_deb_bundle']


def test_name_version_and_arch_are_read_and_the_epoch_restored():
    debs = BUNDLE(['/b/docker.io_20.10.24+dfsg1-1+deb12u1+b6_amd64.deb', '/b/containerd_1.6.20~ds1-1+b1_amd64.deb',
                   '/b/docker-ce_5%3a27.3.1-1~debian.12~bookworm_amd64.deb', '/b/python3-docker_5.0.3-1_all.deb',
                   '/b/libfoo_1%3A2.0-1_arm64.deb'])
    assert debs == [
        {'path': '/b/containerd_1.6.20~ds1-1+b1_amd64.deb', 'name': 'containerd', 'version': '1.6.20~ds1-1+b1',
         'arch': 'amd64'},
        {'path': '/b/docker-ce_5%3a27.3.1-1~debian.12~bookworm_amd64.deb', 'name': 'docker-ce',
         'version': '5:27.3.1-1~debian.12~bookworm', 'arch': 'amd64'},
        {'path': '/b/docker.io_20.10.24+dfsg1-1+deb12u1+b6_amd64.deb', 'name': 'docker.io',
         'version': '20.10.24+dfsg1-1+deb12u1+b6', 'arch': 'amd64'},
        {'path': '/b/libfoo_1%3A2.0-1_arm64.deb', 'name': 'libfoo', 'version': '1:2.0-1', 'arch': 'arm64'},
        {'path': '/b/python3-docker_5.0.3-1_all.deb', 'name': 'python3-docker', 'version': '5.0.3-1', 'arch': 'all'},
    ]


@pytest.mark.parametrize('name', ['docker.io.deb', 'docker.io_20.10.deb', 'a_b_c_d.deb', 'README'])
def test_names_not_of_the_archive_form_are_left_out(name):
    assert BUNDLE(['/b/' + name]) == []


def test_the_results_of_find_are_read_as_they_are():
    find = {'files': [{'path': '/b/runc_1.1.5+ds1-1+deb12u1_amd64.deb', 'mode': '0644'}], 'matched': 1}
    expected = [{'path': '/b/runc_1.1.5+ds1-1+deb12u1_amd64.deb', 'name': 'runc', 'version': '1.1.5+ds1-1+deb12u1',
                 'arch': 'amd64'}]
    assert BUNDLE(find) == expected
    assert BUNDLE(find['files']) == expected
    assert BUNDLE([]) == [] and BUNDLE({'files': []}) == []


@pytest.mark.parametrize('value', ['/b/x_1_amd64.deb', None, [None], [{'name': 'x'}]])
def test_anything_else_is_refused(value):
    with pytest.raises(AnsibleFilterError, match='engine_deb_bundle'):
        BUNDLE(value)
