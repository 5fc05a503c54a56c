"""Check mode predicts exactly what the real run then changes, and changes nothing; --diff shows the fields."""

from conftest import deploy, restore, running_images, versions, wait_for, converged


def test_check_predicts_the_real_run():
    before = versions()
    change = {"stack_variables": {"TAG": "2", "WORKER_REPLICAS": 3}}
    check, predicted = deploy(check=True, **change)
    assert check.returncode == 0
    assert predicted["changed"] is True
    assert versions() == before, "check mode changed a service"
    plan = dict((s["name"], (s["action"], s["changes"])) for s in predicted["services"])
    assert plan["app_worker"][0] == "update"
    assert set(plan["app_worker"][1]) == {
        "Labels.com.docker.stack.image", "Mode.Replicated.Replicas", "TaskTemplate.ContainerSpec.Image"}
    assert "TaskTemplate.ContainerSpec.Image" in plan["app_web"][1]
    # The diff names the field with its before and after values, digest included.
    assert "-Mode.Replicated.Replicas: 2" in check.output and "+Mode.Replicated.Replicas: 3" in check.output
    assert "anchorage/stack-test:2@sha256:" in check.output

    real, done = deploy(**change)
    assert real.returncode == 0, done.get("msg")
    assert dict((s["name"], (s["action"], s["changes"])) for s in done["services"]) == plan
    assert len(running_images("app_worker")) == 3

    again_check, again = deploy(check=True, **change)
    assert again_check.returncode == 0 and again["changed"] is False
    restore()
    assert wait_for("the stack to converge", converged)
