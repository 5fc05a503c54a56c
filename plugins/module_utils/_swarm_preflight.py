# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure decisions of the Swarm preflight: what each check found, in plain words.

Nothing here talks to a host. The module ``swarm_preflight`` gathers facts on
each node and calls the node-local checks (VXLAN, IPVS, advertise address,
clock); the cross-node checks (hostnames, Engine versions, ports) take the
results of every node, as that module returns them, and run on the controller.

A finding is a dict ``{level, check, node, msg}``: ``level`` is ``error``
(the swarm would form but not work), ``warning`` (it works with a limit, or
something could not be tested) or ``info``; ``check`` is a short id; ``node``
is an inventory name, or '' for a finding about several nodes; ``msg`` says
what is wrong and how to fix it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import json
import re

from ansible_collections.anchorage.swarm.plugins.module_utils._engine import engine_release
from ansible_collections.anchorage.swarm.plugins.module_utils._swarm import (
    address_problem,
    init_settings_problems,
    mistyped_ipv4,
    split_address,
)

# Ports Swarm uses between nodes (docs: "Open protocols and ports between the
# hosts"): cluster management on managers, node gossip on every node, and the
# overlay data path (VXLAN, 4789/udp unless `docker swarm init
# --data-path-port` chose another).
MANAGER_PORT = 2377
GOSSIP_PORT = 7946
DEFAULT_DATA_PATH_PORT = 4789

PAYLOAD_PREFIX = b'anchorage-preflight '

IN_USE = 'in use'
LISTENING = 'listening'


def finding(level, check, node, msg):
    return dict(level=level, check=check, node=node or '', msg=msg)


def swarm_ports(manager, data_path_port=DEFAULT_DATA_PATH_PORT):
    """{'<port>/<proto>': port} a node must accept from the other nodes.

    2377/tcp only on a manager (workers never accept cluster management).
    """
    ports = {}
    if manager:
        ports['%d/tcp' % MANAGER_PORT] = MANAGER_PORT
    ports['%d/tcp' % GOSSIP_PORT] = GOSSIP_PORT
    ports['%d/udp' % GOSSIP_PORT] = GOSSIP_PORT
    ports['%d/udp' % data_path_port] = data_path_port
    return ports


def _port_order(key):
    port, proto = key.split('/')
    return (int(port), proto)


def probe_payload(name):
    """What a probe sends: ``anchorage-preflight <name>`` and a newline."""
    return PAYLOAD_PREFIX + name.encode('utf-8') + b'\n'


def parse_payload(data):
    """The sender's name in a probe payload, or None for anything else."""
    if not data or not data.startswith(PAYLOAD_PREFIX):
        return None
    name = data[len(PAYLOAD_PREFIX):].split(b'\n', 1)[0].strip()
    try:
        name = name.decode('utf-8')
    except UnicodeDecodeError:
        return None
    return name or None


# Host facts ---------------------------------------------------------------

def parse_ip_json(text):
    """{ifname: [address, ...]} from ``ip -j addr`` output."""
    addresses = {}
    for link in json.loads(text or '[]'):
        name = link.get('ifname')
        if not name:
            continue
        addresses.setdefault(name, [])
        for info in link.get('addr_info', []):
            if info.get('local') and info['local'] not in addresses[name]:
                addresses[name].append(info['local'])
    return addresses


def parse_ip_oneline(text):
    """{ifname: [address, ...]} from ``ip -o addr`` output (iproute2 without -j)."""
    addresses = {}
    for line in (text or '').splitlines():
        match = re.match(r'^\d+:\s+([^\s@]+)(?:@\S+)?\s+inet6?\s+([^/\s]+)', line)
        if match:
            ips = addresses.setdefault(match.group(1), [])
            if match.group(2) not in ips:
                ips.append(match.group(2))
    return addresses


def default_interface(route_text):
    """The interface of the default route in ``ip route show default`` output, or None."""
    match = re.search(r'^default\b.*?\bdev\s+(\S+)', route_text or '', re.MULTILINE)
    return match.group(1) if match else None


