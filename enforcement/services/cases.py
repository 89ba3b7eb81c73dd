"""Every state change of a case. Keyword-only, atomic, row-locked, audited, chained.

Races: callers pass the case as they loaded it. The service locks the row; if its state moved on
in the meantime (someone else acted first) it raises Conflict (409); if the state is unchanged
but the action is not allowed, ActionError (400) with a stable code and the fields concerned.
Every act — transitions and records alike — appends to the case's hash chain
(enforcement.chain) and the audit trail in the same transaction."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from enforcement import chain, legal
from enforcement.models import (
    BEFORE_DECISION,
    Case,
    CaseOfficer,
    CaseState,
    Lead,
    Officer,
    PartyKind,
    Procedure,
)
from portal import audit, clock, idnumber
from portal.errors import ActionError, Conflict

from . import numbers
from .common import actor_label, actor_user, audit_actor

# --- the party -------------------------------------------------------------------------------


def clean_party(party: dict) -> dict:
    """Check and normalise the party (当事人): a person's ID number (GB 11643) or an
    organisation's credit code (GB 32100) when given; a name always."""
    party = dict(party or {})
    kind = party.get("party_kind") or PartyKind.PERSON
    errors = {}
    if kind not in PartyKind.values:
        errors["party_kind"] = _("当事人类型不正确。")
    name = (party.get("party_name") or "").strip()
    if not name:
        errors["party_name"] = _("请填写当事人。")
    id_number = idnumber.normalize(party.get("party_id_number") or "")
    if id_number and not idnumber.is_valid(id_number):
        errors["party_id_number"] = _("居民身份证号码不正确，请核对。")
    credit = (party.get("party_credit_code") or "").strip().upper()
    if credit and not idnumber.credit_code_valid(credit):
        errors["party_credit_code"] = _("统一社会信用代码不正确，请核对。")
    mobile = (party.get("party_mobile") or "").strip()
    if errors:
        raise ActionError(_("当事人信息有误。"), code="invalid", fields=errors)
    return {
        "party_kind": kind,
        "party_name": name[:200],
        "party_id_number": id_number,
        "party_credit_code": credit,
        "party_representative": (party.get("party_representative") or "").strip()[:64],
        "party_address": (party.get("party_address") or "").strip()[:255],
        "party_mobile": mobile[:20],
    }


# --- locking, history, the clock -------------------------------------------------------------


def lock(case: Case) -> Case:
    """Lock the row; Conflict when someone changed its state since the caller loaded it."""
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("squad", "matter", "lead")
        .get(pk=case.pk)
    )
    if locked.state != case.state:
        raise Conflict(
            _("该案件已被他人处理（当前状态：%(state)s），请刷新后再试。")
            % {"state": locked.get_state_display()},
            code="state_changed",
        )
    return locked


def ensure(case: Case, transition_name: str) -> None:
    if not can_proceed(getattr(case, transition_name)):
        raise ActionError(
            _("案件当前状态（%(state)s）不允许此操作。") % {"state": case.get_state_display()},
            code="invalid_transition",
        )


def move(
    case: Case,
    transition_name: str,
    *,
    actor,
    note: str = "",
    data=None,
    action: str | None = None,
    today: date | None = None,
) -> None:
    """Run the transition (``record`` for acts that change no state), recompute the clock,
    save, and append the history entry and the audit record in the same transaction."""
    before = case.state
    ensure(case, transition_name)
    getattr(case, transition_name)()
    refresh_clock(case, today=today)
    case.save()
    name = action or transition_name
    chain.append(
        case,
        actor=actor,
        actor_label=actor_label(actor),
        action=name,
        from_state=before,
        to_state=case.state,
        note=note,
        data=data,
    )
    audit.record(
        actor=audit_actor(actor),
        action=f"enforcement.case_{name}",
        obj=case,
        before={"state": before},
        after={"state": case.state, **({"note": note[:200]} if note else {})},
    )


def case_url(case: Case) -> str:
    return reverse("enforcement:case", args=[case.number])


def _excluded_days(case: Case) -> tuple[int, bool]:
    """Calendar days of ended suspensions, and whether one is open (the clock is paused)."""
    if case.pk is None or not hasattr(case, "suspensions"):
        return 0, False
    total, open_ = 0, False
    for suspension in case.suspensions.all():
        if suspension.ended_on is None:
            open_ = True
        else:
            total += max(0, (suspension.ended_on - suspension.started_on).days)
    return total, open_


