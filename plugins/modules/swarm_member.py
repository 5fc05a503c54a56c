#!/usr/bin/python
# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: swarm_member
short_description: Make this node init, join, leave or unlock a Docker swarm, checking which swarm it is in
version_added: 0.1.0
description:
  - Manages the swarm membership of the node the task runs on, through the Engine API on its unix socket.
    No Docker SDK is needed.
  - V(init) makes the node the first manager of a new swarm; V(joined) makes it join a swarm with a join token
    (the token decides whether it joins as a manager or a worker); V(absent) makes it leave;
    V(unlocked) unlocks a manager whose swarm has autolock on, after its Engine restarted.
  - With O(expected_cluster_id), a manager that already belongs to another swarm is reported instead of
    being taken as joined. A worker's Engine does not report the swarm's ID, so for a worker this check cannot be
    made and an active worker counts as joined.
  - Join tokens and the unlock key are never returned, and are masked in messages.
  - Why this module exists. M(community.docker.docker_swarm) needs the Docker SDK for Python 6.0 or later
    for O(data_path_port), which Debian 12's C(python3-docker) 5.0 lacks; its O(community.docker.docker_swarm#module:state=join)
    reports success when the node is in any swarm, so a node left in a foreign swarm goes unnoticed; and its
    results carry the join tokens and the unlock key, so they cannot be registered or shown safely.
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
      - The decision is made from the node's current state, and nothing is posted to the Engine.
      - Whether the Engine would accept the request (a valid token, a reachable manager, a quorum-safe leave)
        is not known in check mode.
  diff_mode:
    support: full
    details:
      - The diff shows C(local_state), C(manager) and C(cluster_id) before and after.
      - In check mode C(after) is a prediction; values it cannot know (a new swarm's ID, the role a join token gives)
        are empty or V(null).
  idempotent:
    support: full
options:
  state:
    description:
      - V(init) creates a swarm with this node as its first manager. Nothing changes when the node already is an
        active manager (of the swarm O(expected_cluster_id) when it is given). Fails on a node that is a worker,
        a locked node, and a node in a V(pending) or V(error) swarm state unless O(force=true).
      - V(joined) joins the swarm of O(remote_addrs) with O(join_token). Nothing changes when the node is already
        active in a swarm, unless it is a manager of a swarm other than O(expected_cluster_id), which fails unless
        O(force=true), which makes it leave that swarm and join this one. A node in a V(pending) or V(error) state
        (a join that did not complete) leaves it first. Waits until the node is active.
      - V(absent) leaves the swarm. The Engine refuses to let a manager leave without O(force=true), since that may
        break the managers' quorum; demote it first. A refusal fails the task; it is never retried with force.
      - V(unlocked) unlocks a locked manager with O(unlock_key) and waits until it is active.
        Nothing changes on a node that is not locked.
    type: str
    choices: [init, joined, absent, unlocked]
    required: true
  timeout:
    description:
      - Seconds to wait for each answer of the Engine, and for the node to become active after a join or an unlock.
      - From V(1) to V(86400); any other value fails before the Engine is asked.
    type: int
    default: 120
  advertise_addr:
    description:
      - Address other nodes reach this node at, as an IP, V(IP:port) or an interface name (V(eth1)).
      - Without it the Engine picks one, and fails when the host has several.
      - Used by O(state=init) and O(state=joined).
    type: str
  listen_addr:
    description: Address the node listens on for swarm control traffic. Used by O(state=init) and O(state=joined).
    type: str
    default: 0.0.0.0:2377
  data_path_addr:
    description: Address or interface for the overlay data traffic, to keep it apart from control traffic.
    type: str
  availability:
    description:
      - Availability the node joins with (the join request's C(Availability)), so that no task is placed on it
        before it is ready for them. Only for O(state=joined); a node already in the swarm keeps its availability.
      - The swarm role joins a node into a running swarm at V(pause) until the rest of the run (the registry's CA,
        for one) has converged it.
    type: str
    choices: [active, pause, drain]
  data_path_port:
    description:
      - UDP port of the overlay data path (VXLAN); the Engine's default is 4789. Only for O(state=init).
      - From V(1024) to V(49151), as dockerd takes it; any other value fails before the Engine is asked.
    type: int
  default_addr_pool:
    description:
      - Address pools (CIDR, V(10.20.0.0/16)) overlay networks are allocated from. Only for O(state=init).
      - An item that is no CIDR fails before the Engine is asked.
    type: list
    elements: str
  subnet_size:
    description:
      - Prefix length of each overlay network taken from O(default_addr_pool). Only for O(state=init).
      - At most V(29) and no shorter than the pools' own prefix, as dockerd takes it; checked before the Engine is
        asked.
    type: int
  autolock:
    description:
      - Lock the managers when their Engine restarts, until they are given the unlock key. Only for O(state=init).
      - The key is read on a manager with C(docker swarm unlock-key); this module never returns it.
    type: bool
    default: false
  join_token:
    description: The worker or manager join token. Required when O(state=joined).
    type: str
  remote_addrs:
    description: Addresses (V(IP:port)) of managers of the swarm to join. Required when O(state=joined).
    type: list
    elements: str
  expected_cluster_id:
    description:
      - The ID of the swarm this node must belong to, when it already is a manager of a swarm (O(state=init) and
        O(state=joined)).
      - Read it from a manager with M(anchorage.swarm.swarm_node_info).
    type: str
  force:
    description:
      - O(state=absent) - let a manager leave, even if that breaks the quorum.
      - O(state=joined) - make a manager of a swarm other than O(expected_cluster_id) leave it and join.
        Every join input (the token's V(SWMTKN-1-<digest>-<secret>) form, O(remote_addrs) as V(host:port), the
        addresses as IPs or interface names, O(data_path_port), O(timeout)) is checked before the node leaves, so a
        bad one changes nothing.
        A join that fails after the leave says so, and the result reports the node's state after the failure.
      - O(state=init) - make a node in a V(pending) or V(error) swarm state leave it before the init.
    type: bool
    default: false
  unlock_key:
    description:
      - The swarm's unlock key, V(SWMKEY-1-<key>) as C(docker swarm unlock-key -q) prints it. Required when
        O(state=unlocked); a value of another form fails before the Engine is asked.
    type: str
seealso:
  - module: anchorage.swarm.swarm_node_info
  - module: community.docker.docker_swarm
"""

EXAMPLES = r"""
- name: Create the swarm on the first manager
  anchorage.swarm.swarm_member:
    state: init
    advertise_addr: eth1
    data_path_port: 4790
    default_addr_pool: [10.20.0.0/16]
    subnet_size: 24

- name: Join the other nodes, and catch a manager left in another swarm
  anchorage.swarm.swarm_member:
    state: joined
    advertise_addr: eth1
    remote_addrs: ["{{ first_manager_addr }}:2377"]
    join_token: "{{ worker_token }}"
    expected_cluster_id: "{{ cluster_id }}"

- name: Unlock a manager after its Engine restarted
  anchorage.swarm.swarm_member:
    state: unlocked
    unlock_key: "{{ vault_swarm_unlock_key }}"
"""

RETURN = r"""
local_state:
  description: The node's swarm state afterwards, V(inactive), V(pending), V(active), V(error) or V(locked).
  returned: success
  type: str
  sample: active
node_id:
  description: The node's swarm ID, empty when it is not in a swarm.
  returned: success
  type: str
  sample: 4xqp3zqf8mb0qj2ogtq4qmxp1
cluster_id:
  description: The swarm's ID, empty when the node is not in a swarm and on a worker (its Engine does not report it).
  returned: success
  type: str
  sample: 8xkbd2zhv1fhfvqy3t0oqbqzh
manager:
  description: The node is a manager that can serve the swarm's control API.
  returned: success
  type: bool
node_addr:
  description: Address the node is reached at in the swarm, empty when it is not in a swarm.
  returned: success
  type: str
  sample: 10.0.0.11
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.anchorage.swarm.plugins.module_utils._docker_api import (
    EngineAPIError,
    engine_argument_spec,
    engine_from_params,
)
from ansible_collections.anchorage.swarm.plugins.module_utils._swarm_member import (
    MemberError,
    SwarmMember,
    input_problems,
    mask_secrets,
)

ACTIONS = {
    'init': 'init the swarm',
    'joined': 'join the swarm',
    'absent': 'leave the swarm',
    'unlocked': 'unlock the swarm',
}


class SwarmMemberModule(object):
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.member = None
        self.result = dict(changed=False)

    def fail(self, why):
        # no_log masks the given ones in the output too; replacing them here keeps them out of msg even when the
        # Engine quotes what it was sent, or a token or key it was not (which no_log does not know).
        why = mask_secrets(why, (self.params['join_token'], self.params['unlock_key']))
        self.note()
        self.module.fail_json(msg='Cannot %s: %s' % (ACTIONS[self.params['state']], why), **self.result)

    def note(self):
        member = self.member
        if member is not None:
            self.result['changed'] = member.changed
            if member.node:
                self.result.update((key, member.node[key])
                                   for key in ('local_state', 'node_id', 'cluster_id', 'manager', 'node_addr'))

    def run(self):
        problems = input_problems(self.params['state'], self.params)
        if problems:
            # Checked before the client is made (it would raise on a negative or huge socket timeout), so that a
            # bad input changes nothing and no Engine is asked.
            self.fail('; '.join(problems) + ' (nothing was changed)')
        try:
            self.member = SwarmMember(engine_from_params(self.params, self.module.warn), self.params,
                                      check_mode=self.module.check_mode)
            before = self.member.summary(self.member.read())
            self.member.predicted = before
            member = self.member
            {'init': member.init, 'joined': member.joined, 'absent': member.absent,
             'unlocked': member.unlocked}[self.params['state']]()
        except (EngineAPIError, MemberError) as exc:
            self.fail(getattr(exc, 'message', None) or str(exc))
        self.note()
        if self.module._diff:
            after = self.member.predicted if self.module.check_mode else self.member.summary(self.member.node)
            self.result['diff'] = dict(before=before, after=after)
        return self.result


def main():
    module = AnsibleModule(
        argument_spec=engine_argument_spec(
            timeout=120,
            state=dict(type='str', choices=['init', 'joined', 'absent', 'unlocked'], required=True),
            advertise_addr=dict(type='str'),
            listen_addr=dict(type='str', default='0.0.0.0:2377'),
            data_path_addr=dict(type='str'),
            availability=dict(type='str', choices=['active', 'pause', 'drain']),
            data_path_port=dict(type='int'),
            default_addr_pool=dict(type='list', elements='str'),
            subnet_size=dict(type='int'),
            autolock=dict(type='bool', default=False),
            join_token=dict(type='str', no_log=True),
            remote_addrs=dict(type='list', elements='str'),
            expected_cluster_id=dict(type='str'),
            force=dict(type='bool', default=False),
            unlock_key=dict(type='str', no_log=True),
        ),
        required_if=[
            ('state', 'joined', ['join_token', 'remote_addrs']),
            ('state', 'unlocked', ['unlock_key']),
        ],
        supports_check_mode=True,
    )
    module.exit_json(**SwarmMemberModule(module).run())


if __name__ == '__main__':
    main()
