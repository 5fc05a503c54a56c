# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The docker CLI's context store, read and rendered without the docker CLI.

The layout and encoding are docker/cli's (cli/context/store/*.go,
cli/context/docker/load.go, cli/config/configfile/file.go):

    <config>/contexts/meta/<sha256(name)>/meta.json      0644, dirs 0755
    <config>/contexts/tls/<sha256(name)>/docker/ca.pem   0600, dirs 0700
                                               /cert.pem
                                               /key.pem
    <config>/config.json                                 "currentContext": name

meta.json is what Go's encoding/json writes for the store's Metadata struct,
byte for byte, so that a context made by `docker context create` with the same
settings is seen as unchanged. The module ``docker_context`` and the script
``scripts/machine-env.py`` (stdlib only: nothing here imports Ansible) share this
file, so the store format lives in one place. Functions that take ``entries``
are pure; ``read_entries`` and ``read_context`` are the only ones that read.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import re
import stat

try:
    from urllib.parse import urlsplit
except ImportError:  # Python 2: only for ansible-test's import check on old targets.
    from urlparse import urlsplit

ENDPOINT = 'docker'
TLS_FILES = ('ca.pem', 'cert.pem', 'key.pem')
NAME_FORMAT = '^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$'
DIR_MODES = {'meta': 0o755, 'tls': 0o700}
META_MODE = 0o644
TLS_FILE_MODE = 0o600
# Variables `docker-machine env` set, in its order; DOCKER_TLS (TLS without
# verification) is the CLI's own and stands in for DOCKER_TLS_VERIFY when
# skip_tls_verify is on.
ENV_VARS = ('DOCKER_TLS_VERIFY', 'DOCKER_TLS', 'DOCKER_HOST', 'DOCKER_CERT_PATH', 'DOCKER_MACHINE_NAME')
SHELLS = ('sh', 'fish', 'powershell')


def validate_name(name):
    """None, or why the docker CLI would refuse this context name (store.ValidateContextName)."""
    if not name:
        return 'name must not be empty'
    if name == 'default':
        return "name 'default' is reserved by the docker CLI (its built-in context from DOCKER_HOST); choose another"
    # \Z, not $: Python's $ would accept a trailing newline, Go's regexp does not.
    if not re.match(r'[a-zA-Z0-9][a-zA-Z0-9_.+-]+\Z', name):
        return ("name '%s' is not a valid docker context name: it must match %s "
                "(two characters or more, starting with a letter or digit)" % (name, NAME_FORMAT))
    return None


def context_id(name):
    """The store's folder name for a context: the hex sha256 of its name (go-digest FromString)."""
    return hashlib.sha256(name.encode('utf-8')).hexdigest()


def default_config_dir(environ=None, home=None):
    """Where the docker CLI keeps its configuration: $DOCKER_CONFIG, else ~/.docker."""
    environ = os.environ if environ is None else environ
    if environ.get('DOCKER_CONFIG'):
        return os.path.abspath(os.path.expanduser(environ['DOCKER_CONFIG']))
    return os.path.join(home if home is not None else os.path.expanduser('~'), '.docker')


def store_paths(config_dir, name):
    """Absolute paths of one context's files in the store under config_dir."""
    contexts = os.path.join(os.path.abspath(config_dir), 'contexts')
    cid = context_id(name)
    meta_dir = os.path.join(contexts, 'meta', cid)
    tls_context_dir = os.path.join(contexts, 'tls', cid)
    return dict(
        contexts=contexts,
        meta_dir=meta_dir,
        meta_file=os.path.join(meta_dir, 'meta.json'),
        tls_context_dir=tls_context_dir,
        tls_dir=os.path.join(tls_context_dir, ENDPOINT),
        config_file=os.path.join(os.path.abspath(config_dir), 'config.json'),
    )


