# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure decisions about a Docker Engine's configuration and packages.

Nothing here talks to a host: the module ``daemon_config`` and the filters in
``plugins/filter/engine.py`` call these functions, and the unit tests pin them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
import json
import re

# daemon.json keys dockerd applies on SIGHUP (docs: "Configuration reload
# behavior"). Any other changed key needs a restart of dockerd.
RELOADABLE_KEYS = frozenset([
    'authorization-plugins',
    'debug',
    'default-runtime',
    'features',
    'insecure-registries',
    'labels',
    'live-restore',
    'max-concurrent-downloads',
    'max-concurrent-uploads',
    'max-download-attempts',
    'registry-mirrors',
    'runtimes',
    'shutdown-timeout',
])

# Keys and JSON types dockerd 20.10 and later accept. Engines from 23.0 on
# validate a file themselves (`dockerd --validate`); this table is what older
# Engines (Debian 12 ships 20.10) are checked against instead, since a file
# they reject would stop the daemon at its next restart.
KNOWN_KEYS = {
    'allow-nondistributable-artifacts': list,
    'api-cors-header': str,
    'authorization-plugins': list,
    'bip': str,
    'bridge': str,
    'builder': dict,
    'cgroup-parent': str,
    'containerd': str,
    'containerd-namespace': str,
    'containerd-plugin-namespace': str,
    'cri-containerd': bool,
    'data-root': str,
    'debug': bool,
    'default-address-pools': list,
    'default-cgroupns-mode': str,
    'default-gateway': str,
    'default-gateway-v6': str,
    'default-ipc-mode': str,
    'default-network-opts': dict,
    'default-runtime': str,
    'default-shm-size': str,
    'default-ulimits': dict,
    'dns': list,
    'dns-opts': list,
    'dns-search': list,
    'exec-opts': list,
    'exec-root': str,
    'experimental': bool,
    'features': dict,
    'fixed-cidr': str,
    'fixed-cidr-v6': str,
    'group': str,
    'host-gateway-ip': str,
    'hosts': list,
    'icc': bool,
    'init': bool,
    'init-path': str,
    'insecure-registries': list,
    'ip': str,
    'ip-forward': bool,
    'ip-masq': bool,
    'ip6tables': bool,
    'iptables': bool,
    'ipv6': bool,
    'labels': list,
    'live-restore': bool,
    'log-driver': str,
    'log-format': str,
    'log-level': str,
    'log-opts': dict,
    'max-concurrent-downloads': int,
    'max-concurrent-uploads': int,
    'max-download-attempts': int,
    'metrics-addr': str,
    'mtu': int,
    'no-new-privileges': bool,
    'node-generic-resources': list,
    'oom-score-adjust': int,
    'pidfile': str,
    'raw-logs': bool,
    'registry-mirrors': list,
    'runtimes': dict,
    'seccomp-profile': str,
    'selinux-enabled': bool,
    'shutdown-timeout': int,
    'storage-driver': str,
    'storage-opts': list,
    'swarm-default-advertise-addr': str,
    'tls': bool,
    'tlscacert': str,
    'tlscert': str,
    'tlskey': str,
    'tlsverify': bool,
    'userland-proxy': bool,
    'userland-proxy-path': str,
    'userns-remap': str,
}

ENUM_VALUES = {
    'log-level': ('debug', 'info', 'warn', 'error', 'fatal'),
    'default-cgroupns-mode': ('host', 'private'),
    'default-ipc-mode': ('shareable', 'private'),
}

# Short command-line flags and the daemon.json key each one sets.
SHORT_FLAGS = {
    '-H': 'hosts',
    '-D': 'debug',
    '-G': 'group',
    '-b': 'bridge',
    '-l': 'log-level',
    '-p': 'pidfile',
}
# Long flags whose name is not the daemon.json key.
LONG_FLAG_KEYS = {
    'host': 'hosts',
    'label': 'labels',
    'dns-opt': 'dns-opts',
    'exec-opt': 'exec-opts',
    'log-opt': 'log-opts',
    'storage-opt': 'storage-opts',
    'insecure-registry': 'insecure-registries',
    'registry-mirror': 'registry-mirrors',
    'add-runtime': 'runtimes',
    'default-ulimit': 'default-ulimits',
    'authorization-plugin': 'authorization-plugins',
    'default-address-pool': 'default-address-pools',
    'tlsverify': 'tlsverify',
}

