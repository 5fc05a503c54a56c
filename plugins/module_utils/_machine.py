# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Lab machine lifecycle decisions (the docker-machine ls / start / stop / restart / rm of the machine role).

Pure functions, no Docker calls: the role reads the lab's containers on the controller's Engine, each running
machine's Engine (over TLS when the lab has a client certificate, else through `docker exec`) and the swarm's node
list on one manager, and these functions turn what was read into the machine list, the plan of an action (with
the same quorum rule the swarm role applies) and the test of a wait. The filters in plugins/filter/machine.py call
them; the unit tests pin them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.anchorage.swarm.plugins.module_utils._docker_api import info_record
from ansible_collections.anchorage.swarm.plugins.module_utils._swarm import (
    MANAGER,
    has_quorum,
    node_record,
    quorum_size,
    text_table,
)

ACTIONS = ('ls', 'start', 'stop', 'restart', 'rm')
MACHINE_LABEL = 'org.anchorage.machine'

# Container states as docker-machine names a machine's state.
CONTAINER_STATES = {
    'running': 'running',
    'created': 'stopped',
    'exited': 'stopped',
    'paused': 'paused',
    'restarting': 'starting',
    'removing': 'stopping',
    'dead': 'error',
}
LS_HEADER = ('NAME', 'ACTIVE', 'DRIVER', 'STATE', 'URL', 'SWARM', 'DOCKER', 'VIA', 'ERRORS')


def names_list(value):
    """machine_names as given: a list, or a comma-separated string (-e machine_names=worker1,worker2)."""
    if value is None:
        return []
    parts = value.split(',') if isinstance(value, str) else list(value)
    return [str(p).strip() for p in parts if str(p).strip()]


def _text(value):
    return ' '.join(str(value or '').split())


def _unread(error, tls_error=''):
    return {'via': '', 'version': '', 'node_id': '', 'local_state': '', 'manager': False, 'swarm_error': '',
            'quorum': None, 'quorum_error': '', 'nodes': None, 'error': error, 'tls_error': tls_error}


def _engine(via, record):
    """One Engine as anchorage.swarm.swarm_node_info records it (swarm_node)."""
    return dict(_unread(''), via=via, version=record.get('engine_version') or '', node_id=record.get('node_id') or '',
                local_state=record.get('local_state') or 'inactive', manager=bool(record.get('manager')),
                swarm_error=_text(record.get('swarm_error')), quorum=record.get('quorum'),
                quorum_error=_text(record.get('quorum_error')),
                nodes=record.get('nodes') if record.get('quorum') else None)


def exec_record(stdout, stderr=''):
    """The swarm_node record of what a machine's docker CLI printed: `docker info --format '{{json .}}'` on the
    first line, then, on a manager with quorum, `docker node inspect` of every node (stderr: why not). None when
    the first line is not the Engine's info."""
    first, dummy, rest = (stdout or '').partition('\n')
    try:
        info = json.loads(first)
    except ValueError:
        return None
    if not isinstance(info, dict) or not info.get('ServerVersion'):
        return None
    # `docker info --format '{{json .}}'` prints the Engine's GET /info: the same record as over the API.
    record = dict(info_record(info), quorum=None, quorum_error='', nodes=[])
    if record['manager']:
        try:
            nodes = json.loads(rest) if rest.strip() else None
        except ValueError:
            nodes = None
        if isinstance(nodes, list):
            record.update(quorum=True, nodes=[node_record(n) for n in nodes])
        else:
            record.update(quorum=False, quorum_error=_text(stderr) or 'no node list')
    return record


def engines(tls_results, exec_results, name=None):
    """What each running machine's Engine says, by machine name, in the order read.

    tls_results: the loop results of anchorage.swarm.swarm_node_info over TLS (failed_when false; none where the
    lab has no client certificate). exec_results: the loop results of docker_container_exec printing `docker info`
    and, on a manager, `docker node inspect` (exec_record), for the machines TLS did not read. Each result's item
    has the machine's name; `name` names the results without one (a loop's result inside its `until`). A machine
    read both ways keeps the exec reading and the TLS error, which says why TLS did not serve.
    """
    out = {}
    for result in tls_results or []:
        if result.get('skipped') or ('item' not in result and not name):
            continue
        machine = result['item']['name'] if 'item' in result else name
        if result.get('swarm_node'):
            out[machine] = _engine('tls', result['swarm_node'])
        else:
            out[machine] = _unread('', _text(result.get('msg')) or 'no answer')
    for result in exec_results or []:
        if result.get('skipped') or ('item' not in result and not name):
            continue
        machine = result['item']['name'] if 'item' in result else name
        tls_error = out.get(machine, {}).get('tls_error', '')
        record = exec_record(result.get('stdout'), result.get('stderr')) if result.get('rc') == 0 else None
        if record is not None:
            out[machine] = dict(_engine('exec', record), tls_error=tls_error)
            continue
        try:
            # With no daemon, `docker info` exits 0 and says why in ServerErrors.
            errors = json.loads((result.get('stdout') or '').partition('\n')[0]).get('ServerErrors') or []
        except (ValueError, AttributeError):
            errors = []
        why = (_text('; '.join(errors)) or _text(result.get('stderr')) or _text(result.get('msg'))
               or _text(result.get('stdout')) or 'no answer')
        out[machine] = _unread('its Engine does not answer: %s' % why, tls_error)
    return out


