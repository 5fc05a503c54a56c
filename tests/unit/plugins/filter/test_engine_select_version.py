# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""engine_select_version: the engine role's version choice (the certificate names are pki_sans: test_pki_sans.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.anchorage.swarm.plugins.filter.engine import FilterModule

FILTERS = FilterModule().filters()
SELECT = FILTERS['engine_select_version']
AVAILABLE = ['5:27.3.1-1~debian.12~bookworm', '5:27.3.0-1~debian.12~bookworm', '5:26.1.5-1~debian.12~bookworm',
             '5:26.1.4-1~debian.12~bookworm']
MADISON = ''.join(' docker-ce | %s | https://download.docker.com/linux/debian bookworm/stable amd64 Packages\n' % v
                  for v in AVAILABLE)


@pytest.mark.parametrize('requested, installed, selected', [
    ('', '', AVAILABLE[0]),
    ('latest', '', AVAILABLE[0]),
    ('26.1.*', '', AVAILABLE[2]),
    ('27.3.0', '', AVAILABLE[1]),
    # An installed version that the request selects is kept, even when a newer one matches too.
    ('26.1.*', AVAILABLE[3], AVAILABLE[3]),
    ('', AVAILABLE[3], AVAILABLE[3]),
    # One it does not select is replaced by the newest that matches.
    ('27.3.*', AVAILABLE[3], AVAILABLE[0]),
    ('28.0.*', '', ''),
    ('28.0.*', AVAILABLE[0], ''),
])
def test_the_version_to_install(requested, installed, selected):
    assert SELECT(AVAILABLE, requested, installed) == selected
    assert SELECT(MADISON, requested, installed) == selected


def test_no_available_version_selects_nothing():
    assert SELECT([], '26.1.*') == '' and SELECT('', '') == ''


def test_the_available_versions_must_be_a_list():
    with pytest.raises(AnsibleFilterError, match='engine_select_version'):
        SELECT({'a': 1}, '')
