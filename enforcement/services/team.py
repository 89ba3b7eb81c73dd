"""The team's rules: two officers with valid certificates (art. 42), certificates and the duty
roster."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from enforcement import stamps as board_stamps
from enforcement.models import Certificate, DutyShift, Officer, Squad
from portal import audit, roles, stamps
from portal.errors import ActionError

from .common import audit_actor, require_role


def certificate_problem(officer: Officer, day: date, certificates=None) -> str:
    """Why ``officer`` does not count as a certified officer on ``day`` ("" when they do)."""
    name = officer.user.display_name
    if officer.kind == Officer.Kind.AUXILIARY:
        return _("%(name)s是协管员，不能计为执法人员。") % {"name": name}
    if not officer.is_active:
        return _("%(name)s已不在岗。") % {"name": name}
    certs = list(certificates if certificates is not None else officer.certificates.all())
    if not certs:
        return _("%(name)s没有执法证。") % {"name": name}
    if any(c.valid_on(day) for c in certs):
        return ""
    latest = max(certs, key=lambda c: c.valid_to)
    if latest.revoked_on is not None and latest.revoked_on <= day:
        return _("%(name)s的执法证（%(number)s）已于%(date)s注销。") % {
            "name": name,
            "number": latest.number,
            "date": latest.revoked_on.isoformat(),
        }
    if latest.valid_from > day:
        return _("%(name)s的执法证（%(number)s）自%(date)s起才有效。") % {
            "name": name,
            "number": latest.number,
            "date": latest.valid_from.isoformat(),
        }
    return _("%(name)s的执法证（%(number)s）已于%(date)s过期。") % {
        "name": name,
        "number": latest.number,
        "date": latest.valid_to.isoformat(),
    }


def valid_certificate(officer: Officer, day: date) -> Certificate | None:
    return next((c for c in officer.certificates.all() if c.valid_on(day)), None)


def require_certified(
    officers: Sequence[Officer], *, on: date, minimum: int = 2, field: str = "officers"
) -> list[Officer]:
    """At least ``minimum`` (two, art. 42) distinct officers whose certificates are valid on
    ``on``; auxiliaries never count. Refuses naming each missing or expired certificate."""
    distinct: dict[int, Officer] = {}
    for officer in officers:
        if officer is not None:
            distinct.setdefault(officer.pk, officer)
    people = list(distinct.values())
    problems = [p for p in (certificate_problem(o, on) for o in people) if p]
    valid = [o for o in people if not certificate_problem(o, on)]
    if len(valid) >= minimum:
        return valid
    missing = minimum - len(valid)
    if missing > 0 and len(people) < minimum:
        problems.append(
            _("还须%(n)s名持有效执法证的执法人员。") % {"n": minimum - len(valid)}
            if valid or problems
            else _("须指定%(n)s名持有效执法证的执法人员。") % {"n": minimum}
        )
    headline = (
        _("须有至少两名持有效执法证的执法人员（行政处罚法第四十二条）。")
        if minimum >= 2
        else _("须有持有效执法证的执法人员。")
    )
    raise ActionError(
        f"{headline}{''.join(problems)}", code="certificates_required", fields={field: problems}
    )


def officers_by_ids(ids: Iterable[int]) -> list[Officer]:
    ids = [int(i) for i in ids if str(i).strip()]
    found = {
        o.pk: o
        for o in Officer.objects.filter(pk__in=ids)
        .select_related("user", "squad")
        .prefetch_related("certificates")
    }
    return [found[i] for i in ids if i in found]


def on_duty(squad: Squad, day: date) -> list[Officer]:
    """Who of ``squad`` is on duty on ``day``, the shift leader first."""
    return [
        shift.officer
        for shift in DutyShift.objects.filter(squad=squad, day=day)
        .select_related("officer__user")
        .order_by("-is_lead", "officer__user__username")
    ]


@transaction.atomic
def duty_set(*, squad: Squad, day: date, officers: Sequence[Officer], lead: Officer | None, actor):
    """Replace the roster of ``squad`` on ``day`` (squad leader or bureau head)."""
    from .common import require_squad

    require_role(actor, roles.SQUAD_LEADER, roles.BUREAU_HEAD)
    require_squad(actor, squad.pk, leader=True)
    foreign = [o for o in officers if o.squad_id != squad.pk]
    if foreign:
        raise ActionError(
            _("%(name)s不属于本中队。") % {"name": foreign[0].name},
            code="not_in_squad",
            fields={"officers": _("只能安排本中队人员值班。")},
        )
    before = list(
        DutyShift.objects.filter(squad=squad, day=day).values_list("officer_id", flat=True)
    )
    DutyShift.objects.filter(squad=squad, day=day).delete()
    DutyShift.objects.bulk_create(
        [
            DutyShift(squad=squad, day=day, officer=o, is_lead=bool(lead and o.pk == lead.pk))
            for o in officers
        ]
    )
    stamps.bump_on_commit(board_stamps.ROSTER)
    audit.record(
        actor=audit_actor(actor),
        action="enforcement.duty_set",
        obj=squad,
        before={"day": day.isoformat(), "officers": before},
        after={"day": day.isoformat(), "officers": [o.pk for o in officers]},
    )