def swarm_view(engines_by_name, avoid=None):
    """The swarm's node list as one manager gives it: {manager, via, nodes (None: unreadable), error}.

    The first manager (in the order read) that is not in `avoid` (machines on their way out) and lists the nodes;
    else the first manager, with why it could not; else no manager at all.
    """
    avoid = set(names_list(avoid))
    managers = [(name, e) for name, e in (engines_by_name or {}).items() if e.get('manager') and name not in avoid]
    for name, engine in managers:
        if engine.get('nodes') is not None:
            return {'manager': name, 'via': engine['via'], 'nodes': engine['nodes'], 'error': ''}
    if managers:
        name, engine = managers[0]
        return {'manager': name, 'via': engine['via'], 'nodes': None,
                'error': 'cannot list the swarm nodes on %s: %s' % (name, engine.get('quorum_error') or 'no answer')}
    return {'manager': '', 'via': '', 'nodes': None, 'error': ''}


def _address(container, network):
    networks = (container.get('NetworkSettings') or {}).get('Networks') or {}
    own = networks.get(network) or next(iter(networks.values()), {})
    return own.get('IPAddress') or ''


def _machine_name(container, lab):
    labels = container.get('Labels') or {}
    if labels.get(MACHINE_LABEL):
        return labels[MACHINE_LABEL]
    name = (container.get('Names') or ['/'])[0].lstrip('/')
    return name[len(lab) + 1:] if name.startswith(lab + '-') else name


def _node_of(name, engine, nodes):
    """The machine's entry in the node list (by its Engine's node ID, else by hostname) and every entry it owns."""
    if nodes is None:
        return None, []
    mine = [n for n in nodes if n['hostname'] == name or (engine.get('node_id') and n['id'] == engine['node_id'])]
    if engine.get('via'):
        # An Engine that answers says which entry is its own; others with its hostname are leftovers.
        own = [n for n in mine if n['id'] == engine['node_id']]
    else:
        own = sorted(mine, key=lambda n: n['state'] != 'ready')
    return (own[0] if own else None), [n['id'] for n in mine]


def _swarm_text(row):
    if not row['swarm_role']:
        return '-'
    notes = []
    if row['swarm_leader']:
        notes.append('leader')
    if row['swarm_state'] and row['swarm_state'] != 'ready':
        notes.append(row['swarm_state'])
    if row['swarm_role'] == MANAGER and row['swarm_reachability'] not in ('', 'reachable'):
        notes.append(row['swarm_reachability'])
    return row['swarm_role'] + (' (%s)' % ', '.join(notes) if notes else '')


