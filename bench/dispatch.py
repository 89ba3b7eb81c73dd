"""Issue 13 at scale: routing one incident against 500 rules, a department's queue of 50 and
the department figures over a year, with 200,000 work orders (over a million incidents) in the
database.

    createdb -h 127.0.0.1 -U postgres bench_dispatch
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_dispatch REDIS_URL=redis://127.0.0.1:6379/8
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py generate --only incidents --only dispatch \\
        --incidents 1000000 --work-orders 200000
    .venv/bin/python bench/dispatch.py [--rounds 40] [--rules 500]

1. Routing (grid.selectors.routing.evaluate) of one incident against ``--rules`` rules (the
   generated ones and filler rules that do not match it, added in a transaction that is rolled
   back): the compiled rules kept in the process, as every dispatch after the first sees them
   (target < 5 ms); also with the facts of the incident (its special grids through the point
   lookup) and the stamp check, and a cold load of the 500 rules for reference.
2. A department's queue of 50 (grid.selectors.dispatch.department_queue: red → yellow →
   normal, then the deadline) for the department with the most open work orders, as a query
   and as the page /grid/work-orders/ (target < 50 ms).
3. The department figures over a year (grid.selectors.dispatch_figures.department_figures:
   received, signed on time, returned and why, done on time, late, medians) (target < 150 ms);
   the rule and category figures of the same year for reference.
"""

from __future__ import annotations

import argparse
from datetime import timedelta

from common import HEADER, machine, row, setup, timed

setup()

from django.db import transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from grid.models import Incident  # noqa: E402
from grid.models.dispatch import OPEN_ORDER_STATES, RoutingRule, WorkOrder  # noqa: E402
from grid.selectors import dispatch as sel  # noqa: E402
from grid.selectors import dispatch_figures as fig  # noqa: E402
from grid.selectors import routing  # noqa: E402
from portal.models import Department, StaffProfile, User  # noqa: E402


class Rollback(Exception):
    pass


def routing_bench(rounds: int, count: int) -> None:
    incident = (
        Incident.objects.filter(state="accepted", category__grid_may_handle=False)
        .select_related("category", "category__branch", "grid")
        .order_by("-reported_at")
        .first()
        or Incident.objects.select_related("category", "category__branch", "grid")
        .order_by("-id")
        .first()
    )
    try:
        with transaction.atomic():
            existing = RoutingRule.objects.count()
            template = RoutingRule.objects.filter(handler_kind="department").first()
            filler = []
            for n in range(max(0, count - existing)):
                filler.append(
                    RoutingRule(
                        code=f"BENCH{n:05d}",
                        order=n + 1,
                        name=f"填充规则 {n}",
                        category_level="leaf",
                        category_code=f"X{n:05d}",
                        time_window=("any", "working", "off")[n % 3],
                        handler_kind="department",
                        department=template.department,
                        changed_at=timezone.now(),
                    )
                )
            RoutingRule.objects.bulk_create(filler, batch_size=1000)
            from grid.services.dispatch import bump_stamp

            bump_stamp()
            routing.forget()
            total = RoutingRule.objects.count()
            facts = routing.facts_for(incident)
            rules = routing.compiled_rules()
            result = routing.evaluate(facts, rules)
            matched = f"rule #{result.rule.order} {result.rule.name}" if result.rule else "no match"
            print(
                f"Routing {incident.number} ({incident.category_code}) against {total} rules: "
                f"{matched}; "
                f"{len(result.evaluated)} evaluated."
            )
            print()
            print(HEADER)
            print(
                row(
                    f"evaluate(): {total} compiled rules: first match and every status",
                    timed(lambda: routing.evaluate(facts, rules), rounds * 5),
                    5,
                )
            )

            def described():
                assert len(routing.evaluate(facts, rules).as_dict()["evaluated"]) == total

            print(
                row(
                    "evaluate() + the whole list in words (the tester's answer)",
                    timed(described, rounds),
                    5,
                )
            )

            def full():
                routing.evaluate(routing.facts_for(incident))

            print(row("facts_for() + stamp check + evaluate()", timed(full, rounds * 5), 5))

            def cold():
                routing.forget()
                routing.compiled_rules()

            print(
                row(
                    f"cold load and compile of {total} rules (once per change)",
                    timed(cold, max(5, rounds // 4)),
                )
            )
            raise Rollback
    except Rollback:
        routing.forget()


def queue_bench(rounds: int) -> None:
    busiest = (
        WorkOrder.objects.filter(state__in=OPEN_ORDER_STATES)
        .values("department_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    department = Department.objects.get(pk=busiest["department_id"])
    total = WorkOrder.objects.count()
    in_department = WorkOrder.objects.filter(department=department).count()
    print()
    print(
        f"{total:,} work orders; {department.short_name or department.name}: "
        f"{busiest['n']:,} open, {in_department:,} in all."
    )
    print()
    print(HEADER)

    def query():
        assert len(list(sel.department_queue(department.pk)[:50])) > 0

    print(row("department_queue(): first 50", timed(query, rounds), 50))
    staff = User.objects.get(
        pk=StaffProfile.objects.filter(department=department, user__groups__name="department_staff")
        .values_list("user_id", flat=True)
        .first()
    )
    client = Client()
    client.force_login(staff)

    def page():
        assert client.get("/grid/work-orders/").status_code == 200

    print(row("GET /grid/work-orders/ (the department's page, 50 rows)", timed(page, rounds), 50))


def figures_bench(rounds: int) -> None:
    today = timezone.localdate()
    period = fig.Period.days(today - timedelta(days=364), today)
    in_year = WorkOrder.objects.filter(sent_at__gte=period.start, sent_at__lt=period.end).count()
    print()
    print(
        f"Figures over {period.start:%Y-%m-%d} – {today}: {in_year:,} work orders sent in the year."
    )
    print()
    print(HEADER)
    print(
        row(
            "department_figures(): a year",
            timed(lambda: fig.department_figures(period), rounds),
            150,
        )
    )
    print(
        row("rule_figures(): a year", timed(lambda: fig.rule_figures(period), max(5, rounds // 2)))
    )
    print(
        row(
            "category_figures(): a year",
            timed(lambda: fig.category_figures(period), max(5, rounds // 2)),
        )
    )
    print(
        row(
            "whistle_figures(): a year",
            timed(lambda: fig.whistle_figures(period), max(5, rounds // 2)),
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--rules", type=int, default=500)
    args = parser.parse_args()
    print(f"# Dispatch bench — {timezone.localdate()}, {machine()}")
    print()
    routing_bench(args.rounds, args.rules)
    queue_bench(args.rounds)
    figures_bench(args.rounds)
    print()
    print(f"Finished under {machine()}.")


if __name__ == "__main__":
    main()
