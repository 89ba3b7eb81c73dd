#!/usr/bin/env python
"""The mixed-load benchmark in one command (issue 19): see bench/load/README.md.

    .venv/bin/python bench/load/run.py --template ow_bench --steps 20:90,40:90,60:90,80:90
    .venv/bin/python bench/load/run.py --template ow_bench --soak 3600 --users 40

1. resets the data: the database ``--db`` is dropped and copied afresh from ``--template``
   (the database ``manage.py generate`` filled; it is never written to);
2. records in the reminder ledger what the generated history has already been reminded of
   (bench/load/catch_up.py; ``--no-catch-up`` leaves it to the first sweeps) and logs everyone
   in (bench/load/prepare.py: sessions and tokens, each simulated user its own share of the
   queues) — before the measured window;
3. starts gunicorn with the production settings (bench/load/settings.py: portal.settings
   .production plus the bare floor view) and docker-compose's ``--workers 3``, its two Celery
   workers (queue "celery", ``--concurrency 3``; queue "notifications", ``--concurrency 4``)
   and one beat, on PostgreSQL and Redis;
4. measures the floor: the bare Django view alone on the same gunicorn, as fast as it goes;
5. runs the mix (bench/load/locustfile.py) in steps of users, or one long soak, while sampling
   the CPU of gunicorn, this database's PostgreSQL backends, both workers, beat and locust
   (psutil) and the load average;
6. writes ``report.md`` (and ``report.json``) in ``--out``: per step the throughput and, per
   request type, p50/p95/p99, share of the mix, errors and 409s; the CPU split; the ceiling
   ratio; for a soak the RSS of every process and the open connections at start and end and
   the outbox (deliveries) at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PG = ["-h", "127.0.0.1", "-U", "postgres"]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--template", required=True, help="the generated database (read only)")
    p.add_argument("--db", default="", help="the run's copy (default: <template>_load)")
    p.add_argument("--no-reset", action="store_true", help="use --db as it is (no fresh copy)")
    p.add_argument("--redis", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/10"))
    p.add_argument("--port", type=int, default=8119)
    p.add_argument("--workers", type=int, default=3, help="gunicorn, as docker-compose")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", default="20:90,40:90,60:90,80:90", help="users:seconds,...")
    p.add_argument("--soak", type=int, default=0, help="seconds of one constant step")
    p.add_argument("--users", type=int, default=40, help="users of the soak")
    p.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="each user's pause (0.5–1.5 s) times this: a soak's rate with every kind present",
    )
    p.add_argument("--settle", type=int, default=20, help="seconds left out at each step start")
    p.add_argument("--floor-seconds", type=int, default=20)
    p.add_argument("--per-kind", type=int, default=40)
    p.add_argument(
        "--no-catch-up",
        action="store_true",
        help="leave the generated history's reminders to the first sweeps (catch_up.py)",
    )
    p.add_argument("--out", default="")
    return p.parse_args()


def sh(*cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def loadavg() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def reset(template: str, db: str) -> float:
    started = time.time()
    sh("dropdb", *PG, "--if-exists", "--force", db)
    sh("createdb", *PG, "-T", template, "-S", "file_copy", db)
    return time.time() - started


def environment(args, db: str) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.load.settings",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{db}",
        REDIS_URL=args.redis,
        CACHE_URL=args.redis,
        CONN_MAX_AGE="60",
        SECRET_KEY=env.get("LOAD_SECRET_KEY") or secrets.token_urlsafe(60),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL="https://onewindow.example",
        # One proxy (as behind nginx): the status lookup's per-address limit sees the
        # X-Forwarded-For the load sends, one address per resident.
        TRUSTED_PROXIES="1",
        # No mail server here: e-mails "sent" by Django's dummy backend (an SMTP that refuses
        # would leave every e-mail delivery retrying, and the outbox check would say nothing),
        # SMS to the console backend as in development.
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        SMS_BACKEND="console",
        PYTHONPATH=str(ROOT),
    )
    env.pop("CI", None)
    return env


def start(cmd, env, log: Path):
    return subprocess.Popen(
        cmd,
        env=env,
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(proc):
    if proc and proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def wait_up(port: int):
    for _ in range(120):
        try:
            req = urllib.request.Request(
                f"http://127.0.0.1:{port}/healthz/", headers={"X-Forwarded-Proto": "https"}
            )
            if urllib.request.urlopen(req, timeout=5).status == 200:
                return
        except Exception:
            time.sleep(1)
    raise SystemExit("gunicorn did not come up (see gunicorn.log)")


def tree(proc) -> list[psutil.Process]:
    try:
        p = psutil.Process(proc.pid)
        return [p, *p.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def backends(db: str) -> list[psutil.Process]:
    out = []
    for p in psutil.process_iter(["cmdline", "username"]):
        cmd = " ".join(p.info["cmdline"] or [])
        if p.info["username"] == "postgres" and f" {db} " in f"{cmd} ":
            out.append(p)
    return out


class Sampler:
    """CPU seconds per group between two calls (psutil cpu_times, children included)."""

    def __init__(self, groups):
        self.groups = groups  # name -> callable returning processes
        self.last: dict[int, float] = {}

    def take(self) -> dict[str, float]:
        used = defaultdict(float)
        for name, procs in self.groups.items():
            for p in procs():
                try:
                    t = p.cpu_times()
                    now = t.user + t.system
                except psutil.Error:
                    continue
                used[name] += now - self.last.get(p.pid, now if p.pid in self.last else 0.0)
                self.last[p.pid] = now
        return dict(used)


def rss(groups) -> dict[str, list[float]]:
    out = {}
    for name, procs in groups.items():
        values = []
        for p in procs():
            try:
                values.append(round(p.memory_info().rss / 2**20, 1))
            except psutil.Error:
                pass
        out[name] = values
    return out


def psql(db: str, sql: str) -> str:
    return sh("psql", *PG, "-d", db, "-Atc", sql).stdout.strip()


# What autovacuum's analyze does on a live database (autovacuum_analyze_threshold 50,
# autovacuum_analyze_scale_factor 0.1): a table is analysed once that many rows changed.
AUTOANALYZE_DUE = """
    select quote_ident(s.relname) from pg_stat_user_tables s join pg_class c on c.oid = s.relid
    where s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0) order by s.relname
