"""prune removes the stack's services and networks the files no longer define; without it they stay."""

from conftest import deploy, restore, services, stack_objects


def test_prune_removes_what_the_files_dropped():
    proc, result = deploy(stack_files=["compose.yml", "extra.yml"])
    assert proc.returncode == 0, result.get("msg")
    assert "app_extra" in services() and "app_side" in stack_objects("network")

    proc, result = deploy()
    assert proc.returncode == 0 and result["changed"] is False
    assert "app_extra" in services(), "removed without prune"

    check, predicted = deploy(check=True, stack_prune=True)
    assert [s["action"] for s in predicted["services"] if s["name"] == "app_extra"] == ["remove"]
    assert predicted["networks"]["removed"] == ["app_side"]
    assert "app_extra" in services()

    proc, result = deploy(stack_prune=True)
    assert proc.returncode == 0, result.get("msg")
    assert "app_extra" not in services()
    assert "app_side" not in stack_objects("network")
    assert sorted(services()) == ["app_migrate", "app_web", "app_worker"]
    restore()
