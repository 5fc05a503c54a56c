# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters the machine role uses: its lab network and the lifecycle (ls, start, stop, restart, rm) (docs: the .yml
files beside it).

The logic lives in module_utils/_machine.py, where the unit tests pin it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.anchorage.swarm.plugins.module_utils._machine import (
    engines,
    ls_table,
    machine_nodes,
    machine_rows,
    plan,
    subnet_plan,
    swarm_pending,
    swarm_view,
)


def _list(name, value, what):
    if not isinstance(value, list):
        raise AnsibleFilterError('%s: expected %s, got %s' % (name, what, type(value).__name__))
    return value


def _results(name, value):
    """The results list of a registered loop (or the registered loop itself)."""
    if hasattr(value, 'get') and 'results' in value:
        value = value['results']
    return _list(name, value or [], 'the results of a registered loop')


def _engines(tls_results, exec_results, name=None):
    return engines(_results('machine_engines', tls_results), _results('machine_engines', exec_results), name)


def _swarm(engines_by_name, avoid=None):
    if not hasattr(engines_by_name, 'items'):
        raise AnsibleFilterError('machine_swarm: expected the machines\' Engines as anchorage.swarm.machine_engines '
                                 'gives them, got %s' % type(engines_by_name).__name__)
    return swarm_view(engines_by_name, avoid)


def _rows(plan_, containers, options, engines_by_name=None, swarm=None):
    _list('machine_rows', plan_, 'the machine plan (_machine_nodes)')
    _list('machine_rows', containers, 'the containers of docker_host_info')
    if not hasattr(options, 'get'):
        raise AnsibleFilterError('machine_rows: options must be a mapping (lab, network, port, driver, active_host, '
                                 'active_context)')
    return machine_rows(plan_, containers, options, engines_by_name, swarm)


def _ls_table(rows):
    return ls_table(_list('machine_ls_table', rows, 'the rows of machine_rows'))


def _plan(rows, action, names=None, select_all=False, force=False, nodes=None, lab=''):
    return plan(_list('machine_plan', rows, 'the rows of machine_rows'), action, names, select_all, force, nodes, lab)


def _pending(swarm, names, wanted):
    if wanted not in ('ready', 'down'):
        raise AnsibleFilterError('machine_swarm_pending: the wanted state is ready or down, not %r' % (wanted,))
    return swarm_pending(swarm, names, wanted)


def _subnet(subnet, count=0, offset=2):
    if isinstance(count, list):
        count = len(count)
    return subnet_plan(subnet, count, offset)


def _nodes(machines, addresses, lab, image_repository, default_image):
    _list('machine_nodes', machines, 'machine_list')
    _list('machine_nodes', addresses, 'the addresses of anchorage.swarm.machine_subnet')
    if not all(hasattr(m, 'get') and 'name' in m for m in machines):
        raise AnsibleFilterError('machine_nodes: every machine of machine_list needs a name')
    try:
        return machine_nodes(machines, addresses, lab, image_repository, default_image)
    except ValueError as exc:
        raise AnsibleFilterError('machine_nodes: %s' % exc)


class FilterModule(object):
    def filters(self):
        return {
            'machine_engines': _engines,
            'machine_swarm': _swarm,
            'machine_rows': _rows,
            'machine_ls_table': _ls_table,
            'machine_plan': _plan,
            'machine_swarm_pending': _pending,
            'machine_subnet': _subnet,
            'machine_nodes': _nodes,
        }
