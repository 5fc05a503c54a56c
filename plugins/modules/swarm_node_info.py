#!/usr/bin/python
# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: swarm_node_info
short_description: Read a node's Docker Engine and swarm state as one compact record, without secrets
version_added: 0.1.0
description:
  - Reads the local Docker Engine (C(/version), C(/info)) and, on a manager, the swarm (C(/swarm), C(/nodes)),
    and returns one record that a planner can compare across hosts to decide who inits, who joins and
    whether the managers still have a quorum.
  - Talks to the Engine API over its unix socket with the Python standard library; no Docker SDK is needed.
  - Or, from another host such as the controller, over TCP with TLS (O(docker_host=tcp://HOST:2376) with
    O(ca_path), O(client_cert) and O(client_key)); the Engine's certificate is always verified, plain TCP is
    refused unless O(allow_plaintext=true).
  - Why this module exists. M(community.docker.docker_swarm_info) returns the swarm's join tokens among its
    facts, so its output is a secret that must not be registered, logged or shown; it needs the Docker SDK
    for Python; and it does not give a worker's membership and remote managers and a manager's quorum in one
    compact record.
  - Join tokens and the unlock key are never returned.
author:
  - Anchorage developers (@anchorage)
extends_documentation_fragment:
  - anchorage.swarm.engine
  - anchorage.swarm.attributes
  - anchorage.swarm.attributes.actiongroup_docker
attributes:
  check_mode:
    support: full
    details: The module only reads; it runs the same in check mode.
  diff_mode:
    support: none
  idempotent:
    support: full
options: {}
seealso:
  - module: anchorage.swarm.swarm_member
  - module: community.docker.docker_swarm_info
"""

EXAMPLES = r"""
- name: Read the swarm state of every node
  anchorage.swarm.swarm_node_info:
  register: swarm_state

- name: Nodes that are already managers
  ansible.builtin.debug:
    msg: "{{ ansible_play_hosts | map('extract', hostvars, ['swarm_state', 'swarm_node'])
             | selectattr('manager') | map(attribute='hostname') | list }}"

- name: Read a lab machine's Engine from the controller, over TLS
  anchorage.swarm.swarm_node_info:
    docker_host: tcp://172.29.77.10:2376
    ca_path: .lab/anchorage-lab/tls/ca.pem
    client_cert: .lab/anchorage-lab/tls/cert.pem
    client_key: .lab/anchorage-lab/tls/key.pem
  delegate_to: localhost
  register: manager1_state
