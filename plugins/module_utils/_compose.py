# -*- coding: utf-8 -*-
# Copyright: Anchorage developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Compose files to swarm objects, exactly as `docker stack deploy` makes them (pure functions, no Engine calls).

load() (in _compose_loader) reads one or more compose files the way docker/cli's cli/compose/loader does, to the
typed config `docker stack config` prints. convert() turns that into the Engine API objects that
cli/compose/convert builds: services named <stack>_<service> with the labels com.docker.stack.namespace and
com.docker.stack.image, networks <stack>_<name>, and the same defaults, orderings and normalisations, so a service
this collection deploys and one `docker stack deploy` deploys from the same file have equal specs.

Where this file differs from the CLI on purpose (each is documented in the stack module):
- an undefined ${VAR} without a default is an error, not a blank with a warning;
- secrets and configs that the stack creates are named <name>-<digest of their content>, so that a changed file
  makes a new object, onto which the services roll (the CLI updates the object in place, which swarm refuses).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os
import re

# load() and ComposeError live in the loader; they are re-exported here, the one module callers import.
from ansible_collections.anchorage.swarm.plugins.module_utils._compose_loader import (  # noqa: F401, pylint: disable=unused-import
    DEPRECATED, FORBIDDEN, UNSUPPORTED, ComposeError, _read_file, interpolate, interpolate_string, load, parse_env_lines, read_env_files, shlex_split,
)

NAMESPACE_LABEL = 'com.docker.stack.namespace'
IMAGE_LABEL = 'com.docker.stack.image'
# Networks every node has; services can attach to them but they take no aliases.
PREDEFINED_NETWORKS = ('host', 'bridge', 'none', 'default')


# ---------------------------------------------------------------------------------------------------------------
# Values: durations, sizes, CPUs, image references, ports, volumes

_DURATION_PART = re.compile(r'(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|ms|s|m|h)')
_DURATION_UNITS = {'ns': 1, 'us': 1000, u'\u00b5s': 1000, 'ms': 10 ** 6, 's': 10 ** 9, 'm': 60 * 10 ** 9, 'h': 3600 * 10 ** 9}


def parse_duration(value, where):
    """A Go duration string ("1m30s") in nanoseconds."""
    text = str(value).strip()
    if text in ('0', ''):
        return 0
    sign = -1 if text.startswith('-') else 1
    body = text.lstrip('+-')
    pos = 0
    total = 0.0
    for match in _DURATION_PART.finditer(body):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _DURATION_UNITS[match.group(2)]
        pos = match.end()
    if pos != len(body) or pos == 0:
        raise ComposeError('%s: %r is not a duration (write it like 10s, 1m30s or 500ms)' % (where, value))
    return sign * int(round(total))


_SIZE = re.compile(r'^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$')


