# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A minimal Docker Engine API client over the Engine's unix socket, or over TCP with TLS.

The swarm modules use this instead of the Docker SDK: Debian 12's python3-docker
(5.0.3) lacks swarm settings such as DataPathPort, and a module that only needs
a few JSON calls should not need an SDK installed on every node.

Over TCP it speaks TLS only, the Engine's certificate checked against a given CA (its name included) and a client
certificate presented: an Engine API reachable without them gives whoever reaches it root on its host. Run on the
controller, this reads a lab machine's Engine over its TLS port without the Docker SDK, whose version 7 the
swarm modules of community.docker 4.8.5 cannot verify a certificate with (community.docker#1225).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import http.client
import json
import socket
import ssl
from urllib.parse import urlencode, urlsplit

UNIX_PREFIX = 'unix://'
TCP_PREFIX = 'tcp://'
TLS_FILES = ('ca_path', 'client_cert', 'client_key')


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


def _tls_connection(docker_host, tls, timeout):
    """A factory of HTTPS connections to tcp://HOST:PORT that check the Engine's certificate and present ours."""
    missing = [name for name in TLS_FILES if not (tls or {}).get(name)]
    if missing:
        raise EngineAPIError(None, '%s is reached over TLS only: give %s (an Engine API without TLS verification '
                                   'gives whoever reaches it root on its host)' % (docker_host, ', '.join(missing)))
    try:
        parsed = urlsplit('//' + docker_host[len(TCP_PREFIX):])
        host, port = parsed.hostname, parsed.port or 2376
    except ValueError as exc:
        raise EngineAPIError(None, 'cannot read %r as tcp://HOST:PORT: %s' % (docker_host, exc))
    if not host:
        raise EngineAPIError(None, 'cannot read %r as tcp://HOST:PORT: no host' % docker_host)
    try:
        # Verification and the host name check are on (CERT_REQUIRED); only the given CA is trusted.
        context = ssl.create_default_context(cafile=tls['ca_path'])
        context.load_cert_chain(tls['client_cert'], tls['client_key'])
    except (OSError, ssl.SSLError) as exc:
        raise EngineAPIError(None, 'cannot load the TLS files for %s: %s' % (docker_host, exc))
    return lambda: http.client.HTTPSConnection(host, port, timeout=timeout, context=context)


class EngineAPI(object):
    def __init__(self, docker_host='unix:///var/run/docker.sock', timeout=60, tls=None):
        """docker_host: unix:///path, or tcp://HOST:PORT with tls = {ca_path, client_cert, client_key} (PEM files)."""
        self.timeout = timeout
        if docker_host.startswith(TCP_PREFIX):
            self.socket_path = docker_host
            self._connection = _tls_connection(docker_host, tls, timeout)
        elif docker_host.startswith(UNIX_PREFIX) and len(docker_host) > len(UNIX_PREFIX):
            self.socket_path = docker_host[len(UNIX_PREFIX):]
            self._connection = lambda: _UnixHTTPConnection(self.socket_path, self.timeout)
        else:
            raise EngineAPIError(None, 'only a local Engine socket (unix:///path) or tcp://HOST:PORT over TLS is '
                                       'supported, not %r' % docker_host)

    def request(self, method, path, query=None, body=None):
        """Decoded JSON of the answer, its text when it is not JSON, or None when it is empty."""
        if query:
            # The Engine reads booleans as 'true'/'false'; Python's str() would send 'True'.
            query = dict((k, str(v).lower() if isinstance(v, bool) else v) for k, v in query.items())
            path = '%s?%s' % (path, urlencode(sorted(query.items())))
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body).encode('utf-8')
            headers['Content-Type'] = 'application/json'
        # Unversioned paths: the Engine serves them at its own API version, so
        # one client works with 20.10 (API 1.41) and with newer Engines.
        conn = self._connection()
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            raw = response.read()
        except EngineAPIError:
            raise
        except (OSError, http.client.HTTPException) as exc:
            raise EngineAPIError(None, '%s %s on %s got no answer: %s' % (method, path, self.socket_path, exc))
        finally:
            conn.close()
        text = raw.decode('utf-8', 'replace')
        try:
            payload = json.loads(text) if text.strip() else None
        except ValueError:
            payload = text
        if response.status >= 400:
            message = payload.get('message') if isinstance(payload, dict) else payload
            raise EngineAPIError(response.status, message or '%s %s' % (response.status, response.reason))
        return payload

    def get(self, path, query=None):
        return self.request('GET', path, query=query)

    def post(self, path, body=None, query=None):
        return self.request('POST', path, query=query, body=body)
