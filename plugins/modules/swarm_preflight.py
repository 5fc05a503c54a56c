#!/usr/bin/python
# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: swarm_preflight
short_description: Check on one node what Docker Swarm needs, before the swarm forms
version_added: 0.1.0
description:
  - Checks on the node it runs on what Swarm needs and reports each finding in plain words, with the fix.
  - Node-local checks, returned as RV(findings) - overlay networks (a test VXLAN interface is created and deleted at once);
    IPVS for the ingress routing mesh and VIP load balancing; the advertise address is an address or interface
    of this host; the clock is within O(max_clock_skew) seconds of the controller.
  - With O(probe=true) the node listens on the Swarm ports (2377/tcp on a manager, 7946/tcp, 7946/udp and
    the data path port/udp) for O(window) seconds while it sends a short payload to every peer on the ports the peer
    should accept. Run the task on all nodes at once (the default C(linear) strategy with C(forks) at least the number
    of nodes) so that the windows overlap. What each node heard and reached is returned in RV(node.probe); which node
    cannot reach which is decided on the controller from all nodes' results, together with the hostname and Engine
    version checks, since those need every node.
  - A port already held by the Engine (the node is in a swarm already) cannot be listened on; TCP ports are then
    tested by connecting to the Engine, UDP ports are reported as not tested. The Engine logs a line about an unknown
    message for each payload it receives.
  - Never fails on a finding; it fails only when it cannot run. It changes nothing on the node.
  - Why this module exists. Nothing in community.docker checks these before a swarm forms, and C(docker swarm init)
    and C(join) do not either. A swarm that forms with 4789/udp blocked between nodes has services that cannot talk
    across nodes, and a kernel without IPVS has published ports that refuse connections; both show up much later,
    as application faults, far from their cause.
author:
  - Anchorage developers (@anchorage)
extends_documentation_fragment:
  - anchorage.swarm.attributes
attributes:
  check_mode:
    support: full
    details: Runs all checks in check mode too; the test interface and the sockets do not outlive the task.
  diff_mode:
    support: none
  idempotent:
    support: full
options:
  node_name:
    description:
      - This node's inventory name (V({{ inventory_hostname }})), used in findings and sent in probe payloads,
        so it must be the name the other nodes have for it in their O(peers).
      - Defaults to the host name.
    type: str
    default: ''
  advertise_addr:
    description:
      - The address this node will advertise to the swarm (C(swarm_advertise_addr)) - an IP address, C(IP:port),
        or an interface name. Checked against the host's addresses.
      - Empty to skip the check (Docker then picks an address itself).
    type: str
    default: ''
  reference_time:
    description:
      - The controller's time (seconds since the epoch) when the task was templated,
        from the template C(now) function as the EXAMPLES show. The skew is this node's time minus it.
      - Not set, the clock is not checked.
    type: float
  max_clock_skew:
    description:
      - Largest skew in seconds, either way, that is not an error.
      - The measured skew includes the time the task took to reach the node, so leave a few seconds for that.
    type: float
    default: 10.0
  probe:
    description: Listen on and send to the Swarm ports (see the description). V(false) runs the node-local checks only.
    type: bool
    default: true
  peers:
    description: The other nodes of the swarm, to send to. An entry named O(node_name) is skipped.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The peer's inventory name, as its own O(node_name).
        type: str
        required: true
      addr:
        description: An IPv4 address or a host name of the peer (the probe uses IPv4), without a port.
        type: str
        required: true
  manager:
    description: This node will be a manager, so it must accept 2377/tcp.
    type: bool
    default: false
  peer_managers:
    description: Names of the peers that will be managers; 2377/tcp is probed on those only.
    type: list
    elements: str
    default: []
  data_path_port:
    description:
      - The UDP port of the overlay data path (VXLAN), as given to C(docker swarm init --data-path-port).
      - From V(1024) to V(49151), as dockerd takes it. This, O(advertise_addr), O(max_clock_skew), O(window) and each
        peer's O(peers[].addr) are checked before anything is probed; a bad one fails the task.
    type: int
    default: 4789
  window:
    description: Seconds the probe listens and sends for.
    type: float
    default: 4.0
notes:
  - Needs root (C(become)) for the VXLAN test; without it that check is reported as not tested.
  - The probe listens on 0.0.0.0 (IPv4).
