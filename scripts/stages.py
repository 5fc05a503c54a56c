# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Time the stages of `make test` and print them as one table, with the test count of each.

    stages.py reset                       start a new record (.build/stages/)
    stages.py run [--quiet] NAME -- CMD [ARG...]
                                          run CMD, its output kept in .build/stages/NAME.log and passed through
                                          (--quiet: a line when it starts and one when it ends, for stages run
                                          side by side), and record its time, exit code, test count and phases
    stages.py table [--markdown]          print the table of what was recorded since the last reset, and the end
                                          of the log of each stage that failed

Standard library only: it runs before the venv exists (the venv stage is one of the stages it times).

Why parse the output instead of asking each tool: the counts are the ones the tools print for the people reading the
log (pytest's summary line, ansible-lint's "files processed", ansible-test's "Running sanity test"), so the table
and the log can never disagree. A Molecule scenario's phases are timed from the lines Molecule prints when it starts
each action ("INFO  default ➜ converge: Executing"); its test count is its verifier's pytest summary.
"""

import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Where the records and logs go; the unit tests point it elsewhere.
RECORD = os.environ.get("ANCHORAGE_STAGES_DIR") or os.path.join(ROOT, ".build", "stages")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
BOX = re.compile("^ *\u2502 ?")
MOLECULE_ACTION = re.compile(r"^INFO\s+(\S+) \u279c (\S+): Executing\s*$")
PYTEST_SUMMARY = re.compile(r"^=*\s*((?:\d+ (?:passed|failed|skipped|errors?|xfailed|xpassed|deselected|warnings?)"
                            r"(?:, )?)+) in [\d.]+s")
PYTEST_COUNT = re.compile(r"(\d+) (passed|failed|skipped|errors?|xfailed|xpassed)")
ANSIBLE_LINT = re.compile(r"(\d+) files? processed")
SANITY_TEST = re.compile(r"^Running sanity test [\"']([^\"']+)[\"']")
DOC_OK = re.compile(r"^ansible-doc -t \S+ \S+: ok$")
BUILT = re.compile(r"^Created collection for ")
IMPORTED = re.compile(r"^Importer processing completed successfully")
# How much of a failed stage's log the table prints (run side by side, a stage's output is only in its log).
FAILED_LOG_LINES = 400
# CI's record of a run keeps only its first and last lines: after the table, the lines of each failed stage that
# say why (Ansible's "fatal:", pytest's "FAILED"/"E   ", tracebacks), at most this many with what wraps them.
WHY_LINES = 24
WHY = re.compile(r"fatal: \[|FAILED! =>|^FAILED (?!- RETRYING)|^E   |^ERROR|Traceback \(most recent|Error: |error: |"
                 r"^An exception occurred|^(?:CRITICAL|ERROR)\s")


class Counter:
    """What a stage's output says about the tests it ran and, for Molecule, when each phase began."""

    def __init__(self):
        self.pytest = {}
        self.lint_files = 0
        self.sanity = 0
        self.docs = 0
        self.built = 0
        self.imported = 0
        self.phases = []  # [name, start offset in seconds]

    def feed(self, line, offset):
        # Molecule frames what its tools print ("  │ ..."): the tools' own lines are inside the frame.
        text = BOX.sub("", ANSI.sub("", line).rstrip("\n"))
        match = MOLECULE_ACTION.match(text)
        if match:
            self.phases.append([match.group(2), offset])
            return
        match = PYTEST_SUMMARY.match(text)
        if match:
            # Every pytest run in the stage adds up (a Molecule verifier, several test files run apart).
            for number, kind in PYTEST_COUNT.findall(match.group(1)):
                kind = "errors" if kind.startswith("error") else kind
                self.pytest[kind] = self.pytest.get(kind, 0) + int(number)
            return
        match = ANSIBLE_LINT.search(text)
        if match:
            self.lint_files += int(match.group(1))
        if SANITY_TEST.match(text):
            self.sanity += 1
        if DOC_OK.match(text):
            self.docs += 1
        if BUILT.match(text):
            self.built += 1
        if IMPORTED.match(text):
            self.imported += 1

    def tests(self):
        """The stage's count as one short text, or "" when the stage runs no test (venv, images)."""
        parts = []
        if self.pytest:
            ran = sum(self.pytest.get(k, 0) for k in ("passed", "failed", "errors", "xfailed", "xpassed"))
            text = "%d tests" % ran
            extra = ["%d %s" % (self.pytest[k], k) for k in ("failed", "errors", "skipped") if self.pytest.get(k)]
            parts.append(text + (" (%s)" % ", ".join(extra) if extra else ""))
        if self.lint_files:
            parts.append("%d files linted" % self.lint_files)
        if self.sanity:
            parts.append("%d sanity tests" % self.sanity)
        if self.docs:
            parts.append("%d docs rendered" % self.docs)
        if self.built:
            parts.append("%d tarball built" % self.built)
        if self.imported:
            parts.append("%d galaxy-importer import" % self.imported)
        return "; ".join(parts)


def reset():
    os.makedirs(RECORD, exist_ok=True)
    for name in os.listdir(RECORD):
        if name.endswith((".json", ".log")):
            os.unlink(os.path.join(RECORD, name))
    with open(os.path.join(RECORD, "started.json"), "w", encoding="utf-8") as handle:
        json.dump({"started": time.time()}, handle)


def started_at():
    try:
        with open(os.path.join(RECORD, "started.json"), encoding="utf-8") as handle:
            return json.load(handle)["started"]
    except (OSError, ValueError, KeyError):
        return None


def record_path(name, suffix):
    """.build/stages/NAME.json or NAME.log, NAME made safe for a file name."""
    return os.path.join(RECORD, re.sub(r"[^A-Za-z0-9_.-]+", "-", name) + suffix)


def run(name, cmd, quiet=False):
    os.makedirs(RECORD, exist_ok=True)
    # Molecule and pytest fold their lines to the terminal's width, 80 columns without one: a wide one keeps
    # pytest's summary line whole, on one line, where it is read.
    env = dict(os.environ)
    env.setdefault("COLUMNS", "200")
    # A stage is one job of `make -jN test`: the make it runs goes on alone (-j1), without the parent's job server,
    # whose pipe this process does not hand down.
    if "MAKEFLAGS" in env:
        env["MAKEFLAGS"] = " ".join(word for word in env["MAKEFLAGS"].split()
                                    if not re.match(r"^(-j\d*|--jobs(=\d+)?|--jobserver-(auth|fds)=\S+)$", word))
    counter = Counter()
    begin = time.time()
    log_path = record_path(name, ".log")
    if quiet:
        print("[stage %s] started; its output: %s" % (name, os.path.relpath(log_path)), flush=True)
    with open(log_path, "w", encoding="utf-8", errors="replace") as log:
        try:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, bufsize=1, text=True,
                                    errors="replace", env=env)
        except OSError as exc:
            sys.exit("stages.py: cannot run %s: %s" % (cmd[0], exc))
        for line in proc.stdout:
            if not quiet:
                sys.stdout.write(line)
                sys.stdout.flush()
            log.write(line)
            log.flush()
            counter.feed(line, time.time() - begin)
        rc = proc.wait()
    seconds = time.time() - begin
    phases = []
    for index, (phase, offset) in enumerate(counter.phases):
        end = counter.phases[index + 1][1] if index + 1 < len(counter.phases) else seconds
        phases.append({"name": phase, "seconds": round(end - offset, 1)})
    record = {"name": name, "begin": begin, "seconds": round(seconds, 1), "rc": rc, "tests": counter.tests(),
              "phases": phases}
    with open(record_path(name, ".json"), "w", encoding="utf-8") as handle:
        json.dump(record, handle)
    if quiet:
        print("[stage %s] %s after %s%s" % (name, "passed" if rc == 0 else "FAILED (exit %d)" % rc, fmt(seconds),
                                            ": " + record["tests"] if record["tests"] else ""), flush=True)
    return rc