def machine_rows(plan, containers, options, engines_by_name=None, swarm=None):
    """The machine list, as docker-machine ls gives it: one row per machine of machine_list, then containers of
    the lab that machine_list no longer names.

    plan: the role's machine plan (name, container, address, groups) in machine_list order.
    containers: the lab's containers from community.docker.docker_host_info (verbose_output).
    options: lab, network, port (the TLS Engine API port), driver, active_host (DOCKER_HOST on the controller),
        active_context (the docker CLI's current context).
    engines_by_name: engines(); swarm: swarm_nodes(). Without them the rows hold what the containers say.
    """
    engines_by_name = engines_by_name or {}
    swarm = swarm or {'manager': '', 'nodes': None, 'error': ''}
    nodes = swarm.get('nodes')
    lab = options.get('lab', '')
    found = {}
    for container in containers or []:
        found.setdefault(_machine_name(container, lab), container)
    planned = [dict(p, in_machine_list=True) for p in plan or []]
    extra = [{'name': name, 'container': (c.get('Names') or ['/'])[0].lstrip('/'), 'address': '',
              'groups': [], 'in_machine_list': False}
             for name, c in sorted(found.items()) if name not in set(p['name'] for p in planned)]
    rows = []
    for machine in planned + extra:
        name = machine['name']
        container = found.get(name)
        address = machine.get('address') or (_address(container, options.get('network', '')) if container else '')
        state = CONTAINER_STATES.get((container or {}).get('State'), 'error') if container else 'absent'
        engine = engines_by_name.get(name) or _unread('')
        node, node_ids = _node_of(name, engine, nodes)
        url = 'tcp://%s:%s' % (address, options.get('port', 2376)) if address else ''
        errors = []
        if not machine['in_machine_list']:
            errors.append('not in machine_list (the machine role removes it when it converges)')
        if state == 'running':
            if engine.get('error'):
                errors.append(engine['error'])
            elif engine.get('tls_error'):
                errors.append('TLS API %s: %s' % (url, engine['tls_error']))
            if engine.get('swarm_error'):
                errors.append('swarm: %s' % engine['swarm_error'])
            if engine.get('via') and engine['local_state'] == 'active' and nodes is not None and node is None:
                errors.append("node %s is not in the swarm's node list" % engine['node_id'][:12])
        if name == swarm.get('manager') and swarm.get('error'):
            errors.append(swarm['error'])
        if node is not None:
            role, leader = node['role'], node['leader']
        elif engine.get('via') and engine['local_state'] in ('active', 'pending', 'locked'):
            # No node list to read (no manager answers): the Engine itself still knows its role.
            role, leader = MANAGER if engine['manager'] else 'worker', False
        else:
            role, leader = '', False
        row = {
            'name': name,
            'container': machine['container'],
            'volume': machine.get('volume') or machine['container'] + '-docker',
            'address': address,
            'url': url,
            'driver': options.get('driver') or 'docker',
            'state': state,
            'active': bool(url) and (options.get('active_host') == url
                                     or (not options.get('active_host') and options.get('active_context') == name)),
            'in_machine_list': machine['in_machine_list'],
            'groups': machine.get('groups') or [],
            'engine_version': engine.get('version', '') if state == 'running' else '',
            'via': engine.get('via', '') if state == 'running' else '',
            'local_state': engine.get('local_state', '') if state == 'running' else '',
            'swarm_role': role,
            'swarm_leader': leader,
            # A role without an entry: the node list was not read, so its state there is not known.
            'swarm_state': node['state'] if node else ('unknown' if role else ''),
            'swarm_reachability': (node or {}).get('reachability', ''),
            'swarm_availability': (node or {}).get('availability', ''),
            'node_id': (node or {}).get('id', '') or engine.get('node_id', ''),
            'node_ids': node_ids,
            'errors': errors,
        }
        row['swarm'] = _swarm_text(row)
        rows.append(row)
    return rows


def ls_table(rows):
    """The machine list as docker-machine ls prints it, header first; which way each Engine was read in VIA."""
    lines = [LS_HEADER]
    for row in rows:
        engine = row['engine_version'] or ('?' if row['state'] == 'running' else '-')
        lines.append((row['name'], '*' if row['active'] else '-', row['driver'], row['state'], row['url'] or '-',
                      row['swarm'], engine, row['via'] or '-', '; '.join(row['errors']) or '-'))
    return text_table(lines)


def _quorum_refusals(action, targets, rows, nodes):
    """Why taking the target machines out (stop: for a while, rm: for good) would cost the swarm its quorum."""
    if not nodes:
        return []
    managers = [n for n in nodes if n['role'] == MANAGER]
    up = set(n['id'] for n in managers if n['state'] == 'ready' and n['reachability'] in ('', 'reachable'))
    by_name = dict((r['name'], r) for r in rows)
    going = set()
    for name in targets:
        going.update(by_name[name]['node_ids'])
    going_managers = set(n['id'] for n in managers) & going
    if not going_managers:
        return []
    # A swarm taken down whole loses nothing: it comes back whole, with its Raft log, when its machines start.
    if set(n['id'] for n in nodes if n['state'] == 'ready') <= going:
        return []
    total = len(managers) - (len(going_managers) if action == 'rm' else 0)
    after_up = len(up - going_managers)
    who = ', '.join(sorted(n['hostname'] for n in managers if n['id'] in going_managers))
    verb = {'rm': 'remove', 'restart': 'restart'}.get(action, 'stop')
    fix = ('%s fewer managers, or set machine_force: true (-e machine_action=%s -e machine_names=%s '
           '-e machine_force=true) to %s anyway.' % (verb.capitalize(), action, ','.join(targets), verb))
    if total < 1:
        return ['Cannot %s %s: it is the last manager of the swarm, whose other nodes would be left without one '
                'for good. Add a manager first (swarm_managers), or remove every machine (machine_all: true); %s'
                % (verb, who, fix)]
    if not has_quorum(total, after_up):
        return ['Cannot %s %s: the swarm has %d manager(s), %d of them up; with %s %s it would have %d up, less '
                'than its quorum of %d, and it would stop accepting changes (no scheduling, no service or node '
                'commands) until they are back. %s'
                % (verb, who, len(managers), len(up), who, 'removed' if action == 'rm' else 'down', after_up,
                   quorum_size(total), fix)]
    return []


