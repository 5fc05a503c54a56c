# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one Docker Engine API client of the collection: the Engine's unix socket, or TCP with TLS, standard library only.

Every module of ours that talks to an Engine (stack, stack_info, swarm_node_info, swarm_member) goes through
EngineAPI, with the connection options of ENGINE_ARGUMENT_SPEC (documented once, in the doc fragment
anchorage.swarm.engine) and engine_from_params(). No Docker SDK is needed: Debian 12's python3-docker (5.0.3) lacks
swarm settings such as DataPathPort, and a module that only needs JSON calls should not need an SDK on every node.

Over TCP it speaks TLS: the Engine's certificate is checked against the given CA, its name included (it must name
the host of docker_host), and a client certificate is presented; neither check can be turned off. An Engine API
reached without them gives whoever reaches it root on its host, and the stack module sends secret contents and
registry credentials to it: plain tcp:// is refused unless allow_plaintext is set, on purpose. Run on the
controller, this also reads a lab machine's Engine over its TLS port (the Docker SDK 7 that community.docker 4.8.5
uses cannot verify a certificate for the swarm modules, community.docker#1225).

API version: paths are sent without a version prefix, which the Engine serves at its own (highest) API version.
That is what the Docker SDK's version='auto' negotiated too (it read /version and used the Engine's ApiVersion), so
one client works with Engine 20.10 (API 1.41) and newer, without the extra round trip.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import http.client
import json
import os
import socket
import ssl
import struct
from urllib.parse import quote, urlencode, urlsplit

UNIX_PREFIX = 'unix://'
TCP_PREFIX = 'tcp://'
DEFAULT_HOST = 'unix:///var/run/docker.sock'
DEFAULT_TIMEOUT = 60
TLS_FILES = ('ca_path', 'client_cert', 'client_key')
PLAINTEXT_OPTION = 'allow_plaintext'

# The connection options of every Engine module, merged into each module's own argument_spec (see
# engine_argument_spec); documented by the doc fragment anchorage.swarm.engine. The aliases are community.docker's,
# so that the same module_defaults serve both collections.
ENGINE_ARGUMENT_SPEC = dict(
    docker_host=dict(type='str', default=DEFAULT_HOST),
    timeout=dict(type='int', default=DEFAULT_TIMEOUT),
    ca_path=dict(type='path', aliases=['ca_cert', 'tls_ca_cert', 'cacert_path']),
    client_cert=dict(type='path', aliases=['tls_client_cert', 'cert_path']),
    client_key=dict(type='path', aliases=['tls_client_key', 'key_path']),
    # allow_insecure: the name anchorage.swarm.docker_context gives the same switch.
    allow_plaintext=dict(type='bool', default=False, aliases=['allow_insecure']),
)


def engine_argument_spec(timeout=DEFAULT_TIMEOUT, **options):
    """A copy of ENGINE_ARGUMENT_SPEC (TIMEOUT its default) updated with the module's own OPTIONS."""
    spec = copy.deepcopy(ENGINE_ARGUMENT_SPEC)
    spec['timeout']['default'] = timeout
    spec.update(options)
    return spec


def engine_from_params(params, warn=None):
    """The EngineAPI a module's parameters (with ENGINE_ARGUMENT_SPEC merged in) name.

    WARN (a module's warn) is told when the connection is plain tcp:// (allow_plaintext).
    """
    tls = dict((name, params.get(name)) for name in TLS_FILES)
    timeout = params.get('timeout')
    if timeout is not None and timeout <= 0:
        raise EngineAPIError(None, 'timeout must be a positive number of seconds, not %r: give e.g. timeout=%d'
                             % (timeout, DEFAULT_TIMEOUT))
    # Once every TLS file is given (_tcp_connection names those missing), each must exist.
    for name in TLS_FILES if all(tls.values()) else ():
        if not os.path.isfile(tls[name]):
            raise EngineAPIError(None, 'cannot load the TLS files for %s: %s: %s does not exist (no such file): give '
                                       'the path of a PEM file on the machine the task runs on'
                                 % (params.get('docker_host'), name, tls[name]))
    api = EngineAPI(params.get('docker_host') or DEFAULT_HOST, params.get('timeout') or DEFAULT_TIMEOUT, tls=tls,
                    allow_plaintext=bool(params.get(PLAINTEXT_OPTION)))
    if warn is not None and api.plaintext:
        warn('%s is plain HTTP (%s=true): what is sent to the Engine crosses the network unencrypted and '
             'unauthenticated' % (api.docker_host, PLAINTEXT_OPTION))
    return api


