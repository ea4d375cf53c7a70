"""Load benchmark: klaster on PostgreSQL with the demo data, served as in production, against the
previous serving setup, side by side.

Sides (each with its own database, migrated and filled by that side's own ``klaster demo``):

- ``current``  — this working tree, ``klaster serve`` (gunicorn, 2 × cores + 1 workers, page
  cache, persistent connections, hashed and compressed static files);
- ``baseline`` — the tree of ``--baseline-ref`` (default ``464ec6c``, the setup issue 11 was
  measured on: waitress, one process with 8 threads, no cache), unpacked with ``git archive``.

For each side:

1. **Mixed day** (Locust, headless, ``benchmarks/load_locustfile.py``): ``--users`` users (50)
   who wait 1–3 s between pages, for ``--duration`` seconds (60) in ``--rounds`` runs (2), the
   sides alternating run by run; exact p50/p95/p99 and requests per second of every page.
2. **Saturation** (``wrk``, or ``ab`` when wrk is missing): ``--connections`` connections (50)
   that do not wait, ``--saturation-duration`` seconds (30) per page; requests per second and
   p50/p95/p99. The two sides alternate page by page, so that other load on the machine falls on
   both alike.

Each run records the load average at its start and end and the shares of the machine's CPU
taken by the side's server, PostgreSQL, the load generator and everything else (:class:`CpuMeter`).

Everything listens on and is sent to 127.0.0.1 only, and every phase is bounded in time. Needs:
PostgreSQL server binaries (Debian ``postgresql``; or ``--database-url`` of a server where the
user may create databases), ``wrk`` (Debian ``wrk``) or ``ab`` (Debian ``apache2-utils``), the
``bench`` extra (Locust; in ``requirements.lock``), git, and the datasets of ``klaster data fetch``
(``KLASTER_DATA_MIRROR``). Run::

    .venv/bin/python benchmarks/load.py                       # both sides, ~12 minutes
    .venv/bin/python benchmarks/load.py --no-baseline --duration 20 --saturation-duration 10
    make bench-load

Prints the tables and writes them with the raw figures to ``--out`` (JSON) and ``--markdown``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import math
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
LOCUSTFILE = Path(__file__).resolve().parent / "load_locustfile.py"
SATURATION_PAGES = ["/", "/register/", "/register/construction/", "/competition/", "/regions/"]
#: The issue's measurement of the previous setup (ab, 50 connections, 60 s; same 2-core machine).
ISSUE_BASELINE = {"/": 136, "/register/": 13.5, "/register/construction/": 45, "/competition/": 125, "/regions/": 10}
MIXED_P95_MS = 150  # the issue's target of the mixed day, every page
TARGET_FACTOR = {"/": 3, "/competition/": 3, "/register/": 10, "/regions/": 10}
SECRET = "benchmark-only-" + "x" * 40


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------------------------- PostgreSQL

class Postgres:
    """A private PostgreSQL cluster on a free loopback port (trust authentication, temporary
    directory), or an existing server given by URL."""

    def __init__(self, url: str | None, workdir: Path):
        self.url, self.proc_dir, self.bin = url, None, None
        if url:
            return
        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
        if not versions:
            sys.exit("error: no PostgreSQL server binaries (Debian: apt-get install postgresql), or give --database-url")
        self.bin = versions[-1].parent
        self.port = free_port()
        self.proc_dir = workdir / "pg"
        self.proc_dir.mkdir()
        self.as_postgres = os.geteuid() == 0  # initdb refuses to run as root
        if self.as_postgres:
            shutil.chown(self.proc_dir, "postgres")
            shutil.chown(workdir, "postgres")
        self._run([self.bin / "initdb", "-D", self.proc_dir, "-A", "trust", "-U", "postgres"])
        opts = f"-p {self.port} -k {self.proc_dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off"
        self._run([self.bin / "pg_ctl", "-D", self.proc_dir, "-o", opts, "-l", self.proc_dir / "log", "-w", "start"])
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, args):
        args = [str(a) for a in args]
        if getattr(self, "as_postgres", False):
            args = ["su", "postgres", "-c", shlex.join(args)]
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)

    def create(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return re.sub(r"/[^/]*$", f"/{name}", self.url)

    def postmaster(self) -> int | None:
        """The private cluster's postmaster process id (None for ``--database-url``)."""
        try:
            return int((self.proc_dir / "postmaster.pid").read_text().split()[0]) if self.proc_dir else None
        except (OSError, ValueError, IndexError):
            return None

    def stop(self):
        if self.proc_dir:
            with contextlib.suppress(Exception):
                self._run([self.bin / "pg_ctl", "-D", self.proc_dir, "-m", "fast", "stop"])


