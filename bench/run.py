"""`make bench`: how fast Anchorage takes bare machines to a serving cluster, and how cheap a re-run is, measured
side by side with the floor in one run on this machine.

For each size N (--sizes, default 3,6,9) and each run (--runs, default 3):
  1. cold converge, floor: N bare machines (bench/machines.yml), then bench/floor.sh converge: plain SSH and the
     docker CLI, everything in parallel that can be;
  2. cold converge, ours: N new bare machines, then `ansible-playbook playbooks/site.yml playbooks/demo.yml`
     (Engine, swarm, registry, images, demo stack), with a per-task profile (bench/callback_plugins);
  3. no-op re-run, ours: the same command again on the converged machines (it must report changed=0);
     and the Ansible floor: bench/ansible-floor.yml (gather_facts + ping) on the same hosts.
After the sizes, on the last converged machines:
  4. stack deploy until converged: anchorage.swarm.stack against `docker stack deploy --detach=false` (the
     controller's docker CLI through bench/floor.sh deploy) on bench/stack.yml, a first deploy and an image update.

Both sides install packages through bench/pkgcache.py (a caching proxy on the controller), so downloads do not
dominate. Every timed run is checked afterwards: N nodes Ready and every service of the demo and the registry at
its full replica count, or the benchmark stops. Each figure is the median of the runs, with min and max beside it.
Results (gitignored): results/bench/<time>/ with runs.csv, summary.csv, bench.png, profiles and logs;
results/bench/latest points at the newest.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import re
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "bench"))
import pkgcache  # noqa: E402 - bench/ is not a package

LAB = "anchorage-bench"
STATE = os.path.join(REPO, ".lab", LAB)
INVENTORY = os.path.join(STATE, "inventory", "hosts.yml")
CACHE_DIR = os.path.join(REPO, ".cache", "bench", "packages")
LAB_DOWN = ["ansible-playbook", "playbooks/lab-down.yml", "-e", f"machine_lab_name={LAB}"]
OURS_COLD = ["ansible-playbook", "-i", INVENTORY, "playbooks/site.yml", "playbooks/demo.yml"]
STACK = "bench"

# --- pure helpers (tests/unit/bench) -------------------------------------------------------------------------------


def managers_for(n):
    """Managers in a lab of N machines: 1 up to 4 machines, 3 from 5 (a quorum that survives one loss)."""
    return 1 if n < 5 else 3


def subnet_gateway(subnet):
    """The controller's address on the bench network: the subnet's first host (Docker's default gateway)."""
    base = subnet.split("/")[0]
    parts = base.split(".")
    return ".".join(parts[:3] + [str(int(parts[3]) + 1)])


def summarize(values):
    """(median, min, max) of a list of seconds; None for an empty list."""
    if not values:
        return None
    return statistics.median(values), min(values), max(values)


def recap_changed(output):
    """{host: changed} from the PLAY RECAP of ansible-playbook's output."""
    found = {}
    for host, changed in re.findall(r"^(\S+)\s+:\s+ok=\d+\s+changed=(\d+)", output, re.M):
        found[host] = int(changed)
    return found


def profile_totals(profile, top=15):
    """(roles, tasks) of one run's bench_profile JSON: seconds per role (tasks outside roles under their play's
    name), and the TOP slowest tasks as (seconds, 'role : task')."""
    roles = {}
    for task in profile["tasks"]:
        key = task["role"] or f"(play) {task['play']}"
        roles[key] = roles.get(key, 0.0) + task["seconds"]
    slowest = sorted(profile["tasks"], key=lambda t: t["seconds"], reverse=True)[:top]
    tasks = [(t["seconds"], f"{t['role']} : {t['task']}" if t["role"] else t["task"]) for t in slowest]
    return sorted(roles.items(), key=lambda kv: kv[1], reverse=True), tasks


def format_figure(stats):
    if stats is None:
        return "-"
    median, low, high = stats
    return f"{median:7.1f} s [{low:.1f}-{high:.1f}]"


def summary_rows(rows):
    """Group raw rows {benchmark, n, tool, seconds} into [(benchmark, n, ours stats, floor stats, ratio)]."""
    groups = {}
    order = []
    for row in rows:
        key = (row["benchmark"], int(row["n"]))
        if key not in groups:
            groups[key] = {"ours": [], "floor": []}
            order.append(key)
        groups[key][row["tool"]].append(float(row["seconds"]))
    result = []
    for key in order:
        ours, floor = summarize(groups[key]["ours"]), summarize(groups[key]["floor"])
        ratio = ours[0] / floor[0] if ours and floor and floor[0] else None
        result.append((key[0], key[1], ours, floor, ratio))
    return result


def table(summary, floors):
    """The table printed at the end, one line per benchmark and size."""
    lines = [f"{'benchmark':<24} {'N':>2}  {'ours: median [min-max]':<26} {'floor: median [min-max]':<26} "
             f"{'ours/floor':>10}  floor is"]
    for benchmark, n, ours, floor, ratio in summary:
        lines.append(f"{benchmark:<24} {n:>2}  {format_figure(ours):<26} {format_figure(floor):<26} "
                     f"{(f'{ratio:.2f}' if ratio else '-'):>10}  {floors.get(benchmark, '')}")
    return "\n".join(lines)


def profiled(out, name):
    """The environment that has bench/callback_plugins write the run's per-task times to profiles/NAME.json."""
    return {"ANSIBLE_CALLBACK_PLUGINS": os.path.join(REPO, "bench", "callback_plugins"),
            "ANSIBLE_CALLBACKS_ENABLED": "bench_profile",
            "BENCH_PROFILE_JSON": os.path.join(out, "profiles", f"{name}.json")}


FLOORS = {
    "cold converge": "bench/floor.sh (SSH + docker CLI, parallel)",
    "no-op re-run": "gather_facts + ping (bench/ansible-floor.yml)",
    "stack first deploy": "docker stack deploy --detach=false",
    "stack image update": "docker stack deploy --detach=false",
}

# --- the machines and the commands ------------------------------------------------------------------------------


class Bench:
    def __init__(self, args):
        self.args = args
        self.out = args.results
        os.makedirs(os.path.join(self.out, "logs"), exist_ok=True)
        os.makedirs(os.path.join(self.out, "profiles"), exist_ok=True)
        self.rows = []
        self.proxy = None
        self.cache = None
        self.gateway = subnet_gateway(args.subnet)
        self.started = time.monotonic()

    def say(self, text):
        print(f"[bench {time.monotonic() - self.started:6.0f}s] {text}", flush=True)

    def run(self, cmd, log, env=None, check=True, timeout=3600):
        """Run CMD from the repository root with its output in LOG; (seconds, output)."""
        full_env = dict(os.environ, ANSIBLE_FORCE_COLOR="0", **(env or {}))
        begin = time.monotonic()
        proc = subprocess.run(cmd, cwd=REPO, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, timeout=timeout, check=False)
        seconds = time.monotonic() - begin
        with open(os.path.join(self.out, "logs", log), "w", encoding="utf-8") as handle:
            handle.write(f"$ {' '.join(cmd)}\n# {seconds:.1f} s, exit {proc.returncode}\n{proc.stdout}")
        if check and proc.returncode != 0:
            tail = "\n".join(proc.stdout.splitlines()[-25:])
            raise SystemExit(f"bench: `{' '.join(cmd)}` failed (exit {proc.returncode}); "
                             f"log: {os.path.join(self.out, 'logs', log)}\n{tail}")
        return seconds, proc.stdout

    def hosts(self):
        """[(name, address, is_manager)] of the bench inventory, in the inventory's order (managers first)."""
        with open(INVENTORY, encoding="utf-8") as handle:
            text = handle.read()
        found = re.findall(r"^    (\S+):\n      ansible_host: (\S+)$", text, re.M)
        return [(name, address, name.startswith("manager")) for name, address in found]

    def node(self, name, *cmd, check=True):
        """Run CMD in machine NAME through the controller's Engine (set-up and checks, never timed)."""
        proc = subprocess.run(["docker", "exec", f"{LAB}-{name}", *cmd], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, check=False)
        if check and proc.returncode != 0:
            raise SystemExit(f"bench: {' '.join(cmd)} on {name} failed: {proc.stdout.strip()}")
        return proc.stdout

    def bare_machines(self, n, tag):
        """Remove the bench machines and make N new bare ones, pointed at the package cache."""
        self.run(LAB_DOWN, f"{tag}-down.log")
        self.run(["ansible-playbook", "bench/machines.yml", "-e", f"bench_machine_count={n}",
                  "-e", f"bench_managers={managers_for(n)}", "-e", f"bench_subnet={self.args.subnet}"],
                 f"{tag}-machines.log")
        if self.proxy is None:
            self.cache_start()
        proxy = f"http://{self.gateway}:{self.args.cache_port}"
        docker_config = json.dumps({"proxies": {"default": {
            "httpProxy": proxy, "noProxy": f"localhost,127.0.0.1,{self.args.subnet}"}}})
        for name, _address, _manager in self.hosts():
            # A site's apt proxy, and the docker client's proxies, which the CLI and docker_image pass to builds.
            self.node(name, "sh", "-c", f"echo 'Acquire::http::Proxy \"{proxy}\";' > /etc/apt/apt.conf.d/01bench-proxy"
                      f" && mkdir -p /root/.docker && echo '{docker_config}' > /root/.docker/config.json")

    def cache_start(self):
        if self.args.fresh_cache:
            pkgcache.clear(CACHE_DIR)
        self.proxy, self.cache = pkgcache.serve(CACHE_DIR, self.gateway, self.args.cache_port)
        self.say(f"package cache on {self.gateway}:{self.args.cache_port} ({CACHE_DIR})")

    def check_cluster(self, n, label):
        """Every node Ready and every service at full count, seen by the first manager; or stop the benchmark."""
        deadline = time.monotonic() + 120
        while True:
            nodes = self.node("manager1", "docker", "node", "ls", "--format", "{{.Status}}", check=False).split()
            services = self.node("manager1", "docker", "service", "ls", "--format", "{{.Name}} {{.Replicas}}",
                                 check=False).splitlines()
            short = [s for s in services if not re.search(r" (\d+)/\1\b", s)]
            names = sorted(s.split()[0] for s in services)
            if nodes.count("Ready") == n and services and not short:
                return names
            if time.monotonic() > deadline:
                raise SystemExit(f"bench: after {label}: {nodes.count('Ready')}/{n} nodes Ready; "
                                 f"services not at full count: {short or 'none listed'}")
            time.sleep(3)

    def record(self, benchmark, n, tool, run, seconds, **extra):
        row = {"benchmark": benchmark, "n": n, "tool": tool, "run": run, "seconds": round(seconds, 2),
               "changed": extra.get("changed", ""), "note": extra.get("note", "")}
        self.rows.append(row)
        self.say(f"{benchmark}, N={n}, {tool}, run {run}: {seconds:.1f} s"
                 + (f", changed={row['changed']}" if row["changed"] != "" else ""))

    def floor_env(self):
        hosts = self.hosts()
        return {
            "FLOOR_KEY": os.path.join(STATE, "id_ed25519"),
            "FLOOR_KNOWN_HOSTS": os.path.join(STATE, "known_hosts"),
            "FLOOR_MANAGERS": " ".join(f"{name}={addr}" for name, addr, manager in hosts if manager),
            "FLOOR_WORKERS": " ".join(f"{name}={addr}" for name, addr, manager in hosts if not manager),
            "FLOOR_WORK": os.path.join(STATE, "floor"),
        }

    # --- the benchmarks -----------------------------------------------------------------------------------------

    def cold_and_noop(self, n, run):
        tag = f"n{n}-run{run}"
        self.bare_machines(n, f"{tag}-floor")
        seconds = self.run(["bash", "bench/floor.sh", "converge"], f"{tag}-floor-cold.log", env=self.floor_env())[0]
        floor_services = self.check_cluster(n, "the floor's cold converge")
        self.record("cold converge", n, "floor", run, seconds)

        self.bare_machines(n, f"{tag}-ours")
        seconds = self.run(OURS_COLD, f"{tag}-ours-cold.log", env=profiled(self.out, f"{tag}-ours-cold"))[0]
        ours_services = self.check_cluster(n, "our cold converge")
        if ours_services != floor_services:
            raise SystemExit(f"bench: the floor and ours did not end with the same services: "
                             f"{floor_services} and {ours_services}")
        self.record("cold converge", n, "ours", run, seconds)

        seconds, output = self.run(OURS_COLD, f"{tag}-ours-noop.log", env=profiled(self.out, f"{tag}-ours-noop"))
        changed = sum(recap_changed(output).values())
        self.record("no-op re-run", n, "ours", run, seconds, changed=changed)
        if changed:
            self.say(f"WARNING: the no-op re-run changed {changed} things: see logs/{tag}-ours-noop.log")
        seconds = self.run(["ansible-playbook", "-i", INVENTORY, "bench/ansible-floor.yml"], f"{tag}-ansible-floor.log")[0]
        self.record("no-op re-run", n, "floor", run, seconds)

    def stack_images(self):
        """Two tags of one image in the registry, v1 and v2 (v2 differs by a label), built on the first manager."""
        registry = self.registry_address()
        image = f"{registry}/anchorage/bench"
        self.node("manager1", "sh", "-c",
                  f"docker tag {registry}/anchorage/redis:latest {image}:v1 && docker push -q {image}:v1 >/dev/null && "
                  f"printf 'FROM {image}:v1\\nLABEL org.anchorage.bench=v2\\n' | docker build -q -t {image}:v2 - "
                  f">/dev/null && docker push -q {image}:v2 >/dev/null")
        return registry

    def registry_address(self):
        manager = [addr for name, addr, is_manager in self.hosts() if is_manager][0]
        return f"{manager}:5000"

    def stack_remove(self):
        """docker stack rm, then wait until no node runs a task of it and the images are gone from the workers, so
        that every first deploy pulls."""
        self.node("manager1", "docker", "stack", "rm", STACK, check=False)
        deadline = time.monotonic() + 180
        for name, _address, manager in self.hosts():
            while self.node(name, "docker", "ps", "-aq", "--filter", f"label=com.docker.stack.namespace={STACK}").strip():
                if time.monotonic() > deadline:
                    raise SystemExit(f"bench: the {STACK} stack's containers are still on {name}")
                time.sleep(2)
            self.node(name, "docker", "container", "prune", "-f", check=False)
            if not manager:
                self.node(name, "sh", "-c", "docker image ls -q '*/anchorage/bench' | xargs -r docker image rm -f",
                          check=False)
        while self.node("manager1", "docker", "network", "ls", "-q", "--filter",
                        f"label=com.docker.stack.namespace={STACK}").strip():
            if time.monotonic() > deadline:
                raise SystemExit(f"bench: the {STACK} stack's network is still there")
            time.sleep(2)

    def stack_deploys(self, n):
        registry = self.stack_images()
        replicas = 2 * n
        subprocess.run(["docker", "cp", os.path.join(REPO, "bench", "stack.yml"), f"{LAB}-manager1:/root/bench-stack.yml"],
                       check=True, stdout=subprocess.DEVNULL)
        password_file = os.path.join(STATE, "registry", "password")
        with open(password_file, encoding="utf-8") as handle:
            password = handle.read().strip()
        for run in range(1, self.args.runs + 1):
            for tool in ("floor", "ours"):
                self.stack_remove()
                for benchmark, tag in (("stack first deploy", "v1"), ("stack image update", "v2")):
                    variables = {"REGISTRY": registry, "TAG": tag, "REPLICAS": str(replicas)}
                    log = f"stack-{tool}-{tag}-run{run}.log"
                    if tool == "floor":
                        env = dict(self.floor_env(), **variables, FLOOR_REGISTRY_USER="anchorage",
                                   FLOOR_REGISTRY_PASSWORD=password)
                        seconds = self.run(["bash", "bench/floor.sh", "deploy", STACK, "bench/stack.yml"], log, env=env)[0]
                    else:
                        module_args = json.dumps({"name": STACK, "compose": ["/root/bench-stack.yml"],
                                                  "variables": variables, "with_registry_auth": True,
                                                  "wait_timeout": 600})
                        seconds = self.run(["ansible", "-i", INVENTORY, "manager1", "-m", "anchorage.swarm.stack",
                                            "-a", module_args], log)[0]
                    self.check_stack(tag, replicas)
                    self.record(benchmark, n, tool, run, seconds)
        self.stack_remove()

    def check_stack(self, tag, replicas):
        """Every replica of the bench stack runs the image TAG."""
        tasks = self.node("manager1", "docker", "service", "ps", f"{STACK}_cache", "--filter", "desired-state=running",
                          "--format", "{{.Image}} {{.CurrentState}}").splitlines()
        running = [t for t in tasks if t.split()[0].endswith(f":{tag}") and " Running" in f" {t.split(' ', 1)[1]}"]
        if len(running) != replicas:
            raise SystemExit(f"bench: {len(running)}/{replicas} tasks of {STACK}_cache run :{tag}: {tasks}")

    # --- output ---------------------------------------------------------------------------------------------------

    def write(self):
        with open(os.path.join(self.out, "runs.csv"), "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=["benchmark", "n", "tool", "run", "seconds", "changed", "note"])
            writer.writeheader()
            writer.writerows(self.rows)
        summary = summary_rows(self.rows)
        with open(os.path.join(self.out, "summary.csv"), "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["benchmark", "n", "ours_median", "ours_min", "ours_max", "floor_median", "floor_min",
                             "floor_max", "ratio", "floor_is"])
            for benchmark, n, ours, floor, ratio in summary:
                writer.writerow([benchmark, n, *(f"{v:.2f}" for v in ours or ("", "", "")),
                                 *(f"{v:.2f}" for v in floor or ("", "", "")),
                                 f"{ratio:.3f}" if ratio else "", FLOORS.get(benchmark, "")])
        return summary

    def chart(self, summary):
        try:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            self.say("no chart: matplotlib is not installed (make bench installs it into .venv)")
            return None
        figure, axes = plt.subplots(1, 2, figsize=(11, 4.5))
        for axis, benchmark, labels in ((axes[0], "cold converge", ("ours: site.yml + demo.yml", "floor: floor.sh")),
                                        (axes[1], "no-op re-run", ("ours: site.yml + demo.yml", "floor: facts + ping"))):
            points = [(n, (ours, floor)) for name, n, ours, floor, _ratio in summary if name == benchmark]
            for index, label in enumerate(labels):
                xs = [n for n, pair in points if pair[index]]
                stats = [pair[index] for n, pair in points if pair[index]]
                if not xs:
                    continue
                medians = [s[0] for s in stats]
                errors = [[s[0] - s[1] for s in stats], [s[2] - s[0] for s in stats]]
                axis.errorbar(xs, medians, yerr=errors, marker="o", capsize=4, label=label)
            axis.set_title(f"{benchmark} (median, min-max)")
            axis.set_xlabel("machines (N)")
            axis.set_ylabel("seconds")
            axis.set_xticks(sorted({n for n, pair in points}))
            axis.margins(y=0.15)
            axis.set_ylim(bottom=0)
            axis.grid(alpha=0.3)
            axis.legend()
        figure.tight_layout()
        path = os.path.join(self.out, "bench.png")
        figure.savefig(path, dpi=110)
        return path

    def profiles(self, summary):
        """Where the time goes: per role and the slowest tasks of each size's median cold and no-op run."""
        lines = []
        for benchmark, n, ours, _floor, _ratio in summary:
            if benchmark not in ("cold converge", "no-op re-run") or not ours:
                continue
            kind = "cold" if benchmark == "cold converge" else "noop"
            runs = [r for r in self.rows if r["benchmark"] == benchmark and r["n"] == n and r["tool"] == "ours"]
            median_run = min(runs, key=lambda r: abs(r["seconds"] - ours[0]))["run"]
            with open(os.path.join(self.out, "profiles", f"n{n}-run{median_run}-ours-{kind}.json"), encoding="utf-8") as h:
                roles, tasks = profile_totals(json.load(h), top=15 if kind == "cold" else 10)
            lines.append(f"\nWhere the time goes: our {benchmark}, N={n} (run {median_run}, the median)")
            lines.append("  per role (or play):")
            lines += [f"    {seconds:7.1f} s  {name}" for name, seconds in roles]
            lines.append("  slowest tasks:")
            lines += [f"    {seconds:7.1f} s  {name}" for seconds, name in tasks]
        return "\n".join(lines)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "3,6,9"),
                        help="machine counts N, comma-separated (env BENCH_SIZES; default 3,6,9)")
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "3")),
                        help="runs per figure; the median is reported (env BENCH_RUNS; default 3)")
    parser.add_argument("--only", default=os.environ.get("BENCH_ONLY", "converge,stack"),
                        help="converge (cold and no-op) and/or stack (default both)")
    parser.add_argument("--subnet", default="172.29.80.0/24", help="the bench machines' network")
    parser.add_argument("--cache-port", type=int, default=3142, help="port of the package cache on the controller")
    parser.add_argument("--fresh-cache", action="store_true", help="forget the cached packages first")
    parser.add_argument("--keep", action="store_true", help="leave the last machines running at the end")
    parser.add_argument("--results", default=None, help="output folder (default results/bench/<time>)")
    args = parser.parse_args(argv)
    args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if not args.sizes or min(args.sizes) < 1 or args.runs < 1:
        parser.error("--sizes needs whole numbers >= 1 and --runs >= 1")
    args.only = {s.strip() for s in args.only.split(",") if s.strip()}
    if not args.only <= {"converge", "stack"}:
        parser.error("--only takes converge and/or stack")
    if args.results is None:
        args.results = os.path.join(REPO, "results", "bench", datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))
    return args


