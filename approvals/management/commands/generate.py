"""Generate scale data for the dashboards and the benchmarks (bench/generator.py).

    python manage.py generate --applications 1000000 --seed 20261122

Into an empty PostgreSQL database (createdb, migrate, then this)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Generate a reproducible township: register, staff, citizens and N applications."

    def add_arguments(self, parser):
        parser.add_argument("--applications", type=int, default=1_000_000)
        parser.add_argument("--seed", type=int, default=20261122)
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default: today)"
        )
        parser.add_argument("--years", type=int, default=3)
        parser.add_argument(
            "--citizens", type=int, default=None, help="default: one per ten applications"
        )
        parser.add_argument("--no-history", action="store_true", help="skip state history rows")
        parser.add_argument(
            "--no-materials", action="store_true", help="skip application material rows"
        )
        parser.add_argument("--no-rollup", action="store_true", help="skip dashboard rollups")

    def handle(self, *args, **options):
        from bench.generator import Config, Generator, describe

        if options["applications"] < 1:
            raise CommandError("--applications must be at least 1")
        config = Config(
            applications=options["applications"],
            seed=options["seed"],
            today=options["today"],
            years=options["years"],
            citizens=options["citizens"],
            history=not options["no_history"],
            materials=not options["no_materials"],
            rollup=not options["no_rollup"],
        )
        try:
            result = Generator(config, log=self.stdout.write).run()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(describe(result))
