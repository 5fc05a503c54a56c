#!/usr/bin/python
# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: swarm_step
short_description: Carry out one step of a swarm plan made by anchorage.swarm.swarm_plan
version_added: 0.1.0
description:
  - The swarm role's dispatcher. M(anchorage.swarm.swarm_plan) returns C(waves), each a list of steps; the role runs
    this module once per step, in the waves' order, on the host the step names (C(step.host)). What runs is what
    was planned; the module carries out the step it is given, and decides nothing the plan has not.
  - Node steps on the node's own Engine - V(unlock), V(init), V(leave), V(join) (the join token decides the role).
  - Cluster steps on a manager's Engine - V(autolock), V(rotate) (join tokens), V(promote), V(demote) (waits until
    the node is no longer a Raft member, so that its leaving or removal never costs a vote), V(remove_stale),
    V(remove) (waits, after the node left, until the swarm sees it down), V(update) (labels, availability).
  - Each step first reads what the Engine says now, so a step that is already done reports no change; a request
    the Engine refuses fails the task with its reason.
  - With O(read) instead of O(step), reads on a manager what the next wave's joins and unlocks need - the join
    tokens, the ready managers' addresses and the unlock key - and returns them. That result is a secret;
    register it with C(no_log=true).
  - Talks to the Engine API with the collection's one client (the unix socket, or V(tcp://) over verified TLS) and
    the Python standard library; no Docker SDK is needed.
  - Why this module exists. community.docker's modules do these requests one each (M(community.docker.docker_swarm),
    M(community.docker.docker_node)), need the Docker SDK on every node, return the join tokens in results that
    cannot be shown, and do not wait for a demotion to take effect; a plan carried out by one module per action
    would be re-encoded in the order of YAML tasks.
author:
  - Anchorage developers (@anchorage)
extends_documentation_fragment:
  - anchorage.swarm.engine
  - anchorage.swarm.attributes
  - anchorage.swarm.attributes.actiongroup_docker
attributes:
  check_mode:
    support: full
    details:
      - The step's change is predicted from the Engine's current state; nothing is sent.
  diff_mode:
    support: none
    details: M(anchorage.swarm.swarm_plan) shows the whole plan's diff.
  idempotent:
    support: full
options:
  step:
    description:
      - One step of a wave of M(anchorage.swarm.swarm_plan)'s C(waves), as it returned it (C(action), C(host),
        C(node), C(desc), C(seq) and the action's settings).
    type: dict
  read:
    description: What to read on this manager for the next wave.
    type: list
    elements: str
    choices: [join_tokens, unlock_key]
  join_token:
    description: The join token of the step's role. Required for a V(join) step.
    type: str
  remote_addrs:
    description: Addresses (V(IP:port)) of managers to join through. Required for a V(join) step.
    type: list
    elements: str
  unlock_key:
    description: The swarm's unlock key. Required for an V(unlock) step.
    type: str
  timeout:
    description: Seconds to wait for each answer of the Engine, and for a join, unlock, demotion or removal to take
      effect.
    type: int
    default: 120
seealso:
  - module: anchorage.swarm.swarm_plan
  - module: anchorage.swarm.swarm_member
"""

EXAMPLES = r"""
# The swarm role's dispatcher, in short (roles/swarm/tasks/wave.yml):
- name: Read the join tokens on the plan's manager
  anchorage.swarm.swarm_step:
    read: [join_tokens]
  delegate_to: "{{ swarm__plan.via }}"
  run_once: true
  no_log: true
  register: swarm__secrets

- name: Carry out the wave's steps on their hosts, one after the other
  anchorage.swarm.swarm_step:
    step: "{{ item }}"
    join_token: "{{ swarm__secrets.join_tokens[item.role] if item.action == 'join' else omit }}"
    remote_addrs: "{{ swarm__secrets.join_addrs if item.action == 'join' else omit }}"
  loop: "{{ swarm__wave.steps }}"
  delegate_to: "{{ item.host }}"
  run_once: true
"""

RETURN = r"""
step:
  description: The step carried out, C(seq), C(index), C(action), C(host), C(node) and C(desc) (empty with O(read)).
  returned: always
  type: dict
started:
  description: When the step started, seconds since the epoch on the node's clock.
  returned: always
  type: float
finished:
  description: When the step ended, seconds since the epoch on the node's clock.
  returned: always
  type: float
join_tokens:
  description: The C(worker) and C(manager) join tokens. A secret.
  returned: when O(read) has V(join_tokens)
  type: dict
join_addrs:
  description: The ready managers' addresses (V(IP:port)).
  returned: when O(read) has V(join_tokens)
  type: list
  elements: str
unlock_key:
  description: The swarm's unlock key (empty when autolock is off). A secret.
  returned: when O(read) has V(unlock_key)
  type: str
