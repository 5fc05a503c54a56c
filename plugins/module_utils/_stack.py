# -*- coding: utf-8 -*-
# Copyright: Anchorage developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Stack decisions as pure functions: what a deploy changes, how a service's rollout is going.

The stack module observes the Engine, calls these, and then acts; nothing here talks to Docker, so each decision
is unit tested on its own (tests/unit/plugins/module_utils/test_stack.py).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.anchorage.swarm.plugins.module_utils._compose import NAMESPACE_LABEL

# Task states (swarmkit api.TaskState) in lifecycle order; a task at or past "running" has started.
TASK_STATES = ('new', 'allocated', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting', 'running',
               'complete', 'shutdown', 'failed', 'rejected', 'remove', 'orphaned')
FAILED_STATES = ('failed', 'rejected')
# UpdateStatus.State values that end a rollout, and what each means for the deploy.
UPDATE_DONE = ('completed',)
UPDATE_FAILED = ('paused', 'rollback_paused')
UPDATE_ROLLED_BACK = ('rollback_completed',)


# Integer options of stack and stack_info with a lower bound: (minimum, what a value means, an example to give).
# wait_timeout bounds every wait (convergence, networks and tasks going); the Engine's service logs endpoint
# refuses a negative tail, and 0 is this collection's "all lines".
OPTION_MINIMUMS = {
    'wait_timeout': (1, 'a number of seconds from 1 on', 300),
    'logs_tail': (0, 'a positive number of lines, or 0 for all lines', 100),
}


def option_problems(params):
    """Messages for each option of OPTION_MINIMUMS in PARAMS below its minimum (None: not given), naming the
    option and the fix; an empty list when all are in range. Checked before the Engine is contacted."""
    problems = []
    for name in sorted(OPTION_MINIMUMS):
        value = params.get(name)
        minimum, meaning, example = OPTION_MINIMUMS[name]
        if value is not None and value < minimum:
            problems.append('%s must be %s (at least %d), not %r: give e.g. %s=%d'
                            % (name, meaning, minimum, value, name, example))
    return problems


def _prune(value, key=None):
    """Drop what the Engine and the CLI leave out or add as empty: None, "", [], {}, False and 0.

    Exceptions: a replica count of 0 means something, and the service mode keys are empty objects (Global: {}).
    """
    if isinstance(value, dict):
        result = {}
        for k, v in value.items():
            pruned = _prune(v, k)
            if pruned is not None or (key == 'Mode' and isinstance(v, dict)):
                result[k] = pruned if pruned is not None else {}
        return result or None
    if isinstance(value, list):
        result = [_prune(v) for v in value]
        result = [v for v in result if v is not None]
        return result or None
    if value is None or value == '' or value is False:
        return None
    if value == 0 and not isinstance(value, bool) and key not in ('Replicas', 'MaxConcurrent', 'TotalCompletions'):
        return None
    return value


# What the Engine stores for a field a spec leaves empty (swarmkit's defaults, which `docker service inspect` shows):
# filled in on both sides before comparing, so that an explicit default and an omitted field compare equal.
_UPDATE_DEFAULTS = {'FailureAction': 'pause', 'Monitor': 5 * 10 ** 9, 'Order': 'stop-first'}
_RESTART_DEFAULTS = {'Condition': 'any', 'Delay': 5 * 10 ** 9}
_STOP_GRACE_DEFAULT = 10 * 10 ** 9


def _fill(section, defaults):
    for key, value in defaults.items():
        if not section.get(key):
            section[key] = value


def comparable(spec, network_names=None):
    """A service spec reduced to what a deploy decides, so that a spec the Engine returns (which names networks by
    ID and fills in defaults) and one built from a compose file compare equal when a deploy would change nothing."""
    spec = copy.deepcopy(spec or {})
    spec.pop('Version', None)
    task = spec.setdefault('TaskTemplate', {})
    task.pop('ForceUpdate', None)
    for key in ('UpdateConfig', 'RollbackConfig'):
        if spec.get(key) is None:
            spec[key] = {'Parallelism': 1}
        _fill(spec[key], _UPDATE_DEFAULTS)
    _fill(task.setdefault('RestartPolicy', {}), _RESTART_DEFAULTS)
    if task.get('Runtime') == 'container':
        task.pop('Runtime')
    container = task.get('ContainerSpec') or {}
    if not container.get('StopGracePeriod'):
        container['StopGracePeriod'] = _STOP_GRACE_DEFAULT
    if container.get('Isolation') == 'default':
        container.pop('Isolation')
    for ref in container.get('Secrets') or []:
        ref.pop('SecretID', None)
    for ref in container.get('Configs') or []:
        ref.pop('ConfigID', None)
    # API < 1.25 kept the networks next to the task template.
    networks = task.get('Networks') or spec.pop('Networks', None) or []
    names = network_names or {}
    for net in networks:
        net['Target'] = names.get(net.get('Target'), net.get('Target'))
    task['Networks'] = sorted(networks, key=lambda n: n.get('Target') or '')
    endpoint = spec.get('EndpointSpec') or {}
    if endpoint.get('Mode') == 'vip':
        endpoint.pop('Mode')
    for port in endpoint.get('Ports') or []:
        port.setdefault('Protocol', 'tcp')
        port.setdefault('PublishMode', 'ingress')
    return _prune(spec) or {}


