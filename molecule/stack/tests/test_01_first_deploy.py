"""The converged stack as the docker CLI sees it: names, labels, replicas, pinned images, the secret, the app."""

from conftest import MANAGER, NODES, REGISTRY, http_get, out, running_images, services, stack_objects


def test_docker_stack_ls_lists_the_stack():
    assert "app" in out(MANAGER, "docker stack ls --format '{{.Name}}'").split()


def test_services_are_named_labelled_and_running():
    found = services()
    assert sorted(found) == ["app_migrate", "app_web", "app_worker"]
    web = found["app_web"]["Spec"]
    assert web["Labels"]["com.docker.stack.namespace"] == "app"
    assert web["Labels"]["com.docker.stack.image"] == "%s/anchorage/stack-test:1" % REGISTRY
    assert web["Mode"]["Replicated"]["Replicas"] == 3
    # resolve_image always: pinned to the registry's digest, as docker stack deploy pins it.
    image = web["TaskTemplate"]["ContainerSpec"]["Image"]
    assert image.startswith("%s/anchorage/stack-test:1@sha256:" % REGISTRY)
    assert running_images("app_web") == [image] * 3
    assert len(running_images("app_worker")) == 2


def test_the_job_completed():
    states = out(MANAGER, "docker service ps --format '{{.CurrentState}}' app_migrate").splitlines()
    assert states and all(s.startswith("Complete") for s in states)


def test_every_node_pulled_from_the_registry_and_serves_version_1():
    # max_replicas_per_node 1 and 3 replicas: one task per node, on its host-mode port.
    for host in NODES:
        assert http_get(host, "/version") == "1"
        assert http_get(host, "/greeting") == "hello v1"


def test_secret_is_named_by_its_content_and_network_by_the_stack():
    secrets = stack_objects("secret")
    assert len(secrets) == 1 and secrets[0].startswith("app_greeting-")
    assert "app_back" in stack_objects("network")
