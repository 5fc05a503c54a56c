#!/usr/bin/python
# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: stack_info
short_description: Read a Docker stack's services, tasks and logs
version_added: 0.1.0
description:
  - Returns what C(docker stack services), C(docker stack ps) and C(docker service logs) show for a stack, as data,
    through the Engine API of the manager the task runs on.
  - Services come with their desired, running and updated replica counts; tasks with their node, state and error;
    logs, when asked, as C(docker service logs) prints them (V(<service>.<slot>.<task>@<node> | line)).
  - Why this module exists. M(community.docker.docker_stack_info) and M(community.docker.docker_stack_task_info)
    run the docker CLI on the node and return its text columns, without replica progress, task errors or logs.
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
      - The module only reads.
  diff_mode:
    support: none
  idempotent:
    support: full
options:
  name:
    description: The stack's name.
    type: str
    required: true
  services:
    description: Only these services (short names as in the compose file, or full names); all when empty.
    type: list
    elements: str
    default: []
  logs:
    description: Return each service's logs.
    type: bool
    default: false
  logs_tail:
    description:
      - Lines per service from the end of its logs; V(0) for all.
      - A negative value fails the task before the Engine is contacted (the Engine refuses a negative tail).
    type: int
    default: 100
  mask_values:
    description:
      - Further values to mask in the returned logs (for example a password the stack got from a secret file),
        each replaced by V(<masked mask_values[N]>). Values shorter than 4 characters are not masked.
      - The values of the services' environment variables whose names contain V(PASSWORD), V(PASSWD), V(TOKEN),
        V(SECRET), V(KEY), V(CREDENTIAL) or V(AUTH) (or end in V(PASS)) are always masked, as V(<masked NAME>).
    type: list
    elements: str
    default: []
    version_added: 0.2.0