_MISSING = object()

TYPE_NAMES = {bool: 'a boolean', str: 'a string', int: 'an integer', list: 'a list', dict: 'a mapping'}


def flag_key(flag):
    """Return the daemon.json key a dockerd command-line flag sets, or None."""
    flag = flag.strip()
    if not flag.startswith('-'):
        return None
    # --name=value and --name value both occur in unit files.
    name = flag.split('=', 1)[0].split(None, 1)[0]
    if name.startswith('--'):
        name = name[2:]
        return LONG_FLAG_KEYS.get(name, name)
    return SHORT_FLAGS.get(name[:2])


def flag_conflicts(config, flags):
    """Keys set both in ``config`` and by a flag; dockerd refuses to start on any."""
    return sorted(set(flag_key(f) for f in flags or []) & set(config or {}))


def dockerd_flags(config, base_flags):
    """Drop the base flags whose setting daemon.json already makes.

    A packaged unit starts ``dockerd -H fd:// --containerd=...``; with
    ``hosts`` or ``containerd`` in daemon.json that start fails, so the drop-in
    keeps only the flags daemon.json leaves free.
    """
    keys = set(config or {})
    return [f for f in base_flags or [] if flag_key(f) not in keys]


# daemon.json keys that the TLS listener of engine_tls sets through the drop-in's flags.
TLS_KEYS = ('hosts', 'tls', 'tlsverify', 'tlscacert', 'tlscert', 'tlskey')


# dockerd flags (pflag) that take a value; booleans (--tlsverify, --tls) never take the next argument.
_VALUE_KEYS = ('hosts', 'tlscacert', 'tlscert', 'tlskey')
_TRUE = ('1', 't', 'true')
_FALSE = ('0', 'f', 'false')


def parse_flags(flags):
    """dockerd's flags as ``(key, value, spelling)``, the way pflag reads them.

    A list item may hold one flag (``-H tcp://x``) or a part of one (``['-H', 'tcp://x']``):
    items are split on blanks, as systemd splits ExecStart. ``-Hx``, ``-H=x``, ``-H x``,
    ``--host=x`` and ``--host x`` give the same value. A boolean flag takes a value only
    with '=' (``--tlsverify=false``); a word after it is a stray argument (key None).
    """
    tokens = []
    for item in flags or []:
        tokens.extend(str(item).split())
    parsed = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        key = flag_key(token)
        if key is None:
            parsed.append((None, token, token))
            continue
        if token.startswith('--'):
            name, sep, value = token.partition('=')
            has_value = bool(sep)
        else:
            value = token[2:]
            if value.startswith('='):
                value = value[1:]
            has_value = bool(token[2:])
        if key in _VALUE_KEYS and not has_value and i < len(tokens):
            value = tokens[i]
            token = token + ' ' + value
            i += 1
            has_value = True
        if key not in _VALUE_KEYS and not has_value:
            value = 'true'
        parsed.append((key, value, token))
    return parsed


def _host_problem(host):
    """None for a listener that is not TCP; else ``(address, port)``; else a message (not a dockerd listener)."""
    host = str(host).strip()
    scheme, sep, address = host.partition('://')
    if not sep:
        # dockerd reads an address without a scheme as tcp:// (opts.ParseDaemonHost).
        scheme, address = 'tcp', host
    scheme = scheme.lower()
    if scheme in ('unix', 'fd', 'npipe'):
        return None
    if scheme != 'tcp':
        return ("%s is not an address dockerd can listen on (dockerd serves unix://, fd:// and tcp:// with TLS; "
                "ssh:// is a client's DOCKER_HOST): remove it from %%s" % host)
    address = address.split('/', 1)[0]
    if address.startswith('['):
        port = address.partition(']')[2]
        port = port[1:] if port.startswith(':') else ''
    else:
        port = address.rpartition(':')[2] if ':' in address else ''
    return (host, port)