def parse_size(value, where):
    """Bytes from 512M, 1g, 2GiB or a number (docker/go-units RAMInBytes: binary multiples)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    match = _SIZE.match(str(value).strip())
    if not match:
        raise ComposeError('%s: %r is not a size (write it like 512M or 1G)' % (where, value))
    unit = (match.group(2) or '').lower()
    try:
        number = float(match.group(1))
    except ValueError:
        raise ComposeError('%s: %r is not a size (write it like 512M or 1G)' % (where, value))
    return int(number * 1024 ** ('kmgtp'.index(unit) + 1 if unit else 0))


def parse_cpus(value, where):
    """NanoCPUs from "0.5" (opts.ParseCPUs)."""
    try:
        nano = round(float(str(value)) * 1e9)
    except ValueError:
        raise ComposeError('%s: %r is not a number of CPUs (write it like 0.5)' % (where, value))
    if nano < 0:
        raise ComposeError('%s: the number of CPUs cannot be negative' % where)
    return int(nano)


# distribution/reference's grammar.
_DOMAIN_COMPONENT = r'(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
_DOMAIN = r'(?:%s(?:\.%s)*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?' % (_DOMAIN_COMPONENT, _DOMAIN_COMPONENT)
_PATH_COMPONENT = r'[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*'
_REFERENCE = re.compile(r'^(?P<name>(?:(?P<domain>%s)/)?%s(?:/%s)*)(?::(?P<tag>[\w][\w.-]{0,127}))?'
                        r'(?:@(?P<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$'
                        % (_DOMAIN, _PATH_COMPONENT, _PATH_COMPONENT))


def parse_image(image, where):
    """Split an image reference into (familiar name, tag, digest); raise ComposeError when it is not valid."""
    if not isinstance(image, str) or not image:
        raise ComposeError('%s: no image specified' % where)
    match = _REFERENCE.match(image)
    if not match or len(match.group('name')) > 255:
        raise ComposeError('%s: invalid image reference %r (write it like registry.example.com:5000/app:1.2)' % (where, image))
    name = match.group('name')
    first = name.split('/', 1)[0]
    if '/' in name and ('.' in first or ':' in first or first == 'localhost' or first.lower() != first):
        domain, rest = name.split('/', 1)
    else:
        if name.lower() != name:
            raise ComposeError('%s: invalid image reference %r: repository names must be lowercase' % (where, image))
        domain, rest = 'docker.io', name
    if domain in ('docker.io', 'index.docker.io'):
        familiar = rest[len('library/'):] if rest.startswith('library/') and rest.count('/') == 1 else rest
    else:
        familiar = '%s/%s' % (domain, rest)
    return familiar, match.group('tag'), match.group('digest')


def tagged_image(image, where='image'):
    """The image as the Engine client sends it: familiar name with ":latest" when no tag nor digest is given."""
    familiar, tag, digest = parse_image(image, where)
    if digest:
        return '%s%s@%s' % (familiar, ':' + tag if tag else '', digest)
    return '%s:%s' % (familiar, tag or 'latest')


def with_digest(image, digest):
    """IMAGE pinned to DIGEST as `docker stack deploy --resolve-image` pins it (name:tag@sha256:...)."""
    familiar, tag, old = parse_image(image, 'image')
    if old:
        return image
    return '%s:%s@%s' % (familiar, tag or 'latest', digest)


def _port_range(text, where):
    start, _sep, end = text.partition('-')
    try:
        first = int(start)
        last = int(end) if end else first
    except ValueError:
        raise ComposeError('%s: %r is not a port or port range' % (where, text))
    if not (0 <= first <= 65535 and first <= last <= 65535):
        raise ComposeError('%s: port %r is out of range' % (where, text))
    return list(range(first, last + 1))


def parse_port(entry, where, warnings):
    """Short port syntax ("8080:80", "80", "9000-9001:90-91/udp", "127.0.0.1:53:53/udp") to PortConfigs."""
    text = str(entry)
    text, _sep, proto = text.partition('/')
    proto = proto or 'tcp'
    parts = text.rsplit(':', 2)
    if len(parts) == 3:
        host_ip, published, target = parts
        if host_ip.strip('[]') not in ('', '0.0.0.0', '::'):
            warnings.append('%s: ignoring IP-address (%s) service will listen on 0.0.0.0' % (where, host_ip))
    elif len(parts) == 2:
        published, target = parts
    else:
        published, target = '', parts[0]
    targets = _port_range(target, where)
    published_ports = _port_range(published, where) if published else []
    if published_ports and len(published_ports) != len(targets):
        if len(targets) != 1:
            raise ComposeError('%s: the published and target port ranges differ in size' % where)
        # One target port published on each port of the range, as the CLI does.
        targets = targets * len(published_ports)
    result = []
    for index, port in enumerate(targets):
        config = {'Protocol': proto, 'TargetPort': port, 'PublishMode': 'ingress'}
        if published_ports:
            config['PublishedPort'] = published_ports[index]
        result.append(config)
    return result


_PROPAGATIONS = ('rprivate', 'private', 'rshared', 'shared', 'rslave', 'slave')


def parse_volume(entry, where):
    """Short volume syntax ("data:/var/lib/x:ro", "./conf:/etc/x", "/cache") to the long form (volumespec.Parse)."""
    parts = str(entry).split(':')
    if len(parts) > 3 or '' in parts:
        raise ComposeError('%s: invalid volume specification %r (write SOURCE:TARGET[:MODE])' % (where, entry))
    result = {}
    if len(parts) == 1:
        return {'type': 'volume', 'target': parts[0]}
    source, target = parts[0], parts[1]
    result['source'] = source
    result['target'] = target
    result['type'] = 'bind' if source.startswith(('/', '.', '~')) or (len(source) > 1 and source[1] == ':') else 'volume'
    if len(parts) == 3:
        for option in parts[2].split(','):
            if option == 'ro':
                result['read_only'] = True
            elif option == 'rw':
                result['read_only'] = False
            elif option == 'nocopy':
                result.setdefault('volume', {})['nocopy'] = True
            elif option in _PROPAGATIONS:
                result.setdefault('bind', {})['propagation'] = option
            # volumespec.Parse ignores any other option (z, Z, cached, ...).
    return result


# ---------------------------------------------------------------------------------------------------------------
# Conversion (docker/cli cli/compose/convert)

def _mapping(value, sep='=', allow_none=False):
    """A list ("K=V") or mapping as a dict of strings; K without a value is None when ALLOW_NONE else ""."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return dict((str(k), None if v is None and allow_none else ('' if v is None else _str(v))) for k, v in value.items())
    result = {}
    for item in value:
        key, found, val = str(item).partition(sep)
        result[key] = val if found else (None if allow_none else '')
    return result


