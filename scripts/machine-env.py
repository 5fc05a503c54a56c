# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Print the shell lines `docker-machine env NAME` printed, from NAME's docker context.

    eval "$(make -s env M=manager1)"          (python3 scripts/machine-env.py manager1)
    eval "$(make -s env UNSET=1)"             (python3 scripts/machine-env.py --unset)

The context is the one anchorage.swarm.docker_context wrote (make lab does it
for the lab's machines); the store format is read by the same code as the
module's, plugins/module_utils/_docker_context.py. Python 3 standard library only.
Run with python3, not executed: ansible-test allows only `#!/usr/bin/env python`
as a script's shebang, and Debian has no `python` command.
"""

import argparse
import importlib.util
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))


def load_store():
    # The module's own file, loaded by path: one piece of code for the store format, no Ansible needed.
    path = os.path.join(REPO, 'plugins', 'module_utils', '_docker_context.py')
    spec = importlib.util.spec_from_file_location('_docker_context', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


store = load_store()


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='machine-env', description="Print the DOCKER_* variables for a machine's docker context, "
                                        'as docker-machine env did: eval "$(machine-env NAME)".')
    parser.add_argument('name', nargs='?', help='the machine, i.e. its docker context (the inventory name)')
    parser.add_argument('--config', help="the docker CLI's configuration folder (default: $DOCKER_CONFIG, else ~/.docker)")
    parser.add_argument('--shell', choices=store.SHELLS, default='sh', help='the shell the lines are for (default: sh)')
    parser.add_argument('--unset', '-u', action='store_true', help='print the lines that unset the variables instead')
    parser.add_argument('--hint', help='the command shown in the closing comment (default: this command line)')
    args = parser.parse_args(argv)

    if args.unset:
        hint = args.hint or 'python3 scripts/machine-env.py --unset'
        sys.stdout.write(store.env_lines({}, list(store.ENV_VARS), args.shell, hint))
        return 0
    if not args.name:
        return fail('Name the machine: make -s env M=NAME (or python3 scripts/machine-env.py NAME).')
    problem = store.validate_name(args.name)
    if problem:
        return fail('No docker context %s: its %s.' % (args.name, problem))
    config = os.path.abspath(os.path.expanduser(args.config)) if args.config else store.default_config_dir()
    context = store.read_context(config, args.name)
    if context is None:
        return fail('No docker context %s in %s: run make lab first, or playbooks/contexts.yml for your inventory.'
                    % (args.name, config))
    env = dict(context['env'], DOCKER_MACHINE_NAME=args.name)
    hint = args.hint or 'python3 scripts/machine-env.py %s' % args.name
    sys.stdout.write(store.env_lines(env, context['env_unset'], args.shell, hint))
    return 0


def fail(sentence):
    sys.stderr.write(sentence + '\n')
    return 2


if __name__ == '__main__':
    sys.exit(main())
