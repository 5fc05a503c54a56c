"""An image update rolls through the tasks one at a time (update_config parallelism 1) and is waited for."""

import json

from conftest import MANAGER, NODES, REGISTRY, deploy, http_get, out, restore, running_images, services


def test_image_update_rolls_and_is_waited_for():
    proc, result = deploy(stack_variables={"TAG": "2"})
    assert proc.returncode == 0, result.get("msg")
    web = [s for s in result["services"] if s["name"] == "app_web"][0]
    assert web["action"] == "update"
    assert web["progress"]["converged"] and web["progress"]["updated"] == 3 and web["progress"]["running"] == 3
    spec = services()["app_web"]
    assert spec["UpdateStatus"]["State"] == "completed"
    image = spec["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"]
    assert image.startswith("%s/anchorage/stack-test:2@sha256:" % REGISTRY)
    # When the module returned, every task ran version 2 already.
    assert running_images("app_web") == [image] * 3
    for host in NODES:
        assert http_get(host, "/version") == "2"
    # Parallelism 1: the old tasks were stopped one after the other, never all at once.
    stopped = sorted(t["Status"]["Timestamp"] for t in _tasks("app_web") if t["DesiredState"] == "shutdown")
    assert len(stopped) >= 3 and len(set(s[:19] for s in stopped)) >= 2
    restore()


def _tasks(service):
    return json.loads(out(MANAGER, "docker inspect $(docker service ps -q %s)" % service))
