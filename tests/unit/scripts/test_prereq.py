# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A missing prerequisite gets one clear sentence and exit code 2, never a stack trace.

Runs the Makefile's own targets with the prerequisite taken away (an Engine
address where nothing listens, a PATH without debootstrap).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import shutil
import subprocess

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))


def make(target, tmp_path, **env):
    environ = dict(os.environ, **env)
    return subprocess.run([shutil.which('make'), '--no-print-directory', target], cwd=REPO, env=environ,
                          capture_output=True, text=True, timeout=600, check=False)


def one_sentence(proc):
    # make's own closing line ("make: *** [Makefile:N: lab] Error 2", "make[1]: ..." when nested) aside.
    lines = [line for line in proc.stderr.splitlines() if line.strip() and not re.match(r'make(\[\d+\])?: \*\*\*', line)]
    assert len(lines) == 1, proc.stderr
    assert 'Traceback' not in proc.stdout + proc.stderr
    return lines[0]


@pytest.mark.skipif(not os.path.exists(os.path.join(REPO, '.venv', '.installed')),
                    reason='needs the venv that make creates (make venv): the targets would create it first')
def test_no_engine_says_what_to_do(tmp_path):
    proc = make('lab', tmp_path, DOCKER_HOST='unix://%s/no-engine.sock' % tmp_path)
    assert proc.returncode != 0
    sentence = one_sentence(proc)
    assert sentence.startswith('No Docker engine answers on this machine: start it')
    assert 'make engine-local' in sentence


@pytest.mark.skipif(not os.path.exists(os.path.join(REPO, '.venv', '.installed')),
                    reason='needs the venv that make creates (make venv): the targets would create it first')
def test_no_debootstrap_says_how_to_install_it(tmp_path):
    # A PATH with the tools the target needs before the check, but no debootstrap; `docker` answers
    # as an engine would, so that the check goes on to debootstrap whether or not an Engine runs here.
    bindir = tmp_path / 'bin'
    bindir.mkdir()
    for tool in ('sh', 'bash', 'grep', 'sed', 'id', 'python3', 'touch', 'test', 'cut'):
        found = shutil.which(tool)
        if found:
            os.symlink(found, str(bindir / tool))
    (bindir / 'docker').write_text('#!/bin/sh\nexit 0\n')
    (bindir / 'docker').chmod(0o755)
    proc = make('images', tmp_path, PATH=str(bindir))
    assert proc.returncode != 0
    sentence = one_sentence(proc)
    assert sentence.startswith('debootstrap is missing:') and 'apt-get install debootstrap' in sentence


def test_prereq_script_exits_2_with_the_sentence(tmp_path):
    proc = subprocess.run([os.path.join(REPO, 'scripts', 'prereq.sh'), 'docker'], capture_output=True, text=True,
                          env=dict(os.environ, DOCKER_HOST='unix://%s/none.sock' % tmp_path), check=False)
    assert proc.returncode == 2
    assert proc.stdout == ''
    assert proc.stderr.count('\n') == 1 and 'No Docker engine answers' in proc.stderr


@pytest.mark.parametrize('need, sentence', [
    ('ruby', "ruby is missing: the rendered Vagrantfile is checked with it, install it ('apt-get install ruby')"),
    ('vagrant', 'vagrant is missing: this scenario makes VirtualBox VMs with it, install Vagrant'),
])
def test_vagrant_tools_missing_say_what_to_install(tmp_path, need, sentence):
    # An empty PATH: prereq.sh needs only its shell's builtins.
    proc = subprocess.run([os.path.join(REPO, 'scripts', 'prereq.sh'), need], capture_output=True, text=True,
                          env=dict(os.environ, PATH=str(tmp_path)), check=False)
    assert proc.returncode == 2
    assert proc.stderr.count('\n') == 1 and proc.stderr.startswith(sentence), proc.stderr