def _str(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)


def _shell(value):
    if value is None:
        return None
    if isinstance(value, str):
        return shlex_split(value)
    return [str(v) for v in value]


def _scope(stack, name):
    return '%s_%s' % (stack, name)


def _with_stack_label(stack, labels):
    result = dict(labels)
    result[NAMESPACE_LABEL] = stack
    return result


def content_digest(data):
    return hashlib.sha256(data).hexdigest()[:12]


def _file_objects(kind, stack, config, read_file, working_dir):
    """Top-level secrets or configs: {key: {'name', 'external', 'data', 'labels', ...}}."""
    result = {}
    for key, spec in (config.get(kind) or {}).items():
        spec = spec or {}
        external = spec.get('external')
        if isinstance(external, dict):
            result[key] = {'name': spec.get('name') or external.get('name') or key, 'external': True}
            continue
        if external:
            result[key] = {'name': spec.get('name') or key, 'external': True}
            continue
        base = spec.get('name') or _scope(stack, key)
        obj = {'external': False, 'labels': _with_stack_label(stack, _mapping(spec.get('labels'))), 'key': key}
        if spec.get('driver'):
            if spec.get('file'):
                raise ComposeError('%s.%s: driver and file conflict; only use driver' % (kind, key))
            obj['data'] = b''
            obj['driver'] = {'Name': spec['driver'], 'Options': _mapping(spec.get('driver_opts'))}
            obj['name'] = base
        else:
            # The loader makes a missing file the working folder itself, as the CLI's absPath(workingDir, "") does.
            if not spec.get('file') or os.path.normpath(spec['file']) == os.path.normpath(working_dir):
                raise ComposeError('%s.%s: give file (a path on the managed node), driver or external' % (kind, key))
            path = spec['file'] if os.path.isabs(spec['file']) else os.path.join(working_dir, spec['file'])
            try:
                obj['data'] = read_file(path)
            except (IOError, OSError) as exc:
                raise ComposeError('%s.%s.file: cannot read %s: %s' % (kind, key, path, exc.strerror or exc))
            # Swarm never changes an object's data: a new content is a new object, which services roll onto.
            obj['name'] = '%s-%s' % (base, content_digest(obj['data']))
            if len(obj['name']) > 64:
                raise ComposeError('%s.%s: the name %s is longer than 64 characters; give a shorter name' % (kind, key, obj['name']))
        if spec.get('template_driver'):
            obj['templating'] = {'Name': spec['template_driver']}
        result[key] = obj
    return result


def _file_refs(kind, refs, objects, where):
    result = []
    id_key, name_key = ('SecretID', 'SecretName') if kind == 'secrets' else ('ConfigID', 'ConfigName')
    for ref in refs or []:
        ref = {'source': ref} if isinstance(ref, str) else ref
        source = ref['source']
        if source not in objects:
            raise ComposeError('%s.%s: undefined %s %r: define it under the top-level %s key (file: or external: true)'
                               % (where, kind, kind[:-1], source, kind))
        mode = ref.get('mode')
        result.append({
            'File': {'Name': ref.get('target') or source, 'UID': str(ref.get('uid') or '0'),
                     'GID': str(ref.get('gid') or '0'), 'Mode': 0o444 if mode is None else int(mode)},
            id_key: '',
            name_key: objects[source]['name'],
        })
    return sorted(result, key=lambda r: r[name_key])


