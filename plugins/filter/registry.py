# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters the registry role uses for its decisions (docs: the .yml files beside it).

YAML wires, Python decides: the checks of the role's variables, the registry's host and address, and image
references, pinned by tests/unit/plugins/filter/test_registry_filters.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.errors import AnsibleFilterError
from ansible.module_utils.six import string_types

# repository[:port/path][:tag][@sha256:digest], lower case repository (docker's reference grammar, simplified).
IMAGE_RE = re.compile(r'^[a-z0-9][a-z0-9._/-]*(:[0-9]+/[a-z0-9][a-z0-9._/-]*)?(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?'
                      r'(@sha256:[0-9a-f]{64})?$')
STACK_RE = re.compile(r'^[a-zA-Z0-9][a-zA-Z0-9_-]*$')
LABEL_RE = re.compile(r'^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$')
USER_RE = re.compile(r'^[^:\s]+$')
HOST_RE = re.compile(r'^([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)$')
# An image reference without a tag or digest: repository, or host:port/repository.
UNTAGGED_RE = re.compile(r'^[^:@]+(:[0-9]+/[^:@]+)?$')

IPV4_RE = re.compile(r'^([0-9]{1,3}([.][0-9]{1,3}){3})(:[0-9]+)?$')
BRACKETED_V6_RE = re.compile(r'^\[([0-9A-Fa-f:]+)\](:[0-9]+)?$')
BARE_V6_RE = re.compile(r'^[0-9A-Fa-f]*:[0-9A-Fa-f]*:[0-9A-Fa-f:]*$')

# The settings registry_problems checks, as the role passes them.
SETTINGS = ('registry_port', 'registry_stack_name', 'registry_storage_label', 'registry_image', 'registry_user',
            'registry_password', 'registry_cert_days', 'registry_cert_renew_days', 'registry_ca_days',
            'registry_pki_dir', 'registry_ca_dir', 'registry_preload_dir', 'registry_node_dir', 'registry_build_dir',
            'registry_host')


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _text(value):
    return '' if value is None else str(value)


def registry_problems(settings):
    """One message per wrong setting of the registry role, each naming the variable and the fix; empty when all
    are right. SETTINGS lists the keys; a key left out is not checked."""
    if not isinstance(settings, dict):
        raise AnsibleFilterError('registry_problems: give a mapping of the registry_* variables to their values')
    unknown = sorted(set(settings) - set(SETTINGS))
    if unknown:
        raise AnsibleFilterError('registry_problems: not a setting it checks: %s' % ', '.join(unknown))
    problems = []
    has = settings.__contains__

    if has('registry_port'):
        port = _int(settings['registry_port'])
        if port is None or not 1 <= port <= 65535:
            problems.append('registry_port=%s is not a TCP port: use 1-65535 (default 5000).' % settings['registry_port'])
    if has('registry_stack_name') and not STACK_RE.match(_text(settings['registry_stack_name'])):
        problems.append('registry_stack_name=%s is not a stack name: letters, digits, _ and -, starting with a letter '
                        'or digit.' % settings['registry_stack_name'])
    if has('registry_storage_label') and not LABEL_RE.match(_text(settings['registry_storage_label'])):
        problems.append('registry_storage_label=%s is not a node label key: letters, digits, . _ and -, for example '
                        'anchorage.registry-storage.' % settings['registry_storage_label'])
    if has('registry_image') and not IMAGE_RE.match(_text(settings['registry_image'])):
        problems.append('registry_image=%s is not an image reference: lower case repository[:tag], for example '
                        'registry:2.' % settings['registry_image'])
    if has('registry_user') and not USER_RE.match(_text(settings['registry_user'])):
        problems.append('registry_user must be a non-empty name without ":" or spaces (htpasswd user), default '
                        'anchorage.')
    # Never the password itself in the message.
    if has('registry_password') and re.search(r'[\r\n]', _text(settings['registry_password'])):
        problems.append('registry_password must be one line (or empty to generate one).')

    cert, renew, ca = (_int(settings.get(k)) for k in ('registry_cert_days', 'registry_cert_renew_days', 'registry_ca_days'))
    if has('registry_cert_days') and has('registry_cert_renew_days'):
        if cert is None or renew is None or renew < 1 or cert <= renew:
            problems.append('registry_cert_days (%s) must be greater than registry_cert_renew_days (%s), which must be '
                            'at least 1.' % (settings['registry_cert_days'], settings['registry_cert_renew_days']))
        elif has('registry_ca_days') and (ca is None or ca <= cert + renew):
            problems.append('registry_ca_days (%s) must exceed registry_cert_days + registry_cert_renew_days (%d): no '
                            'server certificate may outlive its CA.' % (settings['registry_ca_days'], cert + renew))

    for key, where in (('registry_pki_dir', 'the controller'), ('registry_ca_dir', 'the controller'),
                       ('registry_preload_dir', 'the controller'), ('registry_node_dir', 'the nodes'),
                       ('registry_build_dir', 'the nodes')):
        if has(key) and not _text(settings[key]).startswith('/'):
            problems.append('%s=%s is not an absolute path: give a folder on %s starting with /.'
                            % (key, _text(settings[key]) or '""', where))

    if has('registry_host'):
        host = _text(settings['registry_host'])
        if host and not HOST_RE.match(host):
            problems.append('registry_host=%s is not a host name or IP address (no port: that is registry_port).' % host)
    return problems


def registry_advertise_ip(advertise_addr):
    """The IP address in a swarm_advertise_addr (IP, IP:port, [IPv6]:port or IPv6), '' for an interface name."""
    value = _text(advertise_addr).strip()
    match = IPV4_RE.match(value)
    if match:
        return match.group(1)
    match = BRACKETED_V6_RE.match(value)
    if match:
        return match.group(1)
    if BARE_V6_RE.match(value):
        return value
    return ''


def registry_host(configured, advertise_addr='', ansible_host='', node=''):
    """The host part of the registry's address: registry_host when set, else the storage node's advertise address
    when that is an IP (with or without a port), else its ansible_host, else its inventory name."""
    configured = _text(configured).strip()
    if configured:
        return configured
    return registry_advertise_ip(advertise_addr) or _text(ansible_host).strip() or _text(node).strip()


def registry_address(host, port):
    """host:port as clients write it (the image prefix, the docker login server, the certs.d folder): an IPv6
    address in brackets."""
    host = _text(host).strip()
    if not host:
        raise AnsibleFilterError('registry_address: the registry has no host (registry_host, or the storage node)')
    if _int(port) is None:
        raise AnsibleFilterError('registry_address: %r is not a port' % (port,))
    if ':' in host and not host.startswith('['):
        host = '[%s]' % host
    return '%s:%d' % (host, int(port))


def registry_image_ref(images):
    """Image references as the Engine lists them: ':latest' added where neither tag nor digest is given.
    A string gives a string, a list a list."""
    if isinstance(images, string_types):
        return images + ':latest' if UNTAGGED_RE.match(images) else images
    if not isinstance(images, (list, tuple)):
        raise AnsibleFilterError('registry_image_ref: give an image reference or a list of them')
    return [registry_image_ref(_text(image)) for image in images]


class FilterModule(object):
    def filters(self):
        return {
            'registry_problems': registry_problems,
            'registry_host': registry_host,
            'registry_address': registry_address,
            'registry_image_ref': registry_image_ref,
        }
