# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The differential test: every case of tests/compose_corpus loaded by our loader and by the real docker CLI.

Each case's cli.json is what `docker stack config` printed for it (tests/compose_corpus/record.py). A case agrees
when the CLI accepted it and our load() gives the same config, field for field, or when both reject it. A case
that disagrees must match one of DEVIATIONS, the documented, deliberate differences (the stack module's notes list
the same); any other disagreement fails. test_recorded_outputs_are_the_clis_own runs the CLI again, where one of
the recorded version is on PATH, so the recordings cannot drift from what the CLI does.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shutil
import subprocess

import docker_cli
import pytest

from ansible_collections.anchorage.swarm.plugins.module_utils._compose_loader import ComposeError, load
from ansible_collections.anchorage.swarm.plugins.module_utils._compose_yaml import ComposeYAMLError, parse_yaml

CORPUS = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', 'compose_corpus'))
CASES = os.path.join(CORPUS, 'cases')
RECORDED_AT = '/tmp/anchorage-compose-corpus'  # where record.py ran each case (absolute paths in the outputs)
HOME = '/home/corpus'
IDS = sorted(os.listdir(CASES)) if os.path.isdir(CASES) else []

# The documented deviations: (name, why, does this case fall in it: f(case, cli, our error or None)).
DEVIATIONS = [
    ('unset-variable',
     'an unset ${VAR} without a default is an error here; the CLI deploys an empty string (a blank tag or password)',
     lambda case, cli, error: cli['rc'] == 0 and error is not None and 'is not set' in error),
]

STATS = {'agree': 0, 'deviation': 0, 'disagree': 0}


def _case(case_id):
    folder = os.path.join(CASES, case_id)
    with open(os.path.join(folder, 'case.json')) as handle:
        case = json.load(handle)
    with open(os.path.join(folder, 'cli.json')) as handle:
        cli = json.load(handle)
    return folder, case, cli


def ours(case_id):
    """Our load() of a case, as the stack module runs it: (config, None) or (None, error message)."""
    folder, case, _cli = _case(case_id)
    case_dir = os.path.join(RECORDED_AT, case_id)
    # As the CLI (and the stack module) does: relative paths are relative to the folder of the first file.
    working_dir = os.path.dirname(os.path.join(case_dir, case['files'][0]))

    def read_file(path):
        # The case is loaded where it was recorded, so paths in the config match; files come from the repo.
        relative = os.path.relpath(path, case_dir)
        if relative.startswith('..'):
            raise IOError(2, 'No such file or directory', path)
        with open(os.path.join(folder, relative), 'rb') as handle:
            return handle.read()
    variables = dict(case.get('env') or {})
    variables.setdefault('HOME', HOME)
    try:
        files = [(os.path.join(case_dir, name), parse_yaml(read_file(os.path.join(case_dir, name)), name))
                 for name in case['files']]
        config, _warnings = load(files, variables, working_dir=working_dir, read_file=read_file, home=HOME)
    except (ComposeError, ComposeYAMLError) as exc:
        return None, str(exc)
    return config, None


def verdict(case_id):
    """'agree', or the name of the deviation, or a message saying how the two differ."""
    _folder, case, cli = _case(case_id)
    config, error = ours(case_id)
    if cli['rc'] == 0 and error is None:
        expected = parse_yaml(cli['stdout'].encode('utf-8'), 'docker stack config')
        if json.dumps(config, sort_keys=True, default=str) == json.dumps(expected, sort_keys=True, default=str):
            return 'agree'
        return 'differs:\nours: %s\ncli:  %s' % (json.dumps(config, sort_keys=True, default=str),
                                                 json.dumps(expected, sort_keys=True, default=str))
    if cli['rc'] != 0 and error is not None:
        return 'agree'
    for name, _why, matches in DEVIATIONS:
        if matches(case, cli, error):
            return name
    if error is not None:
        return 'we reject what the CLI accepts: %s' % error
    return 'we accept what the CLI rejects: %s' % cli['stderr'].strip()


@pytest.mark.skipif(not IDS, reason='tests/compose_corpus/cases is missing')
@pytest.mark.parametrize('case_id', IDS)
def test_case_agrees_with_the_cli(case_id):
    result = verdict(case_id)
    if result == 'agree':
        STATS['agree'] += 1
    elif result in [d[0] for d in DEVIATIONS]:
        STATS['deviation'] += 1
    else:
        STATS['disagree'] += 1
    assert result == 'agree' or result in [d[0] for d in DEVIATIONS], result


def _cli():
    """The docker CLI of the recordings, when it is here: (path, None) or (None, why not)."""
    return docker_cli.find(set(_case(case_id)[2]['cli'] for case_id in IDS), 'the cases were recorded and')


def test_recorded_outputs_are_the_clis_own(tmp_path):
    """Runs `docker stack config` again for every case and compares with what was recorded."""
    path, why = _cli()
    if path is None:
        pytest.skip(why)
    stale = []
    for case_id in IDS:
        folder, case, cli = _case(case_id)
        target = os.path.join(RECORDED_AT, case_id)
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(folder, target)
        env = {'PATH': '/usr/bin:/bin', 'HOME': HOME}
        env.update(case.get('env') or {})
        args = [path, 'stack', 'config']
        for name in case['files']:
            args += ['-c', name]
        proc = subprocess.run(args, cwd=target, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60, check=False)
        if proc.returncode != cli['rc'] or proc.stdout.decode('utf-8', 'replace') != cli['stdout']:
            stale.append(case_id)
    assert not stale, 'recorded outputs differ from docker CLI at %s: %s (re-record: python3 tests/compose_corpus/record.py)' % (path, stale)
