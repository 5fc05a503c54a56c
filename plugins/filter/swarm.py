# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters the swarm role and playbooks/upgrade.yml use (docs: the .yml files beside it).

The logic lives in module_utils/_swarm.py, where the unit tests pin it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.errors import AnsibleFilterError

from ansible_collections.anchorage.swarm.plugins.module_utils._swarm import (
    busy_tasks,
    node_table,
    unlock_key_problem,
    upgrade_check,
    upgrade_node_back,
    upgrade_node_check,
    upgrade_stopped,
    waves_done,
)


def _inventory_entry(name, hostvars, managers):
    """What the inventory asks of one host: role, labels, availability (the role's defaults where unset).

    hostvars of another host carry its inventory variables but not the role's defaults, hence the defaults here;
    they must match roles/swarm/defaults/main.yml.
    """
    try:
        host = hostvars[name]
    except KeyError:
        raise AnsibleFilterError('swarm_inventory_entry: %s is not in the inventory' % name)
    labels = host['swarm_node_labels'] if 'swarm_node_labels' in host else {}
    availability = host['swarm_node_availability'] if 'swarm_node_availability' in host else 'active'
    # Where the other nodes reach this one (the preflight's port probe): the advertise address when it is an
    # address (not an interface name), else the address Ansible uses.
    advertise = str(host['swarm_advertise_addr']) if 'swarm_advertise_addr' in host else ''
    match = re.match(r'^(\d+\.\d+\.\d+\.\d+)(:\d+)?$', advertise)
    addr = match.group(1) if match else (str(host['ansible_host']) if 'ansible_host' in host else name)
    # The addresses it inits or joins with: they go into the plan's steps, which run with no other variables.
    addresses = dict((key, str(host[var]) if var in host and host[var] is not None else default)
                     for key, var, default in (('advertise_addr', 'swarm_advertise_addr', ''),
                                               ('listen_addr', 'swarm_listen_addr', '0.0.0.0:2377'),
                                               ('data_path_addr', 'swarm_data_path_addr', '')))
    return dict({'name': name, 'role': 'manager' if name in managers else 'worker',
                 'labels': labels, 'availability': availability, 'addr': addr}, **addresses)


def _node_table(nodes):
    if not isinstance(nodes, list):
        raise AnsibleFilterError('swarm_node_table: expected the nodes list of swarm_node_info')
    return node_table(nodes)


def _mapping(name, value, what):
    if not hasattr(value, 'get'):
        raise AnsibleFilterError('%s: expected %s, got %s' % (name, what, type(value).__name__))
    return value


def _upgrade_check(hosts, results, views):
    if not isinstance(hosts, list) or not all(hasattr(h, 'get') and 'name' in h for h in hosts):
        raise AnsibleFilterError('swarm_upgrade_check: expected the hosts as anchorage.swarm.swarm_inventory_entry gives them')
    _mapping('swarm_upgrade_check', results, 'the swarm_node_info results by host')
    if not isinstance(views, list):
        raise AnsibleFilterError('swarm_upgrade_check: expected the results of the swarm_node_info loop on the managers')
    return upgrade_check(hosts, results, views)


def _upgrade_node_check(swarm, node_id, name):
    return upgrade_node_check(_mapping('swarm_upgrade_node_check', swarm, 'the swarm_node record of swarm_node_info'),
                              node_id, name)


def _upgrade_node_back(result, node_id, name):
    return upgrade_node_back(_mapping('swarm_upgrade_node_back', result, 'the result swarm_node_info registered'),
                             node_id, name)


def _busy_tasks(tasks, services, node_id=None):
    if not isinstance(tasks, list) or not isinstance(services, list):
        raise AnsibleFilterError('swarm_busy_tasks: expected the tasks and services lists of docker_swarm_info')
    return busy_tasks(tasks, services, node_id)


def _without_ipvs(results, hostvars=None, names=None):
    """Hosts whose swarm_preflight result shows no IPVS, loaded or loadable; a host without a result counts as
    lacking it, so that a caller falls back to what works everywhere (host mode).

    results: a mapping of host to its registered swarm_preflight result; or a list of hosts, with `hostvars` and the
    variables that may hold a result (`names`, the first with a node record wins), so that a role reuses the result
    the swarm role registered (swarm_preflight_result) and runs the preflight again only where there is none."""
    if isinstance(results, list) and hostvars is not None and names:
        picked = {}
        for host in results:
            found = None
            for name in names:
                try:
                    value = hostvars[host].get(name)
                except KeyError:
                    value = None
                if isinstance(value, dict) and isinstance(value.get('node'), dict):
                    found = value
                    break
            picked[host] = found
        results = picked
    if not isinstance(results, dict):
        raise AnsibleFilterError('swarm_without_ipvs: give a mapping of host to swarm_preflight result, or a list of '
                                 'hosts with hostvars and the names of the variables that hold their results')
    lacking = []
    for host, result in results.items():
        ipvs = ((result or {}).get('node') or {}).get('ipvs') or {}
        if not (ipvs.get('proc') or ipvs.get('module')):
            lacking.append(host)
    return sorted(lacking)


def _wave_done(wave, sequential, hostvars, play_hosts):
    """The steps of `wave` that ran, in plan order: from the one-after-the-other task's result (`sequential`) and
    each play host's result of the at-once task (hostvars[host].swarm__parallel). A step that did not run (its host
    failed or left the play) is not in the list; the run has failed on that host already."""
    if not hasattr(wave, 'get') or not isinstance(wave.get('steps'), list):
        raise AnsibleFilterError('swarm_wave_done: expected a wave of anchorage.swarm.swarm_plan')
    results = [sequential]
    if wave.get('parallel'):
        for host in play_hosts or []:
            try:
                results.append(hostvars[host].get('swarm__parallel'))
            except KeyError:
                continue
    return waves_done([wave], results)['done']


def _unlock_key_problem(read, given, via):
    return unlock_key_problem(_mapping('swarm_unlock_key_problem', read or {}, 'the result of swarm_step read'),
                              given or '', via)


def _upgrade_stopped(order, host, drained, availability, step='', task='', why=''):
    if not isinstance(order, list):
        raise AnsibleFilterError('swarm_upgrade_stopped: expected the upgrade order (a list of hosts)')
    return upgrade_stopped(order, host, step, task, why, bool(drained), availability)


class FilterModule(object):
    def filters(self):
        return {
            'swarm_without_ipvs': _without_ipvs,
            'swarm_inventory_entry': _inventory_entry,
            'swarm_node_table': _node_table,
            'swarm_upgrade_check': _upgrade_check,
            'swarm_upgrade_node_check': _upgrade_node_check,
            'swarm_upgrade_node_back': _upgrade_node_back,
            'swarm_busy_tasks': _busy_tasks,
            'swarm_wave_done': _wave_done,
            'swarm_unlock_key_problem': _unlock_key_problem,
            'swarm_upgrade_stopped': _upgrade_stopped,
        }
