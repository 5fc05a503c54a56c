"""Bad input fails with a message naming the field, before anything in the swarm changes."""

import pytest

from conftest import deploy, running_task_ids, versions

CASES = [
    # (extra vars for deploy.yml, words the message must contain)
    ({"stack_files": ["bad-yaml.txt"]}, ["malformed YAML"]),
    ({"stack_files": ["compose.yml", "bad-key.yml"]}, ["services.web.deploy", "replica"]),
    ({"stack_files": ["compose.yml", "bad-type.yml"]}, ["services.worker.deploy.replicas", "integer"]),
    ({"stack_files": ["compose.yml", "bad-undefined.yml"]}, ["services.worker.image", "NOT_GIVEN"]),
    ({"stack_variables": {"TAG": "Bad Tag!"}}, ["services.migrate.image", "invalid image reference"]),
    ({"stack_files": ["compose.yml", "bad-network.yml"]}, ["services.worker.networks", "undefined network", "nowhere"]),
    ({"stack_files": ["compose.yml", "bad-secret.yml"]}, ["services.worker.secrets", "undefined secret", "missing"]),
    ({"stack_files": ["compose.yml", "bad-external.yml"]}, ["networks", "outside", "does not exist"]),
    ({"stack_files": ["compose.yml", "bad-forbidden.yml"]}, ["unsupported options", "volumes_from"]),
]


@pytest.mark.parametrize("extra,words", CASES, ids=[c[1][0] for c in CASES])
def test_bad_input_fails_before_any_change(extra, words):
    before, tasks = versions(), running_task_ids("app")
    proc, result = deploy(**extra)
    assert proc.returncode != 0
    message = result.get("msg", "")
    assert message.startswith("Cannot deploy stack app:"), message
    for word in words:
        assert word in message, message
    assert result.get("services") == [], "the module got as far as planning"
    assert versions() == before and running_task_ids("app") == tasks