def main(argv=None):
    args = parse_args(argv)
    # As `make bench` runs it: the venv's ansible-playbook first on PATH, the repository's ansible.cfg.
    os.environ["PATH"] = os.path.dirname(os.path.abspath(sys.executable)) + os.pathsep + os.environ.get("PATH", "")
    os.environ.setdefault("ANSIBLE_CONFIG", os.path.join(REPO, "ansible.cfg"))
    bench = Bench(args)
    latest = os.path.join(REPO, "results", "bench", "latest")
    if os.path.dirname(os.path.abspath(args.results)) == os.path.dirname(latest):
        if os.path.islink(latest):
            os.unlink(latest)
        os.symlink(os.path.basename(args.results), latest)
    bench.say(f"sizes {args.sizes}, {args.runs} runs each, results in {args.results}")
    try:
        if "converge" in args.only:
            for n in args.sizes:
                for run in range(1, args.runs + 1):
                    bench.cold_and_noop(n, run)
                bench.write()
        if "stack" in args.only:
            n = args.sizes[-1]
            if "converge" not in args.only:
                bench.bare_machines(n, f"n{n}-stack")
                bench.run(OURS_COLD, f"n{n}-stack-converge.log")
                bench.check_cluster(n, "the converge before the stack benchmark")
            bench.stack_deploys(n)
    finally:
        summary = bench.write()
        if bench.proxy is not None:
            bench.proxy.shutdown()
            bench.say(f"package cache: {bench.cache.stats}")
        if not args.keep:
            bench.run(LAB_DOWN, "down.log", check=False)
    print()
    print(table(summary, FLOORS))
    print(bench.profiles(summary))
    chart = bench.chart(summary) if "converge" in args.only else None
    print(f"\nraw runs: {os.path.join(args.results, 'runs.csv')}\nsummary: {os.path.join(args.results, 'summary.csv')}")
    if chart:
        print(f"chart:   {chart}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
