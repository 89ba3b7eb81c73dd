from datetime import date

from django.core.management.base import BaseCommand, CommandError

from portal import services, workdays


def _parse(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = "The working-day calendar: add, between, status, seed."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="DATE plus N working days (start day not counted)")
        add.add_argument("date")
        add.add_argument("days", type=int)
        between = sub.add_parser("between", help="working days in (A, B]")
        between.add_argument("start")
        between.add_argument("end")
        sub.add_parser("status", help="which years are confirmed")
        sub.add_parser("seed", help="copy holidays 2004–2026 from chinesecalendar")

    def handle(self, *args, action, **options):
        if action == "add":
            if options["days"] < 0:
                raise CommandError("N must not be negative")
            start = _parse(options["date"])
            result = workdays.add_working_days(start, options["days"])
            self.stdout.write(result.isoformat())
            self._warn_unconfirmed(start, result)
        elif action == "between":
            start, end = _parse(options["start"]), _parse(options["end"])
            self.stdout.write(str(workdays.working_days_between(start, end)))
            self._warn_unconfirmed(min(start, end), max(start, end))
        elif action == "status":
            self._status()
        elif action == "seed":
            written = services.calendar_seed_from_package()
            self.stdout.write(f"seeded {len(written)} years")

    def _warn_unconfirmed(self, start, end):
        missing = workdays.unconfirmed_between(start, end)
        if missing:
            years = ", ".join(str(y) for y in missing)
            self.stderr.write(
                f"warning: calendar not confirmed for {years}; counted as plain Monday–Friday"
            )

    def _status(self):
        from portal.models import CalendarDay, CalendarYear

        years = {y.year: y for y in CalendarYear.objects.all()}
        this_year = date.today().year
        span = sorted(set(years) | {this_year, this_year + 1})
        for year in span:
            row = years.get(year)
            days = CalendarDay.objects.filter(date__year=year).count()
            state = "confirmed" if row and row.confirmed else "UNCONFIRMED (plain Mon–Fri)"
            source = f" [{row.source}]" if row and row.source else ""
            self.stdout.write(f"{year}  {state:<28} {days:3d} special days{source}")