seealso:
  - name: Open protocols and ports between the hosts
    description: The ports Swarm needs, and why.
    link: https://docs.docker.com/engine/swarm/swarm-tutorial/#open-protocols-and-ports-between-the-hosts
  - name: Swarm mode routing mesh
    description: Ingress publishing (needs IPVS) and host-mode publishing.
    link: https://docs.docker.com/engine/swarm/ingress/
"""

EXAMPLES = r"""
- name: Check every node before the swarm forms
  anchorage.swarm.swarm_preflight:
    node_name: "{{ inventory_hostname }}"
    advertise_addr: "{{ swarm_advertise_addr | default('') }}"
    reference_time: "{{ now().timestamp() }}"
    manager: "{{ inventory_hostname in groups['swarm_managers'] }}"
    # The peers' addresses from the inventory: every node's ansible_host.
    peers: >-
      {{ dict(peer_names | zip(peer_names | map('extract', hostvars, 'ansible_host')))
         | dict2items(key_name='name', value_name='addr') }}
    peer_managers: "{{ groups['swarm_managers'] | difference([inventory_hostname]) }}"
  vars:
    peer_names: "{{ groups['swarm'] | difference([inventory_hostname]) }}"
  become: true
  register: preflight

- name: Node-local checks only (no probe), for example on a single host
  anchorage.swarm.swarm_preflight:
    probe: false
    reference_time: "{{ now().timestamp() }}"
  register: preflight_local

- name: Show what the node-local checks found
  ansible.builtin.debug:
    msg: "{{ preflight_local.findings | map(attribute='msg') }}"
"""

RETURN = r"""
node:
  description: What the node reported, for the cross-node checks made on the controller.
  returned: success
  type: dict
  contains:
    name:
      description: O(node_name), or the host name when it was empty.
      type: str
      sample: manager1
    hostname:
      description: The host name (the name C(docker node ls) shows).
      type: str
      sample: manager1
    skew:
      description: This node's time minus O(reference_time), in seconds; null when O(reference_time) is not set.
      type: float
      sample: 0.42
    engine_version:
      description: The version C(dockerd --version) reports; empty when dockerd is not installed.
      type: str
      sample: 20.10.24+dfsg1
    vxlan:
      description: Whether a test VXLAN interface could be created (C(ok) null when it could not be tested) and the error.
      type: dict
      sample: {"ok": true, "error": ""}
    ipvs:
      description:
        - C(proc) is whether C(/proc/net/ip_vs) exists, that is IPVS is loaded.
        - C(module) is whether the kernel's C(modules.dep) or C(modules.builtin) lists C(ip_vs), that is IPVS can be loaded.
      type: dict
      sample: {"proc": false, "module": false}
    addresses:
      description: The host's addresses by interface; null when they could not be listed.
      type: dict
      sample: {"lo": ["127.0.0.1", "::1"], "eth0": ["192.0.2.10"]}
    probe:
      description:
        - What the probe found; null when O(probe=false).
        - "C(bound) maps each port this node listened on (V(7946/udp)) to V(listening), V(in use) (held by another
          process, normally the Engine) or V(error: <why>)."
        - C(heard) maps each port to the names of the peers whose payload arrived on it.
        - C(connected) maps each TCP port to the names of the peers this node could connect to on it.
        - C(errors) maps a peer name to why nothing could be sent to it (its address did not resolve).
        - C(started) and C(ended) are this node's times when the probe began and stopped.
      type: dict
      sample:
        bound: {"2377/tcp": "listening", "7946/tcp": "listening", "7946/udp": "listening", "4789/udp": "listening"}
        heard: {"2377/tcp": ["worker1"], "7946/tcp": ["worker1"], "7946/udp": ["worker1"], "4789/udp": []}
        connected: {"7946/tcp": ["worker1"]}
        errors: {}
        started: 1795000000.1
        ended: 1795000004.1