def validate_host(host):
    """(scheme, None) for an endpoint the docker CLI can use, or (None, why not and what to write)."""
    forms = 'tcp://HOST:PORT, ssh://[USER@]HOST[:PORT] or unix:///PATH'
    if not host:
        return None, 'host must not be empty; give %s' % forms
    try:
        url = urlsplit(host)
        port = url.port
    except ValueError as exc:
        return None, "host '%s' is not a valid URL (%s); give %s" % (host, exc, forms)
    scheme = url.scheme
    if scheme == 'tcp':
        if not url.hostname or port is None:
            return None, "host '%s' needs a host name and a port: tcp://HOST:PORT (2376 for TLS)" % host
        if url.username is not None or url.path not in ('', '/') or url.query or url.fragment:
            return None, "host '%s' must be just tcp://HOST:PORT (no user, path, query or fragment)" % host
    elif scheme == 'ssh':
        if not url.hostname:
            return None, "host '%s' needs a host name: ssh://[USER@]HOST[:PORT]" % host
        if url.password is not None:
            return None, "host '%s' holds a password; the docker CLI refuses it: use an SSH key or agent" % host
        if url.query or url.fragment:
            return None, "host '%s' must not have a query or fragment: ssh://[USER@]HOST[:PORT]" % host
    elif scheme == 'unix':
        if url.netloc or not url.path.startswith('/'):
            return None, "host '%s' needs an absolute socket path: unix:///PATH (three slashes)" % host
    else:
        return None, "host '%s' has scheme '%s', which a context cannot use here; give %s" % (host, scheme, forms)
    return scheme, None


def endpoint_problems(scheme, has_tls_files, skip_tls_verify, allow_insecure):
    """(errors, warnings) about TLS for an endpoint with this scheme."""
    errors, warnings = [], []
    if scheme != 'tcp':
        if has_tls_files or skip_tls_verify:
            errors.append('tls_ca_path, tls_cert_path, tls_key_path and skip_tls_verify apply to tcp:// hosts only; '
                          'the docker CLI ignores TLS for %s:// (drop them)' % scheme)
        return errors, warnings
    if not has_tls_files and not skip_tls_verify:
        message = ('a tcp:// host without TLS files speaks plain HTTP: anyone who reaches the port controls the Engine '
                   '(root on its host)')
        if allow_insecure:
            warnings.append(message + '.')
        else:
            errors.append(message + '; give tls_ca_path, tls_cert_path and tls_key_path, '
                          'or set allow_insecure=true to accept that')
    if skip_tls_verify:
        warnings.append("skip_tls_verify=true: the Engine's certificate is not checked, so the connection can be "
                        'intercepted.')
    return errors, warnings


def pem_problem(option, data):
    """None, or why the docker CLI would not load this PEM file (cli/context/docker/load.go)."""
    try:
        text = data.decode('ascii')
    except UnicodeDecodeError:
        return '%s is not a PEM file (it is binary; DER files must be converted to PEM)' % option
    if option == 'tls_key_path':
        if not re.search(r'-----BEGIN [A-Z ]*PRIVATE KEY-----', text):
            return '%s holds no PEM private key (-----BEGIN ... PRIVATE KEY-----)' % option
        if 'BEGIN ENCRYPTED PRIVATE KEY' in text or 'Proc-Type: 4,ENCRYPTED' in text:
            return '%s is encrypted; the docker CLI no longer reads encrypted keys: give it decrypted (mode 0600)' % option
    elif '-----BEGIN CERTIFICATE-----' not in text:
        return '%s holds no PEM certificate (-----BEGIN CERTIFICATE-----)' % option
    return None


def go_json(value, indent=None):
    """JSON as Go's encoding/json writes it: no spaces, <, > and & escaped, map keys as given."""
    if indent is None:
        text = json.dumps(value, ensure_ascii=False, separators=(',', ':'))
    else:
        text = json.dumps(value, ensure_ascii=False, indent=indent, separators=(',', ': '))
    # These characters only ever appear inside JSON strings, so replacing them is safe.
    for char, escaped in (('<', '\\u003c'), ('>', '\\u003e'), ('&', '\\u0026'),
                          (u'\u2028', '\\u2028'), (u'\u2029', '\\u2029')):
        text = text.replace(char, escaped)
    return text