# ------------------------------------------------------------------------------------- one side

class Side:
    """One version of klaster: its tree, database, data directory and server."""

    def __init__(self, name: str, src: Path, database_url: str, workdir: Path, serve_args: list[str], env: dict):
        self.name, self.src, self.port = name, src, free_port()
        self.data_dir = workdir / name
        self.data_dir.mkdir()
        self.env = {**os.environ, **env, "PYTHONPATH": str(src), "DATABASE_URL": database_url, "KLASTER_DATA_DIR": str(self.data_dir),
                    "KLASTER_SECRET_KEY": SECRET, "KLASTER_ALLOWED_HOSTS": "127.0.0.1,localhost", "KLASTER_LOG_LEVEL": "ERROR"}
        self.env.pop("KLASTER_DEBUG", None)
        self.serve_args = serve_args
        self.proc = None
        self.postmaster: int | None = None  # PostgreSQL's postmaster, for the CPU shares
        self.url = f"http://127.0.0.1:{self.port}"

    def klaster(self, *args, timeout=900):
        p = subprocess.run([PY, "-c", "from klaster.cli import main; main()", *args], env=self.env, capture_output=True, text=True, timeout=timeout)
        if p.returncode:
            sys.exit(f"error: {self.name}: klaster {' '.join(args)} failed:\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
        return p.stdout

    def prepare(self):
        log(f"{self.name}: data fetch + demo (migrate, reference and demo data)")
        self.klaster("data", "fetch")
        self.klaster("demo")

    def start(self):
        self.log_file = open(self.data_dir / "serve.log", "w")
        self.proc = subprocess.Popen([PY, "-c", "from klaster.cli import main; main()", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                                      *self.serve_args], env=self.env, stdout=self.log_file, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 180
        while time.time() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"error: {self.name}: serve exited:\n{(self.data_dir / 'serve.log').read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(self.url + "/", timeout=5) as r:
                    if r.status == 200:
                        break
            time.sleep(0.5)
        else:
            sys.exit(f"error: {self.name}: no answer on {self.url} within 180 s")
        for page in SATURATION_PAGES:  # warm: first-request work (imports, caches) is not measured
            for _ in range(3):
                with contextlib.suppress(OSError):
                    urllib.request.urlopen(self.url + page, timeout=60).read()
        log(f"{self.name}: serving on {self.url} ({self.describe()})")

    def meter(self) -> CpuMeter:
        return CpuMeter(self.proc.pid, self.postmaster)

    def describe(self) -> str:
        text = (self.data_dir / "serve.log").read_text()
        m = re.search(r"with (gunicorn|waitress)[^\n]*", text.replace("\n", " "))
        return m.group(0)[:120] if m else "waitress, one process, 8 threads"

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


# ------------------------------------------------------------------------------------- load

def loadavg() -> float:
    """The 1-minute load average of the machine (other work on the 2 cores shows here)."""
    return round(os.getloadavg()[0], 2)


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_stats() -> list[tuple[int, int, int, float]]:
    """``(pid, ppid, process group, CPU seconds)`` of every process (Linux ``/proc``), its own and
    that of its children that have exited (so that a PostgreSQL backend or a gunicorn worker that
    ended during a run still counts, with its parent)."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            st = Path(f"/proc/{d}/stat").read_text()
        except OSError:
            continue
        f = st[st.rindex(")") + 2:].split()  # state ppid pgrp … utime stime cutime cstime (12th–15th)
        out.append((int(d), int(f[1]), int(f[2]), (int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])) / _TICK))
    return out


class CpuMeter:
    """Where the machine's CPU went during a run: the side's server (its process group: gunicorn's
    master and workers, or waitress), the PostgreSQL cluster (the postmaster and its children), the
    load generator (Locust or wrk: this script's children) and everything else (other work on the
    machine). Linux only; ``None`` elsewhere."""

    def __init__(self, server_pgid: int, postmaster: int | None):
        self.pgid, self.postmaster = server_pgid, postmaster

    def _snap(self):
        import resource

        cpu = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
        vals = [int(x) for x in cpu]
        busy = (sum(vals) - vals[3] - vals[4]) / _TICK  # all but idle and iowait
        procs = _proc_stats()
        server = sum(c for pid, ppid, pg, c in procs if pg == self.pgid)
        db = sum(c for pid, ppid, pg, c in procs if self.postmaster and (pid == self.postmaster or ppid == self.postmaster))
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.time(), busy, server, db, ru.ru_utime + ru.ru_stime

    def __enter__(self):
        try:
            self.start = self._snap()
        except (OSError, ValueError, ImportError):
            self.start = None
        self.result = None
        return self

    def __exit__(self, *exc):
        if self.start is None:
            return
        end = self._snap()
        wall, busy, server, db, gen = (b - a for a, b in zip(self.start, end))
        capacity = wall * (os.cpu_count() or 1)
        self.result = {"wall": round(wall, 1), "capacity_s": round(capacity, 1), "server_s": round(server, 1), "db_s": round(db, 1),
                       "generator_s": round(gen, 1), "others_s": round(max(0.0, busy - server - db - gen), 1),
                       "idle_s": round(max(0.0, capacity - busy), 1)}


def cpu_text(r: dict | None) -> str:
    """``server 41 % · db 9 % · generator 20 % · others 28 % · idle 2 %`` of the machine's capacity."""
    if not r or not r.get("capacity_s"):
        return "—"
    c = r["capacity_s"]
    return " · ".join(f"{k} {100 * r[k + '_s'] / c:.0f} %" for k in ("server", "db", "generator", "others", "idle"))


def locust(side: Side, users: int, duration: int, prefix: Path, samples: Path | None = None) -> None:
    cmd = [str(Path(PY).parent / "locust"), "-f", str(LOCUSTFILE), "--headless", "-u", str(users), "-r", str(users),
           "-t", f"{duration}s", "--host", side.url, "--csv", str(prefix), "--only-summary", "--stop-timeout", "5", "--loglevel", "WARNING"]
    env = {**os.environ, "KLASTER_BENCH_SAMPLES": str(samples)} if samples else None
    with open(f"{prefix}.log", "w") as err:
        subprocess.run(cmd, timeout=duration + 120, stdout=subprocess.DEVNULL, stderr=err, env=env)


def mixed_day(sides: list[Side], users: int, duration: int, rounds: int, workdir: Path, warmup: int) -> dict:
    """Locust headless against every side, ``rounds`` runs of ``duration / rounds`` seconds per side,
    the sides alternating run by run (A B B A …: other work on the machine falls on both alike),
    after an unrecorded warm-up of ``warmup`` seconds per side (every worker process has compiled
    its templates and filled its caches, as in a server that has run for a while).

    Returns ``{side: {"pages": {page: {requests, failures, rps, p50, p95, p99, avg}}, "runs":
    [{seconds, load_start, load_end}]}}``; percentiles (ms) are exact over all the side's
    responses, req/s is responses over the side's recorded seconds."""
    for side in sides:
        if warmup:
            log(f"{side.name}: warm-up, 10 users, {warmup} s (not recorded)")
            locust(side, 10, warmup, workdir / f"warmup-{side.name}")
    each = max(1, round(duration / rounds))
    runs: dict[str, list] = {s.name: [] for s in sides}
    for r in range(rounds):
        for side in (sides if r % 2 == 0 else sides[::-1]):
            samples = workdir / f"samples-{side.name}.tsv"
            before = loadavg()
            log(f"{side.name}: mixed day, {users} users, {each} s (round {r + 1} of {rounds}; load average {before})")
            t0 = time.time()
            with side.meter() as m:
                locust(side, users, each, workdir / f"locust-{side.name}-{r}", samples)
            runs[side.name].append({"seconds": each, "wall": round(time.time() - t0, 1), "load_start": before, "load_end": loadavg(),
                                    "cpu": m.result})
    out = {}
    for side in sides:
        by_name: dict[str, list[tuple[float, int]]] = {}
        path = workdir / f"samples-{side.name}.tsv"
        for line in (path.read_text().splitlines() if path.exists() else []):
            name, ms, failed = line.rsplit("\t", 2)
            by_name.setdefault(name, []).append((float(ms), int(failed)))
        by_name["all requests"] = [x for v in list(by_name.values()) for x in v]
        seconds = sum(run["seconds"] for run in runs[side.name])
        pages = {}
        for name, xs in by_name.items():
            ms = sorted(x[0] for x in xs)
            pages[name] = {"requests": len(xs), "failures": sum(x[1] for x in xs), "rps": len(xs) / seconds,
                           "p50": _pct(ms, 50), "p95": _pct(ms, 95), "p99": _pct(ms, 99), "avg": sum(ms) / len(ms) if ms else None}
        out[side.name] = {"pages": pages, "runs": runs[side.name]}
    return out


def _pct(sorted_ms: list[float], p: float) -> float | None:
    """The nearest-rank ``p``-th percentile of sorted values."""
    if not sorted_ms:
        return None
    k = max(0, min(len(sorted_ms) - 1, math.ceil(p / 100 * len(sorted_ms)) - 1))
    return sorted_ms[k]


def _num(v: str) -> float | None:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


WRK_LUA = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %f %f %f %d\\n", summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + summary.errors.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, summary.bytes))
end
"""


def saturate(url: str, connections: int, duration: int, workdir: Path) -> dict:
    """``{rps, p50, p95, p99 (ms), requests, errors, tool}`` of ``connections`` connections that do not wait."""
    if shutil.which("wrk"):
        script = workdir / "percentiles.lua"
        script.write_text(WRK_LUA)
        p = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(script), url],
                           capture_output=True, text=True, timeout=duration + 60)
        m = re.search(r"RESULT (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)", p.stdout)
        if not m:
            return {"error": p.stdout[-500:] + p.stderr[-500:]}
        n, us, errors = int(m.group(1)), int(m.group(2)), int(m.group(3))
        return {"tool": "wrk", "requests": n, "errors": errors, "rps": n / (us / 1e6), "p50": float(m.group(4)), "p95": float(m.group(5)),
                "p99": float(m.group(6))}
    if shutil.which("ab"):
        p = subprocess.run(["ab", "-k", "-q", "-c", str(connections), "-t", str(duration), "-n", "10000000", "-s", "10", url],
                           capture_output=True, text=True, timeout=duration + 60)
        rps = re.search(r"Requests per second:\s+([\d.]+)", p.stdout)
        pct = dict(re.findall(r"^\s+(\d+)%\s+(\d+)", p.stdout, re.M))
        failed = re.search(r"Failed requests:\s+(\d+)", p.stdout)
        done = re.search(r"Complete requests:\s+(\d+)", p.stdout)
        return {"tool": "ab", "requests": int(done.group(1)) if done else 0, "errors": int(failed.group(1)) if failed else 0,
                "rps": float(rps.group(1)) if rps else 0.0, "p50": _num(pct.get("50")), "p95": _num(pct.get("95")), "p99": _num(pct.get("99"))}
    sys.exit("error: neither wrk nor ab found (Debian: apt-get install wrk, or apache2-utils)")


# ------------------------------------------------------------------------------------- report

def _ms(v) -> str:
    return "—" if v is None else (f"{v / 1000:.2f} s" if v >= 1000 else f"{v:.0f} ms")


def report(results: dict) -> str:
    sides = [s for s in ("baseline", "current") if s in results["sides"]]
    lines = [f"machine: {results['machine']}; load average at start {results['load_before']}, at the end {results.get('load_after', '?')}",
             "serving: " + "; ".join(f"{s} = {results['sides'][s]['serving']}" for s in sides), ""]
    lines.append(f"### Mixed day: {results['users']} users waiting 1–3 s, {results['duration']} s per side in "
                 f"{results.get('rounds', 1)} alternating runs (Locust)")
    lines.append("")
    for s in sides:
        runs = results["sides"][s].get("mixed_runs", [])
        lines.append(f"- {s}: load average (1 min) at the start → end of each run: "
                     + ", ".join(f"{r['load_start']:.1f} → {r['load_end']:.1f}" for r in runs)
                     + "; the machine's CPU in each run: " + "; ".join(cpu_text(r.get("cpu")) for r in runs))
    lines.append("")
    head = "| page | " + " | ".join(f"{s} req/s | {s} p50 | {s} p95 | {s} p99" for s in sides) + " | target p95 ≤ 150 ms |"
    lines += [head, "|" + "---|" * (2 + 4 * len(sides))]
    names = sorted({n for s in sides for n in results["sides"][s]["mixed"]}, key=lambda n: (n == "all requests", n.startswith("static"), n.startswith("login"), n))
    for n in names:
        cells = []
        for s in sides:
            r = results["sides"][s]["mixed"].get(n)
            cells += [f"{r['rps']:.1f}", _ms(r["p50"]), _ms(r["p95"]), _ms(r["p99"])] if r else ["—"] * 4
        cur = results["sides"].get("current", {}).get("mixed", {}).get(n)
        page = not (n.startswith(("static", "login")) or n == "all requests")
        cells.append(("met" if cur["p95"] <= MIXED_P95_MS else "NOT met") if page and cur and cur["p95"] is not None else "—")
        lines.append(f"| `{n}` | " + " | ".join(cells) + " |")
    fails = {s: sum(r["failures"] for n, r in results["sides"][s]["mixed"].items() if n != "all requests") for s in sides}
    lines += ["", "failures: " + ", ".join(f"{s} {n}" for s, n in fails.items()), "",
              "load: the 1-minute load average of the machine at the start → end of the run (2 cores; other work shows here)", ""]
    lines.append(f"### Saturation: {results['connections']} connections that do not wait, {results['saturation_duration']} s per page")
    lines.append("")
    head = "| page | " + " | ".join(f"{s} req/s | {s} p50 | {s} p95 | {s} p99 | {s} load" for s in sides) + (" | × | target |" if len(sides) == 2 else " | issue's req/s | × issue | target |")
    lines += [head, "|" + "---|" * (1 + 5 * len(sides) + (2 if len(sides) == 2 else 3))]
    for page in SATURATION_PAGES:
        cells = []
        for s in sides:
            r = results["sides"][s]["saturation"].get(page, {})
            load = f"{r['load_start']:.1f} → {r['load_end']:.1f}" if "load_start" in r else "—"
            cells += [f"{r.get('rps', 0):.1f}", _ms(r.get("p50")), _ms(r.get("p95")), _ms(r.get("p99")), load]
        cur = results["sides"]["current"]["saturation"].get(page, {}).get("rps", 0) if "current" in sides else 0
        target = TARGET_FACTOR.get(page)
        if len(sides) == 2:
            base = results["sides"]["baseline"]["saturation"].get(page, {}).get("rps", 0)
            factor = cur / base if base else 0
            cells += [f"{factor:.1f}×", (f"≥ {target}× {'met' if factor >= target else 'NOT met'}" if target else "—")]
        else:
            base = ISSUE_BASELINE.get(page)
            factor = cur / base if base else 0
            cells += [f"{base}" if base else "—", f"{factor:.1f}×" if base else "—", (f"≥ {target}× {'met' if factor >= target else 'NOT met'}" if target else "—")]
        lines.append(f"| `{page}` | " + " | ".join(cells) + " |")
    lines += ["", "The machine's CPU during each saturation run (shares of the cores' capacity):", ""]
    for page in SATURATION_PAGES:
        lines.append(f"- `{page}`: " + "; ".join(f"{s}: {cpu_text(results['sides'][s]['saturation'].get(page, {}).get('cpu'))}" for s in sides))
    return "\n".join(lines)


def unpack(ref: str, tree: Path) -> Path:
    """``src/`` of git commit ``ref`` unpacked below ``tree`` (``git archive``; the repository is
    not touched); returns the ``src`` directory."""
    tree.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "src"], capture_output=True, check=True).stdout
    tarfile.open(fileobj=io.BytesIO(archive)).extractall(tree)
    return tree / "src"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--duration", type=int, default=60, help="seconds of the mixed day, per side")
    ap.add_argument("--rounds", type=int, default=2, help="the mixed day in this many runs per side, the sides alternating")
    ap.add_argument("--warmup", type=int, default=20, help="unrecorded seconds of the mix before each side's mixed day (0: none)")
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--saturation-duration", type=int, default=30, help="seconds per page and side")
    ap.add_argument("--baseline-ref", default="464ec6c", help="git commit of the previous setup")
    ap.add_argument("--current-ref", help="measure this git commit (e.g. HEAD) instead of the working tree, "
                                          "which may hold other work in progress")
    ap.add_argument("--no-baseline", action="store_true", help="measure the current tree only")
    ap.add_argument("--database-url", help="an existing PostgreSQL server (the user creates databases); default: a private one")
    ap.add_argument("--serve-args", default="", help="extra options of the current side's `klaster serve`, e.g. '--workers 3'")
    ap.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "load.json")
    ap.add_argument("--markdown", type=Path, default=ROOT / "var" / "bench" / "load.md")
    args = ap.parse_args(argv)
    for v, name in ((args.users, "--users"), (args.duration, "--duration"), (args.connections, "--connections"), (args.saturation_duration, "--saturation-duration"),
                    (args.rounds, "--rounds")):
        if not 1 <= v <= 3600:
            ap.error(f"{name} must be 1…3600")

    mirror = ROOT.parent / "shared" / "data"
    if not os.environ.get("KLASTER_DATA_MIRROR") and mirror.is_dir():
        os.environ["KLASTER_DATA_MIRROR"] = str(mirror)
    workdir = Path(tempfile.mkdtemp(prefix="klaster-load-"))
    os.chmod(workdir, 0o755)
    sides: list[Side] = []
    pg = None
    try:
        pg = Postgres(args.database_url, workdir)
        src = unpack(args.current_ref, workdir / "current-tree") if args.current_ref else ROOT / "src"
        sides.append(Side("current", src, pg.create("klaster_bench_current"), workdir, args.serve_args.split(), {}))
        if not args.no_baseline:
            src = unpack(args.baseline_ref, workdir / "baseline-tree")
            sides.insert(0, Side("baseline", src, pg.create("klaster_bench_baseline"), workdir, [], {}))
        for s in sides:
            s.postmaster = pg.postmaster()
            s.prepare()
        for s in sides:
            s.start()
        results = {"machine": f"{platform.node()}, {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}",
                   "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg()), "users": args.users, "duration": args.duration,
                   "rounds": args.rounds, "connections": args.connections, "saturation_duration": args.saturation_duration, "baseline_ref": None if args.no_baseline else args.baseline_ref,
                   "current_ref": args.current_ref or "working tree",
                   "sides": {s.name: {"serving": s.describe(), "mixed": {}, "saturation": {}} for s in sides}}
        if os.getloadavg()[0] > 0.5:
            log(f"warning: load average {results['load_before']} — other work on this machine skews the figures")
        mixed = mixed_day(sides, args.users, args.duration, args.rounds, workdir, args.warmup)
        for s in sides:
            results["sides"][s.name]["mixed"] = mixed[s.name]["pages"]
            results["sides"][s.name]["mixed_runs"] = mixed[s.name]["runs"]
        for i, page in enumerate(SATURATION_PAGES):
            for s in (sides if i % 2 == 0 else sides[::-1]):
                before = loadavg()
                log(f"{s.name}: saturation {page}, {args.connections} connections, {args.saturation_duration} s (load average {before})")
                with s.meter() as m:
                    r = saturate(s.url + page, args.connections, args.saturation_duration, workdir)
                results["sides"][s.name]["saturation"][page] = {**r, "load_start": before, "load_end": loadavg(), "cpu": m.result}
        results["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    finally:
        for s in sides:
            s.stop()
        if pg is not None:
            pg.stop()
        if sys.exc_info()[0] is not None:
            shutil.rmtree(workdir, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    text = report(results)
    print("\n" + text)
    args.markdown.write_text(text + "\n")
    logs = args.out.parent / "load-logs"  # Locust's and the servers' logs of this run, for failures
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir()
    for f in [*workdir.glob("*.log"), *workdir.glob("*/serve.log")]:
        shutil.copy(f, logs / (f.name if f.parent == workdir else f"{f.parent.name}-{f.name}"))
    log(f"written {args.out} and {args.markdown} (logs in {logs})")
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