def fmt(seconds):
    seconds = int(round(seconds))
    return "%d:%02d" % divmod(seconds, 60)


def table(markdown=False):
    records = []
    if os.path.isdir(RECORD):
        for name in os.listdir(RECORD):
            if name.endswith(".json") and name != "started.json":
                with open(os.path.join(RECORD, name), encoding="utf-8") as handle:
                    records.append(json.load(handle))
    records.sort(key=lambda r: r["begin"])
    if not records:
        print("stages.py: no stage was recorded (.build/stages is empty)")
        return
    origin = started_at() or records[0]["begin"]
    rows = [("stage", "start", "time", "result", "tests")]
    for record in records:
        result = "ok" if record["rc"] == 0 else "FAILED (exit %d)" % record["rc"]
        rows.append((record["name"], fmt(record["begin"] - origin), fmt(record["seconds"]), result, record["tests"]))
        for phase in record["phases"]:
            # Molecule's bookkeeping actions (dependency, syntax) take a second or two: shown all the same.
            rows.append(("  " + phase["name"], "", fmt(phase["seconds"]), "", ""))
    wall = max(r["begin"] + r["seconds"] for r in records) - origin
    busy = sum(r["seconds"] for r in records)
    rows.append(("total (wall clock)", "", fmt(wall), "", "stages add up to %s" % fmt(busy)))
    if markdown:
        print("| " + " | ".join(rows[0]) + " |")
        print("|" + "|".join(["---"] * len(rows[0])) + "|")
        for row in rows[1:]:
            print("| " + " | ".join(cell.replace("  ", "&nbsp;&nbsp;", 1) if i == 0 else cell
                                    for i, cell in enumerate(row)) + " |")
        return
    for record in records:
        if record["rc"] != 0:
            # What CI keeps of a failed run is what was printed: the end of the log, where the failure is told.
            log_path = record_path(record["name"], ".log")
            with open(log_path, encoding="utf-8", errors="replace") as log:
                lines = log.readlines()
            print("==== stage %s failed (exit %d); the last %d of its %d lines (all: %s) ====" % (
                record["name"], record["rc"], min(FAILED_LOG_LINES, len(lines)), len(lines), os.path.relpath(log_path)))
            sys.stdout.writelines(lines[-FAILED_LOG_LINES:])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if index == 0:
            print("  ".join("-" * w for w in widths))
    for record in records:
        if record["rc"] != 0:
            log_path = record_path(record["name"], ".log")
            with open(log_path, encoding="utf-8", errors="replace") as log:
                why = why_failed(log.readlines())
            print("==== why stage %s failed: %s ====" % (
                record["name"], "the lines of its log that say so" if why else "no line of its log says"))
            sys.stdout.writelines(line + "\n" for line in why)


def why_failed(lines, limit=WHY_LINES):
    """The lines of a log that tell a failure, each with the line after it (Molecule wraps a long line in its
    frame), unframed and cut at 300 characters; the last ones when there are more than limit."""
    text = [BOX.sub("", ANSI.sub("", line).rstrip("\n")).strip() for line in lines]
    picked = []
    for index, line in enumerate(text):
        if WHY.search(line):
            for other in (index, index + 1):
                if other < len(text) and text[other] and other not in picked:
                    picked.append(other)
    return [text[index][:300] for index in picked[-limit:]]


def main(argv):
    if argv[:1] == ["reset"]:
        reset()
        return 0
    if argv[:1] == ["table"]:
        table(markdown="--markdown" in argv[1:])
        return 0
    quiet = argv[1:2] == ["--quiet"]
    if quiet:
        argv = argv[:1] + argv[2:]
    if len(argv) >= 4 and argv[0] == "run" and argv[2] == "--":
        return run(argv[1], argv[3:], quiet=quiet)
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
