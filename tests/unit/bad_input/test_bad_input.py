# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The bad-input suite (issue 16): every case of cases.yml run as Ansible runs the module.

Each case must fail with a message that names the field and the fix, with no traceback, and leave nothing
changed: no mutating request (POST, PUT, DELETE) reached the fake Engine, and no file appeared or changed under
the case's tmp dir. Cases whose bug another branch fixes carry `owner:` and are strict xfails until it is merged.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import http.server
import json
import os
import re
import socketserver
import subprocess
import sys
import threading

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
MODULES = os.path.join(ROOT, 'plugins', 'modules')
CASES = yaml.safe_load(open(os.path.join(HERE, 'cases.yml'), encoding='utf-8'))['cases']
STATS = {'tried': 0, 'clear': 0, 'no_traceback': 0, 'unchanged': 0}
MUTATING = ('POST', 'PUT', 'DELETE')
INFO = {'Name': 'node1', 'OperatingSystem': 'Debian GNU/Linux 12 (bookworm)', 'KernelVersion': '6.1.0',
        'Swarm': {'NodeID': '', 'NodeAddr': '', 'LocalNodeState': 'inactive', 'ControlAvailable': False,
                  'Error': '', 'RemoteManagers': None}}
ANSWERS = {'/_ping': 'OK', '/version': {'Version': '20.10.24', 'ApiVersion': '1.41', 'MinAPIVersion': '1.12'},
           '/info': INFO}


class _Handler(http.server.BaseHTTPRequestHandler):
    def _serve(self):
        self.server.requests.append((self.command, self.path))
        path = re.sub(r'^/v[0-9.]+', '', self.path.split('?')[0])
        body = ANSWERS.get(path) if self.command == 'GET' else None
        status = 200 if body is not None else 404
        data = json.dumps(body if body is not None else {'message': 'page not found'}).encode('utf-8')
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _serve

    def log_message(self, *args):
        pass


def _snapshot(top):
    found = {}
    for folder, _dirs, files in os.walk(top):
        for name in files:
            path = os.path.join(folder, name)
            if name != 'docker.sock':
                with open(path, 'rb') as handle:
                    found[path] = handle.read()
        found[folder] = None
    return found


def _fill(value, tmp, sock):
    if isinstance(value, str):
        return value.replace('{tmp}', tmp).replace('{sock}', sock)
    if isinstance(value, list):
        return [_fill(v, tmp, sock) for v in value]
    if isinstance(value, dict):
        return dict((k, _fill(v, tmp, sock)) for k, v in value.items())
    return value


def _param(case):
    marks = []
    if case.get('owner'):
        marks.append(pytest.mark.xfail(strict=True, reason='fixed on branch h16-%s' % case['owner'][3:]))
    return pytest.param(case, id=case['id'], marks=marks)


def test_corpus_size():
    """At least 60 cases, every module in one."""
    assert len(CASES) >= 60
    modules = set(name[:-3] for name in os.listdir(MODULES) if name.endswith('.py'))
    assert modules <= set(c['module'] for c in CASES)


@pytest.mark.parametrize('case', [_param(c) for c in CASES])
def test_bad_input(case, tmp_path):
    tmp = str(tmp_path / 'case')
    os.mkdir(tmp)
    for name, text in (case.get('files') or {}).items():
        with open(os.path.join(tmp, name), 'w', encoding='utf-8') as handle:
            handle.write(text)
    sock = str(tmp_path / 'docker.sock')
    server = socketserver.UnixStreamServer(sock, _Handler)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    before = _snapshot(tmp)
    payload = {'ANSIBLE_MODULE_ARGS': _fill(case['args'], tmp, 'unix://' + sock)}
    env = dict(os.environ, HOME=tmp, PYTHONPATH=os.path.join(ROOT, '.collections') + os.pathsep
               + os.environ.get('PYTHONPATH', ''))
    env.pop('DOCKER_HOST', None)
    try:
        proc = subprocess.run([sys.executable, os.path.join(MODULES, case['module'] + '.py')],
                              input=json.dumps(payload), capture_output=True, text=True, env=env,
                              timeout=60, check=False, cwd=tmp)
    finally:
        server.shutdown()
        server.server_close()
    STATS['tried'] += 1
    try:
        result = json.loads(proc.stdout)
    except ValueError:
        result = {'msg': proc.stdout}
    msg = str(result.get('msg', ''))
    traceback = 'Traceback' in proc.stdout + proc.stderr or 'exception' in result
    mutating = [r for r in server.requests if r[0] in MUTATING]
    unchanged = not mutating and not result.get('changed') and _snapshot(tmp) == before
    clear = bool(result.get('failed')) and case['field'] in msg and re.search(case['fix'], msg, re.I) is not None
    STATS['clear'] += clear
    STATS['no_traceback'] += not traceback
    STATS['unchanged'] += unchanged
    assert result.get('failed'), result
    assert not traceback, proc.stdout + proc.stderr
    assert case['field'] in msg, msg
    assert re.search(case['fix'], msg, re.I), msg
    assert unchanged, (mutating, result)


ROLE_CASES = yaml.safe_load(open(os.path.join(HERE, 'cases.yml'), encoding='utf-8'))['roles']


@pytest.mark.parametrize('case', [pytest.param(c, id=c['id']) for c in ROLE_CASES])
def test_bad_role_input(case, tmp_path):
    """The role applied to localhost with one bad variable: fails on it, no traceback, changed=0, no file."""
    tmp = str(tmp_path / 'case')
    os.mkdir(tmp)
    role = dict(name='anchorage.swarm.' + case['role'])
    if case.get('tasks_from'):
        role['tasks_from'] = case['tasks_from']
    play = [dict(hosts='localhost', gather_facts=False, tasks=[dict(include_role=role, vars=case['vars'])])]
    playbook = str(tmp_path / 'play.yml')
    with open(playbook, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(play, handle)
    before = _snapshot(tmp)
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, 'ansible.cfg'), ANSIBLE_NOCOLOR='1',
               ANSIBLE_LOCAL_TEMP=str(tmp_path / 'ansible-tmp'), ANSIBLE_RETRY_FILES_ENABLED='0')
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', 'localhost,',
                           '-c', 'local', '-e', 'ansible_python_interpreter=' + sys.executable, playbook],
                          capture_output=True, text=True, env=env, timeout=120, check=False, cwd=tmp)
    out = proc.stdout + proc.stderr
    STATS['tried'] += 1
    failed = proc.returncode != 0 and 'failed=1' in out
    clear = failed and case['field'] in out and re.search(case['fix'], out, re.I) is not None
    traceback = 'Traceback' in out
    unchanged = re.search(r'changed=0\b', out) is not None and _snapshot(tmp) == before
    STATS['clear'] += clear
    STATS['no_traceback'] += not traceback
    STATS['unchanged'] += unchanged
    assert failed and clear, out
    assert not traceback, out
    assert unchanged, out
