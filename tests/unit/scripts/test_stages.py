# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""scripts/stages.py (the table make test ends with): each stage's time, exit code, test count and Molecule phases,
read from the lines the tools print. The sample lines are copied from real runs of the tools."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
SCRIPT = os.path.join(REPO, 'scripts', 'stages.py')
sys.path.insert(0, os.path.join(REPO, 'scripts'))

import stages  # noqa: E402  pylint: disable=wrong-import-position

MOLECULE = [
    '\x1b[36mINFO    \x1b[0m \x1b[32mstack\x1b[0m \u279c \x1b[33mcreate\x1b[0m: \x1b[36mExecuting\x1b[0m\n',
    '\x1b[36mINFO    \x1b[0m \x1b[32mstack\x1b[0m \u279c \x1b[33mcreate\x1b[0m: \x1b[32mExecuted: Successful\x1b[0m\n',
    '\x1b[36mINFO    \x1b[0m \x1b[32mstack\x1b[0m \u279c \x1b[33mverify\x1b[0m: \x1b[36mExecuting\x1b[0m\n',
    # The verifier's own line starts the same way; it is not a phase of its own.
    'INFO     stack \u279c verify: Executing Testinfra tests found in /work/main/molecule/stack/tests/...\n',
    # Molecule frames the verifier's output.
    '  \x1b[2m\u2502 ============ 24 passed, 1 skipped in 312.40s (0:05:12) ============\x1b[0m\n',
]


def counted(lines):
    counter = stages.Counter()
    for offset, line in enumerate(lines):
        counter.feed(line, float(offset * 10))
    return counter


def test_molecule_phases_and_the_verifiers_count():
    counter = counted(MOLECULE)
    assert counter.phases == [['create', 0.0], ['verify', 20.0]]
    assert counter.tests() == '24 tests (1 skipped)'


def test_pytest_failures_are_counted_and_named():
    counter = counted(['= 3 failed, 2290 passed, 12 skipped, 1 error in 101.22s (0:01:41) =\n'])
    assert counter.tests() == '2294 tests (3 failed, 1 errors, 12 skipped)'


def test_quiet_pytest_summary_and_several_runs_add_up():
    counter = counted(['2305 passed in 99.80s (0:01:39)\n', '8 passed, 1 warning in 2.00s\n'])
    assert counter.tests() == '2313 tests'


def test_lint_sanity_docs_and_build_counts():
    counter = counted([
        'Passed: 0 failure(s), 0 warning(s) in 265 files processed of 300 encountered. Last profile that met the '
        'validation criteria was \'production\'.\n',
        'Running sanity test "action-plugin-docs"\n',
        "Running sanity test 'ansible-doc'\n",
        'ansible-doc -t module anchorage.swarm.stack: ok\n',
        'ansible-doc -t role anchorage.swarm.engine: ok\n',
        'Created collection for anchorage.swarm at /work/main/.build/anchorage-swarm-0.1.0.tar.gz\n',
    ])
    assert counter.tests() == '265 files linted; 2 sanity tests; 2 docs rendered; 1 tarball built'


def test_a_stage_without_tests_counts_nothing():
    assert counted(['Installing Python requirements into .venv ...\n']).tests() == ''


def run_script(tmp_path, *args):
    env = dict(os.environ, ANCHORAGE_STAGES_DIR=str(tmp_path))
    return subprocess.run([sys.executable, SCRIPT] + list(args), capture_output=True, text=True, env=env,
                          check=False, timeout=60)


def test_run_records_and_the_table_shows_a_failed_stage_with_its_log(tmp_path):
    assert run_script(tmp_path, 'reset').returncode == 0
    ok = run_script(tmp_path, 'run', 'unit', '--', sys.executable, '-c', 'print("5 passed in 0.10s")')
    assert ok.returncode == 0 and ok.stdout == '5 passed in 0.10s\n'
    bad = run_script(tmp_path, 'run', '--quiet', 'lint', '--', sys.executable, '-c',
                     'import sys; print("E: line too long"); sys.exit(3)')
    assert bad.returncode == 3
    # Quiet: only the stage's own two lines; its output is in its log.
    assert bad.stdout.splitlines()[0].startswith('[stage lint] started; its output: ')
    assert bad.stdout.splitlines()[1] == '[stage lint] FAILED (exit 3) after 0:00'
    assert (tmp_path / 'lint.log').read_text() == 'E: line too long\n'
    record = json.loads((tmp_path / 'unit.json').read_text())
    assert (record['name'], record['rc'], record['tests']) == ('unit', 0, '5 tests')
    table = run_script(tmp_path, 'table')
    lines = table.stdout.splitlines()
    assert 'E: line too long' in lines
    header = [line for line in lines if line.startswith('stage ')]
    assert header and header[0].split() == ['stage', 'start', 'time', 'result', 'tests']
    rows = dict((line.split()[0], line) for line in lines if line.startswith(('unit ', 'lint ')))
    assert rows['unit'].split()[3:] == ['ok', '5', 'tests']
    assert 'FAILED (exit 3)' in rows['lint']
    # After the table, what CI's record keeps of a long run (its last lines): why each failed stage failed.
    total = [index for index, line in enumerate(lines) if line.startswith('total (wall clock)')]
    assert total and lines[total[0] + 1:] == [
        '==== why stage lint failed: no line of its log says ====']
    markdown = run_script(tmp_path, 'table', '--markdown').stdout.splitlines()
    assert markdown[0] == '| stage | start | time | result | tests |'
    assert markdown[-1].startswith('| total (wall clock) |')


def test_why_a_stage_failed_is_told_by_its_fatal_and_pytest_lines_unframed():
    log = [
        '  \x1b[2m\u2502\x1b[0m TASK [anchorage.swarm.engine : Start dockerd] ****\n',
        '  \x1b[2m\u2502\x1b[0m \x1b[0;32mok: [sw-m1]\x1b[0m\n',
        '  \x1b[2m\u2502\x1b[0m FAILED - RETRYING: [sw-m3]: Wait for systemd (60 retries\n',
        '  \x1b[2m\u2502\x1b[0m \x1b[0;31mfatal: [sw-m2]: FAILED! => {"changed": false, "msg": "Cannot start:\x1b[0m\n',
        '  \x1b[2m\u2502\x1b[0m   dockerd did not answer within 60 s"}\x1b[0m\n',
        '  \x1b[2m\u2502\x1b[0m PLAY RECAP ****\n',
        'FAILED tests/test_01.py::test_nodes - AssertionError: 3 managers\n',
        'E   assert 2 == 3\n',
    ]
    assert stages.why_failed(log) == [
        'fatal: [sw-m2]: FAILED! => {"changed": false, "msg": "Cannot start:',
        'dockerd did not answer within 60 s"}',
        'FAILED tests/test_01.py::test_nodes - AssertionError: 3 managers',
        'E   assert 2 == 3',
    ]
    # Only the last ones when there are many, and nothing from a log that says nothing.
    assert stages.why_failed(['fatal: [n%d]: FAILED!\n' % i for i in range(50)], limit=2) == [
        'fatal: [n48]: FAILED!', 'fatal: [n49]: FAILED!']
    assert not stages.why_failed(['ok: [sw-m1]\n', 'PLAY RECAP\n'])


def test_the_galaxy_importer_run_of_make_build_counts():
    counter = counted([
        'Created collection for anchorage.swarm at /work/main/.build/anchorage-swarm-0.1.0.tar.gz\n',
        'Importing with galaxy-importer 0.4.44\n',
        'Importer processing completed successfully\n',
    ])
    assert counter.tests() == '1 tarball built; 1 galaxy-importer import'
