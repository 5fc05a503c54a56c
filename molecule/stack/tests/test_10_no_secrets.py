"""Secrets never show in the output, even at -vvv: the secret's content and the registry password."""

import os

from conftest import STATE_DIR, deploy, restore

GREETING = "greeting-3f9c2e81d7"


def _registry_password():
    path = os.path.join(STATE_DIR, "registry", "password")
    with open(path) as handle:
        return handle.read().strip()


def test_secret_content_and_registry_password_never_printed():
    password = _registry_password()
    assert len(password) >= 16
    proc, result = deploy(verbosity=3, stack_greeting=GREETING)
    assert proc.returncode == 0, result.get("msg")
    assert result["secrets"]["created"], "the secret did not change, so its content was never sent"
    assert GREETING not in proc.output
    assert password not in proc.output
    restore()
