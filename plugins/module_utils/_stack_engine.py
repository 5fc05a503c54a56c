# -*- coding: utf-8 -*-
# Copyright: Anchorage developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The stack modules' side that talks to Docker, through the Docker SDK for Python (docker.APIClient).

The SDK gives the connection (unix socket, DOCKER_HOST, API version negotiation) and the registry credentials of
~/.docker/config.json including credential helpers. Service specs are posted as the Engine API JSON that
_compose.convert() builds, not through the SDK's spec helpers: those rebuild the spec from their own types, which
differ between SDK releases (Debian 12 ships 5.0, Debian 13 7.1) and lack fields the CLI sends.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import traceback

try:
    import docker
    import docker.auth
    from docker.errors import APIError, DockerException
    from requests.exceptions import RequestException
    HAS_DOCKER = True
    DOCKER_IMPORT_ERROR = None
except ImportError:
    HAS_DOCKER = False
    DOCKER_IMPORT_ERROR = traceback.format_exc()

    class DockerException(Exception):
        pass

    APIError = RequestException = DockerException

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.anchorage.swarm.plugins.module_utils._compose import NAMESPACE_LABEL


def require_sdk(module):
    """Fail MODULE with the usual message when the Docker SDK for Python cannot be imported."""
    if not HAS_DOCKER:
        module.fail_json(msg=missing_required_lib('docker (the Docker SDK for Python, python3-docker on Debian)'),
                         exception=DOCKER_IMPORT_ERROR)


class EngineError(Exception):
    """An Engine call that failed; STATUS is the HTTP status, None when the Engine could not be reached."""

    def __init__(self, message, status=None):
        super(EngineError, self).__init__(message)
        self.status = status


def _explain(exc):
    if isinstance(exc, APIError):
        return exc.explanation or str(exc), getattr(exc, 'status_code', None)
    response = getattr(exc, 'response', None)
    if response is not None:
        try:
            return response.json().get('message') or response.text, response.status_code
        except ValueError:
            return response.text or str(exc), response.status_code
    return str(exc), None


