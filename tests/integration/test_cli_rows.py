"""The README's table "From the docker CLI to the collection": every row run on the lab, and its effect checked with
the docker CLI through the machine's context (what a user of the CLI would look at).

The swarm, service and stack rows are the tasks of cli_rows.yml; the registry and compose rows are
playbooks/registry.yml run again (converged by make lab: nothing changes); the docker-machine rows are the lab's own
commands (make lab made the machines; ls, env and ssh here). The service and stack the rows create are removed at the
end, so the files after this one find the lab as make lab left it.
"""

from __future__ import annotations

import json
import sys

from conftest import REPO, _tool, explain, recap, run

SERVICE = "cli-nginx"
STACK = "cli"


def cli_rows(lab, image: str, mode: str, port: int):
    return run(
        _tool("ansible-playbook"),
        "-i", str(lab.inventory_dir), "-e", f"@{lab.vars_file}",
        "-e", json.dumps({"cli_image": image, "cli_publish_mode": mode, "cli_target_port": port}),
        str(REPO / "tests/integration/cli_rows.yml"),
    )


def services(lab) -> dict[str, str]:
    proc = lab.docker("node1", "service", "ls", "--format", "{{.Name}} {{.Replicas}}")
    assert proc.returncode == 0, explain(proc)
    return dict(line.split(" ", 1) for line in proc.stdout.splitlines() if line.strip())


def test_every_row_of_the_cli_table_runs_on_the_lab(lab):
    # An image the lab's registry holds (nothing can be pulled here): the demo's memcached, by digest.
    proc = lab.docker("node1", "service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}",
                      "demo_memcached")
    assert proc.returncode == 0, explain(proc)
    image = proc.stdout.strip()
    ipvs = lab.ssh("node1", "test -e /proc/net/ip_vs").returncode == 0
    try:
        rows = cli_rows(lab, image, "ingress" if ipvs else "host", 11211)
        assert rows.returncode == 0, explain(rows)
        out = rows.stdout

        # docker swarm init / join: the swarm role, converged already, plans nothing and changes nothing.
        assert "init a new swarm" not in out and " joins as " not in out
        nodes = lab.docker("node1", "node", "ls", "--format", "{{.Hostname}} {{.ManagerStatus}} {{.Status}}")
        assert sorted(nodes.stdout.split("\n")[:-1]) == ["node1 Leader Ready", "node2  Ready"], nodes.stdout
        # docker node ls: the table, as the CLI prints it.
        assert "NAME   ROLE     LEADER" in out and "node2  worker" in out
        # docker service create --replicas 3 ... then docker service scale nginx=5: five running tasks.
        tasks = lab.docker("node1", "service", "ps", "--no-trunc", SERVICE).stdout
        assert services(lab).get(SERVICE) == "5/5", tasks
        ps = lab.docker("node1", "service", "ps", "--filter", "desired-state=running", "--format", "{{.CurrentState}}",
                        SERVICE)
        assert [s.split()[0] for s in ps.stdout.splitlines()] == ["Running"] * 5, ps.stdout
        # docker service ls: the names the task listed.
        assert f"- {SERVICE}" in out
        # docker service logs: the command ran (memcached logs nothing at start: an empty log is its real output).
        assert "TASK [Docker service logs nginx]" in out
        # docker stack deploy -c compose.yml cli: the stack's service with its two replicas, as the CLI lists it.
        stack = lab.docker("node1", "stack", "services", "--format", "{{.Name}} {{.Replicas}}", STACK)
        assert stack.stdout.split() == [f"{STACK}_cache", "2/2"], stack.stdout

        # docker service create --name registry ... registry:2, docker compose build / push: the registry role,
        # converged by make lab: it runs again and changes nothing.
        registry = lab.playbook("registry.yml")
        assert registry.returncode == 0, explain(registry)
        assert all(counts["changed"] == 0 for counts in recap(registry).values()), recap(registry)

        # docker-machine ls / ssh / env: the lab's commands (docker-machine create was make lab itself).
        machine_ls = lab.playbook("machine.yml", "-e", "machine_action=ls")
        assert machine_ls.returncode == 0 and "node1" in machine_ls.stdout, explain(machine_ls)
        ssh = run(sys.executable, str(REPO / "scripts/machine-ssh.py"), "-i", str(lab.inventory), "node1", "hostname")
        assert ssh.stdout.strip() == "node1", explain(ssh)
        env = run("env", f"DOCKER_CONFIG={lab.docker_config}", "make", "-s", "env", "M=node2")
        assert "DOCKER_HOST=" in env.stdout and "2376" in env.stdout, explain(env)
    finally:
        lab.docker("node1", "service", "rm", SERVICE)
        lab.docker("node1", "stack", "rm", STACK)
    assert SERVICE not in services(lab)
