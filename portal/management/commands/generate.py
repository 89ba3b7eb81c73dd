"""Generate scale data for the dashboards and the benchmarks: every app's part in order
(portal.generate).

    python manage.py generate --applications 1000000 --seed 20261122
    python manage.py generate --only applications --applications 5000

Into an empty PostgreSQL database (createdb, migrate, then this)."""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from portal import generate


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
            try:
                result = part.run(run)
            except (RuntimeError, ValueError) as exc:
                raise CommandError(f"{part.name}: {exc}") from exc
            self.stdout.write(part.describe(result))
        self.stdout.write(f"generated in {time.perf_counter() - started:.1f} s")
