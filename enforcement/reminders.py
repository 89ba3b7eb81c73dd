"""Reminder rules of enforcement (portal.reminders runs them every few minutes; each is told
exactly once per deadline through the reminder ledger).

| kind | when | who |
| --- | --- | --- |
| lead_warning / lead_overdue | the 15-working-day filing clock turns yellow / red | the squad leader (red: and the bureau head) |
| case_warning / case_overdue | the case's current legal deadline (decision, service, payment, publication) turns yellow / red | the case officers and squad leader (red: and the bureau head) |
| certificate_expiring | an enforcement certificate ends within N days (30) | the officer and the squad leader |
| preservation_due | preserved goods must be dealt with by tomorrow (7 working days) | the case officers |
| cash_hand_in_due | cash taken on the spot not handed in on its last day (2 working days) | the collector and the squad leader |
| correction_recheck_due | an order to correct passed its deadline without a re-check | the case officers |
| publication_due | a decision not yet published 2 working days before its publication deadline | the bureau head |
| inspection_results_due | a random inspection's results due within 3 working days | the bureau head |
"""

from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from enforcement.models import (
    LEAD_OPEN,
    OPEN_STATES,
    Case,
    CaseOfficer,
    Certificate,
    CorrectionOrder,
    InspectionPlan,
    Lead,
    Payment,
    Preservation,
    Publication,
)
from portal import roles, workdays
from portal.models import User
from portal.reminders import Due, Sweep, not_yet_reminded, rule

LEAD_WARNING = "enforcement.lead_warning"
LEAD_OVERDUE = "enforcement.lead_overdue"
CASE_WARNING = "enforcement.case_warning"
CASE_OVERDUE = "enforcement.case_overdue"
CERTIFICATE_EXPIRING = "enforcement.certificate_expiring"
PRESERVATION_DUE = "enforcement.preservation_due"
CASH_HAND_IN_DUE = "enforcement.cash_hand_in_due"
CORRECTION_RECHECK_DUE = "enforcement.correction_recheck_due"
PUBLICATION_DUE = "enforcement.publication_due"
INSPECTION_RESULTS_DUE = "enforcement.inspection_results_due"

DUE_KIND_TEXT = {
    "decision": "作出处罚决定",
    "service": "送达决定书",
    "payment": "缴纳罚款",
    "publication": "公示处罚决定",
    "cash_hand_in": "上缴当场收缴的罚款",
}


def _heads() -> list[User]:
    return list(User.objects.filter(is_active=True, groups__name=roles.BUREAU_HEAD).order_by("pk"))


def _officers_by_case(case_ids) -> dict[int, list[User]]:
    people = defaultdict(list)
    for assignment in CaseOfficer.objects.filter(case_id__in=case_ids).select_related(
        "officer__user"
    ):
        people[assignment.case_id].append(assignment.officer.user)
    return people


def _local_day():
    return TruncDate("due_at", tzinfo=timezone.get_current_timezone())


def _case_url(case) -> str:
    return reverse("enforcement:case", args=[case.number])


# --- leads -------------------------------------------------------------------------------------


def _leads(sweep: Sweep):
    return (
        Lead.objects.filter(state__in=LEAD_OPEN)
        .select_related("squad__leader")
        .annotate(due_day=_local_day())
    )


@rule(LEAD_WARNING, label="lead filing clock yellow")
def lead_warning(sweep: Sweep) -> Iterator[Due]:
    qs = _leads(sweep).filter(warn_at__lte=sweep.now, due_at__gte=sweep.now)
    qs = not_yet_reminded(qs, kind=LEAD_WARNING, deadline="due_day").order_by("due_at", "pk")
    heads = None
    for lead in qs[: sweep.limit]:
        if lead.squad_id and lead.squad.leader_id:
            people = [lead.squad.leader]
        else:
            heads = heads if heads is not None else _heads()
            people = heads
        yield Due(
            obj=lead,
            deadline=lead.filing_due,
            recipients=people,
            context={"number": lead.number, "filing_due": lead.filing_due},
            url=reverse("enforcement:lead", args=[lead.number]),
        )