notes:
  - Log lines are masked by this module (see O(logs) and O(mask_values)) before they are returned; a secret that
    a service prints and that the module does not know (neither in a secret-looking environment variable nor in
    O(mask_values)) is returned as it was printed.
  - Must run on a swarm manager, or reach one with O(docker_host) (V(tcp://MANAGER:2376) with the TLS files).
    A stack that does not exist gives empty lists.
  - The Docker SDK for Python is not needed; the Engine API is spoken with the standard library.
seealso:
  - module: anchorage.swarm.stack
"""

EXAMPLES = r"""
- name: Read the demo stack with the last 20 log lines of each service
  anchorage.swarm.stack_info:
    name: demo
    logs: true
    logs_tail: 20
  register: demo

- name: Fail when a service is not fully running
  ansible.builtin.assert:
    that: item.running == item.desired
    fail_msg: "{{ item.name }}: {{ item.running }}/{{ item.desired }} running"
  loop: "{{ demo.services }}"
  loop_control:
    label: "{{ item.name }}"
"""

RETURN = r"""
services:
  description: The stack's services, by name.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Full service name.
      type: str
      sample: demo_web
    id:
      description: Service ID.
      type: str
    mode:
      description: V(replicated), V(global), V(replicated-job) or V(global-job).
      type: str
    image:
      description: The image the service runs (with its digest when it was resolved).
      type: str
    desired:
      description: Tasks wanted (replicas; eligible nodes for a global service; completions for a job).
      type: int
    running:
      description: Tasks running the present spec.
      type: int
    updated:
      description: Tasks of the present spec that are wanted running.
      type: int
    update_state:
      description: The Engine's update state (V(updating), V(completed), V(rollback_completed), ...), or empty.
      type: str
    ports:
      description: Published ports as V(published:target/protocol (mode)).
      type: list
      elements: str
  sample:
    - {"name": "demo_web", "mode": "global", "desired": 3, "running": 3, "updated": 3, "update_state": "completed",
       "ports": ["8080:8080/tcp (host)"]}
tasks:
  description: The stack's tasks, newest first per service and slot, as C(docker stack ps) lists them.
  returned: always
  type: list
  elements: dict
  sample:
    - {"id": "q64zrl23beuq", "name": "demo_web.1", "service": "demo_web", "slot": 1, "node": "worker1",
       "state": "running", "desired_state": "running", "error": "", "image": "registry:5000/anchorage/demo-web:1"}
logs:
  description: Per service, its log lines as C(docker service logs) prints them; only with O(logs=true).
  returned: when O(logs=true)
  type: dict
  sample: {"demo_web": ["demo_web.1.q64zrl23beuq@worker1 | listening on :8080"]}
"""

import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.anchorage.swarm.plugins.module_utils._stack import (
    node_names as list_node_names, option_problems, rollout)
from ansible_collections.anchorage.swarm.plugins.module_utils._docker_api import engine_argument_spec
from ansible_collections.anchorage.swarm.plugins.module_utils._stack_engine import EngineError, StackEngine


def _port_text(port):
    return '%s:%s/%s (%s)' % (port.get('PublishedPort', ''), port.get('TargetPort'), port.get('Protocol', 'tcp'),
                              port.get('PublishMode', 'ingress'))


def format_log_line(line, service, task_names, node_names):
    """One line of the Engine's service logs with details ("com.docker.swarm.node.id=..,...task.id=.. text") as
    `docker service logs` prints it."""
    details, _sep, text = line.partition(' ')
    attrs = dict(part.split('=', 1) for part in details.split(',') if '=' in part)
    if 'com.docker.swarm.task.id' not in attrs:
        return line
    task_id = attrs['com.docker.swarm.task.id']
    return '%s.%s@%s | %s' % (task_names.get(task_id, service), task_id[:12],
                              node_names.get(attrs.get('com.docker.swarm.node.id'), attrs.get('com.docker.swarm.node.id', '')),
                              text)


SECRET_NAME = re.compile(r'PASSWORD|PASSWD|PASS$|TOKEN|SECRET|KEY|CREDENTIAL|AUTH', re.I)
MIN_MASKED = 4  # shorter values would mask ordinary words of the log


def secret_values(spec):
    """The values of a service's environment variables whose names look secret (PASSWORD, TOKEN, SECRET, KEY...)."""
    values = {}
    for entry in ((spec.get('TaskTemplate') or {}).get('ContainerSpec') or {}).get('Env') or []:
        key, sep, value = str(entry).partition('=')
        if sep and SECRET_NAME.search(key) and len(value) >= MIN_MASKED:
            values[value] = key
    return values


def mask_line(line, values):
    """LINE with each of VALUES (value -> its variable's name) replaced by <masked NAME>, longest values first."""
    for value in sorted(values, key=len, reverse=True):
        if value in line:
            line = line.replace(value, '<masked %s>' % values[value])
    return line


class StackInfo(object):
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.name = self.params['name']

    def _wanted(self, service_name):
        wanted = self.params['services']
        short = service_name[len(self.name) + 1:]
        return not wanted or service_name in wanted or short in wanted

    def read(self):
        engine = StackEngine(self.params, warn=self.module.warn)
        nodes = engine.nodes()
        node_names = list_node_names(nodes)
        services = sorted((s for s in engine.services(self.name) if self._wanted(s['Spec']['Name'])),
                          key=lambda s: s['Spec']['Name'])
        result = {'changed': False, 'services': [], 'tasks': []}
        if self.params['logs']:
            result['logs'] = {}
        for service in services:
            spec = service['Spec']
            name = spec['Name']
            tasks = engine.tasks(service_id=service['ID'])
            progress = rollout(service, tasks, nodes)
            result['services'].append({
                'name': name,
                'id': service['ID'],
                'mode': progress['mode'],
                'image': ((spec.get('TaskTemplate') or {}).get('ContainerSpec') or {}).get('Image', ''),
                'desired': progress['desired'],
                'running': progress['running'],
                'updated': progress['updated'],
                'update_state': progress['update_state'],
                'ports': [_port_text(p) for p in ((service.get('Endpoint') or {}).get('Ports') or [])],
            })
            task_names = {}
            for task in sorted(tasks, key=lambda t: (t.get('Slot') or 0, t.get('NodeID') or '',
                                                     -_timestamp_key(t))):
                slot = task.get('Slot')
                task_name = '%s.%s' % (name, slot if slot else task.get('NodeID', ''))
                task_names[task['ID']] = task_name
                status = task.get('Status') or {}
                result['tasks'].append({
                    'id': task['ID'][:12],
                    'name': task_name,
                    'service': name,
                    'slot': slot,
                    'node': node_names.get(task.get('NodeID'), task.get('NodeID') or ''),
                    'state': status.get('State', ''),
                    'desired_state': task.get('DesiredState', ''),
                    'error': status.get('Err') or '',
                    'message': status.get('Message') or '',
                    'timestamp': status.get('Timestamp') or '',
                    'image': ((task.get('Spec') or {}).get('ContainerSpec') or {}).get('Image', ''),
                })
            if self.params['logs']:
                raw = engine.logs(service['ID'], tail=self.params['logs_tail'] or 'all')
                text = raw.decode('utf-8', 'replace') if isinstance(raw, bytes) else ''.join(
                    chunk.decode('utf-8', 'replace') for chunk in raw)
                masked = secret_values(spec)
                masked.update((v, 'mask_values[%d]' % i) for i, v in enumerate(self.params['mask_values'])
                              if v and len(v) >= MIN_MASKED and v not in masked)
                result['logs'][name] = [mask_line(format_log_line(line, name, task_names, node_names), masked)
                                        for line in text.splitlines() if line]
        return result

    def run(self):
        problems = option_problems(self.params)
        if problems:
            self.module.fail_json(msg='Cannot read stack %s: %s' % (self.name, '; '.join(problems)))
        try:
            result = self.read()
        except EngineError as exc:
            self.module.fail_json(msg='Cannot read stack %s: %s' % (self.name, exc))
        self.module.exit_json(**result)


def _timestamp_key(task):
    """Newer tasks first within a slot: the Engine's RFC 3339 timestamps sort as text, so map them to a number."""
    stamp = (task.get('Status') or {}).get('Timestamp') or ''
    digits = ''.join(c for c in stamp if c.isdigit())[:20]
    return int(digits or 0)


def main():
    module = AnsibleModule(
        argument_spec=engine_argument_spec(
            name=dict(type='str', required=True),
            services=dict(type='list', elements='str', default=[]),
            logs=dict(type='bool', default=False),
            logs_tail=dict(type='int', default=100),
            mask_values=dict(type='list', elements='str', default=[], no_log=True),
        ),
        supports_check_mode=True,
    )
    StackInfo(module).run()


if __name__ == '__main__':
    main()
