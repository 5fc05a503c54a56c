# -*- coding: utf-8 -*-
# Copyright: Anchorage developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Compose files loaded as docker/cli 28's cli/compose/loader loads them, to what `docker stack config` prints.

A port of docker/cli v28.2.2 (Apache License 2.0, Copyright Docker, Inc.), rule by rule:
- template/template.go and interpolation/: ${VAR} substitution with the CLI's regular expression (so `$VAR-x` is
  "VAR, default x", and `${A:?a-b}` is a hard default), and the casts of loader/interpolate.go;
- loader.go: every file is interpolated, validated against the schema of its own version, then decoded into the
  CLI's types (types/types.go) with the same transforms (short port and volume syntax, list-or-mapping, shlex of
  string commands, durations, sizes, env_file folded into environment, bind sources made absolute);
- merge.go with dario.cat/mergo's rules (WithOverride, WithAppendSlice and the CLI's transformers): an empty value
  in an override keeps the base value, most lists are appended, ports/volumes/secrets/configs are merged by their
  key, a changed logging driver drops the old options.

A loaded file is a "typed" dict: the fields the CLI's structs have, with the names and the value shapes that
`docker stack config` prints, and without the fields its YAML encoder leaves out (omitempty). Pointer fields
(replicas, init, healthcheck, ...) are present when they were given, even when zero, as the CLI prints them.
The one deliberate difference: an unset ${VAR} without a default is an error here (the CLI makes it empty).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath
import re

from ansible_collections.anchorage.swarm.plugins.module_utils._compose_schema import schema_version, split_port_spec, validate as validate_schema
from ansible_collections.anchorage.swarm.plugins.module_utils._compose_yaml import GoTime, go_sprint


class ComposeError(Exception):
    """Bad input: the message names the file, the key and what to do."""


# docker/cli cli/compose/types: keys swarm ignores (a warning), keys it refuses (an error).
UNSUPPORTED = ('build', 'cgroupns_mode', 'cgroup_parent', 'devices', 'domainname', 'external_links', 'ipc', 'links',
               'mac_address', 'network_mode', 'pid', 'privileged', 'restart', 'security_opt', 'shm_size', 'userns_mode')
DEPRECATED = {
    'container_name': 'Setting the container name is not supported.',
    'expose': "Exposing ports is unnecessary - services on the same network can access each other's containers on any port.",
}
FORBIDDEN = {
    'extends': 'Support for `extends` is not implemented yet.',
    'volume_driver': 'Instead of setting the volume driver on the service, define a volume using the top-level `volumes` '
                     'option and specify the driver there.',
    'volumes_from': "To share a volume between services, define it using the top-level `volumes` option and reference it "
                    "from each service that shares it using the service-level `volumes` option.",
    'cpu_quota': 'Set resource limits using deploy.resources',
    'cpu_shares': 'Set resource limits using deploy.resources',
    'cpuset': 'Set resource limits using deploy.resources',
    'mem_limit': 'Set resource limits using deploy.resources',
    'memswap_limit': 'Set resource limits using deploy.resources',
}
SECTIONS = ('services', 'networks', 'volumes', 'secrets', 'configs')


# ---------------------------------------------------------------------------------------------------------------
# Interpolation (template/template.go, interpolation/interpolation.go, loader/interpolate.go)

# The CLI's pattern: `subst` is used for the unbraced form too, so "$VAR-x" and "$VAR:-x" carry a default.
_SUBST = r'[_a-z][_a-z0-9]*(?::?[-?][^}]*)?'
_TEMPLATE = re.compile(r'\$(?:(?P<escaped>\$)|(?P<named>%s)|\{(?P<braced>%s)\}|(?P<invalid>))' % (_SUBST, _SUBST),
                       re.IGNORECASE)


def interpolate_string(value, variables, where):
    """VALUE with $VAR, ${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:?e}, ${VAR?e} and $$ substituted as the CLI does."""
    def lookup(name):
        if name in variables and variables[name] is not None:
            return go_sprint(variables[name]), True
        return '', False

    def substitute(match):
        if match.group('escaped'):
            return '$'
        text = match.group('named') or match.group('braced')
        if not text:
            raise ComposeError('%s: invalid interpolation format in %r; you may need to escape any $ with another $ '
                               '(write "$$" for a literal dollar)' % (where, value))
        # DefaultSubstituteFuncs, in the CLI's order: the first separator found decides, so in "${A:?must-be}"
        # the "-" of the message makes it a hard default.
        if ':-' in text:
            name, default = text.split(':-', 1)
            current, found = lookup(name)
            return default if not found or current == '' else current
        if '-' in text:
            name, default = text.split('-', 1)
            current, found = lookup(name)
            return current if found else default
        for sep, valid in ((':?', lambda v: v != ''), ('?', lambda v: True)):
            if sep in text:
                name, message = text.split(sep, 1)
                current, found = lookup(name)
                if not found or not valid(current):
                    raise ComposeError('%s: required variable %s is missing a value: %s' % (where, name, message))
                return current
        current, found = lookup(text)
        if not found:
            # The CLI puts an empty string here; a deploy with a blank image tag or password is worse than a stop.
            raise ComposeError('%s: variable %s is not set; give it in variables (or env_files), or write ${%s:-} for '
                               'an empty default' % (where, text, text))
        return current
    return _TEMPLATE.sub(substitute, value)


def _to_int(text):
    # strconv.Atoi: an optional sign and decimal digits, nothing else (no spaces, no "3.0").
    if not re.match(r'^[+-]?[0-9]+$', text):
        raise ValueError(text)
    return int(text)


def _to_float(text):
    if not re.match(r'^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|infinity|nan)$', text, re.IGNORECASE):
        raise ValueError(text)
    return float(text)


def _to_bool(text):
    lowered = text.lower()
    if lowered in ('y', 'yes', 'true', 'on'):
        return True
    if lowered in ('n', 'no', 'false', 'off'):
        return False
    raise ValueError(text)


