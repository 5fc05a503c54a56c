# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""roles/engine/files/dockerd-sysv.sh, run as the role runs it (sh -c SCRIPT sh ACTION PIDFILE INIT DOCKERD TIMEOUT).

molecule/default runs it on a node without systemd; here its answers without a dockerd are pinned.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess

SCRIPT = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'roles', 'engine', 'files', 'dockerd-sysv.sh')


def run(action, pidfile, init='/nonexistent/docker', dockerd='/nonexistent/dockerd', timeout='1'):
    with open(SCRIPT) as f:
        script = f.read()
    return subprocess.run(['sh', '-c', script, 'sh', action, str(pidfile), init, dockerd, timeout],
                          capture_output=True, text=True, check=False)


def test_status_is_running_only_for_a_live_pid(tmp_path):
    pidfile = tmp_path / 'docker.pid'
    assert run('status', pidfile).returncode != 0
    pidfile.write_text('%d\n' % os.getpid())
    assert run('status', pidfile).returncode == 0


def test_start_leaves_a_running_dockerd_alone(tmp_path):
    pidfile = tmp_path / 'docker.pid'
    pidfile.write_text('%d\n' % os.getpid())
    proc = run('start', pidfile)
    assert proc.returncode == 0 and proc.stderr == ''


def test_reload_without_a_dockerd_says_so(tmp_path):
    proc = run('reload', tmp_path / 'docker.pid')
    assert proc.returncode == 1
    assert 'dockerd is not running (%s)' % (tmp_path / 'docker.pid') in proc.stderr


def test_an_unknown_action_is_refused(tmp_path):
    proc = run('bounce', tmp_path / 'docker.pid')
    assert proc.returncode == 2 and 'unknown action bounce' in proc.stderr
