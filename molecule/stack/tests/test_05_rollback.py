"""A failing update is rolled back by the Engine (failure_action rollback), and the module says so and fails."""

from conftest import deploy, restore, running_images, services, wait_for, converged


def test_failing_update_is_rolled_back_and_reported():
    before = services()["app_web"]["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"]
    # Version 2 with a health check on a port nothing listens on: every new task turns unhealthy.
    proc, result = deploy(stack_variables={"TAG": "2", "HEALTH_PORT": "9"})
    assert proc.returncode != 0
    assert result["rolled_back"] == ["app_web"]
    assert "rolled back" in result["msg"] and "app_web" in result["msg"]
    web = [s for s in result["services"] if s["name"] == "app_web"][0]
    assert web["progress"]["rolled_back"] is True
    spec = services()["app_web"]
    assert spec["UpdateStatus"]["State"] == "rollback_completed"
    assert spec["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"] == before
    assert wait_for("the rolled-back service to run", lambda: running_images("app_web") == [before] * 3)
    restore()
    assert wait_for("the stack to converge", converged)
