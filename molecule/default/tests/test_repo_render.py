"""Docker's repository path without reaching download.docker.com: `--tags engine_repo` renders the deb822 sources,
the key (fingerprint checked) and the pin, and installs nothing. The key is a locally generated one served to the
node as a file:// URL. Runs on the dedicated node engine-repo, whose apt is not used afterwards."""

import pytest

from conftest import apply_role, node, recap

KEY_URL = "file:///srv/anchorage-repo/docker.asc"
SOURCES = "/etc/apt/sources.list.d/docker.sources"
KEYRING = "/etc/apt/keyrings/docker.asc"
PIN = "/etc/apt/preferences.d/anchorage-engine.pref"
DOCKER_FINGERPRINT = "9DC858229FC7DD38854AE2D88D81803C0EBFCD88"


def repo_vars(fingerprint):
    return {
        "engine_install_source": "docker_repo",
        "engine_version": "27.3.1",
        "engine_docker_repo_key_url": KEY_URL,
        "engine_docker_repo_key_fingerprint": fingerprint,
    }


@pytest.fixture(scope="module")
def repo():
    host = node("engine-repo")
    host.check_output(
        "set -e; rm -rf /root/.anchorage-testkey /srv/anchorage-repo; mkdir -p /srv/anchorage-repo;"
        " install -d -m 0700 /root/.anchorage-testkey;"
        " gpg --homedir /root/.anchorage-testkey --batch --passphrase '' --quick-generate-key"
        "   'Anchorage test repository <repo@anchorage.invalid>' ed25519 sign never 2>/dev/null;"
        " gpg --homedir /root/.anchorage-testkey --armor --export > /srv/anchorage-repo/docker.asc")
    colons = host.check_output("gpg --homedir /root/.anchorage-testkey --with-colons --fingerprint")
    fingerprint = [line.split(":")[9] for line in colons.splitlines() if line.startswith("fpr:")][0]
    host.run("rm -f %s %s %s" % (SOURCES, KEYRING, PIN))
    yield host, fingerprint
    host.run("rm -f %s %s %s" % (SOURCES, KEYRING, PIN))


def test_wrong_fingerprint_fails_and_writes_nothing(repo):
    host, fingerprint = repo
    proc = apply_role("engine-repo", repo_vars(DOCKER_FINGERPRINT), tags="engine_repo")
    assert proc.returncode != 0
    message = " ".join(proc.output.split())
    assert "has fingerprint %s, not engine_docker_repo_key_fingerprint %s" % (fingerprint, DOCKER_FINGERPRINT) in message
    assert "Neither the key nor the repository was written" in message
    for path in (SOURCES, KEYRING, PIN):
        assert not host.file(path).exists, path


def test_renders_sources_key_and_pin_without_installing(repo):
    host, fingerprint = repo
    # the fingerprint may be given with spaces, as gpg prints it
    spaced = " ".join(fingerprint[i:i + 4] for i in range(0, 40, 4))
    proc = apply_role("engine-repo", repo_vars(spaced), tags="engine_repo")
    assert proc.returncode == 0
    assert host.file(SOURCES).content_string.split("\n", 2)[2] == (
        "Types: deb\n"
        "URIs: https://download.docker.com/linux/debian\n"
        "Suites: bookworm\n"
        "Components: stable\n"
        "Architectures: amd64\n"
        "Signed-By: /etc/apt/keyrings/docker.asc\n")
    assert host.file(SOURCES).mode == 0o644
    assert host.file(KEYRING).content_string == host.file("/srv/anchorage-repo/docker.asc").content_string
    assert host.file(KEYRING).mode == 0o644
    pin = host.file(PIN).content_string
    assert "Package: docker-ce docker-ce-cli\n" in pin
    assert "Pin: version /^([0-9]+:)?27\\.3\\.1([-+~].*)?$/\n" in pin
    assert "Pin-Priority: 1001\n" in pin
    # nothing installed, no package list fetched from Docker's repository
    assert not host.package("docker-ce").is_installed
    assert not host.exists("dockerd")
    assert host.run("ls /var/lib/apt/lists/ | grep -q download.docker.com").rc != 0


def test_apt_reads_the_rendered_files(repo):
    host = repo[0]
    uris = host.check_output("apt-get update --print-uris")
    assert "https://download.docker.com/linux/debian/dists/bookworm/InRelease" in uris
    # the pin's regular expression is valid for apt and selects Docker's version strings
    policy = host.run("apt-cache policy docker-ce")
    assert policy.rc == 0 and "E:" not in policy.stderr
    host.check_output("apt-cache dump >/dev/null")


def test_render_is_idempotent(repo):
    host, fingerprint = repo
    proc = apply_role("engine-repo", repo_vars(fingerprint), tags="engine_repo")
    assert proc.returncode == 0
    assert recap(proc.stdout, "engine-repo")["changed"] == 0