def _sorted(value):
    # Go marshals map[string]any with its keys sorted, at every level.
    if isinstance(value, dict):
        return dict((key, _sorted(value[key])) for key in sorted(value))
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def parse_meta(data):
    """The meta.json content as a dict, or None when it is absent or not a JSON object."""
    if data is None:
        return None
    try:
        meta = json.loads(data.decode('utf-8') if isinstance(data, bytes) else data)
    except ValueError:
        return None
    return meta if isinstance(meta, dict) else None


def render_meta(name, host, skip_tls_verify, description=None, existing=None):
    """meta.json bytes as `docker context create/update` writes them.

    description None keeps the existing one. Other Metadata fields and other
    endpoints of an existing meta.json are kept, as `docker context update` does.
    """
    existing = existing or {}
    metadata = dict(existing.get('Metadata') or {}) if isinstance(existing.get('Metadata'), dict) else {}
    if description is not None:
        metadata.pop('Description', None)
        if description:
            metadata['Description'] = description
    endpoints = dict(existing.get('Endpoints') or {}) if isinstance(existing.get('Endpoints'), dict) else {}
    docker = {}
    if host:
        docker['Host'] = host
    docker['SkipTLSVerify'] = bool(skip_tls_verify)
    endpoints[ENDPOINT] = docker
    # Top-level fields in the Go struct's order (Name, Metadata, Endpoints); maps sorted.
    ordered = [('Name', name), ('Metadata', _sorted(metadata)), ('Endpoints', _sorted(endpoints))]
    text = '{' + ','.join('%s:%s' % (go_json(key), go_json(val)) for key, val in ordered) + '}'
    return text.encode('utf-8')


def summarize_meta(meta):
    """name, host, description and skip_tls_verify of a parsed meta.json."""
    meta = meta or {}
    metadata = meta.get('Metadata') if isinstance(meta.get('Metadata'), dict) else {}
    endpoints = meta.get('Endpoints') if isinstance(meta.get('Endpoints'), dict) else {}
    docker = endpoints.get(ENDPOINT) if isinstance(endpoints.get(ENDPOINT), dict) else {}
    return dict(name=meta.get('Name', ''), host=docker.get('Host', ''),
                description=metadata.get('Description', ''), skip_tls_verify=bool(docker.get('SkipTLSVerify')))


def fingerprint(data):
    return 'sha256:' + hashlib.sha256(data).hexdigest()


# Entries describe a context's part of the store: {relative path: (content, mode)},
# relative to <config>/contexts; content is bytes for a file and None for a folder.
def relative_paths(name):
    cid = context_id(name)
    meta_dir, tls_context_dir = 'meta/' + cid, 'tls/' + cid
    tls_dir = tls_context_dir + '/' + ENDPOINT
    return dict(meta_dir=meta_dir, meta_file=meta_dir + '/meta.json',
                tls_context_dir=tls_context_dir, tls_dir=tls_dir)


def desired_entries(name, meta, tls_data):
    """The entries a context should have: its meta.json and the TLS files given ({file name: bytes})."""
    rel = relative_paths(name)
    entries = {rel['meta_dir']: (None, DIR_MODES['meta']), rel['meta_file']: (meta, META_MODE)}
    if tls_data:
        entries[rel['tls_context_dir']] = (None, DIR_MODES['tls'])
        entries[rel['tls_dir']] = (None, DIR_MODES['tls'])
        for file_name, data in tls_data.items():
            entries[rel['tls_dir'] + '/' + file_name] = (data, TLS_FILE_MODE)
    return entries


