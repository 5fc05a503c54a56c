"""Counts that say how much logic lives where (issue 15's before/after figures): role task files and tasks,
playbook tasks, Jinja expressions longer than 150 characters, lines of plugin Python.

    python3 scripts/house-counts.py [REPO]       # REPO defaults to this repository

A task is a mapping in a task list that is not a block (a block's own tasks are counted); a Jinja expression is a
{{ ... }} or {% ... %} with its whitespace collapsed, or a multi-line when/until/that/failed_when/changed_when list.
"""

import os
import re
import sys

import yaml

LONG = 150


def tasks_in(items):
    count = 0
    for item in items or []:
        if not isinstance(item, dict):
            continue
        if 'block' in item:
            for key in ('block', 'rescue', 'always'):
                count += tasks_in(item.get(key))
        else:
            count += 1
    return count


def plays_tasks(plays):
    count = 0
    for play in plays or []:
        if isinstance(play, dict):
            for key in ('pre_tasks', 'tasks', 'post_tasks', 'handlers'):
                count += tasks_in(play.get(key))
    return count


def long_expressions(text):
    found = 0
    for match in re.finditer(r'\{\{.*?\}\}|\{%.*?%\}', text, re.S):
        if len(' '.join(match.group(0).split())) > LONG:
            found += 1
    return found


def main():
    repo = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..'))
    task_files = role_tasks = playbook_tasks = jinja = python_lines = 0
    for root, dirs, files in os.walk(repo):
        dirs[:] = [d for d in dirs if not d.startswith('.') and d not in ('results', 'tests')]
        rel = os.path.relpath(root, repo)
        for name in files:
            path = os.path.join(root, name)
            if name.endswith('.py') and rel.startswith('plugins'):
                with open(path, encoding='utf-8') as handle:
                    python_lines += sum(1 for line in handle if line.strip())
            if not name.endswith('.yml'):
                continue
            with open(path, encoding='utf-8') as handle:
                text = handle.read()
            if rel.startswith('roles') or rel.startswith('playbooks') or rel == '.' and name == 'site.yml':
                jinja += long_expressions(text)
            try:
                data = yaml.safe_load(text)
            except yaml.YAMLError:
                continue
            parts = rel.split(os.sep)
            if parts[0] == 'roles' and len(parts) == 3 and parts[2] in ('tasks', 'handlers'):
                task_files += parts[2] == 'tasks'
                role_tasks += tasks_in(data if isinstance(data, list) else [])
            elif rel == 'playbooks' or (rel == '.' and name == 'site.yml'):
                playbook_tasks += plays_tasks(data if isinstance(data, list) else [])
    print('role task files     %d' % task_files)
    print('role tasks          %d' % role_tasks)
    print('playbook tasks      %d' % playbook_tasks)
    print('Jinja > %d chars   %d' % (LONG, jinja))
    print('plugin Python lines %d' % python_lines)


if __name__ == '__main__':
    main()
