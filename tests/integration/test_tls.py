"""The Engines' API over TLS on 2376, the controller's docker contexts, `make env`,
and playbooks/regenerate-certs.yml, checked from the outside on the test lab
(conftest.py): what the docker CLI, a TLS handshake, the ports and the files say."""

from __future__ import annotations

import json
import socket
import ssl
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import explain, recap, run
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtendedKeyUsageOID

PORT = 2376


def pki(lab):
    return lab.state_dir / "tls"


def handshake(lab, address: str, client_cert: bool = True) -> x509.Certificate:
    """The server certificate the Engine presents, after a full handshake (with the client certificate)."""
    context = ssl.create_default_context(cafile=str(pki(lab) / "ca.pem"))
    if client_cert:
        context.load_cert_chain(str(pki(lab) / "cert.pem"), str(pki(lab) / "key.pem"))
    with socket.create_connection((address, PORT), timeout=10) as raw, \
            context.wrap_socket(raw, server_hostname=address) as tls:
        # TLS 1.3: the server checks the client certificate after the handshake; a request makes it answer.
        tls.sendall(b"GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n")
        answer = tls.recv(4096)
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
        return x509.load_der_x509_certificate(tls.getpeercert(binary_form=True))


def is_closed(address: str, port: int) -> bool:
    try:
        with socket.create_connection((address, port), timeout=5):
            return False
    except ConnectionRefusedError:
        return True


def test_every_engine_answers_over_tls_through_its_context(lab):
    proc = lab.docker("node1", "node", "ls", "--format", "{{json .}}")
    assert proc.returncode == 0, explain(proc)
    assert {json.loads(line)["Hostname"] for line in proc.stdout.splitlines()} == set(lab.hosts())
    for name in lab.hosts():
        proc = lab.docker(name, "info", "--format", "{{.Name}}")
        assert proc.returncode == 0, explain(proc)
        assert proc.stdout.strip() == name
        inspect = json.loads(run("docker", "--config", str(lab.docker_config), "context", "inspect", name).stdout)[0]
        assert inspect["Endpoints"]["docker"]["Host"] == f"tcp://{lab.hosts()[name]}:{PORT}"
    # A worker's Engine answers too (node ls is a manager's call, ps is anyone's).
    proc = lab.docker("node2", "ps", "--format", "{{.Names}}")
    assert proc.returncode == 0, explain(proc)
    assert proc.stdout.strip(), "the worker's Engine runs the demo's global tasks"


def test_port_2375_is_never_open_and_2376_wants_a_client_certificate(lab):
    for name, address in lab.hosts().items():
        assert is_closed(address, 2375), f"{name}: port 2375 accepts connections"
        listening = lab.ssh(name, "ss -Hltn")
        assert listening.returncode == 0, explain(listening)
        ports = {line.split()[3].rsplit(":", 1)[1] for line in listening.stdout.splitlines()}
        assert "2375" not in ports and str(PORT) in ports, listening.stdout
        # Without a client certificate the Engine ends the connection before it answers any request.
        with pytest.raises((ssl.SSLError, ConnectionResetError, AssertionError)):
            handshake(lab, address, client_cert=False)
        cert = handshake(lab, address)
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert {"localhost", name} <= set(names.get_values_for_type(x509.DNSName))
        assert {address, "127.0.0.1"} <= {str(ip) for ip in names.get_values_for_type(x509.IPAddress)}
        usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        assert list(usage) == [ExtendedKeyUsageOID.SERVER_AUTH]


def test_keys_are_private_on_the_controller_and_the_nodes(lab):
    def mode(path):
        return stat.S_IMODE(path.stat().st_mode)

    assert mode(pki(lab)) == 0o700
    for key in ["ca-key.pem", "key.pem", *(f"servers/{n}/server-key.pem" for n in lab.hosts())]:
        assert mode(pki(lab) / key) == 0o600, key
    for name in lab.hosts():
        proc = lab.ssh(name, "stat -c '%n %a %U' /etc/docker/tls /etc/docker/tls/*.pem")
        assert proc.returncode == 0, explain(proc)
        modes = dict(line.split(" ", 1) for line in proc.stdout.splitlines())
        assert modes["/etc/docker/tls/server-key.pem"] == "400 root"
        assert modes["/etc/docker/tls"] == "700 root"