def module_listed(text, name):
    """Whether a modules.dep or modules.builtin text lists kernel module ``name``.

    Each line starts with a module's file, by path and possibly compressed
    (``kernel/net/netfilter/ipvs/ip_vs.ko.zst: <its dependencies>``); only that
    first field counts, and ``ip_vs_rr.ko`` is not ``ip_vs``.
    """
    pattern = re.compile(r'^(\S*/)?' + re.escape(name) + r'\.ko(\.[a-z0-9]+)?(:|$)')
    return any(pattern.search(line.strip()) for line in (text or '').splitlines())


def parse_dockerd_version(text):
    """The version in ``dockerd --version`` output (``Docker version 20.10.24+dfsg1, build 297e128``), or ''."""
    match = re.search(r'version\s+([^\s,]+)', text or '')
    return match.group(1) if match else ''


def vni_in_use(error_text):
    """Whether ``ip link add ... type vxlan`` failed only because another VXLAN
    device has the test VNI (another preflight running at the same time).

    The kernel checks the VNI after it found the vxlan link type, so this
    error shows that VXLAN is supported.
    """
    return 'VNI already exists' in (error_text or '')


# Node-local checks --------------------------------------------------------

def vxlan_finding(node, created_ok, error_text):
    """Whether overlay networks can work, from creating a test VXLAN interface.

    ``created_ok`` is True, False, or None when the test could not run
    (``error_text`` says why, e.g. no ``ip`` command).
    """
    error_text = ' '.join((error_text or '').split())
    if created_ok:
        return finding('info', 'vxlan', node, 'overlay networks supported (a VXLAN interface could be created)')
    if created_ok is None:
        return finding('warning', 'vxlan', node, 'VXLAN support not tested: %s' % (error_text or 'unknown reason'))
    if 'not permitted' in error_text.lower():
        # Not a kernel limit: the test itself needs CAP_NET_ADMIN.
        return finding('warning', 'vxlan', node,
                       'VXLAN support not tested: creating a test interface needs root '
                       '(run the preflight with become: true) (%s)' % error_text)
    return finding('error', 'vxlan', node,
                   'overlay networks will not work on %s: the kernel refused a VXLAN interface (%s); '
                   'load the vxlan module (modprobe vxlan) or use a kernel built with CONFIG_VXLAN'
                   % (node, error_text or 'no reason given'))


def ipvs_finding(node, proc_ip_vs_exists, module_available):
    """Whether the ingress routing mesh can work: IPVS loaded, loadable, or absent."""
    if proc_ip_vs_exists:
        return finding('info', 'ipvs', node, 'ingress routing mesh available (IPVS loaded)')
    if module_available:
        # The kernel loads ip_vs when dockerd first asks for it over netlink.
        return finding('info', 'ipvs', node,
                       'ingress routing mesh available (the ip_vs module is installed and loads on first use)')
    return finding('warning', 'ipvs', node,
                   'the ingress routing mesh and VIP load balancing will not work on %s (kernel has no IPVS); '
                   'run `modprobe ip_vs` or install the kernel\'s modules; until then publish ports with '
                   'mode: host and use endpoint_mode: dnsrr' % node)


# The advertise address forms dockerd takes (an IP, IP:port, [IPv6]:port, an interface name or interface:port).
split_advertise_addr = split_address


def _peer_addr_problem(peer):
    """Why a peer's address is no host the probe can send to (a host name or an IP, without a port)."""
    addr = peer.get('addr')
    if not isinstance(addr, str) or not addr.strip() or any(c.isspace() for c in addr):
        return 'peers item %s: addr %r is no host name or IP address' % (peer.get('name'), addr)
    try:
        ipaddress.ip_address(addr)
        return None
    except ValueError:
        pass
    if ':' in addr or '/' in addr or mistyped_ipv4(addr):
        return ('peers item %s: addr %r is no host name or IP address; give the host alone, without a port '
                '(the probe adds the swarm ports), e.g. 10.0.0.12' % (peer.get('name'), addr))
    return None


def input_problems(params):
    """Every reason the preflight's inputs cannot work, before anything is probed (an empty list when none)."""
    problems = []
    if params.get('advertise_addr'):
        problems += [p for p in [address_problem('advertise_addr', params['advertise_addr'])] if p]
    problems += init_settings_problems(params.get('data_path_port'))
    skew = params.get('max_clock_skew')
    if skew is None or skew < 0:
        problems.append('max_clock_skew %r is not a number of seconds: give at least 0 (e.g. 2)' % (skew,))
    window = params.get('window')
    if window is None or window <= 0:
        problems.append('window %r is not a positive number of seconds (e.g. 4)' % (window,))
    problems += [p for p in (_peer_addr_problem(peer) for peer in params.get('peers') or []) if p]
    return problems


