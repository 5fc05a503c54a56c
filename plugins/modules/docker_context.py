#!/usr/bin/python
# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: docker_context
short_description: Create, update and remove docker CLI contexts, the C(docker-machine env) replacement
version_added: 0.1.0
description:
  - Writes a context into the docker CLI's context store, so that C(docker --context NAME ...) reaches that Engine, that is
    C(contexts/meta/<sha256 of the name>/meta.json) and the TLS files C(contexts/tls/<sha256 of the name>/docker/{ca,cert,key}.pem)
    under the CLI's configuration folder, in the format docker/cli writes them.
  - No docker CLI is needed; a context it made with the same settings is seen as unchanged, and one made by this module
    is listed, inspected, used and removed by C(docker context) as its own.
  - Returns the C(DOCKER_HOST), C(DOCKER_TLS_VERIFY) and C(DOCKER_CERT_PATH) values that C(docker-machine env) printed;
    the repository's C(scripts/machine-env.py) prints them for a shell from the same store.
  - Runs where the docker CLI is used, normally the controller (delegate the task to V(localhost)).
  - Why this module exists. community.docker has no module for docker contexts (its issue 647 asks for one),
    and C(docker context create) in a M(ansible.builtin.command) task is neither idempotent nor able to update a context,
    show a diff or run in check mode.
author:
  - Anchorage developers (@anchorage)
extends_documentation_fragment:
  - anchorage.swarm.attributes
attributes:
  check_mode:
    support: full
    details: Check mode returns the same context, changes and diff, and writes nothing.
  diff_mode:
    support: full
    details: meta.json before and after; TLS files by sha256 fingerprint and mode only, never their content.
  idempotent:
    support: full
