# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A missing prerequisite gets one clear sentence and exit code 2, never a stack trace; run as root, it is installed.

Runs the Makefile's own targets with the prerequisite taken away (an Engine
address where nothing listens, a PATH without debootstrap), with installing
turned off (ANCHORAGE_INSTALL_MISSING=no, what a run without root gets). The
root path runs prereq.sh with `id`, `apt-get` and `make` replaced by scripts
that record their calls: a unit test installs nothing on this machine.
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
    environ = dict(os.environ, ANCHORAGE_INSTALL_MISSING='no', **env)
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
                          env=dict(os.environ, DOCKER_HOST='unix://%s/none.sock' % tmp_path,
                                   ANCHORAGE_INSTALL_MISSING='no'), check=False)
    assert proc.returncode == 2
    assert proc.stdout == ''
    assert proc.stderr.count('\n') == 1 and 'No Docker engine answers' in proc.stderr


@pytest.mark.parametrize('need, sentence', [
    ('ruby', "ruby is missing: the rendered Vagrantfile is checked with it, install it ('apt-get install ruby', or run "
             "make as root to have it installed)"),
    ('vagrant', 'vagrant is missing: this scenario makes VirtualBox VMs with it, install Vagrant'),
])
def test_vagrant_tools_missing_say_what_to_install(tmp_path, need, sentence):
    # An empty PATH: prereq.sh needs only its shell's builtins.
    proc = subprocess.run([os.path.join(REPO, 'scripts', 'prereq.sh'), need], capture_output=True, text=True,
                          env=dict(os.environ, PATH=str(tmp_path)), check=False)
    assert proc.returncode == 2
    assert proc.stderr.count('\n') == 1 and proc.stderr.startswith(sentence), proc.stderr


def fake_root(tmp_path, tools=()):
    """A PATH where `id -u` says 0 and apt-get, make (and TOOLS) only write their arguments to calls.log."""
    bindir = tmp_path / 'bin'
    bindir.mkdir()
    log = tmp_path / 'calls.log'
    scripts = {'id': 'echo 0', 'apt-get': 'echo "apt-get $*" >>%s' % log, 'make': 'echo "make $*" >>%s' % log}
    scripts.update(dict((tool, 'exit 0') for tool in tools))
    for name, body in scripts.items():
        (bindir / name).write_text('#!/bin/sh\n%s\n' % body)
        (bindir / name).chmod(0o755)
    return str(bindir), log


def test_as_root_a_missing_package_is_installed_saying_what_and_why(tmp_path):
    bindir, log = fake_root(tmp_path)
    proc = subprocess.run(['/bin/sh', os.path.join(REPO, 'scripts', 'prereq.sh'), 'ruby', 'shellcheck'],
                          capture_output=True, text=True, env=dict(os.environ, PATH=bindir), check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == [
        'Installing ruby (apt-get): the rendered Vagrantfile is checked with it.',
        'Installing shellcheck (apt-get): ansible-test sanity checks the shell scripts with it (and skips that '
        'check without it).',
    ]
    # The package lists are refreshed once, before the first install.
    assert log.read_text().splitlines() == [
        'apt-get update -qq', 'apt-get install -y -qq ruby', 'apt-get install -y -qq shellcheck']


def test_as_root_no_engine_is_installed_with_the_engine_role(tmp_path):
    bindir, log = fake_root(tmp_path)
    # No docker client on this PATH at all: make engine-local installs one.
    proc = subprocess.run(['/bin/sh', os.path.join(REPO, 'scripts', 'prereq.sh'), 'docker'], capture_output=True,
                          text=True, env=dict(os.environ, PATH=bindir, MAKE='make'), check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.startswith("No Docker engine answers on this machine: installing and starting Docker Engine "
                                  "with this collection's engine role (make engine-local)")
    assert log.read_text().splitlines() == ['make --no-print-directory engine-local']


def test_as_root_with_installing_turned_off_says_what_to_do(tmp_path):
    bindir, log = fake_root(tmp_path)
    proc = subprocess.run(['/bin/sh', os.path.join(REPO, 'scripts', 'prereq.sh'), 'chromium'], capture_output=True,
                          text=True, env=dict(os.environ, PATH=bindir, ANCHORAGE_INSTALL_MISSING='no'), check=False)
    assert proc.returncode == 2
    assert proc.stderr.startswith("chromium is missing: the visualizer's test looks at the page in headless Chromium, "
                                  "install it ('apt-get install chromium'")
    assert not log.exists()


def test_present_tools_are_left_alone(tmp_path):
    bindir, log = fake_root(tmp_path, tools=('debootstrap', 'git'))
    proc = subprocess.run(['/bin/sh', os.path.join(REPO, 'scripts', 'prereq.sh'), 'debootstrap', 'git'],
                          capture_output=True, text=True, env=dict(os.environ, PATH=bindir), check=False)
    assert (proc.returncode, proc.stderr) == (0, '')
    assert not log.exists()
