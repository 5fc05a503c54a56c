"""A changed secret file makes a new secret, the service rolls onto it, and the old one is removed."""

from conftest import NODES, deploy, http_get, restore, stack_objects, wait_for


def test_secret_rotation_without_in_use_errors():
    old = stack_objects("secret")
    proc, result = deploy(stack_greeting="hello v2")
    assert proc.returncode == 0, result.get("msg")
    new = stack_objects("secret")
    assert len(new) == 1 and new != old and new[0].startswith("app_greeting-")
    assert result["secrets"] == {"created": new, "removed": old}
    assert [s["action"] for s in result["services"] if s["name"] == "app_web"] == ["update"]
    for host in NODES:
        assert wait_for("%s to serve the new secret" % host, lambda h=host: http_get(h, "/greeting") == "hello v2")
    restore()
    assert stack_objects("secret") == old
