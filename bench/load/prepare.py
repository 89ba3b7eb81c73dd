"""Before the measured window: who works today and on what (run by bench/load/run.py).

Picks, from the generated database, the people of each kind the load plays (residents with
applications, clerks with submissions at their windows, reviewers with work in their
department, grid members with open incidents, departments with work orders to sign for,
officers, dispatchers, supervisors, the hotline's API client), logs each of them in once —
a session row written the way ``django.contrib.auth.login`` writes it, plus an API token
(portal.tokens) — and hands every simulated user its own share of the work (disjoint: two users never
get the same application, so a conflict is a real race, not the script's doing). PBKDF2 is
never run during the measurement: a log-in costs ~0.6 s of CPU, a day's log-ins are a
morning's, not every minute's.

Writes one JSON file that the locustfile reads. Nothing here is product code."""

from __future__ import annotations

import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _login(user) -> str:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "portal.auth.UsernameOrMobileBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def _token(user) -> str:
    from portal import tokens

    return tokens.issue(user=user, name="bench/load")[1]


def _person(user, work: dict | None = None) -> dict:
    return {
        "username": user.username,
        "session": _login(user),
        "token": _token(user),
        "work": work or {},
    }


def _group(name: str):
    from portal.models import User

    return User.objects.filter(groups__name=name, is_active=True).order_by("pk")


