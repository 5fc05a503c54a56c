"""state absent removes the stack's services, networks and secrets, and waits until the networks are gone."""

from conftest import MANAGER, deploy, out, services, stack_objects


def test_absent_removes_everything_of_the_stack():
    check, predicted = deploy(check=True, stack_state="absent")
    assert check.returncode == 0 and predicted["changed"] is True
    assert sorted(services()) == ["app_migrate", "app_web", "app_worker"], "check mode removed something"

    proc, result = deploy(stack_state="absent")
    assert proc.returncode == 0, result.get("msg")
    assert services() == {}
    assert stack_objects("network") == [] and stack_objects("secret") == []
    assert "app" not in out(MANAGER, "docker stack ls --format '{{.Name}}'").split()

    proc, result = deploy(stack_state="absent")
    assert proc.returncode == 0 and result["changed"] is False