def owned(name, path, state):
    """Whether the module manages this observed path: all of the context for absent, else the docker endpoint's."""
    rel = relative_paths(name)
    if state == 'absent':
        return True
    # Other endpoints' TLS folders (tls/<id>/<other>) are left as they are; the
    # empty tls/<id> folder is removed with the docker endpoint's files.
    return (path in (rel['meta_dir'], rel['meta_file'], rel['tls_context_dir'], rel['tls_dir'])
            or path.startswith(rel['tls_dir'] + '/'))


def plan(name, observed, desired, state='present'):
    """What to do, as a sorted list of (action, relative path): create, update, chmod, remove.

    Contents are compared byte for byte and modes exactly, so a mode fix is a change.
    """
    rel = relative_paths(name)
    actions = []
    for path in sorted(desired):
        content, mode = desired[path]
        if path not in observed:
            actions.append(('create', path))
            continue
        seen_content, seen_mode = observed[path]
        if (content is None) != (seen_content is None) or (content is not None and content != seen_content):
            actions.append(('update', path))
        elif seen_mode != mode:
            actions.append(('chmod', path))
    removals = [path for path in observed if path not in desired and owned(name, path, state)]
    if state == 'present' and rel['tls_context_dir'] in removals:
        # tls/<id> goes only when nothing of another endpoint is left in it.
        others = [path for path in observed if path.startswith(rel['tls_context_dir'] + '/')
                  and path not in removals]
        if others:
            removals.remove(rel['tls_context_dir'])
    # Deepest first, so that folders are empty when their turn comes.
    actions.extend(('remove', path) for path in sorted(removals, key=lambda p: (-p.count('/'), p)))
    return actions


def label(name, path):
    """A relative store path without the context's hash, for messages: meta/meta.json, tls/docker/key.pem."""
    cid = context_id(name)
    for top in ('meta', 'tls'):
        if path == top + '/' + cid or path.startswith(top + '/' + cid + '/'):
            return top + path[len(top) + 1 + len(cid):]
    return path


def describe(name, entries):
    """Readable state for a diff: meta.json as JSON, TLS files by fingerprint only (never a key's content)."""
    rel = relative_paths(name)
    lines = []
    meta = entries.get(rel['meta_file'])
    if meta is not None:
        parsed = parse_meta(meta[0])
        body = json.dumps(parsed, indent=2, sort_keys=True) if parsed is not None else meta[0].decode('utf-8', 'replace')
        lines.append('meta.json (mode %04o):' % meta[1])
        lines.extend('  ' + line for line in body.splitlines())
    for path in sorted(entries):
        content, mode = entries[path]
        if path.startswith(rel['tls_context_dir'] + '/') and content is not None:
            lines.append('tls/%s %s (mode %04o)' % (path[len(rel['tls_context_dir']) + 1:], fingerprint(content), mode))
    return '\n'.join(lines) + '\n' if lines else ''


def read_entries(config_dir, name):
    """The entries of this context now in the store (nothing is followed outside its two folders)."""
    paths = store_paths(config_dir, name)
    rel = relative_paths(name)
    entries = {}
    for top, rel_top in ((paths['meta_dir'], rel['meta_dir']), (paths['tls_context_dir'], rel['tls_context_dir'])):
        if not os.path.isdir(top):
            continue
        for root, dirs, files in os.walk(top):
            rel_root = rel_top + root[len(top):].replace(os.sep, '/')
            entries[rel_root] = (None, stat.S_IMODE(os.stat(root).st_mode))
            for file_name in files:
                full = os.path.join(root, file_name)
                with open(full, 'rb') as handle:
                    entries[rel_root + '/' + file_name] = (handle.read(), stat.S_IMODE(os.stat(full).st_mode))
    return entries


