"""The tamper-evident chain of a case's history (全过程记录).

Each entry's hash is SHA-256 over a canonical JSON of its content and the previous entry's
hash (the first entry chains to 64 zeros). Editing, inserting or deleting an entry anywhere
breaks the chain from there on; :func:`verify` names the first broken entry. Entries are
written only by :func:`append`, under the case's row lock, so their numbers never race."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

GENESIS = "0" * 64


def normalise(data) -> dict:
    """The data exactly as the database will give it back (dates and decimals as text)."""
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder, ensure_ascii=False))


def _moment(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    *,
    case_number: str,
    seq: int,
    at: datetime,
    actor_label: str,
    action: str,
    from_state: str,
    to_state: str,
    note: str,
    data: dict,
    prev_hash: str,
) -> str:
    payload = json.dumps(
        {
            "case": case_number,
            "seq": seq,
            "at": _moment(at),
            "actor": actor_label,
            "action": action,
            "from": from_state,
            "to": to_state,
            "note": note,
            "data": data,
            "prev": prev_hash,
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append(
    case,
    *,
    actor,
    actor_label: str,
    action: str,
    from_state: str,
    to_state: str,
    note: str = "",
    data=None,
):
    """Write the next entry of ``case``'s chain. The caller holds the case's row lock."""
    from enforcement.models import CaseEvent

    last = CaseEvent.objects.filter(case=case).order_by("-seq").values("seq", "hash").first()
    seq = (last["seq"] + 1) if last else 1
    prev = last["hash"] if last else GENESIS
    at = timezone.now()
    data = normalise(data)
    event = CaseEvent.objects.create(
        case=case,
        seq=seq,
        at=at,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label[:128],
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data,
        prev_hash=prev,
        hash=entry_hash(
            case_number=case.number,
            seq=seq,
            at=at,
            actor_label=actor_label[:128],
            action=action,
            from_state=from_state,
            to_state=to_state,
            note=note,
            data=data,
            prev_hash=prev,
        ),
    )
    case.chain_head = event.hash
    type(case).objects.filter(pk=case.pk).update(chain_head=event.hash)
    return event


@dataclass(frozen=True)
class Break:
    case_number: str
    seq: int
    event_id: int
    reason: str

    def __str__(self) -> str:
        return f"{self.case_number} #{self.seq} (id {self.event_id}): {self.reason}"


def verify_rows(case_number: str, rows) -> Break | None:
    """Check one case's entries (ordered by seq): the first broken one, or None."""
    prev = GENESIS
    expected_seq = 1
    for row in rows:
        if row.seq != expected_seq:
            return Break(case_number, row.seq, row.pk, f"expected entry #{expected_seq}")
        if row.prev_hash != prev:
            return Break(case_number, row.seq, row.pk, "does not chain to the previous entry")
        computed = entry_hash(
            case_number=case_number,
            seq=row.seq,
            at=row.at,
            actor_label=row.actor_label,
            action=row.action,
            from_state=row.from_state,
            to_state=row.to_state,
            note=row.note,
            data=row.data,
            prev_hash=row.prev_hash,
        )
        if computed != row.hash:
            return Break(case_number, row.seq, row.pk, "content does not match its hash")
        prev = row.hash
        expected_seq += 1
    return None


def verify(case) -> Break | None:
    rows = list(case.history.order_by("seq"))
    found = verify_rows(case.number, rows)
    if found is None and rows and case.chain_head and rows[-1].hash != case.chain_head:
        last = rows[-1]
        return Break(case.number, last.seq, last.pk, "entries after this one are missing")
    return found
