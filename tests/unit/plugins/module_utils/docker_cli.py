# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The real docker CLI, for the tests that check their recorded expectations against it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import subprocess


def find(versions, what):
    """($DOCKER_CLI or docker on PATH, None) when its version is one of VERSIONS, else (None, why not): WHAT names
    what was checked with those versions, for the skip reason."""
    path = os.environ.get('DOCKER_CLI') or shutil.which('docker')
    if not path:
        return None, 'no docker CLI on PATH'
    try:
        version = subprocess.run([path, 'version', '--format', '{{.Client.Version}}'], stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, timeout=30, check=False).stdout.decode().strip()
    except (OSError, subprocess.SubprocessError) as exc:
        return None, 'the docker CLI does not run: %s' % exc
    if version not in versions:
        return None, '%s checked with docker CLI %s; the one here is %s' % (what, ', '.join(sorted(versions)), version)
    return path, None