def info_record(info):
    """The record of the Engine's GET /info (or `docker info --format '{{json .}}'`) that every reader uses.

    Keys: engine_version, hostname, operating_system, kernel_version, local_state (inactive when not in a swarm),
    node_id, node_addr, manager (the node serves the swarm's control API), remote_managers (IP:port), swarm_error,
    cluster_id and cluster_created (empty on a worker, whose Engine does not report them, and on a manager without
    quorum, which reports an empty ID with Go's zero time).
    """
    info = info if isinstance(info, dict) else {}
    swarm = info.get('Swarm') or {}
    cluster = swarm.get('Cluster') or {}
    return dict(
        engine_version=info.get('ServerVersion') or '',
        hostname=info.get('Name') or '',
        operating_system=info.get('OperatingSystem') or '',
        kernel_version=info.get('KernelVersion') or '',
        local_state=swarm.get('LocalNodeState') or 'inactive',
        node_id=swarm.get('NodeID') or '',
        node_addr=swarm.get('NodeAddr') or '',
        manager=bool(swarm.get('ControlAvailable')),
        remote_managers=[peer.get('Addr', '') for peer in swarm.get('RemoteManagers') or []],
        swarm_error=swarm.get('Error') or '',
        cluster_id=cluster.get('ID') or '',
        cluster_created=(cluster.get('CreatedAt') or '') if cluster.get('ID') else '',
    )


def filters_query(filters):
    """The Engine's `filters` query value ({"label": ["a=b"]}) of {"label": "a=b"} (values: a string, a bool or a list),
    as the docker CLI and the SDK encode it; None when there is none."""
    if not filters:
        return None
    out = {}
    for key, value in filters.items():
        if isinstance(value, bool):
            value = 'true' if value else 'false'
        out[key] = [str(v) for v in (value if isinstance(value, (list, tuple)) else [value])]
    return json.dumps(out, sort_keys=True)


def demux(raw):
    """The payload of the Engine's multiplexed stream (logs of a service without a TTY), stdout and stderr in order.

    Each frame is an 8-byte header (stream type, 3 bytes zero, big-endian length) and its payload; bytes that do not
    start with such a header (a TTY service's raw stream) are returned as they are.
    """
    if len(raw) < 8 or raw[0:1] not in (b'\x00', b'\x01', b'\x02') or raw[1:4] != b'\x00\x00\x00':
        return raw
    out = []
    offset = 0
    while offset + 8 <= len(raw):
        length = struct.unpack('>I', raw[offset + 4:offset + 8])[0]
        out.append(raw[offset + 8:offset + 8 + length])
        offset += 8 + length
    return b''.join(out)


class EngineAPIError(Exception):
    """An Engine answer with status >= 400 (status set), or no answer at all (status None)."""

    def __init__(self, status, message):
        super(EngineAPIError, self).__init__(message)
        self.status = status
        self.message = message


class _UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, socket_path, timeout):
        # The host name only fills the Host header; the Engine ignores it.
        http.client.HTTPConnection.__init__(self, 'localhost', timeout=timeout)
        self.socket_path = socket_path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.socket_path)
        except OSError as exc:
            sock.close()
            raise EngineAPIError(None, 'cannot connect to %s: %s' % (self.socket_path, exc))
        self.sock = sock


def _host_port(docker_host, default_port):
    try:
        parsed = urlsplit('//' + docker_host[len(TCP_PREFIX):])
        host, port = parsed.hostname, parsed.port or default_port
    except ValueError as exc:
        raise EngineAPIError(None, 'cannot read %r as tcp://HOST:PORT: %s' % (docker_host, exc))
    if not host:
        raise EngineAPIError(None, 'cannot read %r as tcp://HOST:PORT: no host' % docker_host)
    return host, port


def _tcp_connection(docker_host, tls, timeout, allow_plaintext):
    """A factory of connections to tcp://HOST:PORT: HTTPS that checks the Engine's certificate (CA and name) and
    presents ours, or plain HTTP when no TLS file is given and allow_plaintext is set."""
    tls = tls or {}
    missing = [name for name in TLS_FILES if not tls.get(name)]
    if len(missing) == len(TLS_FILES) and allow_plaintext:
        host, port = _host_port(docker_host, 2375)
        return lambda: http.client.HTTPConnection(host, port, timeout=timeout)
    if len(missing) == len(TLS_FILES):
        raise EngineAPIError(None, '%s is reached over TLS only: give %s. Plain %s is not encrypted: use TLS (%s) '
                                   'or set %s=true (an Engine API without TLS verification gives whoever reaches it '
                                   'root on its host, and sees the secrets and credentials sent to it)'
                             % (docker_host, ', '.join(missing), docker_host, ', '.join(TLS_FILES), PLAINTEXT_OPTION))
    if missing:
        raise EngineAPIError(None, '%s is reached over TLS only: give %s (an Engine API without TLS verification '
                                   'gives whoever reaches it root on its host)' % (docker_host, ', '.join(missing)))
    host, port = _host_port(docker_host, 2376)
    try:
        # Verification and the host name check are on (CERT_REQUIRED, check_hostname); only the given CA is trusted.
        context = ssl.create_default_context(cafile=tls['ca_path'])
        context.load_cert_chain(tls['client_cert'], tls['client_key'])
    except (OSError, ssl.SSLError) as exc:
        raise EngineAPIError(None, 'cannot load the TLS files for %s: %s' % (docker_host, exc))
    return lambda: http.client.HTTPSConnection(host, port, timeout=timeout, context=context)


