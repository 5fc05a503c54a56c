#!/usr/bin/python
# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: swarm_plan
short_description: Plan the steps that converge a set of nodes to a Docker Swarm described by the inventory
version_added: 0.1.0
description:
  - Takes what the inventory asks for (managers, workers, labels, availability) and the state observed on every node
    (M(anchorage.swarm.swarm_node_info)), and returns the ordered steps that converge the swarm, without ever losing
    quorum. It changes nothing itself; run it on the controller (C(delegate_to=localhost), C(run_once=true)).
  - The swarm is chosen from observed state, not from inventory order. When an inventory manager belongs to a swarm
    that has quorum, that swarm is the cluster and every other node joins it, so a rebuilt first manager never starts
    a second swarm. A new swarm is initialised only when no inventory manager belongs to one.
  - A node in another swarm (a different cluster ID) fails the plan, naming the node and both cluster IDs, unless
    O(force_rejoin=true). A swarm without quorum fails the plan with what to do; so does any promotion, demotion or
    removal that would leave the swarm without quorum. Nothing is changed when the plan fails.
  - Check mode and normal mode are the same; the result (C(changed), C(summary), and C(--diff)) predicts the changes.
  - Why this module exists. community.docker has the primitives (M(community.docker.docker_swarm),
    M(community.docker.docker_node)) but no cluster workflow; nothing decides which node initialises, which swarm a
    node belongs to, in which order managers change, or whether a change keeps quorum. The decisions live in pure,
    unit-tested functions (C(plugins/module_utils/_swarm.py)).
  - Findings of M(anchorage.swarm.swarm_preflight) from every node (O(preflight)) are checked across nodes (hostnames,
    Engine versions, ports reachable between nodes); an error among them fails the plan before anything changes.
author:
  - Anchorage developers (@anchorage)
extends_documentation_fragment:
  - anchorage.swarm.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: Membership, role, labels and availability of every node that the plan changes, before and after.
  idempotent:
    support: full
    details: The module changes nothing; C(changed) says whether the swarm differs from the inventory.
options:
  inventory:
    description:
      - The nodes the swarm should have, in inventory order. Each item has C(name) (the inventory host),
        C(role) (V(manager) or V(worker)), C(labels) (a mapping), C(availability) (V(active), V(pause), V(drain)).
    type: list
    elements: dict
    required: true
  observed:
    description:
      - The observed state of each node, by inventory name; the registered result of
        M(anchorage.swarm.swarm_node_info) (or its C(swarm_node) record), or a mapping with C(unreachable=true) and C(msg) for a node that could
        not be read (it is left as it is and counted as down).
    type: dict
    required: true
  preflight:
    description:
      - Results of M(anchorage.swarm.swarm_preflight) by inventory name, for the checks across nodes.
    type: dict
    default: {}
  data_path_port:
    description:
      - UDP port of the data path, which the preflight's probe tested between nodes.
      - Set at init only; a swarm that uses another port gets a warning.
    type: int
    default: 4789
  default_addr_pool:
    description: Address pools for overlay networks, set at init only; a swarm that uses others gets a warning.
    type: list
    elements: str
    default: []
  subnet_size:
    description: Prefix length of each overlay network taken from O(default_addr_pool); set at init only.
    type: int
  remove_absent:
    description: Remove swarm nodes that the inventory does not list (demote, leave, C(node rm)).
    type: bool
    default: false
  labels_mode:
    description: V(merge) adds and updates the inventory's labels; V(replace) also removes labels it does not list.
    type: str
    choices: [merge, replace]
    default: merge
  force_rejoin:
    description: Let a node that belongs to another swarm leave it (forced) and join this one.
    type: bool
    default: false
  autolock:
    description: Autolock wanted on the managers; unset leaves the swarm's setting as it is.
    type: bool
  rotate_tokens:
    description: Join tokens to rotate in this run.
    type: list
    elements: str
    choices: [worker, manager]
    default: []
  activate_later:
    description:
      - Make no node active in this plan. A node joining a swarm that already runs (not one this run creates) joins
        at V(pause), and a member that is not active stays as it is; RV(held) names them.
      - For a run whose later parts (the registry's CA and login on the node) must converge a node before tasks are
        placed on it; the swarm role's C(activate) entry point then plans without it and makes them what the
        inventory says.
    type: bool
    default: false
  all_hosts:
    description:
      - Every host of the Ansible inventory. A node removed from the swarm groups that is still one of these hosts is
        made to leave the swarm on its own Engine before C(node rm).
    type: list
    elements: str
    default: []
  no_engine_is_bare:
    description:
      - Plan a node whose Engine does not answer (no socket yet) as a node outside any swarm, instead of leaving it
        out. The swarm role sets it in check mode, where the engine role has not installed the Engine it predicts.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Plan the swarm
  anchorage.swarm.swarm_plan:
    inventory:
      - {name: manager1, role: manager, labels: {zone: a}, availability: active}
      - {name: worker1, role: worker, labels: {}, availability: active}
    observed: "{{ dict(ansible_play_hosts_all | zip(ansible_play_hosts_all | map('extract', hostvars, 'swarm_observed'))) }}"
  delegate_to: localhost
  run_once: true
  register: swarm_plan
"""

RETURN = r"""
steps:
  description:
    - Ordered steps. Each has C(action) (unlock, init, autolock, rotate, leave, remove_stale, join, promote, demote,
      remove, update), C(host) (the inventory host to run it on), C(node) (the node it changes), C(phase)
      (V(membership) or V(node)), C(desc), and the action's own keys (C(role), C(node_id), C(labels),
      C(labels_mode), C(availability), C(force), C(demote), C(leave_host), C(enabled), C(which), and for V(init) and
      V(join) the addresses and settings the node inits or joins with).
  returned: always
  type: list
  elements: dict
