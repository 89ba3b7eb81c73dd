"""Signals enforcement sends to the rest of the portal (grid listens; enforcement imports
nobody that listens).

``lead_outcome`` — what became of a lead, sent once the transaction that decided it has
committed (never for a rolled-back decision), with ``sender=Lead`` and keyword arguments:

- ``lead_number`` (str), ``source`` (a ``LeadSource`` value, e.g. "grid_incident"),
  ``source_ref`` (str: what the source passed to ``lead_receive``, e.g. the incident number),
  ``client_uuid`` (str),
- ``outcome``: "filed" | "not_filed" | "transferred" | "closed",
- ``case_number`` (str; "" unless filed or closed), ``reason`` (str: why not filed / the body
  it went to and why / the case's result when closed), ``result`` (dict: for "closed" the
  decision kind, penalties, fine, paid amount; {} otherwise),
- ``at`` (aware datetime of the decision).

Receivers must not raise into enforcement: the signal is sent with ``send_robust`` and a
failing receiver is logged. ``enforcement.selectors.leads.lead_outcome_for(source, source_ref)``
answers the same question on demand, for a receiver that missed one."""

import logging

from django.db import transaction
from django.dispatch import Signal

log = logging.getLogger(__name__)

lead_outcome = Signal()

OUTCOMES = ("filed", "not_filed", "transferred", "closed")


def send_lead_outcome(
    lead, *, outcome: str, at, case_number: str = "", reason: str = "", result: dict | None = None
) -> None:
    """Send ``lead_outcome`` for ``lead`` when the current transaction commits."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    payload = {
        "lead_number": lead.number,
        "source": lead.source,
        "source_ref": lead.source_ref,
        "client_uuid": str(lead.client_uuid),
        "outcome": outcome,
        "case_number": case_number,
        "reason": reason,
        "result": dict(result or {}),
        "at": at,
    }

    def send():
        sender = type(lead)
        for receiver, response in lead_outcome.send_robust(sender=sender, **payload):
            if isinstance(response, Exception):
                log.error(
                    "lead_outcome receiver %r failed for %s: %r", receiver, lead.number, response
                )

    transaction.on_commit(send)
