#!/usr/bin/python
# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: stack
short_description: Deploy a Docker stack from compose files, with check mode, diff and waiting for convergence
version_added: 0.1.0
description:
  - Deploys, updates, scales and removes a swarm stack from compose files (format 3.x) or inline definitions, on
    the manager the task runs on, through the Engine API. The docker CLI is not needed on the node.
  - Objects are named and labelled as C(docker stack deploy) names them (V(<stack>_<service>),
    V(<stack>_<network>), labels C(com.docker.stack.namespace) and C(com.docker.stack.image)), and service specs
    are built the way the CLI builds them, so C(docker stack ls), C(ps), C(services) and C(rm) work on what this
    module deployed, and a stack the CLI deployed from the same file is reported unchanged (see the notes for
    secrets and configs).
  - Before anything changes, the files are read and checked as the CLI checks them (its compose schema, forbidden
    keys, image references, undefined networks, volumes, secrets and configs, external ones that do not exist);
    keys swarm ignores give the CLI's warning, V(Ignoring unsupported options) followed by the keys.
  - Check mode predicts exactly what a real run changes, image digests included, and C(--diff) shows the changed
    fields of each service before and after.
  - Waits by default until every service runs its new spec (all replicas running, a job completed); when the
    Engine rolls an update back (C(update_config.failure_action=rollback)) or pauses it, or the time runs out,
    it fails naming the service, the tasks and their errors.
  - Why this module exists. M(community.docker.docker_stack) runs the docker CLI, so it has no check mode and no
    diff, waits only when asked, cannot report per-service progress or a rollback, and cannot change a secret's
    content (the CLI tries to update the secret in place, which swarm refuses).
author:
  - Anchorage developers (@anchorage)
extends_documentation_fragment:
  - anchorage.swarm.engine
  - anchorage.swarm.attributes
  - anchorage.swarm.attributes.actiongroup_docker
attributes:
  check_mode:
    support: full
    details:
      - Images are resolved in check mode too (a read-only registry query), so a moved tag shows as a change.
  diff_mode:
    support: full
    details:
      - One diff per created, updated or removed service, with the changed fields of its Engine spec.
      - Environment values never show in the diff; each variable shows as V(KEY=<masked>), or
        V(KEY=<masked, changed>) when its value changes, so the diff tells which variable changed. Secret and
        config contents are never in it (their names carry a digest of the content).
  idempotent:
    support: full
