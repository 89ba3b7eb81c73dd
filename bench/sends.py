#!/usr/bin/env python
"""What one e-mail or SMS of the outbox costs in CPU, end to end, through a real sends worker.

    nice -n 5 .venv/bin/python bench/sends.py --count 2000 --rounds 3
    nice -n 5 .venv/bin/python bench/sends.py --reuse      # the database of the last run as it is

The server of DATABASE_URL gets a database of its own (``--db``, default ow_sendsbench_run):
dropped, created and migrated, kept afterwards so that ``--reuse`` skips the migration (``dropdb``
it when done). REDIS_URL's database number is the broker and cache: flushed at the start. The
sends' worker runs as bench/load/run.py starts it — the production settings, EMAIL_BACKEND dummy,
SMS_BACKEND console, CONN_MAX_AGE=60, ``celery -A portal worker -Q notifications --concurrency 4``
(SENDS_WORKER_NICE applies, on top of this script's nice) — and is pinged until it answers.

Each round: ``--count``/2 people who chose both e-mail and SMS get one message each through
``portal.notifications.notify_bulk``, that is ``--count`` outbox rows, half e-mails, half SMS,
as a reminder sweep writes them. Their publishing on commit (``enqueue_deliveries``: one task per
row, fan-out chunks or batches, whatever the code does) happens while the worker's consumer of
the queue is cancelled. The window opens when the worker consumes the queue again and closes when
no row is left pending or sending (the database polled every 0.2 s). Over the window, from /proc:
the CPU seconds of the worker's process tree, of every postgres process on the machine (a backend
that ended is in the postmaster's cutime/cstime; other databases' work too, on a shared machine),
of redis-server, of this script (the polling), and the machine's busy time (/proc/stat; what
those do not explain is "unattributed": anyone else); and the connections opened to the database
(pg_stat_database.sessions). A warm-up round is left out; each round's rows are deleted after
it. Printed per round, then each column's median and its least value (the least disturbed, on a
shared machine), with the load average.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KIND = "bench.sends"
TICK = os.sysconf("SC_CLK_TCK")
COLUMNS = ("wall", "rate", "worker", "postgres", "sessions", "redis", "script", "machine", "other")


def pid_stat(text: str) -> tuple[str, int, int, int]:
    """(command, parent pid, CPU ticks of the process, of its ended and reaped children) of one
    /proc/PID/stat line. The command may hold spaces and parentheses: it ends at the last ')'."""
    comm = text[text.index("(") + 1 : text.rindex(")")]
    f = [int(x) for x in text[text.rindex(")") + 4 :].split()[:15]]  # from field 4, the ppid
    return comm, f[0], f[10] + f[11], f[12] + f[13]  # utime + stime, cutime + cstime


def machine_ticks(text: str) -> tuple[int, int]:
    """(busy, total) ticks of all CPUs from /proc/stat; guest time is inside user already."""
    values = [int(x) for x in text.split("\n", 1)[0].split()[1:9]]
    total = sum(values)
    return total - values[3] - values[4], total  # idle and iowait are not busy


def tree(procs: dict, root: int) -> set[int]:
    """``root`` and its descendants among ``procs`` (pid -> (comm, ppid, ...))."""
    found, grew = {root} & procs.keys(), True
    while grew:
        more = {pid for pid, p in procs.items() if p[1] in found} - found
        grew, found = bool(more), found | more
    return found


def snapshot() -> tuple[dict, int]:
    """Every process's (comm, ppid, own ticks, reaped children's) and the machine's busy ticks."""
    procs = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                procs[int(entry.name)] = pid_stat(Path(entry.path, "stat").read_text())
            except OSError:  # gone meanwhile
                pass
    return procs, machine_ticks(Path("/proc/stat").read_text())[0]


def groups(snap: tuple[dict, int], worker: int, sessions: int) -> dict[str, float]:
    """CPU seconds so far of each group, a process's ended children included (the postmaster
    reaps the backends, the worker its pool's processes)."""
    procs, busy = snap

    def seconds(pids):
        return sum(procs[p][2] + procs[p][3] for p in pids) / TICK

    return {
        "worker": seconds(tree(procs, worker)),
        "postgres": seconds(p for p, v in procs.items() if v[0] == "postgres"),
        "sessions": sessions,
        "redis": seconds(p for p, v in procs.items() if v[0] == "redis-server"),
        "script": seconds([os.getpid()]),  # not its children: the worker is one
        "machine": busy / TICK,
    }


