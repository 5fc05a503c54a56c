"""Observable state of every converged node: Engine runs the packaged version, with daemon.json, and runs a container."""

import json

import pytest

testinfra_hosts = ["ansible://engine"]

EXPECTED_SERIES = {
    "engine-d12": "20.10.",
    "engine-d13": "26.1.",
    "engine-offline": "20.10.",
    "engine-sysv": "20.10.",
}
CONFIGURED = {
    "log-driver": "json-file",
    "log-opts": {"max-size": "10m", "max-file": "3"},
    "labels": ["org.anchorage.test=engine"],
    "max-concurrent-downloads": 4,
}


def is_systemd(host):
    return host.run("systemctl is-system-running").stdout.strip() in ("running", "degraded")


def installed_version(host, package="docker.io"):
    policy = host.check_output("apt-cache policy %s" % package)
    return [line.split(":", 1)[1].strip() for line in policy.splitlines() if line.strip().startswith("Installed:")][0]


def test_engine_and_containerd_run(host):
    if is_systemd(host):
        assert host.service("docker").is_running
        assert host.service("docker").is_enabled
        assert host.service("containerd").is_running
        assert host.service("containerd").is_enabled
    else:
        pid = host.check_output("cat /var/run/docker.pid")
        assert host.run("kill -0 %s" % pid).rc == 0
        # dockerd starts its own containerd when no --containerd flag is given (Debian's init script)
        assert host.run("pgrep -x containerd").rc == 0
        assert host.file("/etc/rc2.d").exists and host.run("ls /etc/rc2.d/S*docker").rc == 0


def test_server_version_is_the_installed_package(host):
    package = installed_version(host)
    assert package not in ("", "(none)")
    upstream = package.split(":")[-1].split("-")[0]          # 20.10.24+dfsg1-1+deb12u1+b6 -> 20.10.24+dfsg1
    server = host.check_output("docker version --format '{{.Server.Version}}'")
    assert server == upstream, (server, package)
    assert server.startswith(EXPECTED_SERIES[host.backend.get_hostname()])


def test_daemon_json_holds_the_configured_keys(host):
    config = json.loads(host.file("/etc/docker/daemon.json").content_string)
    for key, value in CONFIGURED.items():
        assert config[key] == value, key
    info = json.loads(host.check_output("docker info --format '{{json .}}'"))
    assert info["LoggingDriver"] == "json-file"
    assert "org.anchorage.test=engine" in info["Labels"]


def test_a_container_runs(host):
    host.check_output("rm -rf /tmp/probe && mkdir /tmp/probe && cp /bin/busybox /tmp/probe/busybox")
    host.check_output("docker image inspect probe:1 >/dev/null 2>&1 || tar -C /tmp/probe -c . | docker import - probe:1")
    assert host.check_output("docker run --rm probe:1 /busybox echo ok") == "ok"


def test_python_sdk_talks_to_the_engine(host):
    out = host.check_output("python3 -c 'import docker; print(docker.from_env().version()[\"Version\"])'")
    assert out == host.check_output("docker version --format '{{.Server.Version}}'")


def test_user_is_in_the_docker_group(host):
    assert "docker" in host.user("anchorage").groups


def test_pin_names_the_installed_version(host):
    pin = host.file("/etc/apt/preferences.d/anchorage-engine.pref")
    assert pin.exists and pin.mode == 0o644
    content = pin.content_string
    version = installed_version(host)
    assert "Pin: version %s\n" % version in content
    assert "Pin-Priority: 1001" in content
    assert "Package: docker.io" in content
    if host.backend.get_hostname() != "engine-offline":   # no package lists there
        assert "%s 1001" % version in host.check_output("apt-cache policy docker.io")


def test_systemd_dropin_never_repeats_daemon_json(host):
    if not is_systemd(host):
        pytest.skip("no systemd on this node, so no docker.service drop-in; its init-script dockerd is checked by test_engine_and_containerd_run")
    dropin = host.file("/etc/systemd/system/docker.service.d/anchorage.conf").content_string
    config = json.loads(host.file("/etc/docker/daemon.json").content_string)
    exec_lines = [line for line in dropin.splitlines() if line.startswith("ExecStart=")]
    assert exec_lines[0] == "ExecStart="
    assert exec_lines[1].startswith("ExecStart=/usr/sbin/dockerd")
    assert "--containerd=/run/containerd/containerd.sock" in exec_lines[1]
    if "hosts" in config:
        assert "-H" not in exec_lines[1].split()
        # the extra socket from daemon.json answers
        assert host.check_output("docker -H unix:///run/anchorage-docker.sock version --format '{{.Server.Version}}'")
    else:
        assert "-H fd://" in exec_lines[1]
    cmdline = host.check_output("cat /proc/$(systemctl show --property=MainPID --value docker)/cmdline | tr '\\0' ' '")
    assert cmdline.strip() == exec_lines[1][len("ExecStart="):].strip()
