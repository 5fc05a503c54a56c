# Make `ansible_collections.anchorage.swarm` importable from a plain clone: the
# repository is reachable as a collection through .collections (a symlink), the
# same path ansible.cfg gives Ansible. ansible_collections is a namespace
# package, so community.* from site-packages stays importable beside it.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys

COLLECTIONS = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '.collections'))
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)


def pytest_terminal_summary(terminalreporter):
    """The differential test's count: how many corpus cases agree with the docker CLI, how many are documented
    deviations, how many disagree (must be 0)."""
    module = sys.modules.get('test_compose_cli') or next(
        (m for name, m in sys.modules.items() if name.endswith('test_compose_cli')), None)
    stats = getattr(module, 'STATS', None)
    if stats and sum(stats.values()):
        terminalreporter.write_line(
            'compose corpus against the docker CLI: %(agree)d agree, %(deviation)d documented deviations, '
            '%(disagree)d undocumented disagreements' % stats)
    bad = next((m for name, m in sys.modules.items() if name.endswith('test_bad_input')), None)
    stats = getattr(bad, 'STATS', None)
    if stats and stats['tried']:
        terminalreporter.write_line(
            'bad-input corpus: %(tried)d bad inputs tried, %(clear)d with a clear message (field and fix), '
            '%(no_traceback)d without a traceback, %(unchanged)d leaving nothing changed' % stats)
