"""Rebuild the dashboard's daily rollups for a range of days (default: the beat task's range).

    python manage.py dashboard_rollup --start 2024-01-01 --end 2026-11-22

Needed after loading history from elsewhere, or after correcting a past year's calendar."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from approvals.services import dashboard


class Command(BaseCommand):
    help = "Rebuild the dashboard rollups of a range of days, a year per transaction."

    def add_arguments(self, parser):
        parser.add_argument("--start", type=date.fromisoformat, default=None)
        parser.add_argument("--end", type=date.fromisoformat, default=None)

    def handle(self, *args, **options):
        start, end = options["start"], options["end"]
        if start is None and end is None:
            run = dashboard.rollup_recent()
            self.stdout.write(self._line(run))
            return
        if start is None or end is None:
            raise CommandError("Give both --start and --end (YYYY-MM-DD), or neither.")
        if end < start:
            raise CommandError("--end is before --start.")
        for run in dashboard.rollup_backfill(start=start, end=end):
            self.stdout.write(self._line(run))

    @staticmethod
    def _line(run) -> str:
        return (
            f"{run.start_day} – {run.end_day}: {run.application_rows} application rows, "
            f"{run.hall_rows} hall rows, {run.milliseconds} ms"
        )