class EngineAPI(object):
    def __init__(self, docker_host=DEFAULT_HOST, timeout=DEFAULT_TIMEOUT, tls=None, allow_plaintext=False):
        """docker_host: unix:///path, or tcp://HOST:PORT with tls = {ca_path, client_cert, client_key} (PEM files).

        tcp:// without any TLS file is refused unless allow_plaintext (then plain HTTP, port 2375 by default);
        timeout: seconds to wait for each answer.
        """
        self.timeout = timeout
        self.docker_host = docker_host
        self.tls = False
        self.plaintext = False
        if docker_host.startswith(TCP_PREFIX) and len(docker_host) == len(TCP_PREFIX):
            raise EngineAPIError(None, 'docker_host: %r names no host: give tcp://HOST:PORT (e.g. '
                                       'tcp://manager1:2376) or unix:///path' % docker_host)
        if docker_host.startswith(TCP_PREFIX):
            self.socket_path = docker_host
            self._connection = _tcp_connection(docker_host, tls, timeout, allow_plaintext)
            self.tls = all((tls or {}).get(name) for name in TLS_FILES)
            self.plaintext = not self.tls
        elif docker_host.startswith(UNIX_PREFIX) and len(docker_host) > len(UNIX_PREFIX):
            self.socket_path = docker_host[len(UNIX_PREFIX):]
            self._connection = lambda: _UnixHTTPConnection(self.socket_path, self.timeout)
        else:
            raise EngineAPIError(None, 'docker_host: only a local Engine socket (unix:///path) or tcp://HOST:PORT over TLS is '
                                       'supported, not %r' % docker_host)

    def request(self, method, path, query=None, body=None, headers=None, raw=False):
        """Decoded JSON of the answer, its text when it is not JSON, or None when it is empty; with RAW its bytes.

        QUERY values None are left out, booleans sent as true/false; BODY is sent as JSON; HEADERS are added (for
        example X-Registry-Auth).
        """
        if query:
            # The Engine reads booleans as 'true'/'false'; Python's str() would send 'True'.
            query = dict((k, str(v).lower() if isinstance(v, bool) else v) for k, v in query.items() if v is not None)
            if query:
                path = '%s?%s' % (path, urlencode(sorted(query.items())))
        all_headers = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode('utf-8')
            all_headers['Content-Type'] = 'application/json'
        # Unversioned paths: the Engine serves them at its own API version (see the module's docstring).
        conn = self._connection()
        try:
            conn.request(method, path, body=data, headers=all_headers)
            response = conn.getresponse()
            content = response.read()
        except EngineAPIError:
            raise
        except (OSError, http.client.HTTPException) as exc:
            raise EngineAPIError(None, '%s %s on %s got no answer: %s' % (method, path.split('?')[0], self.socket_path, exc))
        finally:
            conn.close()
        if raw and response.status < 400:
            return content
        text = content.decode('utf-8', 'replace')
        try:
            payload = json.loads(text) if text.strip() else None
        except ValueError:
            payload = text
        if response.status >= 400:
            message = payload.get('message') if isinstance(payload, dict) else payload
            raise EngineAPIError(response.status, (message or '%s %s' % (response.status, response.reason)).strip())
        return payload

    def get(self, path, query=None, headers=None, raw=False):
        return self.request('GET', path, query=query, headers=headers, raw=raw)

    def post(self, path, body=None, query=None, headers=None):
        return self.request('POST', path, query=query, body=body, headers=headers)

    def delete(self, path, query=None):
        return self.request('DELETE', path, query=query)

    def info(self):
        """info_record() of GET /info."""
        return info_record(self.get('/info'))


def path_part(value):
    """VALUE quoted for the Engine's path, as the Docker SDK quoted it (an image reference keeps / and :)."""
    return quote(value, safe='/:')