def tcp_hosts(config, flags):
    """Every tcp:// address dockerd would listen on, from daemon.json ``hosts`` and -H/--host flags."""
    hosts = list(_config_hosts(config))
    hosts += [value for key, value, spelling in parse_flags(flags) if key == 'hosts']
    return [str(h).strip() for h in hosts if isinstance(_host_problem(h), tuple)]


def _config_hosts(config):
    hosts = (config or {}).get('hosts') or []
    return [hosts] if isinstance(hosts, str) else list(hosts)


ROLE_TLS_HOW = ("set engine_tls: true (the role listens on engine_tls_port, 2376, with --tlsverify and its own CA), "
                "or give dockerd tlsverify: true with tlscacert, tlscert and tlskey")
MODULE_TLS_HOW = "set tlsverify: true with tlscacert, tlscert and tlskey in config (or --tlsverify and --tlscacert, " \
                 "--tlscert, --tlskey in flags)"


def tls_problems(config, flags, tls_enabled, where='engine_dockerd_flags / daemon.json hosts', how=ROLE_TLS_HOW):
    """What is wrong with the Engine's listeners, as messages naming the setting and the fix.

    A tcp:// listener without TLS client verification (``tlsverify`` true and ``tlscacert``,
    ``tlscert``, ``tlskey`` all given) serves the Engine API, which is root on the node, to
    anyone who can reach the port (the classic plain 2375): it is always refused, whatever
    the spelling (-H, -H=, -Hx, --host, --host=, an address without scheme, daemon.json hosts).
    With ``tls_enabled`` the role passes -H and the TLS flags itself, so daemon.json must
    not set them too (dockerd refuses a setting made both ways).
    """
    config = config or {}
    problems = []
    if tls_enabled:
        for key in TLS_KEYS:
            if key in config:
                problems.append(
                    "daemon.json (engine_daemon_config) sets '%s' while engine_tls is on: the role gives dockerd its "
                    "listeners and TLS files as flags in the systemd drop-in, and dockerd refuses a setting made both "
                    "ways; remove '%s' from daemon.json" % (key, key))
    parsed = parse_flags(flags)
    settings = {}
    for key in ('tlsverify', 'tlscacert', 'tlscert', 'tlskey'):
        if key in config:
            settings[key] = config[key]
    for index, (key, value, spelling) in enumerate(parsed):
        if key is None and index and parsed[index - 1][0] == 'tlsverify' and '=' not in parsed[index - 1][2]:
            problems.append(
                "'%s %s' in %s: dockerd's boolean flags take a value only with '=' "
                "(--tlsverify=%s); the separate word is a stray argument and dockerd does not start"
                % (parsed[index - 1][2], value, where.split(' / ')[0], value))
        if key in settings or key in ('tlsverify', 'tlscacert', 'tlscert', 'tlskey'):
            settings[key] = value
    flags_where = where.split(' / ')[0]
    for key, value, spelling in parsed:
        if key == 'tlsverify' and '=' in spelling and value.strip().lower() in _FALSE:
            # dockerd (setDefaultOptions / IsValueSet(FlagTLSVerify)) turns TLS on when --tlsverify is given at all,
            # whatever its value, and then serves TLS without checking client certificates.
            problems.append(
                "'%s' in %s: dockerd turns TLS on for any --tlsverify, whatever its value, and then serves the Engine "
                "API over TLS without verifying clients (and fails to start without tlscert and tlskey); remove it "
                "(without a tcp:// listener no TLS flag is needed), or %s" % (spelling, flags_where, how))
    verify = settings.get('tlsverify')
    if isinstance(verify, str):
        verify = verify.strip().lower() in _TRUE
    verify = verify is True
    missing = [k for k in ('tlscacert', 'tlscert', 'tlskey') if not settings.get(k)]
    config_where = where.split(' / ')[-1]
    hosts = [(h, 'it from %s' % config_where, '') for h in _config_hosts(config)]
    hosts += [(value, "'%s' from %s" % (spelling, flags_where), " (given as '%s' in %s)" % (spelling, flags_where))
              for key, value, spelling in parsed if key == 'hosts']
    for host, remove, given in hosts:
        found = _host_problem(host)
        if found is None:
            continue
        if not isinstance(found, tuple):
            problems.append(found % where)
            continue
        host, port = found
        # 2375 is where clients speak plain HTTP to the Engine: never opened, even when --tlsverify would cover it
        # (it covers every tcp:// listener). A tcp:// address without a port means 2375 without TLS too.
        if port in ('2375', ''):
            problems.append(
                "%s would open port 2375, the Engine API's unencrypted port (a tcp:// address without a port means "
                "2375): remove %s and %s" % (host, remove, how))
        elif not verify or missing:
            problems.append(
                "%s would serve the Engine API without TLS client verification (%s; anyone reaching the port is root "
                "on the node)%s: %s" % (host, 'tlsverify is not true' if not verify else
                                        'no %s given' % ', '.join(missing), given, how))
    return problems