def _mounts(volumes, top_volumes, stack, working_dir, where):
    mounts = []
    for index, entry in enumerate(volumes or []):
        spot = '%s.volumes[%d]' % (where, index)
        vol = parse_volume(entry, spot) if isinstance(entry, str) else dict(entry)
        kind = vol.get('type') or 'volume'
        mount = {'Type': kind, 'Target': vol.get('target'), 'ReadOnly': bool(vol.get('read_only')),
                 'Source': vol.get('source') or '', 'Consistency': vol.get('consistency') or ''}
        if kind == 'volume':
            if vol.get('bind') or vol.get('tmpfs'):
                raise ComposeError('%s: bind and tmpfs options are incompatible with type volume' % spot)
            if mount['Source']:
                if mount['Source'] not in top_volumes:
                    raise ComposeError('%s: undefined volume %r: define it under the top-level volumes key'
                                       % (spot, mount['Source']))
                top = top_volumes[mount['Source']] or {}
                options = {'NoCopy': bool((vol.get('volume') or {}).get('nocopy'))}
                external = top.get('external')
                name = top.get('name') or (external.get('name') if isinstance(external, dict) else None)
                mount['Source'] = name or (mount['Source'] if external else _scope(stack, mount['Source']))
                if not external:
                    options['Labels'] = _with_stack_label(stack, _mapping(top.get('labels')))
                    if top.get('driver') or top.get('driver_opts') is not None:
                        options['DriverConfig'] = {'Name': top.get('driver') or '', 'Options': _mapping(top.get('driver_opts'))}
                mount['VolumeOptions'] = options
        elif kind == 'bind':
            if not mount['Source']:
                raise ComposeError('%s: a bind mount needs a source' % spot)
            source = mount['Source']
            if not source.startswith('/'):
                source = os.path.normpath(os.path.join(working_dir, os.path.expanduser(source)))
            mount['Source'] = source
            if vol.get('bind'):
                mount['BindOptions'] = {'Propagation': vol['bind'].get('propagation') or ''}
        elif kind == 'tmpfs':
            if mount['Source']:
                raise ComposeError('%s: a tmpfs mount takes no source' % spot)
            if vol.get('tmpfs'):
                size = vol['tmpfs'].get('size')
                mount['TmpfsOptions'] = {'SizeBytes': parse_size(size, spot + '.tmpfs.size') if size is not None else 0}
        elif kind != 'npipe':
            raise ComposeError('%s: unknown volume type %r (use volume, bind or tmpfs)' % (spot, kind))
        mounts.append(mount)
    return mounts


def _caps(add, drop):
    """opts.EffectiveCapAddCapDrop: upper case, CAP_ prefix, ALL wins, a cap both added and dropped is added."""
    def normalize(caps):
        result = set()
        for cap in caps or []:
            cap = cap.strip().upper()
            if cap not in ('ALL', 'RESET') and not cap.startswith('CAP_'):
                cap = 'CAP_' + cap
            result.add(cap)
        return set(['ALL']) if 'ALL' in result else result
    add, drop = normalize(add), normalize(drop)
    # RESET only means something to `docker service update`: the CLI leaves it out.
    return sorted(add - set(['RESET'])), sorted(drop - add - set(['RESET']))


def _restart_policy(service, where):
    policy = (service.get('deploy') or {}).get('restart_policy')
    if policy is not None:
        result = {'Condition': policy.get('condition') or ''}
        if policy.get('delay') is not None:
            result['Delay'] = parse_duration(policy['delay'], where + '.deploy.restart_policy.delay')
        if policy.get('max_attempts') is not None:
            result['MaxAttempts'] = policy['max_attempts']
        if policy.get('window') is not None:
            result['Window'] = parse_duration(policy['window'], where + '.deploy.restart_policy.window')
        return result
    restart = service.get('restart')
    if not restart or restart == 'no':
        return None
    name, _sep, count = str(restart).partition(':')
    attempts = int(count) if count.isdigit() and int(count) > 0 else None
    if name in ('always', 'unless-stopped'):
        result = {'Condition': 'any'}
    elif name == 'on-failure':
        result = {'Condition': 'on-failure'}
    else:
        raise ComposeError('%s.restart: unknown policy %r (use no, always, on-failure or unless-stopped)' % (where, restart))
    if attempts:
        result['MaxAttempts'] = attempts
    return result


