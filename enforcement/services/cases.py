"""Every state change of a case. Keyword-only, atomic, row-locked, audited, chained.

Races: callers pass the case as they loaded it. The service locks the row; if its state moved on
in the meantime (someone else acted first) it raises Conflict (409); if the state is unchanged
but the action is not allowed, ActionError (400) with a stable code and the fields concerned.
Every act — transitions and records alike — appends to the case's hash chain
(enforcement.chain) and the audit trail in the same transaction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
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
    Hearing,
    Lead,
    Officer,
    PartyKind,
    Penalty,
    Procedure,
)
from enforcement.selectors.scope import SQUAD_ROLES
from portal import audit, clock, idnumber, pdf, roles
from portal.errors import ActionError, Conflict, Forbidden

from . import numbers
from .common import actor_label, actor_user, audit_actor, require_role

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
        if case.pk:
            from enforcement.models import Payment

            cash = (
                Payment.objects.filter(case=case, method="cash", handed_in_on__isnull=True)
                .order_by("hand_in_due")
                .values_list("hand_in_due", flat=True)
                .first()
            )
            if cash:
                result.append(("cash_hand_in", cash))
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


# --- who may act -----------------------------------------------------------------------------


def require_scope(actor, case: Case, *, leader: bool = False) -> None:
    """The actor works in (``leader``: leads) the case's squad, or is bureau staff."""
    from .common import require_squad

    require_squad(actor, case.squad_id, leader=leader)


def assigned_officers(case: Case) -> list[Officer]:
    return [
        a.officer
        for a in case.assignments.select_related("officer__user").prefetch_related(
            "officer__certificates"
        )
    ]


def officers_for_act(case: Case, officers, on: date, *, minimum: int = 2) -> list[Officer]:
    """The officers of an act: those named (or the case's own), at least two certified on
    the day (art. 42)."""
    from .team import require_certified

    chosen = list(officers) if officers else assigned_officers(case)
    return require_certified(chosen, on=on, minimum=minimum)


# --- what documents say ----------------------------------------------------------------------


def money_text(amount) -> str:
    return f"人民币{legal.money(amount)}元"


def penalty_text(case: Case, *, fine=None) -> str:
    """ "警告，并处罚款人民币500.00元" — the penalties in words, in the law's order."""
    fine = case.fine if fine is None else fine
    parts = []
    for code in Penalty.values:
        if code not in (case.penalties or []):
            continue
        if code == Penalty.FINE and fine is not None:
            parts.append(f"罚款{money_text(fine)}")
        elif code == Penalty.CONFISCATION and case.confiscation:
            parts.append(f"没收违法所得、非法财物{money_text(case.confiscation)}")
        else:
            parts.append(_chinese(code))
    return "，并处".join(parts) if parts else "不予行政处罚"


def _chinese(code: str) -> str:
    from django.utils import translation

    with translation.override("zh-hans"):
        return str(Penalty(code).label)


def party_rows(case: Case) -> list[tuple[str, str]]:
    rows = [("当事人", case.party_name)]
    if case.party_kind == PartyKind.PERSON:
        rows.append(("身份证件号码", pdf.mask_id(case.party_id_number)))
    else:
        rows += [
            ("统一社会信用代码", case.party_credit_code),
            ("法定代表人（负责人）", case.party_representative),
        ]
    rows += [("住所（地址）", case.party_address), ("联系电话", case.party_mobile)]
    return rows


def case_rows(case: Case) -> list[tuple[str, str]]:
    return [("案件编号", case.number), ("案由", case.matter.name), *party_rows(case)]


def basis_text(case: Case) -> str:
    if case.legal_basis.strip():
        return case.legal_basis.strip()
    snapshot = case.benchmark or {}
    return snapshot.get("penalty_provision") or case.matter.legal_basis or ""


def remedies_text(document: str = "决定书") -> str:
    review = settings.ENFORCEMENT.get("REVIEW_BODY") or "湘东区人民政府"
    court = settings.ENFORCEMENT.get("COURT") or "萍乡市湘东区人民法院"
    return (
        f"如不服本{document}，可以在收到本{document}之日起六十日内向{review}申请行政复议，"
        f"或者在六个月内向{court}提起行政诉讼。行政复议和行政诉讼期间，本处罚决定不停止执行"
        "（法律另有规定的除外）。"
    )


def assign(case: Case, officers, *, on: date) -> None:
    """The case's officers, the first one leading (主办)."""
    CaseOfficer.objects.bulk_create(
        [
            CaseOfficer(
                case=case,
                officer=officer,
                role=CaseOfficer.Role.LEAD if index == 0 else CaseOfficer.Role.ASSIST,
                assigned_on=on,
            )
            for index, officer in enumerate(officers)
        ]
    )


# --- opening ---------------------------------------------------------------------------------


