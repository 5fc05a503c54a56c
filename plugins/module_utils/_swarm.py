# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Swarm decisions: which swarm is the cluster, who inits, who joins as what and in which order, what quorum allows.

Pure functions, apart from any code that talks to Docker. `plan()` takes the inventory (what the user wants) and the
state observed on each node (the `swarm_node` record of anchorage.swarm.swarm_node_info) and returns ordered steps,
one function per phase, and the waves that carry them out (_waves). The swarm role's dispatcher runs the waves with
anchorage.swarm.swarm_step and decides nothing; anchorage.swarm.swarm_plan prints the steps in check mode.

Steps come in two phases. Membership steps (unlock, init, leave, remove a dead node's old entry, join) change who is
in the swarm; node steps (promote, demote, remove a node the inventory dropped, labels and availability) need the IDs
of nodes that have joined, so the role observes again after the membership phase and plans once more. A plan made
before the membership phase still lists the node steps it predicts, so check mode shows the whole change.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import ipaddress
import re

MANAGER = 'manager'
WORKER = 'worker'
AVAILABILITIES = ('active', 'pause', 'drain')
MEMBERSHIP_ACTIONS = ('unlock', 'init', 'autolock', 'rotate', 'leave', 'remove_stale', 'join')

DEFAULT_OPTIONS = {
    'remove_absent': False,
    'labels_mode': 'merge',
    'force_rejoin': False,
    'autolock': None,          # None: leave the swarm's setting as it is
    'rotate_tokens': [],       # any of worker, manager
    'all_hosts': [],           # every host of the Ansible inventory (to run `leave` on a node the swarm groups dropped)
    'data_path_port': None,    # init-only settings: a swarm that differs gets a warning, never a change
    'default_addr_pool': None,
    'subnet_size': None,
    'activate_later': False,   # joiners join at pause, and no node is made active: a later pass (the rest converged) does
}
DEFAULT_LISTEN_ADDR = '0.0.0.0:2377'
# What dockerd takes at init (moby daemon/cluster/swarm.go): getDataPathPort refuses a port outside the IANA
# registered ports 1024-49151, and validateDefaultAddrPool a subnet size above 29 (a /30 leaves no address for the
# tasks once the network and gateway have theirs) or shorter than a pool's own prefix.
DATA_PATH_PORTS = (1024, 49151)
MAX_SUBNET_SIZE = 29
# An interface name (IFNAMSIZ: up to 15 characters, no '/', ':' or whitespace). Made of digits and dots only, it is
# an IPv4 address mistyped (10.0.0.300), not an interface anyone names.
_IFNAME = re.compile(r'^[^\s/:]{1,15}$')
_DOTTED = re.compile(r'^[0-9.]+$')


def split_address(value):
    """(host, port or None, is_ip) of an address as dockerd takes it for listen, advertise and data path addresses:
    an IP, IP:port, [IPv6]:port, an interface name or interface:port. Raises ValueError on anything else."""
    if not isinstance(value, str):
        raise ValueError(value)
    value = value.strip()
    port = None
    if value.startswith('['):
        host, bracket, rest = value[1:].partition(']')
        if not bracket or (rest and not rest.startswith(':')):
            raise ValueError(value)
        port = rest[1:] if rest else None
    else:
        try:
            ipaddress.ip_address(value)
            return value, None, True
        except ValueError:
            pass
        host, colon, port = value.partition(':')
        if colon and ':' in port:
            raise ValueError(value)
        port = port if colon else None
    if port is not None and not (port.isdigit() and 0 < int(port) < 65536):
        raise ValueError(value)
    port = int(port) if port is not None else None
    try:
        ipaddress.ip_address(host)
        return host, port, True
    except ValueError:
        pass
    if not _IFNAME.match(host) or mistyped_ipv4(host):
        raise ValueError(value)
    return host, port, False


def mistyped_ipv4(host):
    """Whether `host` is digits and dots only, meant as an IPv4 address, and no such address (10.0.0.300): no
    interface or host name anyone gives looks like that."""
    if not _DOTTED.match(host):
        return False
    try:
        ipaddress.IPv4Address(host)
        return False
    except ValueError:
        return True


def address_problem(option, value):
    """Why `value` is no address dockerd takes for `option` (listen_addr, advertise_addr, data_path_addr), None when
    it is one. An advertise address must be one other nodes can reach: not 0.0.0.0 or ::."""
    try:
        host, _port, is_ip = split_address(value)
    except ValueError:
        return ('%s %r is neither an IP address nor an interface name, with an optional :port '
                '(e.g. 10.0.0.11, 10.0.0.11:2377 or eth1)' % (option, value))
    if is_ip and option.endswith('advertise_addr') and ipaddress.ip_address(host).is_unspecified:
        return ('%s %r is an unspecified address, which other nodes cannot reach: give this host\'s own address '
                'or interface (e.g. 10.0.0.11 or eth1)' % (option, value))
    return None


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def init_settings_problems(data_path_port=None, default_addr_pool=None, subnet_size=None, prefix=''):
    """Why the swarm's init-only settings would be refused by dockerd (an empty list when they would not); `prefix`
    is put before each setting's name (swarm_ for the role's variables)."""
    problems = []
    low, high = DATA_PATH_PORTS
    if data_path_port is not None and not (_is_int(data_path_port) and low <= data_path_port <= high):
        problems.append('%sdata_path_port %r is not a UDP port from %d to %d (dockerd refuses others); leave it unset '
                        'for the default 4789' % (prefix, data_path_port, low, high))
    pools = []
    for pool in default_addr_pool or []:
        try:
            if '/' not in str(pool):
                raise ValueError(pool)
            pools.append((pool, ipaddress.ip_network(str(pool).strip(), strict=False)))
        except ValueError:
            problems.append('%sdefault_addr_pool item %r is not a CIDR pool (address/prefix, e.g. 10.20.0.0/16)'
                            % (prefix, pool))
    if subnet_size is not None:
        if not (_is_int(subnet_size) and 1 <= subnet_size <= MAX_SUBNET_SIZE):
            problems.append('%ssubnet_size %r is not a prefix length from 1 to %d (dockerd refuses longer ones), '
                            'e.g. 24' % (prefix, subnet_size, MAX_SUBNET_SIZE))
        else:
            for pool, network in pools:
                if subnet_size < network.prefixlen:
                    problems.append('%ssubnet_size %d is shorter than the /%d of %sdefault_addr_pool item %s: give '
                                    'a size from %d to %d' % (prefix, subnet_size, network.prefixlen, prefix, pool,
                                                              network.prefixlen, MAX_SUBNET_SIZE))
    return problems


def quorum_size(managers):
    """Votes Raft needs among `managers` members: a strict majority."""
    return managers // 2 + 1


def has_quorum(managers, up):
    return managers > 0 and up >= quorum_size(managers)


def fault_tolerance(managers):
    """How many managers may fail before the swarm loses quorum."""
    return max(0, (managers - 1) // 2)


def _short(node_id):
    return (node_id or '')[:12]


def _strings(labels):
    """Labels as the Engine stores them: strings (YAML gives booleans and numbers)."""
    out = {}
    for key, value in (labels or {}).items():
        if isinstance(value, bool):
            value = 'true' if value else 'false'
        out[str(key)] = '' if value is None else str(value)
    return out


def inventory_shape_errors(inventory):
    """Errors that keep the inventory from being read at all: an item that is no mapping, has no name, or whose name
    is not a string. Checked before anything else, each naming the item (by its position) and the fix."""
    errors = []
    for index, host in enumerate(inventory or []):
        if not isinstance(host, dict):
            errors.append('inventory item %d is %s, not a mapping with name and role.' % (index, type(host).__name__))
        elif 'name' not in host or host['name'] in (None, ''):
            errors.append('inventory item %d (%s) has no name: give each item the inventory host name (name: HOST).'
                          % (index, ', '.join(sorted(str(k) for k in host)) or 'empty'))
        elif not isinstance(host['name'], str):
            errors.append('inventory item %d: name %r is %s, not a string; quote it (name: "%s").'
                          % (index, host['name'], type(host['name']).__name__, host['name']))
    return errors


def validate_inventory(inventory):
    """Errors in the swarm part of the inventory, each naming the host, the variable and the fix."""
    errors = []
    seen = set()
    for host in inventory:
        name = host.get('name')
        if name in seen:
            errors.append('%s: listed twice; a host is in swarm_managers or in swarm_workers, not in both.' % name)
        seen.add(name)
        if host.get('role') not in (MANAGER, WORKER):
            errors.append('%s: role %r is neither manager nor worker.' % (name, host.get('role')))
        availability = host.get('availability') or 'active'
        if availability not in AVAILABILITIES:
            errors.append('%s: swarm_node_availability is %r; use one of %s.'
                          % (name, availability, ', '.join(AVAILABILITIES)))
        for key in ('advertise_addr', 'listen_addr', 'data_path_addr'):
            if host.get(key) not in (None, ''):
                problem = address_problem('swarm_' + key, host[key])
                if problem:
                    errors.append('%s: %s.' % (name, problem))
        labels = host.get('labels') or {}
        if not isinstance(labels, dict):
            errors.append('%s: swarm_node_labels must be a mapping of label names to values (key: value), not %s.'
                          % (name, type(labels).__name__))
        else:
            for key in labels:
                if not str(key) or any(c.isspace() for c in str(key)) or '=' in str(key):
                    errors.append('%s: swarm_node_labels key %r is not a valid label name '
                                  '(no spaces, no "="; e.g. zone: a).' % (name, key))
    if inventory and not any(h.get('role') == MANAGER for h in inventory):
        errors.append('The inventory has no manager: put at least one host in the managers group (swarm_managers).')
    return errors


class _Cluster(object):
    """A swarm seen from one of its managers."""

    def __init__(self, cluster_id, via, record):
        self.id = cluster_id
        self.via = via                          # inventory host whose Engine showed the node list
        self.created = record.get('cluster_created') or ''
        self.autolock = record.get('autolock')
        self.data_path_port = record.get('data_path_port')
        self.default_addr_pool = list(record.get('default_addr_pool') or [])
        self.nodes = list(record.get('nodes') or [])
        self.hosts = []                         # inventory hosts that are its managers

    def by_id(self):
        return dict((n['id'], n) for n in self.nodes)


def _membership(record):
    if record is None:
        return 'unreachable'
    if record.get('local_state') == 'inactive':
        return 'none'
    if record.get('local_state') == 'locked':
        return 'locked'
    return MANAGER if record.get('manager') else WORKER


def _entry_for_host(name, record, cluster):
    """The node list entry of an inventory host: by node ID, or (unreachable host) by hostname."""
    if cluster is None:
        return None
    by_id = cluster.by_id()
    if record is not None:
        return by_id.get(record.get('node_id'))
    short = name.split('.')[0]
    matches = [n for n in cluster.nodes if n.get('hostname') in (name, short)]
    return matches[0] if len(matches) == 1 else None


def _choose_cluster(clusters, inventory_ids):
    """The cluster among those with quorum: the one holding most inventory nodes, then the oldest."""
    def weight(cluster):
        members = len(set(cluster.by_id()) & inventory_ids)
        return (-members, cluster.created or '~', cluster.id)
    return sorted(clusters, key=weight)[0]


class _Run(object):
    """What one plan() call knows so far: the inputs, the swarm it chose, and each phase's decisions.

    The phases below run in this order; each reads what the earlier ones decided and appends its steps, errors and
    warnings. `managers` simulates the cluster's manager membership (node ID, or host name for a joiner -> up?) as
    the steps so far leave it, so that each step's quorum check sees the swarm as it will be at that point.
    """

    def __init__(self, inventory, observed, options):
        self.opts = dict(DEFAULT_OPTIONS)
        self.opts.update(dict((k, v) for k, v in (options or {}).items() if v is not None or k == 'autolock'))
        self.inventory = inventory
        self.observed = observed
        errors = validate_inventory(inventory) + init_settings_problems(
            self.opts['data_path_port'], self.opts['default_addr_pool'], self.opts['subnet_size'], prefix='swarm_')
        self.result = {'steps': [], 'errors': errors, 'warnings': [], 'cluster_id': '',
                       'via': '', 'init_host': '', 'join_addrs': [], 'tokens': [], 'complete': True, 'held': []}
        self.errors, self.warnings, self.steps = self.result['errors'], self.result['warnings'], self.result['steps']
        self.hosts = dict((h['name'], h) for h in inventory)
        self.wanted_managers = [h['name'] for h in inventory if h.get('role') == MANAGER]
        self.reachable = dict((n, r) for n, r in observed.items() if r is not None and n in self.hosts)
        self.clusters = {}
        self.without_quorum = {}
        self.locked = []
        self.cluster = None
        self.managers = {}
        self.by_id = {}
        self.state = {}          # name -> 'member' | 'join' | 'rejoin' | 'locked' | 'unreachable'
        self.current_role = {}
        self.absent = []         # cluster entries that no inventory host is

    def quorum_allows(self, action, target, after_total, after_up):
        """Whether the swarm has quorum now and keeps it after a step; if not, an error that says why."""
        total, up = len(self.managers), sum(1 for v in self.managers.values() if v)
        if not has_quorum(total, up):
            self.errors.append('Cannot %s %s: the swarm has %d managers and only %d are reachable, less than its '
                               'quorum of %d. Bring the stopped managers back first.'
                               % (action, target, total, up, quorum_size(total)))
            return False
        if after_total < 1:
            self.errors.append('Cannot %s %s: it is the last manager. Keep at least one host in the managers group.'
                               % (action, target))
            return False
        if not has_quorum(after_total, after_up):
            self.errors.append(
                'Cannot %s %s: afterwards the swarm would have %d managers of which %d are reachable, less than its '
                'quorum of %d, and it would stop accepting changes. Bring the stopped managers back first, or change '
                'fewer managers in one run.' % (action, target, after_total, after_up, quorum_size(after_total)))
            return False
        return True

    def managers_up(self):
        return sum(1 for v in self.managers.values() if v)


def plan(inventory, observed, options=None):
    """Ordered steps that converge the nodes to `inventory`, and the waves that carry them out.

    inventory: list of {name, role (manager|worker), labels (dict), availability, advertise_addr, listen_addr,
    data_path_addr}, inventory order.
    observed: {name: swarm_node record, or None when the host is unreachable}.
    options: see DEFAULT_OPTIONS.

    Returns a dict: steps, waves (see _waves), errors, warnings, cluster_id, via, init_host, join_addrs, tokens (which
    join tokens the steps need), summary (one line per step), diff (before/after per node), complete (False when
    the plan must be made again once locked managers are unlocked).

    Each phase below is one function; a phase that finds an error ends the plan (no steps are returned with errors).
    """
    run = _Run(inventory, observed, options)
    phases = (_phase_reachable, _phase_clusters, _phase_unlock, _phase_host_states, _phase_init, _phase_settings,
              _phase_leaves, _phase_old_entries, _phase_joins, _phase_roles, _phase_removals, _phase_labels,
              _phase_manager_count)
    for phase in phases:
        if run.errors or phase(run) is False:
            break
    return _finish(run.result, inventory, observed, run.cluster)


def _phase_reachable(run):
    """Unreachable hosts are left as they are; without one reachable manager nothing can be done."""
    for name in run.hosts:
        if name not in run.reachable:
            run.warnings.append('%s is unreachable: it is left as it is and counted as down.' % name)
    if not any(m in run.reachable for m in run.wanted_managers):
        run.errors.append('No manager of the inventory is reachable (%s): nothing can be done. Check that the hosts '
                          'are up and that Ansible reaches them.' % ', '.join(run.wanted_managers))
        return False
    return True


def _phase_clusters(run):
    """Which swarm is the cluster: among those the inventory's managers see with quorum (any inventory host may be a
    manager today, whatever its group), the one holding most inventory nodes. A swarm without quorum stops the plan:
    no new swarm is started beside it."""
    for h in run.inventory:
        record = run.reachable.get(h['name'])
        if not record or record.get('local_state') != 'active' or not record.get('manager'):
            continue
        cid = record.get('cluster_id') or ''
        if record.get('quorum'):
            cluster = run.clusters.setdefault(cid, _Cluster(cid, h['name'], record))
            cluster.hosts.append(h['name'])
        else:
            run.without_quorum.setdefault(cid, []).append((h['name'], record.get('quorum_error') or ''))
    run.locked = [h['name'] for h in run.inventory
                  if (run.reachable.get(h['name']) or {}).get('local_state') == 'locked']
    inventory_ids = set(r.get('node_id') for r in run.reachable.values() if r.get('node_id'))
    run.cluster = _choose_cluster(list(run.clusters.values()), inventory_ids) if run.clusters else None
    if run.cluster is None and run.without_quorum and not run.locked:
        for cid, seen in sorted(run.without_quorum.items()):
            run.errors.append(
                'Swarm %s has no quorum (its managers %s say: %s). Nothing was changed, and no new swarm is started '
                'beside it. Start the Engines of its stopped managers and run again; if a majority of its managers '
                'is lost for good, recover with `docker swarm init --force-new-cluster` on %s, then run again.'
                % (_short(cid), ', '.join(name for name, dummy in seen), seen[0][1] or 'no leader', seen[0][0]))
        return False
    return True


def _phase_unlock(run):
    """Locked managers are unlocked first. Without a readable cluster they may be the cluster: the rest of the plan
    is made again once they are unlocked."""
    for name in run.locked:
        run.steps.append(_step('unlock', name, name, desc='unlock %s (autolock is on and its Engine restarted)' % name))
    if run.cluster is None and run.locked:
        run.result['complete'] = False
        run.warnings.append('Managers %s are locked; the rest of the plan is made once they are unlocked.'
                            % ', '.join(run.locked))
        return False
    cluster = run.cluster
    if cluster is not None:
        run.result['cluster_id'] = cluster.id
        for other in run.clusters.values():
            if other is not cluster:
                run.warnings.append('Swarm %s (managers %s) is another swarm with quorum; the cluster is %s, which '
                                    'holds more of the inventory.'
                                    % (_short(other.id), ', '.join(other.hosts), _short(cluster.id)))
        for n in cluster.nodes:
            if n.get('role') == MANAGER:
                run.managers[n['id']] = n.get('state') == 'ready' and \
                    n.get('reachability', 'reachable') == 'reachable'
        for name in run.locked:
            node_id = run.reachable[name].get('node_id')
            if node_id in run.managers:
                run.managers[node_id] = True
        run.by_id = cluster.by_id()
    return True


def _phase_host_states(run):
    """Where each inventory host is: a member of the cluster, to join, to leave and join again, or left alone."""
    cluster = run.cluster
    manager_addrs = set(n.get('manager_addr', '').rsplit(':', 1)[0] for n in (cluster.nodes if cluster else [])
                        if n.get('manager_addr'))
    for h in run.inventory:
        name = h['name']
        record = run.reachable.get(name)
        if record is None:
            run.state[name] = 'unreachable'
            entry = _entry_for_host(name, None, cluster)
            if entry:
                run.current_role[name] = entry.get('role')
            continue
        local = record.get('local_state')
        node_id = record.get('node_id')
        if cluster is not None and node_id in run.by_id and local in ('active', 'locked'):
            run.state[name] = 'member'
            run.current_role[name] = run.by_id[node_id].get('role')
            continue
        if local == 'locked':
            # A locked manager's Engine may not say its node ID (20.10 does not): which entry is its own, and what
            # else it needs, is planned once it is unlocked.
            run.state[name] = 'locked'
            run.result['complete'] = False
            continue
        if local == 'inactive':
            run.state[name] = 'join'
            continue
        if local in ('pending', 'error'):
            run.state[name] = 'rejoin'
            run.warnings.append('%s is stuck in swarm state %r (%s): it leaves and joins again.'
                                % (name, local, record.get('swarm_error') or 'no error given'))
            continue
        # Active (or locked) but not a node of the cluster.
        if record.get('manager') and record.get('cluster_id'):
            why = '%s belongs to swarm %s, not to swarm %s%s' % (
                name, _short(record['cluster_id']), _short(cluster.id) if cluster else '(none yet)',
                (' of %s' % ', '.join(cluster.hosts)) if cluster else '')
        elif cluster is not None and set(a.rsplit(':', 1)[0] for a in record.get('remote_managers') or []) \
                & manager_addrs:
            # A worker the cluster removed (`docker node rm --force`) still thinks it is in: safe to rejoin.
            run.state[name] = 'rejoin'
            run.warnings.append('%s was removed from the swarm but still thinks it is a member: it leaves and joins '
                                'again.' % name)
            continue
        else:
            why = '%s is a worker of another swarm (its managers: %s), not of swarm %s' % (
                name, ', '.join(record.get('remote_managers') or []) or 'unknown',
                _short(cluster.id) if cluster else '(none yet)')
        if run.opts['force_rejoin']:
            run.state[name] = 'rejoin'
            run.warnings.append(why + ': swarm_force_rejoin is set, so it leaves that swarm and joins this one.')
        else:
            run.errors.append('%s. Nothing was changed. Make it leave (`docker swarm leave '
                              '--force` on %s) or set swarm_force_rejoin: true to let this run do it.' % (why, name))
    return not run.errors


def _phase_init(run):
    """Init only when no inventory manager belongs to a swarm that has quorum: the first manager of the inventory
    that is outside any swarm (after leaving the one it is stuck in). Otherwise cluster-wide steps go through the
    leader, when it stays a manager."""
    cluster = run.cluster
    if cluster is None:
        candidates = [m for m in run.wanted_managers if run.state.get(m) in ('join', 'rejoin')]
        init_host = candidates[0]
        run.result['init_host'] = run.result['via'] = init_host
        if run.state[init_host] == 'rejoin':
            run.steps.append(_step('leave', init_host, init_host, force=True,
                                   desc='%s leaves its old swarm (forced)' % init_host))
        entry = run.hosts[init_host]
        run.steps.append(_step('init', init_host, init_host, desc='init a new swarm on %s' % init_host,
                               autolock=bool(run.opts['autolock']), data_path_port=run.opts['data_path_port'],
                               default_addr_pool=list(run.opts['default_addr_pool'] or []),
                               subnet_size=run.opts['subnet_size'], **_addresses(entry)))
        run.state[init_host] = 'member'
        run.current_role[init_host] = MANAGER
        run.managers[init_host] = True
        return True
    staying = [n for n in cluster.hosts if run.hosts[n]['role'] == MANAGER and run.state.get(n) == 'member']
    leader = [n for n in staying if (run.by_id.get(run.reachable[n].get('node_id')) or {}).get('leader')]
    run.result['via'] = (leader or staying or cluster.hosts)[0]
    # Init-only settings cannot change on a running swarm: say so rather than pretend.
    opts = run.opts
    if opts['data_path_port'] and cluster.data_path_port and int(opts['data_path_port']) != cluster.data_path_port:
        run.warnings.append('swarm_data_path_port is %s but swarm %s uses %s; it is set at init only and stays.'
                            % (opts['data_path_port'], _short(cluster.id), cluster.data_path_port))
    if opts['default_addr_pool'] and sorted(opts['default_addr_pool']) != sorted(cluster.default_addr_pool):
        run.warnings.append('swarm_default_addr_pool is %s but swarm %s uses %s; it is set at init only and stays.'
                            % (', '.join(opts['default_addr_pool']), _short(cluster.id),
                               ', '.join(cluster.default_addr_pool) or 'the default'))
    return True


def _phase_settings(run):
    """Cluster-wide settings: autolock on or off, join token rotation."""
    via, opts = run.result['via'], run.opts
    if run.cluster is not None and opts['autolock'] is not None and \
            bool(run.cluster.autolock) != bool(opts['autolock']):
        run.steps.append(_step('autolock', via, '', enabled=bool(opts['autolock']),
                               desc='%s autolock' % ('turn on' if opts['autolock'] else 'turn off')))
    if opts['rotate_tokens']:
        which = sorted(set(opts['rotate_tokens']))
        run.steps.append(_step('rotate', via, '', which=which, desc='rotate the %s join token(s)' % '/'.join(which)))
    return True


def _phase_leaves(run):
    """Forced leaves of foreign, orphaned or stuck nodes, before they join."""
    for h in run.inventory:
        name = h['name']
        if run.state.get(name) == 'rejoin' and name != run.result['init_host']:
            run.steps.append(_step('leave', name, name, force=True, desc='%s leaves (forced) to join again' % name))
    return True


def _phase_old_entries(run):
    """Entries of the cluster that no inventory host is: old incarnations of rebuilt hosts are removed now (before
    the host joins again under the same name); entries of hosts the inventory dropped wait for _phase_removals."""
    cluster = run.cluster
    if cluster is None:
        return True
    names_by_hostname = {}
    for h in run.inventory:
        record = run.reachable.get(h['name'])
        for key in filter(None, [h['name'], h['name'].split('.')[0], (record or {}).get('hostname')]):
            names_by_hostname.setdefault(key, h['name'])
    claimed = set(r.get('node_id') for r in run.reachable.values())
    for n in cluster.nodes:
        if n['id'] in claimed:
            continue
        owner = names_by_hostname.get(n.get('hostname'))
        if owner is not None and run.state.get(owner) in ('unreachable', 'locked'):
            continue            # that host's own entry, while Ansible cannot reach it or it is locked
        if owner is None:
            run.absent.append(n)
            continue
        if n.get('state') == 'ready':
            run.errors.append('The swarm lists node %s (%s) as up, but %s says it is not that node. If %s has '
                              'just left the swarm, wait until `docker node ls` shows that entry down and run '
                              'again; if another machine uses the hostname %s, give every host its own hostname.'
                              % (n.get('hostname'), _short(n['id']), owner, owner, n.get('hostname')))
            continue
        if n.get('role') == MANAGER:
            if not run.quorum_allows('remove the old entry of', owner, len(run.managers) - 1,
                                     sum(1 for k, v in run.managers.items() if v and k != n['id'])):
                continue
            run.managers.pop(n['id'], None)
        run.steps.append(_step('remove_stale', run.result['via'], owner, node_id=n['id'],
                               demote=n.get('role') == MANAGER,
                               desc='remove the old %s entry %s of %s (down: the node left or was rebuilt)'
                               % (n.get('role'), _short(n['id']), owner)))
    return not run.errors


def _phase_joins(run):
    """Joins in inventory order (managers and workers as listed; the waves run managers one at a time)."""
    for h in run.inventory:
        name = h['name']
        if run.state.get(name) in ('join', 'rejoin') and name != run.result['init_host']:
            # A node joins with the availability it is to have (Availability of the join request), so that no task
            # is placed on a node meant to be drained or held in between.
            wanted = h.get('availability') or 'active'
            availability = _held_availability(run, name, None, wanted, wanted)
            held = availability != wanted
            extra = {'availability': availability} if availability != 'active' else {}
            extra.update(_addresses(h))
            run.steps.append(_step('join', name, name, role=h['role'], cluster_id=run.result['cluster_id'],
                                   desc='%s joins as %s%s' % (name, h['role'], ' (at pause until the rest of the run '
                                                              'has converged it)' if held else ''), **extra))
            run.current_role[name] = h['role']
            if h['role'] == MANAGER:
                if not run.quorum_allows('join', name, len(run.managers) + 1, run.managers_up() + 1):
                    break
                run.managers[name] = True
    run.result['tokens'] = sorted(set(s['role'] for s in run.steps if s['action'] == 'join'))
    if run.cluster is not None:
        run.result['join_addrs'] = sorted(
            n['manager_addr'] for n in run.cluster.nodes
            if n.get('role') == MANAGER and n.get('manager_addr') and n.get('state') == 'ready')
    return not run.errors


def _phase_roles(run):
    """Promotions before demotions, so that the swarm never has fewer managers than it needs on the way."""
    via = run.result['via']
    for h in run.inventory:
        name = h['name']
        if run.state.get(name) == 'member' and h['role'] == MANAGER and run.current_role.get(name) == WORKER:
            if (run.by_id.get(run.reachable[name].get('node_id')) or {}).get('state') != 'ready':
                run.warnings.append('%s is not ready in the swarm: it is promoted on a later run.' % name)
                continue
            if not run.quorum_allows('promote', name, len(run.managers) + 1, run.managers_up() + 1):
                continue
            node_id = run.reachable[name].get('node_id')
            run.managers[node_id] = True
            run.steps.append(_step('promote', via, name, node_id=node_id, desc='promote %s to manager' % name))
            run.current_role[name] = MANAGER
    for h in run.inventory:
        name = h['name']
        if run.state.get(name) == 'member' and h['role'] == WORKER and run.current_role.get(name) == MANAGER:
            node_id = run.reachable[name].get('node_id')
            up = run.managers.get(node_id, False)
            if not run.quorum_allows('demote', name, len(run.managers) - 1, run.managers_up() - (1 if up else 0)):
                continue
            run.managers.pop(node_id, None)
            run.steps.append(_step('demote', via, name, node_id=node_id, desc='demote %s to worker' % name))
            run.current_role[name] = WORKER
    return True


def _phase_removals(run):
    """Nodes the inventory no longer lists: demote -> leave -> node rm, with quorum kept at each step."""
    for n in run.absent:
        label = '%s (%s)' % (n.get('hostname'), _short(n['id']))
        if not run.opts['remove_absent']:
            run.warnings.append('Node %s is in the swarm but not in the inventory; it is kept. Set '
                                'swarm_remove_absent_nodes: true to remove it.' % label)
            continue
        if n.get('role') == MANAGER:
            up = run.managers.get(n['id'], False)
            if not run.quorum_allows('remove manager', label, len(run.managers) - 1,
                                     run.managers_up() - (1 if up else 0)):
                continue
            run.managers.pop(n['id'], None)
        leave_host = n.get('hostname') if n.get('hostname') in run.opts['all_hosts'] and n.get('state') == 'ready' \
            else ''
        run.steps.append(_step('remove', run.result['via'], n.get('hostname'), node_id=n['id'],
                               demote=n.get('role') == MANAGER, leave_host=leave_host,
                               desc='remove %s %s: %s%snode rm' % (
                                   n.get('role'), label, 'demote, ' if n.get('role') == MANAGER else '',
                                   'leave on the node, ' if leave_host else '')))
    return True


def _phase_labels(run):
    """Labels and availability, by node ID (a joiner's are set once it has one: the role plans again)."""
    for h in run.inventory:
        name = h['name']
        if run.state.get(name) not in ('member', 'join', 'rejoin'):
            continue
        record = run.reachable[name]
        entry = run.by_id.get(record.get('node_id')) if run.state[name] == 'member' else None
        before_labels = _strings((entry or {}).get('labels'))
        wanted = _strings(h.get('labels'))
        after_labels = wanted if run.opts['labels_mode'] == 'replace' else dict(before_labels, **wanted)
        before_avail = (entry or {}).get('availability') or 'active'
        after_avail = _held_availability(run, name, entry, before_avail, h.get('availability') or 'active')
        if entry is None:
            before_avail = after_avail      # a joiner's availability is given by its join request
        if after_labels != before_labels or after_avail != before_avail:
            changes = []
            if after_labels != before_labels:
                changes.append('labels %s' % _label_change(before_labels, after_labels))
            if after_avail != before_avail:
                changes.append('availability %s -> %s' % (before_avail, after_avail))
            run.steps.append(_step('update', run.result['via'], name,
                                   node_id=record.get('node_id') if entry else '',
                                   labels=wanted, labels_mode=run.opts['labels_mode'], availability=after_avail,
                                   desc='%s: %s' % (name, '; '.join(changes))))
    return True


def _held_availability(run, name, entry, before, wanted):
    """The availability this run sets. With activate_later a node is not made active here: a node that joins an
    existing swarm stays at pause (its Engine may not trust the registry yet, and a global service's tasks would be rejected on it, "No such
    image"), and so does a member that is not active yet. The pass that runs once the rest has converged (the swarm
    role's activate entry point) plans without activate_later and makes them what the inventory says."""
    # A swarm made in this run runs no service yet: its nodes need not wait.
    if not run.opts['activate_later'] or run.cluster is None or wanted != 'active' or \
            (entry is not None and before == 'active'):
        return wanted
    if name not in run.result['held']:
        run.result['held'].append(name)
    return 'pause' if entry is None else before


def _phase_manager_count(run):
    count = len(run.wanted_managers)
    if count % 2 == 0:
        run.warnings.append('The inventory has %d managers: an even number tolerates no more failures (%d) than %d '
                            'managers do. Use an odd number.' % (count, fault_tolerance(count), count - 1))
    return True


def _addresses(entry):
    """The addresses a host inits or joins with (its swarm_advertise_addr, swarm_listen_addr, swarm_data_path_addr):
    empty ones are left to the Engine."""
    return dict(advertise_addr=entry.get('advertise_addr') or '',
                listen_addr=entry.get('listen_addr') or DEFAULT_LISTEN_ADDR,
                data_path_addr=entry.get('data_path_addr') or '')


# How the waves run each action: node-local actions run on the node's own Engine, the others on the plan's manager.
# Consecutive steps of a PARALLEL action form one wave that runs on all its nodes at once (none of them changes the
# Raft membership); a manager's join, an init, a promotion or a demotion is a wave of its own; consecutive
# cluster-wide steps form one wave that runs them one after the other on the manager.
PARALLEL = ('unlock', 'leave')
ON_MANAGER = ('autolock', 'rotate', 'remove_stale', 'update')


def _wave_key(step):
    if step['action'] in PARALLEL or (step['action'] == 'join' and step.get('role') == WORKER):
        return ('parallel', step['action'], step.get('role'))
    if step['action'] in ON_MANAGER:
        return ('manager', step['phase'])
    return None


def _parts(step):
    """The requests one step is made of: a removal is demote (a manager), leave (on the node, when it can be
    reached), node rm; every other step is one request."""
    if step['action'] != 'remove':
        return [dict(step)]
    parts = []
    what = step['desc'].split(':', 1)[0]
    if step.get('demote'):
        parts.append(dict(step, action='demote', part='%s: demote' % what))
    if step.get('leave_host'):
        parts.append(dict(step, action='leave', host=step['leave_host'], force=False,
                          part='%s: leave on %s' % (what, step['leave_host'])))
    parts.append(dict(step, wait_down=bool(step.get('leave_host')), force=not step.get('leave_host'),
                      part='%s: %snode rm' % (what, 'wait until it is down, ' if step.get('leave_host') else '')))
    return parts


def _waves(result):
    """The plan's steps as the waves that carry them out, in order.

    Each wave: phase, desc, parallel (True: its steps run at once, each on its own host; False: one after the other,
    each on its `host`), needs (secrets read on `via` first: join_tokens, unlock_key), keep_unlock_key (hand the
    unlock key back to the controller), steps. Each step of a wave is a step of the plan (a removal: one of its
    parts) with `seq`, its place in the order of execution, and `index`, the plan step it carries out.
    """
    waves = []
    via = result['via']
    seq = 0
    for index, step in enumerate(result['steps']):
        key = _wave_key(step)
        last = waves[-1] if waves else None
        if key is None or last is None or last['key'] != key or \
                (key[0] == 'parallel' and step['host'] in [s['host'] for s in last['steps']]):
            last = {'key': key, 'phase': step['phase'], 'parallel': bool(key and key[0] == 'parallel'),
                    'via': via, 'needs': [], 'keep_unlock_key': False, 'steps': []}
            waves.append(last)
        for part in _parts(step):
            seq += 1
            part.update(seq=seq, index=index)
            last['steps'].append(part)
        if step['action'] == 'join' and 'join_tokens' not in last['needs']:
            last['needs'].append('join_tokens')
        if step['action'] == 'unlock' and via and 'unlock_key' not in last['needs']:
            last['needs'].append('unlock_key')
    # Autolock turned on (at init or later): the new unlock key goes back to the controller right after.
    locking = [i for i, wave in enumerate(waves)
               if any((s['action'] == 'init' and s.get('autolock')) or (s['action'] == 'autolock' and s.get('enabled'))
                      for s in wave['steps'])]
    if locking:
        after = max(i for i, wave in enumerate(waves)
                    if any(s['action'] in ('init', 'autolock', 'rotate') for s in wave['steps']))
        waves.insert(after + 1, {'key': None, 'phase': 'membership', 'parallel': False, 'via': via,
                                 'needs': ['unlock_key'], 'keep_unlock_key': True, 'steps': [],
                                 'desc': 'hand the unlock key back to the controller'})
    for wave in waves:
        del wave['key']
        descs = []
        for step in wave['steps']:
            if step['desc'] not in descs:
                descs.append(step['desc'])
        if descs:
            wave['desc'] = '; '.join(descs) + (' (at once)' if wave['parallel'] and len(descs) > 1 else '')
    return waves


def waves_done(waves, results):
    """Which planned steps ran, in plan order, and an error for each that did not (its host failed or left the play).

    started/finished are the nodes' own clocks: reported, never compared here (the nodes' clocks may differ).

    waves: the waves carried out (plan['waves'] of one phase). results: the swarm_step results as registered, in any
    grouping (lists of results, dicts with 'results'), from every host. Returns {'done': [...], 'errors': [...]}.
    """
    ran = {}
    stack = [results]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if isinstance(item.get('results'), list):
                stack.extend(item['results'])
            elif isinstance(item.get('step'), dict) and 'seq' in item['step'] and not item.get('skipped'):
                ran[item['step']['seq']] = item
    done, errors = [], []
    for wave in waves:
        for step in wave['steps']:
            item = ran.get(step['seq'])
            if item is None:
                errors.append('step %d (%s, on %s) did not run' % (step['seq'], step['desc'], step['host']))
                continue
            started, finished = item.get('started'), item.get('finished')
            done.append({'seq': step['seq'], 'index': step['index'], 'action': step['action'], 'host': step['host'],
                         'desc': step['desc'], 'changed': bool(item.get('changed')),
                         'started': started, 'finished': finished})
    return {'done': done, 'errors': errors}


def _label_change(before, after):
    parts = []
    for key in sorted(set(before) | set(after)):
        if key not in after:
            parts.append('-%s' % key)
        elif before.get(key) != after[key]:
            parts.append('+%s=%s' % (key, after[key]))
    return ' '.join(parts)


def _step(action, host, node, desc, **kwargs):
    step = {'action': action, 'host': host, 'node': node, 'desc': desc,
            'phase': 'membership' if action in MEMBERSHIP_ACTIONS else 'node'}
    step.update(kwargs)
    return step


def _finish(result, inventory, observed, cluster):
    """Summary lines and the per-node before/after that --diff shows."""
    if result['errors']:
        del result['steps'][:]
    result['summary'] = [s['desc'] for s in result['steps']]
    before, after = {}, {}
    by_id = cluster.by_id() if cluster else {}
    for h in inventory:
        name = h['name']
        record = observed.get(name)
        entry = by_id.get((record or {}).get('node_id'))
        membership = _membership(record)
        if record is not None and membership in (MANAGER, WORKER) and cluster is not None and entry is None:
            membership = 'foreign %s' % membership
        before[name] = {'membership': membership,
                        'labels': _strings((entry or {}).get('labels')),
                        'availability': (entry or {}).get('availability') or ('active' if entry else '')}
        after[name] = copy.deepcopy(before[name])
    for step in result['steps']:
        node = step.get('node')
        if step['action'] in ('init', 'join'):
            after[node]['membership'] = step.get('role', MANAGER)
            after[node]['availability'] = step.get('availability') or 'active'
        elif step['action'] in ('promote', 'demote'):
            after[node]['membership'] = MANAGER if step['action'] == 'promote' else WORKER
        elif step['action'] == 'leave':
            after[node]['membership'] = 'none'
            after[node]['labels'] = {}
        elif step['action'] == 'unlock':
            after[node]['membership'] = MANAGER
        elif step['action'] == 'update':
            labels = after[node]['labels'] if step['labels_mode'] == 'merge' else {}
            after[node]['labels'] = dict(labels, **step['labels'])
            after[node]['availability'] = step['availability']
        elif step['action'] == 'remove':
            before.setdefault(node, {'membership': 'manager' if step.get('demote') else 'worker'})
            after[node] = {'membership': 'removed'}
    result['diff'] = {'before': before, 'after': after}
    result['waves'] = _waves(result)
    result['membership_steps'] = sum(1 for s in result['steps'] if s['phase'] == 'membership')
    result['node_steps'] = sum(1 for s in result['steps'] if s['phase'] == 'node')
    return result


def node_record(node):
    """One node of the Engine's node list (GET /nodes, `docker node inspect`) as the swarm role reads it."""
    spec = node.get('Spec') or {}
    description = node.get('Description') or {}
    status = node.get('Status') or {}
    manager_status = node.get('ManagerStatus') or {}
    return dict(
        id=node.get('ID', ''),
        hostname=description.get('Hostname', ''),
        role=spec.get('Role', ''),
        availability=spec.get('Availability', ''),
        labels=spec.get('Labels') or {},
        state=status.get('State', ''),
        addr=status.get('Addr', ''),
        leader=bool(manager_status.get('Leader')),
        reachability=manager_status.get('Reachability') or '',
        manager_addr=manager_status.get('Addr') or '',
        engine_version=(description.get('Engine') or {}).get('EngineVersion', ''),
    )


def text_table(rows):
    """Rows (header first) as lines of left-aligned columns two spaces apart, as the docker CLI prints them."""
    rows = [tuple(str(c) for c in r) for r in rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))] if rows else []
    return ['  '.join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]


