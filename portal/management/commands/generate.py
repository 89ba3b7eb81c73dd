"""Generate scale data for the dashboards and the benchmarks: every app's part in order
(portal.generate).

    python manage.py generate --applications 1000000 --seed 20261122
    python manage.py generate --only applications --applications 5000

Into an empty PostgreSQL database (createdb, migrate, then this)."""

import os
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from portal import generate
from portal.generate import bulk


class Command(BaseCommand):
    help = "Generate a reproducible township for the benchmarks: every app's part, in order."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=20261122)
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default: today)"
        )
        parser.add_argument("--years", type=int, default=3)
        parser.add_argument(
            "--only",
            action="append",
            default=None,
            metavar="PART",
            help="run only these parts (repeatable): "
            + ", ".join(p.name for p in generate.parts()),
        )
        for part in generate.parts():
            group = parser.add_argument_group(part.name)
            part.add_arguments(group)

    def handle(self, *args, **options):
        parts = generate.parts()
        if options["only"]:
            unknown = set(options["only"]) - {p.name for p in parts}
            if unknown:
                raise CommandError(f"unknown part(s): {', '.join(sorted(unknown))}")
            parts = [p for p in parts if p.name in options["only"]]
        if options["years"] < 1:
            raise CommandError("--years must be at least 1")
        run = generate.Run(
            options=options,
            seed=options["seed"],
            today=options["today"],
            years=options["years"],
            log=self.stdout.write,
        )
        started = time.perf_counter()
        for part in parts:
            self.stdout.write(f"== {part.name}")
            wall, cpu, db_cpu = time.perf_counter(), time.process_time(), _backend_cpu()
            try:
                result = part.run(run)
            except (RuntimeError, ValueError) as exc:
                raise CommandError(f"{part.name}: {exc}") from exc
            self.stdout.write(part.describe(result))
            self.stdout.write(_cpu_line(part.name, wall, cpu, db_cpu))
        wall = time.perf_counter()
        analysed = bulk.vacuum_analyze_unanalysed()
        self.stdout.write(
            f"planner statistics for {len(analysed)} more tables: "
            f"{time.perf_counter() - wall:.1f} s"
        )
        self.stdout.write(f"generated in {time.perf_counter() - started:.1f} s")


def _backend_cpu() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend, when it runs on this
    machine and /proc shows it (else None): with the command's own CPU time it tells whether a
    part waits on Python or on the database, whatever else the machine is doing."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except Exception:  # noqa: BLE001 - another machine, another user: no figure
        return None


def _cpu_line(name: str, wall: float, cpu: float, db_cpu: float | None) -> str:
    line = (
        f"part {name}: {time.perf_counter() - wall:.1f} s wall, "
        f"{time.process_time() - cpu:.1f} s generator CPU"
    )
    after = _backend_cpu() if db_cpu is not None else None
    if after is not None and after >= db_cpu:
        line += f", {after - db_cpu:.1f} s PostgreSQL backend CPU"
    return line