waves:
  description:
    - The steps as they are carried out, in order (what M(anchorage.swarm.swarm_step) runs, one wave at a time; the
      swarm role runs nothing else). Each wave has C(phase), C(desc), C(parallel) (V(true) - its steps run at once,
      each on its own host; V(false) - one after the other, each on its C(host)), C(needs) (what is read on C(via)
      first - V(join_tokens), V(unlock_key)), C(keep_unlock_key) (hand the new unlock key back to the controller)
      and C(steps).
    - Each step of a wave is a step of RV(steps) (a removal - its parts, demote, leave on the node, node rm) with
      C(seq), its place in the order of execution, and C(index), the step of RV(steps) it carries out.
    - A change of the managers' Raft membership (init, a manager's join, promote, demote, a manager's removal) is a
      wave of its own; workers join in one wave, at once.
  returned: always
  type: list
  elements: dict
summary:
  description: One line per step, in order.
  returned: always
  type: list
  elements: str
  sample: [init a new swarm on manager1, worker1 joins as worker]
plan_warnings:
  description: What the plan leaves as it is, and why (also shown as Ansible warnings).
  returned: always
  type: list
  elements: str
cluster_id:
  description: ID of the swarm that is the cluster; empty when it is yet to be initialised.
  returned: always
  type: str
via:
  description: The manager that cluster-wide steps run on (the leader when it stays a manager).
  returned: always
  type: str
init_host:
  description: The manager that initialises a new swarm; empty when a swarm exists.
  returned: always
  type: str
join_addrs:
  description: Addresses (host:port) of the swarm's reachable managers, for joins.
  returned: always
  type: list
  elements: str
tokens:
  description: Join tokens the steps need (V(manager), V(worker)).
  returned: always
  type: list
  elements: str
membership_steps:
  description: Number of membership steps (after which the role observes the nodes again and plans once more).
  returned: always
  type: int
node_steps:
  description: Number of node steps (roles, removals, labels, availability).
  returned: always
  type: int
held:
  description: Nodes this plan leaves at pause although the inventory wants them active (O(activate_later)).
  returned: always
  type: list
  elements: str
complete:
  description: False when locked managers must be unlocked before the rest can be planned.
  returned: always
  type: bool
findings:
  description: Preflight findings across nodes, as lines that start with the node (errors fail the plan).
  returned: always
  type: dict
  contains:
    errors:
      description: Errors.
      type: list
      elements: str
    warnings:
      description: Warnings.
      type: list
      elements: str
    infos:
      description: Information.
      type: list
      elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.anchorage.swarm.plugins.module_utils._swarm import inventory_shape_errors, plan
from ansible_collections.anchorage.swarm.plugins.module_utils._swarm_preflight import cluster_findings, summarize


def _diff_text(states):
    lines = []
    for name in sorted(states):
        state = states[name]
        lines.append('%s:' % name)
        for key in ('membership', 'labels', 'availability'):
            if key in state:
                value = state[key]
                if isinstance(value, dict):
                    value = ', '.join('%s=%s' % kv for kv in sorted(value.items())) or '-'
                lines.append('  %s: %s' % (key, value or '-'))
    return '\n'.join(lines) + '\n' if lines else ''