def _update_config(source, where):
    if source is None:
        return None
    result = {'Parallelism': 1 if source.get('parallelism') is None else source['parallelism']}
    if source.get('delay') is not None:
        result['Delay'] = parse_duration(source['delay'], where + '.delay')
    if source.get('failure_action'):
        result['FailureAction'] = source['failure_action']
    if source.get('monitor') is not None:
        result['Monitor'] = parse_duration(source['monitor'], where + '.monitor')
    if source.get('max_failure_ratio'):
        result['MaxFailureRatio'] = source['max_failure_ratio']
    if source.get('order'):
        result['Order'] = source['order']
    return result


def _healthcheck(check, where):
    if check is None:
        return None
    if check.get('disable'):
        if check.get('test'):
            raise ComposeError('%s.healthcheck: test and disable cannot be set at the same time' % where)
        return {'Test': ['NONE']}
    test = check.get('test')
    result = {'Test': ['CMD-SHELL', test] if isinstance(test, str) else test}
    for key, field in (('timeout', 'Timeout'), ('interval', 'Interval'), ('start_period', 'StartPeriod'),
                       ('start_interval', 'StartInterval')):
        if check.get(key) is not None:
            result[field] = parse_duration(check[key], '%s.healthcheck.%s' % (where, key))
    if check.get('retries') is not None:
        result['Retries'] = int(check['retries'])
    return result


def _resources(resources, where):
    result = {}
    for key, field in (('limits', 'Limits'), ('reservations', 'Reservations')):
        source = (resources or {}).get(key)
        if source is None:
            continue
        spot = '%s.deploy.resources.%s' % (where, key)
        entry = {}
        if source.get('cpus') not in (None, ''):
            entry['NanoCPUs'] = parse_cpus(source['cpus'], spot + '.cpus')
        if source.get('memory') is not None:
            entry['MemoryBytes'] = parse_size(source['memory'], spot + '.memory')
        if key == 'limits' and source.get('pids'):
            entry['Pids'] = source['pids']
        if key == 'reservations' and source.get('generic_resources'):
            entry['GenericResources'] = [
                {'DiscreteResourceSpec': {'Kind': g['discrete_resource_spec'].get('kind'),
                                          'Value': g['discrete_resource_spec'].get('value')}}
                for g in source['generic_resources'] if g.get('discrete_resource_spec')]
        result[field] = entry
    return result


def _mode(deploy, where):
    mode = deploy.get('mode') or 'replicated'
    replicas = deploy.get('replicas')
    if mode in ('global', 'global-job') and replicas is not None:
        raise ComposeError('%s.deploy.replicas: replicas can only be used with replicated or replicated-job mode' % where)
    if mode == 'global':
        return {'Global': {}}
    if mode == 'global-job':
        return {'GlobalJob': {}}
    if mode == 'replicated-job':
        # The Engine makes an unset count 1, and stores it so.
        count = 1 if replicas is None else replicas
        return {'ReplicatedJob': {'MaxConcurrent': count, 'TotalCompletions': count}}
    if mode == 'replicated':
        return {'Replicated': {'Replicas': 1 if replicas is None else replicas}}
    raise ComposeError('%s.deploy.mode: unknown mode %r (use replicated, global, replicated-job or global-job)' % (where, mode))


def _extra_hosts(value):
    if isinstance(value, dict):
        pairs = sorted('%s:%s' % (k, v) for k, v in value.items())
    else:
        pairs = []
        for entry in value or []:
            entry = str(entry)
            sep = '=' if '=' in entry else ':'
            host, _sep, addr = entry.partition(sep)
            pairs.append('%s:%s' % (host, addr))
    hosts = []
    for pair in pairs:
        host, _sep, addr = pair.partition(':')
        if len(addr) > 2 and addr.startswith('[') and addr.endswith(']'):
            addr = addr[1:-1]
        hosts.append('%s %s' % (addr, host))
    return hosts


def _ulimits(value):
    result = []
    for name, limit in sorted((value or {}).items()):
        if isinstance(limit, dict):
            soft, hard = limit.get('soft', 0), limit.get('hard', 0)
        else:
            soft = hard = limit
        result.append({'Name': name, 'Soft': soft, 'Hard': hard})
    return result


