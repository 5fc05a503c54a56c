# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Registry credentials of the docker CLI's config, as the X-Registry-Auth header of the Engine API, standard library only.

What the Docker SDK's docker.auth did for the stack module (resolve_repository_name, get_config_header): the config
file is $DOCKER_CONFIG/config.json, else ~/.docker/config.json; a registry's credentials come from its credHelpers
entry, else the credsStore (both by running docker-credential-<name> get, as the CLI does), else its `auths` entry
(base64 user:password, or an identity token). No credentials is no header: a public image is read anonymously.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import os
import subprocess

INDEX_NAME = 'docker.io'
INDEX_URL = 'https://index.docker.io/v1/'
TOKEN_USERNAME = '<token>'


class RegistryAuthError(Exception):
    pass


def registry_of(image):
    """The registry host of an image reference (docker.io for Docker Hub's), as the CLI and the SDK split it."""
    name = image.split('@', 1)[0]
    parts = name.split('/', 1)
    if len(parts) == 1 or ('.' not in parts[0] and ':' not in parts[0] and parts[0] != 'localhost'):
        return INDEX_NAME
    return _hostname(parts[0])


def _hostname(url):
    host = url.replace('http://', '').replace('https://', '').split('/', 1)[0]
    return INDEX_NAME if host == 'index.' + INDEX_NAME else host


def config_path(environ=None):
    environ = os.environ if environ is None else environ
    if environ.get('DOCKER_CONFIG'):
        return os.path.join(environ['DOCKER_CONFIG'], 'config.json')
    return os.path.join(os.path.expanduser('~'), '.docker', 'config.json')


def load_config(path=None):
    """The docker config (a dict), {} when there is none; a file that is not JSON is an error."""
    path = path or config_path()
    if not os.path.exists(path):
        return {}
    try:
        with open(path) as handle:
            data = json.load(handle)
    except (IOError, OSError, ValueError) as exc:
        raise RegistryAuthError('cannot read %s: %s' % (path, exc))
    return data if isinstance(data, dict) else {}


def _from_helper(helper, registry, run=None):
    """Credentials from docker-credential-HELPER for REGISTRY, None when it has none."""
    server = INDEX_URL if registry == INDEX_NAME else registry
    run = run or subprocess.run
    try:
        proc = run(['docker-credential-%s' % helper, 'get'], input=server.encode('utf-8'), capture_output=True,
                   check=False)
    except OSError as exc:
        raise RegistryAuthError('cannot run docker-credential-%s: %s' % (helper, exc))
    out = (proc.stdout or b'').decode('utf-8', 'replace')
    if proc.returncode != 0:
        if 'credentials not found' in out.lower() or 'credentials not found' in (proc.stderr or b'').decode('utf-8', 'replace').lower():
            return None
        raise RegistryAuthError('docker-credential-%s get failed: %s' % (helper, out.strip() or proc.returncode))
    try:
        data = json.loads(out)
    except ValueError:
        raise RegistryAuthError('docker-credential-%s get did not answer JSON' % helper)
    if data.get('Username') == TOKEN_USERNAME:
        return {'IdentityToken': data.get('Secret'), 'ServerAddress': server}
    return {'Username': data.get('Username'), 'Password': data.get('Secret'), 'ServerAddress': server}


def _from_auths(auths, registry):
    entry = auths.get(registry)
    if entry is None:
        entry = next((value for key, value in auths.items() if _hostname(key) == registry), None)
    if not isinstance(entry, dict):
        return None
    if entry.get('identitytoken'):
        return {'IdentityToken': entry['identitytoken']}
    if not entry.get('auth'):
        return None
    try:
        user, password = base64.b64decode(entry['auth']).decode('utf-8').split(':', 1)
    except (ValueError, TypeError):
        raise RegistryAuthError('the auth entry of %s in the docker config is not base64 user:password' % registry)
    return {'username': user, 'password': password, 'email': entry.get('email'), 'serveraddress': registry}


def credentials(registry, config=None, run=None):
    """The credentials of REGISTRY (a host) in CONFIG (load_config() when None), or None."""
    config = load_config() if config is None else config
    helper = (config.get('credHelpers') or {}).get(INDEX_URL if registry == INDEX_NAME else registry) \
        or config.get('credsStore')
    if helper:
        found = _from_helper(helper, registry, run)
        if found is not None:
            return found
    return _from_auths(config.get('auths') or {}, registry)


def encode_header(auth):
    """The X-Registry-Auth value of a credentials dict: URL-safe base64 of its JSON."""
    return base64.urlsafe_b64encode(json.dumps(auth).encode('utf-8')).decode('ascii')


def auth_header(image, config=None, run=None):
    """The X-Registry-Auth value for IMAGE's registry, or None when there are no credentials for it."""
    found = credentials(registry_of(image), config, run)
    return encode_header(found) if found else None