options:
  name:
    description: The stack's name (its namespace).
    type: str
    required: true
  state:
    description:
      - V(present) creates and updates the stack's networks, secrets, configs and services.
      - V(absent) removes every service, network, secret and config labelled with the stack's namespace, and waits
        until its networks are gone.
    type: str
    choices: [present, absent]
    default: present
  compose:
    description:
      - Compose files, each a path on the managed node or an inline definition (a dict), merged in order as
        C(docker stack deploy -c a.yml -c b.yml) merges them.
      - Required when O(state=present).
    type: list
    elements: raw
  project_dir:
    description:
      - Folder against which relative paths (secret and config C(file), C(env_file), bind mounts) are resolved.
      - Defaults to the folder of the first compose file, or the current folder for inline definitions.
    type: path
  variables:
    description:
      - Values for V(${VAR}) interpolation (and for C(environment) and C(env_file) entries that name a variable
        without a value, and V(HOME) for bind sources that start with V(~)), as the CLI takes them from its
        environment. Only these and O(env_files) are used, never the environment of the module.
      - The values are never shown in the module's arguments, even at C(-vvv) (this option is C(no_log)). Values
        whose names look secret (V(PASSWORD), V(PASSWD), V(TOKEN), V(SECRET), V(KEY), V(CREDENTIAL), V(AUTH), or
        ending in V(PASS)) are also masked wherever they would appear in the output (messages, warnings); other
        values are not, so that a V(TAG) of V(2) does not mask every 2 of the result.
      - They win over values from O(env_files).
      - An undefined V(${VAR}) without a default (V(${VAR:-default})) is an error, where the CLI would put an
        empty string.
    type: dict
    default: {}
  env_files:
    description:
      - Files of V(KEY=VALUE) lines whose values are used for interpolation, as C(docker compose --env-file)
        reads them (C(#) comments, V(export KEY=VALUE), values in single or double quotes); later files win, and
        O(variables) win over all of them. Relative paths are relative to O(project_dir).
      - These are interpolation values only; a service's own C(env_file) is read as the CLI reads it, into its
        environment.
    type: list
    elements: path
    default: []
    version_added: 0.2.0
  dot_env:
    description:
      - Also read V(.env) in O(project_dir), before O(env_files), when it exists (what C(docker compose) does
        by default; C(docker stack deploy) does not, so it is off by default).
    type: bool
    default: false
    version_added: 0.2.0
  prune:
    description: Remove the stack's services and networks that the compose files no longer define.
    type: bool
    default: false
  resolve_image:
    description:
      - V(always) asks the registry for each image's digest and pins the service to it, as the CLI does by
        default; a tag that moved in the registry updates the service.
      - V(changed) asks only for images whose reference changed in the compose file.
      - V(never) does not ask; nodes pull the tag themselves.
      - When the registry cannot be asked, the service keeps the digest it runs (the CLI would unpin it), with a
        warning.
    type: str
    choices: [always, changed, never]
    default: always
  with_registry_auth:
    description:
      - Send the registry credentials of the user running the module (C(~/.docker/config.json), or
        C($DOCKER_CONFIG/config.json), credential helpers included) to the swarm, so that every node can pull
        private images.
      - Only then are they sent with the image digest lookups (O(resolve_image)) too, as with the CLI's
        C(--with-registry-auth); without it, a private image's digest cannot be resolved and the warning says so.
    type: bool
    default: false
  wait:
    description: Wait until every created or updated service has converged.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for convergence, and for removed networks to go.
      - At least V(1); a smaller value fails the task before the Engine is contacted.
    type: int
    default: 300
requirements:
  - PyYAML (C(python3-yaml) on Debian) for compose files given as paths.
notes:
  - Before the Engine is contacted, ports (port numbers, protocol, a published port given twice) and mounts
    (absolute and distinct targets, absolute bind sources) are checked, with a message naming the service and field.
  - When creating or updating fails (the Engine refuses a spec), what this run created (services, secrets, configs,
    networks) is removed again and the failure message lists it (also returned as RV(rolled_back_objects)); objects
    that existed before the run are left as they were. A service that was created but does not converge while
    waiting is not removed.
  - Must run on a swarm manager, or reach one with O(docker_host) (from the controller, V(tcp://MANAGER:2376) with
    the TLS files; plain V(tcp://) is refused, since secret contents and registry credentials are sent).
  - The Docker SDK for Python is not needed; the Engine API is spoken with the standard
    library, the registry credentials read from the docker config as the CLI reads it.
  - Secrets and configs that the stack defines with C(file) are named V(<stack>_<key>-<first 12 hex of the
    sha256 of their content>) (or V(<name>-<digest>) with C(name)). A changed file is a new object, onto which the
    services roll without downtime, and the old one is removed once nothing uses it. The CLI names them
    V(<stack>_<key>) instead, so a stack with file secrets or configs that the CLI deployed is moved onto the
    digest-named objects by this module's first run (one rolling update), and the other way round.
  - Compose files are read as C(docker stack config) and C(docker stack deploy) of docker CLI 28 read them, rule
    for rule (a port of docker/cli's cli/compose loader, checked by a differential test against the real CLI on a
    corpus of real-world files). YAML is read with YAML 1.2 rules as Go's yaml.v3 reads it, whatever PyYAML the
    node has (unquoted V(22:22) is a string, V(yes) is a string, V(0o400) is 256, duplicate keys are an error).
    Each file is checked against the schema of the version it declares (no C(version) is 3.13), so a key newer
    than that version is refused with the version it needs. Interpolation follows the CLI's template rules,
    quirks included (V($VAR-x) is V(VAR) with the default V(x)). Several files merge as the CLI merges them
    (mergo) - an empty or false override keeps the base value; most lists (C(cap_add), C(dns), C(extra_hosts),
    placement constraints, even a healthcheck C(test)) are appended; ports merge by published port, volumes by
    target, secrets and configs by source; a service's C(env_file) is folded into its environment before the merge.
  - Known docker CLI behaviours that this module follows, so that it deploys what the CLI deploys - C(oom_score_adj)
    is dropped (a warning says so); when a service is merged, its ports without a published port collapse to one;
    logging options of an override are lost when the base gives the same driver without options.
  - Deliberate deviations from the CLI - an unset V(${VAR}) without a default is an error; inline definitions
    (a dict in O(compose)) are read by Ansible's YAML parser, not the CLI's, so quote values such as V("22:22") there.
seealso:
  - module: anchorage.swarm.stack_info
  - module: community.docker.docker_stack
  - name: docker stack deploy
    description: The CLI command whose objects this module makes.
    link: https://docs.docker.com/reference/cli/docker/stack/deploy/
"""

EXAMPLES = r"""
- name: Deploy the demo stack from a compose file on the manager, waiting until it runs
  anchorage.swarm.stack:
    name: demo
    compose:
      - /srv/demo/compose.yml
    variables:
      REGISTRY: "registry.example.com:5000"
      TAG: "1.4.2"
    prune: true
    with_registry_auth: true
  register: demo

- name: Deploy a base file with a production override, as docker stack deploy -c base.yml -c prod.yml does
  anchorage.swarm.stack:
    name: shop
    compose:
      - /srv/shop/base.yml
      - /srv/shop/prod.yml
    env_files:
      - /srv/shop/prod.env  # TAG=1.4.2, REGISTRY=...; variables given here win over the file
    variables:
      TAG: "1.4.3"

- name: Show how each service is doing
  ansible.builtin.debug:
    msg: "{{ demo.services | map(attribute='progress') | list }}"

- name: Scale the web service with an override, inline
  anchorage.swarm.stack:
    name: demo
    compose:
      - /srv/demo/compose.yml
      - services:
          web:
            deploy:
              replicas: 5
    variables:
      REGISTRY: "registry.example.com:5000"

- name: Remove the stack
  anchorage.swarm.stack:
    name: demo
    state: absent
"""

RETURN = r"""
services:
  description: What happened to each service, in name order.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The service's full name.
      type: str
      sample: demo_web
    action:
      description: V(create), V(update), V(unchanged) or V(remove).
      type: str
      sample: update
    changes:
      description: The paths of the Engine spec fields that change.
      type: list
      elements: str
      sample: ["TaskTemplate.ContainerSpec.Image"]
    progress:
      description:
        - After waiting, how far the service came; null when it was not waited for.
        - C(desired), C(running), C(updated) and C(completed) count tasks; C(update_state) is the Engine's
          update state; C(rolled_back) is true when the Engine rolled the update back.
      type: dict
      sample: {"desired": 3, "running": 3, "updated": 3, "completed": 0, "update_state": "completed",
               "rolled_back": false, "converged": true}
networks:
  description: Network names created and removed.
  returned: always
  type: dict
  sample: {"created": ["demo_backend"], "removed": []}
secrets:
  description: Secret names created and removed (never their content).
  returned: always
  type: dict
  sample: {"created": ["demo_db_password-3f2a9c1e0b7d"], "removed": ["demo_db_password-8e1c0a44f2b9"]}
configs:
  description: Config names created and removed.
  returned: always
  type: dict
  sample: {"created": [], "removed": []}
rolled_back_objects:
  description: After a failed run, the objects this run had created and removed again (V(<kind> <name>)).
  returned: on failure, when the run had created objects
  type: list
  elements: str
  sample: ["service demo_web", "secret demo_token-3f2a9c1e0b7d", "network demo_default"]
  version_added: 0.2.0
rolled_back:
  description: Services whose update the Engine rolled back.
  returned: always
  type: list
  elements: str
  sample: []
"""

import json
import os
import re
import time

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.anchorage.swarm.plugins.module_utils._compose import (
    IMAGE_LABEL, NAMESPACE_LABEL, ComposeError, convert, load, read_env_files, with_digest)
from ansible_collections.anchorage.swarm.plugins.module_utils._compose_yaml import (
    HAS_YAML, YAML_IMPORT_ERROR, ComposeYAMLError, parse_yaml)
from ansible_collections.anchorage.swarm.plugins.module_utils._stack import (
    TASK_STATES, comparable, option_problems, plan_services, progress_line, rollout, stale_objects)
from ansible_collections.anchorage.swarm.plugins.module_utils._docker_api import engine_argument_spec
from ansible_collections.anchorage.swarm.plugins.module_utils._stack_engine import EngineError, StackEngine

POLL = 2
# Task states in which a task holds, or is about to hold, a container.
LIVE_STATES = TASK_STATES[:TASK_STATES.index('running') + 1]


ENV_PATH = 'TaskTemplate.ContainerSpec.Env'
MASKED = '<masked>'
MASKED_CHANGED = '<masked, changed>'


def _env_dict(entries):
    result = {}
    for entry in entries or []:
        key, sep, value = str(entry).partition('=')
        result[key] = value if sep else None
    return result


def _masked_env(entries, other):
    """ENTRIES (KEY=VALUE strings) with every value masked; a key whose value differs from OTHER's (the other side
    of the diff) is marked changed, so the diff shows which variable changed without showing any value."""
    mine, theirs = _env_dict(entries), _env_dict(other)
    return ['%s=%s' % (key, MASKED_CHANGED if key in theirs and theirs[key] != value else MASKED)
            for key, value in mine.items()]


def mask_diff(before, after):
    """BEFORE and AFTER (path -> value) with environment values masked: they carry passwords and tokens."""
    before, after = dict(before), dict(after)
    old, new = before.get(ENV_PATH), after.get(ENV_PATH)
    if ENV_PATH in before:
        before[ENV_PATH] = _masked_env(old, new)
    if ENV_PATH in after:
        after[ENV_PATH] = _masked_env(new, old)
    return before, after


def check_specs(services):
    """Refuse, before anything is sent, what the Engine would refuse in a service spec only after the stack's
    networks, secrets and configs were created: bad port numbers and protocols, a published port given twice,
    relative or duplicate mount targets, a relative bind source. SERVICES maps a compose key to its spec."""
    for key in sorted(services):
        spec = services[key]
        published = {}
        for port in (spec.get('EndpointSpec') or {}).get('Ports') or []:
            protocol = port.get('Protocol') or 'tcp'
            if protocol not in ('tcp', 'udp', 'sctp'):
                raise ComposeError('services.%s.ports: protocol %s is not tcp, udp or sctp; fix the port\'s protocol'
                                   % (key, protocol))
            for field in ('TargetPort', 'PublishedPort'):
                number = port.get(field)
                if number is None and field == 'PublishedPort':
                    continue
                if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 65535:
                    raise ComposeError('services.%s.ports: %s %s is not a port number from 1 to 65535; fix the port'
                                       % (key, 'target' if field == 'TargetPort' else 'published', number))
            if port.get('PublishedPort'):
                what = (port['PublishedPort'], protocol)
                if what in published:
                    raise ComposeError('services.%s.ports: published port %d/%s is given twice (targets %s and %s); '
                                       'publish each port once' % (key, what[0], protocol, published[what],
                                                                   port.get('TargetPort')))
                published[what] = port.get('TargetPort')
        targets = set()
        for mount in (spec.get('TaskTemplate') or {}).get('ContainerSpec', {}).get('Mounts') or []:
            target = mount.get('Target') or ''
            # The Engine's swarm executor rejects every task of such a service ("invalid mount target, must be an
            # absolute path"), except for a Windows named pipe.
            if not target.startswith('/') and mount.get('Type') != 'npipe':
                raise ComposeError('services.%s.volumes: mount target %r is not an absolute path (the Engine rejects '
                                   'every task: invalid mount target); give the path in the container, starting '
                                   'with /' % (key, target))
            if target in targets:
                raise ComposeError('services.%s.volumes: mount target %s is given twice; mount each path once'
                                   % (key, target))
            targets.add(target)
            if mount.get('Type') == 'bind' and not (mount.get('Source') or '').startswith('/'):
                raise ComposeError('services.%s.volumes: bind source %r of %s is not an absolute path; give an '
                                   'absolute path on the node (or set project_dir)' % (key, mount.get('Source'), target))


def _diff_text(values):
    return ''.join('%s: %s\n' % (path, json.dumps(value, sort_keys=True)) for path, value in sorted(values.items()))


class Stack(object):
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.name = self.params['name']
        self.engine = None
        self.result = {'changed': False, 'services': [], 'rolled_back': [],
                       'networks': {'created': [], 'removed': []},
                       'secrets': {'created': [], 'removed': []},
                       'configs': {'created': [], 'removed': []}}
        self.diffs = []
        self.created = []  # (kind, name, id) of each object this run created, in order
        self.touched = []

    def warn(self, text):
        """module.warn with the no_log values masked: Ansible masks them in results and messages, not warnings."""
        for value in sorted(self.module.no_log_values, key=len, reverse=True):
            if value and value in text:
                text = text.replace(value, '********')
        self.module.warn(text)

    # Input -------------------------------------------------------------------------------------------------
    def _read_compose(self):
        files = []
        working_dir = self.params['project_dir']
        for index, item in enumerate(self.params['compose'] or []):
            if isinstance(item, dict):
                files.append(('compose[%d]' % index, item))
                continue
            if not isinstance(item, str):
                raise ComposeError('compose[%d]: give a path or a dict, not %s' % (index, type(item).__name__))
            path = os.path.abspath(item)
            working_dir = working_dir or os.path.dirname(path)
            try:
                with open(path, 'rb') as handle:
                    data = handle.read()
            except (IOError, OSError) as exc:
                raise ComposeError('compose[%d]: cannot read %s: %s' % (index, path, exc.strerror or exc))
            if not HAS_YAML:
                self.module.fail_json(msg=missing_required_lib('PyYAML'), exception=YAML_IMPORT_ERROR)
            try:
                files.append((path, parse_yaml(data, path)))
            except ComposeYAMLError as exc:
                raise ComposeError('malformed YAML: %s' % exc)
        return files, working_dir or os.getcwd()

    def _variables(self, working_dir):
        """Interpolation values: env files in order (later wins), then variables, which win over every file."""
        paths = [p if os.path.isabs(p) else os.path.join(working_dir, p) for p in self.params['env_files'] or []]
        if self.params['dot_env']:
            dot_env = os.path.join(working_dir, '.env')
            if os.path.exists(dot_env):
                paths.insert(0, dot_env)
        variables = read_env_files(paths)
        variables.update((k, v) for k, v in (self.params['variables'] or {}).items())
        return variables

    def _desired(self):
        files, working_dir = self._read_compose()
        variables = self._variables(working_dir)
        # "~" in a bind source is HOME, as the CLI takes it from its environment: from variables, else the module's.
        home = variables.get('HOME') or os.environ.get('HOME')
        config, warnings = load(files, variables, working_dir=working_dir, home=home)
        desired = convert(self.name, config, variables, working_dir=working_dir)
        check_specs(desired['services'])
        for warning in warnings + desired['warnings']:
            self.warn(warning)
        return desired

    # Observation -------------------------------------------------------------------------------------------
    def _connect(self):
        self.engine = StackEngine(self.params, warn=self.warn)
        manager, state = self.engine.manager_state()
        if not manager:
            raise EngineError('this node is not a swarm manager (its swarm state is %s); run the task on a manager' % state)

    def _check_externals(self, desired):
        networks = self.engine.networks()
        by_name = dict((n['Name'], n) for n in networks)
        for name in desired['external_networks']:
            if name in ('host', 'bridge', 'none'):
                continue
            if name not in by_name:
                raise ComposeError('networks: %s is declared external but does not exist; create a swarm-scoped network '
                                   '(docker network create --driver overlay %s) before the stack is deployed' % (name, name))
            if by_name[name].get('Scope') != 'swarm':
                raise ComposeError('networks: %s is declared external but its scope is %s, not swarm'
                                   % (name, by_name[name].get('Scope')))
        for kind in ('secrets', 'configs'):
            names = set((o.get('Spec') or {}).get('Name') for o in self.engine.file_objects(kind))
            for key, obj in desired[kind].items():
                if obj['external'] and obj['name'] not in names:
                    raise ComposeError('%s.%s: external %s %s does not exist; create it first (docker %s create)'
                                       % (kind, key, kind[:-1], obj['name'], kind[:-1]))
        return dict((n['Id'], n['Name']) for n in networks)

    def _resolve_images(self, desired, observed):
        """Pin each service's image as the CLI does (name:tag@digest plus platforms), per resolve_image."""
        mode = self.params['resolve_image']
        for spec in desired['services'].values():
            task = spec['TaskTemplate']
            current = observed.get(spec['Name'])
            current_spec = (current or {}).get('Spec') or {}
            same_reference = current is not None and (current_spec.get('Labels') or {}).get(IMAGE_LABEL) == spec['Labels'][IMAGE_LABEL]
            if mode == 'never' or (mode == 'changed' and same_reference):
                if same_reference:
                    self._keep_current_image(task, current_spec)
                continue
            try:
                # Credentials go to the registry query only with with_registry_auth, as with the CLI (where the
                # Engine resolves the image with the X-Registry-Auth the CLI sends only with --with-registry-auth).
                digest, platforms = self.engine.distribution(task['ContainerSpec']['Image'],
                                                             with_auth=self.params['with_registry_auth'])
            except EngineError as exc:
                if same_reference:
                    self.warn('%s: %s; keeping the image the service runs' % (spec['Name'], exc))
                    self._keep_current_image(task, current_spec)
                else:
                    self.warn('image %s could not be accessed on a registry to record its digest (%s). Each node '
                              'will access it independently, possibly leading to different nodes running '
                              'different versions of the image.' % (task['ContainerSpec']['Image'], exc))
                continue
            if digest:
                task['ContainerSpec']['Image'] = with_digest(task['ContainerSpec']['Image'], digest)
            if platforms:
                task['Placement']['Platforms'] = platforms

    @staticmethod
    def _keep_current_image(task, current_spec):
        current_task = current_spec.get('TaskTemplate') or {}
        task['ContainerSpec']['Image'] = (current_task.get('ContainerSpec') or {}).get('Image')
        platforms = (current_task.get('Placement') or {}).get('Platforms')
        if platforms:
            task['Placement']['Platforms'] = platforms

    def _observe(self):
        services = dict((s['Spec']['Name'], s) for s in self.engine.services(self.name))
        return services

    # Actions -----------------------------------------------------------------------------------------------
    def present(self):
        if not self.params['compose']:
            raise ComposeError('compose: give at least one compose file or definition when state is present')
        desired = self._desired()
        self._connect()
        network_names = self._check_externals(desired)
        observed = self._observe()
        self._resolve_images(desired, observed)

        # Networks: created when missing; an existing one is never changed (swarm cannot), as with the CLI.
        stack_filter = {'label': '%s=%s' % (NAMESPACE_LABEL, self.name)}
        existing_networks = dict((n['Name'], n) for n in self.engine.networks(**stack_filter))
        all_networks = set(network_names.values())
        new_networks = [n for n in sorted(desired['networks']) if n not in all_networks]
        stale_networks = sorted(set(existing_networks) - set(desired['networks'])) if self.params['prune'] else []

        # Secrets and configs: created when no object has the digest name yet.
        new_objects, stale = {}, {}
        for kind in ('secrets', 'configs'):
            existing = [{'name': o['Spec']['Name'], 'labels': o['Spec'].get('Labels') or {}, 'id': o['ID']}
                        for o in self.engine.file_objects(kind)]
            names = set(o['name'] for o in existing)
            wanted = [o for o in desired[kind].values() if not o['external']]
            new_objects[kind] = [o for o in wanted if o['name'] not in names]
            stale[kind] = [o for o in existing if o['name'] in stale_objects(existing, set(o['name'] for o in wanted), self.name)]

        wanted_specs = dict((spec['Name'], spec) for spec in desired['services'].values())
        desired_cmp = dict((name, comparable(spec)) for name, spec in wanted_specs.items())
        observed_cmp = dict((name, comparable(svc['Spec'], network_names)) for name, svc in observed.items())
        steps = plan_services(desired_cmp, observed_cmp, self.params['prune'])

        self.result['networks']['created'] = new_networks
        self.result['networks']['removed'] = stale_networks
        for kind in ('secrets', 'configs'):
            self.result[kind]['created'] = sorted(o['name'] for o in new_objects[kind])
            self.result[kind]['removed'] = sorted(o['name'] for o in stale[kind])
        for step in steps:
            self.result['services'].append({'name': step['name'], 'action': step['action'],
                                            'changes': sorted(set(step['before']) | set(step['after']))
                                            if step['action'] == 'update' else [], 'progress': None})
            if step['action'] != 'unchanged':
                before, after = mask_diff(step['before'], step['after'])
                self.diffs.append({'before_header': '%s (%s)' % (step['name'], step['action']), 'after_header': step['name'],
                                   'before': _diff_text(before), 'after': _diff_text(after)})
        self.result['changed'] = bool(new_networks or stale_networks or any(step['action'] != 'unchanged' for step in steps)
                                      or any(new_objects.values()) or any(stale.values()))
        if self.module.check_mode:
            return

        try:
            self._change(desired, new_networks, new_objects, steps, wanted_specs, observed)
        except EngineError as exc:
            raise EngineError('%s%s' % (exc, self._roll_back()), exc.status)
        if self.params['wait'] and self.touched:
            self._wait(self.touched)
        for kind in ('secrets', 'configs'):
            for obj in stale[kind]:
                self._remove_if_unused(kind, obj)
        if stale_networks:
            self._remove_networks([existing_networks[n] for n in stale_networks])

    def _change(self, desired, new_networks, new_objects, steps, wanted_specs, observed):
        """Create the networks, secrets and configs, then create, update and remove the services; what this run
        created is recorded in self.created, for _roll_back()."""
        for name in new_networks:
            created = self.engine.create_network(desired['networks'][name])
            self.created.append(('network', name, created.get('Id') or created.get('ID') or name))
        for kind in ('secrets', 'configs'):
            for obj in new_objects[kind]:
                object_id = self.engine.create_file_object(kind, obj)
                self.created.append((kind[:-1], obj['name'], object_id or obj['name']))
        ids = dict((o['Spec']['Name'], o['ID']) for kind in ('secrets', 'configs') for o in self.engine.file_objects(kind))
        touched = self.touched
        for step in steps:
            if step['action'] in ('create', 'update'):
                spec = wanted_specs[step['name']]
                container = spec['TaskTemplate']['ContainerSpec']
                for ref in container['Secrets']:
                    ref['SecretID'] = ids.get(ref['SecretName'], '')
                for ref in container['Configs']:
                    ref['ConfigID'] = ids.get(ref['ConfigName'], '')
                auth = self.engine.registry_auth(container['Image']) if self.params['with_registry_auth'] else None
                if step['action'] == 'create':
                    created = self.engine.create_service(spec, auth)
                    self.created.append(('service', step['name'], created.get('ID') or step['name']))
                else:
                    current = observed[step['name']]
                    # Stack deploy has no --force: keep the counter, or every task would restart.
                    spec['TaskTemplate']['ForceUpdate'] = current['Spec']['TaskTemplate'].get('ForceUpdate', 0)
                    self.engine.update_service(current, spec, auth)
                touched.append(step['name'])
            elif step['action'] == 'remove':
                self.engine.remove_service(observed[step['name']]['ID'])

    def _roll_back(self):
        """Remove what this run created (services first, then secrets, configs and networks, newest first), never
        what existed before it; the text to add to the failure message."""
        if not self.created:
            return '; nothing had been created, nothing was rolled back'
        removed, kept = [], []
        remove = {'service': self.engine.remove_service, 'network': self.engine.remove_network,
                  'secret': lambda i: self.engine.remove_file_object('secrets', i),
                  'config': lambda i: self.engine.remove_file_object('configs', i)}
        order = {'service': 0, 'secret': 1, 'config': 1, 'network': 2}
        for kind, name, object_id in sorted(reversed(self.created), key=lambda c: order[c[0]]):
            try:
                remove[kind](object_id)
                removed.append('%s %s' % (kind, name))
            except EngineError as exc:
                kept.append('%s %s (%s)' % (kind, name, exc))
        self.result['rolled_back_objects'] = removed
        for kind, name, dummy in self.created:
            key = kind + 's'
            if kind != 'service' and name in self.result[key]['created'] and '%s %s' % (kind, name) in removed:
                self.result[key]['created'].remove(name)
        text = '; rolled back what this run had created: %s' % ', '.join(removed) if removed else ''
        if kept:
            text += '; could not remove %s: remove them by hand' % ', '.join(kept)
        return text

    def _remove_if_unused(self, kind, obj):
        try:
            self.engine.remove_file_object(kind, obj['id'])
        except EngineError as exc:
            if exc.status in (400, 409) or 'in use' in str(exc):
                # A service that did not move (a failed or unwaited update) still uses it: keep it for now.
                self.warn('%s %s is still in use, kept: %s' % (kind[:-1], obj['name'], exc))
                self.result[kind]['removed'].remove(obj['name'])
            elif exc.status != 404:
                raise

    def _remove_networks(self, networks):
        """Remove NETWORKS and wait until no node lists them: a node keeps its local copy of an overlay network
        until the containers of the removed tasks are gone, and `docker network ls` shows it until then."""
        deadline = time.time() + self.params['wait_timeout']
        pending = list(networks)
        while pending:
            left = []
            for net in pending:
                try:
                    self.engine.remove_network(net['Id'])
                except EngineError as exc:
                    if exc.status == 404:
                        continue
                    # Tasks of removed services still hold endpoints for a moment.
                    if time.time() > deadline:
                        raise EngineError('network %s is still in use after %ds: %s'
                                          % (net['Name'], self.params['wait_timeout'], exc))
                    left.append(net)
            pending = left
            if pending:
                time.sleep(POLL)
        names = set(net['Name'] for net in networks)
        while names & set(n['Name'] for n in self.engine.networks(label='%s=%s' % (NAMESPACE_LABEL, self.name))):
            if time.time() > deadline:
                raise EngineError('networks %s are still listed after %ds' % (', '.join(sorted(names)), self.params['wait_timeout']))
            time.sleep(POLL)

    def _wait(self, names):
        deadline = time.time() + self.params['wait_timeout']
        progress = {}
        while True:
            nodes = self.engine.nodes()
            services = self._observe()
            for name in names:
                service = services.get(name)
                if service is None:
                    raise EngineError('service %s disappeared while waiting for it' % name)
                progress[name] = rollout(service, self.engine.tasks(service_id=service['ID']), nodes)
            if all(p['converged'] or p['failed'] or p['rolled_back'] for p in progress.values()) or time.time() > deadline:
                break
            time.sleep(POLL)
        for entry in self.result['services']:
            if entry['name'] in progress:
                entry['progress'] = dict((k, v) for k, v in progress[entry['name']].items() if k != 'name')
        self.result['rolled_back'] = sorted(n for n, p in progress.items() if p['rolled_back'])
        bad = [p for p in progress.values() if not p['converged']]
        if bad:
            why = 'rolled back' if all(p['rolled_back'] for p in bad) else (
                'paused' if any(p['failed'] for p in bad) else 'not converged after %ds' % self.params['wait_timeout'])
            raise EngineError('%s: %s' % (why, '; '.join(progress_line(p) for p in sorted(bad, key=lambda p: p['name']))))

    def absent(self):
        self._connect()
        observed = self._observe()
        stack_filter = {'label': '%s=%s' % (NAMESPACE_LABEL, self.name)}
        networks = self.engine.networks(**stack_filter)
        secrets = self.engine.secrets(**stack_filter)
        configs = self.engine.configs(**stack_filter)
        for name in sorted(observed):
            self.result['services'].append({'name': name, 'action': 'remove', 'changes': [], 'progress': None})
            self.diffs.append({'before_header': '%s (remove)' % name, 'after_header': name,
                               'before': 'Name: %s\n' % name, 'after': ''})
        self.result['networks']['removed'] = sorted(n['Name'] for n in networks)
        self.result['secrets']['removed'] = sorted(s['Spec']['Name'] for s in secrets)
        self.result['configs']['removed'] = sorted(c['Spec']['Name'] for c in configs)
        self.result['changed'] = bool(observed or networks or secrets or configs)
        if self.module.check_mode or not self.result['changed']:
            return
        for service in observed.values():
            self.engine.remove_service(service['ID'])
        # Secrets, configs and networks are released when no task holds a container any more. (Tasks that ended
        # stay listed: the Engine keeps completed job tasks even after their service is gone.)
        deadline = time.time() + self.params['wait_timeout']
        while any((t.get('Status') or {}).get('State') in LIVE_STATES for t in self.engine.tasks(stack=self.name)):
            if time.time() > deadline:
                raise EngineError('tasks of the stack still run %ds after its services were removed' % self.params['wait_timeout'])
            time.sleep(POLL)
        for kind, objects in (('secrets', secrets), ('configs', configs)):
            for obj in objects:
                self._remove_if_unused(kind, {'id': obj['ID'], 'name': obj['Spec']['Name']})
        self._remove_networks(networks)

    def invocation(self):
        """The module's arguments as -vvv shows them, with no value of variables (no_log) in them."""
        params = dict(self.params)
        params['variables'] = dict((key, 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER') for key in params.get('variables') or {})
        return {'module_args': params}

    def run(self):
        self.result['invocation'] = self.invocation()
        state = self.params['state']
        action = {'present': self.present, 'absent': self.absent}[state]
        problems = option_problems(self.params)
        if problems:
            self.module.fail_json(msg='Cannot %s stack %s: %s' % ('deploy' if state == 'present' else 'remove',
                                                                  self.name, '; '.join(problems)), **self.result)
        try:
            action()
        except ComposeError as exc:
            self.module.fail_json(msg='Cannot deploy stack %s: %s' % (self.name, exc), **self.result)
        except EngineError as exc:
            self.module.fail_json(msg='Cannot %s stack %s: %s' % ('deploy' if state == 'present' else 'remove', self.name, exc),
                                  **self.result)
        if self.module._diff:
            self.result['diff'] = self.diffs
        self.module.exit_json(**self.result)


def main():
    module = AnsibleModule(
        argument_spec=engine_argument_spec(
            name=dict(type='str', required=True),
            state=dict(type='str', default='present', choices=['present', 'absent']),
            compose=dict(type='list', elements='raw'),
            project_dir=dict(type='path'),
            variables=dict(type='dict', default={}, no_log=True),
            env_files=dict(type='list', elements='path', default=[]),
            dot_env=dict(type='bool', default=False),
            prune=dict(type='bool', default=False),
            resolve_image=dict(type='str', default='always', choices=['always', 'changed', 'never']),
            with_registry_auth=dict(type='bool', default=False),
            wait=dict(type='bool', default=True),
            wait_timeout=dict(type='int', default=300),
        ),
        required_if=[('state', 'present', ('compose',))],
        supports_check_mode=True,
    )
    _narrow_no_log(module)
    Stack(module).run()


SECRET_NAME = re.compile(r'PASSWORD|PASSWD|PASS$|TOKEN|SECRET|KEY|CREDENTIAL|AUTH', re.I)


def _narrow_no_log(module):
    """variables is no_log, so Ansible masks each of its values wherever it appears in the output - a TAG of "2"
    or a replica count of "3" would mask every 2 and 3 of the result. The invocation still hides every value
    (see Stack.invocation()); Ansible's masking everywhere is kept for the values of secret-looking names only."""
    variables = module.params.get('variables') or {}
    secret = set(str(v) for k, v in variables.items() if SECRET_NAME.search(str(k)))
    module.no_log_values.difference_update(set(str(v) for v in variables.values()) - secret)


if __name__ == '__main__':
    main()
