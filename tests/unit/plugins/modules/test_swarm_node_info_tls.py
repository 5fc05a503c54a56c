# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""swarm_node_info over TCP with TLS, as the machine role reads a lab machine's Engine from the controller.

The fake Engine of test_swarm_modules answers on 127.0.0.1 behind TLS that requires a client certificate, with a
CA, a server certificate for 127.0.0.1 and a client certificate made here; a second CA stands for the wrong one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import ipaddress
import socketserver
import ssl
import threading

import pytest

pytest.importorskip('cryptography', reason='the test certificates are made with cryptography (an ansible-core need)')

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

from test_swarm_modules import SWARM, VERSION, FakeEngine, _Handler, manager_info, node, run_module  # noqa: E402


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _issue(subject, key, issuer, issuer_key, ca=False, sans=None):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _write(path, cert=None, key=None):
    if cert is not None:
        path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    else:
        path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(path)


@pytest.fixture(scope='module')
def pki(tmp_path_factory):
    root = tmp_path_factory.mktemp('pki')
    files = {}
    for ca_name in ('ca', 'other-ca'):
        key = ec.generate_private_key(ec.SECP256R1())
        files[ca_name] = (_issue(ca_name, key, ca_name, key, ca=True), key)
    ca, ca_key = files['ca']
    out = {'ca': _write(root / 'ca.pem', cert=ca), 'other_ca': _write(root / 'other-ca.pem', cert=files['other-ca'][0])}
    for name, sans in (('server', [x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]), ('client', None)):
        key = ec.generate_private_key(ec.SECP256R1())
        out[name + '_cert'] = _write(root / (name + '.pem'), cert=_issue(name, key, 'ca', ca_key, sans=sans))
        out[name + '_key'] = _write(root / (name + '-key.pem'), key=key)
    return out


@pytest.fixture
def tls_engine(pki):
    fake = FakeEngine('')
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=pki['ca'])
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_cert_chain(pki['server_cert'], pki['server_key'])

    class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
        daemon_threads = True

        def get_request(self):
            sock, address = self.socket.accept()
            return context.wrap_socket(sock, server_side=True), address

    class Handler(_Handler):
        def log_message(self, *args):
            pass

        def handle(self):
            try:
                _Handler.handle(self)
            except (ssl.SSLError, OSError):
                # A client that refused our certificate hangs up mid-handshake.
                pass

    server = Server(('127.0.0.1', 0), Handler)
    server.engine = fake
    fake.docker_host = 'tcp://127.0.0.1:%d' % server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


def _tls_args(engine, pki, **override):
    return dict(dict(docker_host=engine.docker_host, ca_path=pki['ca'], client_cert=pki['client_cert'],
                     client_key=pki['client_key'], timeout=5), **override)


def test_reads_a_manager_over_tls(tls_engine, pki):
    tls_engine.on('GET', '/version', (200, VERSION)).on('GET', '/info', (200, manager_info()))
    tls_engine.on('GET', '/swarm', (200, SWARM)).on('GET', '/nodes', (200, [node('nodeid1', 'node1', 'manager', leader=True)]))
    result = run_module('swarm_node_info', _tls_args(tls_engine, pki))
    assert result.get('failed') is not True, result
    assert result['swarm_node']['engine_version'] == '20.10.24+dfsg1'
    assert [(n['hostname'], n['leader']) for n in result['swarm_node']['nodes']] == [('node1', True)]


def test_an_engine_certificate_of_another_ca_is_refused(tls_engine, pki):
    tls_engine.on('GET', '/version', (200, VERSION))
    result = run_module('swarm_node_info', _tls_args(tls_engine, pki, ca_path=pki['other_ca']))
    assert result['failed'] is True
    assert 'CERTIFICATE_VERIFY_FAILED' in result['msg'] and tls_engine.requests == []


def test_unreadable_tls_files_are_named(tls_engine, pki, tmp_path):
    result = run_module('swarm_node_info', _tls_args(tls_engine, pki, client_key=str(tmp_path / 'absent.pem')))
    assert result['failed'] is True
    assert result['msg'].startswith('Cannot read the swarm state: cannot load the TLS files for %s: '
                                    % tls_engine.docker_host)
