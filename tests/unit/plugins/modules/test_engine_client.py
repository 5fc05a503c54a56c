# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collection's one Engine client (_docker_api) and the registry credentials it sends (_docker_auth).

TLS is checked against real TLS servers on 127.0.0.1 with throwaway certificates made here (cryptography): a server
certificate that names another host must fail the handshake, since hostname verification cannot be turned off.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import ipaddress
import json
import socketserver
import ssl
import struct
import subprocess
import threading

import pytest

from ansible_collections.anchorage.swarm.plugins.module_utils import _docker_auth as A
from ansible_collections.anchorage.swarm.plugins.module_utils._docker_api import (
    ENGINE_ARGUMENT_SPEC, EngineAPI, EngineAPIError, demux, engine_argument_spec, engine_from_params, filters_query,
    info_record)

pytest.importorskip('cryptography', reason='the test certificates are made with cryptography')
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402

from test_stack_engine_requests import Handler, RecordingEngine  # noqa: E402
from test_swarm_node_info_tls import _issue, _write  # noqa: E402

INFO = {'ServerVersion': '20.10.24+dfsg1', 'Name': 'node1', 'OperatingSystem': 'Debian GNU/Linux 12 (bookworm)',
        'KernelVersion': '6.1.0-28-amd64',
        'Swarm': {'NodeID': 'n1', 'NodeAddr': '10.0.0.11', 'LocalNodeState': 'active', 'ControlAvailable': True,
                  'Error': '', 'RemoteManagers': [{'NodeID': 'n1', 'Addr': '10.0.0.11:2377'}],
                  'Cluster': {'ID': 'c1', 'CreatedAt': '2026-11-26T14:15:00Z'}}}


class _TLSHandler(Handler):
    def handle(self):
        try:
            Handler.handle(self)
        except (ssl.SSLError, OSError):
            pass  # a client that refused our certificate hangs up mid-handshake

    def log_message(self, *args):
        pass


def _serve(context=None):
    """test_swarm_modules' fake Engine on 127.0.0.1 over plain HTTP, or TLS with CONTEXT; it answers GET /info."""
    class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
        daemon_threads = True

        def get_request(self):
            sock, address = self.socket.accept()
            return (context.wrap_socket(sock, server_side=True) if context else sock), address

    server = Server(('127.0.0.1', 0), _TLSHandler)
    server.engine = RecordingEngine('').on('GET', '/info', (200, INFO))
    server.engine.docker_host = 'tcp://127.0.0.1:%d' % server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope='module')
def pki(tmp_path_factory):
    """A CA; a client certificate; server certificates for 127.0.0.1 (right) and for engine.example only (wrong)."""
    root = tmp_path_factory.mktemp('pki')
    ca_key = ec.generate_private_key(ec.SECP256R1())
    out = {'ca': _write(root / 'ca.pem', cert=_issue('ca', ca_key, 'ca', ca_key, ca=True))}
    names = {'right': [x509.IPAddress(ipaddress.ip_address('127.0.0.1'))],
             'wrong': [x509.DNSName('engine.example'), x509.IPAddress(ipaddress.ip_address('192.0.2.10'))],
             'client': None}
    for name, sans in names.items():
        key = ec.generate_private_key(ec.SECP256R1())
        out[name + '_cert'] = _write(root / (name + '.pem'), cert=_issue(name, key, 'ca', ca_key, sans=sans))
        out[name + '_key'] = _write(root / (name + '-key.pem'), key=key)
    return out


@pytest.fixture
def serve(pki):
    """serve(None): a plain HTTP fake Engine; serve('right'|'wrong'): behind TLS with that server certificate."""
    servers = []

    def start(which=None):
        context = None
        if which:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=pki['ca'])
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_cert_chain(pki[which + '_cert'], pki[which + '_key'])
        servers.append(_serve(context))
        return servers[-1].engine
    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def plain_engine(serve):
    return serve()


@pytest.fixture
def tls_engine(serve):
    return serve('right')


@pytest.fixture
def wrong_name_engine(serve):
    return serve('wrong')


def _host(engine):
    return engine.docker_host


def _tls(pki):
    return {'ca_path': pki['ca'], 'client_cert': pki['client_cert'], 'client_key': pki['client_key']}


# Plain tcp:// ----------------------------------------------------------------------------------------------------

