# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The engine role's repository and pin templates, rendered as the role renders them.

The apt files are also rendered and read by apt on real nodes in
molecule/default (test_repo_render.py); the yum file has no RedHat node to
run on here, so this is where its content is pinned.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

import jinja2
import pytest

from ansible_collections.anchorage.swarm.plugins.filter.engine import FilterModule

TEMPLATES = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'roles', 'engine', 'templates')
FINGERPRINT = '9DC858229FC7DD38854AE2D88D81803C0EBFCD88'


def render(name, **context):
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True)
    env.filters.update(FilterModule().filters())
    return env.get_template(name).render(ansible_managed='Managed by Ansible', **context)


def test_yum_repository_checks_signatures_with_the_given_key():
    text = render('docker-ce.repo.j2', engine_docker_repo_channel='stable',
                  engine_docker_repo_base_url='https://download.docker.com/linux', _engine_docker_repo_dist='centos',
                  _engine_docker_repo_key='https://download.docker.com/linux/centos/gpg',
                  _engine_expected_fingerprint=FINGERPRINT)
    assert '[docker-ce-stable]\n' in text
    assert 'baseurl=https://download.docker.com/linux/centos/$releasever/$basearch/stable\n' in text
    assert 'gpgcheck=1\n' in text and 'enabled=1\n' in text
    assert 'gpgkey=https://download.docker.com/linux/centos/gpg\n' in text
    assert FINGERPRINT in text


def test_apt_sources_are_signed_by_the_checked_key():
    class Arch:
        stdout = 'amd64\n'
    text = render('docker.sources.j2', engine_docker_repo_base_url='https://download.docker.com/linux',
                  _engine_docker_repo_dist='debian', engine_docker_repo_suite='', engine_docker_repo_channel='stable',
                  ansible_facts={'distribution_release': 'bookworm'}, _engine_dpkg_architecture=Arch(),
                  engine_docker_repo_key_path='/etc/apt/keyrings/docker.asc', _engine_expected_fingerprint=FINGERPRINT)
    assert 'URIs: https://download.docker.com/linux/debian\n' in text
    assert 'Suites: bookworm\n' in text
    assert 'Architectures: amd64\n' in text
    assert 'Signed-By: /etc/apt/keyrings/docker.asc\n' in text


@pytest.mark.parametrize('pin, selects, rejects', [
    ('5:27.3.1-1~debian.12~bookworm', None, None),
    ('/' + FilterModule().filters()['engine_version_regex']('27.3.*') + '/',
     '5:27.3.1-1~debian.12~bookworm', '5:27.4.0-1~debian.12~bookworm'),
])
def test_pin_names_every_engine_package(pin, selects, rejects):
    packages = ['docker-ce', 'docker-ce-cli', 'containerd.io']
    text = render('engine.pref.j2', engine_version='27.3.*', engine_install_source='docker_repo',
                  _engine_versioned_packages=packages, _engine_pin_version=pin)
    assert 'Package: docker-ce docker-ce-cli containerd.io\n' in text
    assert 'Pin: version %s\n' % pin in text
    assert 'Pin-Priority: 1001\n' in text
    if selects:
        regex = pin.strip('/')
        assert re.match(regex, selects) and not re.match(regex, rejects)