options:
  name:
    description:
      - The context's name, as C(docker --context) takes it.
      - The docker CLI's rule applies (C(^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$)); V(default) is the CLI's built-in context and is refused.
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the context; V(absent) removes its metadata and TLS files.
      - Removing the current context also unsets C(currentContext), as C(docker context rm --force) does.
    type: str
    choices: [present, absent]
    default: present
  host:
    description:
      - The Engine endpoint, required with O(state=present).
      - V(tcp://HOST:PORT) (an IPv6 address in brackets), V(ssh://[USER@]HOST[:PORT]) or V(unix:///PATH).
    type: str
  description:
    description: The context's description (C(docker context ls) shows it). Left as it is when not given; V('') removes it.
    type: str
  tls_ca_path:
    description:
      - PEM file of the CA the Engine's certificate must be signed by, copied into the store as C(ca.pem).
      - TLS files apply to V(tcp://) hosts only. The store holds exactly the files given; files no longer given are removed.
    type: path
  tls_cert_path:
    description: PEM client certificate, copied as C(cert.pem). Needs O(tls_key_path).
    type: path
  tls_key_path:
    description:
      - PEM private key of the client certificate, not encrypted (the docker CLI refuses encrypted keys), copied as C(key.pem).
      - Never shown in the result or the diff, only its sha256 fingerprint.
    type: path
  skip_tls_verify:
    description:
      - Use TLS without checking the Engine's certificate (a warning says that the connection can be intercepted).
    type: bool
    default: false
  allow_insecure:
    description:
      - Accept a V(tcp://) host without TLS files, that is, plain HTTP. Refused by default, since whoever reaches such a port
        controls the Engine, which is root on its host; with V(true) a warning says so.
    type: bool
    default: false
  current:
    description:
      - V(true) makes this the docker CLI's current context (C(currentContext) in C(config.json), as C(docker context use)).
      - V(false) unsets C(currentContext) when it names this context.
      - Not given, C(config.json) is left alone, so that re-running a playbook does not undo a user's C(docker context use).
      - The file's other keys (registry credentials among them) are kept and never shown.
    type: bool
  docker_config:
    description: The docker CLI's configuration folder. Defaults to E(DOCKER_CONFIG), else C(~/.docker), as the CLI does.
    type: path
notes:
  - Files are written as the CLI writes them, C(meta.json) 0644 in 0755 folders, TLS files 0600 in 0700 folders.
    A wrong mode is a change, and is fixed.
  - Other endpoints and metadata fields that another tool stored in the context are kept.
  - Environment variables win over the store in the docker CLI. With E(DOCKER_HOST) set, C(docker) ignores the
    current context (C(--context) still works).
seealso:
  - name: docker context
    description: The docker CLI's contexts.
    link: https://docs.docker.com/engine/manage-resources/contexts/
  - name: community.docker issue 647
    description: The request for a context module in community.docker.
    link: https://github.com/ansible-collections/community.docker/issues/647
"""

EXAMPLES = r"""
- name: One context per machine, over TLS, on the controller
  anchorage.swarm.docker_context:
    name: "{{ inventory_hostname }}"
    description: anchorage lab
    host: "tcp://{{ ansible_host }}:2376"
    tls_ca_path: .lab/anchorage-lab/tls/ca.pem
    tls_cert_path: .lab/anchorage-lab/tls/cert.pem
    tls_key_path: .lab/anchorage-lab/tls/key.pem
  delegate_to: localhost
  become: false
  register: machine_context

- name: Run the docker CLI against it, with the variables docker-machine env set
  ansible.builtin.command: docker node ls
  environment: "{{ machine_context.context.env }}"
  delegate_to: localhost
  changed_when: false

- name: A context over SSH, made the current one
  anchorage.swarm.docker_context:
    name: builder
    host: ssh://deploy@build.example.com
    current: true
  delegate_to: localhost

- name: Remove a context
  anchorage.swarm.docker_context:
    name: old-machine
    state: absent
  delegate_to: localhost
"""

RETURN = r"""
context:
  description: The context as it now is (as it would be, in check mode); empty when O(state=absent).
  returned: success
  type: dict
  contains:
    name:
      description: The context's name.
      type: str
    host:
      description: The Engine endpoint.
      type: str
    description:
      description: The description, or empty.
      type: str
    skip_tls_verify:
      description: Whether the Engine's certificate is left unchecked.
      type: bool
    tls:
      description: Whether the store holds TLS files for the context.
      type: bool
    tls_files:
      description: The TLS files in the store, of C(ca.pem), C(cert.pem), C(key.pem).
      type: list
      elements: str
    tls_dir:
      description: The folder holding them (null without TLS); C(DOCKER_CERT_PATH) points there.
      type: str
    current:
      description: Whether C(currentContext) in C(config.json) names this context.
      type: bool
    meta_path:
      description: The context's C(meta.json).
      type: str
    env:
      description:
        - The variables C(docker-machine env) set, to use the Engine without C(--context), e.g. as a task's C(environment).
        - C(DOCKER_HOST) always; with TLS files C(DOCKER_CERT_PATH) and C(DOCKER_TLS_VERIFY=1), or C(DOCKER_TLS=1)
          when O(skip_tls_verify=true).
      type: dict
    env_unset:
      description: Variables a shell must not keep for this endpoint (a previous machine's TLS settings).
      type: list
      elements: str
  sample:
    name: manager1
    host: tcp://172.29.77.10:2376
    description: anchorage lab
    skip_tls_verify: false
    tls: true
    tls_files: [ca.pem, cert.pem, key.pem]
    tls_dir: /root/.docker/contexts/tls/4f0c.../docker
    current: false
    meta_path: /root/.docker/contexts/meta/4f0c.../meta.json
    env:
      DOCKER_HOST: tcp://172.29.77.10:2376
      DOCKER_TLS_VERIFY: "1"
      DOCKER_CERT_PATH: /root/.docker/contexts/tls/4f0c.../docker
    env_unset: []
changes:
  description:
    - What was (in check mode, would be) done, as V(<action> <file>); actions are create, update, chmod, remove.
    - Files are named without the context's hash (V(meta/meta.json), V(tls/docker/key.pem)); V(config.json currentContext)
      for the current context.
  returned: success
  type: list
  elements: str
  sample: ["create meta", "create meta/meta.json", "chmod tls/docker/key.pem"]
"""

import json
import os
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.anchorage.swarm.plugins.module_utils._docker_context import (
    TLS_FILES,
    context_result,
    current_context_update,
    default_config_dir,
    describe,
    desired_entries,
    endpoint_problems,
    label,
    parse_meta,
    pem_problem,
    plan,
    read_entries,
    relative_paths,
    render_meta,
    store_paths,
    summarize_meta,
    validate_host,
    validate_name,
)

TLS_OPTIONS = (('tls_ca_path', 'ca.pem'), ('tls_cert_path', 'cert.pem'), ('tls_key_path', 'key.pem'))


class DockerContextManager(object):
    def __init__(self, module):
        self.module = module
        self.name = module.params['name']
        self.state = module.params['state']
        self.config_dir = os.path.abspath(module.params['docker_config'] or default_config_dir())
        self.paths = store_paths(self.config_dir, self.name)
        self.result = dict(changed=False, context={}, changes=[])
        if os.path.exists(self.config_dir) and not os.path.isdir(self.config_dir):
            self.fail('docker_config %s is a file, not a directory: give the folder of the docker CLI '
                      'configuration (default ~/.docker), or remove the file' % self.config_dir)

    def fail(self, why):
        self.module.fail_json(msg='Cannot %s docker context %s: %s' % (
            'remove' if self.state == 'absent' else 'write', self.name, why), **self.result)

    def validate(self):
        """Every input check, before anything is read from or written to the store."""
        problem = validate_name(self.name)
        if problem:
            self.fail(problem)
        if self.state == 'absent':
            if self.module.params['current']:
                self.fail('current=true needs state=present')
            return None, {}
        scheme, problem = validate_host(self.module.params['host'])
        if problem:
            self.fail(problem)
        tls_data = {}
        for option, file_name in TLS_OPTIONS:
            path = self.module.params[option]
            if not path:
                continue
            try:
                with open(path, 'rb') as handle:
                    data = handle.read()
            except (IOError, OSError) as exc:
                self.fail('%s %s cannot be read (%s); give a PEM file on the machine the task runs on'
                          % (option, path, to_native(exc.strerror or exc)))
            problem = pem_problem(option, data)
            if problem:
                self.fail('%s (%s)' % (problem, path))
            tls_data[file_name] = data
        errors, warnings = endpoint_problems(scheme, bool(tls_data), self.module.params['skip_tls_verify'],
                                             self.module.params['allow_insecure'])
        if errors:
            self.fail('; '.join(errors))
        for warning in warnings:
            self.module.warn('docker context %s: %s' % (self.name, warning))
        return scheme, tls_data

    def observe(self):
        try:
            return read_entries(self.config_dir, self.name)
        except (IOError, OSError) as exc:
            self.fail('the context store cannot be read: %s' % to_native(exc))

    def read_config(self):
        """config.json's text, or None when there is none."""
        try:
            with open(self.paths['config_file']) as handle:
                return handle.read()
        except (IOError, OSError) as exc:
            if os.path.exists(self.paths['config_file']):
                self.fail('%s cannot be read: %s' % (self.paths['config_file'], to_native(exc)))
            return None

    def config_update(self):
        """(new config.json text or None, currentContext before, after)."""
        current = self.module.params['current']
        text = self.read_config()
        try:
            return current_context_update(text, self.name, current, self.state)
        except ValueError as exc:
            if current is None and self.state == 'present':
                return None, '', ''
            self.fail('%s is not valid JSON (%s): fix it, or remove it if it holds nothing you need'
                      % (self.paths['config_file'], to_native(exc)))

    def converge(self, observed, desired, config_change):
        actions = plan(self.name, observed, desired, self.state)
        new_config, before_current, after_current = config_change
        self.result['changes'] = ['%s %s' % (action, label(self.name, path)) for action, path in actions]
        if new_config is not None:
            self.result['changes'].append('update config.json currentContext')
        self.result['changed'] = bool(self.result['changes'])
        if self.module._diff:
            header = 'docker context %s in %s' % (self.name, self.config_dir)
            before, after = describe(self.name, observed), describe(self.name, desired)
            if new_config is not None or self.module.params['current'] is not None:
                # Only the currentContext key of config.json: its other keys may hold registry credentials.
                before += 'currentContext: %s\n' % (before_current or '(none)')
                after += 'currentContext: %s\n' % (after_current or '(none)')
            self.result['diff'] = dict(before=before, after=after, before_header=header, after_header=header)
        if self.module.check_mode or not self.result['changed']:
            return
        try:
            self.apply(actions, desired)
            if new_config is not None:
                self.write_config(new_config)
        except (IOError, OSError) as exc:
            self.fail('writing the store failed: %s' % to_native(exc))

    def apply(self, actions, desired):
        contexts = self.paths['contexts']
        if desired:
            # Folders the CLI creates on first use: the config folder 0700, contexts/meta 0755, contexts/tls 0700.
            # Existing ones are not the context's and keep their modes.
            roots = [(self.config_dir, 0o700), (contexts, 0o755), (os.path.join(contexts, 'meta'), 0o755)]
            if any(path.startswith('tls/') for path in desired):
                roots.append((os.path.join(contexts, 'tls'), 0o700))
            for path, mode in roots:
                if not os.path.isdir(path):
                    try:
                        os.makedirs(path, mode)
                        os.chmod(path, mode)
                    except OSError:
                        # Playbooks write one context per host in parallel: another run may have made it.
                        if not os.path.isdir(path):
                            raise
        for action, rel_path in actions:
            path = os.path.join(contexts, *rel_path.split('/'))
            if action == 'remove':
                if os.path.isdir(path) and not os.path.islink(path):
                    os.rmdir(path)
                else:
                    os.unlink(path)
                continue
            content, mode = desired[rel_path]
            if content is None:
                if action == 'create':
                    os.mkdir(path, mode)
                os.chmod(path, mode)
            elif action == 'chmod':
                os.chmod(path, mode)
            else:
                self.write_file(path, content, mode)

    @staticmethod
    def write_file(path, content, mode):
        # A temporary file made 0600 from the start and renamed, so that a key is never readable by others,
        # not even for a moment, and a reader never sees half a file.
        fd, tmp_path = tempfile.mkstemp(prefix='.' + os.path.basename(path) + '.', dir=os.path.dirname(path))
        try:
            with os.fdopen(fd, 'wb') as handle:
                handle.write(content)
            os.chmod(tmp_path, mode)
            os.rename(tmp_path, path)
        except Exception:
            if os.path.exists(tmp_path):
                os.unlink(tmp_path)
            raise

    def write_config(self, text):
        # Like the CLI's ConfigFile.Save: through a symlink to its target, keeping the file's mode and owner.
        path = os.path.realpath(self.paths['config_file'])
        if not os.path.isdir(os.path.dirname(path)):
            os.makedirs(os.path.dirname(path), 0o700)
        info = os.stat(path) if os.path.exists(path) else None
        self.write_file(path, text.encode('utf-8'), info.st_mode & 0o7777 if info else 0o600)
        if info:
            try:
                os.chown(path, info.st_uid, info.st_gid)
            except OSError:
                pass  # Not allowed unless root; the file is then the running user's, as with the CLI.

    def present(self):
        scheme, tls_data = self.validate()
        observed = self.observe()
        rel = relative_paths(self.name)
        existing_bytes = observed.get(rel['meta_file'], (None, None))[0]
        existing = parse_meta(existing_bytes)
        if existing_bytes is not None and existing is None:
            self.module.warn('%s held no valid context metadata; it is replaced.' % self.paths['meta_file'])
        meta = render_meta(self.name, self.module.params['host'], self.module.params['skip_tls_verify'],
                           description=self.module.params['description'], existing=existing)
        desired = desired_entries(self.name, meta, tls_data)
        config_change = self.config_update()
        context = context_result(self.name, summarize_meta(json.loads(meta.decode('utf-8'))), self.paths['tls_dir'],
                                 [f for f in TLS_FILES if f in tls_data])
        context.update(current=config_change[2] == self.name, meta_path=self.paths['meta_file'])
        self.result['context'] = context
        self.converge(observed, desired, config_change)

    def absent(self):
        self.validate()
        observed = self.observe()
        self.converge(observed, {}, self.config_update())

    def run(self):
        {'present': self.present, 'absent': self.absent}[self.state]()
        return self.result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='str', required=True),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            host=dict(type='str'),
            description=dict(type='str'),
            tls_ca_path=dict(type='path'),
            tls_cert_path=dict(type='path'),
            tls_key_path=dict(type='path', no_log=False),
            skip_tls_verify=dict(type='bool', default=False),
            allow_insecure=dict(type='bool', default=False),
            current=dict(type='bool'),
            docker_config=dict(type='path'),
        ),
        required_if=[('state', 'present', ['host'])],
        required_together=[('tls_cert_path', 'tls_key_path')],
        supports_check_mode=True,
    )
    module.exit_json(**DockerContextManager(module).run())


if __name__ == '__main__':
    main()