def test_plain_tcp_is_refused_before_anything_is_sent(plain_engine):
    with pytest.raises(EngineAPIError) as caught:
        EngineAPI(_host(plain_engine), timeout=5)
    message = caught.value.message
    assert caught.value.status is None
    assert message.startswith('%s is reached over TLS only: give ca_path, client_cert, client_key. Plain %s is not '
                              'encrypted: use TLS (ca_path, client_cert, client_key) or set allow_plaintext=true'
                              % (_host(plain_engine), _host(plain_engine)))
    assert plain_engine.requests == []


def test_plain_tcp_is_refused_through_the_module_parameters_too(plain_engine):
    params = dict((k, v.get('default')) for k, v in ENGINE_ARGUMENT_SPEC.items())
    params['docker_host'] = _host(plain_engine)
    with pytest.raises(EngineAPIError, match='is not encrypted'):
        engine_from_params(params)


def test_plain_tcp_with_allow_plaintext_is_plain_http(plain_engine):
    warnings = []
    api = engine_from_params(dict(docker_host=_host(plain_engine), timeout=5, allow_plaintext=True), warnings.append)
    assert api.tls is False and api.plaintext is True
    assert warnings == ['%s is plain HTTP (allow_plaintext=true): what is sent to the Engine crosses the network '
                        'unencrypted and unauthenticated' % _host(plain_engine)]
    assert api.info()['hostname'] == 'node1'
    assert [(r['method'], r['path']) for r in plain_engine.requests] == [('GET', '/info')]


def test_allow_plaintext_never_downgrades_given_tls_files(tls_engine, pki):
    api = EngineAPI(_host(tls_engine), timeout=5, tls=_tls(pki), allow_plaintext=True)
    assert api.tls is True and api.info()['local_state'] == 'active'


def test_some_tls_files_missing_is_refused_even_with_allow_plaintext():
    with pytest.raises(EngineAPIError) as caught:
        EngineAPI('tcp://127.0.0.1:2376', tls={'ca_path': '/ca.pem'}, allow_plaintext=True)
    assert caught.value.message.startswith('tcp://127.0.0.1:2376 is reached over TLS only: give client_cert, client_key')


# TLS -------------------------------------------------------------------------------------------------------------

def test_tls_with_ca_and_client_certificate_works(tls_engine, pki):
    api = engine_from_params(dict(docker_host=_host(tls_engine), timeout=5, allow_plaintext=False, **_tls(pki)))
    assert api.info()['manager'] is True


def test_a_certificate_for_another_host_name_fails_the_handshake(wrong_name_engine, pki):
    """Signed by the right CA, but for engine.example: hostname verification is on, so nothing is sent."""
    api = EngineAPI(_host(wrong_name_engine), timeout=5, tls=_tls(pki))
    with pytest.raises(EngineAPIError) as caught:
        api.get('/info')
    assert caught.value.status is None
    assert 'CERTIFICATE_VERIFY_FAILED' in caught.value.message
    assert "IP address mismatch, certificate is not valid for '127.0.0.1'" in caught.value.message
    assert wrong_name_engine.requests == []


# Requests --------------------------------------------------------------------------------------------------------

def test_delete_headers_queries_and_raw_answers(plain_engine):
    logs = b'\x01\x00\x00\x00\x00\x00\x00\x03hi\n'
    plain_engine.on('DELETE', '/services/abc', (200, None)).on('GET', '/services/abc/logs', (200, logs))
    plain_engine.on('POST', '/services/create', (201, {'ID': 'abc'}))
    api = EngineAPI(_host(plain_engine), timeout=5, allow_plaintext=True)
    assert api.delete('/services/abc') is None
    assert api.get('/services/abc/logs', query={'follow': False, 'since': None}, raw=True) == logs
    assert api.post('/services/create', {'Name': 'x'}, headers={'X-Registry-Auth': 'e30='}) == {'ID': 'abc'}
    delete, logs_read, create = plain_engine.requests
    assert delete['method'] == 'DELETE'
    assert logs_read['query'] == {'follow': 'false'}
    assert create['headers']['X-Registry-Auth'] == 'e30=' and create['body'] == {'Name': 'x'}
    assert create['headers']['Content-Type'] == 'application/json'


def test_an_engine_error_carries_its_status_and_message(plain_engine):
    plain_engine.on('DELETE', '/secrets/s1', (400, {'message': 'secret s1 is in use\n'}))
    with pytest.raises(EngineAPIError) as caught:
        EngineAPI(_host(plain_engine), timeout=5, allow_plaintext=True).delete('/secrets/s1')
    assert (caught.value.status, caught.value.message) == (400, 'secret s1 is in use')


