# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters the engine role uses for its decisions (docs: the .yml files beside it).

The logic lives in module_utils/_engine.py, where the unit tests pin it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.anchorage.swarm.plugins.module_utils._engine import (
    deb_bundle,
    dockerd_flags,
    match_versions,
    parse_madison,
    select_version,
    tls_problems,
    version_regex,
)


def _dockerd_flags(flags, config):
    if not isinstance(config, dict):
        raise AnsibleFilterError('dockerd_flags: the daemon configuration must be a mapping')
    return dockerd_flags(config, flags)


def _engine_tls_problems(flags, config, tls_enabled=False):
    if not isinstance(config, dict):
        raise AnsibleFilterError('engine_tls_problems: the daemon configuration must be a mapping')
    return tls_problems(config, flags, tls_enabled)


def _engine_versions(versions, requested=''):
    """Versions that ``requested`` selects, from ``apt-cache madison`` output or a list."""
    if isinstance(versions, str):
        versions = parse_madison(versions)
    return match_versions(requested, versions)


def _engine_deb_bundle(files):
    """Packages of an offline bundle, from file paths or the ``files`` of ansible.builtin.find."""
    if hasattr(files, 'get') and 'files' in files:
        files = files['files']
    if not isinstance(files, list):
        raise AnsibleFilterError('engine_deb_bundle: expected a list of .deb paths or the files of '
                                 'ansible.builtin.find, got %s' % type(files).__name__)
    paths = []
    for item in files:
        path = item.get('path') if hasattr(item, 'get') else item
        if not isinstance(path, str):
            raise AnsibleFilterError('engine_deb_bundle: %r is neither a path nor a file of ansible.builtin.find'
                                     % (item,))
        paths.append(path)
    return deb_bundle(paths)


def _engine_select_version(available, requested='', installed=''):
    """The version to install, from ``apt-cache madison`` output or a list (newest first)."""
    if isinstance(available, str):
        available = parse_madison(available)
    if not isinstance(available, list):
        raise AnsibleFilterError('engine_select_version: expected the available versions as a list, got %s'
                                 % type(available).__name__)
    return select_version(available, requested or '', installed or '')


class FilterModule(object):
    def filters(self):
        return {
            'dockerd_flags': _dockerd_flags,
            'engine_deb_bundle': _engine_deb_bundle,
            'engine_select_version': _engine_select_version,
            'engine_tls_problems': _engine_tls_problems,
            'engine_versions': _engine_versions,
            'engine_version_regex': version_regex,
        }
