"""Interop with the docker CLI both ways, on the same compose file (files/interop.yml)."""

from conftest import MANAGER, REGISTRY, STACK_DIR, deploy, out, put_file, running_task_ids, sh, versions, wait_for


def _cli_deploy(stack):
    put_file("interop.yml")
    cmd = ("cd %s && REGISTRY=%s docker stack deploy --with-registry-auth -c interop.yml %s"
           % (STACK_DIR, REGISTRY, stack))
    result = sh(MANAGER, cmd)
    assert result.rc == 0, result.stderr


def _stacks():
    return out(MANAGER, "docker stack ls --format '{{.Name}}'").split()


def test_cli_deployed_stack_is_unchanged_for_the_module():
    _cli_deploy("clistack")
    assert wait_for("the CLI's stack to run", lambda: len(running_task_ids("clistack")) == 2)
    before, tasks = versions("clistack"), running_task_ids("clistack")
    check, predicted = deploy(stack_name="clistack", stack_files=["interop.yml"], check=True)
    assert check.returncode == 0
    assert predicted["changed"] is False, predicted["services"]
    proc, result = deploy(stack_name="clistack", stack_files=["interop.yml"])
    assert proc.returncode == 0 and result["changed"] is False, result
    assert versions("clistack") == before and running_task_ids("clistack") == tasks
    proc, result = deploy(stack_name="clistack", stack_state="absent")
    assert proc.returncode == 0 and result["changed"] is True
    assert "clistack" not in _stacks()


def test_module_deployed_stack_works_with_docker_stack_commands():
    proc, result = deploy(stack_name="modstack", stack_files=["interop.yml"])
    assert proc.returncode == 0, result.get("msg")
    assert "modstack" in _stacks()
    assert out(MANAGER, "docker stack services --format '{{.Name}} {{.Replicas}}' modstack") == "modstack_api 2/2"
    names = out(MANAGER, "docker stack ps --filter desired-state=running --format '{{.Name}}' modstack").split()
    assert sorted(names) == ["modstack_api.1", "modstack_api.2"]
    # The CLI redeploying the same file replaces no task: it finds the spec it would have made.
    tasks = running_task_ids("modstack")
    _cli_deploy("modstack")
    spec = out(MANAGER, "docker service inspect --format '{{json .UpdateStatus}}' modstack_api")
    assert running_task_ids("modstack") == tasks, spec
    assert sh(MANAGER, "docker stack rm modstack").rc == 0
    assert wait_for("modstack to go", lambda: "modstack" not in _stacks())