def _flatten(value, prefix=''):
    if isinstance(value, dict) and value:
        result = {}
        for key, item in value.items():
            result.update(_flatten(item, '%s.%s' % (prefix, key) if prefix else key))
        return result
    return {prefix: value}


def spec_changes(desired, current):
    """The fields that differ between two comparable specs, as (before, after) dicts keyed by their path
    ("TaskTemplate.ContainerSpec.Image"); both empty when a deploy would change nothing."""
    before, after = _flatten(current or {}), _flatten(desired or {})
    before.pop('', None)
    after.pop('', None)
    paths = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
    return dict((p, before[p]) for p in paths if p in before), dict((p, after[p]) for p in paths if p in after)


def plan_services(desired, observed, prune=False):
    """What to do with each service.

    DESIRED maps a full service name to its comparable spec; OBSERVED maps a full name to the comparable spec of
    the running service. Returns a list of {'name', 'action' (create, update, unchanged, remove), 'before',
    'after'}, sorted by name, removals only when PRUNE.
    """
    steps = []
    for name in sorted(desired):
        if name not in observed:
            steps.append({'name': name, 'action': 'create', 'before': {}, 'after': _flatten(desired[name])})
            continue
        before, after = spec_changes(desired[name], observed[name])
        steps.append({'name': name, 'action': 'update' if after or before else 'unchanged', 'before': before, 'after': after})
    if prune:
        for name in sorted(set(observed) - set(desired)):
            steps.append({'name': name, 'action': 'remove', 'before': _flatten(observed[name]), 'after': {}})
    return steps


def stale_objects(existing, wanted, stack):
    """Names of the stack's secrets or configs (EXISTING: list of {'name', 'labels'}) that WANTED does not name."""
    return sorted(o['name'] for o in existing
                  if (o.get('labels') or {}).get(NAMESPACE_LABEL) == stack and o['name'] not in wanted)


def _task_image(task):
    return (((task.get('Spec') or {}).get('ContainerSpec') or {}).get('Image'))


def _is_current(task, service):
    """Whether TASK runs SERVICE's present task spec, not the one before an update (swarmkit's "dirty" test).

    A task's spec is the service's task template when the task was made, without the defaults the Engine shows
    on the service; both go through comparable() before they are compared.
    """
    template = (service.get('Spec') or {}).get('TaskTemplate') or {}
    spec = task.get('Spec') or {}
    if spec.get('ForceUpdate', 0) != template.get('ForceUpdate', 0):
        return False
    return comparable({'TaskTemplate': spec}).get('TaskTemplate') == comparable({'TaskTemplate': template}).get('TaskTemplate')


def _task_summary(task, node_names):
    status = task.get('Status') or {}
    return {
        'id': task.get('ID', '')[:12],
        'slot': task.get('Slot'),
        'node': node_names.get(task.get('NodeID'), task.get('NodeID') or ''),
        'state': status.get('State', ''),
        'desired_state': task.get('DesiredState', ''),
        'error': status.get('Err') or '',
        'message': status.get('Message') or '',
    }


