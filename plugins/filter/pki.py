# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of the collection's one PKI (roles/pki; docs: the .yml files beside it)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

from ansible.errors import AnsibleFilterError
from ansible.module_utils.six import string_types

# A DNS name as certificates carry it: labels of letters, digits, - and _ (host names in inventories have them),
# an optional leading wildcard label, an optional trailing dot.
_DNS = re.compile(r'^(\*\.)?([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$')


def _address(value):
    """The IP address VALUE writes (IPv6 possibly in brackets), or None."""
    text = value[1:-1] if value.startswith('[') and value.endswith(']') else value
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def pki_sans(names):
    """Subject alternative names for a server certificate: ``IP:`` for addresses, ``DNS:`` for names.

    Entries may already carry an ``IP:`` or ``DNS:`` prefix. Empty entries are dropped, duplicates (also an address
    written twice in different forms) kept once; the addresses come first, then the names, each in the order given.
    """
    if isinstance(names, string_types) or not isinstance(names, (list, tuple)):
        raise AnsibleFilterError('pki_sans: give a list of host names and IP addresses, got %s' % type(names).__name__)
    ips, dns = [], []
    for raw in names:
        if raw is None:
            continue
        if not isinstance(raw, string_types):
            raise AnsibleFilterError('pki_sans: %r is not a string: give host names and IP addresses' % (raw,))
        value = raw.strip()
        if not value:
            continue
        kind, sep, rest = value.partition(':')
        if sep and kind.upper() in ('IP', 'DNS'):
            kind, value = kind.upper(), rest.strip()
        else:
            kind = None
        address = _address(value) if kind in (None, 'IP') else None
        if address is not None:
            entry = 'IP:%s' % address.compressed
            if entry not in ips:
                ips.append(entry)
        elif kind == 'IP':
            raise AnsibleFilterError('pki_sans: %r is not an IP address: write the address alone, such as IP:10.0.0.5'
                                     % raw)
        elif _DNS.match(value):
            entry = 'DNS:%s' % value.lower().rstrip('.')
            if entry not in dns:
                dns.append(entry)
        else:
            raise AnsibleFilterError('pki_sans: %r is neither an IP address nor a DNS name (letters, digits, - and _ '
                                     'in dot-separated labels, no port, no spaces)' % raw)
    return ips + dns


class FilterModule(object):
    def filters(self):
        return {'pki_sans': pki_sans}
