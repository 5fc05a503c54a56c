# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Swarm membership and cluster requests through the Engine API: what anchorage.swarm.swarm_member and
anchorage.swarm.swarm_step send.

SwarmMember acts on the node's own Engine (init, join, leave, unlock); SwarmCluster acts on a manager's Engine for
the whole swarm (node role, labels, availability, node removal, autolock, token rotation, the join tokens and the
unlock key). Neither decides anything the plan has not: each request is checked against what the Engine says now,
so that a step already done is not done twice, and a refusal raises MemberError with the reason.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import time

from ansible_collections.anchorage.swarm.plugins.module_utils._docker_api import EngineAPIError, info_record
from ansible_collections.anchorage.swarm.plugins.module_utils._swarm import (
    address_problem,
    init_settings_problems,
    mistyped_ipv4,
)

# The Engine gives up waiting for a join after about 20 s and says so, while the
# join goes on in the background: that is no failure, the caller waits for it.
JOIN_STILL_RUNNING = 'Timeout was reached before node joined'


class MemberError(Exception):
    """A request this node cannot make now; the message says why and what to do."""


TOKEN_RE = re.compile(r'^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$')
# As `docker swarm unlock-key -q` prints it: the prefix and the key in unpadded base64 (swarmkit's HumanReadableKey).
UNLOCK_KEY_RE = re.compile(r'^SWMKEY-1-[A-Za-z0-9+/]+=*$')
# Anything shaped like a join token or an unlock key, wherever it is in a text: the Engine's messages may quote a
# token or key this module was not given (another node's, a rotated one), which no_log does not know to hide.
SECRET_RE = re.compile(r'SWMTKN-1-[0-9A-Za-z]+(?:-[0-9A-Za-z]+)?|SWMKEY-1-[0-9A-Za-z+/=]+')


def mask_secrets(text, given=()):
    """`text` with the `given` secrets and anything shaped like a join token or an unlock key replaced."""
    for secret in given:
        if secret:
            text = text.replace(secret, '********')
    return SECRET_RE.sub('********', text)


MAX_TIMEOUT = 86400


def _host_port_problem(option, value, port_required):
    """Why `value` is no host[:port] address of a manager (None when it is one): a host name or an IP."""
    if not isinstance(value, str) or not value.strip() or any(c.isspace() for c in value):
        return '%s %r is no address (host:port)' % (option, value)
    if value.startswith('['):
        host, _sep, rest = value[1:].partition(']')
        port = rest[1:] if rest.startswith(':') else None
        if rest and port is None:
            return '%s %r is not [IPv6]:port' % (option, value)
    elif value.count(':') > 1:
        host, port = value, None  # a bare IPv6 address
    else:
        host, sep, port = value.partition(':')
        port = port if sep else None
        if mistyped_ipv4(host):
            return '%s %r: %s is no IPv4 address; write the manager as IP:port, e.g. 10.0.0.11:2377' % (
                option, value, host)
    if port is None:
        if port_required:
            return '%s %r has no port; write it as host:port, e.g. 10.0.0.11:2377' % (option, value)
        return None
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        return '%s %r is not host:port with a port from 1 to 65535' % (option, value)
    return None


def timeout_problem(timeout):
    """Why `timeout` is no usable wait in seconds (None when it is one)."""
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, int) or not 0 < timeout <= MAX_TIMEOUT:
        return 'timeout %r is not a number of seconds from 1 to %d' % (timeout, MAX_TIMEOUT)
    return None


def join_problems(params):
    """Every reason the join inputs cannot work, checked before anything is changed (an empty list when none).

    The token itself never appears in a message."""
    problems = []
    token = params.get('join_token')
    if not token or not isinstance(token, str) or not TOKEN_RE.match(token.strip()):
        problems.append('join_token is not a swarm join token (SWMTKN-1-<digest>-<secret>, as '
                        '`docker swarm join-token -q worker` prints it)')
    remotes = params.get('remote_addrs') or []
    if not remotes:
        problems.append('remote_addrs names no manager to join through')
    for addr in remotes:
        problem = _host_port_problem('remote_addrs item', addr, True)
        if problem:
            problems.append(problem)
    return problems + _address_problems(params) + init_settings_problems(params.get('data_path_port')) \
        + [p for p in [timeout_problem(params.get('timeout'))] if p]