def case_open_from_lead(*, lead: Lead, actor, today: date) -> Case:
    """Open the case of an approved filing proposal (inside the caller's transaction), with its
    filing approval form (立案审批表)."""
    from enforcement.services import documents
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
    assign(case, officers, on=today)
    document = documents.issue(
        kind="filing_approval",
        actor=actor,
        on=today,
        case=case,
        rows=[
            *case_rows(case),
            ("案件来源", f"{lead.get_source_display()}（{lead.number}）"),
            ("受理线索日期", pdf.chinese_date(clock.local_date(lead.received_at))),
            ("立案日期", pdf.chinese_date(today)),
            ("办案期限", f"{pdf.chinese_date(case.decision_due)}前作出处理决定"),
        ],
        paragraphs=[
            f"简要案情：{case.facts}",
            f"承办人意见：建议立案调查。{proposal.get('note', '')}".strip(),
            f"负责人审批意见：同意立案。审批人：{actor_label(actor)}",
        ],
        officers=officers,
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
            "document": document.number,
            "sha256": document.sha256,
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


@transaction.atomic
def case_assign_officers(*, case: Case, actor, officers, today: date | None = None) -> Case:
    """Change the case's officers (the squad leader): two certified today, the first leads."""
    from enforcement.services.team import require_certified

    require_role(actor, roles.SQUAD_LEADER, roles.BUREAU_HEAD)
    case = lock(case)
    require_scope(actor, case, leader=True)
    today = today or timezone.localdate()
    officers = list(officers)
    require_certified(officers, on=today)
    before = [a.officer_id for a in case.assignments.all()]
    case.assignments.all().delete()
    assign(case, officers, on=today)
    move(
        case,
        "record",
        actor=actor,
        action="assign",
        data={"before": before, "after": [o.pk for o in officers]},
    )
    return case


# --- the proposal (拟处理意见) ----------------------------------------------------------------


def _thresholds(case: Case, prefix: str) -> Decimal:
    key = f"{prefix}_FINE_PERSON" if case.party_is_person else f"{prefix}_FINE_ORGANISATION"
    return Decimal(settings.ENFORCEMENT[key])


def classify(case: Case, *, outside_benchmark: bool) -> None:
    """Set the major-case reasons (legal review), whether collective discussion is required and
    whether the party may ask for a hearing (art. 63), from the configured thresholds."""
    cfg = settings.ENFORCEMENT
    penalties = set(case.penalties or [])
    amount = legal.money(case.fine or 0)
    confiscated = legal.money(case.confiscation or 0)
    reasons = []
    if Penalty.FINE in penalties and amount >= _thresholds(case, "MAJOR"):
        reasons.append("large_fine")
    reasons += [p for p in cfg["MAJOR_PENALTIES"] if p in penalties]
    if outside_benchmark:
        reasons.append("outside_benchmark")
    if case.pk and Hearing.objects.filter(case=case).exists():
        reasons.append("hearing")
    case.major_reasons = reasons
    case.discussion_required = bool(
        case.complex_case
        or (Penalty.FINE in penalties and amount >= _thresholds(case, "DISCUSSION"))
        or any(p in penalties for p in cfg["DISCUSSION_PENALTIES"])
    )
    case.hearing_right = bool(
        (Penalty.FINE in penalties and amount >= _thresholds(case, "HEARING"))
        or confiscated >= _thresholds(case, "HEARING")
        or any(p in penalties for p in cfg["HEARING_PENALTIES"])
    )


MAJOR_REASON_LABELS = {
    "large_fine": "罚款数额较大",
    "licence_revocation": "吊销许可证件",
    "closure": "责令关闭",
    "production_suspension": "责令停产停业",
    "licence_suspension": "暂扣许可证件",
    "outside_benchmark": "罚款超出裁量基准",
    "hearing": "经过听证",
}


@transaction.atomic
def case_set_proposal(
    *,
    case: Case,
    actor,
    penalties,
    fine=None,
    confiscation=None,
    circumstance: str = "",
    legal_basis: str = "",
    outside_benchmark_reason: str = "",
    facts: str | None = None,
    complex_case: bool | None = None,
    party: dict | None = None,
) -> Case:
    """The proposed handling (拟处理意见) found by the investigation: penalties, the fine chosen
    from the benchmark (or outside it with a reason, which makes the case major), the basis.
    Every change is a new revision: reviews and discussions of an older one no longer count."""
    from enforcement.services import benchmarks

    require_role(actor, *SQUAD_ROLES, roles.BUREAU_HEAD)
    case = lock(case)
    require_scope(actor, case)
    if case.state != CaseState.INVESTIGATING:
        raise ActionError(_("只有调查取证阶段可以修改拟处理意见。"), code="invalid_transition")
    penalties = list(dict.fromkeys(penalties or []))
    errors = {}
    unknown = [p for p in penalties if p not in Penalty.values]
    if unknown:
        errors["penalties"] = _("处罚种类不正确。")
    if not penalties and circumstance != "none":
        errors["penalties"] = _("请选择处罚种类，或选择“不予处罚”情节。")
    fine_value = None
    if Penalty.FINE in penalties:
        if fine in (None, ""):
            errors["fine"] = _("请填写罚款金额。")
        else:
            try:
                fine_value = legal.money(fine)
            except Exception:  # noqa: BLE001 - any bad number is the same mistake
                errors["fine"] = _("罚款金额须为数字。")
            else:
                if fine_value <= 0:
                    errors["fine"] = _("罚款金额须大于零。")
    confiscation_value = None
    if Penalty.CONFISCATION in penalties and confiscation not in (None, ""):
        try:
            confiscation_value = legal.money(confiscation)
        except Exception:  # noqa: BLE001
            errors["confiscation"] = _("没收金额须为数字。")
    if errors:
        raise ActionError(_("拟处理意见有误。"), code="invalid", fields=errors)
    if party is not None:
        for name, value in clean_party(party).items():
            setattr(case, name, value)
    if facts is not None:
        case.facts = facts.strip()
    if complex_case is not None:
        case.complex_case = bool(complex_case)
    result = (
        benchmarks.check(
            matter_code=case.matter.code,
            circumstance=circumstance or "",
            fine=fine_value,
            reason=outside_benchmark_reason,
        )
        if (fine_value is not None or circumstance)
        else None
    )
    case.penalties = penalties
    case.fine = fine_value
    case.confiscation = confiscation_value
    case.circumstance = circumstance or ""
    case.benchmark = result.snapshot if result else {}
    case.outside_benchmark_reason = (
        outside_benchmark_reason.strip() if result and result.outside else ""
    )
    case.legal_basis = (legal_basis or "").strip()
    case.proposal_revision += 1
    classify(case, outside_benchmark=bool(result and result.outside))
    if case.notified_on is not None and _heavier_than_notified(case):
        # A heavier proposal than the one notified needs a new notice (art. 45).
        case.notified_on = case.notified_fine = None
        case.statement_due = case.hearing_request_due = None
        case.notified_penalties = []
    move(
        case,
        "record",
        actor=actor,
        action="propose",
        data={
            "revision": case.proposal_revision,
            "penalties": penalties,
            "fine": fine_value,
            "circumstance": case.circumstance,
            "major": case.major_reasons,
            "discussion_required": case.discussion_required,
            "hearing_right": case.hearing_right,
        },
    )
    return case


def _heavier_than_notified(case: Case) -> bool:
    if not set(case.penalties or []) <= set(case.notified_penalties or []):
        return True
    return (case.fine or 0) > (case.notified_fine or 0)


def has_proposal(case: Case) -> bool:
    return case.proposal_revision > 0


def review_ok(case: Case) -> bool:
    """Not major, or the current proposal passed legal review (after any hearing)."""
    if not case.major_reasons:
        return True
    reviews = case.reviews.filter(opinion="agree", proposal_revision=case.proposal_revision)
    hearing = Hearing.objects.filter(case=case).first() if case.pk else None
    if hearing is not None and hearing.recorded_at:
        reviews = reviews.filter(submitted_at__gte=hearing.recorded_at)
    return reviews.exists()


def discussion_ok(case: Case) -> bool:
    if not case.discussion_required:
        return True
    discussions = case.discussions.filter(
        purpose="decision", conclusion="agree", proposal_revision=case.proposal_revision
    )
    hearing = Hearing.objects.filter(case=case).first() if case.pk else None
    if hearing is not None and hearing.recorded_at:
        discussions = discussions.filter(recorded_at__gte=hearing.recorded_at)
    return discussions.exists()


# --- legal review and collective discussion --------------------------------------------------


@transaction.atomic
def case_submit_review(*, case: Case, actor, today: date | None = None):
    """Send the proposal to legal review (法制审核, 10 working days)."""
    from enforcement.models import LegalReview

    require_role(actor, *SQUAD_ROLES, roles.BUREAU_HEAD)
    case = lock(case)
    require_scope(actor, case)
    if not has_proposal(case):
        raise ActionError(
            _("请先提出拟处理意见。"),
            code="proposal_required",
            fields={"penalties": _("请先提出拟处理意见。")},
        )
    hearing = getattr(case, "hearing", None)
    if case.state == CaseState.HEARING and (hearing is None or hearing.held_on is None):
        raise ActionError(_("听证尚未举行。"), code="hearing_not_held")
    today = today or timezone.localdate()
    review = LegalReview.objects.create(
        case=case,
        proposal_revision=case.proposal_revision,
        submitted_at=timezone.now(),
        submitted_by=actor_user(actor),
        due_on=legal.legal_review_due(today),
    )
    move(case, "submit_review", actor=actor, data={"review": review.pk, "due": review.due_on})
    _tell_reviewers(case, review)
    return review


def _tell_reviewers(case: Case, review) -> None:
    from enforcement.services.notify import tell
    from portal.models import User

    reviewers = User.objects.filter(is_active=True, groups__name=roles.LEGAL_REVIEWER)
    tell(
        reviewers,
        "enforcement.review_requested",
        case,
        number=case.number,
        party=case.party_name,
        due=review.due_on,
    )


@transaction.atomic
def case_review(*, case: Case, actor, opinion: str, comments: str = "") -> Case:
    """The legal reviewer's opinion: agree (on to collective discussion where required, else
    review passed), disagree or amend (back to investigation, with the comments). A reviewer
    who handles the case cannot review it."""
    from enforcement.models import LegalReview

    require_role(actor, roles.LEGAL_REVIEWER)
    case = lock(case)
    if case.state != CaseState.LEGAL_REVIEW:
        raise ActionError(_("案件不在法制审核阶段。"), code="invalid_transition")
    if opinion not in ("agree", "disagree", "amend"):
        raise ActionError(
            _("请选择审核意见。"), code="invalid", fields={"opinion": _("请选择审核意见。")}
        )
    if opinion != "agree" and not (comments or "").strip():
        raise ActionError(
            _("不同意或建议修改时须写明理由。"),
            code="reason_required",
            fields={"comments": _("必填。")},
        )
    if case.assignments.filter(officer__user=actor_user(actor)).exists():
        raise Forbidden(_("办案人员不能审核本案。"), code="reviewer_is_case_officer")
    review = (
        LegalReview.objects.select_for_update()
        .filter(case=case, opinion="")
        .order_by("-submitted_at")
        .first()
    )
    if review is None:
        raise Conflict(_("该审核已完成。"), code="already_reviewed")
    review.opinion = opinion
    review.comments = (comments or "").strip()
    review.reviewer = actor_user(actor)
    review.reviewed_at = timezone.now()
    review.save()
    data = {"review": review.pk, "opinion": opinion, "revision": review.proposal_revision}
    if opinion != "agree":
        move(
            case,
            "return_to_investigation",
            actor=actor,
            note=review.comments,
            data=data,
            action="review_returned",
        )
    elif not discussion_ok(case):
        move(
            case,
            "submit_discussion",
            actor=actor,
            note=review.comments,
            data=data,
            action="review_passed",
        )
    else:
        move(
            case,
            "pass_review",
            actor=actor,
            note=review.comments,
            data=data,
            action="review_passed",
        )
    return case


@transaction.atomic
def case_submit_discussion(*, case: Case, actor) -> Case:
    """Put the case to collective discussion (集体讨论) where it is required."""
    require_role(actor, *SQUAD_ROLES, roles.BUREAU_HEAD)
    case = lock(case)
    require_scope(actor, case)
    if not case.discussion_required:
        raise ActionError(_("本案无须集体讨论。"), code="discussion_not_required")
    if not review_ok(case):
        raise ActionError(_("重大案件须先经法制审核。"), code="review_required")
    move(case, "submit_discussion", actor=actor)
    return case


def _clean_participants(participants) -> list[str]:
    if isinstance(participants, str):
        participants = [p for p in participants.replace("，", ",").replace("、", ",").split(",")]
    return [p.strip()[:64] for p in participants or [] if p and p.strip()]


@transaction.atomic
def case_record_discussion(
    *,
    case: Case,
    actor,
    held_at,
    chair: str,
    participants,
    opinion: str,
    conclusion: str,
    purpose: str = "decision",
):
    """Record a collective discussion: who, when, the opinion, the conclusion. For the decision
    (the case is in discussion): agree → review passed, return → back to investigation. For a
    further extension of the clock: recorded, the extension follows (case_extend)."""
    from enforcement.models import Discussion

    require_role(actor, roles.BUREAU_HEAD)
    case = lock(case)
    people = _clean_participants(participants)
    errors = {}
    if len(people) < 3:
        errors["participants"] = _("集体讨论应有三名以上负责人参加。")
    if not (chair or "").strip():
        errors["chair"] = _("请填写主持人。")
    if not (opinion or "").strip():
        errors["opinion"] = _("请记录讨论意见。")
    if conclusion not in Discussion.Conclusion.values:
        errors["conclusion"] = _("请选择结论。")
    if purpose not in Discussion.Purpose.values:
        errors["purpose"] = _("讨论事项不正确。")
    if errors:
        raise ActionError(_("集体讨论记录不完整。"), code="invalid", fields=errors)
    if purpose == Discussion.Purpose.DECISION and case.state != CaseState.DISCUSSION:
        raise ActionError(_("案件不在集体讨论阶段。"), code="invalid_transition")
    if purpose == Discussion.Purpose.EXTENSION and case.state not in BEFORE_DECISION:
        raise ActionError(_("只有作出决定前可以讨论延长办案期限。"), code="invalid_transition")
    discussion = Discussion.objects.create(
        case=case,
        purpose=purpose,
        held_at=held_at or timezone.now(),
        chair=chair.strip()[:64],
        participants=people,
        opinion=opinion.strip(),
        conclusion=conclusion,
        proposal_revision=case.proposal_revision,
        recorded_by=actor_user(actor),
    )
    data = {
        "discussion": discussion.pk,
        "participants": people,
        "conclusion": conclusion,
        "purpose": purpose,
    }
    if purpose == Discussion.Purpose.EXTENSION:
        move(case, "record", actor=actor, note=opinion.strip(), data=data, action="discussion")
    elif conclusion == Discussion.Conclusion.AGREE:
        move(
            case,
            "conclude_discussion",
            actor=actor,
            note=opinion.strip(),
            data=data,
            action="discussion",
        )
    else:
        move(
            case,
            "return_to_investigation",
            actor=actor,
            note=opinion.strip(),
            data=data,
            action="discussion",
        )
    return discussion


@transaction.atomic
def case_return_to_investigation(*, case: Case, actor, reason: str) -> Case:
    """Back to investigation (e.g. the party's statement raised new facts): a new notice will
    be needed for a changed proposal."""
    require_role(actor, roles.SQUAD_LEADER, roles.BUREAU_HEAD)
    if not (reason or "").strip():
        raise ActionError(_("请写明理由。"), code="reason_required", fields={"reason": _("必填。")})
    case = lock(case)
    require_scope(actor, case, leader=True)
    move(case, "return_to_investigation", actor=actor, note=reason.strip())
    return case


# --- notice (告知), statements, hearing ------------------------------------------------------


@transaction.atomic
def case_notify(*, case: Case, actor, officers=(), on: date | None = None) -> Case:
    """Notify the party of the proposed penalty (告知, arts. 44–45) with the facts, grounds, the
    fine and its benchmark, and their rights: the statement period and, for art. 63 cases, the
    hearing request period (with the hearing notice 听证告知书)."""
    from enforcement.services import documents

    require_role(actor, *SQUAD_ROLES, roles.BUREAU_HEAD)
    case = lock(case)
    require_scope(actor, case)
    on = on or timezone.localdate()
    if case.notified_on is not None:
        raise ActionError(_("已经告知，不能重复告知。"), code="already_notified")
    if not has_proposal(case) or not case.penalties:
        raise ActionError(
            _("请先提出拟处罚意见。"),
            code="proposal_required",
            fields={"penalties": _("请先提出拟处罚意见。")},
        )
    if not review_ok(case):
        raise ActionError(
            _("本案为重大案件（%(why)s），告知前须经法制审核通过。")
            % {"why": "、".join(MAJOR_REASON_LABELS.get(r, r) for r in case.major_reasons)},
            code="review_required",
        )
    if not discussion_ok(case):
        raise ActionError(_("本案须经集体讨论。"), code="discussion_required")
    acting = officers_for_act(case, officers, on)
    case.notified_on = on
    case.notified_fine = case.fine
    case.notified_penalties = list(case.penalties)
    case.statement_due = legal.statement_due(on)
    case.hearing_request_due = legal.hearing_request_due(on) if case.hearing_right else None
    benchmark = case.benchmark or {}
    benchmark_line = ""
    if benchmark:
        benchmark_line = (
            f"依据本局《行政处罚裁量基准》，本案属“{_circumstance_zh(benchmark['circumstance'])}”"
            f"情形（罚款{benchmark['fine_min']}元至{benchmark['fine_max']}元）。"
        )
        if case.outside_benchmark_reason:
            benchmark_line += f"超出基准的理由：{case.outside_benchmark_reason}"
    rights = (
        f"根据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，你（单位）有权进行陈述和申辩。"
        f"请于{pdf.chinese_date(case.statement_due)}前向本局提出；逾期未提出的，视为放弃此权利。"
        "本局不因你（单位）陈述、申辩而给予更重的处罚。"
    )
    notice = documents.issue(
        kind="penalty_notice",
        actor=actor,
        on=on,
        case=case,
        rows=case_rows(case),
        addressee=case.party_name,
        paragraphs=[
            f"经查，{pdf.sentence(case.facts)}",
            f"以上事实违反了{basis_text(case)}的规定。{benchmark_line}",
            f"本局拟作出如下行政处罚：{penalty_text(case)}。",
            rights,
        ],
        officers=acting,
        sign_lines=["当事人签收"],
        qr="party",
    )
    data = {"document": notice.number, "sha256": notice.sha256, "statement_due": case.statement_due}
    if case.hearing_right:
        hearing_notice = documents.issue(
            kind="hearing_notice",
            actor=actor,
            on=on,
            case=case,
            rows=case_rows(case),
            addressee=case.party_name,
            paragraphs=[
                f"本局拟对你（单位）作出{penalty_text(case)}的行政处罚。",
                "根据《中华人民共和国行政处罚法》第六十三条、第六十四条的规定，你（单位）有要求举行听证的权利。"
                f"如要求听证，请于{pdf.chinese_date(case.hearing_request_due)}前向本局提出；"
                "逾期未提出的，视为放弃听证权利。",
            ],
            officers=acting,
            sign_lines=["当事人签收"],
            qr="party",
        )
        data.update(
            hearing_notice=hearing_notice.number, hearing_request_due=case.hearing_request_due
        )
    move(case, "notify", actor=actor, data=data, today=on)
    return case


def _circumstance_zh(code: str) -> str:
    from django.utils import translation

    from enforcement.models import Circumstance

    with translation.override("zh-hans"):
        return str(Circumstance(code).label) if code in Circumstance.values else code


@transaction.atomic
def case_record_statement(
    *,
    case: Case,
    actor,
    received_on: date,
    content: str = "",
    waived: bool = False,
    accepted: bool | None = None,
    reply: str = "",
):
    """The party's statement and defence (陈述申辩), or that they waived it."""
    from enforcement.models import Statement

    require_role(actor, *SQUAD_ROLES, roles.BUREAU_HEAD)
    case = lock(case)
    require_scope(actor, case)
    if case.state not in (CaseState.NOTIFIED, CaseState.HEARING):
        raise ActionError(_("只有告知后才能记录陈述申辩。"), code="invalid_transition")
    if not waived and not (content or "").strip():
        raise ActionError(
            _("请记录陈述申辩内容，或勾选当事人放弃。"),
            code="invalid",
            fields={"content": _("必填。")},
        )
    if received_on < case.notified_on:
        raise ActionError(
            _("日期不能早于告知日期。"),
            code="invalid",
            fields={"received_on": _("日期不能早于告知日期。")},
        )
    statement = Statement.objects.create(
        case=case,
        received_on=received_on,
        waived=waived,
        content=(content or "").strip(),
        accepted=accepted,
        reply=(reply or "").strip(),
        recorded_by=actor_user(actor),
    )
    move(
        case,
        "record",
        actor=actor,
        action="statement",
        note=statement.content[:500],
        data={
            "statement": statement.pk,
            "waived": waived,
            "accepted": accepted,
            "late": received_on > case.statement_due,
        },
    )
    return statement


@transaction.atomic
def case_request_hearing(*, case: Case, actor, requested_on: date) -> Case:
    """The party asks for a hearing (within 5 working days of the notice): the hearing period
    is suspended from the decision clock, and the case becomes a hearing case (major)."""
    from enforcement.models import CaseSuspension

    require_role(actor, *SQUAD_ROLES, roles.BUREAU_HEAD)
    case = lock(case)
    require_scope(actor, case)
    if case.state != CaseState.NOTIFIED:
        raise ActionError(_("只有告知后才能申请听证。"), code="invalid_transition")
    if not case.hearing_right:
        raise ActionError(_("本案不属于可以要求听证的情形。"), code="no_hearing_right")
    if requested_on > case.hearing_request_due:
        raise ActionError(
            _("听证申请期限已于%(due)s届满。") % {"due": case.hearing_request_due.isoformat()},
            code="hearing_request_late",
            fields={"requested_on": _("已超过听证申请期限。")},
        )
    if requested_on < case.notified_on:
        raise ActionError(
            _("日期不能早于告知日期。"),
            code="invalid",
            fields={"requested_on": _("日期不能早于告知日期。")},
        )
    Hearing.objects.create(case=case, requested_on=requested_on)
    CaseSuspension.objects.create(
        case=case,
        kind=CaseSuspension.Kind.HEARING,
        reason="当事人申请听证",
        started_on=requested_on,
        started_by=actor_user(actor),
    )
    if "hearing" not in case.major_reasons:
        case.major_reasons = [*case.major_reasons, "hearing"]
    move(case, "request_hearing", actor=actor, data={"requested_on": requested_on})
    return case


@transaction.atomic
def case_schedule_hearing(
    *, case: Case, actor, notice_on: date, scheduled_on: date, place: str, host: str
) -> Case:
    """Fix the hearing: announced at least 7 working days ahead (arts. 64, 85), hosted by
    someone who did not investigate the case."""
    require_role(actor, roles.SQUAD_LEADER, roles.BUREAU_HEAD)
    case = lock(case)
    require_scope(actor, case, leader=True)
    if case.state != CaseState.HEARING:
        raise ActionError(_("案件不在听证阶段。"), code="invalid_transition")
    hearing = Hearing.objects.select_for_update().get(case=case)
    errors = {}
    earliest = legal.earliest_hearing(notice_on)
    if scheduled_on < earliest:
        errors["scheduled_on"] = _("听证应在通知后七个工作日以后举行，最早%(day)s。") % {
            "day": earliest.isoformat()
        }
    if notice_on < hearing.requested_on:
        errors["notice_on"] = _("通知日期不能早于申请日期。")
    host = (host or "").strip()
    if not host:
        errors["host"] = _("请填写主持人。")
    elif host in {o.name for o in assigned_officers(case)}:
        errors["host"] = _("听证由非本案调查人员主持。")
    if not (place or "").strip():
        errors["place"] = _("请填写听证地点。")
    if errors:
        raise ActionError(_("听证安排有误。"), code="invalid", fields=errors)
    hearing.notice_on, hearing.scheduled_on = notice_on, scheduled_on
    hearing.place, hearing.host = place.strip()[:255], host[:64]
    hearing.save()
    move(
        case,
        "record",
        actor=actor,
        action="hearing_scheduled",
        data={"notice_on": notice_on, "scheduled_on": scheduled_on, "host": host},
    )
    return case


@transaction.atomic
def case_record_hearing(*, case: Case, actor, held_on: date, record: str):
    """The hearing's record: the suspension ends; the hearing case goes to legal review."""
    from enforcement.models import CaseSuspension, LegalReview

    require_role(actor, roles.SQUAD_LEADER, roles.BUREAU_HEAD)
    case = lock(case)
    require_scope(actor, case, leader=True)
    if case.state != CaseState.HEARING:
        raise ActionError(_("案件不在听证阶段。"), code="invalid_transition")
    hearing = Hearing.objects.select_for_update().get(case=case)
    if hearing.scheduled_on is None:
        raise ActionError(_("请先安排听证。"), code="hearing_not_scheduled")
    if held_on < hearing.scheduled_on:
        raise ActionError(
            _("举行日期不能早于安排的听证日期。"),
            code="invalid",
            fields={"held_on": _("举行日期不能早于安排的听证日期。")},
        )
    if not (record or "").strip():
        raise ActionError(_("请录入听证笔录。"), code="invalid", fields={"record": _("必填。")})
    hearing.held_on, hearing.record = held_on, record.strip()
    hearing.recorded_at = timezone.now()
    hearing.save()
    CaseSuspension.objects.filter(case=case, ended_on__isnull=True).update(
        ended_on=held_on, ended_by=actor_user(actor)
    )
    review = LegalReview.objects.create(
        case=case,
        proposal_revision=case.proposal_revision,
        submitted_at=timezone.now(),
        submitted_by=actor_user(actor),
        due_on=legal.legal_review_due(held_on),
    )
    move(
        case,
        "submit_review",
        actor=actor,
        action="hearing_held",
        note=record.strip()[:500],
        data={"held_on": held_on, "review": review.pk},
        today=held_on,
    )
    _tell_reviewers(case, review)
    return hearing


# --- the decision, service, closing ----------------------------------------------------------


def _require_windows_passed(case: Case, on: date) -> None:
    """A penalty decision waits for the party's windows, unless they have spoken or waived."""
    statements = list(case.statements.all())
    if case.statement_due and on <= case.statement_due and not statements:
        raise ActionError(
            _("陈述申辩期限至%(due)s，期满或当事人陈述申辩（或放弃）后才能作出决定。")
            % {"due": case.statement_due.isoformat()},
            code="statement_period_running",
        )
    if case.hearing_right:
        hearing = Hearing.objects.filter(case=case).first()
        waived = any(s.waived for s in statements)
        if hearing is None and on <= case.hearing_request_due and not waived:
            raise ActionError(
                _("听证申请期限至%(due)s，期满或当事人放弃后才能作出决定。")
                % {"due": case.hearing_request_due.isoformat()},
                code="hearing_period_running",
            )
        if hearing is not None and hearing.held_on is None:
            raise ActionError(
                _("当事人已申请听证，听证举行后才能作出决定。"), code="hearing_pending"
            )


@transaction.atomic
def case_decide(
    *,
    case: Case,
    actor,
    kind: str,
    reason: str = "",
    on: date | None = None,
    officers=(),
) -> Case:
    """The bureau head's decision (art. 57): a penalty (after the notice and the party's
    windows, the legal review and collective discussion where required, never heavier than
    notified), no penalty, a first minor violation corrected in time (art. 33) or transfer to
    the police (art. 27)."""
    from enforcement.models import CorrectionOrder, DecisionKind, Publication
    from enforcement.services import documents

    require_role(actor, roles.BUREAU_HEAD)
    case = lock(case)
    on = on or timezone.localdate()
    reason = (reason or "").strip()
    if kind not in DecisionKind.values:
        raise ActionError(
            _("请选择决定类型。"), code="invalid", fields={"kind": _("请选择决定类型。")}
        )
    ensure(case, "decide")
    acting = officers_for_act(case, officers, on)
    if kind == DecisionKind.PENALTY:
        if not case.penalties:
            raise ActionError(_("没有拟处罚意见。"), code="proposal_required")
        if case.notified_on is None:
            raise ActionError(
                _("作出行政处罚决定前须告知当事人（第四十四条）。"), code="notice_required"
            )
        _require_windows_passed(case, on)
        if not review_ok(case):
            raise ActionError(
                _("重大案件（%(why)s）须经法制审核通过后才能作出决定（第五十八条）。")
                % {"why": "、".join(MAJOR_REASON_LABELS.get(r, r) for r in case.major_reasons)},
                code="review_required",
            )
        if not discussion_ok(case):
            raise ActionError(_("本案须经集体讨论决定（第五十七条）。"), code="discussion_required")
        if _heavier_than_notified(case):
            raise ActionError(
                _("处罚不得重于告知的内容（第四十五条）。"), code="heavier_than_notified"
            )
    else:
        if not reason:
            raise ActionError(
                _("请写明理由。"), code="reason_required", fields={"reason": _("必填。")}
            )
        if (
            kind == DecisionKind.FIRST_VIOLATION
            and not CorrectionOrder.objects.filter(
                case=case, result=CorrectionOrder.Result.CORRECTED
            ).exists()
        ):
            raise ActionError(
                _("首违不罚须为初次违法、危害后果轻微并及时改正：请先记录责令改正及复查结果。"),
                code="correction_required",
            )
    case.decision_kind = kind
    case.decided_on = on
    case.decided_by = actor_user(actor)
    case.decision_reason = reason
    if kind == DecisionKind.PENALTY:
        document = documents.issue(
            kind="penalty_decision",
            actor=actor,
            on=on,
            case=case,
            rows=case_rows(case),
            addressee=case.party_name,
            paragraphs=[
                f"经查，{pdf.sentence(case.facts)}",
                f"以上事实违反了{basis_text(case)}的规定。"
                f"本局于{pdf.chinese_date(case.notified_on)}告知你（单位）拟作出的行政处罚及享有的权利。",
                f"根据{basis_text(case)}的规定，本局决定对你（单位）作出如下行政处罚：{penalty_text(case)}。",
                (
                    "请自收到本决定书之日起十五日内，持本决定书到指定银行缴纳罚款。到期不缴纳罚款的，"
                    "本局每日按罚款数额的百分之三加处罚款，加处罚款的数额不超出罚款的数额（第七十二条）。"
                )
                if case.has_fine
                else "",
                remedies_text(),
            ],
            officers=acting,
            qr="case",
        )
        if case.procedure == Procedure.GENERAL:
            case.publication_due = legal.publication_due(on)
            Publication.objects.create(case=case, due_on=case.publication_due)
    elif kind == DecisionKind.TRANSFER_POLICE:
        document = documents.issue(
            kind="transfer_letter",
            actor=actor,
            on=on,
            case=case,
            rows=case_rows(case),
            addressee=settings.ENFORCEMENT.get("POLICE") or "下埠派出所",
            paragraphs=[
                f"本局在查处{case.party_name}{case.matter.name}一案中发现，{pdf.sentence(reason)}",
                "根据《中华人民共和国行政处罚法》第二十七条的规定，现将该案移送你单位依法处理。"
                "案件材料随函移送，请予接收并回复。",
            ],
            officers=acting,
        )
    else:
        basis = (
            "《中华人民共和国行政处罚法》第三十三条第一款"
            if kind == DecisionKind.FIRST_VIOLATION
            else basis_text(case) or "《中华人民共和国行政处罚法》"
        )
        document = documents.issue(
            kind="no_penalty_decision",
            actor=actor,
            on=on,
            case=case,
            rows=case_rows(case),
            addressee=case.party_name,
            paragraphs=[
                f"经查，{pdf.sentence(case.facts)}",
                pdf.sentence(reason),
                f"根据{basis}的规定，本局决定对你（单位）不予行政处罚。",
                remedies_text(),
            ],
            officers=acting,
            qr="party",
        )
    move(
        case,
        "decide",
        actor=actor,
        note=reason,
        data={
            "kind": kind,
            "document": document.number,
            "sha256": document.sha256,
            "penalties": case.penalties,
            "fine": case.fine,
        },
        today=on,
    )
    return case


@transaction.atomic
def case_serve(
    *,
    case: Case,
    actor,
    method: str,
    served_on: date | None = None,
    recipient: str = "",
    officers=(),
    note: str = "",
    notice_published_on: date | None = None,
) -> Case:
    """Service of the decision (送达, art. 61): by hand with a service receipt (送达回证), left
    at the address, by post, electronically, or by public notice (served 60 days after it)."""
    from enforcement.models import ServiceMethod
    from enforcement.services import documents

    require_role(actor, *SQUAD_ROLES, roles.BUREAU_HEAD)
    case = lock(case)
    require_scope(actor, case)
    ensure(case, "serve")
    if method not in ServiceMethod.values or method == ServiceMethod.ON_THE_SPOT:
        raise ActionError(
            _("请选择送达方式。"), code="invalid", fields={"method": _("请选择送达方式。")}
        )
    if method == ServiceMethod.PUBLIC_NOTICE:
        if notice_published_on is None:
            raise ActionError(
                _("请填写公告日期。"), code="invalid", fields={"notice_published_on": _("必填。")}
            )
        served_on = legal.public_notice_served_on(notice_published_on)
    if served_on is None:
        raise ActionError(_("请填写送达日期。"), code="invalid", fields={"served_on": _("必填。")})
    if served_on < case.decided_on:
        raise ActionError(
            _("送达日期不能早于决定日期。"),
            code="invalid",
            fields={"served_on": _("送达日期不能早于决定日期。")},
        )
    acting = officers_for_act(case, officers, min(served_on, timezone.localdate()))
    decision = (
        case.documents.filter(
            kind__in=("penalty_decision", "no_penalty_decision", "transfer_letter")
        )
        .order_by("-issued_at")
        .first()
    )
    receipt = documents.issue(
        kind="service_receipt",
        actor=actor,
        on=min(served_on, timezone.localdate()),
        case=case,
        rows=[
            (
                "送达文书",
                f"{documents.docs.title(decision.kind)} {decision.number}" if decision else "",
            ),
            ("受送达人", case.party_name),
            ("送达地点", case.party_address),
            ("送达方式", _method_zh(method)),
            ("送达日期", pdf.chinese_date(served_on)),
            ("收件人", recipient),
            ("备注", note),
        ],
        officers=acting,
        sign_lines=["受送达人签收"] if method in (ServiceMethod.HAND,) else [],
    )
    case.served_on = served_on
    case.service_method = method
    if case.has_fine:
        case.payment_due = legal.payment_due(served_on)
    move(
        case,
        "serve",
        actor=actor,
        note=note,
        data={
            "method": method,
            "served_on": served_on,
            "document": receipt.number,
            "sha256": receipt.sha256,
            "payment_due": case.payment_due,
        },
    )
    return case


def _method_zh(method: str) -> str:
    from django.utils import translation

    from enforcement.models import ServiceMethod

    with translation.override("zh-hans"):
        return str(ServiceMethod(method).label)


def outstanding(case: Case, on: date) -> tuple[Decimal, Decimal, Decimal]:
    """(fine still unpaid, late fee due on ``on`` not yet paid, total) in yuan."""
    from enforcement.services.execution import late_fee_on

    if not case.has_fine:
        return Decimal("0.00"), Decimal("0.00"), Decimal("0.00")
    paid = sum((p.amount for p in case.payments.all()), Decimal("0"))
    fee_paid = sum((p.late_fee for p in case.payments.all()), Decimal("0"))
    fine_left = max(legal.money(case.fine) - paid, Decimal("0"))
    fee_left = max(late_fee_on(case, on) - fee_paid, Decimal("0"))
    return legal.money(fine_left), legal.money(fee_left), legal.money(fine_left + fee_left)


@transaction.atomic
def case_close(*, case: Case, actor, report: str, on: date | None = None) -> Case:
    """Closing (结案) with the closing report and approval form: the decision served and carried
    out (fine and late fee paid, or the court applied to), cash handed in, preserved goods dealt
    with. The lead's source is told (``lead_outcome`` "closed")."""
    from enforcement.models import DecisionKind, Payment, Preservation
    from enforcement.services import documents

    case = lock(case)
    if case.procedure == Procedure.SIMPLIFIED:
        require_role(actor, *SQUAD_ROLES, roles.BUREAU_HEAD)
        require_scope(actor, case)
    else:
        require_role(actor, roles.BUREAU_HEAD)
    on = on or timezone.localdate()
    ensure(case, "close")
    report = (report or "").strip()
    if not report:
        raise ActionError(_("请填写结案报告。"), code="invalid", fields={"report": _("必填。")})
    problems = []
    if case.decision_kind != DecisionKind.TRANSFER_POLICE and case.served_on is None:
        problems.append(_("决定书尚未送达。"))
    if case.has_fine:
        left = outstanding(case, case.paid_on or on)[2]
        if left > 0 and not court_applied(case):
            problems.append(
                _("罚款及加处罚款尚有%(left)s元未缴清（或申请法院强制执行后再结案）。")
                % {"left": left}
            )
    if Payment.objects.filter(
        case=case, method=Payment.Method.CASH_ON_THE_SPOT, handed_in_on__isnull=True
    ).exists():
        problems.append(_("当场收缴的罚款尚未上缴。"))
    if Preservation.objects.filter(case=case, outcome=Preservation.Outcome.OPEN).exists():
        problems.append(_("先行登记保存的物品尚未处理。"))
    if problems:
        raise ActionError("".join(str(p) for p in problems), code="cannot_close")
    case.closed_on = on
    case.closing_report = report
    document = documents.issue(
        kind="closing_approval",
        actor=actor,
        on=on,
        case=case,
        rows=[
            *case_rows(case),
            ("立案日期", pdf.chinese_date(case.filed_on)),
            ("决定日期", pdf.chinese_date(case.decided_on) if case.decided_on else ""),
            ("处理结果", result_text(case)),
            ("执行情况", execution_text(case)),
            ("结案日期", pdf.chinese_date(on)),
        ],
        paragraphs=[
            f"结案报告：{report}",
            f"负责人审批意见：同意结案。审批人：{actor_label(actor)}",
        ],
        officers=assigned_officers(case),
    )
    move(
        case,
        "close",
        actor=actor,
        note=report,
        data={"document": document.number, "sha256": document.sha256},
        today=on,
    )
    if case.lead_id:
        from enforcement.signals import send_lead_outcome

        send_lead_outcome(
            case.lead,
            outcome="closed",
            at=timezone.now(),
            case_number=case.number,
            reason=result_text(case),
            result={
                "decision_kind": case.decision_kind,
                "penalties": list(case.penalties or []),
                "fine": str(case.fine) if case.fine is not None else None,
                "paid": str(case.paid_amount),
            },
        )
    return case


def court_applied(case: Case) -> bool:
    from enforcement.models import CourtApplication

    return CourtApplication.objects.filter(case=case).exists()


def result_text(case: Case) -> str:
    from enforcement.models import DecisionKind

    if case.decision_kind == DecisionKind.PENALTY:
        return penalty_text(case)
    if case.decision_kind == DecisionKind.TRANSFER_POLICE:
        return "移送公安机关处理"
    if case.decision_kind == DecisionKind.FIRST_VIOLATION:
        return "首违不罚（已改正）"
    return "不予行政处罚"


def execution_text(case: Case) -> str:
    if not case.has_fine:
        return "无罚款"
    if case.paid_on:
        return f"已于{pdf.chinese_date(case.paid_on)}缴清，共缴{money_text(case.paid_amount)}"
    if court_applied(case):
        return "已申请人民法院强制执行"
    return f"已缴{money_text(case.paid_amount)}"


@transaction.atomic
def case_revoke_decision(*, case: Case, actor, reason: str, on: date | None = None) -> Case:
    """The decision is revoked (e.g. after administrative review): its publication comes down
    at once."""
    from enforcement.services import publication

    require_role(actor, roles.BUREAU_HEAD)
    if not (reason or "").strip():
        raise ActionError(
            _("请写明撤销理由。"), code="reason_required", fields={"reason": _("必填。")}
        )
    case = lock(case)
    if case.decided_on is None or case.revoked_on is not None:
        raise ActionError(_("没有可撤销的决定。"), code="invalid_transition")
    on = on or timezone.localdate()
    case.revoked_on = on
    publication.take_down_for_case(case, actor=actor, reason=_("处罚决定已撤销"))
    move(case, "record", actor=actor, action="revoke", note=reason.strip(), data={"on": on})
    return case