@rule(LEAD_OVERDUE, label="lead filing clock red")
def lead_overdue(sweep: Sweep) -> Iterator[Due]:
    qs = _leads(sweep).filter(due_at__lt=sweep.now)
    qs = not_yet_reminded(qs, kind=LEAD_OVERDUE, deadline="due_day").order_by("due_at", "pk")
    heads = None
    for lead in qs[: sweep.limit]:
        heads = heads if heads is not None else _heads()
        leader = [lead.squad.leader] if lead.squad_id and lead.squad.leader_id else []
        yield Due(
            obj=lead,
            deadline=lead.filing_due,
            recipients=[*leader, *heads],
            context={"number": lead.number, "filing_due": lead.filing_due},
            url=reverse("enforcement:lead", args=[lead.number]),
        )


# --- cases -------------------------------------------------------------------------------------


def _cases():
    return (
        Case.objects.filter(state__in=OPEN_STATES, clock_paused=False, due_at__isnull=False)
        .select_related("squad__leader")
        .annotate(due_day=_local_day())
    )


def _case_context(case) -> dict:
    return {
        "number": case.number,
        "party": case.party_name,
        "what": DUE_KIND_TEXT.get(case.due_kind, case.due_kind),
        "due": case.due_day,
    }


@rule(CASE_WARNING, label="case deadline yellow")
def case_warning(sweep: Sweep) -> Iterator[Due]:
    qs = _cases().filter(warn_at__lte=sweep.now, due_at__gte=sweep.now)
    qs = not_yet_reminded(qs, kind=CASE_WARNING, deadline="due_day").order_by("due_at", "pk")
    rows = list(qs[: sweep.limit])
    officers = _officers_by_case([c.pk for c in rows])
    for case in rows:
        leader = [case.squad.leader] if case.squad.leader_id else []
        yield Due(
            obj=case,
            deadline=case.due_day,
            recipients=[*officers[case.pk], *leader],
            context=_case_context(case),
            url=_case_url(case),
        )


@rule(CASE_OVERDUE, label="case deadline red")
def case_overdue(sweep: Sweep) -> Iterator[Due]:
    qs = _cases().filter(due_at__lt=sweep.now)
    qs = not_yet_reminded(qs, kind=CASE_OVERDUE, deadline="due_day").order_by("due_at", "pk")
    rows = list(qs[: sweep.limit])
    officers = _officers_by_case([c.pk for c in rows])
    heads = _heads() if rows else []
    for case in rows:
        leader = [case.squad.leader] if case.squad.leader_id else []
        yield Due(
            obj=case,
            deadline=case.due_day,
            recipients=[*officers[case.pk], *leader, *heads],
            context=_case_context(case),
            url=_case_url(case),
        )


# --- the team and the records ------------------------------------------------------------------


@rule(CERTIFICATE_EXPIRING, label="certificate expiring")
def certificate_expiring(sweep: Sweep) -> Iterator[Due]:
    days = int(settings.ENFORCEMENT["CERTIFICATE_REMINDER_DAYS"])
    qs = Certificate.objects.filter(
        valid_to__gte=sweep.today,
        valid_to__lte=sweep.today + timedelta(days=days),
        revoked_on__isnull=True,
        officer__is_active=True,
    ).select_related("officer__user", "officer__squad__leader")
    qs = not_yet_reminded(qs, kind=CERTIFICATE_EXPIRING, deadline="valid_to").order_by(
        "valid_to", "pk"
    )
    for cert in qs[: sweep.limit]:
        squad = cert.officer.squad
        leader = [squad.leader] if squad and squad.leader_id else []
        yield Due(
            obj=cert,
            deadline=cert.valid_to,
            recipients=[cert.officer.user, *leader],
            context={"name": cert.officer.name, "number": cert.number, "valid_to": cert.valid_to},
            url=reverse("enforcement:team"),
        )