def _address_problems(params):
    # An interface name (eth0) or an address, with or without a port: what dockerd takes.
    return [p for p in (address_problem(option, params[option])
                        for option in ('listen_addr', 'advertise_addr', 'data_path_addr')
                        if params.get(option) not in (None, '')) if p]


def input_problems(state, params):
    """Every reason the inputs of `state` cannot work, checked before the Engine is asked anything (an empty list
    when none). No secret appears in a message."""
    if state == 'joined':
        return join_problems(params)
    problems = [p for p in [timeout_problem(params.get('timeout'))] if p]
    if state == 'init':
        problems += _address_problems(params) + init_settings_problems(
            params.get('data_path_port'), params.get('default_addr_pool'), params.get('subnet_size'))
    if state == 'unlocked':
        key = params.get('unlock_key')
        if not isinstance(key, str) or not UNLOCK_KEY_RE.match(key.strip()):
            problems.append('unlock_key is not a swarm unlock key (SWMKEY-1-<key>, as `docker swarm unlock-key -q` '
                            'prints it on an unlocked manager)')
    return problems


def _poll(check, timeout):
    """Call check() once a second until it is true (True) or `timeout` seconds have passed (False)."""
    deadline = time.time() + timeout
    while not check():
        if time.time() >= deadline:
            return False
        time.sleep(1)
    return True


def _body(params, keys):
    """The request body: only the settings that were given, so that the Engine's defaults stay in force."""
    body = {}
    for option, key in keys:
        if params.get(option) not in (None, '', []):
            body[key] = params[option]
    return body


def after_failed_join(left, why, state_now):
    """The message of a join that failed after the node left its swarm: what happened and the state now."""
    where = 'the node is in no swarm now' if state_now == 'inactive' else 'the node is in swarm state %s now' % state_now
    return ('left swarm %s, then the join failed: %s; %s; to rejoin, run again with a valid join token and '
            'a reachable manager (remote_addrs)' % (left, why, where))


