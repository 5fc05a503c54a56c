"""Scaling up and down goes through the same module and is waited for."""

from conftest import deploy, restore, running_images, services


def test_scale_up_and_down():
    proc, result = deploy(stack_variables={"WORKER_REPLICAS": 5})
    assert proc.returncode == 0, result.get("msg")
    worker = [s for s in result["services"] if s["name"] == "app_worker"][0]
    assert worker["action"] == "update" and worker["progress"]["running"] == 5 and worker["progress"]["desired"] == 5
    assert len(running_images("app_worker")) == 5

    proc, result = deploy(stack_variables={"WORKER_REPLICAS": 1})
    assert proc.returncode == 0, result.get("msg")
    assert len(running_images("app_worker")) == 1
    assert services()["app_worker"]["Spec"]["Mode"]["Replicated"]["Replicas"] == 1
    restore()
