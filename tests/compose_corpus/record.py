# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Record what the real docker CLI makes of every compose corpus case.

For each case folder under cases/ (or only the ids named on the command
line) this copies the folder to /tmp/anchorage-compose-corpus/<id>/, runs
``docker stack config -c <file> [-c <file> ...]`` there with an environment
of only PATH, HOME and the case's own variables, and writes the result to
cases/<id>/cli.json.  Python 3 standard library only; run it with python3
(python3 tests/compose_corpus/record.py [ID ...]), it is not executable.
"""

import base64
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")
WORK = "/tmp/anchorage-compose-corpus"
BASE_ENV = {"PATH": "/usr/bin:/bin", "HOME": "/home/corpus"}
TIMEOUT = 60
MIN_MAJOR = 23
CASE_ID = re.compile(r"^[0-9]{3}-[a-z0-9][a-z0-9-]*$")
# The CLI's logrus warnings start with the wall-clock time; it is replaced by a
# fixed placeholder so that re-recording an unchanged case gives the same file.
LOG_TIME = re.compile(r'^time="[^"]*" ', re.M)


def fail(msg):
    sys.stderr.write("record.py: %s\n" % msg)
    sys.exit(2)


def find_cli():
    cli = os.environ.get("DOCKER_CLI") or shutil.which("docker")
    if not cli:
        fail("no docker CLI found: set DOCKER_CLI or put docker on PATH.")
    cli = os.path.abspath(cli)
    try:
        out = subprocess.run(
            [cli, "version", "--format", "{{.Client.Version}}"],
            env=dict(BASE_ENV), stdin=subprocess.DEVNULL,
            capture_output=True, text=True, timeout=TIMEOUT, check=False,
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired) as exc:
        fail("cannot run %s: %s" % (cli, exc))
    m = re.match(r"^v?(\d+)\.(\d+)", out)
    if not m or int(m.group(1)) < MIN_MAJOR:
        fail("refusing to record: %s reports client version %r, and the corpus "
             "needs a docker CLI of version %d or newer." % (cli, out, MIN_MAJOR))
    return cli, out


def load_case(case_id):
    folder = os.path.join(CASES, case_id)
    with open(os.path.join(folder, "case.json"), encoding="utf-8") as fh:
        case = json.load(fh)
    files = case.get("files")
    if not isinstance(files, list) or not files or not all(isinstance(f, str) for f in files):
        raise ValueError("%s: 'files' must be a non-empty list of strings" % case_id)
    env = case.get("env", {})
    if not isinstance(env, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in env.items()):
        raise ValueError("%s: 'env' must map strings to strings" % case_id)
    for name in files:
        if os.path.isabs(name) or not os.path.isfile(os.path.join(folder, name)):
            raise ValueError("%s: file %r is missing or not relative" % (case_id, name))
    return folder, case


def decode(data):
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace"), base64.b64encode(data).decode("ascii")


def record(cli, version, case_id):
    folder, case = load_case(case_id)
    dest = os.path.join(WORK, case_id)
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(folder, dest, ignore=shutil.ignore_patterns("cli.json", "case.json"))
    env = dict(BASE_ENV)
    env.update(case.get("env", {}))
    argv = [cli, "stack", "config"]
    for name in case["files"]:
        argv += ["-c", name]
    try:
        proc = subprocess.run(argv, cwd=dest, env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=TIMEOUT, check=False)
        rc, out, err = proc.returncode, proc.stdout, proc.stderr
    except subprocess.TimeoutExpired as exc:
        rc, out, err = -1, exc.stdout or b"", (exc.stderr or b"") + b"\nrecord.py: timed out\n"
    result = {"cli": version, "rc": rc}
    result["stdout"], out_b64 = decode(out)
    result["stderr"], err_b64 = decode(err)
    result["stderr"] = LOG_TIME.sub('time="<time>" ', result["stderr"])
    if out_b64 is not None:
        result["stdout_base64"] = out_b64
    if err_b64 is not None:
        result["stderr_base64"] = err_b64
    with open(os.path.join(folder, "cli.json"), "w", encoding="utf-8") as fh:
        json.dump(result, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    return rc


def main(argv):
    if not os.path.isdir(CASES):
        fail("no cases folder at %s." % CASES)
    all_ids = sorted(d for d in os.listdir(CASES)
                     if os.path.isfile(os.path.join(CASES, d, "case.json")))
    if argv:
        wanted = []
        for arg in argv:
            arg = os.path.basename(os.path.normpath(arg))
            if arg.isdigit():
                arg = "%03d" % int(arg)
            hits = [i for i in all_ids if i == arg or i.split("-", 1)[0] == arg]
            if not hits:
                fail("no case %r." % arg)
            wanted += hits
    else:
        wanted = all_ids
    bad = [i for i in wanted if not CASE_ID.match(i)]
    if bad:
        fail("badly named case folder(s): %s." % ", ".join(bad))
    cli, version = find_cli()
    os.makedirs(WORK, exist_ok=True)
    accepted = rejected = 0
    for case_id in wanted:
        rc = record(cli, version, case_id)
        if rc == 0:
            accepted += 1
        else:
            rejected += 1
        print("%-60s %s" % (case_id, "accepted" if rc == 0 else "rejected (rc %d)" % rc))
    print("cases: %d, accepted: %d, rejected: %d (docker CLI %s)"
          % (len(wanted), accepted, rejected, version))


if __name__ == "__main__":
    main(sys.argv[1:])