def plan(rows, action, names=None, select_all=False, force=False, nodes=None, lab=''):
    """What an action does to which machines, or why it must not start.

    rows: machine_rows(); action: one of ACTIONS; names: machine_names (list or comma-separated; empty: every
    machine, except for rm, which needs names or select_all); force: machine_force (quorum refusals become
    warnings); nodes: the swarm_nodes() node list (None: unreadable, quorum not checked).

    Returns {names, stop, start, remove, demote (manager node IDs to demote before removal), remove_node_ids,
    inventory (the machines of machine_list left in the inventory), errors, refusals, warnings, notes}. Errors
    and refusals mean nothing may change.
    """
    wanted = names_list(names)
    by_name = dict((r['name'], r) for r in rows)
    result = {'action': action, 'names': [], 'stop': [], 'start': [], 'remove': [], 'demote': [],
              'remove_node_ids': [], 'inventory': [], 'errors': [], 'refusals': [], 'warnings': [], 'notes': []}
    errors = result['errors']
    if action not in ACTIONS:
        errors.append('machine_action %r is not one of %s.' % (action, ', '.join(ACTIONS)))
        return result
    unknown = [n for n in wanted if n not in by_name]
    if unknown:
        errors.append('machine_names: %s %s not a machine of lab %s (its machines: %s). Use those names '
                      '(machine_action=ls lists them), or add the machine to machine_list and converge the machine role to '
                      'create it.'
                      % (', '.join(repr(n) for n in unknown), 'is' if len(unknown) == 1 else 'are', lab,
                         ', '.join(by_name) or 'none'))
        return result
    if action == 'rm' and not wanted and not select_all:
        errors.append('machine_names is empty: rm removes only the machines it is given. Name them '
                      '(-e machine_names=worker2), or set machine_all: true to remove every machine (machine_state: absent '
                      'removes the whole lab).')
        return result
    selected = [r for r in rows if r['name'] in wanted] if wanted else list(rows)
    if action == 'rm' and not wanted:
        selected = [r for r in selected if r['state'] != 'absent']
    result['names'] = [r['name'] for r in selected]
    if action in ('start', 'restart'):
        absent = [r['name'] for r in selected if r['state'] == 'absent']
        if wanted and absent:
            errors.append('machine_names: %s %s not created (state absent): the machine role creates the machines of '
                          'machine_list when it converges.' % (', '.join(absent), 'is' if len(absent) == 1 else 'are'))
            return result
        if absent:
            result['notes'].append('Not created, left as they are: %s (the machine role creates them when it converges).' % ', '.join(absent))
    # Workers go first and managers last, the leader last of all; managers come back first, so that the workers
    # find one. sorted() is stable: machine_list order otherwise.
    going = sorted(selected, key=lambda r: (r['swarm_role'] == MANAGER, r['swarm_leader']))
    coming = sorted(selected, key=lambda r: r['swarm_role'] != MANAGER)
    if action in ('stop', 'restart'):
        result['stop'] = [r['name'] for r in going if r['state'] in ('running', 'paused', 'starting')]
    if action in ('start', 'restart'):
        result['start'] = [r['name'] for r in coming if r['state'] != 'absent']
    if action == 'rm':
        result['remove'] = [r['name'] for r in going]
        gone = set(result['remove'])
        result['inventory'] = [r['name'] for r in rows
                               if r['in_machine_list'] and r['state'] != 'absent' and r['name'] not in gone]
    taken = result['remove'] if action == 'rm' else result['stop']
    refusals = _quorum_refusals(action, taken, rows, nodes)
    if refusals and force:
        result['warnings'].extend('machine_force is set, so it goes ahead: ' + r for r in refusals)
    else:
        result['refusals'] = refusals
    if nodes is None and taken and action != 'ls':
        result['notes'].append('The swarm could not be read (no running manager answers): quorum was not checked.')
    if action == 'rm' and nodes:
        ids = set()
        for name in taken:
            ids.update(by_name[name]['node_ids'])
        remaining = [n for n in nodes if n['role'] == MANAGER and n['id'] not in ids]
        if remaining:
            result['demote'] = sorted(n['id'] for n in nodes if n['id'] in ids and n['role'] == MANAGER)
            result['remove_node_ids'] = sorted(ids)
    return result


