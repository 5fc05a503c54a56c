"""A version the source does not offer fails before anything is installed, naming engine_version, the source and
the versions on offer."""

from conftest import apply_role, node

OFFERED = "20.10.24+dfsg1-1+deb12u1+b6"
TARGETS = {"engine-d12": "distro", "engine-offline": "offline"}


def test_unknown_version_fails_clearly():
    pins = {name: node(name).file("/etc/apt/preferences.d/anchorage-engine.pref").content_string for name in TARGETS}
    proc = apply_role(",".join(TARGETS), {"engine_version": "99.*"})
    assert proc.returncode != 0
    message = " ".join(proc.output.split())
    for name, source in TARGETS.items():
        assert "engine_version '99.*' does not exist in source '%s'" % source in message
        host = node(name)
        assert host.check_output("dpkg-query --show --showformat='${Version}' docker.io") == OFFERED
        assert host.file("/etc/apt/preferences.d/anchorage-engine.pref").content_string == pins[name]
    assert "Available docker.io versions: %s. Nothing was installed." % OFFERED in message