def test_make_env_prints_what_docker_machine_env_did(lab):
    proc = run("env", f"DOCKER_CONFIG={lab.docker_config}", "make", "-s", "env", "M=node1")
    assert proc.returncode == 0, explain(proc)
    lines = dict(
        line.removeprefix("export ").split("=", 1) for line in proc.stdout.splitlines() if line.startswith("export ")
    )
    assert lines["DOCKER_HOST"] == f'"tcp://{lab.hosts()["node1"]}:{PORT}"'
    assert lines["DOCKER_TLS_VERIFY"] == '"1"'
    cert_path = lines["DOCKER_CERT_PATH"].strip('"')
    # The shell that evals it reaches the machine's Engine with no other setting.
    shell = subprocess.run(  # noqa: S603 - our own script's output
        ["sh", "-c", 'eval "$1" && env -u DOCKER_CONTEXT docker info --format "{{.Name}}"', "sh", proc.stdout],
        capture_output=True, text=True, timeout=60, check=False,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(lab.root)},
    )
    assert shell.returncode == 0, shell.stderr
    assert shell.stdout.strip() == "node1"
    assert sorted(p.name for p in Path(cert_path).iterdir()) == ["ca.pem", "cert.pem", "key.pem"]


def test_contexts_are_unchanged_on_a_second_run(lab):
    proc = lab.playbook("contexts.yml")
    assert proc.returncode == 0, explain(proc)
    assert {h: r["changed"] for h, r in recap(proc).items()} == dict.fromkeys(lab.hosts(), 0), explain(proc)


def test_regenerate_certs_renews_ca_client_and_servers_keeping_the_swarm(lab):
    addresses = lab.hosts()
    ca_pem = (pki(lab) / "ca.pem").read_bytes()
    ca_before = x509.load_pem_x509_certificate(ca_pem)
    old_client = ((pki(lab) / "cert.pem").read_bytes(), (pki(lab) / "key.pem").read_bytes())
    served_before = {n: handshake(lab, a).serial_number for n, a in addresses.items()}

    check = lab.playbook("regenerate-certs.yml", "-e", "regenerate_ca=true", "--check")
    assert check.returncode == 0, explain(check)
    assert (pki(lab) / "ca.pem").read_bytes() == ca_pem
    assert {n: handshake(lab, a).serial_number for n, a in addresses.items()} == served_before

    proc = lab.playbook("regenerate-certs.yml", "-e", "regenerate_ca=true", timeout=1500)
    assert proc.returncode == 0, explain(proc)

    ca_after = x509.load_pem_x509_certificate((pki(lab) / "ca.pem").read_bytes())
    assert ca_after.fingerprint(hashes.SHA256()) != ca_before.fingerprint(hashes.SHA256())
    for name, address in addresses.items():
        cert = handshake(lab, address)  # verified against the new CA, with the new client certificate
        assert cert.serial_number != served_before[name]
        assert cert.issuer == ca_after.subject
    # The old client certificate is refused now.
    old = lab.root / "old-client"
    old.mkdir(exist_ok=True)
    (old / "cert.pem").write_bytes(old_client[0])
    (old / "key.pem").write_bytes(old_client[1])
    (old / "key.pem").chmod(0o600)
    refused = run("docker", "-H", f"tcp://{addresses['node1']}:{PORT}", "--tlsverify",
                  "--tlscacert", str(pki(lab) / "ca.pem"), "--tlscert", str(old / "cert.pem"),
                  "--tlskey", str(old / "key.pem"), "version", timeout=60)
    assert refused.returncode != 0
    # The contexts follow, and the swarm is whole again.
    nodes = lab.docker("node1", "node", "ls", "--format", "{{.Hostname}} {{.Status}} {{.Availability}}")
    assert nodes.returncode == 0, explain(nodes)
    assert sorted(nodes.stdout.splitlines()) == sorted(f"{n} Ready Active" for n in addresses)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"engine_dockerd_flags": ["-H fd://", "-H tcp://0.0.0.0:2375"]},
         "tcp://0.0.0.0:2375 would open port 2375, the Engine API's unencrypted port"),
        ({"engine_daemon_config": {"hosts": ["unix:///var/run/docker.sock"]}},
         "daemon.json (engine_daemon_config) sets 'hosts' while engine_tls is on"),
        ({"engine_tls_port": 2375}, "engine_tls_port 2375 is not a TCP port for the TLS listener"),
    ],
    ids=["plain-tcp-flag", "hosts-in-daemon-json", "port-2375"],
)
def test_listener_settings_that_would_open_the_api_fail_before_any_change(lab, extra, message):
    dropin = "/etc/systemd/system/docker.service.d/anchorage.conf"
    before = lab.ssh("node2", f"md5sum {dropin} /etc/docker/daemon.json 2>/dev/null; systemctl show -p MainPID docker")
    proc = lab.playbook("site.yml", "--tags", "engine", "--limit", "node2", "-e", json.dumps(extra), timeout=300)
    assert proc.returncode != 0, explain(proc)
    assert message in " ".join(proc.stdout.split()), explain(proc)
    assert recap(proc)["node2"]["changed"] == 0
    after = lab.ssh("node2", f"md5sum {dropin} /etc/docker/daemon.json 2>/dev/null; systemctl show -p MainPID docker")
    assert after.stdout == before.stdout
    assert is_closed(lab.hosts()["node2"], 2375)
