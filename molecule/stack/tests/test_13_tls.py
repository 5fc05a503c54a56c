"""The stack modules from the controller against the manager's Engine over TCP: TLS works, plain tcp:// is refused.

The manager's Engine listens on 2376 with --tlsverify (engine_tls in molecule.yml); tls.yml runs stack and
stack_info on the controller with the scenario's CA and client certificate, set once for the module group
anchorage.swarm.docker, after a plain tcp:// deploy that must fail before anything is sent.
"""

import json
import os
import subprocess

from conftest import MANAGER, SCENARIO_DIR, STATE_DIR, out, run_playbook


def _address(name):
    return subprocess.run(["docker", "inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
                           name], capture_output=True, text=True, check=True).stdout.strip()


def test_stack_over_tls_works_and_plain_tcp_is_refused():
    address = _address(MANAGER)
    assert address, "no address for %s" % MANAGER
    saved = os.path.join(STATE_DIR, "tls-results.json")
    if os.path.exists(saved):
        os.remove(saved)
    proc = run_playbook(os.path.join(SCENARIO_DIR, "tls.yml"), {"engine_address": address})
    assert proc.returncode == 0, proc.output[-3000:]
    with open(saved) as handle:
        results = json.load(handle)

    # The task failed (failed_when: false in tls.yml turns its "failed" into false, but keeps the module's msg).
    plain = results["plain"]
    assert plain["changed"] is False and "msg" in plain, plain
    assert plain["msg"].startswith("Cannot deploy stack tlsdemo: tcp://%s:2375 is reached over TLS only: give ca_path, "
                                   "client_cert, client_key. Plain tcp://%s:2375 is not encrypted" % (address, address))
    assert "allow_plaintext=true" in plain["msg"]

    deploy = results["deploy"]
    assert deploy["changed"] is True, deploy
    assert [(s["name"], s["action"]) for s in deploy["services"]] == [("tlsdemo_idle", "create")]
    assert len(deploy["secrets"]["created"]) == 1 and deploy["secrets"]["created"][0].startswith("tlsdemo_token-")
    assert deploy["networks"]["created"] == ["tlsdemo_default"]
    assert "not for the wire" not in json.dumps(results), "the secret's content came back"

    info = results["info"]
    assert [(s["name"], s["desired"], s["running"]) for s in info["services"]] == [("tlsdemo_idle", 0, 0)]

    absent = results["absent"]
    assert absent["changed"] is True
    assert absent["secrets"]["removed"] == deploy["secrets"]["created"]
    assert "tlsdemo" not in out(MANAGER, "docker stack ls --format '{{.Name}}'").split()
    assert out(MANAGER, "docker secret ls -q --filter label=com.docker.stack.namespace=tlsdemo") == ""