def _usable(ip):
    """Whether an address can be advertised: not an IPv6 link-local one (it needs a zone)."""
    try:
        return not ipaddress.ip_address(ip.split('%')[0]).is_link_local
    except ValueError:
        return False


def _host_addresses_text(addresses):
    listing = []
    for name, ips in sorted(addresses.items()):
        ips = [ip for ip in ips if _usable(ip)]
        if ips:
            listing.append('%s: %s' % (name, ', '.join(ips)))
    return '; '.join(listing) or 'no addresses'


def advertise_addr_finding(node, advertise_addr, addresses):
    """Whether ``swarm_advertise_addr`` names an address or interface this host has.

    ``addresses`` is {ifname: [ip, ...]} from the host, or None when it could
    not be listed. Returns None when no address is set (Docker then picks one).
    """
    if not advertise_addr:
        return None
    try:
        host, dummy, is_ip = split_advertise_addr(advertise_addr)
    except ValueError:
        return finding('error', 'advertise_addr', node,
                       "swarm_advertise_addr '%s' is not an IP address, IP:port or interface name"
                       % advertise_addr)
    if addresses is None:
        return finding('warning', 'advertise_addr', node,
                       'swarm_advertise_addr %s not checked: the host\'s addresses could not be listed'
                       % advertise_addr)
    have = _host_addresses_text(addresses)
    if is_ip:
        wanted = ipaddress.ip_address(host)
        for name, ips in sorted(addresses.items()):
            for ip in ips:
                try:
                    found = ipaddress.ip_address(ip.split('%')[0]) == wanted
                except ValueError:
                    continue
                if not found:
                    continue
                if wanted.is_loopback:
                    return finding('warning', 'advertise_addr', node,
                                   'swarm_advertise_addr %s is a loopback address: other nodes cannot reach it; '
                                   'fine for a one-node swarm only, otherwise set an address of %s' % (host, have))
                return finding('info', 'advertise_addr', node, 'advertise address %s is on %s' % (host, name))
        return finding('error', 'advertise_addr', node,
                       'swarm_advertise_addr %s is not an address of %s (it has %s); '
                       'set swarm_advertise_addr to one of them or to an interface name' % (host, node, have))
    if host not in addresses:
        return finding('error', 'advertise_addr', node,
                       "swarm_advertise_addr '%s' is neither an interface nor an address of %s (it has %s); "
                       'set swarm_advertise_addr to one of them' % (host, node, have))
    ips = []
    for ip in addresses[host]:
        try:
            ips.append(ipaddress.ip_address(ip.split('%')[0]))
        except ValueError:
            continue
    ipv4 = [ip for ip in ips if ip.version == 4]
    ipv6 = [ip for ip in ips if ip.version == 6 and not ip.is_link_local]
    # Docker's own rule for an interface: its one IPv4 address, else its one
    # global IPv6 address; it refuses to choose between several.
    usable = ipv4 or ipv6
    if len(usable) == 1:
        return finding('info', 'advertise_addr', node,
                       'advertise address is %s on interface %s' % (usable[0], host))
    if not usable:
        return finding('error', 'advertise_addr', node,
                       "swarm_advertise_addr '%s': the interface has no usable IPv4 or IPv6 address; "
                       'set swarm_advertise_addr to an address of %s (it has %s)' % (host, node, have))
    return finding('error', 'advertise_addr', node,
                   "swarm_advertise_addr '%s': the interface has several addresses (%s) and Docker refuses "
                   'to choose; set swarm_advertise_addr to one of them'
                   % (host, ', '.join(str(ip) for ip in usable)))


