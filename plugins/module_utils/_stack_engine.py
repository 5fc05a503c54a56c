# -*- coding: utf-8 -*-
# Copyright: Anchorage developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The stack modules' side that talks to Docker, through the collection's Engine client (_docker_api.EngineAPI).

Standard library only: no Docker SDK. The connection (unix socket, or tcp:// over TLS with the CA, the client
certificate and the Engine's name checked; plain tcp:// only with allow_plaintext) is _docker_api's, the registry
credentials of ~/.docker/config.json (credential helpers included) are _docker_auth's. Service specs are posted as
the Engine API JSON that _compose.convert() builds, as they were when the Docker SDK carried them: the SDK's spec
helpers rebuild a spec from their own types, which differ between SDK releases and lack fields the CLI sends.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64

from ansible_collections.anchorage.swarm.plugins.module_utils._compose import NAMESPACE_LABEL
from ansible_collections.anchorage.swarm.plugins.module_utils._docker_api import (
    EngineAPIError, demux, engine_from_params, filters_query, path_part)
from ansible_collections.anchorage.swarm.plugins.module_utils._docker_auth import RegistryAuthError, auth_header


class EngineError(Exception):
    """An Engine call that failed; STATUS is the HTTP status, None when the Engine could not be reached."""

    def __init__(self, message, status=None):
        super(EngineError, self).__init__(message)
        self.status = status


class StackEngine(object):
    """The Engine calls of the stack and stack_info modules; every failure is an EngineError.

    PARAMS: the module's parameters with _docker_api.ENGINE_ARGUMENT_SPEC merged in (a docker_host string alone is
    taken too, for a local socket); WARN: the module's warn, told when the connection is plain tcp://.
    """

    def __init__(self, params, timeout=60, warn=None):
        if not isinstance(params, dict):
            params = dict(docker_host=params, timeout=timeout)
        try:
            self.api = engine_from_params(params, warn)
        except EngineAPIError as exc:
            raise EngineError(exc.message)
        self.docker_config = None

    def _call(self, what, method, path, **kwargs):
        try:
            return self.api.request(method, path, **kwargs)
        except EngineAPIError as exc:
            raise EngineError('%s: %s' % (what, exc.message), exc.status)

    def _get(self, what, path, filters=None, **kwargs):
        query = kwargs.pop('query', {})
        if filters:
            query['filters'] = filters_query(filters)
        return self._call(what, 'GET', path, query=query or None, **kwargs)

    def _post(self, what, path, body, params=None, headers=None):
        return self._call(what, 'POST', path, body=body, query=params, headers=headers) or {}

    # Reading -----------------------------------------------------------------------------------------------
    def manager_state(self):
        """(is a manager, swarm state) of the Engine we talk to."""
        try:
            record = self.api.info()
        except EngineAPIError as exc:
            raise EngineError('cannot read the Engine info: %s' % exc.message, exc.status)
        return record['manager'], record['local_state']

    def stack_filter(self, stack):
        return {'label': '%s=%s' % (NAMESPACE_LABEL, stack)}

    def services(self, stack):
        return self._get('cannot list the services', '/services', self.stack_filter(stack)) or []

    def service(self, service_id):
        return self._get('cannot read service %s' % service_id, '/services/%s' % path_part(service_id))

    def tasks(self, service_id=None, stack=None):
        filters = {'service': service_id} if service_id else self.stack_filter(stack)
        return self._get('cannot list the tasks', '/tasks', filters) or []

    def nodes(self):
        return self._get('cannot list the nodes', '/nodes') or []

    def networks(self, **filters):
        return self._get('cannot list the networks', '/networks', filters) or []

    def secrets(self, **filters):
        return self._get('cannot list the secrets', '/secrets', filters) or []

    def configs(self, **filters):
        return self._get('cannot list the configs', '/configs', filters) or []

    def file_objects(self, kind, **filters):
        """The secrets or the configs (KIND), as secrets() and configs() list them."""
        return self.secrets(**filters) if kind == 'secrets' else self.configs(**filters)

    def registry_auth(self, image):
        """The X-Registry-Auth header value for IMAGE from the docker config of the user running the module."""
        try:
            return auth_header(image)
        except RegistryAuthError as exc:
            raise EngineError('cannot read the registry credentials for %s: %s' % (image, exc))

    def distribution(self, image, with_auth=False):
        """(digest, platforms) of IMAGE in its registry, as `docker stack deploy --resolve-image` records them.

        The registry credentials of the docker config go in X-Registry-Auth only WITH_AUTH (with_registry_auth):
        the CLI lets the Engine resolve the image with the credentials it sends only with --with-registry-auth.
        """
        auth = self.registry_auth(image) if with_auth else None
        found = self._get('cannot resolve image %s' % image, '/distribution/%s/json' % path_part(image),
                          headers={'X-Registry-Auth': auth} if auth else None) or {}
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
        """Log lines of a service with the Engine's details prefix (task, node), as bytes.

        The Engine multiplexes stdout and stderr in frames unless the service has a TTY (then the stream is raw);
        the frames' payloads are joined in order, as the SDK's service_logs gave them.
        """
        query = dict(details=True, follow=False, stdout=True, stderr=True, timestamps=timestamps, tail=tail,
                     since=since if since is not None else 0)
        what = 'cannot read the logs of %s' % service_id
        raw = self._call(what, 'GET', '/services/%s/logs' % path_part(service_id), query=query, raw=True)
        spec = (self.service(service_id) or {}).get('Spec') or {}
        tty = ((spec.get('TaskTemplate') or {}).get('ContainerSpec') or {}).get('TTY', False)
        return raw if tty else demux(raw)

    # Changing ----------------------------------------------------------------------------------------------
    def create_network(self, options):
        # The body the Docker SDK's create_network sent for these arguments.
        body = {'Name': options['Name'], 'Driver': options['Driver'], 'Options': options.get('Options') or None,
                'IPAM': options.get('IPAM') or None, 'Labels': options['Labels'], 'Attachable': options['Attachable'],
                'Scope': 'swarm'}
        if options['Internal']:
            body['Internal'] = True
        return self._post('cannot create network %s' % options['Name'], '/networks/create', body)

    def remove_network(self, network_id):
        return self._call('cannot remove network %s' % network_id, 'DELETE', '/networks/%s' % path_part(network_id))

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
        return self._call('cannot remove %s %s' % (kind[:-1], object_id), 'DELETE',
                          '/%s/%s' % (kind, path_part(object_id)))

    def create_service(self, spec, auth=None):
        headers = {'X-Registry-Auth': auth} if auth else {}
        return self._post('cannot create service %s' % spec['Name'], '/services/create', spec, headers=headers)

    def update_service(self, service, spec, auth=None):
        headers = {'X-Registry-Auth': auth} if auth else {}
        params = {'version': service['Version']['Index']}
        return self._post('cannot update service %s' % spec['Name'], '/services/%s/update' % path_part(service['ID']),
                          spec, params=params, headers=headers)

    def remove_service(self, service_id):
        return self._call('cannot remove service %s' % service_id, 'DELETE', '/services/%s' % path_part(service_id))