def window(before: dict, after: dict, count: int, wall: float) -> dict[str, float]:
    """The round's figures: CPU seconds per group over the window, the unattributed rest."""
    used = {k: after[k] - before[k] for k in before}
    known = used["worker"] + used["postgres"] + used["redis"] + used["script"]
    return {**used, "other": used["machine"] - known, "wall": wall, "rate": count / wall}


def loadavg() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def summary(rounds: list[dict], how=statistics.median) -> dict[str, float]:
    """Each column's median (or ``how``) over the rounds, on its own; the rate of that wall."""
    out = {k: how(r[k] for r in rounds) for k in COLUMNS}
    return out | {"rate": rounds[0]["count"] / out["wall"]}


def row(name: str, r: dict, count: int) -> str:
    def ms(k):
        return r[k] / count * 1000

    return (
        f"| {name} | {r['wall']:.1f} | {r['rate']:.0f} | {r['worker']:.2f} | "
        f"{r['postgres']:.2f} | {r['sessions']:.0f} | {r['redis']:.2f} | "
        f"{r['script']:.2f} | {r['machine']:.2f} | {r['other']:.2f} | {ms('worker'):.2f} / {ms('postgres'):.2f} / "
        f"{ms('redis'):.2f} / {ms('machine'):.2f} | {loadavg()} |"
    )


HEADER = (
    "| round | wall s | deliveries/s | worker CPU s | postgres CPU s (all) | "
    "connections opened | redis | this script | machine busy | unattributed | CPU ms a delivery: worker / postgres / redis / "
    "machine | load average |\n|---|" + "---:|" * 11 + "---|"
)