class SwarmMember(object):
    """The swarm membership of the node whose Engine `api` reaches.

    params: advertise_addr, listen_addr, data_path_addr, data_path_port, default_addr_pool, subnet_size, autolock,
    join_token, remote_addrs, expected_cluster_id, force, unlock_key, timeout (any may be None).
    """

    def __init__(self, api, params, check_mode=False):
        self.api = api
        self.params = params
        self.check_mode = check_mode
        self.node = None
        self.predicted = None
        self.changed = False

    def read(self):
        # The Engine fills Cluster only on a manager: a worker cannot tell which swarm it is in.
        self.node = info_record(self.api.get('/info'))
        return self.node

    @staticmethod
    def summary(node):
        return dict(local_state=node['local_state'], manager=node['manager'], cluster_id=node['cluster_id'])

    def change(self, predicted):
        """Record a change to come; True when it is to be made (not in check mode)."""
        self.predicted = predicted
        if self.check_mode:
            self.changed = True
        return not self.check_mode

    def done(self):
        # Set after each request the Engine accepted, so that a later failure still reports the change.
        self.changed = True

    def same_cluster(self, node):
        """Whether this manager is in the swarm expected_cluster_id names (True when none is named)."""
        expected = self.params.get('expected_cluster_id')
        if not expected:
            return True
        if not node['cluster_id']:
            # A manager without quorum cannot read its swarm: leaving it on a guess could wreck a healthy swarm.
            raise MemberError('%s is a manager of a swarm whose ID it cannot read (%s), so it cannot be checked '
                              'against %s' % (node['hostname'], node['swarm_error'] or 'no leader?', expected))
        return node['cluster_id'] == expected

    def leave(self, force):
        self.api.post('/swarm/leave', query={'force': force})
        self.done()

    def wait_active(self):
        problem = timeout_problem(self.params.get('timeout'))
        if problem:
            raise MemberError(problem)
        timeout = self.params.get('timeout') or 120
        if not _poll(lambda: self.read()['local_state'] == 'active', timeout):
            node = self.node
            why = ': ' + node['swarm_error'] if node['swarm_error'] else ''
            raise MemberError('%s is in swarm state %s after %d s%s'
                              % (node['hostname'], node['local_state'], timeout, why))

    def check_inputs(self, state):
        problems = input_problems(state, self.params)
        if problems:
            raise MemberError('; '.join(problems) + ' (nothing was changed)')

    def init(self):
        self.check_inputs('init')
        node = self.node
        if node['local_state'] == 'active':
            if not node['manager']:
                raise MemberError('%s is a worker of another swarm; make it leave first (state=absent)'
                                  % node['hostname'])
            if not self.same_cluster(node):
                raise MemberError('%s already belongs to swarm %s, not %s'
                                  % (node['hostname'], node['cluster_id'], self.params.get('expected_cluster_id')))
            return
        if node['local_state'] == 'locked':
            raise MemberError('%s is a locked manager of a swarm; unlock it (state=unlocked)' % node['hostname'])
        leave_first = node['local_state'] in ('pending', 'error')
        if leave_first and not self.params.get('force'):
            raise MemberError('%s is %s in a swarm (%s); set force=true to leave it first'
                              % (node['hostname'], node['local_state'], node['swarm_error'] or 'no error given'))
        if not self.change(dict(local_state='active', manager=True, cluster_id='')):
            return
        if leave_first:
            self.leave(force=True)
        body = _body(self.params, [('listen_addr', 'ListenAddr'), ('advertise_addr', 'AdvertiseAddr'),
                                   ('data_path_addr', 'DataPathAddr'), ('data_path_port', 'DataPathPort'),
                                   ('default_addr_pool', 'DefaultAddrPool'), ('subnet_size', 'SubnetSize')])
        body['Spec'] = {'EncryptionConfig': {'AutoLockManagers': bool(self.params.get('autolock'))}}
        self.api.post('/swarm/init', body)
        self.done()
        self.wait_active()

    def joined(self):
        node = self.node
        state = node['local_state']
        if state == 'locked':
            raise MemberError('%s is a locked manager of a swarm; unlock it first (state=unlocked)' % node['hostname'])
        leave_first = False
        if state == 'active':
            if not node['manager'] or self.same_cluster(node):
                return
            if not self.params.get('force'):
                raise MemberError('%s is a manager of swarm %s, not of swarm %s; make it leave (state=absent, '
                                  'force=true) or set force=true'
                                  % (node['hostname'], node['cluster_id'], self.params.get('expected_cluster_id')))
            leave_first = True
        elif state in ('pending', 'error'):
            # A join that never completed blocks a new one, and the Engine drops it only with force.
            leave_first = True
        if not self.params.get('join_token') or not self.params.get('remote_addrs'):
            raise MemberError('no join token or no manager address to join through was given')
        # Checked before any leave: a bad input must not cost the node the swarm it is in.
        self.check_inputs('joined')
        # The join token decides the role, so check mode cannot tell it.
        if not self.change(dict(local_state='active', manager=None,
                                cluster_id=self.params.get('expected_cluster_id') or '')):
            return
        left = None
        if leave_first:
            self.leave(force=True)
            left = node['cluster_id'] or 'the pending one'
        body = _body(self.params, [('listen_addr', 'ListenAddr'), ('advertise_addr', 'AdvertiseAddr'),
                                   ('data_path_addr', 'DataPathAddr'), ('remote_addrs', 'RemoteAddrs'),
                                   ('join_token', 'JoinToken'), ('availability', 'Availability')])
        try:
            try:
                self.api.post('/swarm/join', body)
            except EngineAPIError as exc:
                if exc.status is None or JOIN_STILL_RUNNING not in (exc.message or ''):
                    raise
            self.done()
            self.wait_active()
        except (EngineAPIError, MemberError) as exc:
            if left is None:
                raise
            raise MemberError(after_failed_join(left, getattr(exc, 'message', None) or str(exc), self._now()))

    def _now(self):
        """The node's swarm state now, as a failure reports it (re-read: the join may have half happened)."""
        try:
            return self.read()['local_state']
        except EngineAPIError:
            return 'unknown (the Engine did not answer)'

    def absent(self):
        if self.node['local_state'] == 'inactive':
            return
        if self.change(dict(local_state='inactive', manager=False, cluster_id='')):
            # A refusal (a manager without force, a quorum at risk) fails as is: forcing is the caller's decision.
            self.leave(force=bool(self.params.get('force')))
            self.read()

    def unlocked(self):
        self.check_inputs('unlocked')
        if self.node['local_state'] != 'locked':
            return
        # Only managers lock; the swarm's ID is read once it is unlocked.
        if not self.change(dict(local_state='active', manager=True, cluster_id='')):
            return
        self.api.post('/swarm/unlock', {'UnlockKey': self.params.get('unlock_key') or ''})
        self.done()
        self.wait_active()