"""

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.anchorage.swarm.plugins.module_utils._docker_api import (
    EngineAPIError,
    engine_argument_spec,
    engine_from_params,
)
from ansible_collections.anchorage.swarm.plugins.module_utils._swarm_member import (
    MemberError,
    SwarmCluster,
    SwarmMember,
    mask_secrets,
)

STEP_KEYS = ('seq', 'index', 'action', 'host', 'node', 'desc')


class SwarmStep(object):
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.step = module.params['step'] or {}
        self.api = None
        self.result = dict(changed=False, step=dict((k, self.step.get(k)) for k in STEP_KEYS if k in self.step),
                           started=time.time())

    def fail(self, why):
        why = mask_secrets(why, (self.params['join_token'], self.params['unlock_key']))
        what = 'carry out step %s (%s)' % (self.step.get('seq', '?'), self.step.get('desc') or self.step.get('action')) \
            if self.step else 'read %s' % ' and '.join(self.params['read'])
        self.result['finished'] = time.time()
        self.module.fail_json(msg='Cannot %s: %s' % (what, why), **self.result)

    # Node steps, on the node's own Engine.
    def member(self, **params):
        params.setdefault('timeout', self.params['timeout'])
        member = SwarmMember(self.api, params, check_mode=self.module.check_mode)
        member.read()
        return member

    def node_step(self, method, **params):
        member = self.member(**params)
        try:
            getattr(member, method)()
        finally:
            self.result['changed'] = member.changed

    def unlock(self):
        if not self.params['unlock_key']:
            raise MemberError('no unlock key: give swarm_unlock_key (every manager is locked, so none can tell it)')
        self.node_step('unlocked', unlock_key=self.params['unlock_key'])

    def init(self):
        s = self.step
        self.node_step('init', advertise_addr=s.get('advertise_addr'), listen_addr=s.get('listen_addr'),
                       data_path_addr=s.get('data_path_addr'), data_path_port=s.get('data_path_port'),
                       default_addr_pool=s.get('default_addr_pool'), subnet_size=s.get('subnet_size'),
                       autolock=s.get('autolock'), force=False)

    def leave(self):
        self.node_step('absent', force=bool(self.step.get('force')))

    def join(self):
        s = self.step
        self.node_step('joined', advertise_addr=s.get('advertise_addr'), listen_addr=s.get('listen_addr'),
                       data_path_addr=s.get('data_path_addr'), join_token=self.params['join_token'],
                       remote_addrs=self.params['remote_addrs'], expected_cluster_id=s.get('cluster_id') or None,
                       availability=s.get('availability'), force=False)

    # Cluster steps, on a manager's Engine.
    def cluster(self):
        return SwarmCluster(self.api, check_mode=self.module.check_mode, timeout=self.params['timeout'])

    def node_id(self):
        node_id = self.step.get('node_id')
        if not node_id:
            raise MemberError('%s has no node ID in this plan (it had not joined when the plan was made); run again'
                              % self.step.get('node'))
        return node_id

    def cluster_step(self, call):
        cluster = self.cluster()
        try:
            call(cluster)
        finally:
            self.result['changed'] = cluster.changed

    def autolock(self):
        self.cluster_step(lambda c: c.update_swarm(autolock=bool(self.step.get('enabled'))))

    def rotate(self):
        self.cluster_step(lambda c: c.update_swarm(rotate=list(self.step.get('which') or [])))

    def promote(self):
        self.cluster_step(lambda c: c.update_node(self.node_id(), role='manager'))

    def demote(self):
        self.cluster_step(lambda c: c.update_node(self.node_id(), role='worker'))

    def remove_stale(self):
        def call(cluster):
            node = cluster.node(self.node_id())
            if node is not None and self.step.get('demote') and (node.get('Spec') or {}).get('Role') == 'manager':
                cluster.update_node(self.node_id(), role='worker')
            cluster.remove_node(self.node_id(), force=True)
        self.cluster_step(call)

    def remove(self):
        self.cluster_step(lambda c: c.remove_node(self.node_id(), force=bool(self.step.get('force')),
                                                  wait_down=bool(self.step.get('wait_down'))))

    def update(self):
        s = self.step
        self.cluster_step(lambda c: c.update_node(self.node_id(), labels=s.get('labels') or {},
                                                  labels_mode=s.get('labels_mode') or 'merge',
                                                  availability=s.get('availability')))

    def run(self):
        actions = {
            'unlock': self.unlock, 'init': self.init, 'leave': self.leave, 'join': self.join,
            'autolock': self.autolock, 'rotate': self.rotate, 'promote': self.promote, 'demote': self.demote,
            'remove_stale': self.remove_stale, 'remove': self.remove, 'update': self.update,
        }
        if self.step and self.step.get('action') not in actions:
            self.fail('step.action is %r; a step of anchorage.swarm.swarm_plan has one of %s'
                      % (self.step.get('action'), ', '.join(sorted(actions))))
        try:
            self.api = engine_from_params(self.params, self.module.warn)
            if self.step:
                actions[self.step['action']]()
            else:
                self.result.update(self.cluster().secrets(self.params['read']))
        except (EngineAPIError, MemberError) as exc:
            self.fail(getattr(exc, 'message', None) or str(exc))
        self.result['finished'] = time.time()
        return self.result


def main():
    module = AnsibleModule(
        argument_spec=engine_argument_spec(
            timeout=120,
            step=dict(type='dict'),
            read=dict(type='list', elements='str', choices=['join_tokens', 'unlock_key']),
            join_token=dict(type='str', no_log=True),
            remote_addrs=dict(type='list', elements='str'),
            unlock_key=dict(type='str', no_log=True),
        ),
        required_one_of=[('step', 'read')],
        mutually_exclusive=[('step', 'read')],
        supports_check_mode=True,
    )
    module.exit_json(**SwarmStep(module).run())


if __name__ == '__main__':
    main()