def _environment(service):
    """convertEnvironment: the loader already folded env_file and the variables into environment."""
    env = service.get('environment') or {}
    return sorted(k if v is None else '%s=%s' % (k, v) for k, v in env.items())


def convert_service(stack, key, service, config, objects, variables, read_file, working_dir):
    """One compose service as the ServiceSpec `docker stack deploy` sends (convert.Service)."""
    where = 'services.%s' % key
    deploy = service.get('deploy') or {}
    image = service.get('image')
    parse_image(image, where + '.image')
    top_networks = config.get('networks') or {}
    networks = service.get('networks') or {'default': None}
    if isinstance(networks, list):
        networks = dict((n, None) for n in networks)
    attachments = []
    for name, net in networks.items():
        if name not in top_networks and name != 'default':
            raise ComposeError('%s.networks: undefined network %r: define it under the top-level networks key '
                               '(or mark it external: true)' % (where, name))
        top = top_networks.get(name) or {}
        external = top.get('external')
        target = top.get('name') or (external.get('name') if isinstance(external, dict) else None) \
            or (name if external else _scope(stack, name))
        net = net or {}
        aliases = list(net.get('aliases') or [])
        if target not in PREDEFINED_NETWORKS and not target.startswith('container:'):
            aliases.append(key)
        attachment = {'Target': target, 'Aliases': aliases}
        if net.get('driver_opts'):
            attachment['DriverOpts'] = _mapping(net['driver_opts'])
        attachments.append(attachment)
    attachments.sort(key=lambda a: a['Target'])

    ports = []
    port_warnings = []
    for index, port in enumerate(service.get('ports') or []):
        if isinstance(port, dict):
            entry = {'Protocol': port.get('protocol') or 'tcp', 'TargetPort': port.get('target'),
                     'PublishMode': port.get('mode') or 'ingress'}
            if port.get('published'):
                entry['PublishedPort'] = port['published']
            ports.append(entry)
        else:
            ports.extend(parse_port(port, '%s.ports[%d]' % (where, index), port_warnings))
    ports.sort(key=lambda p: (p.get('PublishedPort', 0), p['TargetPort'], p['Protocol'], p['PublishMode']))
    endpoint_mode = (deploy.get('endpoint_mode') or 'vip').lower()
    if endpoint_mode == 'dnsrr' and any(p['PublishMode'] == 'ingress' for p in ports):
        raise ComposeError('%s: endpoint_mode dnsrr cannot publish ports through the ingress routing mesh; publish '
                           'them with mode: host, or use endpoint_mode: vip' % where)

    placement = deploy.get('placement') or {}
    container = {
        'Image': tagged_image(image, where + '.image'),
        'Labels': _with_stack_label(stack, _mapping(service.get('labels'))),
        'Command': _shell(service.get('entrypoint')),
        'Args': _shell(service.get('command')),
        'Hostname': service.get('hostname') or '',
        'Env': _environment(service),
        'Dir': service.get('working_dir') or '',
        'User': service.get('user') or '',
        'Mounts': _mounts(service.get('volumes'), config.get('volumes') or {}, stack, working_dir, where),
        'StopSignal': service.get('stop_signal') or '',
        'TTY': bool(service.get('tty')),
        'OpenStdin': bool(service.get('stdin_open')),
        'ReadOnly': bool(service.get('read_only')),
        'Secrets': _file_refs('secrets', service.get('secrets'), objects['secrets'], where),
        'Configs': _file_refs('configs', service.get('configs'), objects['configs'], where),
        'Isolation': service.get('isolation') or '',
        'Hosts': _extra_hosts(service.get('extra_hosts')),
        'Sysctls': _mapping(service.get('sysctls')),
        'Ulimits': _ulimits(service.get('ulimits')),
        'Privileges': {},
    }
    if service.get('init') is not None:
        container['Init'] = bool(service['init'])
    if service.get('stop_grace_period') is not None:
        container['StopGracePeriod'] = parse_duration(service['stop_grace_period'], where + '.stop_grace_period')
    if service.get('oom_score_adj'):
        container['OomScoreAdj'] = service['oom_score_adj']
    container['CapabilityAdd'], container['CapabilityDrop'] = _caps(service.get('cap_add'), service.get('cap_drop'))
    dns = service.get('dns')
    dns = [dns] if isinstance(dns, str) else dns or []
    search = service.get('dns_search')
    search = [search] if isinstance(search, str) else search or []
    if dns or search:
        container['DNSConfig'] = {'Nameservers': dns, 'Search': search}
    health = _healthcheck(service.get('healthcheck'), where)
    if health is not None:
        container['Healthcheck'] = health

    task = {
        'ContainerSpec': container,
        'Resources': _resources(deploy.get('resources'), where),
        'Placement': {
            'Constraints': list(placement.get('constraints') or []),
            'Preferences': [{'Spread': {'SpreadDescriptor': p.get('spread', '')}} for p in placement.get('preferences') or []],
            'MaxReplicas': placement.get('max_replicas_per_node') or 0,
        },
        'Networks': attachments,
    }
    restart = _restart_policy(service, where)
    if restart is not None:
        task['RestartPolicy'] = restart
    logging = service.get('logging')
    if logging is not None:
        task['LogDriver'] = {'Name': logging.get('driver') or '', 'Options': _mapping(logging.get('options'))}

    labels = _with_stack_label(stack, _mapping(deploy.get('labels')))
    labels[IMAGE_LABEL] = image
    spec = {
        'Name': _scope(stack, key),
        'Labels': labels,
        'TaskTemplate': task,
        'Mode': _mode(deploy, where),
        'EndpointSpec': {'Mode': endpoint_mode, 'Ports': ports},
    }
    update = _update_config(deploy.get('update_config'), where + '.deploy.update_config')
    if update is not None:
        spec['UpdateConfig'] = update
    rollback = _update_config(deploy.get('rollback_config'), where + '.deploy.rollback_config')
    if rollback is not None:
        spec['RollbackConfig'] = rollback
    return spec, port_warnings


