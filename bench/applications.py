"""Issue 4 at scale: accepting applications through the service layer, and reading one
department's review queue with a million applications in the database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench REDIS_URL=redis://127.0.0.1:6379/8 \\
        .venv/bin/python bench/applications.py [--accept 10000] [--rounds 40]

1. Queue reads (first, on the generated data): the 50 first rows of
   approvals.selectors.applications.review_queue for a reviewer of the department with the
   most work under review, and the same queue through the API
   (GET /api/v1/applications/?state=accepted&state=in_review&state=suspended, a page of 50 with
   its count), p50/p95 against the 50 ms target; the reviewer's unfiltered API list for
   comparison.
2. Acceptance throughput: N online applications by N generated citizens, each created, made
   ready (declaration), submitted and accepted by a window clerk — every step through
   approvals.services.applications, each in its own transaction, with its numbers, notices,
   history, audit entries and on-commit notifications. They stay in the database (accepted
   today); run this once, after the dashboard bench.
"""

from __future__ import annotations

import argparse
import time

from common import HEADER, machine, row, setup, timed

setup()

from django.db.models import Count, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from approvals.models import Application, Matter, State  # noqa: E402
from approvals.selectors import applications as sel  # noqa: E402
from approvals.services import applications as svc  # noqa: E402
from portal import roles  # noqa: E402
from portal.models import StaffProfile, User  # noqa: E402

QUEUE_STATES = [State.ACCEPTED, State.IN_REVIEW, State.SUSPENDED]


def queue_reads(rounds: int) -> None:
    busiest = (
        Application.objects.filter(state__in=QUEUE_STATES)
        .values("department_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    reviewer = (
        User.objects.filter(
            groups__name=roles.REVIEWER, staff_profile__department_id=busiest["department_id"]
        )
        .order_by("id")
        .first()
    )
    in_department = Application.objects.filter(department_id=busiest["department_id"]).count()
    print(
        f"Review queue of department {busiest['department_id']}: {busiest['n']:,} applications "
        f"under review, {in_department:,} in the department, "
        f"{Application.objects.count():,} in the database."
    )
    print()
    print(HEADER)

    def selector():
        rows = list(sel.review_queue(reviewer)[:50])
        assert len(rows) == min(50, busiest["n"])

    print(row("selectors.applications.review_queue, first 50", timed(selector, rounds), 50))
    client = Client()
    client.force_login(reviewer)
    queue_url = reverse("application-list") + "?" + "&".join(f"state={s}" for s in QUEUE_STATES)

    def api_queue():
        response = client.get(queue_url)
        assert response.status_code == 200 and len(response.json()["results"]) == min(
            50, busiest["n"]
        )

    print(row(f"API queue page of 50 with count (GET {queue_url})", timed(api_queue, rounds), 50))

    def api_all():
        assert client.get(reverse("application-list")).status_code == 200

    print(
        row("API list, unfiltered (all the department's work), page of 50", timed(api_all, rounds))
    )

    # what-if, not the code as it is: the state filter without DISTINCT (django-filter's
    # MultipleChoiceFilter adds DISTINCT by default, which makes PostgreSQL group the joined
    # rows of the whole queue before taking 50)
    from approvals.api.applications import ApplicationFilter

    state_filter = ApplicationFilter.base_filters["state"]
    before, state_filter.distinct = state_filter.distinct, False
    try:
        print(
            row(
                "what-if: the same API queue page with the state filter's distinct=False",
                timed(api_queue, rounds),
                50,
            )
        )
    finally:
        state_filter.distinct = before


def acceptances(count: int) -> None:
    today = timezone.localdate()
    clerk = User.objects.get(username="clerk")
    served = sel.clerk_department_ids(clerk)
    matters = list(
        Matter.objects.filter(
            status=Matter.Status.PUBLISHED,
            channel_online=True,
            handling_department_id__in=served,
            valid_from__lte=today,
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .annotate(n=Count("materials"))
        .order_by("code")
    )
    citizens = list(
        User.objects.filter(groups__name=roles.CITIZEN, username__startswith="c")
        .exclude(pk__in=StaffProfile.objects.values("user_id"))
        .order_by("id")[:count]
    )
    if len(citizens) < count:
        raise SystemExit(f"only {len(citizens)} generated citizens; generate more data")
    print()
    print(
        f"Accepting {count:,} online applications ({len(matters)} matters the clerk's windows "
        f"serve, {count:,} different citizens), each: create → declaration → submit → accept."
    )
    steps = {"create": 0.0, "draft": 0.0, "submit": 0.0, "accept": 0.0}
    start = time.perf_counter()
    for i, citizen in enumerate(citizens):
        matter = matters[i % len(matters)]
        t0 = time.perf_counter()
        app = svc.application_create(actor=citizen, matter=matter, channel="online", today=today)
        t1 = time.perf_counter()
        svc.application_update_draft(application=app, actor=citizen, declaration_accepted=True)
        app.refresh_from_db()
        t2 = time.perf_counter()
        app = svc.application_submit(application=app, actor=citizen, today=today)
        t3 = time.perf_counter()
        checks = [{"id": m.pk, "status": "received"} for m in app.materials.all()]
        svc.application_accept(application=app, actor=clerk, checks=checks, today=today)
        t4 = time.perf_counter()
        steps["create"] += t1 - t0
        steps["draft"] += t2 - t1
        steps["submit"] += t3 - t2
        steps["accept"] += t4 - t3
        if (i + 1) % 2000 == 0:
            print(f"  {i + 1:,} accepted, {(i + 1) / (time.perf_counter() - start):.0f}/s")
    elapsed = time.perf_counter() - start
    print()
    print(
        f"- {count:,} applications accepted through the services in {elapsed:.1f} s: "
        f"{count / elapsed:.0f} applications/s end to end ({elapsed / count * 1000:.1f} ms each)."
    )
    print(
        "- per step, mean ms: "
        + ", ".join(f"{k} {v / count * 1000:.1f}" for k, v in steps.items())
        + f"; the acceptance step alone: {count / steps['accept']:.0f} acceptances/s."
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accept", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--skip-accept", action="store_true")
    args = parser.parse_args()
    print(f"# Applications bench — {timezone.localdate()}, {machine()}")
    print()
    queue_reads(args.rounds)
    if not args.skip_accept:
        acceptances(args.accept)
    print()
    print(f"Finished under {machine()}.")


if __name__ == "__main__":
    main()