findings:
  description: The node-local findings (vxlan, ipvs, advertise_addr, clock), each with the fix in C(msg).
  returned: success
  type: list
  elements: dict
  contains:
    level:
      description: V(error), V(warning) or V(info).
      type: str
    check:
      description: V(vxlan), V(ipvs), V(advertise_addr) or V(clock).
      type: str
    node:
      description: O(node_name).
      type: str
    msg:
      description: The finding in plain words.
      type: str
  sample:
    - level: warning
      check: ipvs
      node: manager1
      msg: "the ingress routing mesh and VIP load balancing will not work on manager1 (kernel has no IPVS); ..."
"""

import errno
import os
import selectors
import socket
import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.anchorage.swarm.plugins.module_utils._swarm_preflight import (
    IN_USE,
    LISTENING,
    advertise_addr_finding,
    clock_findings,
    default_interface,
    input_problems,
    ipvs_finding,
    module_listed,
    parse_dockerd_version,
    parse_ip_json,
    parse_ip_oneline,
    parse_payload,
    probe_payload,
    swarm_ports,
    vni_in_use,
    vxlan_finding,
)

# A VNI Docker's overlay driver does not hand out in the host's namespace; the
# link is never brought up, so its UDP port is not opened either.
TEST_VNI = '4242'


def _close_all(sockets):
    for sock in sockets:
        try:
            sock.close()
        except OSError:
            pass


def _bind_listeners(listen, bind_addr, selector, result, sockets):
    for key in sorted(listen):
        tcp = key.endswith('/tcp')
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM)
        sockets.append(sock)
        if tcp:
            # Lets a re-run bind while the last run's connections sit in TIME_WAIT;
            # it does not let a TCP socket share a port someone listens on. Not
            # set on UDP, where it would let two sockets share the port and hide
            # an Engine that holds it.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((bind_addr, listen[key]))
            if tcp:
                sock.listen(16)
        except OSError as exc:
            result['bound'][key] = IN_USE if exc.errno == errno.EADDRINUSE else 'error: %s' % (exc.strerror or exc)
            continue
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ, ('listen', key))
        result['bound'][key] = LISTENING
        result['heard'][key] = set()


def _targets(node_name, peers, result):
    """(tcp targets, udp targets) as dicts with name, key and socket address."""
    tcp, udp = [], []
    for peer in peers:
        if peer['name'] == node_name:
            continue
        for key in sorted(peer['ports']):
            try:
                address = socket.getaddrinfo(peer['addr'], peer['ports'][key], socket.AF_INET)[0][4]
            except (socket.gaierror, UnicodeError) as exc:
                result['errors'][peer['name']] = 'cannot resolve %s (IPv4): %s' % (peer['addr'], to_native(exc))
                break
            target = dict(name=peer['name'], key=key, address=address, sock=None, deadline=0.0, next_try=0.0)
            if key.endswith('/tcp'):
                result['connected'].setdefault(key, set())
                tcp.append(target)
            else:
                udp.append(target)
    return tcp, udp


def run_probe(node_name, listen, peers, window, bind_addr='0.0.0.0', interval=0.2, connect_timeout=1.0, retry=0.5):
    """Listen on ``listen`` and send to ``peers`` at the same time for ``window`` seconds.

    ``listen`` is {'7946/udp': port to bind}; each peer is a dict with
    ``name``, ``addr`` and ``ports`` ({'7946/udp': port to send to}). The
    keys name the port in the result; the port numbers differ from the key
    only in tests, where several "nodes" share one host. Returns the
    ``probe`` dict of the module's result.
    """
    result = dict(bound={}, heard={}, connected={}, errors={}, started=time.time(), ended=None)
    payload = probe_payload(node_name)
    selector = selectors.DefaultSelector()
    sockets = []
    try:
        _bind_listeners(listen, bind_addr, selector, result, sockets)
        tcp_targets, udp_targets = _targets(node_name, peers, result)
        sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sockets.append(sender)
        sender.setblocking(False)
        conns = {}  # accepted socket -> [key, bytes so far, deadline]
        end = result['started'] + (window if tcp_targets or udp_targets else 0)
        next_send = result['started']
        while True:
            now = time.time()
            if now >= end:
                break
            if now >= next_send:
                for target in udp_targets:
                    try:
                        sender.sendto(payload, target['address'])
                    except OSError:
                        pass  # unreachable now; the next round may pass
                next_send = now + interval
            _start_connects(tcp_targets, now, connect_timeout, retry, selector, sockets)
            _expire(tcp_targets, conns, now, selector, result, retry)
            waits = [end, next_send] + [t['deadline'] if t['sock'] else t['next_try']
                                        for t in tcp_targets if t['next_try'] is not None]
            waits += [c[2] for c in conns.values()]
            timeout = max(0.0, min(min(waits) - now, interval))
            for event, dummy in selector.select(timeout):
                _handle(event, conns, selector, result, payload, retry, connect_timeout)
    finally:
        result['ended'] = time.time()
        selector.close()
        _close_all(sockets)
    for section in ('heard', 'connected'):
        result[section] = dict((key, sorted(names - set([node_name]))) for key, names in result[section].items())
    return result


def _start_connects(tcp_targets, now, connect_timeout, retry, selector, sockets):
    for target in tcp_targets:
        if target['sock'] is not None or target['next_try'] is None or now < target['next_try']:
            continue
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sockets.append(sock)
        sock.setblocking(False)
        code = sock.connect_ex(target['address'])
        if code not in (0, errno.EINPROGRESS):
            sock.close()
            target['next_try'] = now + retry
            continue
        target['sock'] = sock
        target['deadline'] = now + connect_timeout
        selector.register(sock, selectors.EVENT_WRITE, ('connect', target))


def _expire(tcp_targets, conns, now, selector, result, retry):
    for target in tcp_targets:
        if target['sock'] is not None and now >= target['deadline']:
            _drop(selector, target['sock'])
            target['sock'] = None
            target['next_try'] = now + retry
    for conn in [c for c, state in conns.items() if now >= state[2]]:
        _finish_conn(conn, conns, selector, result)


def _drop(selector, sock):
    try:
        selector.unregister(sock)
    except (KeyError, ValueError):
        pass
    sock.close()


def _finish_conn(conn, conns, selector, result):
    key, data, dummy = conns.pop(conn)
    _drop(selector, conn)
    name = parse_payload(data)
    if name:
        result['heard'][key].add(name)


def _handle(event, conns, selector, result, payload, retry, connect_timeout):
    kind, info = event.data
    sock = event.fileobj
    if kind == 'listen' and info.endswith('/tcp'):
        try:
            conn, dummy = sock.accept()
        except OSError:
            return
        conn.setblocking(False)
        conns[conn] = [info, b'', time.time() + connect_timeout]
        selector.register(conn, selectors.EVENT_READ, ('conn', info))
    elif kind == 'listen':
        try:
            data, dummy = sock.recvfrom(512)
        except OSError:
            return
        name = parse_payload(data)
        if name:
            result['heard'][info].add(name)
    elif kind == 'conn':
        try:
            data = sock.recv(256)
        except OSError:
            data = b''
        conns[sock][1] += data
        if not data or b'\n' in conns[sock][1] or len(conns[sock][1]) >= 256:
            _finish_conn(sock, conns, selector, result)
    else:
        target = info
        code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        selector.unregister(sock)
        target['sock'] = None
        if code:
            sock.close()
            # Refused: the peer may not listen yet. Try again while the window lasts.
            target['next_try'] = time.time() + retry
            return
        result['connected'][target['key']].add(target['name'])
        target['next_try'] = None  # reached: done with this one
        try:
            sock.send(payload)
        except OSError:
            pass
        sock.close()


class SwarmPreflight(object):
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.started = time.time()
        self.name = self.params['node_name'] or socket.gethostname()
        self.ip = module.get_bin_path('ip', opt_dirs=['/usr/sbin', '/sbin'])

    def fail(self, why):
        self.module.fail_json(msg='Cannot run the Swarm preflight: %s' % why)

    def vxlan(self):
        if not self.ip:
            return dict(ok=None, error='the ip command is missing; install iproute2 to test it')
        rc, out, err = self.module.run_command([self.ip, 'route', 'show', 'default'])
        device = default_interface(out) if rc == 0 else None
        # IFNAMSIZ: at most 15 characters; the pid keeps concurrent runs apart.
        link = 'anchorage-pf%d' % (os.getpid() % 1000)
        command = [self.ip, 'link', 'add', link, 'type', 'vxlan', 'id', TEST_VNI, 'dstport', '0', 'nolearning']
        if device:
            command += ['dev', device]
        rc, out, err = self.module.run_command(command)
        if rc != 0 and 'File exists' in err:
            # Left by a run that was killed between add and delete: the name is ours.
            self.module.run_command([self.ip, 'link', 'delete', link])
            rc, out, err = self.module.run_command(command)
        if rc != 0:
            # Another preflight on this host holds the test VNI at this moment:
            # the kernel got as far as that check, so it knows VXLAN.
            return dict(ok=True, error='') if vni_in_use(err) else dict(ok=False, error=(err or out).strip())
        rc, out, err = self.module.run_command([self.ip, 'link', 'delete', link])
        if rc != 0:
            self.module.warn('The test interface %s could not be deleted (%s); delete it with `ip link delete %s`.'
                             % (link, (err or out).strip(), link))
        return dict(ok=True, error='')

    def ipvs(self):
        module = False
        directory = os.path.join('/lib/modules', os.uname()[2])
        for listing in ('modules.dep', 'modules.builtin'):
            try:
                with open(os.path.join(directory, listing)) as handle:
                    module = module or module_listed(handle.read(), 'ip_vs')
            except (IOError, OSError):
                continue  # no module tree: a container or a kernel without modules
        return dict(proc=os.path.exists('/proc/net/ip_vs'), module=module)

    def addresses(self):
        if not self.ip:
            return None
        rc, out, err = self.module.run_command([self.ip, '-j', 'addr'])
        if rc == 0:
            try:
                return parse_ip_json(out)
            except ValueError:
                pass
        # iproute2 before 4.13 has no JSON output.
        rc, out, err = self.module.run_command([self.ip, '-o', 'addr'])
        return parse_ip_oneline(out) if rc == 0 else None

    def engine_version(self):
        dockerd = self.module.get_bin_path('dockerd', opt_dirs=['/usr/sbin', '/usr/bin'])
        if not dockerd:
            return ''
        rc, out, err = self.module.run_command([dockerd, '--version'])
        return parse_dockerd_version(out) if rc == 0 else ''

    def probe(self):
        data_path_port = self.params['data_path_port']
        peers = []
        for peer in self.params['peers']:
            manager = peer['name'] in self.params['peer_managers']
            peers.append(dict(name=peer['name'], addr=peer['addr'], ports=swarm_ports(manager, data_path_port)))
        try:
            return run_probe(self.name, swarm_ports(self.params['manager'], data_path_port), peers,
                             self.params['window'])
        except (OSError, socket.error) as exc:
            self.fail('the port probe stopped: %s' % to_native(exc))

    def run(self):
        problems = input_problems(self.params)
        if problems:
            self.fail('; '.join(problems))
        reference = self.params['reference_time']
        node = dict(name=self.name, hostname=socket.gethostname(),
                    skew=round(self.started - reference, 3) if reference is not None else None,
                    engine_version=self.engine_version(), vxlan=self.vxlan(), ipvs=self.ipvs(),
                    addresses=self.addresses(), probe=None)
        if self.params['probe']:
            node['probe'] = self.probe()
        findings = [
            vxlan_finding(self.name, node['vxlan']['ok'], node['vxlan']['error']),
            ipvs_finding(self.name, node['ipvs']['proc'], node['ipvs']['module']),
            advertise_addr_finding(self.name, self.params['advertise_addr'], node['addresses']),
        ]
        findings += clock_findings({self.name: node['skew']}, self.params['max_clock_skew'])
        return dict(changed=False, node=node, findings=[f for f in findings if f])


def main():
    module = AnsibleModule(
        argument_spec=dict(
            node_name=dict(type='str', default=''),
            advertise_addr=dict(type='str', default=''),
            reference_time=dict(type='float'),
            max_clock_skew=dict(type='float', default=10.0),
            probe=dict(type='bool', default=True),
            peers=dict(type='list', elements='dict', default=[], options=dict(
                name=dict(type='str', required=True),
                addr=dict(type='str', required=True),
            )),
            manager=dict(type='bool', default=False),
            peer_managers=dict(type='list', elements='str', default=[]),
            data_path_port=dict(type='int', default=4789),
            window=dict(type='float', default=4.0),
        ),
        supports_check_mode=True,
    )
    module.exit_json(**SwarmPreflight(module).run())


if __name__ == '__main__':
    main()
