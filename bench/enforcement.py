"""Issue 14 at scale (100,000 enforcement cases from ``manage.py generate --only enforcement``):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_i14 \\
        .venv/bin/python bench/enforcement.py [--rounds 40] [--decisions 20]

1. The bureau's deadline board: open cases per squad by clock status
   (enforcement.selectors.cases.board_by_squad) and the 50 most urgent open cases with their
   current deadline (deadline_board), as the desk page reads them — target < 100 ms.
2. An officer's case list: the 50 most urgent of their own open cases (officer_cases), for the
   officer with the most open cases — target < 50 ms.
3. The same through whole requests: the desk page and the officer's phone home.
4. Issuing a decision with its PDF: enforcement.services.cases.case_decide on notified cases
   whose statement period has passed — locks, checks, the document number, the frozen content,
   the PDF rendered and hashed, the history entry and the audit record — each in a transaction
   that is rolled back, so the data stay as generated — target < 500 ms.
"""

from __future__ import annotations

import argparse
import time

from common import HEADER, machine, row, setup, timed

setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from enforcement.models import Case, CaseOfficer, CaseState  # noqa: E402
from enforcement.selectors import cases as sel  # noqa: E402
from enforcement.services import cases as svc  # noqa: E402
from portal import roles  # noqa: E402
from portal.models import User  # noqa: E402


class Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--decisions", type=int, default=20)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    total = Case.objects.count()
    open_count = Case.objects.filter(state__in=[s for s in CaseState if s != "closed"]).count()
    print(f"cases: {total:,} ({open_count:,} open)\n")
    head = User.objects.filter(groups__name=roles.BUREAU_HEAD).first()
    busiest = (
        CaseOfficer.objects.filter(case__state__in=[s for s in CaseState if s != "closed"])
        .values("officer__user")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    officer = User.objects.get(pk=busiest["officer__user"])
    print(HEADER)

    def board():
        rows = sel.board_by_squad(head)
        cases = list(sel.deadline_board(head, limit=50))
        assert rows and cases

    print(row("deadline board (squads + 50 most urgent cases)", timed(board, args.rounds), 100))

    def officer_list():
        cases = list(sel.officer_cases(officer, limit=50))
        assert cases

    print(row(f"officer's 50 cases ({busiest['n']} open)", timed(officer_list, args.rounds), 50))

    from django.test import Client

    page = Client()
    page.force_login(head)

    def desk_page():
        assert page.get("/enforcement/desk/").status_code == 200

    print(row("the desk page with the board (whole request)", timed(desk_page, args.rounds)))
    phone = Client()
    phone.force_login(officer)

    def field_page():
        assert phone.get("/enforcement/m/").status_code == 200

    print(row("the officer's phone home (whole request, 20 cases)", timed(field_page, args.rounds)))

    today = timezone.localdate()
    candidates = list(
        Case.objects.filter(
            state=CaseState.NOTIFIED, statement_due__lt=today, major_reasons=[]
        ).order_by("id")[: args.decisions + 3]
    )
    samples = []
    for n, case in enumerate(candidates):
        start = time.perf_counter()
        try:
            with transaction.atomic():
                svc.case_decide(case=case, actor=head, kind="penalty", on=today)
                raise Rollback
        except Rollback:
            pass
        elapsed = (time.perf_counter() - start) * 1000
        if n >= 3:  # the first ones load the fonts
            samples.append(elapsed)
    if samples:
        from common import percentile

        stats = {
            "p50": percentile(samples, 0.5),
            "p95": percentile(samples, 0.95),
            "max": max(samples),
            "n": len(samples),
        }
        print(row(f"issuing a decision with its PDF ({len(samples)} cases)", stats, 500))
    else:
        print("no notified case past its statement period to decide")
    print(f"\nmachine: {machine()}")
    connection.close()


if __name__ == "__main__":
    main()