class StackEngine(object):
    """The Engine calls of the stack and stack_info modules; every failure is an EngineError."""

    def __init__(self, docker_host, timeout=60):
        try:
            self.client = docker.APIClient(base_url=docker_host, version='auto', timeout=timeout)
        except (DockerException, RequestException) as exc:
            raise EngineError('cannot connect to the Engine at %s: %s' % (docker_host, _explain(exc)[0]))

    def _call(self, what, func, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (DockerException, RequestException) as exc:
            message, status = _explain(exc)
            raise EngineError('%s: %s' % (what, message), status)

    def _post(self, what, path, body, params=None, headers=None):
        url = '%s/v%s%s' % (self.client.base_url, self.client.api_version, path)
        all_headers = {'Content-Type': 'application/json'}
        all_headers.update(headers or {})

        def post():
            response = self.client.post(url, data=json.dumps(body), params=params or {}, headers=all_headers)
            response.raise_for_status()
            return response.json() if response.content else {}
        return self._call(what, post)

    # Reading -----------------------------------------------------------------------------------------------
    def manager_state(self):
        """(is a manager, swarm state) of the Engine we talk to."""
        info = self._call('cannot read the Engine info', self.client.info)
        swarm = info.get('Swarm') or {}
        return bool(swarm.get('ControlAvailable')), swarm.get('LocalNodeState') or 'inactive'

    def stack_filter(self, stack):
        return {'label': '%s=%s' % (NAMESPACE_LABEL, stack)}

    def services(self, stack):
        return self._call('cannot list the services', self.client.services, filters=self.stack_filter(stack))

    def service(self, service_id):
        return self._call('cannot read service %s' % service_id, self.client.inspect_service, service_id)

    def tasks(self, service_id=None, stack=None):
        filters = {'service': service_id} if service_id else self.stack_filter(stack)
        return self._call('cannot list the tasks', self.client.tasks, filters=filters)

    def nodes(self):
        return self._call('cannot list the nodes', self.client.nodes)

    def networks(self, **filters):
        return self._call('cannot list the networks', self.client.networks, filters=filters or None)

    def secrets(self, **filters):
        return self._call('cannot list the secrets', self.client.secrets, filters=filters or None)

    def configs(self, **filters):
        return self._call('cannot list the configs', self.client.configs, filters=filters or None)

    def file_objects(self, kind, **filters):
        """The secrets or the configs (KIND), as secrets() and configs() list them."""
        return self.secrets(**filters) if kind == 'secrets' else self.configs(**filters)

    def registry_auth(self, image):
        """The X-Registry-Auth header value for IMAGE from the docker config of the user running the module."""
        registry = docker.auth.resolve_repository_name(image.split('@', 1)[0])[0]
        return self._call('cannot read the registry credentials for %s' % registry,
                          docker.auth.get_config_header, self.client, registry)

    def distribution(self, image):
        """(digest, platforms) of IMAGE in its registry, as `docker stack deploy --resolve-image` records them."""
        found = self._call('cannot resolve image %s' % image, self.client.inspect_distribution, image)
        # The Engine answers with the OCI descriptor's own (lower case) keys: digest, architecture, os.
        descriptor = found.get('Descriptor') or {}
        platforms = []
        for platform in found.get('Platforms') or []:
            os_name = platform.get('os') or platform.get('OS') or ''
            arch = platform.get('architecture') or platform.get('Architecture') or ''
            if 'unknown' in (os_name, arch):
                continue
            entry = {'Architecture': '' if arch.lower() == 'arm' else arch, 'OS': os_name}
            if entry not in platforms:
                platforms.append(entry)
        return descriptor.get('digest') or descriptor.get('Digest'), platforms

    def logs(self, service_id, tail='all', since=None, timestamps=False):
        """Log lines of a service with the Engine's details prefix (task, node), as bytes."""
        kwargs = dict(details=True, follow=False, stdout=True, stderr=True, timestamps=timestamps, tail=tail)
        if since is not None:
            kwargs['since'] = since
        return self._call('cannot read the logs of %s' % service_id, self.client.service_logs, service_id, **kwargs)

    # Changing ----------------------------------------------------------------------------------------------
    def create_network(self, options):
        kwargs = dict(driver=options['Driver'], options=options.get('Options') or None, internal=options['Internal'],
                      labels=options['Labels'], attachable=options['Attachable'], scope='swarm')
        if options.get('IPAM'):
            kwargs['ipam'] = options['IPAM']
        return self._call('cannot create network %s' % options['Name'], self.client.create_network, options['Name'], **kwargs)

    def remove_network(self, network_id):
        return self._call('cannot remove network %s' % network_id, self.client.remove_network, network_id)

    def create_file_object(self, kind, obj):
        """Create a secret or config; returns its ID. The data is sent, never returned or logged."""
        body = {'Name': obj['name'], 'Labels': obj['labels'],
                'Data': base64.b64encode(obj['data']).decode('ascii')}
        if obj.get('driver'):
            body['Driver'] = obj['driver']
        if obj.get('templating'):
            body['Templating'] = obj['templating']
        return self._post('cannot create %s %s' % (kind[:-1], obj['name']), '/%s/create' % kind, body).get('ID')

    def remove_file_object(self, kind, object_id):
        func = self.client.remove_secret if kind == 'secrets' else self.client.remove_config
        return self._call('cannot remove %s %s' % (kind[:-1], object_id), func, object_id)

    def create_service(self, spec, auth=None):
        headers = {'X-Registry-Auth': auth} if auth else {}
        return self._post('cannot create service %s' % spec['Name'], '/services/create', spec, headers=headers)

    def update_service(self, service, spec, auth=None):
        headers = {'X-Registry-Auth': auth} if auth else {}
        params = {'version': service['Version']['Index']}
        return self._post('cannot update service %s' % spec['Name'], '/services/%s/update' % service['ID'], spec,
                          params=params, headers=headers)

    def remove_service(self, service_id):
        return self._call('cannot remove service %s' % service_id, self.client.remove_service, service_id)