def sessions(db: str) -> int:
    """Connections opened to the database so far (PostgreSQL 14+)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("select pg_stat_clear_snapshot()")
        cursor.execute("select sessions from pg_stat_database where datname = %s", [db])
        return cursor.fetchone()[0]


def people(n: int) -> list:
    """``n`` people who chose e-mail and SMS (made once per database, kept for --reuse)."""
    from portal.models import NotificationPreference, User

    have = User.objects.filter(username__startswith="sendsbench_").count()
    made = User.objects.bulk_create(
        User(
            username=f"sendsbench_{i:06d}",
            email=f"sendsbench{i}@example.invalid",
            mobile=f"139{i:08d}",
            password="!",  # no log-in
        )
        for i in range(have, n)
    )
    NotificationPreference.objects.bulk_create(
        NotificationPreference(user=u, email=True, sms=True, language="zh-hans") for u in made
    )
    return list(User.objects.filter(username__startswith="sendsbench_").order_by("pk")[:n])


def one_round(app, worker: str, proc, recipients: list, db: str) -> dict:
    from django.conf import settings
    from django.db import transaction

    from portal.models import Delivery, Notification
    from portal.notifications import Message, notify_bulk

    queue = settings.NOTIFICATIONS_QUEUE
    app.control.cancel_consumer(queue, destination=[worker], reply=True, timeout=10)
    with transaction.atomic():  # published on commit, as a sweep's reminders are
        notify_bulk(
            [
                Message(
                    recipient=p,
                    kind=KIND,
                    title="办件 XK-2026-000123 进入预警，2026-12-10 到期",
                    body="请在 2026-12-10 前办结。",
                    url="/me/notifications/",
                )
                for p in recipients
            ]
        )
    rows = Delivery.objects.filter(notification__kind=KIND)
    count = rows.count()
    todo = rows.filter(status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING])
    time.sleep(1)
    before, started = groups(snapshot(), proc.pid, sessions(db)), time.monotonic()
    app.control.add_consumer(queue, destination=[worker], reply=True, timeout=10)
    while todo.exists():
        if time.monotonic() - started > 600 or proc.poll() is not None:
            raise SystemExit(f"{todo.count()} of {count} not sent after 600 s (worker log)")
        time.sleep(0.2)
    wall = time.monotonic() - started
    after = snapshot()
    time.sleep(1)  # the connection counts reach pg_stat_database within a second
    result = window(before, groups(after, proc.pid, sessions(db)), count, wall)
    failed = rows.exclude(status=Delivery.Status.SENT).count()
    Notification.objects.filter(kind=KIND).delete()  # and their deliveries
    if failed:
        raise SystemExit(f"{failed} of {count} deliveries failed (worker log)")
    return result | {"count": count}


def database(load, args, env: dict) -> None:
    """The run's own database on DATABASE_URL's server: made and migrated, or as it is."""
    url = urlparse(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/x")
    pg = ["-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432)]
    pg += ["-U", url.username or "postgres"]
    env["DATABASE_URL"] = url._replace(path=f"/{args.db}").geturl()
    there = load.sh("psql", *pg, "-Atc", f"select 1 from pg_database where datname='{args.db}'")
    if args.reuse and there.stdout.strip() == "1":
        return
    load.sh("dropdb", *pg, "--if-exists", "--force", args.db)
    load.sh("createdb", *pg, args.db)
    load.sh(str(load.BIN / "python"), "manage.py", "migrate", "-v0", env=env, cwd=ROOT)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--count", type=int, default=2000, help="deliveries a round, half each")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--warmup", type=int, default=200, help="deliveries of the unreported round")
    p.add_argument("--db", default="ow_sendsbench_run")
    p.add_argument("--reuse", action="store_true", help="the database as it is, if it exists")
    p.add_argument("--redis", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/11"))
    p.add_argument("--concurrency", type=int, default=4)
    args = p.parse_args()
    from bench.load import run as load  # psutil: the bench extra (the helpers above need none)

    env = load.environment(SimpleNamespace(redis=args.redis), args.db)
    database(load, args, env)
    load.sh("redis-cli", "-u", args.redis, "flushdb")
    os.environ.update(env)
    import django

    django.setup()
    from celery import current_app as app
    from django.conf import settings

    from portal.models import Notification

    Notification.objects.filter(kind=KIND).delete()  # an interrupted run's
    recipients = people(max(args.count, args.warmup) // 2)
    worker = f"sendsbench{os.getpid()}@{socket.gethostname()}"
    queue = settings.NOTIFICATIONS_QUEUE
    log = ROOT / "var" / "sendsbench-worker.log"
    log.parent.mkdir(exist_ok=True)
    cmd = [str(load.BIN / "celery"), "-A", "portal", "worker", "-l", "warning", "-Q", queue]
    proc = load.start([*cmd, "-n", worker, "--concurrency", str(args.concurrency)], env, log)
    try:
        deadline = time.monotonic() + 120
        while not app.control.ping(destination=[worker], timeout=1):
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit(f"the worker did not answer (see {log})")
        git = ["git", "-C", str(ROOT), "log", "-1", "--format=%h"]
        print(
            f"# The outbox's sends through a real worker, {time.strftime('%Y-%m-%d %H:%M')} "
            f"UTC\n\nCode {subprocess.run(git, capture_output=True, text=True).stdout.strip()}"
            f", database {args.db}, worker -Q {queue} --concurrency {args.concurrency} at nice "
            f"{os.getpriority(os.PRIO_PROCESS, proc.pid)}, REMINDER_FANOUT_THRESHOLD "
            f"{settings.REMINDER_FANOUT_THRESHOLD}, REMINDER_SEND_BATCH "
            f"{getattr(settings, 'REMINDER_SEND_BATCH', '(none)')}; {os.cpu_count()} CPUs, "
            f"load average at start {loadavg()}.\n\n{HEADER}",
            flush=True,
        )
        one_round(app, worker, proc, recipients[: args.warmup // 2], args.db)  # not reported
        results = []
        for n in range(args.rounds):
            results.append(one_round(app, worker, proc, recipients, args.db))
            print(row(str(n + 1), results[-1], results[-1]["count"]), flush=True)
        print(row("**median**", summary(results), results[0]["count"]))
        print(row("least", summary(results, min), results[0]["count"]))  # least disturbed
    finally:
        load.stop(proc)
    print(f"\nLoad average at end {loadavg()}. `dropdb {args.db}` when done.")


if __name__ == "__main__":
    main()
