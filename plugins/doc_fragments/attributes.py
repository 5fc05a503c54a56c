# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # The attributes every module of the collection documents; each module says its own support (and details).
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
  idempotent:
    description: When run twice in a row outside check mode, with the same arguments, the second invocation indicates no change.
"""

    # The modules that talk to a Docker Engine, in meta/runtime.yml's action group docker.
    ACTIONGROUP_DOCKER = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/anchorage.swarm.docker) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - anchorage.swarm.docker
"""
