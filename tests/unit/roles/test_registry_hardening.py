"""The registry role's password file mode and its build tasks' output (issue 16, items 2 and 3)."""

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
TASKS = ROOT / "roles" / "registry" / "tasks"


def _playbook():
    return shutil.which("ansible-playbook", path=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))


@pytest.mark.skipif(_playbook() is None, reason="ansible-playbook not installed")
def test_existing_password_file_is_made_0600(tmp_path):
    """A password file left 0644 (by hand, by an older release) is 0600 after the auth tasks ran."""
    pki = tmp_path / "pki"
    pki.mkdir()
    password = pki / "password"
    password.write_text("kept-password-value\n")
    password.chmod(0o644)
    play = tmp_path / "play.yml"
    play.write_text(yaml.safe_dump([{
        "hosts": "localhost",
        "gather_facts": False,
        "vars": {
            "registry_pki_dir": str(pki),
            "registry_password": "",
            "registry_user": "anchorage",
            "registry__preview": False,
            "registry__held": [],
            "ansible_python_interpreter": sys.executable,
        },
        "tasks": [{"ansible.builtin.include_tasks": str(TASKS / "auth.yml")}],
    }]))
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"))
    run = subprocess.run([_playbook(), "-i", "localhost,", "-c", "local", str(play)],
                         capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert stat.S_IMODE(password.stat().st_mode) == 0o600
    assert password.read_text() == "kept-password-value\n"  # kept, not regenerated
    assert "kept-password-value" not in run.stdout + run.stderr


def _build_tasks():
    for name in ("images.yml", "build.yml"):
        for task in yaml.safe_load((TASKS / name).read_text()):
            module = task.get("community.docker.docker_image")
            if module and module.get("source") == "build":
                yield name, task


def test_build_tasks_hide_their_args():
    """docker_image echoes build.args back: every build task is no_log, and a summary follows naming the args."""
    tasks = list(_build_tasks())
    assert {name for name, _task in tasks} == {"images.yml", "build.yml"}
    for name, task in tasks:
        assert "args" in task["community.docker.docker_image"]["build"], name
        assert task.get("no_log") is True, f"{name}: {task['name']} shows its build args"
    for name in ("images.yml", "build.yml"):
        text = (TASKS / name).read_text()
        assert "build args:" in text and ".keys()" in text, f"{name}: no summary naming the build args"