def clock_findings(skews, max_skew):
    """Clock skew of each node against the controller, {node: seconds or None}.

    An error for each node further off than ``max_skew`` seconds (either way),
    an info for the others; None (not measured) is skipped. The skew includes
    the time the task took to reach the node, so ``max_skew`` should allow a
    few seconds for that.
    """
    findings = []
    for node in sorted(skews):
        skew = skews[node]
        if skew is None:
            continue
        way = 'ahead of' if skew > 0 else 'behind'
        if abs(skew) > max_skew:
            findings.append(finding(
                'error', 'clock', node,
                'clock is %.1f s %s the controller (more than %g s): swarm managers (Raft) and the '
                'certificates of the swarm need clocks in step; run NTP (chrony or systemd-timesyncd) on every node'
                % (abs(skew), way, max_skew)))
        else:
            findings.append(finding('info', 'clock', node, 'clock within %.1f s of the controller' % abs(skew)))
    return findings


# Cross-node checks (controller) -------------------------------------------

def hostname_findings(hostnames):
    """An error for each group of nodes whose Engine hostnames are the same.

    ``hostnames`` is {inventory_name: hostname}; hostnames compare
    case-insensitively, as DNS names do. Missing hostnames are skipped.
    """
    groups = {}
    for node, hostname in hostnames.items():
        if hostname:
            groups.setdefault(hostname.lower(), []).append(node)
    findings = []
    for hostname in sorted(groups):
        nodes = sorted(groups[hostname])
        if len(nodes) > 1:
            findings.append(finding(
                'error', 'hostname', '',
                "nodes %s share the hostname '%s': swarm identifies nodes by hostname in `docker node ls` "
                'and in node.hostname placement constraints; set distinct hostnames' % (', '.join(nodes), hostname)))
    return findings


def engine_version_findings(versions):
    """A warning when the nodes' Engines are not all the same major.minor release.

    ``versions`` is {node: version}; empty versions (no Engine yet) are skipped.
    """
    releases = {}
    for node, version in versions.items():
        if not version:
            continue
        release = engine_release(version)
        label = '%d.%d' % release if release else version
        releases.setdefault(label, []).append(node)
    if len(releases) < 2:
        return []

    def order(label):
        match = re.match(r'^(\d+)\.(\d+)$', label)
        return (0, int(match.group(1)), int(match.group(2)), '') if match else (1, 0, 0, label)

    listing = '; '.join('%s on %s' % (label, ', '.join(sorted(releases[label])))
                        for label in sorted(releases, key=order))
    return [finding('warning', 'engine_version', '',
                    'Engine releases differ across nodes (%s): install the same release on every node '
                    '(engine_version); older nodes may not run services using newer features' % listing)]


def _probe_of(result):
    """The probe dict from a node's result: its ``probe``, or a whole ``node`` dict that holds one."""
    if isinstance(result, dict) and 'probe' in result and 'bound' not in result:
        return result['probe']
    return result


def port_findings(results, managers, data_path_port=DEFAULT_DATA_PATH_PORT):
    """Which nodes cannot reach which on the ports Swarm needs, from every node's probe.

    ``results`` is {inventory_name: probe} with the ``node.probe`` dict the
    module returns (or the whole ``node`` dict), None for a node that did not
    probe. ``managers`` lists the nodes that will be managers (they must
    accept 2377/tcp).

    For a sender A and receiver B, a port of B is reachable from A when B heard
    A's payload on it, or (TCP) A's connect to B succeeded - which still tests
    a port the Engine already holds on B. A UDP port B could not bind cannot be
    tested; that is reported once. A failure between two nodes whose probes did
    not run at the same time is "not tested", not an error.
    """
    findings = []
    probes = {}
    for node in sorted(results):
        probe = _probe_of(results[node])
        if probe:
            # Each node timed its probe by its own clock; its measured skew against the controller (the node
            # dict's ``skew``) puts the windows on one clock, so that a skew the preflight allows cannot make
            # windows that did not overlap look as if they did (and a silence look like a closed port).
            probes[node] = _on_controller_clock(probe, results[node])
        else:
            findings.append(finding('warning', 'ports', node,
                                    'not probed: the preflight probe did not run on %s, '
                                    'so its ports were not tested' % node))
    reported = set()

    def once(level, node, msg):
        if (node, msg) not in reported:
            reported.add((node, msg))
            findings.append(finding(level, 'ports', node, msg))

    for receiver in sorted(probes):
        wanted = swarm_ports(receiver in managers, data_path_port)
        bound = probes[receiver].get('bound') or {}
        heard = probes[receiver].get('heard') or {}
        for key in sorted(wanted, key=_port_order):
            state = bound.get(key)
            for sender in sorted(probes):
                if sender == receiver:
                    continue
                sent = probes[sender]
                if sender in (heard.get(key) or []):
                    continue
                tcp = key.endswith('/tcp')
                if tcp and receiver in ((sent.get('connected') or {}).get(key) or []):
                    continue
                send_error = (sent.get('errors') or {}).get(receiver)
                if send_error:
                    once('error', sender, '%s cannot send to %s: %s' % (sender, receiver, send_error))
                    continue
                if state is None:
                    once('warning', receiver,
                         '%s not tested: %s did not listen on it (is it meant to be a manager?)' % (key, receiver))
                    continue
                if state == IN_USE and not tcp:
                    once('info', receiver, '%s not tested: held by the Engine (%s is already in a swarm)'
                         % (key, receiver))
                    continue
                if state not in (IN_USE, LISTENING):
                    once('warning', receiver, '%s not tested: %s could not listen on it (%s)' % (key, receiver, state))
                    continue
                if not _windows_overlap(sent, probes[receiver]):
                    once('warning', receiver,
                         '%s and %s not tested against each other: their probes did not run at the same time; '
                         'run the preflight on all nodes at once (forks at least the number of nodes)'
                         % tuple(sorted((sender, receiver))))
                    continue
                findings.append(finding(
                    'error', 'ports', receiver,
                    "%s cannot reach %s on %s: open it in %s's firewall (and between the hosts)"
                    % (sender, receiver, key, receiver)))
    return findings


