# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A minimal Docker Engine API client over the Engine's unix socket.

The swarm modules use this instead of the Docker SDK: Debian 12's python3-docker
(5.0.3) lacks swarm settings such as DataPathPort, and a module that only needs
a few JSON calls should not need an SDK installed on every node.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import http.client
import json
import socket
from urllib.parse import urlencode

UNIX_PREFIX = 'unix://'


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


class EngineAPI(object):
    def __init__(self, docker_host='unix:///var/run/docker.sock', timeout=60):
        if not docker_host.startswith(UNIX_PREFIX) or len(docker_host) == len(UNIX_PREFIX):
            raise EngineAPIError(None, 'only a local Engine socket (unix:///path) is supported, not %r' % docker_host)
        self.socket_path = docker_host[len(UNIX_PREFIX):]
        self.timeout = timeout

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
        conn = _UnixHTTPConnection(self.socket_path, self.timeout)
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