def prepare(out: Path, *, per_kind: int, seed: int) -> dict:
    from django.db.models import Count

    from approvals.models import Application, Matter
    from approvals.selectors import applications as app_sel
    from enforcement.selectors import cases as case_sel
    from grid.models import Category, Incident
    from grid.models.dispatch import WorkOrder, WorkOrderState
    from grid.selectors import incidents as inc_sel
    from portal import roles
    from portal.models import Area, Department, User
    from portal.models.areas import VILLAGE_KINDS

    rng = random.Random(seed)
    people: dict[str, list[dict]] = {}

    # Residents: applicants of recent applications (their own pages and status), and the
    # matters that take online applications for the new ones they file.
    recent = list(
        Application.objects.filter(applicant__isnull=False, number__gt="")
        .order_by("-submitted_at")
        .values_list("applicant_id", "number")[: per_kind * 20]
    )
    applicants: dict[int, list[str]] = {}
    for uid, number in recent:
        applicants.setdefault(uid, []).append(number)
    residents = User.objects.filter(pk__in=list(applicants)[:per_kind])
    people["resident"] = [_person(u, {"numbers": applicants[u.pk][:5]}) for u in residents]
    matters = sorted(
        {
            m.code
            for m in Matter.objects.filter(
                status=Matter.Status.PUBLISHED, channel_online=True
            ).exclude(delegation_mode=Matter.DelegationMode.FORWARD)
            if m.for_persons and not m.is_ex_officio
        }
    )[:200]
    categories = sorted(set(Category.objects.current().values_list("code", flat=True)))[:60]

    # Clerks: those with submissions waiting at their windows; each gets its own slice.
    taken: set[int] = set()
    clerks = []
    for user in _group(roles.WINDOW_CLERK):
        queue = [
            a
            for a in app_sel.intake_queue(user).values_list("pk", "number")[:400]
            if a[0] not in taken
        ]
        if not queue:
            continue
        mine = queue[:60]
        taken.update(pk for pk, _ in mine)
        release = list(app_sel.release_queue(user).values_list("number", flat=True)[:20])
        clerks.append(_person(user, {"accept": [n for _, n in mine], "release": release}))
        if len(clerks) >= per_kind:
            break
    people["clerk"] = clerks

    # Reviewers: applications accepted (to claim, then decide) or already theirs in review.
    reviewers = []
    for user in _group(roles.REVIEWER):
        dept = app_sel.staff_department_id(user)
        if dept is None:
            continue
        base = Application.objects.filter(department_id=dept).exclude(
            matter__delegation_mode=Matter.DelegationMode.FORWARD
        )
        claim = [
            n
            for pk, n in base.filter(state="accepted").values_list("pk", "number")[:300]
            if pk not in taken
        ][:30]
        mine = list(
            base.filter(state="in_review", handler=user).values_list("number", flat=True)[:30]
        )
        if not (claim or mine):
            continue
        taken.update(Application.objects.filter(number__in=claim).values_list("pk", flat=True))
        reviewers.append(_person(user, {"claim": claim, "decide": mine}))
        if len(reviewers) >= per_kind:
            break
    people["reviewer"] = reviewers

    # Grid members: open incidents of their grids (verify the reported ones).
    members = []
    taken_incidents: set[int] = set()
    for user in _group(roles.GRID_MEMBER).filter(username__startswith="g_gridmember_")[
        : per_kind * 30
    ]:
        queue = inc_sel.grid_queue(user)
        # Members of one grid share its queue: each gets reports no one else verifies.
        verify = [
            n
            for pk, n in queue.filter(state="reported").values_list("pk", "number")[:60]
            if pk not in taken_incidents
        ][:20]
        taken_incidents.update(
            Incident.objects.filter(number__in=verify).values_list("pk", flat=True)
        )
        open_ = list(queue.values_list("number", flat=True)[:20])
        if not open_:
            continue
        members.append(_person(user, {"verify": verify, "open": open_}))
        if len(members) >= per_kind:
            break
    people["grid"] = members

    # Departments: work orders sent to them and not yet signed for.
    departments = []
    busiest = (
        WorkOrder.objects.filter(state=WorkOrderState.SENT)
        .values("department_id")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    for row in busiest[: per_kind * 3]:
        staff = (
            User.objects.filter(
                groups__name=roles.DEPARTMENT_STAFF,
                staff_profile__department_id=row["department_id"],
                is_active=True,
            )
            .order_by("pk")
            .first()
        )
        if staff is None:
            continue
        orders = list(
            WorkOrder.objects.filter(department_id=row["department_id"], state=WorkOrderState.SENT)
            .order_by("id")
            .values_list("pk", flat=True)[:60]
        )
        departments.append(_person(staff, {"sign_for": orders}))
        if len(departments) >= per_kind:
            break
    people["department"] = departments

    # Officers: their open cases.
    officers = []
    for user in User.objects.filter(username__startswith="gen-zf").order_by("username"):
        cases = list(
            case_sel.visible_cases(user).order_by("-id").values_list("number", flat=True)[:20]
        )
        officers.append(_person(user, {"cases": cases}))
        if len(officers) >= per_kind:
            break
    people["officer"] = officers

    people["dispatcher"] = [_person(u) for u in _group(roles.DISPATCHER)[:per_kind]]
    people["supervisor"] = [_person(u) for u in _group(roles.SUPERVISOR)[:per_kind]]
    hotline = list(_group(roles.HOTLINE)[:per_kind])
    if not hotline:  # the generated town has no 12345 system account: the load brings one
        from django.contrib.auth.models import Group

        account, _ = User.objects.get_or_create(
            username="load_hotline", defaults={"real_name": "12345热线（压测）"}
        )
        account.set_unusable_password()
        account.save()
        account.groups.add(Group.objects.get_or_create(name=roles.HOTLINE)[0])
        hotline = [account]
    people["hotline"] = [_person(u) for u in hotline]

    departments_codes = list(Department.objects.values_list("code", flat=True))
    villages = list(
        Area.objects.filter(kind__in=VILLAGE_KINDS).values_list("code", flat=True)[:200]
    )
    # Points inside the town: incidents already reported (a resident stands where others did).
    points = [
        (float(lat), float(lng))
        for lat, lng in Incident.objects.filter(lat__isnull=False)
        .order_by("-id")
        .values_list("lat", "lng")[:500]
    ]
    numbers = [
        [number, mobile[-4:]]
        for number, mobile in Application.objects.filter(number__gt="")
        .order_by("-id")
        .values_list("number", "applicant_mobile")[:2000]
    ]
    rng.shuffle(numbers)
    data = {
        "people": people,
        "matters": matters,
        "categories": categories,
        "departments": departments_codes,
        "villages": villages,
        "points": points,
        "numbers": numbers[:500],
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, ensure_ascii=False))
    return {kind: len(v) for kind, v in people.items()}


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(ROOT / "var" / "load" / "people.json"))
    parser.add_argument("--per-kind", type=int, default=40)
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.load.settings")
    import django

    django.setup()
    print(prepare(Path(args.out), per_kind=args.per_kind, seed=args.seed))


if __name__ == "__main__":
    main()