def changed_keys(before, after):
    """Sorted keys added, removed or changed between two daemon.json dicts."""
    before = before or {}
    after = after or {}
    return sorted(k for k in set(before) | set(after) if before.get(k, _MISSING) != after.get(k, _MISSING))


def apply_action(before, after):
    """How the change from ``before`` to ``after`` reaches a running dockerd.

    ``none``, ``reload`` (SIGHUP) or ``restart``. A reload applies only the keys
    present in the new file: a removed key keeps its old value in the running
    daemon until a restart, so removing any key needs a restart.
    """
    before = before or {}
    after = after or {}
    keys = changed_keys(before, after)
    if not keys:
        return 'none'
    if all(k in RELOADABLE_KEYS and k in after for k in keys):
        return 'reload'
    return 'restart'


def running_config_action(record, dockerd, files):
    """Whether the running dockerd still has to pick up the files it is configured by.

    A role writes daemon.json, the systemd drop-in and the TLS files, then restarts dockerd from a handler; a run that
    fails in between leaves new files under an old dockerd, and the next run finds nothing to write. So the role keeps
    a record of the files as the running dockerd read them, and compares it with the files at the start of each run.

    ``record`` is ``{'dockerd': identity, 'files': {path: digest}}`` or None; ``dockerd`` the identity of the running
    dockerd (``[pid, start time]``) or None when none runs; ``files`` ``{path: digest or None}`` as they are now.
    Returns ``(action, paths)``:

    - ``none``: no dockerd runs (it starts with the files as they are), or the record matches the files;
    - ``record``: no record, or a dockerd other than the recorded one runs. It started after the last record was made
      (a reboot, a package upgrade, an outside restart), and every write of the role comes after a record, so it read
      the files as they are now: record them;
    - ``restart``: the recorded dockerd still runs and ``paths`` changed since it read them.
    """
    if dockerd is None:
        return 'none', []
    if not record or list(record.get('dockerd') or []) != list(dockerd):
        return 'record', []
    recorded = record.get('files') or {}
    paths = sorted(p for p in files if recorded.get(p) != files[p])
    return ('restart', paths) if paths else ('none', [])


def _type_ok(value, expected):
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


def validate_config(config, known_keys_only=True):
    """Problems a dockerd 20.10 would find in ``config``; an empty list if none.

    Each message names the key and says what would be accepted. With
    ``known_keys_only=False`` (a newer Engine, which knows keys this table
    does not) keys missing from the table pass and only known keys' values
    are checked.
    """
    problems = []
    if not isinstance(config, dict):
        return ['daemon.json must be a mapping of option names to values, got %s' % type(config).__name__]
    for key in sorted(config):
        value = config[key]
        expected = KNOWN_KEYS.get(key)
        if expected is None:
            if known_keys_only:
                close = difflib.get_close_matches(key, KNOWN_KEYS, n=1)
                hint = " (did you mean '%s'?)" % close[0] if close else ''
                problems.append("unknown key '%s'%s: dockerd refuses keys it does not know (\"the following directives "
                                "don't match any configuration option\")" % (key, hint))
            continue
        if not _type_ok(value, expected):
            problems.append("key '%s' must be %s, got %s" % (key, TYPE_NAMES[expected], json.dumps(value)))
            continue
        allowed = ENUM_VALUES.get(key)
        if allowed and value not in allowed:
            problems.append("key '%s' must be one of %s, got %s" % (key, ', '.join(allowed), json.dumps(value)))
    return problems