def pending_deadlines(case: Case) -> list[tuple[str, date]]:
    """The legal deadlines still to be met, as (kind, date)."""
    result = []
    if case.state in BEFORE_DECISION and case.decision_due:
        result.append(("decision", case.decision_due))
    if case.state == CaseState.DECIDED and case.service_due:
        result.append(("service", case.service_due))
    if case.state in (CaseState.DECIDED, CaseState.EXECUTING):
        if case.payment_due and case.has_fine and case.paid_on is None:
            result.append(("payment", case.payment_due))
        if case.publication_due and not _published(case):
            result.append(("publication", case.publication_due))
    return result


def _published(case: Case) -> bool:
    publication = getattr(case, "publication", None) if case.pk else None
    return bool(publication and publication.published_at)


def refresh_clock(case: Case, today: date | None = None) -> None:
    """Recompute every legal deadline from the case's dates, suspensions and extensions, and
    the current one (the earliest still to be met) as ``due_at`` / ``warn_at``."""
    if case.procedure == Procedure.GENERAL and case.filed_on:
        excluded, paused = _excluded_days(case)
        case.excluded_days = excluded
        case.clock_paused = paused and case.state in BEFORE_DECISION
        case.decision_due = legal.decision_due(
            case.filed_on, excluded_days=excluded, extension_days=case.extension_days
        )
    else:
        case.clock_paused = False
    case.service_due = (
        legal.service_due(case.decided_on)
        if case.decided_on and case.procedure == Procedure.GENERAL
        else None
    )
    pending = pending_deadlines(case)
    if not case.is_open or not pending:
        case.due_at = case.warn_at = None
        case.due_kind = ""
        return
    kind, day = min(pending, key=lambda item: (item[1], item[0]))
    limit = legal.limit(kind)
    if kind == "decision":
        limit = limit.extended(case.excluded_days + case.extension_days)
    case.due_kind = kind
    case.due_at = clock.end_of_day(day)
    case.warn_at = clock.warn_at(case.due_at, limit)


def clock_status(case: Case, now=None):
    return clock.status(
        now=now or timezone.now(),
        due_at=case.due_at,
        warn_at=case.warn_at,
        running=case.is_open,
        paused=case.clock_paused,
    )


# --- opening ---------------------------------------------------------------------------------


def case_open_from_lead(*, lead: Lead, actor, today: date) -> Case:
    """Open the case of an approved filing proposal (inside the caller's transaction)."""
    from enforcement.services.leads import matter_for_code
    from enforcement.services.team import require_certified

    proposal = lead.proposal or {}
    officers = list(
        Officer.objects.filter(pk__in=proposal.get("officers", []))
        .select_related("user")
        .prefetch_related("certificates")
    )
    officers.sort(key=lambda o: proposal["officers"].index(o.pk))
    require_certified(officers, on=today)
    matter = matter_for_code(proposal.get("matter_code"), on=today)
    case = Case(
        number=numbers.case_number(today.year),
        procedure=Procedure.GENERAL,
        lead=lead,
        squad=lead.squad,
        matter=matter,
        facts=proposal.get("facts", ""),
        address=lead.address,
        lat=lead.lat,
        lng=lead.lng,
        area_code=lead.area_code,
        filed_on=today,
        filed_by=actor_user(actor),
        filing_due=lead.filing_due,
        created_by=actor_user(actor),
        **clean_party(proposal.get("party") or {}),
    )
    refresh_clock(case, today=today)
    case.save()
    others = proposal.get("other_matter_codes") or []
    if others:
        case.other_matters.set([matter_for_code(code, on=today) for code in others])
    CaseOfficer.objects.bulk_create(
        [
            CaseOfficer(
                case=case,
                officer=officer,
                role=CaseOfficer.Role.LEAD if index == 0 else CaseOfficer.Role.ASSIST,
                assigned_on=today,
            )
            for index, officer in enumerate(officers)
        ]
    )
    chain.append(
        case,
        actor=actor,
        actor_label=actor_label(actor),
        action="file",
        from_state="",
        to_state=case.state,
        note=proposal.get("note", ""),
        data={
            "lead": lead.number,
            "matter": matter.code,
            "officers": [o.pk for o in officers],
            "decision_due": case.decision_due,
        },
    )
    audit.record(
        actor=audit_actor(actor),
        action="enforcement.case_file",
        obj=case,
        after={"lead": lead.number, "decision_due": case.decision_due.isoformat()},
    )
    return case


@transaction.atomic
def case_record(case: Case, *, actor, action: str, note: str = "", data=None) -> Case:
    """Record an act that changes no state (under the case's lock, chained and audited)."""
    case = lock(case)
    move(case, "record", actor=actor, note=note, data=data, action=action)
    return case
