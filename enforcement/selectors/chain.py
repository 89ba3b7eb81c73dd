"""Verifying case histories in bulk (the command ``enforcement verify-chain``): streams the
entries in case order with a server-side cursor, so it runs in constant memory."""

from __future__ import annotations

from itertools import groupby

from enforcement.chain import Break, verify_rows
from enforcement.models import Case, CaseEvent


def verify_all(number: str | None = None) -> tuple[int, Break | None]:
    """(cases checked, the first broken entry or None)."""
    cases = Case.objects.all()
    if number:
        cases = cases.filter(number=number)
    heads = dict(cases.values_list("pk", "chain_head"))
    numbers = dict(cases.values_list("pk", "number"))
    events = (
        CaseEvent.objects.filter(case_id__in=cases.values("pk"))
        .order_by("case_id", "seq")
        .only(
            "id",
            "case_id",
            "seq",
            "at",
            "actor_label",
            "action",
            "from_state",
            "to_state",
            "note",
            "data",
            "prev_hash",
            "hash",
        )
        .iterator(chunk_size=5000)
    )
    checked = 0
    seen = set()
    for case_id, rows in groupby(events, key=lambda e: e.case_id):
        rows = list(rows)
        checked += 1
        seen.add(case_id)
        found = verify_rows(numbers[case_id], rows)
        if found is None and heads.get(case_id) and rows[-1].hash != heads[case_id]:
            last = rows[-1]
            found = Break(numbers[case_id], last.seq, last.pk, "entries after this one are missing")
        if found is not None:
            return checked, found
    for case_id in heads:
        if case_id not in seen and heads[case_id]:
            return checked + 1, Break(numbers[case_id], 1, 0, "the history is missing")
        if case_id not in seen:
            checked += 1
    return checked, None