def swarm_pending(swarm, names, wanted):
    """The machines the swarm does not yet see in state `wanted` (ready or down), as 'worker2 (down)'.

    swarm: swarm_nodes(). For ready, one entry of the machine's hostname that is ready is enough; for down, every
    entry must be down. An unreadable node list leaves every machine pending.
    """
    nodes = (swarm or {}).get('nodes')
    pending = []
    for name in names_list(names):
        if nodes is None:
            pending.append('%s (node list unreadable)' % name)
            continue
        states = [n['state'] for n in nodes if n['hostname'] == name]
        if wanted == 'ready':
            done = 'ready' in states
        else:
            done = all(s == wanted for s in states)
        if not done:
            pending.append('%s (%s)' % (name, ', '.join(states) or 'not in the node list'))
    return pending


SUBNET_PATTERN = re.compile(r'^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})/(\d{1,2})\Z')
MAX_PREFIX = 30


def _dotted(number):
    return '%d.%d.%d.%d' % (number >> 24 & 255, number >> 16 & 255, number >> 8 & 255, number & 255)


def subnet_plan(subnet, count=0, offset=2):
    """The lab network machine_network_subnet describes, and the addresses of its ``count`` machines.

    subnet: 'A.B.C.D/P' (the network address, prefix at most /30); count: how many machines; offset: the host
    part of the first machine's address (machine_address_offset), the others following it.

    Returns {network, prefix, size (addresses in the subnet), netmask, addresses (one per machine, in order),
    errors}. Errors name the setting to change; with errors, addresses is empty.
    """
    result = {'network': '', 'prefix': None, 'size': 0, 'netmask': '', 'addresses': [], 'errors': []}
    errors = result['errors']
    match = SUBNET_PATTERN.match(subnet) if isinstance(subnet, str) else None
    octets = [int(g) for g in match.groups()[:4]] if match else []
    prefix = int(match.group(5)) if match else None
    if not match or any(o > 255 for o in octets) or prefix > MAX_PREFIX:
        errors.append('machine_network_subnet %r is not an IPv4 subnet such as 172.29.77.0/24 (prefix at most /%d).'
                      % (subnet, MAX_PREFIX))
        return result
    base = octets[0] << 24 | octets[1] << 16 | octets[2] << 8 | octets[3]
    size = 2 ** (32 - prefix)
    result.update(network=_dotted(base), prefix=prefix, size=size, netmask=_dotted(2 ** 32 - size))
    # -e machine_address_offset=300 on the command line gives a string.
    if isinstance(offset, str) and offset.strip().isdigit():
        offset = int(offset)
    if isinstance(offset, bool) or not isinstance(offset, int) or isinstance(count, bool) or not isinstance(count, int):
        errors.append('machine_address_offset %r must be a whole number (2 or more), and the machine count %r too.'
                      % (offset, count))
    elif base % size:
        errors.append('machine_network_subnet %r is not a network address (host bits are set): use %s/%d.'
                      % (subnet, _dotted(base - base % size), prefix))
    elif offset < 2:
        errors.append('machine_network_subnet %r is fine, but machine_address_offset %d would take the network or '
                      'gateway address (use 2 or more).' % (subnet, offset))
    elif offset + count > size - 1:
        errors.append('machine_network_subnet %r has %d addresses: it cannot hold %d machines from offset %d.'
                      % (subnet, size - 2, count, offset))
    else:
        result['addresses'] = [_dotted(base + offset + index) for index in range(count)]
    return result


def machine_nodes(machines, addresses, lab, image_repository, default_image):
    """The plan of each machine of machine_list: name, container, volume, image, address and groups.

    addresses: one per machine, in order (subnet_plan()['addresses']); a machine's image key defaults to
    default_image, its groups to none.
    """
    if len(addresses) != len(machines):
        raise ValueError('%d addresses for %d machines' % (len(addresses), len(machines)))
    return [{'name': m['name'],
             'container': '%s-%s' % (lab, m['name']),
             'volume': '%s-%s-docker' % (lab, m['name']),
             'image': '%s:%s' % (image_repository, m.get('image', default_image)),
             'address': address,
             'groups': list(m.get('groups', []))}
            for m, address in zip(machines, addresses)]