_CASTS = [
    ('services.*.configs.[].mode', _to_int, 'a valid integer'),
    ('services.*.secrets.[].mode', _to_int, 'a valid integer'),
    ('services.*.healthcheck.retries', _to_int, 'a valid integer'),
    ('services.*.healthcheck.disable', _to_bool, 'a valid boolean'),
    ('services.*.deploy.replicas', _to_int, 'a valid integer'),
    ('services.*.deploy.update_config.parallelism', _to_int, 'a valid integer'),
    ('services.*.deploy.update_config.max_failure_ratio', _to_float, 'a valid number'),
    ('services.*.deploy.rollback_config.parallelism', _to_int, 'a valid integer'),
    ('services.*.deploy.rollback_config.max_failure_ratio', _to_float, 'a valid number'),
    ('services.*.deploy.restart_policy.max_attempts', _to_int, 'a valid integer'),
    ('services.*.deploy.placement.max_replicas_per_node', _to_int, 'a valid integer'),
    ('services.*.ports.[].target', _to_int, 'a valid integer'),
    ('services.*.ports.[].published', _to_int, 'a valid integer'),
    ('services.*.ulimits.*', _to_int, 'a valid integer'),
    ('services.*.ulimits.*.hard', _to_int, 'a valid integer'),
    ('services.*.ulimits.*.soft', _to_int, 'a valid integer'),
    ('services.*.privileged', _to_bool, 'a valid boolean'),
    ('services.*.oom_score_adj', _to_int, 'a valid integer'),
    ('services.*.read_only', _to_bool, 'a valid boolean'),
    ('services.*.stdin_open', _to_bool, 'a valid boolean'),
    ('services.*.tty', _to_bool, 'a valid boolean'),
    ('services.*.volumes.[].read_only', _to_bool, 'a valid boolean'),
    ('services.*.volumes.[].volume.nocopy', _to_bool, 'a valid boolean'),
    ('networks.*.external', _to_bool, 'a valid boolean'),
    ('networks.*.internal', _to_bool, 'a valid boolean'),
    ('networks.*.attachable', _to_bool, 'a valid boolean'),
    ('volumes.*.external', _to_bool, 'a valid boolean'),
    ('secrets.*.external', _to_bool, 'a valid boolean'),
    ('configs.*.external', _to_bool, 'a valid boolean'),
]
_CASTS = [(tuple(pattern.split('.')), cast, kind) for pattern, cast, kind in _CASTS]


def _cast_for(path):
    for pattern, cast, kind in _CASTS:
        # Path.matches: "*" matches any part, "[]" stands for every list index.
        if len(pattern) == len(path) and all(p == '*' or p == k for p, k in zip(pattern, path)):
            return cast, kind
    return None, None


def _interpolate(value, variables, path, where):
    if isinstance(value, dict):
        return dict((k, _interpolate(v, variables, path + (str(k),), where)) for k, v in value.items())
    if isinstance(value, list):
        return [_interpolate(v, variables, path + ('[]',), where) for v in value]
    if isinstance(value, str):
        spot = '%s: %s' % (where, '.'.join(path)) if where else '.'.join(path)
        result = interpolate_string(value, variables, spot)
        if result == value:
            return value  # interpolation.go: an unchanged string is never cast
        cast, kind = _cast_for(path)
        if cast is None:
            return result
        try:
            return cast(result)
        except ValueError:
            raise ComposeError('%s: %r is not %s' % (spot, result, kind))
    return value


def interpolate(config, variables, where=None):
    """Interpolate every value (never a key) of a compose dict, the top-level x- fields and version included."""
    return dict((k, _interpolate(v, variables or {}, (str(k),), where)) for k, v in config.items())


# ---------------------------------------------------------------------------------------------------------------
# Small parsers: google/shlex, Go durations, go-units sizes, nat port specs, volume specs

def shlex_split(text):
    """github.com/google/shlex Split: POSIX-like words; "\\" escapes any rune, also inside double quotes; "#" at the
    start of a word comments out the rest of the line. Raises ValueError on an unclosed quote or trailing escape."""
    words = []
    word = ''
    state = 'start'
    pos = 0
    length = len(text)
    while True:
        char = text[pos] if pos < length else None
        pos += 1
        if state == 'start':
            if char is None:
                return words
            if char in ' \t\r\n':
                continue
            if char == '#':
                state = 'comment'
                continue
            # Any other rune starts a word and is then read as the word's first rune (a quote, an escape or text).
            word = ''
            state = 'word'
        if state == 'word':
            if char is None or char in ' \t\r\n':
                words.append(word)
                if char is None:
                    return words
                state = 'start'
            elif char == '"':
                state = 'dquote'
            elif char == "'":
                state = 'squote'
            elif char == '\\':
                state = 'escape'
            else:
                word += char
        elif state in ('escape', 'dquote_escape'):
            if char is None:
                raise ValueError('EOF found after escape character')
            word += char
            state = 'word' if state == 'escape' else 'dquote'
        elif state == 'dquote':
            if char is None:
                raise ValueError('EOF found when expecting closing quote')
            if char == '"':
                state = 'word'
            elif char == '\\':
                state = 'dquote_escape'
            else:
                word += char
        elif state == 'squote':
            if char is None:
                raise ValueError('EOF found when expecting closing quote')
            if char == "'":
                state = 'word'
            else:
                word += char
        elif state == 'comment':
            if char is None:
                return words
            if char == '\n':
                state = 'start'


_DURATION_PART = re.compile(u'([0-9]*(?:\\.[0-9]*)?)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)')
_DURATION_UNITS = {'ns': 1, 'us': 1000, u'\u00b5s': 1000, u'\u03bcs': 1000, 'ms': 10 ** 6, 's': 10 ** 9,
                   'm': 60 * 10 ** 9, 'h': 3600 * 10 ** 9}