class SwarmCluster(object):
    """Requests for the whole swarm, sent to a manager's Engine (`api`). Nodes are addressed by ID."""

    def __init__(self, api, check_mode=False, timeout=120):
        self.api = api
        self.check_mode = check_mode
        self.timeout = timeout
        self.changed = False

    def _wait(self, what, check):
        if not _poll(check, self.timeout):
            raise MemberError('%s did not happen within %d s' % (what, self.timeout))

    def node(self, node_id):
        """The node's entry, or None when the swarm has no such node."""
        try:
            return self.api.get('/nodes/%s' % node_id)
        except EngineAPIError as exc:
            if exc.status == 404:
                return None
            raise

    def update_node(self, node_id, role=None, labels=None, labels_mode='merge', availability=None):
        """Set a node's role, labels and availability; True when anything changed (or would, in check mode)."""
        node = self.node(node_id)
        if node is None:
            raise MemberError('the swarm has no node %s (it left or was removed since the plan was made); run again'
                              % node_id)
        spec = dict(node.get('Spec') or {})
        wanted = dict(spec)
        if role is not None:
            wanted['Role'] = role
        if labels is not None:
            current = dict(spec.get('Labels') or {})
            wanted['Labels'] = dict(current, **labels) if labels_mode == 'merge' else dict(labels)
        if availability is not None:
            wanted['Availability'] = availability
        if dict(wanted, Labels=wanted.get('Labels') or {}) == dict(spec, Labels=spec.get('Labels') or {}):
            return False
        self.changed = True
        if self.check_mode:
            return True
        self.api.post('/nodes/%s/update' % node_id, wanted, query={'version': node['Version']['Index']})
        if role == 'worker':
            # A demotion takes effect once Raft has removed the member: leaving or removing the node before then
            # is refused, or costs a vote.
            self._wait('the demotion of %s' % node_id,
                       lambda: not ((self.node(node_id) or {}).get('ManagerStatus')))
        elif role == 'manager':
            self._wait('the promotion of %s' % node_id,
                       lambda: ((self.node(node_id) or {}).get('ManagerStatus') or {}).get('Reachability')
                       == 'reachable')
        return True

    def remove_node(self, node_id, force=False, wait_down=False):
        """`docker node rm`; with wait_down, once the swarm sees the node down (it has just left)."""
        node = self.node(node_id)
        if node is None:
            return False
        self.changed = True
        if self.check_mode:
            return True
        if wait_down:
            self._wait('node %s going down after it left' % node_id,
                       lambda: ((self.node(node_id) or {}).get('Status') or {}).get('State') in ('down', None))
        try:
            self.api.delete('/nodes/%s' % node_id, query={'force': bool(force)})
        except EngineAPIError as exc:
            if exc.status != 404:
                raise
        return True

    def update_swarm(self, autolock=None, rotate=()):
        """Turn autolock on or off and rotate join tokens; True when anything changed."""
        swarm = self.api.get('/swarm')
        spec = dict(swarm.get('Spec') or {})
        encryption = dict(spec.get('EncryptionConfig') or {})
        change_lock = autolock is not None and bool(encryption.get('AutoLockManagers')) != bool(autolock)
        if not change_lock and not rotate:
            return False
        self.changed = True
        if self.check_mode:
            return True
        if change_lock:
            encryption['AutoLockManagers'] = bool(autolock)
            spec['EncryptionConfig'] = encryption
        self.api.post('/swarm/update', spec, query={
            'version': swarm['Version']['Index'],
            'rotateWorkerToken': 'worker' in rotate,
            'rotateManagerToken': 'manager' in rotate,
        })
        return True

    def secrets(self, which):
        """What the joins and unlocks of a wave need: join_tokens ({worker, manager}) and join_addrs (the ready
        managers' addresses), unlock_key."""
        out = {}
        if 'join_tokens' in which:
            tokens = (self.api.get('/swarm') or {}).get('JoinTokens') or {}
            out['join_tokens'] = {'worker': tokens.get('Worker', ''), 'manager': tokens.get('Manager', '')}
            out['join_addrs'] = sorted(
                (n.get('ManagerStatus') or {}).get('Addr') for n in self.api.get('/nodes') or []
                if (n.get('ManagerStatus') or {}).get('Addr') and (n.get('Status') or {}).get('State') == 'ready')
        if 'unlock_key' in which:
            out['unlock_key'] = (self.api.get('/swarm/unlockkey') or {}).get('UnlockKey') or ''
        return out
