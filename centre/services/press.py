"""督办 from the one clock: the centre presses the holder of a late (or nearly late) item. The
holder is told through the notification machinery; the press is recorded and audited. A work
order is pressed through the dispatch issue's own service when it is on main."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from centre.access import is_centre
from centre.models import Press
from centre.selectors import late as late_sel
from centre.selectors.sources import kind_label
from portal import audit
from portal.errors import ActionError, Forbidden, NotFound
from portal.models import User
from portal.notifications import notify_many

# The same item is not pressed twice within this time (a double click, two dispatchers).
REPEAT_MINUTES = 10
KIND = "centre.press"


@transaction.atomic
def press(*, actor, kind: str, number: str, note: str = "", now: datetime | None = None) -> Press:
    if not is_centre(actor):
        raise Forbidden(_("仅指挥中心人员可以督办。"), code="role_not_allowed")
    now = now or timezone.now()
    note = (note or "").strip()
    if len(note) > 500:
        raise ActionError(
            _("督办意见不能超过500字。"), code="invalid", fields={"note": _("过长。")}
        )
    if kind not in Press.Kind.values:
        raise ActionError(_("类别无效。"), code="invalid", fields={"kind": _("无效。")})
    item = late_sel.find(kind, number, now=now)
    if item is None:
        raise NotFound(_("未找到该%(kind)s，或它已不在计时中。") % {"kind": kind_label(kind)})
    recent = (
        Press.objects.select_for_update()
        .filter(kind=kind, number=number, at__gte=now - timedelta(minutes=REPEAT_MINUTES))
        .select_related("actor")
        .first()
    )
    if recent is not None:
        raise ActionError(
            _("%(name)s已于%(time)s督办过，请稍后再试。")
            % {
                "name": recent.actor.display_name,
                "time": timezone.localtime(recent.at).strftime("%H:%M"),
            },
            code="pressed_recently",
        )
    people = list(User.objects.filter(pk__in=item.holder_ids, is_active=True).order_by("pk"))
    row = Press.objects.create(
        kind=kind,
        number=item.number,
        holder=item.holder[:200],
        due_at=item.due_at,
        note=note,
        actor=actor,
        at=now,
        told=len(people),
    )
    if people:
        notify_many(
            recipients=people,
            kind=KIND,
            obj=row,
            context={
                "kind": kind_label(kind),
                "number": item.number,
                "title": item.title,
                "due": timezone.localtime(item.due_at),
                "note": note,
                "by": actor.display_name,
            },
            url=item.url,
        )
    audit.record(
        actor=actor,
        action="centre.press",
        obj=row,
        after={"kind": kind, "number": item.number, "told": len(people), "note": note},
    )
    return row