def _on_controller_clock(probe, node):
    """The probe with ``started``/``ended`` moved by the node's measured skew (unchanged when none was measured)."""
    skew = node.get('skew') if isinstance(node, dict) and 'bound' not in node else None
    if not isinstance(skew, (int, float)) or isinstance(skew, bool):
        return probe
    moved = dict(probe)
    for key in ('started', 'ended'):
        if isinstance(probe.get(key), (int, float)):
            moved[key] = probe[key] - skew
    return moved


def _windows_overlap(first, second, minimum=0.5):
    """Whether two probes listened and sent at the same time for ``minimum`` seconds.

    Times are each node's own clock; unknown times count as overlapping.
    """
    try:
        start = max(first['started'], second['started'])
        end = min(first['ended'], second['ended'])
    except (KeyError, TypeError):
        return True
    return end - start >= minimum


def summarize(findings):
    """(errors, warnings, infos): lists of ``node: msg`` lines for display."""
    out = dict(error=[], warning=[], info=[])
    for item in findings:
        if not item:
            continue
        line = '%s: %s' % (item['node'], item['msg']) if item.get('node') else item['msg']
        out[item['level']].append(line)
    return out['error'], out['warning'], out['info']


def cluster_findings(preflight, observed, managers, data_path_port=DEFAULT_DATA_PATH_PORT):
    """Every finding of a preflight round: each node's own, then the checks across nodes.

    ``preflight`` is {inventory_name: the module's registered result} (skipped or failed results are ignored);
    ``observed`` is {inventory_name: swarm_node record or None} from swarm_node_info, whose hostname and Engine
    version (what the swarm itself uses) win over the preflight's. Ports are checked only when a probe ran.
    """
    results = dict((name, r) for name, r in (preflight or {}).items()
                   if isinstance(r, dict) and isinstance(r.get('node'), dict))
    findings = []
    for name in sorted(results):
        findings.extend(results[name].get('findings') or [])
    names = sorted(set(results) | set(n for n, r in (observed or {}).items() if r))
    hostnames, versions = {}, {}
    for name in names:
        record = (observed or {}).get(name) or {}
        node = (results.get(name) or {}).get('node') or {}
        hostname = record.get('hostname') or node.get('hostname')
        version = record.get('engine_version') or node.get('engine_version')
        if hostname:
            hostnames[name] = hostname
        if version:
            versions[name] = version
    findings.extend(hostname_findings(hostnames))
    findings.extend(engine_version_findings(versions))
    # The whole node dict (probe and measured clock skew), None where no probe ran.
    probes = dict((name, r['node'] if r['node'].get('probe') else None) for name, r in results.items())
    if any(probes.values()):
        findings.extend(port_findings(probes, managers, data_path_port))
    return findings
