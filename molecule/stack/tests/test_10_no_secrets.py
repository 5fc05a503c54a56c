"""Secrets never show in the output, even at -vvv --diff: the secret's content, an environment password given
through the module's variables (so both a variables value and an env value of the diff), the registry password."""

import os

from conftest import STATE_DIR, deploy, restore

GREETING = "greeting-3f9c2e81d7"
DB_PASSWORD = "dbpass-7c1e94b05a"


def _registry_password():
    path = os.path.join(STATE_DIR, "registry", "password")
    with open(path) as handle:
        return handle.read().strip()


def test_secret_content_and_registry_password_never_printed(monkeypatch):
    password = _registry_password()
    assert len(password) >= 16
    # One deploy at -vvv with the diff shown (not check mode: the secret must really be sent).
    monkeypatch.setenv("ANSIBLE_DIFF_ALWAYS", "1")
    proc, result = deploy(verbosity=3, stack_greeting=GREETING, stack_files=["compose.yml", "secret-env.yml"],
                          stack_variables={"DB_PASSWORD": DB_PASSWORD})
    assert proc.returncode == 0, result.get("msg")
    assert result["secrets"]["created"], "the secret did not change, so its content was never sent"
    assert "DB_PASSWORD=<masked" in proc.output, "the diff was not shown"
    for value in (GREETING, DB_PASSWORD, password):
        assert value not in proc.output
    monkeypatch.delenv("ANSIBLE_DIFF_ALWAYS")
    restore()