def test_filters_are_encoded_as_the_cli_encodes_them():
    assert json.loads(filters_query({'label': 'a=b', 'dangling': True, 'name': ['x', 'y']})) == {
        'label': ['a=b'], 'dangling': ['true'], 'name': ['x', 'y']}
    assert filters_query({}) is None


def test_demux_joins_the_frames_and_leaves_a_tty_stream_alone():
    frames = b''.join(struct.pack('>BxxxI', stream, len(text)) + text for stream, text in ((1, b'out\n'), (2, b'err\n')))
    assert demux(frames) == b'out\nerr\n'
    assert demux(b'plain tty text\n') == b'plain tty text\n'


def test_info_record_is_the_one_mapping_of_info():
    assert info_record(INFO) == dict(
        engine_version='20.10.24+dfsg1', hostname='node1', operating_system='Debian GNU/Linux 12 (bookworm)',
        kernel_version='6.1.0-28-amd64', local_state='active', node_id='n1', node_addr='10.0.0.11', manager=True,
        remote_managers=['10.0.0.11:2377'], swarm_error='', cluster_id='c1', cluster_created='2026-11-26T14:15:00Z')
    empty = info_record({})
    assert (empty['local_state'], empty['manager'], empty['cluster_id'], empty['remote_managers']) == ('inactive', False, '', [])
    no_quorum = info_record({'Swarm': {'ControlAvailable': True, 'Cluster': {'ID': '', 'CreatedAt': '0001-01-01T00:00:00Z'}}})
    assert no_quorum['cluster_created'] == ''


def test_the_shared_argument_spec_is_copied_not_shared():
    spec = engine_argument_spec(timeout=120, name=dict(type='str', required=True))
    assert spec['timeout']['default'] == 120 and ENGINE_ARGUMENT_SPEC['timeout']['default'] == 60
    assert spec['name'] == dict(type='str', required=True)
    assert ENGINE_ARGUMENT_SPEC['ca_path']['aliases'] == ['ca_cert', 'tls_ca_cert', 'cacert_path']
    assert set(ENGINE_ARGUMENT_SPEC) == {'docker_host', 'timeout', 'ca_path', 'client_cert', 'client_key', 'allow_plaintext'}


# Registry credentials (what the Docker SDK's docker.auth gave) ---------------------------------------------------

@pytest.mark.parametrize('image, registry', [
    ('nginx:1.25', 'docker.io'),
    ('library/nginx', 'docker.io'),
    ('registry.example:5000/app:1@sha256:' + 'a' * 64, 'registry.example:5000'),
    ('localhost/app', 'localhost'),
    ('st-m1:5000/anchorage/stack-test:1', 'st-m1:5000'),
])
def test_registry_of_an_image(image, registry):
    assert A.registry_of(image) == registry


def test_auths_entry_gives_the_header_the_sdk_gave():
    config = {'auths': {'https://registry.example:5000/v1/': {'auth': base64.b64encode(b'user:pa:ss').decode()}}}
    header = A.auth_header('registry.example:5000/app:1', config)
    assert json.loads(base64.urlsafe_b64decode(header)) == {
        'username': 'user', 'password': 'pa:ss', 'email': None, 'serveraddress': 'registry.example:5000'}
    assert A.auth_header('other.example/app', config) is None


def test_a_credential_helper_wins_over_auths():
    calls = []

    def run(argv, input=None, **kwargs):
        calls.append((argv, input))
        return subprocess.CompletedProcess(argv, 0, b'{"ServerURL": "r.example", "Username": "u", "Secret": "s"}', b'')

    config = {'auths': {'r.example': {'auth': base64.b64encode(b'old:old').decode()}}, 'credHelpers': {'r.example': 'pass'}}
    assert A.credentials('r.example', config, run) == {'Username': 'u', 'Password': 's', 'ServerAddress': 'r.example'}
    assert calls == [(['docker-credential-pass', 'get'], b'r.example')]


def test_a_helper_without_credentials_falls_back_to_auths():
    def run(argv, input=None, **kwargs):
        return subprocess.CompletedProcess(argv, 1, b'credentials not found in native keychain\n', b'')

    config = {'auths': {'r.example': {'auth': base64.b64encode(b'u:p').decode()}}, 'credsStore': 'desktop'}
    assert A.credentials('r.example', config, run)['password'] == 'p'


def test_docker_config_env_names_the_file(tmp_path):
    assert A.config_path({'DOCKER_CONFIG': str(tmp_path)}) == str(tmp_path / 'config.json')
    (tmp_path / 'config.json').write_text('not json')
    with pytest.raises(A.RegistryAuthError):
        A.load_config(str(tmp_path / 'config.json'))
