# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # The connection options of every module that talks to a Docker Engine: plugins/module_utils/_docker_api.py's
    # ENGINE_ARGUMENT_SPEC, which each module merges into its argument_spec.
    DOCUMENTATION = r"""
options:
  docker_host:
    description:
      - The Engine's API socket, as V(unix:///path), or its TCP port, as V(tcp://HOST:PORT) (V(2376) when no port
        is given, V(2375) for plain TCP).
      - With V(tcp://), TLS is used when O(ca_path), O(client_cert) and O(client_key) are given. The Engine's
        certificate must be signed by O(ca_path) and name HOST (a DNS name or an IP address in its subject
        alternative names); neither check can be turned off.
      - V(tcp://) without them is refused before anything is sent (the task fails with V(tcp://HOST:PORT is reached
        over TLS only) and V(Plain tcp://HOST:PORT is not encrypted)) unless O(allow_plaintext=true).
      - Other schemes (V(ssh://), V(http://), V(npipe://)) are not supported.
    type: str
    default: unix:///var/run/docker.sock
  timeout:
    description: Seconds to wait for each answer of the Engine.
    type: int
    default: 60
  ca_path:
    description:
      - PEM file of the CA the Engine's certificate must be signed by. With V(tcp://), for TLS.
      - Only this CA is trusted, not the system's.
    type: path
    aliases: [ca_cert, tls_ca_cert, cacert_path]
  client_cert:
    description: PEM client certificate presented to the Engine. With V(tcp://), for TLS.
    type: path
    aliases: [tls_client_cert, cert_path]
  client_key:
    description: PEM key of O(client_cert), not encrypted. With V(tcp://), for TLS.
    type: path
    aliases: [tls_client_key, key_path]
  allow_plaintext:
    description:
      - Allow V(tcp://) without TLS. Everything sent, secret contents and registry credentials included, then
        crosses the network in clear, and whoever reaches the port has root on the Engine's host.
      - Only for an Engine behind a tunnel of its own or on a test network; TLS files, when given, are always used.
        A warning says when a task talks plain HTTP.
      - The alias is the name M(anchorage.swarm.docker_context) gives the same switch.
    type: bool
    default: false
    aliases: [allow_insecure]
requirements:
  - None for the connection to the Engine, which is made with Python's standard library (no Docker SDK for Python).
"""