def convert(stack, config, variables=None, read_file=None, working_dir='.'):
    """The swarm objects of a loaded compose CONFIG for stack STACK.

    Returns {'services': {key: spec}, 'networks': {name: create options}, 'external_networks': [names],
    'secrets': {key: object}, 'configs': {key: object}, 'warnings': [...]}. Secret and config objects carry their
    data (bytes) for creation; callers must never log them.
    """
    if not re.match(r'^[a-zA-Z0-9][a-zA-Z0-9_.-]*$', stack or ''):
        raise ComposeError('name: %r is not a valid stack name (letters, digits, "_", "." and "-")' % stack)
    if not config.get('services'):
        # The CLI deploys an empty stack; with prune that removes every service, so it is refused here.
        raise ComposeError('services: the compose files define no services')
    variables = variables or {}
    read_file = read_file or _read_file
    objects = {
        'secrets': _file_objects('secrets', stack, config, read_file, working_dir),
        'configs': _file_objects('configs', stack, config, read_file, working_dir),
    }
    services = {}
    warnings = []
    used_networks = set()
    for key, service in sorted(config['services'].items()):
        service = service or {}
        spec, port_warnings = convert_service(stack, key, service, config, objects, variables, read_file, working_dir)
        services[key] = spec
        warnings.extend(port_warnings)
        nets = service.get('networks') or ['default']
        used_networks.update(nets if isinstance(nets, list) else nets.keys())
    networks = {}
    external_networks = []
    for name in sorted(used_networks):
        top = (config.get('networks') or {}).get(name) or {}
        external = top.get('external')
        if external:
            external_networks.append(top.get('name') or (external.get('name') if isinstance(external, dict) else None) or name)
            continue
        options = {
            'Name': top.get('name') or _scope(stack, name),
            'Driver': top.get('driver') or 'overlay',
            'Options': _mapping(top.get('driver_opts')),
            'Internal': bool(top.get('internal')),
            'Attachable': bool(top.get('attachable')),
            'Labels': _with_stack_label(stack, _mapping(top.get('labels'))),
        }
        ipam = top.get('ipam') or {}
        if ipam.get('driver') or ipam.get('config'):
            options['IPAM'] = {'Driver': ipam.get('driver') or 'default',
                               'Config': [{'Subnet': c['subnet']} for c in ipam.get('config') or [] if c.get('subnet')]}
        networks[options['Name']] = options
    return {'services': services, 'networks': networks, 'external_networks': external_networks,
            'secrets': objects['secrets'], 'configs': objects['configs'], 'warnings': warnings}
