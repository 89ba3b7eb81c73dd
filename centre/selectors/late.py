"""The one clock: applications, incidents, work orders and cases that are late or about to be,
ranked together by how late they are.

Every item's deadline is a moment (``due_at``; an application's or a case's due date is the end
of that day). How late an item is, is ``now - due_at``: the list is ordered by that, most late
first, then the items not yet late (yellow) by the time left. ``late_by`` is shown in the unit
of the item's own limit (portal.clock.late_by: whole hours for limits in hours, working days
otherwise), so a red card means the same for every kind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.clock import ClockItem, Lateness, Unit

from .sources import kind_label, sources

MAX_LIMIT = 200


@dataclass(frozen=True)
class LateRow:
    item: ClockItem
    late_by: Lateness | None

    def as_dict(self) -> dict:
        i = self.item
        return {
            "kind": i.kind,
            "kind_label": kind_label(i.kind),
            "number": i.number,
            "title": i.title,
            "holder": i.holder,
            "due": i.due_at,
            "status": str(i.status),
            "late_by": (
                {
                    "amount": self.late_by.amount,
                    "unit": str(self.late_by.unit),
                    "text": str(self.late_by),
                }
                if self.late_by
                else None
            ),
            "url": i.url,
            "phone": i.phone,
            "can_press": bool(i.holder_ids),
        }


def lateness_text(lateness: Lateness) -> str:
    """ "超50小时（约2天）": many hours read better with the days they make."""
    text = str(lateness)
    if lateness.unit == Unit.HOURS and lateness.amount >= 48:
        text += str(_("（约%(d)s天）") % {"d": round(lateness.amount / 24)})
    return text


def late_list(
    *, now: datetime | None = None, limit: int = 20, overdue_only: bool = False, kinds=None
) -> list[LateRow]:
    """The first ``limit`` items of the one clock. Each app reports the keys of its own first
    ``limit`` — (deadline, number, reference), read off its clock index; the merge keeps the
    overall first ``limit``, and only those are built into items by their apps."""
    now = now or timezone.now()
    limit = max(1, min(int(limit), MAX_LIMIT))
    found = sources()
    keys = []
    for kind, source in found.items():
        if kinds and kind not in kinds:
            continue
        for due, number, ref in source.late_keys(now=now, limit=limit, overdue_only=overdue_only):
            keys.append((due, kind, number, ref))
    keys.sort(key=lambda k: (k[0], k[1], k[2]))
    keys = keys[:limit]
    built: dict[tuple[str, str], ClockItem] = {}
    for kind, source in found.items():
        refs = [k[3] for k in keys if k[1] == kind]
        if refs:
            built.update({(kind, i.number): i for i in source.items_for(refs, now=now)})
    items = [built[(k[1], k[2])] for k in keys if (k[1], k[2]) in built]
    return [LateRow(item=i, late_by=i.late_by(now)) for i in items]


def find(kind: str, number: str, *, now: datetime | None = None) -> ClockItem | None:
    source = sources().get(kind)
    return source.item(number, now=now) if source is not None else None