def service_progress(service, tasks, node_names=None, eligible_nodes=None):
    """How far SERVICE (an Engine service object) has come, from its TASKS.

    Returns {'name', 'mode', 'desired', 'running', 'updated', 'completed', 'update_state', 'converged', 'failed',
    'rolled_back', 'message', 'errors'}: 'converged' once every wanted task runs the present spec (or a job has
    completed), 'rolled_back' when the Engine rolled an update back, 'failed' when the Engine paused the update,
    and 'errors' lists the newest failed tasks with their node and error, for the failure message.
    ELIGIBLE_NODES is the number of nodes a global service should run on, when known.
    """
    node_names = node_names or {}
    spec = service.get('Spec') or {}
    mode = spec.get('Mode') or {}
    update = service.get('UpdateStatus') or {}
    update_state = update.get('State') or ''
    live = [t for t in tasks if t.get('DesiredState') in ('running', 'complete')]
    current = [t for t in live if _is_current(t, service)]
    running = [t for t in current if (t.get('Status') or {}).get('State') == 'running']
    completed = [t for t in current if (t.get('Status') or {}).get('State') == 'complete']
    # After a rollback the failed tasks ran the spec that was rolled back, not the present one: show those.
    rolled_back = update_state in UPDATE_ROLLED_BACK
    failures = sorted((t for t in tasks if (t.get('Status') or {}).get('State') in FAILED_STATES
                       and (rolled_back or _is_current(t, service))),
                      key=lambda t: (t.get('Status') or {}).get('Timestamp') or '', reverse=True)
    result = {
        'name': spec.get('Name', ''),
        'update_state': update_state,
        'running': len(running),
        'updated': len(current),
        'completed': len(completed),
        'rolled_back': rolled_back,
        'failed': update_state in UPDATE_FAILED,
        'message': update.get('Message') or '',
        'errors': [_task_summary(t, node_names) for t in failures[:3]],
    }
    if 'Replicated' in mode:
        result['mode'] = 'replicated'
        result['desired'] = (mode['Replicated'] or {}).get('Replicas', 1)
        done = len(running) >= result['desired'] and len(live) == result['desired']
    elif 'Global' in mode:
        result['mode'] = 'global'
        nodes = set(t.get('NodeID') for t in live)
        result['desired'] = eligible_nodes if eligible_nodes is not None else len(nodes)
        done = len(running) >= result['desired'] and len(running) == len(live)
    elif 'ReplicatedJob' in mode:
        result['mode'] = 'replicated-job'
        result['desired'] = (mode['ReplicatedJob'] or {}).get('TotalCompletions', 1)
        done = len(completed) >= result['desired']
    else:
        result['mode'] = 'global-job'
        result['desired'] = eligible_nodes if eligible_nodes is not None else len(set(t.get('NodeID') for t in live))
        done = len(completed) >= result['desired'] and len(completed) == len(live)
    result['converged'] = bool(done) and update_state not in ('updating', 'rollback_started') \
        and not result['failed'] and not result['rolled_back']
    return result


def progress_line(progress):
    """One line per service for messages: "demo_web: 2/3 running, 2/3 updated (update paused: ...)"."""
    if progress['mode'].endswith('job'):
        text = '%s: %d/%d completed' % (progress['name'], progress['completed'], progress['desired'])
    else:
        text = '%s: %d/%d running, %d/%d updated' % (
            progress['name'], progress['running'], progress['desired'], progress['updated'], progress['desired'])
    if progress['update_state']:
        message = ': ' + progress['message'] if progress['message'] else ''
        text += ' (update %s%s)' % (progress['update_state'].replace('_', ' '), message)
    for error in progress['errors']:
        text += '; task %s on %s %s: %s' % (error['id'], error['node'] or 'no node', error['state'], error['error'] or error['message'])
    return text


def _node_attribute(node, key):
    spec = node.get('Spec') or {}
    description = node.get('Description') or {}
    if key == 'node.id':
        return node.get('ID')
    if key == 'node.hostname':
        return description.get('Hostname')
    if key == 'node.role':
        return spec.get('Role')
    if key == 'node.platform.os':
        return (description.get('Platform') or {}).get('OS')
    if key == 'node.platform.arch':
        return (description.get('Platform') or {}).get('Architecture')
    if key.startswith('node.labels.'):
        return (spec.get('Labels') or {}).get(key[len('node.labels.'):])
    if key.startswith('engine.labels.'):
        return ((description.get('Engine') or {}).get('Labels') or {}).get(key[len('engine.labels.'):])
    return None


def node_matches(node, constraints):
    """Whether NODE satisfies placement CONSTRAINTS ("node.role == manager", "node.labels.zone != b")."""
    for constraint in constraints or []:
        for op in ('==', '!='):
            if op in constraint:
                key, value = (part.strip() for part in constraint.split(op, 1))
                actual = _node_attribute(node, key)
                equal = actual is not None and str(actual).lower() == value.lower() if key != 'node.id' else actual == value
                if equal != (op == '=='):
                    return False
                break
    return True


def eligible_nodes(nodes, spec):
    """How many NODES a global service with SPEC runs on: ready, active and matching its constraints."""
    constraints = (((spec.get('TaskTemplate') or {}).get('Placement')) or {}).get('Constraints')
    return sum(1 for n in nodes
               if (n.get('Status') or {}).get('State') == 'ready'
               and (n.get('Spec') or {}).get('Availability') == 'active'
               and node_matches(n, constraints))


def node_names(nodes):
    """{node ID: hostname} of the Engine's node list, for messages and task listings."""
    return dict((n['ID'], (n.get('Description') or {}).get('Hostname') or n['ID']) for n in nodes)


def rollout(service, tasks, nodes):
    """service_progress() with the node names and, for a global service or job, the nodes it should run on."""
    spec = service.get('Spec') or {}
    is_global = any(k in (spec.get('Mode') or {}) for k in ('Global', 'GlobalJob'))
    return service_progress(service, tasks, node_names(nodes), eligible_nodes(nodes, spec) if is_global else None)
