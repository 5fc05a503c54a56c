"""A node without Engine: check mode reports the installation and changes nothing; a bad daemon.json stops the role before it installs anything."""

from conftest import apply_role, node, recap


def test_check_mode_on_a_fresh_node():
    host = node("engine-repo")
    host.run("rm -f /etc/apt/sources.list.d/docker.sources /etc/apt/preferences.d/anchorage-engine.pref")
    proc = apply_role("engine-repo", {"engine_version": "20.10.*"}, check=True)
    assert proc.returncode == 0
    counts = recap(proc.stdout, "engine-repo")
    assert counts["changed"] >= 2 and counts["failed"] == 0
    assert not host.package("docker.io").is_installed
    assert not host.file("/etc/apt/preferences.d/anchorage-engine.pref").exists
    assert not host.file("/etc/docker").exists


def test_bad_daemon_json_fails_before_install():
    host = node("engine-repo")
    host.run("rm -f /etc/apt/sources.list.d/docker.sources /etc/apt/preferences.d/anchorage-engine.pref")
    proc = apply_role("engine-repo", {"engine_version": "20.10.*",
                                      "anchorage_daemon_overrides": {"live-restor": True}})
    assert proc.returncode != 0
    assert "unknown key 'live-restor' (did you mean 'live-restore'?)" in proc.output
    assert recap(proc.stdout, "engine-repo")["changed"] == 0
    assert not host.package("docker.io").is_installed
    assert not host.file("/etc/docker").exists