def engine_release(version):
    """(major, minor) of an Engine package version, or None when it cannot be read.

    Handles an epoch and a packaging revision: ``5:27.3.1-1~debian.12~bookworm``
    is (27, 3), ``20.10.24+dfsg1-1+deb12u1`` is (20, 10).
    """
    match = re.match(r'^(?:[0-9]+:)?([0-9]+)\.([0-9]+)', version or '')
    return (int(match.group(1)), int(match.group(2))) if match else None


def table_validation(version):
    """How the key table checks a daemon.json for an Engine of ``version`` that is not installed yet.

    ``all`` (unknown keys and values: the table is what Engines before 23.0
    accept), ``values`` (a newer or unknown release may accept keys the table
    lacks: check only the values of known keys).
    """
    release = engine_release(version)
    return 'all' if release is not None and release < (23, 0) else 'values'


def supports_validate(help_text):
    """Whether a dockerd's --help output offers ``--validate`` (Engine 23.0+)."""
    return re.search(r'(^|\s)--validate\b', help_text or '') is not None


def validate_error_message(output, tmp_path):
    """Turn dockerd --validate output into one line that names the key.

    dockerd prints the temporary file's path; the user knows the file as
    daemon.json, so the path is dropped.
    """
    text = ' '.join((output or '').split())
    text = re.sub(r'^unable to configure the Docker daemon with file \S+: ', '', text)
    text = text.replace(tmp_path or '\0', 'daemon.json')
    return text or 'dockerd rejected the configuration'


def render(config):
    """daemon.json text as this collection writes it: stable key order, indented."""
    return json.dumps(config, indent=2, sort_keys=True) + '\n'


def version_regex(requested):
    """A requested Engine version as a regular expression over package versions.

    ``requested`` is exact or a glob (``*``, ``?``). The package version may
    carry an epoch in front and, after an upstream version, a Debian or RPM
    revision: ``26.1.*`` selects ``26.1.5+dfsg1-9``, ``27.3.1`` selects
    ``5:27.3.1-1~debian.12~bookworm``. The expression is valid both for Python
    and for an apt preferences ``Pin: version /.../`` line.
    """
    body = re.escape(requested).replace(r'\*', '.*').replace(r'\?', '.')
    return '^([0-9]+:)?' + body + '([-+~].*)?$'


def match_versions(requested, available):
    """Available package versions that the requested version selects (see version_regex).

    Kept in the order given (newest first, as apt lists them). An empty or
    ``latest`` request selects everything.
    """
    if not requested or requested == 'latest':
        return list(available)
    pattern = re.compile(version_regex(requested))
    return [v for v in available if pattern.match(v)]


def parse_madison(output):
    """Versions from ``apt-cache madison PACKAGE`` output, newest first, unique."""
    versions = []
    for line in (output or '').splitlines():
        parts = [p.strip() for p in line.split('|')]
        if len(parts) >= 2 and parts[1] and parts[1] not in versions:
            versions.append(parts[1])
    return versions


def deb_bundle(paths):
    """The packages of an offline bundle: one {path, name, version, arch} for each NAME_VERSION_ARCH.deb file.

    Debian archive names write an epoch's ``:`` as ``%3a``; the version is given with the ``:``. Files whose name
    is not of that form are left out. Sorted by path, so that the order does not depend on the file system.
    """
    debs = []
    for path in sorted(paths):
        base = path.rsplit('/', 1)[-1]
        if base.endswith('.deb'):
            base = base[:-len('.deb')]
        parts = base.split('_')
        if len(parts) == 3:
            debs.append({'path': path, 'name': parts[0], 'arch': parts[2],
                         'version': parts[1].replace('%3a', ':').replace('%3A', ':')})
    return debs


def select_version(available, requested='', installed=''):
    """The version to install: the installed one when ``requested`` selects it (kept, never moved), else the newest
    of ``available`` (newest first, as apt lists them) that it selects; '' when none does."""
    if installed and match_versions(requested, [installed]):
        return installed
    matching = match_versions(requested, available)
    return matching[0] if matching else ''
