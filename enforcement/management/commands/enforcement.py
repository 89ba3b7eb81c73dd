"""python manage.py enforcement verify-chain [CASE_NUMBER]
python manage.py enforcement check-draw [PLAN_CODE]
python manage.py enforcement sweep   (release expired preservations, take down expired publications)

verify-chain exits 0 when every case's history chain is intact (or the named case's), and
non-zero naming the first broken entry otherwise. check-draw re-runs random-inspection draws
from their logged seed and pools and exits non-zero when one does not reproduce."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Enforcement checks: verify-chain [CASE_NUMBER], check-draw [PLAN_CODE], sweep."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify-chain", help="verify the hash chain of case histories")
        verify.add_argument("case_number", nargs="?", help="one case (default: every case)")
        draw = sub.add_parser("check-draw", help="re-run random-inspection draws from their logs")
        draw.add_argument("plan_code", nargs="?", help="one plan (default: every drawn plan)")
        sub.add_parser(
            "sweep", help="release expired preservations, take down expired publications"
        )

    def handle(self, *args, **options):
        action = options["action"]
        if action == "verify-chain":
            return self.verify_chain(options.get("case_number"))
        if action == "check-draw":
            return self.check_draw(options.get("plan_code"))
        if action == "sweep":
            from enforcement.services import publication, records

            released = records.release_expired_preservations()
            taken_down = publication.take_down_expired()
            self.stdout.write(f"released {released} preservations, took down {taken_down}")
        return None

    def verify_chain(self, number):
        from enforcement.selectors.chain import verify_all

        checked, broken = verify_all(number)
        if number and not checked:
            raise CommandError(f"no case {number}")
        if broken is not None:
            raise CommandError(f"chain broken at {broken}")
        self.stdout.write(self.style.SUCCESS(f"{checked} case chain(s) intact"))

    def check_draw(self, code):
        from enforcement.services.inspections import check_draws

        checked, failures = check_draws(code)
        if code and not checked:
            raise CommandError(f"no drawn plan {code}")
        if failures:
            raise CommandError("draw not reproducible: " + "; ".join(failures))
        self.stdout.write(self.style.SUCCESS(f"{checked} draw(s) reproduced"))