@rule(PRESERVATION_DUE, label="preserved goods due")
def preservation_due(sweep: Sweep) -> Iterator[Due]:
    horizon = workdays.add_working_days(sweep.today, 1)
    qs = Preservation.objects.filter(
        outcome=Preservation.Outcome.OPEN, due_on__gte=sweep.today, due_on__lte=horizon
    ).select_related("case")
    qs = not_yet_reminded(qs, kind=PRESERVATION_DUE, deadline="due_on").order_by("due_on", "pk")
    rows = list(qs[: sweep.limit])
    officers = _officers_by_case([p.case_id for p in rows])
    for row in rows:
        yield Due(
            obj=row,
            deadline=row.due_on,
            recipients=officers[row.case_id],
            context={"number": row.case.number, "due": row.due_on},
            url=_case_url(row.case),
        )


@rule(CASH_HAND_IN_DUE, label="cash to hand in")
def cash_hand_in_due(sweep: Sweep) -> Iterator[Due]:
    qs = Payment.objects.filter(
        method=Payment.Method.CASH_ON_THE_SPOT,
        handed_in_on__isnull=True,
        hand_in_due__lte=sweep.today,
    ).select_related("case__squad__leader", "collected_by")
    qs = not_yet_reminded(qs, kind=CASH_HAND_IN_DUE, deadline="hand_in_due").order_by(
        "hand_in_due", "pk"
    )
    for payment in qs[: sweep.limit]:
        leader = [payment.case.squad.leader] if payment.case.squad.leader_id else []
        collector = [payment.collected_by] if payment.collected_by_id else []
        yield Due(
            obj=payment,
            deadline=payment.hand_in_due,
            recipients=[*collector, *leader],
            context={
                "number": payment.case.number,
                "amount": payment.amount,
                "due": payment.hand_in_due,
            },
            url=_case_url(payment.case),
        )


@rule(CORRECTION_RECHECK_DUE, label="correction order to re-check")
def correction_recheck_due(sweep: Sweep) -> Iterator[Due]:
    qs = CorrectionOrder.objects.filter(
        result=CorrectionOrder.Result.PENDING, deadline__lt=sweep.today
    ).select_related("case")
    qs = not_yet_reminded(qs, kind=CORRECTION_RECHECK_DUE, deadline="deadline").order_by(
        "deadline", "pk"
    )
    rows = list(qs[: sweep.limit])
    officers = _officers_by_case([o.case_id for o in rows])
    for order in rows:
        yield Due(
            obj=order,
            deadline=order.deadline,
            recipients=officers[order.case_id],
            context={"number": order.case.number, "deadline": order.deadline},
            url=_case_url(order.case),
        )


@rule(PUBLICATION_DUE, label="decision to publish")
def publication_due(sweep: Sweep) -> Iterator[Due]:
    horizon = workdays.add_working_days(sweep.today, 2)
    qs = (
        Publication.objects.filter(status=Publication.Status.PENDING, due_on__lte=horizon)
        .exclude(case__revoked_on__isnull=False)
        .select_related("case")
    )
    qs = not_yet_reminded(qs, kind=PUBLICATION_DUE, deadline="due_on").order_by("due_on", "pk")
    rows = list(qs[: sweep.limit])
    heads = _heads() if rows else []
    for pub in rows:
        yield Due(
            obj=pub,
            deadline=pub.due_on,
            recipients=heads,
            context={"number": pub.case.number, "due": pub.due_on},
            url=_case_url(pub.case),
        )


@rule(INSPECTION_RESULTS_DUE, label="inspection results to publish")
def inspection_results_due(sweep: Sweep) -> Iterator[Due]:
    horizon = workdays.add_working_days(sweep.today, 3)
    qs = InspectionPlan.objects.filter(
        state=InspectionPlan.State.DRAWN, results_due__lte=horizon
    ).filter(~Q(results_due=None))
    qs = not_yet_reminded(qs, kind=INSPECTION_RESULTS_DUE, deadline="results_due").order_by(
        "results_due", "pk"
    )
    rows = list(qs[: sweep.limit])
    heads = _heads() if rows else []
    for plan in rows:
        yield Due(
            obj=plan,
            deadline=plan.results_due,
            recipients=heads,
            context={"code": plan.code, "name": plan.name, "due": plan.results_due},
            url=reverse("enforcement:inspections"),
        )