"""

RETURN = r"""
swarm_node:
  description: The Engine and swarm state of this node.
  returned: success
  type: dict
  contains:
    engine_version:
      description: Version of the Engine.
      type: str
      sample: 20.10.24+dfsg1
    api_version:
      description: Highest API version the Engine serves.
      type: str
      sample: "1.41"
    hostname:
      description: The Engine's host name (its swarm node name).
      type: str
      sample: node1
    operating_system:
      description: Operating system the Engine reports.
      type: str
      sample: Debian GNU/Linux 12 (bookworm)
    kernel_version:
      description: Kernel the Engine runs on.
      type: str
      sample: 6.1.0-28-amd64
    local_state:
      description: The node's swarm state, V(inactive), V(pending), V(active), V(error) or V(locked).
      type: str
      sample: active
    node_id:
      description: Swarm node ID, empty when not in a swarm.
      type: str
      sample: 4xqp3zqf8mb0qj2ogtq4qmxp1
    node_addr:
      description: Address the node is reached at in the swarm, empty when not in a swarm.
      type: str
      sample: 10.0.0.11
    manager:
      description: The node is a manager that can serve the swarm's control API.
      type: bool
    remote_managers:
      description: Addresses (V(IP:port)) of the managers this node knows of; empty when not in a swarm.
      type: list
      elements: str
      sample: ["10.0.0.11:2377"]
    swarm_error:
      description: The Engine's last swarm error (for example why a join is pending), or empty.
      type: str
    cluster_id:
      description:
        - ID of the swarm. Empty when not in a swarm, and on a worker, whose Engine does not report it.
        - Empty too on a manager that cannot read the swarm (no quorum).
      type: str
      sample: 8xkbd2zhv1fhfvqy3t0oqbqzh
    cluster_created:
      description: When the swarm was created, or empty when RV(swarm_node.cluster_id) is.
      type: str
      sample: "2026-11-26T14:15:00.123456789Z"
    autolock:
      description: Managers are locked when their Engine restarts. V(null) unless a manager read the swarm.
      type: bool
    data_path_port:
      description: UDP port of the overlay data path (VXLAN). V(null) unless a manager read it.
      type: int
      sample: 4789
    default_addr_pool:
      description: Address pools overlay networks are allocated from; empty unless a manager read them.
      type: list
      elements: str
      sample: ["10.0.0.0/8"]
    subnet_size:
      description: Prefix length of each overlay network's subnet. V(null) unless a manager read it.
      type: int
      sample: 24
    quorum:
      description:
        - V(true) when this manager could read the swarm and its nodes, which needs a leader and so a quorum
          of managers; V(false) when the Engine refused (see RV(swarm_node.quorum_error)).
        - V(null) on a node that is not a manager.
      type: bool
    quorum_error:
      description: The Engine's answer when a manager could not read the swarm or its nodes, or empty.
      type: str
      sample: The swarm does not have a leader. It's possible that too few managers are online.
    nodes:
      description: The swarm's nodes, by host name then ID, as a manager with quorum sees them; empty otherwise.
      type: list
      elements: dict
      contains:
        id:
          description: Node ID.
          type: str
        hostname:
          description: Host name of the node.
          type: str
        role:
          description: V(manager) or V(worker).
          type: str
        availability:
          description: V(active), V(pause) or V(drain).
          type: str
        labels:
          description: Node labels.
          type: dict
        state:
          description: V(ready), V(down), V(unknown) or V(disconnected).
          type: str
        addr:
          description: Address the node is reached at.
          type: str
        leader:
          description: The node is the managers' leader.
          type: bool
        reachability:
          description: For a manager, V(reachable) or V(unreachable); empty for a worker.
          type: str
        manager_addr:
          description: For a manager, its raft address (V(IP:2377)); empty for a worker.
          type: str
        engine_version:
          description: Engine version of the node.
          type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.anchorage.swarm.plugins.module_utils._docker_api import (
    EngineAPIError, engine_argument_spec, engine_from_params, info_record)
from ansible_collections.anchorage.swarm.plugins.module_utils._swarm import node_record


class SwarmNodeInfo(object):
    def __init__(self, module):
        self.module = module
        self.api = None

    def fail(self, why):
        self.module.fail_json(msg='Cannot read the swarm state: %s' % why)

    def engine(self):
        version = self.api.get('/version')
        record = info_record(self.api.get('/info'))
        return dict(
            record,
            engine_version=version.get('Version', ''),
            api_version=version.get('ApiVersion', ''),
            autolock=None, data_path_port=None, default_addr_pool=[], subnet_size=None,
            quorum=None, quorum_error='', nodes=[],
        )

    def swarm(self, state):
        """Add what only a manager with a leader can read; a refusal is a lost quorum, not a failure."""
        try:
            swarm = self.api.get('/swarm')
            # GET /swarm carries the worker and manager join tokens. Drop them at once: this
            # record is registered and printed, and a join token lets any host into the swarm.
            swarm.pop('JoinTokens', None)
            nodes = self.api.get('/nodes')
        except EngineAPIError as exc:
            if exc.status is None:
                raise
            state.update(quorum=False, quorum_error=exc.message)
            return
        spec = swarm.get('Spec') or {}
        state.update(
            autolock=bool((spec.get('EncryptionConfig') or {}).get('AutoLockManagers')),
            # Engines before API 1.40 do not report it.
            data_path_port=swarm.get('DataPathPort'),
            default_addr_pool=swarm.get('DefaultAddrPool') or [],
            subnet_size=swarm.get('SubnetSize'),
            quorum=True,
            nodes=sorted((node_record(node) for node in nodes or []), key=lambda n: (n['hostname'], n['id'])),
        )

    def run(self):
        try:
            self.api = engine_from_params(self.module.params, self.module.warn)
            state = self.engine()
            if state['manager']:
                self.swarm(state)
        except EngineAPIError as exc:
            self.fail(exc.message)
        return dict(changed=False, swarm_node=state)


def main():
    module = AnsibleModule(
        argument_spec=engine_argument_spec(),
        supports_check_mode=True,
    )
    module.exit_json(**SwarmNodeInfo(module).run())


if __name__ == '__main__':
    main()