def context_env(host, tls_dir, tls_files, skip_tls_verify, machine_name=None):
    """(variables to set, variables to unset) for a shell to use this context, as docker-machine env did.

    DOCKER_CERT_PATH is the context's own TLS folder: the CLI reads ca.pem,
    cert.pem and key.pem there, the names the store uses. Variables a previous
    eval may have left that would change how this endpoint is reached are unset.
    """
    env = {}
    unset = []
    if tls_files:
        if skip_tls_verify:
            env['DOCKER_TLS'] = '1'
            unset.append('DOCKER_TLS_VERIFY')
        else:
            env['DOCKER_TLS_VERIFY'] = '1'
        env['DOCKER_CERT_PATH'] = tls_dir
    else:
        unset.extend(['DOCKER_TLS_VERIFY', 'DOCKER_TLS', 'DOCKER_CERT_PATH'])
    env['DOCKER_HOST'] = host
    if machine_name:
        env['DOCKER_MACHINE_NAME'] = machine_name
    return env, unset


def _quote(shell, value):
    if shell == 'powershell':
        return '"%s"' % re.sub(r'([`"$])', r'`\1', value)
    if shell == 'fish':
        return '"%s"' % re.sub(r'([\\"$])', r'\\\1', value)
    return '"%s"' % re.sub(r'([\\"$`])', r'\\\1', value)


def env_lines(env, unset, shell='sh', hint=None):
    """The shell lines `docker-machine env` printed, for sh, fish or powershell."""
    # Unset lines first, so that the export lines read as docker-machine's did, in its order.
    lines = [{'sh': 'unset %s' % var, 'fish': 'set -e %s;' % var,
              'powershell': 'Remove-Item Env:\\%s -ErrorAction SilentlyContinue' % var}[shell]
             for var in ENV_VARS if var in unset and var not in env]
    for var in ENV_VARS:
        if var in env:
            value = _quote(shell, env[var])
            lines.append({'sh': 'export %s=%s' % (var, value),
                          'fish': 'set -gx %s %s;' % (var, value),
                          'powershell': '$Env:%s = %s' % (var, value)}[shell])
    if hint:
        lines.append('# Run this command to configure your shell:')
        lines.append({'sh': '# eval $(%s)' % hint, 'fish': '# eval (%s)' % hint,
                      'powershell': '# & %s | Invoke-Expression' % hint}[shell])
    return '\n'.join(lines) + '\n'


def read_context(config_dir, name):
    """The stored context as the module returns it, or None when the store has no such context."""
    paths = store_paths(config_dir, name)
    try:
        with open(paths['meta_file'], 'rb') as handle:
            meta = parse_meta(handle.read())
    except (IOError, OSError):
        return None
    if meta is None:
        return None
    tls_files = sorted(f for f in TLS_FILES if os.path.isfile(os.path.join(paths['tls_dir'], f)))
    return context_result(name, summarize_meta(meta), paths['tls_dir'], tls_files)


def context_result(name, summary, tls_dir, tls_files):
    """The module's ``context`` return value (and what the script prints from)."""
    env, unset = context_env(summary['host'], tls_dir, tls_files, summary['skip_tls_verify'])
    return dict(name=name, host=summary['host'], description=summary['description'],
                skip_tls_verify=summary['skip_tls_verify'], tls=bool(tls_files),
                tls_files=list(tls_files), tls_dir=tls_dir if tls_files else None, env=env, env_unset=unset)


def current_context_update(config_text, name, current, state):
    """(new config.json text or None when unchanged, currentContext before, after).

    current True makes this context the CLI's current one; False, or removing
    the context, unsets currentContext when it names this context (as
    `docker context rm --force` does); None leaves it. Other keys keep their
    values and order; the file is written as the CLI writes it (tab indent).
    """
    if config_text is None or not config_text.strip():
        config = {}
    else:
        config = json.loads(config_text)
        if not isinstance(config, dict):
            raise ValueError('it is not a JSON object')
    before = config.get('currentContext') or ''
    after = before
    if state == 'present' and current is True:
        after = name
    elif (state == 'absent' or current is False) and before == name:
        after = ''
    if after == before:
        return None, before, after
    if after:
        config['currentContext'] = after
    else:
        config.pop('currentContext', None)
    return go_json(config, indent='\t'), before, after
