"""Publication of decisions (执法公示): within 7 working days of the decision (configurable),
a private person's name and ID masked, an organisation's shown; taken down after the configured
years (5, or 2 for a private person) or at once when the decision is revoked."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement import legal
from enforcement.models import Case, PartyKind, Publication
from portal import idnumber, roles
from portal.errors import ActionError, Conflict

from .cases import basis_text, lock, move, penalty_text
from .common import actor_user, require_role


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳晓燕 → 欧***: the surname's first character and a star per character."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)


def party_display(case: Case) -> tuple[str, str]:
    """(name, identifier) as published."""
    if case.party_kind == PartyKind.PERSON:
        return mask_name(case.party_name), idnumber.mask(
            case.party_id_number
        ) if case.party_id_number else ""
    return case.party_name, case.party_credit_code


def content_for(case: Case) -> dict:
    name, identifier = party_display(case)
    decision = case.documents.filter(kind="penalty_decision").order_by("-issued_at").first()
    return {
        "case_number": case.number,
        "decision_number": decision.number if decision else "",
        "party_kind": case.party_kind,
        "party": name,
        "party_id": identifier,
        "matter": case.matter.name,
        "facts": case.facts if case.party_kind == PartyKind.ORGANISATION else _mask_facts(case),
        "basis": basis_text(case),
        "penalty": penalty_text(case),
        "decided_on": case.decided_on.isoformat(),
        "bureau": settings.ENFORCEMENT.get("BUREAU_NAME")
        or settings.ONEWINDOW["TOWN_NAME"] + "综合行政执法局",
    }


def _mask_facts(case: Case) -> str:
    """A person's name and ID number never appear in the published facts."""
    facts = case.facts or ""
    if case.party_name:
        facts = facts.replace(case.party_name, mask_name(case.party_name))
    if case.party_id_number:
        facts = facts.replace(case.party_id_number, idnumber.mask(case.party_id_number))
    return facts


def years_for(case: Case) -> int:
    key = (
        "PUBLICATION_YEARS_PERSON"
        if case.party_kind == PartyKind.PERSON
        else "PUBLICATION_YEARS_ORGANISATION"
    )
    return int(settings.ENFORCEMENT[key])


@transaction.atomic
def publication_publish(*, publication: Publication, actor, on: date | None = None) -> Publication:
    require_role(actor, roles.BUREAU_HEAD, roles.SQUAD_LEADER)
    publication = Publication.objects.select_for_update().get(pk=publication.pk)
    case = lock(Case.objects.get(pk=publication.case_id))
    if publication.status != Publication.Status.PENDING:
        raise Conflict(_("该决定已公示或已撤下。"), code="already_published")
    if case.revoked_on:
        raise ActionError(_("决定已撤销，不予公示。"), code="revoked")
    on = on or timezone.localdate()
    publication.content = content_for(case)
    publication.status = Publication.Status.PUBLISHED
    publication.published_at = timezone.now()
    publication.published_by = actor_user(actor)
    publication.take_down_on = legal.add_months(on, 12 * years_for(case))
    publication.save()
    move(
        case,
        "record",
        actor=actor,
        action="publish",
        data={
            "publication": publication.pk,
            "take_down_on": publication.take_down_on,
            "late": on > publication.due_on,
        },
    )
    return publication


def _take_down(publication: Publication, *, actor, reason: str, case: Case) -> None:
    publication.status = Publication.Status.TAKEN_DOWN
    publication.taken_down_at = timezone.now()
    publication.take_down_reason = reason[:200]
    publication.save()
    move(
        case,
        "record",
        actor=actor,
        action="take_down",
        data={"publication": publication.pk, "reason": reason},
    )


def take_down_for_case(case: Case, *, actor, reason: str) -> None:
    """Inside the caller's transaction (the case locked): take the case's publication down, or
    make sure a pending one is never published."""
    publication = Publication.objects.select_for_update().filter(case=case).first()
    if publication is None or publication.status == Publication.Status.TAKEN_DOWN:
        return
    _take_down(publication, actor=actor, reason=str(reason), case=case)


@transaction.atomic
def publication_take_down(*, publication: Publication, actor, reason: str) -> Publication:
    require_role(actor, roles.BUREAU_HEAD)
    if not (reason or "").strip():
        raise ActionError(_("请写明撤下理由。"), code="invalid", fields={"reason": _("必填。")})
    publication = Publication.objects.select_for_update().get(pk=publication.pk)
    case = lock(Case.objects.get(pk=publication.case_id))
    if publication.status == Publication.Status.TAKEN_DOWN:
        raise Conflict(_("已撤下。"), code="already_taken_down")
    _take_down(publication, actor=actor, reason=reason.strip(), case=case)
    return publication


def take_down_expired(*, today: date | None = None) -> int:
    """The periodic sweep: publications past their time come down."""
    today = today or timezone.localdate()
    done = 0
    ids = list(
        Publication.objects.filter(
            status=Publication.Status.PUBLISHED, take_down_on__lte=today
        ).values_list("pk", flat=True)[:1000]
    )
    for pk in ids:
        with transaction.atomic():
            publication = Publication.objects.select_for_update().get(pk=pk)
            if publication.status != Publication.Status.PUBLISHED:
                continue
            case = Case.objects.select_for_update().get(pk=publication.case_id)
            _take_down(publication, actor="system", reason="公示期满", case=case)
            done += 1
    return done
