"""The dispatchers' duty roster and the shift handover. Keyword-only, atomic, audited."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from centre.access import is_centre
from centre.models import DispatcherDuty, Handover
from centre.selectors import duty as duty_sel
from centre.selectors.stamp import DUTY_STAMP
from portal import audit, roles, stamps
from portal.errors import ActionError, Conflict, Forbidden
from portal.models import User

HANDOVER_LIMIT = 4000


def _require_centre(actor) -> None:
    if not is_centre(actor):
        raise Forbidden(_("仅指挥中心人员可以执行此操作。"), code="role_not_allowed")


@transaction.atomic
def duty_set(
    *,
    actor,
    day: date,
    shift: str,
    dispatchers: Sequence[User],
    lead: User | None = None,
) -> list[DispatcherDuty]:
    """Replace who is on duty in one shift of one day (supervisors and dispatchers)."""
    _require_centre(actor)
    if duty_sel.shift_named(shift) is None:
        raise ActionError(_("班次无效。"), code="invalid", fields={"shift": _("无效。")})
    people = list({u.pk: u for u in dispatchers}.values())
    not_dispatchers = [u for u in people if not u.has_role(roles.DISPATCHER) or not u.is_active]
    if not_dispatchers:
        raise ActionError(
            _("%(name)s不是在岗的调度员。") % {"name": not_dispatchers[0].display_name},
            code="invalid",
            fields={"dispatchers": _("只能安排调度员值班。")},
        )
    if lead is not None and lead.pk not in {u.pk for u in people}:
        raise ActionError(
            _("带班人须在值班人员之中。"), code="invalid", fields={"lead": _("须在值班人员之中。")}
        )
    rows = DispatcherDuty.objects.select_for_update().filter(day=day, shift=shift)
    before = sorted(rows.values_list("user_id", flat=True))
    rows.delete()
    created = DispatcherDuty.objects.bulk_create(
        [
            DispatcherDuty(day=day, shift=shift, user=u, is_lead=bool(lead and lead.pk == u.pk))
            for u in people
        ]
    )
    stamps.bump_on_commit(DUTY_STAMP)
    audit.record(
        actor=actor,
        action="centre.duty_set",
        before={"day": day.isoformat(), "shift": shift, "dispatchers": before},
        after={
            "day": day.isoformat(),
            "shift": shift,
            "dispatchers": sorted(u.pk for u in people),
            "lead": lead.pk if lead else None,
        },
    )
    return created


@transaction.atomic
def handover_write(*, actor, text: str, now: datetime | None = None) -> Handover:
    """The note the shift on duty leaves for the next one (at any time during the shift)."""
    _require_centre(actor)
    now = now or timezone.now()
    text = (text or "").strip()
    if not text:
        raise ActionError(_("请填写交班内容。"), code="invalid", fields={"text": _("必填。")})
    if len(text) > HANDOVER_LIMIT:
        raise ActionError(
            _("交班内容不能超过%(n)s字。") % {"n": HANDOVER_LIMIT},
            code="invalid",
            fields={"text": _("过长。")},
        )
    slot = duty_sel.current_slot(now)
    day, shift = (slot.day, slot.shift.name) if slot else (timezone.localdate(now), "")
    handover = Handover.objects.create(
        day=day, shift=shift, author=actor, written_at=now, text=text
    )
    audit.record(actor=actor, action="centre.handover_write", obj=handover, after={"text": text})
    return handover


@transaction.atomic
def handover_acknowledge(*, actor, handover: Handover, now: datetime | None = None) -> Handover:
    """The next shift has read the note (once; the one who wrote it cannot)."""
    _require_centre(actor)
    locked = Handover.objects.select_for_update().get(pk=handover.pk)
    if locked.acknowledged_by_id:
        raise Conflict(
            _("%(name)s已于%(time)s接班。")
            % {
                "name": locked.acknowledged_by.display_name,
                "time": timezone.localtime(locked.acknowledged_at).strftime("%H:%M"),
            },
            code="already_acknowledged",
        )
    if locked.author_id == actor.pk:
        raise ActionError(_("交班人不能自己接班。"), code="own_handover")
    now = now or timezone.now()
    locked.acknowledged_by = actor
    locked.acknowledged_at = now
    locked.save(update_fields=["acknowledged_by", "acknowledged_at"])
    audit.record(actor=actor, action="centre.handover_acknowledge", obj=locked)
    return locked