BARE_NODE = {'local_state': 'inactive', 'node_id': '', 'manager': False, 'cluster_id': '', 'remote_managers': [],
             'nodes': [], 'quorum': None, 'hostname': '', 'engine_version': ''}


class SwarmPlanner(object):
    def __init__(self, module):
        self.module = module
        self.params = module.params

    def fail(self, why, **kwargs):
        self.module.fail_json(msg='Cannot converge the swarm: %s' % why, **kwargs)

    def run(self):
        shape = inventory_shape_errors(self.params['inventory'])
        if shape:
            self.fail(' '.join(shape))
        observed, warnings = {}, []
        for name, record in self.params['observed'].items():
            # A registered swarm_node_info result, or its swarm_node record.
            if isinstance(record, dict) and isinstance(record.get('swarm_node'), dict):
                observed[name] = record['swarm_node']
            elif self.params['no_engine_is_bare'] and isinstance(record, dict) and not record.get('unreachable') \
                    and 'cannot connect to' in str(record.get('msg', '')):
                # Check mode on a host whose Engine the engine role has not installed yet: plan it as a bare node.
                observed[name] = BARE_NODE
                warnings.append('%s has no Engine answering yet: planned as a node outside any swarm.' % name)
            elif not isinstance(record, dict) or record.get('unreachable') or record.get('failed') \
                    or 'local_state' not in record:
                observed[name] = None
                warnings.append('%s could not be read: %s' % (
                    name, (record or {}).get('msg', 'no result') if isinstance(record, dict) else 'no result'))
            else:
                observed[name] = record
        manager_names = [h.get('name') for h in self.params['inventory'] if h.get('role') == 'manager']
        findings = cluster_findings(self.params['preflight'], observed, manager_names, self.params['data_path_port'])
        errors, finding_warnings, infos = summarize(findings)
        result = plan(self.params['inventory'], observed, {
            'remove_absent': self.params['remove_absent'],
            'labels_mode': self.params['labels_mode'],
            'force_rejoin': self.params['force_rejoin'],
            'autolock': self.params['autolock'],
            'rotate_tokens': self.params['rotate_tokens'],
            'all_hosts': self.params['all_hosts'],
            'activate_later': self.params['activate_later'],
            'data_path_port': self.params['data_path_port'],
            'default_addr_pool': self.params['default_addr_pool'],
            'subnet_size': self.params['subnet_size'],
        })
        result['findings'] = {'errors': errors, 'warnings': finding_warnings, 'infos': infos}
        result['warnings'] = warnings + finding_warnings + result['warnings']
        if errors:
            result['errors'] = ['preflight: %s' % e for e in errors] + result['errors']
            result['steps'], result['summary'], result['waves'] = [], [], []
        # Ansible reserves the `warnings` key of a result; they are shown through warn() and returned as plan_warnings.
        result['plan_warnings'] = result.pop('warnings')
        for warning in result['plan_warnings']:
            self.module.warn(warning)
        diff = result.pop('diff')
        changed_nodes = [n for n in diff['after'] if diff['after'][n] != diff['before'].get(n)]
        if result['errors']:
            self.fail(' '.join(result.pop('errors')), **result)
        del result['errors']
        result['changed'] = bool(result['steps'])
        if self.module._diff and changed_nodes:
            result['diff'] = {
                'before_header': 'swarm nodes (now)', 'after_header': 'swarm nodes (after this run)',
                'before': _diff_text(dict((n, diff['before'].get(n, {'membership': 'none'})) for n in changed_nodes)),
                'after': _diff_text(dict((n, diff['after'][n]) for n in changed_nodes)),
            }
        self.module.exit_json(**result)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            inventory=dict(type='list', elements='dict', required=True),
            observed=dict(type='dict', required=True),
            preflight=dict(type='dict', default={}),
            data_path_port=dict(type='int', default=4789),
            default_addr_pool=dict(type='list', elements='str', default=[]),
            subnet_size=dict(type='int'),
            remove_absent=dict(type='bool', default=False),
            labels_mode=dict(type='str', choices=['merge', 'replace'], default='merge'),
            force_rejoin=dict(type='bool', default=False),
            autolock=dict(type='bool'),
            rotate_tokens=dict(type='list', elements='str', choices=['worker', 'manager'], default=[]),
            all_hosts=dict(type='list', elements='str', default=[]),
            activate_later=dict(type='bool', default=False),
            no_engine_is_bare=dict(type='bool', default=False),
        ),
        supports_check_mode=True,
    )
    SwarmPlanner(module).run()


if __name__ == '__main__':
    main()