def node_table(nodes):
    """`docker node ls`-like lines: name, role, leader, availability, state, engine version, labels."""
    header = ('NAME', 'ROLE', 'LEADER', 'AVAILABILITY', 'STATE', 'ENGINE', 'LABELS')
    rows = [header]
    for n in sorted(nodes, key=lambda n: (n.get('role') != MANAGER, n.get('hostname') or '', n.get('id') or '')):
        labels = ','.join('%s=%s' % kv for kv in sorted(_strings(n.get('labels')).items())) or '-'
        rows.append((n.get('hostname') or _short(n.get('id')), n.get('role') or '?',
                     'yes' if n.get('leader') else ('-' if n.get('role') != MANAGER else (n.get('reachability') or '?')),
                     n.get('availability') or '?', n.get('state') or '?', n.get('engine_version') or '?', labels))
    return text_table(rows)


# Rolling Engine upgrade (playbooks/upgrade.yml): what it checks before it starts and before and after each node.

# Task states that still hold (or are about to start) a container on a node.
UPGRADE_BUSY_STATES = ('new', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting', 'running')


def _text(value):
    return '' if value is None else str(value).strip()


def unwell_nodes(nodes):
    """The nodes that are not ready and the managers that are not reachable, as 'worker worker2 is down'."""
    lines = []
    for n in nodes or []:
        bad = [] if n.get('state') == 'ready' else ['%s' % n.get('state', '')]
        if n.get('role') == MANAGER and n.get('reachability') != 'reachable':
            bad.append(n.get('reachability') or 'not reachable')
        if bad:
            lines.append('%s %s is %s' % (n.get('role', ''), n.get('hostname', ''), ' and '.join(bad)))
    return lines


def _no_swarm(views):
    """Why no inventory manager gave the swarm's node list, one reason per manager."""
    why = []
    for view in views:
        record = view.get('swarm_node')
        if record is None:
            reason = _text(view.get('msg'))
        elif record.get('quorum') is False:
            reason = '%s' % record.get('quorum_error', '')
        else:
            reason = 'not a manager (swarm state %s)' % record.get('local_state', '')
        why.append('%s: %s' % (view.get('item', ''), reason))
    return ('the swarm has no quorum, or no inventory manager can read it (%s)'
            % (', '.join(why) if why else 'the group of managers is empty'))


def _host_refusal(name, result, node, swarm):
    """Why one host of the run stops the upgrade before it starts, or None."""
    record = result.get('swarm_node')
    state = (record or {}).get('local_state', '')
    if result.get('unreachable'):
        return '%s cannot be reached: %s' % (name, _text(result.get('msg')))
    if record is None:
        return "%s's Engine does not answer: %s" % (name, _text(result.get('msg')))
    if state == 'locked':
        return '%s is a locked manager (autolock): unlock it first (swarm role with swarm_unlock_key)' % name
    if state != 'active':
        return '%s is not in the swarm (its swarm state is %s): run the swarm role first' % (name, state)
    if swarm and node is None:
        return "%s (node %s) is not in the swarm's node list" % (name, record.get('node_id', ''))
    return None


def upgrade_check(hosts, results, views):
    """Whether a rolling upgrade of `hosts` may start, in which order, and what it cannot help.

    hosts: the hosts of the run, in inventory order, as anchorage.swarm.swarm_inventory_entry gives them:
        {name, role (the inventory's: manager or worker), availability}.
    results: {name: the result anchorage.swarm.swarm_node_info registered on that host}; with ignore_unreachable
        and failed_when false, a host it could not read gives {unreachable: true, msg} or {failed: true, msg}.
    views: the results of swarm_node_info run on each inventory manager in a loop ({item: the manager, swarm_node
        or msg}), inventory order. The swarm is the node list of the first one with quorum.

    Hosts are matched to the swarm's nodes by node ID, never by hostname. Returns a dict:
      refusals: why the upgrade must not start (a host unreachable, not in the swarm, locked or with a wrong
          swarm_node_availability; no quorum; a node not ready; a manager not reachable). Empty: it may start.
      warnings: what the run cannot help (fewer than 3 managers, swarm nodes not in the run, roles the inventory and
          the swarm disagree on).
      order: the hosts in the order to upgrade them: workers, then managers, the leader last; inventory order within.
      described: the order with '(manager)' or '(leader)' after the managers.
      leader: the host that is the leader ('' when it is not in the run).
      nodes: {host: its entry in the swarm's node list}, for the hosts found there.
      via: the inventory managers with quorum, to read and change the swarm through.
      autolock: whether the swarm locks its managers when their Engine restarts.
    """
    quorum_views = [v for v in views or [] if (v.get('swarm_node') or {}).get('quorum')]
    swarm = quorum_views[0]['swarm_node'] if quorum_views else {}
    by_id = dict((n.get('id'), n) for n in swarm.get('nodes') or [])
    nodes = {}
    refusals = []
    for host in hosts:
        name = host['name']
        result = (results or {}).get(name) or {}
        node_id = (result.get('swarm_node') or {}).get('node_id')
        if node_id and node_id in by_id:
            nodes[name] = by_id[node_id]
        refusal = _host_refusal(name, result, nodes.get(name), swarm)
        if refusal:
            refusals.append(refusal)
        if host.get('availability', 'active') not in AVAILABILITIES:
            refusals.append('%s: swarm_node_availability must be active, pause or drain' % name)
    if not swarm:
        refusals.append(_no_swarm(views or []))
    refusals.extend(unwell_nodes(swarm.get('nodes')))

    def rank(host):
        node = nodes[host['name']]
        return 2 if node.get('leader') else 1 if node.get('role') == MANAGER else 0

    # sorted() is stable: inventory order among workers and among managers.
    ordered = sorted((h for h in hosts if h['name'] in nodes), key=rank)
    order = [h['name'] for h in ordered]
    leader = next((h['name'] for h in ordered if nodes[h['name']].get('leader')), '')
    described = [h['name'] + {2: ' (leader)', 1: ' (manager)', 0: ''}[rank(h)] for h in ordered]

    warnings = []
    managers = len([n for n in swarm.get('nodes') or [] if n.get('role') == MANAGER])
    if swarm and not has_quorum(managers, managers - 1):
        warnings.append('With %d manager(s) the swarm cannot keep its quorum through the restart of a manager: while '
                        'one restarts, the control plane is unavailable (no scheduling, no docker service or node '
                        'commands; running containers keep running). Three or five managers avoid this.' % managers)
    ours = set(n.get('id') for n in nodes.values())
    others = [n.get('hostname', '') for n in swarm.get('nodes') or [] if n.get('id') not in ours]
    if others:
        warnings.append('Not in this run, so not upgraded: %s' % ', '.join(others))
    mismatch = ['%s is a %s' % (h['name'], nodes[h['name']].get('role')) for h in ordered
                if (h.get('role') == MANAGER) != (nodes[h['name']].get('role') == MANAGER)]
    if mismatch:
        warnings.append('The inventory and the swarm disagree: %s. This run goes by the swarm; the swarm role '
                        'converges the roles.' % ', '.join(mismatch))
    return {'refusals': refusals, 'warnings': warnings, 'order': order, 'described': described, 'leader': leader,
            'nodes': nodes, 'via': [v.get('item') for v in quorum_views], 'autolock': bool(swarm.get('autolock'))}


def upgrade_node_check(swarm, node_id, name):
    """Why node `node_id` (host `name`) must not be taken out of the swarm now, or None.

    swarm: the swarm_node record of anchorage.swarm.swarm_node_info, read on a manager just before. The node may go
    when the swarm has quorum and every other manager is ready and reachable: losing this one then keeps the quorum
    (with one or two managers it goes whatever is done, which upgrade_check warns about).
    """
    swarm = swarm or {}
    if not swarm.get('quorum'):
        return 'the swarm has no quorum (%s)' % swarm.get('quorum_error', '')
    others = [n for n in swarm.get('nodes') or [] if n.get('role') == MANAGER and n.get('id') != node_id]
    down = []
    # Unreachable managers first, then the reachable ones that are not ready.
    unreachable = [n for n in others if n.get('reachability') != 'reachable']
    for n in unreachable + [n for n in others if n.get('state') != 'ready']:
        if n.get('hostname') not in down:
            down.append(n.get('hostname'))
    if down:
        return ('manager(s) %s not ready and reachable: taking %s out as well could lose the quorum'
                % (', '.join('%s' % d for d in down), name))
    return None


def upgrade_node_back(result, node_id, name):
    """Why the swarm is not whole again after node `node_id` (host `name`) restarted, or None.

    result: what anchorage.swarm.swarm_node_info registered on a manager (failed_when false). Whole: that manager has
    quorum, lists the node, sees every node ready and every manager reachable.
    """
    swarm = result.get('swarm_node')
    if swarm is None:
        return 'its Engine does not answer: %s' % (result.get('msg') or '')
    if not swarm.get('quorum'):
        return 'no quorum: %s' % swarm.get('quorum_error', '')
    if node_id not in [n.get('id') for n in swarm.get('nodes') or []]:
        return '%s is not in the node list' % name
    return ', '.join(unwell_nodes(swarm.get('nodes'))) or None


def busy_tasks(tasks, services, node_id=None):
    """Tasks of replicated services that still hold a container on a drained node, as 'web.2 (running)'.

    tasks, services: as community.docker.docker_swarm_info returns them with verbose_output (the Engine's API
    objects). node_id: only the tasks on that node (None: every task given). Tasks of global services and jobs are
    not counted.
    """
    replicated = {}
    for service in services or []:
        spec = service.get('Spec') or {}
        if 'Replicated' in (spec.get('Mode') or {}):
            replicated[service.get('ID')] = spec.get('Name') or service.get('ID')
    busy = []
    for task in tasks or []:
        state = (task.get('Status') or {}).get('State')
        if task.get('ServiceID') in replicated and state in UPGRADE_BUSY_STATES \
                and (node_id is None or task.get('NodeID') == node_id):
            busy.append('%s.%s (%s)' % (replicated[task['ServiceID']], task.get('Slot', task.get('ID')), state))
    return busy


def unlock_key_problem(read, given, via):
    """Why a rolling upgrade cannot unlock its restarted managers, or '' (autolock is on).

    read: the result of swarm_step read=[unlock_key] on `via`; given: swarm_unlock_key ('' when not given).
    """
    read = read or {}
    if read.get('failed') or 'unlock_key' not in read:
        return 'the unlock key could not be read on %s: %s' % (via, read.get('msg') or 'no result')
    if not read['unlock_key']:
        return 'the swarm did not give its unlock key'
    if given and given != read['unlock_key']:
        return "swarm_unlock_key is not the swarm's current unlock key (was it rotated?)"
    return ''


def upgrade_stopped(order, host, step, task, why, drained, availability):
    """The message of a rolling upgrade that stopped at `host`: where, why, how it is left, what is done."""
    why = (why or 'see the task above').rstrip()
    if why[-1:] not in '.!?':
        why += '.'
    parts = ['The rolling upgrade stopped at %s (%s), in "%s": %s' % (host, step, task, why)]
    if drained:
        parts.append('%s is left drained: once it is fixed, run the upgrade again (it sets the availability back), '
                     'or run `docker node update --availability %s %s` on a manager.' % (host, availability, host))
    index = order.index(host) if host in order else len(order)
    done, left = ', '.join(order[:index]) or 'none', ', '.join(order[index + 1:]) or 'none'
    parts.append('Done: %s; not started: %s.' % (done, left))
    return ' '.join(parts)