def parse_go_duration(text):
    """time.ParseDuration in nanoseconds; ValueError when TEXT is not one ("10 seconds", "5")."""
    body = text
    sign = 1
    if body[:1] in ('-', '+'):
        sign = -1 if body[0] == '-' else 1
        body = body[1:]
    if body == '0':
        return 0
    if not body:
        raise ValueError(text)
    total = 0
    pos = 0
    while pos < len(body):
        match = _DURATION_PART.match(body, pos)
        if not match or match.group(1) in ('', '.'):
            raise ValueError(text)
        whole, _dot, frac = match.group(1).partition('.')
        unit = _DURATION_UNITS[match.group(2)]
        # Integer arithmetic, as Go does, so "1.1s" is exactly 1100000000.
        total += int(whole or '0') * unit + (int(frac) * unit // 10 ** len(frac) if frac else 0)
        pos = match.end()
    return sign * total


def _frac(value, digits):
    whole, rest = divmod(value, 10 ** digits)
    text = str(rest).rjust(digits, '0').rstrip('0')
    return '%d.%s' % (whole, text) if text else str(whole)


def go_duration_string(nanos):
    """time.Duration.String(): "1m30s", "1h0m0s", "1.5s", "250ms", "0s"."""
    if nanos == 0:
        return '0s'
    sign = '-' if nanos < 0 else ''
    value = abs(nanos)
    if value < 1000:
        return '%s%dns' % (sign, value)
    if value < 10 ** 6:
        return sign + _frac(value, 3) + u'\u00b5s'
    if value < 10 ** 9:
        return sign + _frac(value, 6) + 'ms'
    minutes, rest = divmod(value, 60 * 10 ** 9)
    text = _frac(rest, 9) + 's'
    if minutes:
        hours, minutes = divmod(minutes, 60)
        text = ('%dh' % hours if hours else '') + '%dm' % minutes + text
    return sign + text


_SIZE = re.compile(r'^(\d+(?:\.\d+)?) ?([kKmMgGtTpP])?[iI]?[bB]?$')


def parse_ram_bytes(text):
    """go-units RAMInBytes: binary multiples of b, k, m, g, t, p (with optional "i" and "b")."""
    match = _SIZE.match(text)
    if not match:
        raise ValueError(text)
    unit = (match.group(2) or '').lower()
    return int(float(match.group(1)) * 1024 ** ('kmgtp'.index(unit) + 1 if unit else 0))


def parse_port_spec(raw):
    """Short port syntax to ServicePortConfigs as nat.ParsePortSpecs and swarmopts.ConvertPortToPortConfig make them,
    sorted as the loader sorts the nat.Port keys ("80/tcp" < "8080/tcp" as strings). Returns (ports, host IPs that
    the CLI ignores with a warning); ValueError when nat refuses the spec."""
    parsed = split_port_spec(raw)
    if parsed is None:
        raise ValueError('invalid port specification %r' % raw)
    ip, (start, end), host_range, proto = parsed
    ports = []
    for target in sorted(range(start, end + 1), key=lambda port: '%d/%s' % (port, proto)):
        index = target - start
        if host_range is None:
            published = [0]
        elif start == end and host_range[0] != host_range[1]:
            published = list(range(host_range[0], host_range[1] + 1))  # one target published on each port of the range
        else:
            published = [host_range[0] + index]
        for number in published:
            port = {'mode': 'ingress', 'target': target, 'protocol': proto}
            if number:
                port['published'] = number
            ports.append(port)
    addresses = [ip] if ip and ip not in ('0.0.0.0', '::') else []
    return ports, addresses


_PROPAGATIONS = ('rprivate', 'private', 'rshared', 'shared', 'rslave', 'slave')


def _is_file_path(source):
    if source[0] in './~':
        return True
    if len(source) == 1:
        return False
    return source.startswith('\\\\') or (source[0].isalpha() and source[1] == ':')


def parse_volume_spec(spec):
    """loader/volume.go ParseVolume: short volume syntax to a ServiceVolumeConfig (ValueError when invalid)."""
    if not spec:
        raise ValueError('invalid empty volume spec')
    if len(spec) <= 2:
        return {'type': 'volume', 'target': spec}
    volume = {}
    buffer = ''
    for char in spec + '\0':
        if char == ':' and len(buffer) == 1 and buffer.isalpha():
            buffer += char  # a Windows drive letter
            continue
        if char not in (':', '\0'):
            buffer += char
            continue
        if not buffer:
            raise ValueError('invalid spec: %s: empty section between colons' % spec)
        if not volume.get('source') and char == '\0':
            volume['target'] = buffer
        elif not volume.get('source'):
            volume['source'] = buffer
        elif not volume.get('target'):
            volume['target'] = buffer
        elif char == ':':
            raise ValueError('invalid spec: %s: too many colons' % spec)
        else:
            for option in buffer.split(','):
                if option == 'ro':
                    volume['read_only'] = True
                elif option == 'rw':
                    volume.pop('read_only', None)
                elif option == 'nocopy':
                    volume['volume'] = {'nocopy': True}
                elif option in _PROPAGATIONS:
                    volume['bind'] = {'propagation': option}
        buffer = ''
    source = volume.get('source')
    volume['type'] = 'bind' if source and _is_file_path(source) else 'volume'
    return dict((k, volume[k]) for k in ('type', 'source', 'target', 'read_only', 'bind', 'volume') if k in volume)


# ---------------------------------------------------------------------------------------------------------------
# Decoding one file into the CLI's types (loader.go's transforms, mapstructure, yaml omitempty)

class _Decode(object):
    """Decodes one interpolated and validated compose dict. ENV is the lookup for env_file and ~ (LookupEnv)."""

    def __init__(self, name, variables, working_dir, read_file, home):
        self.name = name
        self.variables = variables
        self.working_dir = working_dir
        self.read_file = read_file
        self.home = home
        self.warnings = []

    def fail(self, where, message):
        raise ComposeError('%s: %s: %s' % (self.name, where, message))

    # value shapes -------------------------------------------------------------------------------------------
    def text(self, value, where):
        """A value for a string field: mapstructure refuses a YAML timestamp there (it is a time.Time)."""
        if isinstance(value, GoTime):
            self.fail(where, "expected type 'string', got unconvertible type 'time.Time', value: '%s'; quote it"
                      % go_sprint(value))
        return go_sprint(value)

    @staticmethod
    def string_list(value):
        return [value] if isinstance(value, str) else list(value or [])

    @staticmethod
    def mapping(value, sep='=', allow_nil=False):
        """transformMappingOrList: a mapping (values fmt.Sprint) or a list of "K<sep>V" (K alone: nil or "")."""
        result = {}
        if isinstance(value, dict):
            for key, val in value.items():
                result[str(key)] = go_sprint(val) if val is not None else (None if allow_nil else '')
            return result
        for item in value or []:
            key, found, val = str(item).partition(sep)
            result[key] = val if found else (None if allow_nil else '')
        return result

    @staticmethod
    def string_map(value):
        """transformMapStringString (driver_opts, logging options): a mapping only; nil becomes ""."""
        return dict((str(k), '' if v is None else go_sprint(v)) for k, v in (value or {}).items())

    def hosts(self, value):
        """transformHostsList: "host:ip" strings, brackets dropped from IPv6 addresses."""
        if isinstance(value, dict):
            pairs = sorted('%s:%s' % (k, go_sprint(v)) for k, v in value.items() if v is not None)
        else:
            pairs = []
            for entry in value or []:
                entry = go_sprint(entry)
                for sep in ('=', ':'):
                    if sep in entry:
                        key, _s, val = entry.partition(sep)
                        pairs.append('%s:%s' % (key, val))
                        break
        result = []
        for pair in pairs:
            host, _s, ip = pair.partition(':')
            if len(ip) > 2 and ip[0] == '[' and ip[-1] == ']':
                ip = ip[1:-1]
            result.append('%s:%s' % (host, ip))
        return result

    def shell(self, value, where):
        if isinstance(value, str):
            try:
                return shlex_split(value)
            except ValueError as exc:
                self.fail(where, '%s in %r: close the quote, or give the command as a list' % (exc, value))
        return [self.text(v, where) for v in value or []]

    def duration(self, value, where):
        if not isinstance(value, str):
            self.fail(where, 'invalid type %s for duration: write it as a string like "10s" or "1m30s"' % type(value).__name__)
        try:
            return go_duration_string(parse_go_duration(value))
        except ValueError:
            self.fail(where, 'time: invalid duration %r (write it like 10s, 1m30s or 500ms)' % value)

    def size(self, value, where):
        if isinstance(value, bool):
            self.fail(where, 'invalid size %r' % value)
        if isinstance(value, int):
            return str(value)
        try:
            return str(parse_ram_bytes(str(value)))
        except ValueError:
            self.fail(where, 'invalid size: %r (write it like 512M or 1G)' % value)

    def uint(self, value, where, bits=64):
        if isinstance(value, float) and value == int(value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value >= 2 ** bits:
            self.fail(where, '%r is not a whole number from 0 to %d' % (value, 2 ** bits - 1))
        return value

    def integer(self, value, where):
        if isinstance(value, float) and value == int(value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(where, '%r is not a whole number' % (value,))
        return value

    @staticmethod
    def put(target, key, value):
        """Set KEY unless VALUE is what yaml's omitempty leaves out (an empty string, list or mapping, false)."""
        if value is None or value is False or (isinstance(value, (str, list, dict)) and not value):
            return
        target[key] = value

    # sections ------------------------------------------------------------------------------------------------
    def service(self, key, raw):
        where = 'services.%s' % key
        svc = {}
        put = self.put
        for field in ('cgroupns_mode', 'cgroup_parent', 'container_name', 'domainname', 'hostname', 'image', 'ipc',
                      'isolation', 'mac_address', 'network_mode', 'pid', 'restart', 'shm_size', 'stop_signal', 'user',
                      'userns_mode', 'working_dir'):
            if raw.get(field) is not None:
                put(svc, field, self.text(raw[field], '%s.%s' % (where, field)))
        for field in ('cap_add', 'cap_drop', 'depends_on', 'devices', 'external_links', 'links', 'security_opt'):
            if raw.get(field) is not None:
                put(svc, field, [self.text(v, '%s.%s' % (where, field)) for v in raw[field]])
        for field in ('dns', 'dns_search', 'env_file', 'tmpfs'):
            if raw.get(field) is not None:
                put(svc, field, self.string_list(raw[field]))
        for field in ('privileged', 'read_only', 'stdin_open', 'tty'):
            if raw.get(field):
                svc[field] = True
        for field in ('command', 'entrypoint'):
            if raw.get(field) is not None:
                put(svc, field, self.shell(raw[field], '%s.%s' % (where, field)))
        if raw.get('build') is not None:
            put(svc, 'build', self.build(raw['build']))
        if raw.get('credential_spec'):
            put(svc, 'credential_spec', dict((k, go_sprint(v)) for k, v in raw['credential_spec'].items()
                                             if k in ('config', 'file', 'registry') and v not in (None, '')))
        for field in ('configs', 'secrets'):
            if raw.get(field) is not None:
                put(svc, field, [self.file_ref(ref, '%s.%s[%d]' % (where, field, i)) for i, ref in enumerate(raw[field])])
        if raw.get('deploy') is not None:
            put(svc, 'deploy', self.deploy(raw['deploy'], where + '.deploy'))
        if raw.get('expose') is not None:
            put(svc, 'expose', [go_sprint(v) for v in raw['expose']])
        if raw.get('extra_hosts') is not None:
            put(svc, 'extra_hosts', self.hosts(raw['extra_hosts']))
        if raw.get('healthcheck') is not None:
            svc['healthcheck'] = self.healthcheck(raw['healthcheck'], where + '.healthcheck')
        if raw.get('init') is not None:
            svc['init'] = bool(raw['init'])
        if raw.get('labels') is not None:
            put(svc, 'labels', self.mapping(raw['labels']))
        if raw.get('logging') is not None:
            logging = {}
            put(logging, 'driver', go_sprint(raw['logging'].get('driver') or ''))
            if raw['logging'].get('options') is not None:
                put(logging, 'options', self.string_map(raw['logging']['options']))
            svc['logging'] = logging
        if raw.get('networks') is not None:
            put(svc, 'networks', self.service_networks(raw['networks']))
        if raw.get('ports') is not None:
            put(svc, 'ports', self.ports(raw['ports'], where + '.ports'))
        if raw.get('stop_grace_period') is not None:
            svc['stop_grace_period'] = self.duration(raw['stop_grace_period'], where + '.stop_grace_period')
        if raw.get('sysctls') is not None:
            put(svc, 'sysctls', self.mapping(raw['sysctls']))
        if raw.get('ulimits') is not None:
            put(svc, 'ulimits', self.ulimits(raw['ulimits'], where + '.ulimits'))
        if raw.get('volumes') is not None:
            put(svc, 'volumes', [self.volume(v, '%s.volumes[%d]' % (where, i)) for i, v in enumerate(raw['volumes'])])
        if 'oom_score_adj' in raw:
            # mapstructure matches "oom_score_adj" to no field of the CLI's ServiceConfig (OomScoreAdj has no tag).
            self.warnings.append('%s: %s.oom_score_adj is ignored: docker stack deploy drops it (a docker CLI bug), '
                                 'and so does this module, to deploy what the CLI deploys' % (self.name, where))
        environment = self.environment(raw, where)
        put(svc, 'environment', environment)
        for extra, value in raw.items():
            if str(extra).startswith('x-'):
                svc[extra] = value
        return svc

    def build(self, raw):
        if isinstance(raw, str):
            return {'context': raw}
        build = {}
        for field in ('context', 'dockerfile', 'network', 'target'):
            if raw.get(field) is not None:
                self.put(build, field, go_sprint(raw[field]))
        if raw.get('args') is not None:
            self.put(build, 'args', self.mapping(raw['args'], allow_nil=True))
        if raw.get('labels') is not None:
            self.put(build, 'labels', self.mapping(raw['labels']))
        if raw.get('cache_from') is not None:
            self.put(build, 'cache_from', self.string_list(raw['cache_from']))
        if raw.get('extra_hosts') is not None:
            self.put(build, 'extra_hosts', self.hosts(raw['extra_hosts']))
        return build

    def file_ref(self, ref, where):
        if isinstance(ref, str):
            return {'source': ref}
        result = {}
        for field in ('source', 'target', 'uid', 'gid'):
            if ref.get(field) is not None:
                self.put(result, field, go_sprint(ref[field]))
        if ref.get('mode') is not None:
            result['mode'] = self.uint(ref['mode'], where + '.mode', 32)
        return result

    def deploy(self, raw, where):
        deploy = {}
        for field in ('mode', 'endpoint_mode'):
            if raw.get(field) is not None:
                self.put(deploy, field, go_sprint(raw[field]))
        if raw.get('replicas') is not None:
            deploy['replicas'] = self.uint(raw['replicas'], where + '.replicas')
        if raw.get('labels') is not None:
            self.put(deploy, 'labels', self.mapping(raw['labels']))
        for field in ('update_config', 'rollback_config'):
            if raw.get(field) is not None:
                deploy[field] = self.update_config(raw[field], '%s.%s' % (where, field))
        if raw.get('resources') is not None:
            resources = {}
            for field in ('limits', 'reservations'):
                source = raw['resources'].get(field)
                if source is None:
                    continue
                spot = '%s.resources.%s' % (where, field)
                entry = {}
                if source.get('cpus') is not None:
                    self.put(entry, 'cpus', go_sprint(source['cpus']))
                if source.get('memory') is not None:
                    memory = self.size(source['memory'], spot + '.memory')
                    if memory != '0':
                        entry['memory'] = memory
                if field == 'limits' and source.get('pids'):
                    entry['pids'] = self.integer(source['pids'], spot + '.pids')
                if field == 'reservations' and source.get('generic_resources'):
                    entry['generic_resources'] = [self.generic_resource(g) for g in source['generic_resources']]
                resources[field] = entry
            self.put(deploy, 'resources', resources)
        if raw.get('restart_policy') is not None:
            policy = {}
            source = raw['restart_policy']
            if source.get('condition') is not None:
                self.put(policy, 'condition', go_sprint(source['condition']))
            for field in ('delay', 'window'):
                if source.get(field) is not None:
                    policy[field] = self.duration(source[field], '%s.restart_policy.%s' % (where, field))
            if source.get('max_attempts') is not None:
                policy['max_attempts'] = self.uint(source['max_attempts'], where + '.restart_policy.max_attempts')
            deploy['restart_policy'] = policy
        if raw.get('placement') is not None:
            placement = {}
            source = raw['placement']
            if source.get('constraints') is not None:
                self.put(placement, 'constraints', [go_sprint(c) for c in source['constraints']])
            if source.get('preferences') is not None:
                self.put(placement, 'preferences', [dict((k, go_sprint(v)) for k, v in (p or {}).items() if k == 'spread' and v)
                                                    for p in source['preferences']])
            if source.get('max_replicas_per_node'):
                placement['max_replicas_per_node'] = self.uint(source['max_replicas_per_node'], where + '.placement.max_replicas_per_node')
            self.put(deploy, 'placement', placement)
        return deploy

    def generic_resource(self, raw):
        spec = (raw or {}).get('discrete_resource_spec')
        if spec is None:
            return {}
        return {'discrete_resource_spec': {'kind': go_sprint(spec.get('kind') or ''), 'value': spec.get('value') or 0}}

    def update_config(self, raw, where):
        update = {}
        if raw.get('parallelism') is not None:
            update['parallelism'] = self.uint(raw['parallelism'], where + '.parallelism')
        for field in ('delay', 'monitor'):
            if raw.get(field) is not None:
                value = self.duration(raw[field], '%s.%s' % (where, field))
                if value != '0s':
                    update[field] = value
        for field in ('failure_action', 'order'):
            if raw.get(field) is not None:
                self.put(update, field, go_sprint(raw[field]))
        if raw.get('max_failure_ratio'):
            update['max_failure_ratio'] = raw['max_failure_ratio']
        return update

    def healthcheck(self, raw, where):
        check = {}
        test = raw.get('test')
        if test is not None:
            self.put(check, 'test', ['CMD-SHELL', test] if isinstance(test, str) else [go_sprint(t) for t in test])
        for field in ('timeout', 'interval', 'start_period', 'start_interval'):
            if raw.get(field) is not None:
                check[field] = self.duration(raw[field], '%s.%s' % (where, field))
        if raw.get('retries') is not None:
            check['retries'] = self.uint(raw['retries'], where + '.retries')
        if raw.get('disable'):
            check['disable'] = True
        return check

    def service_networks(self, raw):
        if isinstance(raw, list):
            return dict((go_sprint(name), None) for name in raw)
        result = {}
        for name, net in raw.items():
            if net is None:
                result[name] = None
                continue
            entry = {}
            if net.get('aliases') is not None:
                self.put(entry, 'aliases', [go_sprint(a) for a in net['aliases']])
            if net.get('driver_opts') is not None:
                self.put(entry, 'driver_opts', self.string_map(net['driver_opts']))
            for field in ('ipv4_address', 'ipv6_address'):
                if net.get(field) is not None:
                    self.put(entry, field, go_sprint(net[field]))
            result[name] = entry
        return result

    def ports(self, raw, where):
        ports = []
        for index, entry in enumerate(raw):
            spot = '%s[%d]' % (where, index)
            if isinstance(entry, dict):
                port = {}
                for field in ('mode', 'protocol'):
                    if entry.get(field) is not None:
                        self.put(port, field, go_sprint(entry[field]))
                for field in ('target', 'published'):
                    if entry.get(field) is not None:
                        number = self.uint(entry[field], '%s.%s' % (spot, field), 32)
                        if number:
                            port[field] = number
                ports.append(port)
                continue
            if isinstance(entry, bool) or not isinstance(entry, (str, int)):
                self.fail(spot, 'invalid type %s for port' % type(entry).__name__)
            try:
                parsed, addresses = parse_port_spec(str(entry))
            except ValueError as exc:
                self.fail(spot, '%s (write it like "8080:80", "80" or "127.0.0.1:53:53/udp")' % exc)
            for address in addresses:
                self.warnings.append("%s: %s: ignoring IP-address (%s) service will listen on '0.0.0.0'" % (self.name, spot, address))
            ports.extend(parsed)
        return ports

    def volume(self, raw, where):
        if isinstance(raw, str):
            try:
                volume = parse_volume_spec(raw)
            except ValueError as exc:
                self.fail(where, '%s (write SOURCE:TARGET[:MODE])' % exc)
        else:
            volume = {}
            for field in ('type', 'source', 'target', 'consistency'):
                if raw.get(field) is not None:
                    self.put(volume, field, go_sprint(raw[field]))
            if raw.get('read_only'):
                volume['read_only'] = True
            for field, keys in (('bind', ('propagation',)), ('volume', ('nocopy', 'subpath')), ('image', ('subpath',)),
                                ('tmpfs', ('size',)), ('cluster', ())):
                if raw.get(field) is None:
                    continue
                sub = {}
                for key in keys:
                    value = raw[field].get(key)
                    if key == 'nocopy':
                        if value:
                            sub[key] = True
                    elif key == 'size':
                        if value is not None:
                            size = self.integer(value, '%s.tmpfs.size' % where) if not isinstance(value, str) else \
                                self.fail('%s.tmpfs.size' % where, "'size' expected type 'int64', got unconvertible type 'string'")
                            if size:
                                sub[key] = size
                    elif value not in (None, ''):
                        sub[key] = go_sprint(value)
                volume[field] = sub
        if volume.get('type') == 'bind':
            # resolveVolumePaths: "~" from HOME, then relative to the working folder (filepath.Join cleans the path).
            source = volume.get('source') or ''
            if not source:
                self.fail(where, 'invalid mount config for type "bind": field Source must not be empty')
            if source.startswith('~'):
                source = source.replace('~', self.home, 1) if self.home else source
            # path.IsAbs, or Windows' filepath.IsAbs: a drive letter and a slash, or a UNC path (not \\.\ devices).
            if not source.startswith('/') and not re.match(r'^[a-zA-Z]:[\\/]|^[\\/]{2}[^\\/.]', source):
                source = posixpath.normpath(posixpath.join(self.working_dir, source))
            volume['source'] = source
        return volume

    def ulimits(self, raw, where):
        result = {}
        for name, limit in raw.items():
            if isinstance(limit, dict):
                entry = {}
                for field in ('soft', 'hard'):
                    value = self.integer(limit.get(field, 0), '%s.%s.%s' % (where, name, field))
                    if value:
                        entry[field] = value
                result[name] = entry
            else:
                value = self.integer(limit, '%s.%s' % (where, name))
                result[name] = value if value else {}
        return result

    def environment(self, raw, where):
        """resolveEnvironment: each env_file's lines, then environment, a key without a value taking the variable."""
        env = {}

        def update(values):
            for key, value in values.items():
                if value in (None, '') and key in self.variables and self.variables[key] is not None:
                    env[key] = go_sprint(self.variables[key])
                else:
                    env[key] = value
        files = raw.get('env_file')
        if files is not None:
            lines = []
            for path in self.string_list(files):
                full = path if posixpath.isabs(path) else posixpath.normpath(posixpath.join(self.working_dir, path))
                lines.extend(self.env_file(full, where + '.env_file'))
            values = {}
            for line in lines:
                key, found, value = line.partition('=')
                values[key] = value if found else None
            update(values)
        if raw.get('environment') is not None:
            update(self.mapping(raw['environment'], allow_nil=True))
        return env

    def env_file(self, path, where):
        try:
            data = self.read_file(path)
        except (IOError, OSError) as exc:
            self.fail(where, 'cannot read %s: %s (the path is relative to the folder of the first compose file)'
                      % (path, getattr(exc, 'strerror', None) or exc))
        return parse_env_lines(data, path, self.variables, lambda message: self.fail(where, message))

    # top level -----------------------------------------------------------------------------------------------
    def network(self, key, raw, version):
        raw = raw or {}
        net = {}
        for field in ('name', 'driver'):
            if raw.get(field) is not None:
                self.put(net, field, go_sprint(raw[field]))
        if raw.get('driver_opts') is not None:
            self.put(net, 'driver_opts', self.string_map(raw['driver_opts']))
        if raw.get('ipam') is not None:
            ipam = {}
            if raw['ipam'].get('driver') is not None:
                self.put(ipam, 'driver', go_sprint(raw['ipam']['driver']))
            if raw['ipam'].get('config') is not None:
                self.put(ipam, 'config', [{'subnet': go_sprint(c['subnet'])} if (c or {}).get('subnet') else {}
                                          for c in raw['ipam']['config']])
            self.put(net, 'ipam', ipam)
        for field in ('internal', 'attachable'):
            if raw.get(field):
                net[field] = True
        if raw.get('labels') is not None:
            self.put(net, 'labels', self.mapping(raw['labels']))
        self.external(net, raw, 'network', key, version, '3.5')
        return net

    def external(self, obj, raw, kind, key, version, deprecated_from):
        """The external / external.name rules of LoadNetworks, LoadVolumes and loadFileObjectConfig."""
        external = raw.get('external')
        if not external:
            return False
        ext_name = go_sprint(external.get('name') or '') if isinstance(external, dict) else ''
        if ext_name:
            if obj.get('name'):
                self.fail('%ss.%s' % (kind, key), '%s.external.name and %s.name conflict; only use %s.name' % (kind, kind, kind))
            if _version_at_least(version, deprecated_from):
                self.warnings.append('%s: %s %s: %s.external.name is deprecated in favor of %s.name'
                                     % (self.name, kind, key, kind, kind))
            obj['name'] = ext_name
        elif not obj.get('name'):
            obj['name'] = key
        obj['external'] = True
        return True

    def volume_top(self, key, raw, version):
        raw = raw or {}
        vol = {}
        for field in ('name', 'driver'):
            if raw.get(field) is not None:
                self.put(vol, field, go_sprint(raw[field]))
        if raw.get('driver_opts') is not None:
            self.put(vol, 'driver_opts', self.string_map(raw['driver_opts']))
        if raw.get('labels') is not None:
            self.put(vol, 'labels', self.mapping(raw['labels']))
        if raw.get('x-cluster-spec') is not None:
            spec = dict(raw['x-cluster-spec'])
            if isinstance(spec.get('capacity_range'), dict):
                # CapacityRange's bounds are UnitBytes: printed as a number of bytes.
                spec['capacity_range'] = dict(
                    (k, self.size(v, 'volumes.%s.x-cluster-spec.capacity_range.%s' % (key, k)) if k in ('required_bytes', 'limit_bytes') else v)
                    for k, v in spec['capacity_range'].items())
            vol['x-cluster-spec'] = spec
        if raw.get('external'):
            for field in ('driver', 'driver_opts', 'labels'):
                if vol.get(field):
                    self.fail('volumes.%s' % key, 'conflicting parameters "external" and "%s" specified for volume "%s"' % (field, key))
            self.external(vol, raw, 'volume', key, version, '3.4')
            vol.update(_extras(raw))
        return vol

    def file_object(self, kind, key, raw, version):
        raw = raw or {}
        obj = {}
        for field in ('name', 'file', 'driver', 'template_driver'):
            if raw.get(field) is not None:
                self.put(obj, field, go_sprint(raw[field]))
        for field, mapper in (('labels', self.mapping), ('driver_opts', self.string_map)):
            if raw.get(field) is not None:
                self.put(obj, field, mapper(raw[field]))
        if not self.external(obj, raw, kind, key, version, '3.5'):
            if obj.get('driver'):
                if obj.get('file'):
                    self.fail('%ss.%s' % (kind, key), '%s.driver and %s.file conflict; only use %s.driver' % (kind, kind, kind))
            else:
                # absPath(workingDir, file), also for an empty file (the CLI then names the folder itself).
                path = obj.get('file', '')
                obj['file'] = path if posixpath.isabs(path) else posixpath.normpath(posixpath.join(self.working_dir, path))
        obj.update(_extras(raw))
        return obj


def _extras(raw):
    return dict((k, v) for k, v in (raw or {}).items() if str(k).startswith('x-'))


def _version_at_least(version, other):
    def parts(text):
        return [int(p) if p.isdigit() else 0 for p in str(text).split('.')]
    return parts(version) >= parts(other)


def parse_env_lines(data, path, variables, fail):
    """pkg/kvfile: KEY=VALUE lines (the value as written, quotes and trailing blanks kept), "#" comments, a bare
    KEY taking its value from VARIABLES or left out; the file must be UTF-8."""
    if isinstance(data, bytes):
        if data.startswith(b'\xef\xbb\xbf'):
            data = data[3:]
        try:
            text = data.decode('utf-8')
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b'\n') + 1
            fail('invalid env file (%s): invalid utf8 bytes at line %d: save the file as UTF-8' % (path, line))
    else:
        text = data
    lines = []
    for raw in text.split('\n'):
        if raw.endswith('\r'):
            raw = raw[:-1]
        line = raw.lstrip(' \t\n\r\x0b\x0c\x85\xa0')
        if not line or line.startswith('#'):
            continue
        key, found, _value = line.partition('=')
        if not key:
            fail("invalid env file (%s): no variable name on line '%s'" % (path, line))
        if ' ' in key or '\t' in key:
            fail("invalid env file (%s): variable '%s' contains whitespaces" % (path, key))
        if found:
            lines.append(line)
        elif line in variables and variables[line] is not None:
            lines.append('%s=%s' % (key, go_sprint(variables[line])))
    return lines


def read_env_files(files, read_file=None):
    """Interpolation values from env files, as `docker compose --env-file` reads them: KEY=VALUE lines, later files
    win. Values may be quoted ("..." with \\n escapes, or '...'), an unquoted value ends at " #"."""
    values = {}
    read_file = read_file or _read_file
    for path in files:
        try:
            data = read_file(path)
        except (IOError, OSError) as exc:
            raise ComposeError('env_files: cannot read %s: %s' % (path, getattr(exc, 'strerror', None) or exc))
        try:
            text = data.decode('utf-8-sig') if isinstance(data, bytes) else data
        except UnicodeDecodeError:
            raise ComposeError('env_files: %s is not UTF-8: save it as UTF-8' % path)
        for number, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            if line.startswith('export '):
                line = line[len('export '):].lstrip()
            key, found, value = line.partition('=')
            key = key.strip()
            if not found or not re.match(r'^[A-Za-z_][A-Za-z0-9_.-]*$', key):
                raise ComposeError('env_files: %s line %d: expected KEY=VALUE, got %r' % (path, number, line))
            value = value.strip()
            if value[:1] in ('"', "'") and len(value) >= 2 and value.endswith(value[0]):
                quote, value = value[0], value[1:-1]
                if quote == '"':
                    value = value.replace('\\n', '\n').replace('\\"', '"').replace('\\\\', '\\')
            else:
                value = re.split(r'\s+#', value, 1)[0].rstrip()
            values[key] = value
    return values


# ---------------------------------------------------------------------------------------------------------------
# Merging (merge.go with mergo's WithOverride + WithAppendSlice and the CLI's transformers)

# Field kinds of the CLI's structs. 'str'/'bool'/'num': a non-empty override wins; 'list': appended; 'shell': a
# non-empty override replaces; 'map': key by key, the override wins; 'env': map of *string; 'uint_ptr': a given
# override wins, zero too (mergeUint64); 'ptr': a given scalar pointer (init, durations) merges its value;
# ('struct', F) and ('ptr_struct', F): field by field; ('keyed', K): merged by K and sorted (mergeSlice).
_UPDATE = {'parallelism': 'uint_ptr', 'delay': 'str', 'failure_action': 'str', 'monitor': 'str', 'max_failure_ratio': 'num',
           'order': 'str'}
_DEPLOY = {
    'mode': 'str', 'replicas': 'uint_ptr', 'labels': 'map', 'endpoint_mode': 'str',
    'update_config': ('ptr_struct', _UPDATE), 'rollback_config': ('ptr_struct', _UPDATE),
    'resources': ('struct', {'limits': ('ptr_struct', {'cpus': 'str', 'memory': 'str', 'pids': 'num'}),
                             'reservations': ('ptr_struct', {'cpus': 'str', 'memory': 'str', 'generic_resources': 'list'})}),
    'restart_policy': ('ptr_struct', {'condition': 'str', 'delay': 'ptr', 'max_attempts': 'uint_ptr', 'window': 'ptr'}),
    'placement': ('struct', {'constraints': 'list', 'preferences': 'list', 'max_replicas_per_node': 'num'}),
}
_SERVICE = {
    'build': ('struct', {'context': 'str', 'dockerfile': 'str', 'args': 'env', 'labels': 'map', 'cache_from': 'list',
                         'extra_hosts': 'list', 'network': 'str', 'target': 'str'}),
    'command': 'shell', 'entrypoint': 'shell',
    'configs': ('keyed', 'source'), 'secrets': ('keyed', 'source'), 'ports': ('keyed', 'published'),
    'volumes': ('keyed', 'target'),
    'credential_spec': ('struct', {'config': 'str', 'file': 'str', 'registry': 'str'}),
    'deploy': ('struct', _DEPLOY),
    'environment': 'env', 'labels': 'map', 'sysctls': 'map',
    'healthcheck': ('ptr_struct', {'test': 'list', 'timeout': 'ptr', 'interval': 'ptr', 'retries': 'uint_ptr',
                                   'start_period': 'ptr', 'start_interval': 'ptr', 'disable': 'bool'}),
    'init': 'ptr', 'stop_grace_period': 'ptr',
    'logging': 'logging', 'networks': 'networks', 'ulimits': 'ulimits',
    'privileged': 'bool', 'read_only': 'bool', 'stdin_open': 'bool', 'tty': 'bool',
}
for _name in ('cap_add', 'cap_drop', 'depends_on', 'devices', 'dns', 'dns_search', 'env_file', 'expose', 'external_links',
              'extra_hosts', 'links', 'security_opt', 'tmpfs'):
    _SERVICE[_name] = 'list'


def _empty(value):
    """mergo's isEmptyValue for the shapes the typed dicts hold (a missing key is empty too)."""
    return value is None or value is False or value in ('', [], {}, '0s', '0') or (
        not isinstance(value, bool) and isinstance(value, (int, float)) and value == 0)


def _merge_fields(dst, src, fields, where):
    result = dict(dst)
    for key in set(dst) | set(src):
        kind = fields.get(key)
        if kind is None:
            if key.startswith('x-'):
                if key in src:
                    result[key] = _merge_any(dst.get(key), src[key], key, where) if key in dst else src[key]
            elif key in src and not _empty(src[key]):
                result[key] = src[key]
            continue
        merged = _merge_field(kind, dst.get(key), src.get(key), key in dst, key in src, '%s.%s' % (where, key))
        if merged is _ABSENT:
            result.pop(key, None)
        else:
            result[key] = merged
    return result


_ABSENT = object()


def _prune(value):
    return _ABSENT if _empty(value) else value


def _merge_field(kind, dst, src, in_dst, in_src, where):
    if not in_src:
        # mergeSlice runs on a present base even without an override: it collapses and sorts the base.
        if isinstance(kind, tuple) and kind[0] == 'keyed' and in_dst:
            return _merge_keyed(kind[1], dst, [])
        return dst if in_dst else _ABSENT
    if not in_dst:
        return src
    if kind in ('str', 'bool', 'num', 'shell'):
        return dst if _empty(src) else src
    if kind == 'list':
        return dst + src
    if kind == 'map':
        merged = dict(dst)
        merged.update(src)
        return merged
    if kind == 'env':
        merged = dict(dst)
        for key, value in src.items():
            if value not in (None, '') or merged.get(key) in (None, ''):
                merged[key] = value
        return merged
    if kind == 'uint_ptr':
        return src
    if kind == 'ptr':
        return dst if _empty(src) else src
    if kind == 'logging':
        old, new = dst.get('driver', ''), src.get('driver', '')
        if old != new and old and new:
            return src  # another driver: the override replaces the whole logging block
        merged = dict(dst)
        if not old and new:
            merged['driver'] = new
        # mergo merges into a copy of the options map when the base has none, so such options are lost (CLI bug).
        if dst.get('options'):
            options = dict(dst['options'])
            options.update(src.get('options') or {})
            merged['options'] = options
        return merged
    if kind == 'networks':
        merged = dict(dst)
        for name, net in src.items():
            if merged.get(name) is None or name not in merged:
                merged[name] = net
            elif net is not None:
                entry = dict(merged[name])
                entry.pop('aliases', None)
                if net.get('aliases'):
                    entry['aliases'] = net['aliases']
                for field in ('ipv4_address', 'ipv6_address'):
                    if net.get(field):
                        entry[field] = net[field]
                merged[name] = entry
        return merged
    if kind == 'ulimits':
        merged = dict(dst)
        merged.update(src)
        return merged
    if kind[0] == 'keyed':
        return _merge_keyed(kind[1], dst, src)
    if kind[0] == 'struct':
        return _prune(_merge_fields(dst, src, kind[1], where))
    if kind[0] == 'ptr_struct':
        return _merge_fields(dst, src, kind[1], where)
    raise AssertionError(kind)


def _merge_keyed(key, dst, src):
    by_key = {}
    for entry in list(dst) + list(src):
        by_key[entry.get(key, 0 if key == 'published' else '')] = entry
    return [by_key[k] for k in sorted(by_key)]


def _merge_any(dst, src, key, where):
    """mergo on map[string]any values (x- fields of a service): maps merge, lists append, scalars are replaced."""
    if isinstance(src, dict) and isinstance(dst, dict):
        merged = dict(dst)
        for k, v in src.items():
            merged[k] = _merge_any(dst[k], v, k, where) if k in dst else v
        return merged
    if isinstance(src, list):
        if dst is None:
            return list(src)
        if not isinstance(dst, list):
            raise ComposeError('%s.%s: cannot append a list to a %s (the docker CLI cannot merge these either)'
                               % (where, key, type(dst).__name__))
        return dst + src
    return src


def merge(configs):
    """merge.go: services merged field by field, top-level networks, volumes, secrets and configs replaced by key;
    version and top-level x- fields from the first file."""
    base = dict(configs[0])
    for override in configs[1:]:
        services = dict(base.get('services') or {})
        for name, service in (override.get('services') or {}).items():
            services[name] = _merge_fields(services[name], service, _SERVICE, 'services.%s' % name) \
                if name in services else service
        base['services'] = services
        for section in SECTIONS[1:]:
            if override.get(section):
                merged = dict(base.get(section) or {})
                merged.update(override[section])
                base[section] = merged
    # A service that exists in one file only still passes through mergeSlice when it is merged; one that is never
    # merged keeps its lists as written.
    return base


# ---------------------------------------------------------------------------------------------------------------
# Loading

def load(files, variables=None, working_dir='.', read_file=None, home=None):
    """Load compose FILES, a list of (name, dict as parse_yaml gives it), as `docker stack config` does.

    Returns (config, warnings): config is the typed dict `docker stack config` prints (services, networks, volumes,
    secrets and configs with the CLI's field names and value shapes). Raises ComposeError naming the file and key.
    """
    if not files:
        raise ComposeError('compose: give at least one compose file or definition')
    variables = dict(variables or {})
    read_file = read_file or _read_file
    warnings = []
    loaded = []
    version = None
    unsupported = set()
    deprecated = {}
    for name, config in files:
        if not isinstance(config, dict):
            raise ComposeError('%s: top-level object must be a mapping (a compose file with a services key), not %s'
                               % (name, type(config).__name__))
        this_version = schema_version(config)
        if version is None:
            version = this_version
        elif version != this_version:
            raise ComposeError('%s: version mismatched between two compose files: %s and %s; give every file the same '
                               'version' % (name, version, this_version))
        services = config.get('services')
        if isinstance(services, dict):
            forbidden = sorted(set(k for svc in services.values() if isinstance(svc, dict) for k in svc if k in FORBIDDEN))
            if forbidden:
                raise ComposeError('%s: compose file contains unsupported options: %s' % (
                    name, '; '.join('%s: %s' % (k, FORBIDDEN[k]) for k in forbidden)))
            for svc in services.values():
                if isinstance(svc, dict):
                    unsupported.update(k for k in svc if k in UNSUPPORTED)
                    deprecated.update((k, DEPRECATED[k]) for k in svc if k in DEPRECATED)
        config = interpolate(config, variables, name)
        errors = validate_schema(config, version)
        if errors:
            raise ComposeError('%s: %s' % (name, '; '.join(errors)))
        decode = _Decode(name, variables, working_dir, read_file, home)
        typed = {'version': version}
        typed['services'] = dict((key, decode.service(key, svc or {})) for key, svc in (config.get('services') or {}).items())
        for section, method in (('networks', decode.network), ('volumes', decode.volume_top)):
            if config.get(section) is not None:
                typed[section] = dict((key, method(key, value, version)) for key, value in config[section].items())
        for section, kind in (('secrets', 'secret'), ('configs', 'config')):
            if config.get(section) is not None:
                typed[section] = dict((key, decode.file_object(kind, key, value, version))
                                      for key, value in config[section].items())
        typed.update(_extras(config))
        warnings.extend(decode.warnings)
        loaded.append(typed)
    merged = merge(loaded)
    for section in SECTIONS[1:]:
        if not merged.get(section):
            merged.pop(section, None)
    if unsupported:
        warnings.append('Ignoring unsupported options: %s' % ', '.join(sorted(unsupported)))
    if deprecated:
        warnings.append('Ignoring deprecated options: %s' % '; '.join('%s: %s' % kv for kv in sorted(deprecated.items())))
    return merged, warnings


def _read_file(path):
    with open(path, 'rb') as handle:
        return handle.read()