"""


def autoanalyze(db: str) -> list[str]:
    """ANALYZE the tables autovacuum would analyse now. The PostgreSQL of this machine (and
    CI) runs with autovacuum off: without this, the tables the run writes (the reminder
    ledger the catch-up fills, notifications, the outbox) keep the statistics of the
    template — none — and the sweeps' anti-joins were planned as nested loops over
    thousands of ledger rows (2.0 s a rule instead of 64 ms)."""
    due = [t for t in psql(db, AUTOANALYZE_DUE).split() if t]
    if due:
        psql(db, "ANALYZE " + ", ".join(due))
    return due


def autovacuum_on(db: str) -> bool:
    return psql(db, "show autovacuum") == "on"


def locust(env, classes, users, seconds, log_path: Path, out: Path, steps: str = ""):
    e = dict(env)
    e["LOAD_LOG"] = str(log_path)
    e["LOAD_PEOPLE"] = str(out / "people.json")
    e["LOAD_THINK"] = str(env.get("LOAD_THINK", "1"))
    if steps:
        e["LOAD_STEPS"] = steps
    if classes == ["Floor"]:
        e["LOAD_FLOOR"] = "1"
    cmd = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "bench/load/locustfile.py"),
        "--headless",
        "--host",
        f"http://127.0.0.1:{env['LOAD_PORT']}",
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--stop-timeout",
        "5",
    ]
    if not steps:
        cmd += ["-u", str(users), "-r", str(max(1, users)), "-t", f"{seconds}s"]
    cmd += classes
    return subprocess.Popen(
        cmd,
        env=e,
        cwd=ROOT,
        stdout=(out / "locust.log").open("a"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    k = (len(values) - 1) * p
    lo = int(k)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def read_log(path: Path):
    rows = []
    for line in path.read_text().splitlines():
        t, name, ms, status = line.split("\t")
        rows.append((float(t), name, float(ms), int(status)))
    return rows


def read_cpu_log(env):
    path = Path(env["LOAD_CPU_LOG"])
    return read_log(path) if path.exists() else []


def summarise(rows, t0, t1, cpu_rows=()):
    """The window's requests as locust saw them; with ``cpu_rows`` (the gunicorn workers' own
    log, gunicorn_cpu.py) the CPU milliseconds each request type cost the worker that served
    it, p50 and mean."""
    window = [r for r in rows if t0 <= r[0] < t1]
    by = defaultdict(list)
    for r in window:
        by[r[1]].append(r)
    cpu_by = defaultdict(list)
    for r in cpu_rows:
        if t0 <= r[0] < t1:
            cpu_by[r[1]].append(r[2])
    seconds = max(t1 - t0, 1e-9)
    total = len(window)
    types = {}
    for name, rs in sorted(by.items()):
        ms = [r[2] for r in rs]
        types[name] = {
            "n": len(rs),
            "share": len(rs) / total if total else 0,
            "rps": len(rs) / seconds,
            "p50": percentile(ms, 0.5),
            "p95": percentile(ms, 0.95),
            "p99": percentile(ms, 0.99),
            "errors": sum(1 for r in rs if r[3] >= 400 and r[3] != 409 or r[3] == 0),
            "conflicts": sum(1 for r in rs if r[3] == 409),
        }
        if cpu_by.get(name):
            types[name]["cpu_p50"] = percentile(cpu_by[name], 0.5)
            types[name]["cpu_mean"] = sum(cpu_by[name]) / len(cpu_by[name])
    ms = [r[2] for r in window]
    cpu_all = [v for values in cpu_by.values() for v in values]
    return {
        "cpu_mean": sum(cpu_all) / len(cpu_all) if cpu_all else None,
        "seconds": seconds,
        "requests": total,
        "rps": total / seconds,
        "p50": percentile(ms, 0.5),
        "p95": percentile(ms, 0.95),
        "p99": percentile(ms, 0.99),
        "errors": sum(t["errors"] for t in types.values()),
        "conflicts": sum(t["conflicts"] for t in types.values()),
        "types": types,
    }


def table(summary) -> list[str]:
    lines = [
        "| request type | share | req/s | p50 ms | p95 ms | p99 ms | errors | 409 "
        "| worker CPU ms p50 / mean |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]

    def cpu(t):
        return f"{t['cpu_p50']:.1f} / {t['cpu_mean']:.1f}" if "cpu_p50" in t else "–"

    for name, t in summary["types"].items():
        flag = " ⚠" if t["p95"] > 300 or t["p99"] > 1000 else ""
        lines.append(
            f"| {name}{flag} | {t['share'] * 100:.1f} % | {t['rps']:.1f} | {t['p50']:.0f} | "
            f"{t['p95']:.0f} | {t['p99']:.0f} | {t['errors']} | {t['conflicts']} | {cpu(t)} |"
        )
    mean = summary.get("cpu_mean")
    lines.append(
        f"| **all** | 100 % | **{summary['rps']:.1f}** | {summary['p50']:.0f} | "
        f"{summary['p95']:.0f} | {summary['p99']:.0f} | {summary['errors']} | "
        f"{summary['conflicts']} | {'–' if mean is None else f'mean {mean:.1f}'} |"
    )
    return lines


def main():
    args = parse_args()
    db = args.db or f"{args.template}_load"
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    out = Path(args.out or ROOT / "var" / "load" / stamp)
    out.mkdir(parents=True, exist_ok=True)
    report = {"started": stamp, "load_start": loadavg(), "db": db, "template": args.template}
    print(f"out: {out}  load average {report['load_start']}", flush=True)

    if not args.no_reset:
        report["reset_seconds"] = round(reset(args.template, db), 1)
        # The shared cache (and broker) still holds the old copy's sessions, people's cached
        # roles and unread counts, pages: a reset database starts with an empty cache.
        sh("redis-cli", "-u", args.redis, "flushdb")
        print(f"data reset from {args.template} in {report['reset_seconds']} s", flush=True)
    env = environment(args, db)
    env["LOAD_PORT"] = str(args.port)
    env["LOAD_THINK"] = str(args.think)
    env["LOAD_CPU_LOG"] = str(out / "cpu.tsv")
    report["think"] = args.think
    # The copy is brought up to the code's migrations (nothing to do when the template is).
    sh(str(BIN / "python"), "manage.py", "migrate", "--no-input", "-v0", env=env, cwd=ROOT)
    static = Path(env.get("STATIC_ROOT", ROOT / "var" / "staticfiles"))
    if not (static / "staticfiles.json").exists():
        sh(str(BIN / "python"), "manage.py", "collectstatic", "--noinput", "-v0", env=env, cwd=ROOT)
    if not args.no_catch_up:
        caught = sh(str(BIN / "python"), "bench/load/catch_up.py", env=env, cwd=ROOT)
        report["catch_up"] = caught.stdout.strip().splitlines()[-1]
        print(report["catch_up"], flush=True)
    # A running town's tables have their statistics (autovacuum): the copy's written tables get
    # theirs before the window, and again whenever autovacuum would during it.
    report["autovacuum"] = autovacuum_on(db)
    report["analysed"] = {} if report["autovacuum"] else {"before": autoanalyze(db)}
    prep = sh(
        str(BIN / "python"),
        "bench/load/prepare.py",
        "--out",
        str(out / "people.json"),
        "--per-kind",
        str(args.per_kind),
        env=env,
        cwd=ROOT,
    )
    report["people"] = prep.stdout.strip()
    print(f"logged in before the window: {report['people']}", flush=True)

    procs = {}
    try:
        procs["gunicorn"] = start(
            [
                str(BIN / "gunicorn"),
                "portal.wsgi:application",
                "--bind",
                f"127.0.0.1:{args.port}",
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
                "--timeout",
                "60",
                "--config",
                str(ROOT / "bench" / "load" / "gunicorn_cpu.py"),
            ],
            env,
            out / "gunicorn.log",
        )
        # As docker-compose: one worker for queue "celery" (sweeps, timed work), one for the
        # sends (NOTIFICATIONS_QUEUE), so that a long sweep never holds the sends up.
        procs["worker"] = start(
            [
                str(BIN / "celery"),
                "-A",
                "portal",
                "worker",
                "-l",
                "info",
                "-Q",
                "celery",
                "--concurrency",
                "3",
                "--max-tasks-per-child",
                "100",
                "--max-memory-per-child",
                "393216",
                "-n",
                f"load{args.port}@%h",
            ],
            env,
            out / "worker.log",
        )
        procs["worker-notifications"] = start(
            [
                str(BIN / "celery"),
                "-A",
                "portal",
                "worker",
                "-l",
                "warning",  # not a line per send
                "-Q",
                env.get("NOTIFICATIONS_QUEUE", "notifications"),
                "--concurrency",
                "4",
                "-n",
                f"load{args.port}-sends@%h",
            ],
            env,
            out / "worker-notifications.log",
        )
        procs["beat"] = start(
            [
                str(BIN / "celery"),
                "-A",
                "portal",
                "beat",
                "-l",
                "warning",
                "--schedule",
                str(out / "celerybeat-schedule"),
            ],
            env,
            out / "beat.log",
        )
        wait_up(args.port)
        groups = {
            "gunicorn": lambda: tree(procs["gunicorn"]),
            "postgres (this database)": lambda: backends(db),
            "celery worker": lambda: tree(procs["worker"]),
            "celery worker (notifications)": lambda: tree(procs["worker-notifications"]),
            "celery beat": lambda: tree(procs["beat"]),
            "locust": lambda: tree(procs.get("locust")) if procs.get("locust") else [],
        }

        # The floor: the bare Django view, nothing else running against this gunicorn.
        floor_log = out / "floor.tsv"
        procs["locust"] = locust(env, ["Floor"], 20, args.floor_seconds, floor_log, out)
        procs["locust"].wait()
        rows = read_log(floor_log)
        if rows:
            t0 = rows[0][0] + 5
            report["floor"] = summarise(rows, t0, rows[-1][0], read_cpu_log(env))
        print(f"floor: {report.get('floor', {}).get('rps', 0):.0f} req/s", flush=True)

        mix_log = out / "requests.tsv"
        sampler = Sampler(groups)
        kinds = {
            "Resident": "resident",
            "Clerk": "clerk",
            "Reviewer": "reviewer",
            "GridMember": "grid",
            "Department": "department",
            "Officer": "officer",
            "Supervisor": "supervisor",
            "Hotline": "hotline",
            "Dispatcher": "dispatcher",
        }
        people = json.loads((out / "people.json").read_text())["people"]
        mix_classes = [cls for cls, kind in kinds.items() if people.get(kind)]
        report["left_out"] = [cls for cls, kind in kinds.items() if not people.get(kind)]
        if args.soak:
            steps = f"{args.users}:{args.soak}"
        else:
            steps = args.steps
        plan = []
        t = 0
        for part in steps.split(","):
            users, seconds = (int(x) for x in part.split(":"))
            plan.append((t, t + seconds, users))
            t += seconds
        report["connections_start"] = None
        started = time.time()
        procs["locust"] = locust(env, mix_classes, 0, 0, mix_log, out, steps=steps)
        sampler.take()
        samples = []
        rss_start = None
        analysed_at = time.time()
        while procs["locust"].poll() is None:
            time.sleep(5)
            now = time.time()
            samples.append((now, sampler.take(), os.getloadavg()[0]))
            if not report["autovacuum"] and now - analysed_at >= 60:  # autovacuum_naptime
                analysed_at = now
                for table in autoanalyze(db):
                    report["analysed"][table] = report["analysed"].get(table, 0) + 1
            if rss_start is None and now - started > args.settle + 10:
                rss_start = rss(groups)
                report["connections_start"] = psql(
                    db, f"select count(*) from pg_stat_activity where datname = '{db}'"
                )
        report["rss_start"] = rss_start
        report["rss_end"] = rss(groups)
        report["connections_end"] = psql(
            db, f"select count(*) from pg_stat_activity where datname = '{db}'"
        )
        rows = read_log(mix_log)
        cpu_rows = read_cpu_log(env)
        report["steps"] = []
        for begin, end, users in plan:
            t0, t1 = started + begin + args.settle, started + end
            s = summarise(rows, t0, t1, cpu_rows)
            cpu = defaultdict(float)
            loads = []
            for ts, used, la in samples:
                if t0 <= ts < t1:
                    loads.append(la)
                    for k, v in used.items():
                        cpu[k] += v
            s["users"] = users
            s["cpu"] = {k: v / s["seconds"] for k, v in cpu.items()}  # cores busy
            s["load"] = (min(loads), max(loads)) if loads else None
            report["steps"].append(s)
        if args.soak:
            time.sleep(30)  # let the worker drain what the last requests queued
            report["outbox"] = psql(
                db,
                "select coalesce(string_agg(channel || ' ' || status || ' ' || n, ', '), 'none') "
                "from (select channel, status, count(*) n from portal_delivery d "
                "join portal_notification n on n.id = d.notification_id "
                f"where n.created_at >= to_timestamp({started}) group by 1, 2 order by 1, 2) s",
            )
            # Both queues: the sweeps' and the sends' (NOTIFICATIONS_QUEUE) — a stalled sender
            # shows here, not in "celery".
            queues = ("celery", os.environ.get("NOTIFICATIONS_QUEUE", "notifications"))
            report["queue_left"] = ", ".join(
                f"{q} {sh('redis-cli', '-u', args.redis, 'llen', q).stdout.strip()}" for q in queues
            )
    finally:
        for name in ("locust", "gunicorn", "worker", "worker-notifications", "beat"):
            stop(procs.get(name))
    report["load_end"] = loadavg()
    (out / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    write_markdown(report, out / "report.md")
    print((out / "report.md").read_text())


def write_markdown(report, path: Path):
    lines = [
        f"# Mixed load, {report['started']} UTC",
        "",
        f"Database {report['db']} (copied from {report['template']}), load average at start "
        f"{report['load_start']}, at end {report['load_end']} (2 cores).",
        f"Logged in before the window: {report['people']}.",
        (
            "Autovacuum on."
            if report.get("autovacuum", True)
            else "Autovacuum is off on this server: run.py analysed, as its analyze would, "
            f"before the window {report['analysed'].get('before')}, during it (times) "
            f"{ {k: v for k, v in report['analysed'].items() if k != 'before'} }."
        ),
        f"Each user's pause between actions: 0.5–1.5 s × {report.get('think', 1.0)}.",
        "",
    ]
    floor = report.get("floor")
    if floor:
        lines.append(
            f"Floor (bare Django view, same gunicorn, alone): **{floor['rps']:.0f} req/s**, "
            f"p50 {floor['p50']:.0f} ms"
            + (
                f", worker CPU {floor['cpu_mean']:.2f} ms a request."
                if floor.get("cpu_mean") is not None
                else "."
            )
        )
        lines.append("")
    for s in report.get("steps", []):
        ratio = s["rps"] / floor["rps"] if floor and floor["rps"] else float("nan")
        load = "{:.1f}–{:.1f}".format(*s["load"]) if s.get("load") else "?"
        lines += [
            f"## {s['users']} users: {s['rps']:.1f} req/s, p95 {s['p95']:.0f} ms, "
            f"p99 {s['p99']:.0f} ms, {s['errors']} errors, {s['conflicts']} × 409",
            "",
            f"{s['seconds']:.0f} s measured; ceiling ratio (mix / floor) {ratio:.3f}; load "
            f"average {load}. CPU (cores busy): "
            + ", ".join(f"{k} {v:.2f}" for k, v in sorted(s["cpu"].items()))
            + ". CPU per request (ms): "
            + ", ".join(
                f"{k} {v / s['rps'] * 1000:.1f}" for k, v in sorted(s["cpu"].items()) if s["rps"]
            )
            + " — the figure that carries to a machine of its own, where the wall-clock "
            "latencies of a shared one do not.",
            "",
            *table(s),
            "",
        ]
    if report.get("rss_start") is not None or report.get("outbox"):
        lines += [
            "## Processes" + (" (soak)" if report.get("outbox") else ""),
            "",
            f"RSS MB at start: {report.get('rss_start')}",
            f"RSS MB at end: {report.get('rss_end')}",
            f"Open PostgreSQL connections to the database: start {report.get('connections_start')}"
            f", end {report.get('connections_end')}",
            f"Outbox (deliveries of notifications made during the run): {report.get('outbox')}; "
            f"Celery queue left: {report.get('queue_left')}",
            "",
        ]
    path.write_text("\n".join(lines))


if __name__ == "__main__":
    main()
