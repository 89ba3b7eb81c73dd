"""The case page: the whole file on one page (parties, deadlines, records, evidence, reviews,
documents, history) and the acts the person may do now, each a small form posting to
``/enforcement/cases/<number>/<action>/``. A refused act re-shows the page with the message
on the field and the input kept (400), a role that may not act 403, a lost race 409."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from approvals.models import Matter
from enforcement import documents as doc_kinds
from enforcement.models import (
    BEFORE_DECISION,
    CaseState,
    CorrectionOrder,
    Document,
    Evidence,
    Payment,
    Preservation,
    Procedure,
    Publication,
)
from enforcement.models.records import CaseSuspension
from enforcement.selectors import cases as sel
from enforcement.selectors import scope as scope_sel
from enforcement.services import cases as svc
from enforcement.services import documents as doc_svc
from enforcement.services import execution, publication, records
from enforcement.views import forms as f
from enforcement.views.common import found, run, staff_required
from portal import clock, photos, roles
from portal.models import Department


def _case(request, number):
    return found(sel.case_get, request.user, number)


def _user_flags(user, case) -> dict:
    officer = scope_sel.officer_for(user)
    in_squad = case.squad_id in scope_sel.squad_ids(user)
    return {
        "officer": in_squad and user.has_role(roles.ENFORCEMENT_OFFICER, roles.SQUAD_LEADER),
        "leader": case.squad_id in scope_sel.leads_squad_of(user)
        or user.has_role(roles.BUREAU_HEAD),
        "head": user.has_role(roles.BUREAU_HEAD),
        "reviewer": user.has_role(roles.LEGAL_REVIEWER),
        "me": officer,
    }


def _loaded(case, name: str):
    """The rows of ``case.<name>`` when they came with the case (sel.PAGE_PREFETCH), else None."""
    return getattr(case, "_prefetched_objects_cache", {}).get(name)


def _any_loaded(case, name: str, test, queryset) -> bool:
    """Whether a row of ``case.<name>`` passes ``test``: from the rows loaded with the case,
    else ``queryset.exists()``."""
    rows = _loaded(case, name)
    return any(test(row) for row in rows) if rows is not None else queryset.exists()


_READ = object()


def available(case, user, *, publication=_READ) -> list[str]:
    """The acts this person may attempt now (the services still decide). ``publication``: the
    case's publication (or None) when the caller has read it already."""
    who = _user_flags(user, case)
    state = case.state
    acts = []
    general = case.procedure == Procedure.GENERAL
    if who["officer"] and state == CaseState.INVESTIGATING:
        acts.append("proposal")
    if who["officer"] and state in BEFORE_DECISION:
        acts += ["record", "preserve"]
    if who["officer"] and case.is_open:
        acts += ["evidence", "correction"]
    if who["officer"] and _any_loaded(
        case,
        "preservations",
        lambda p: p.outcome == Preservation.Outcome.OPEN,
        case.preservations.filter(outcome=Preservation.Outcome.OPEN),
    ):
        acts.append("preservation_deal")
    if who["officer"] and _any_loaded(
        case,
        "correction_orders",
        lambda c: c.result == "pending",
        case.correction_orders.filter(result="pending"),
    ):
        acts.append("recheck")
    if (
        general
        and who["officer"]
        and case.major_reasons
        and state in (CaseState.INVESTIGATING, CaseState.NOTIFIED)
    ):
        acts.append("submit_review")
    if who["reviewer"] and state == CaseState.LEGAL_REVIEW:
        acts.append("review")
    if (
        general
        and who["officer"]
        and case.discussion_required
        and state in (CaseState.INVESTIGATING, CaseState.NOTIFIED)
    ):
        acts.append("submit_discussion")
    if who["head"] and state == CaseState.DISCUSSION:
        acts.append("discussion")
    if (
        general
        and who["officer"]
        and state in (CaseState.INVESTIGATING, CaseState.REVIEWED)
        and not case.notified_on
    ):
        acts.append("notify")
    if who["officer"] and state in (CaseState.NOTIFIED, CaseState.HEARING):
        acts.append("statement")
    if who["officer"] and state == CaseState.NOTIFIED and case.hearing_right:
        acts.append("request_hearing")
    if who["leader"] and state == CaseState.HEARING:
        acts += ["schedule_hearing", "record_hearing"]
    if who["leader"] and state in (
        CaseState.REVIEWED,
        CaseState.NOTIFIED,
        CaseState.HEARING,
        CaseState.LEGAL_REVIEW,
    ):
        acts.append("return")
    if who["head"] and state in (CaseState.INVESTIGATING, CaseState.REVIEWED, CaseState.NOTIFIED):
        acts.append("decide")
    if who["officer"] and state == CaseState.DECIDED:
        acts.append("serve")
    if who["officer"] and state == CaseState.EXECUTING and case.has_fine and not case.paid_on:
        acts.append("payment")
    if who["officer"] and _any_loaded(
        case,
        "payments",
        lambda p: p.method == "cash" and p.handed_in_on is None,
        Payment.objects.filter(case=case, method="cash", handed_in_on__isnull=True),
    ):
        acts.append("hand_in")
    if who["head"] and state == CaseState.EXECUTING and case.has_fine and not case.paid_on:
        acts += ["payment_plan", "court"]
    if state in (CaseState.DECIDED, CaseState.EXECUTING) and (
        who["head"] or (not general and who["officer"])
    ):
        acts.append("close")
    if who["head"] and case.decided_on and not case.revoked_on:
        acts.append("revoke")
    if (
        (who["head"] or who["leader"])
        and (
            Publication.objects.filter(case=case, status="pending").exists()
            if publication is _READ
            else publication is not None and publication.status == "pending"
        )
        and not case.revoked_on
    ):
        acts.append("publish")
    if who["leader"] and general and state in BEFORE_DECISION:
        acts += ["suspend", "resume"] if case.clock_paused else ["suspend"]
    if who["head"] and general and state in BEFORE_DECISION:
        acts += ["extend", "extension_discussion"]
    if who["leader"] and case.is_open:
        acts.append("assign_officers")
    if who["officer"] and case.is_open:
        acts.append("joint_action")
    return list(dict.fromkeys(acts))


def _bodies():
    return [
        (d.code, d.name) for d in Department.objects.filter(is_active=True).order_by("kind", "code")
    ]


def _form(action, case, data=None, files=None, officers=None):
    """``officers``: a page's shared f.squad_officers(case.squad) (read once for all forms)."""
    squad = case.squad
    initial_uuid = {"client_uuid": uuid.uuid4()}
    builders = {
        "proposal": lambda: f.ProposalForm(
            data,
            initial={
                "penalties": case.penalties,
                "fine": case.fine,
                "confiscation": case.confiscation,
                "circumstance": case.circumstance,
                "legal_basis": case.legal_basis,
                "outside_benchmark_reason": case.outside_benchmark_reason,
                "facts": case.facts,
                "complex_case": case.complex_case,
                **{name: getattr(case, name) for name in f.PartyForm.base_fields},
            },
            prefix="proposal",
        ),
        "record": lambda: f.RecordForm(
            data,
            files,
            squad=squad,
            officers=officers,
            prefix="record",
            initial={
                **initial_uuid,
                "started_at": timezone.localtime().replace(second=0, microsecond=0),
            },
        ),
        "evidence": lambda: f.EvidenceForm(data, files, prefix="evidence", initial=initial_uuid),
        "preserve": lambda: f.PreserveForm(data, squad=squad, officers=officers, prefix="preserve"),
        "preservation_deal": lambda: f.PreservationDealForm(data, prefix="deal"),
        "correction": lambda: f.CorrectionForm(
            data, squad=squad, officers=officers, prefix="correction"
        ),
        "recheck": lambda: f.RecheckForm(data, squad=squad, officers=officers, prefix="recheck"),
        "review": lambda: f.ReviewForm(data, prefix="review"),
        "discussion": lambda: f.DiscussionForm(
            data, prefix="discussion", initial={"purpose": "decision"}
        ),
        "extension_discussion": lambda: f.DiscussionForm(
            data, prefix="xdiscussion", initial={"purpose": "extension"}
        ),
        "notify": lambda: f.NotifyForm(data, squad=squad, officers=officers, prefix="notify"),
        "statement": lambda: f.StatementForm(data, prefix="statement"),
        "request_hearing": lambda: f.HearingRequestForm(data, prefix="hearing"),
        "schedule_hearing": lambda: f.HearingScheduleForm(data, prefix="schedule"),
        "record_hearing": lambda: f.HearingRecordForm(data, prefix="held"),
        "return": lambda: f.ReasonForm(data, prefix="return"),
        "decide": lambda: f.DecideForm(data, squad=squad, officers=officers, prefix="decide"),
        "serve": lambda: f.ServeForm(data, squad=squad, officers=officers, prefix="serve"),
        "payment": lambda: f.PaymentForm(
            data,
            prefix="payment",
            initial={
                **initial_uuid,
                "amount": svc.outstanding(case, timezone.localdate())[0],
                "late_fee": svc.outstanding(case, timezone.localdate())[1],
            },
        ),
        "hand_in": lambda: f.ResumeForm(data, prefix="handin"),
        "payment_plan": lambda: f.PaymentPlanForm(data, prefix="plan"),
        "court": lambda: f.CourtForm(data, prefix="court"),
        "close": lambda: f.CloseForm(data, prefix="close"),
        "revoke": lambda: f.ReasonForm(data, prefix="revoke"),
        "suspend": lambda: f.SuspendForm(data, prefix="suspend"),
        "resume": lambda: f.ResumeForm(data, prefix="resume"),
        "extend": lambda: f.ExtendForm(data, prefix="extend"),
        "assign_officers": lambda: f.AssignOfficersForm(
            data, squad=squad, officers=officers, prefix="assign"
        ),
        "joint_action": lambda: f.JointActionForm(data, bodies=_bodies(), prefix="joint"),
    }
    builder = builders.get(action)
    return builder() if builder else None


def _act(action, case, user, form, request):
    d = form.cleaned_data if form is not None else {}
    acts = {
        "proposal": lambda: svc.case_set_proposal(
            case=case,
            actor=user,
            penalties=d["penalties"],
            fine=d.get("fine"),
            confiscation=d.get("confiscation"),
            circumstance=d.get("circumstance") or "",
            legal_basis=d["legal_basis"],
            outside_benchmark_reason=d["outside_benchmark_reason"],
            facts=d["facts"],
            complex_case=d["complex_case"],
            party=form.party(),
        ),
        "record": lambda: records.case_record_investigation(
            case=case,
            actor=user,
            kind=d["kind"],
            started_at=d["started_at"],
            ended_at=d.get("ended_at"),
            place=d["place"],
            subject=d["subject"],
            content=d["content"],
            officers=list(d["officers"]),
            files=request.FILES.getlist("files"),
            client_uuid=d["client_uuid"],
        ),
        "evidence": lambda: records.case_add_evidence(
            case=case,
            actor=user,
            upload=d["file"],
            description=d["description"],
            client_uuid=d["client_uuid"],
        ),
        "preserve": lambda: records.case_preserve(
            case=case,
            actor=user,
            items=d["items"],
            place=d["place"],
            officers=list(d["officers"]),
            started_on=d["started_on"],
        ),
        "preservation_deal": lambda: records.preservation_deal(
            preservation=get_object_or_404(Preservation, pk=d["preservation"], case=case),
            actor=user,
            outcome=d["outcome"],
            note=d["note"],
        ),
        "correction": lambda: records.case_order_correction(
            case=case,
            actor=user,
            requirement=d["requirement"],
            deadline=d["deadline"],
            officers=list(d["officers"]),
        ),
        "recheck": lambda: records.correction_recheck(
            order=get_object_or_404(CorrectionOrder, pk=d["order"], case=case),
            actor=user,
            corrected=d["corrected"],
            note=d["note"],
            officers=list(d["officers"]),
        ),
        "submit_review": lambda: svc.case_submit_review(case=case, actor=user),
        "review": lambda: svc.case_review(
            case=case, actor=user, opinion=d["opinion"], comments=d["comments"]
        ),
        "submit_discussion": lambda: svc.case_submit_discussion(case=case, actor=user),
        "discussion": lambda: svc.case_record_discussion(
            case=case,
            actor=user,
            held_at=d.get("held_at"),
            chair=d["chair"],
            participants=d["participants"],
            opinion=d["opinion"],
            conclusion=d["conclusion"],
            purpose=d["purpose"],
        ),
        "notify": lambda: svc.case_notify(
            case=case, actor=user, officers=list(d["officers"]), on=d["on"]
        ),
        "statement": lambda: svc.case_record_statement(
            case=case,
            actor=user,
            received_on=d["received_on"],
            content=d["content"],
            waived=d["waived"],
            accepted=d.get("accepted"),
            reply=d["reply"],
        ),
        "request_hearing": lambda: svc.case_request_hearing(
            case=case, actor=user, requested_on=d["requested_on"]
        ),
        "schedule_hearing": lambda: svc.case_schedule_hearing(case=case, actor=user, **d),
        "record_hearing": lambda: svc.case_record_hearing(case=case, actor=user, **d),
        "return": lambda: svc.case_return_to_investigation(
            case=case, actor=user, reason=d["reason"]
        ),
        "decide": lambda: svc.case_decide(
            case=case,
            actor=user,
            kind=d["kind"],
            reason=d["reason"],
            on=d["on"],
            officers=list(d["officers"]),
        ),
        "serve": lambda: svc.case_serve(
            case=case,
            actor=user,
            method=d["method"],
            served_on=d.get("served_on"),
            notice_published_on=d.get("notice_published_on"),
            recipient=d["recipient"],
            note=d["note"],
            officers=list(d["officers"]),
        ),
        "payment": lambda: execution.case_record_payment(
            case=case,
            actor=user,
            amount=d["amount"],
            late_fee=d.get("late_fee") or 0,
            paid_on=d["paid_on"],
            method=d["method"],
            receipt_number=d["receipt_number"],
            client_uuid=d["client_uuid"],
        ),
        "hand_in": lambda: [
            execution.payment_hand_in(payment=p, actor=user, handed_in_on=d["ended_on"])
            for p in Payment.objects.filter(case=case, method="cash", handed_in_on__isnull=True)
        ],
        "payment_plan": lambda: execution.case_plan_payment(
            case=case,
            actor=user,
            kind=d["kind"],
            reason=d["reason"],
            deferred_to=d.get("deferred_to"),
            instalments=form.schedule(),
        ),
        "court": lambda: execution.case_apply_to_court(
            case=case, actor=user, applied_on=d["applied_on"], court=d["court"]
        ),
        "close": lambda: svc.case_close(case=case, actor=user, report=d["report"]),
        "revoke": lambda: svc.case_revoke_decision(case=case, actor=user, reason=d["reason"]),
        "publish": lambda: publication.publication_publish(
            publication=Publication.objects.get(case=case), actor=user
        ),
        "suspend": lambda: records.case_suspend(case=case, actor=user, **d),
        "resume": lambda: records.case_resume(case=case, actor=user, ended_on=d["ended_on"]),
        "extend": lambda: records.case_extend(
            case=case,
            actor=user,
            reason=d["reason"],
            days=d.get("days"),
            discussion=case.discussions.filter(purpose="extension")
            .order_by("-recorded_at")
            .first(),
        ),
        "extension_discussion": lambda: svc.case_record_discussion(
            case=case,
            actor=user,
            held_at=d.get("held_at"),
            chair=d["chair"],
            participants=d["participants"],
            opinion=d["opinion"],
            conclusion=d["conclusion"],
            purpose="extension",
        ),
        "assign_officers": lambda: svc.case_assign_officers(
            case=case, actor=user, officers=list(d["officers"])
        ),
        "joint_action": lambda: records.case_add_joint_action(
            case=case,
            actor=user,
            held_on=d["held_on"],
            bodies=list(Department.objects.filter(code__in=d["bodies"])),
            participants=d["participants"],
            findings=form.parsed_findings(),
        ),
    }
    return acts[action]()


ACTION_LABELS = {
    "proposal": _("拟处理意见"),
    "record": _("询问 / 现场检查笔录"),
    "evidence": _("添加证据"),
    "preserve": _("先行登记保存"),
    "preservation_deal": _("处理先行登记保存"),
    "correction": _("责令改正"),
    "recheck": _("复查改正情况"),
    "submit_review": _("提交法制审核"),
    "review": _("法制审核意见"),
    "submit_discussion": _("提交集体讨论"),
    "discussion": _("集体讨论记录"),
    "notify": _("告知拟处罚（事先告知书）"),
    "statement": _("记录陈述申辩"),
    "request_hearing": _("当事人申请听证"),
    "schedule_hearing": _("安排听证"),
    "record_hearing": _("听证笔录"),
    "return": _("退回补充调查"),
    "decide": _("作出决定"),
    "serve": _("送达"),
    "payment": _("登记缴款"),
    "hand_in": _("当场收缴罚款上缴"),
    "payment_plan": _("批准暂缓或分期缴纳"),
    "court": _("申请法院强制执行"),
    "close": _("结案"),
    "revoke": _("撤销决定"),
    "publish": _("公示处罚决定"),
    "suspend": _("中止办案期限"),
    "resume": _("恢复办案期限"),
    "extend": _("延长办案期限"),
    "extension_discussion": _("延期集体讨论"),
    "assign_officers": _("调整办案人员"),
    "joint_action": _("联合执法记录"),
}
# Acts that need no form (a button).
BUTTONS = ("submit_review", "submit_discussion", "publish")


def _page(request, case, *, bound=None, status=200, loaded=False):
    """The page of ``case``: as sel.case_page_get gave it (``loaded``: the page's GET reads the
    case once), else read again with what the page reads of it (after an act). The lists the
    case has none of (sel.PAGE_PROBED not in ``case.page_lists``) are not read."""
    now = timezone.now()
    if not loaded:
        case = sel.page_read(
            type(case).objects.filter(pk=case.pk).select_related(*sel.PAGE_RELATED)
        )
    has = case.page_lists
    publication = Publication.objects.filter(case=case).first()
    acts = available(case, request.user, publication=publication)
    forms = []
    officers = f.squad_officers(case.squad)  # read by the first form that shows them
    for action in acts:
        form = bound[1] if bound and bound[0] == action else _form(action, case, officers=officers)
        forms.append(
            {
                "action": action,
                "label": ACTION_LABELS[action],
                "form": form,
                "open": bool(bound and bound[0] == action),
                "button": action in BUTTONS,
            }
        )
    fee = execution.late_fee_on(case, timezone.localdate()) if case.has_fine else None
    context = {
        "case": case,
        "clock": svc.clock_status(case, now),
        "deadlines": _deadlines(case, publication),
        "officers": _officers(case),
        "documents": case.documents.order_by("issued_at", "id"),
        "evidence": case.evidence.select_related("photo").order_by("uploaded_at")
        if "evidence" in has
        else (),
        "records": case.records.order_by("started_at") if "records" in has else (),
        "preservations": case.preservations.all(),
        "corrections": case.correction_orders.all(),
        "reviews": case.reviews.select_related("reviewer") if "reviews" in has else (),
        "discussions": case.discussions.all() if "discussions" in has else (),
        "statements": case.statements.all() if "statements" in has else (),
        "hearing": getattr(case, "hearing", None) if "hearing" in has else None,
        "payments": case.payments.all(),
        "suspensions": case.suspensions.all() if "suspensions" in has else (),
        "extensions": case.decision_extensions.all() if "decision_extensions" in has else (),
        "joint_actions": case.joint_actions.prefetch_related("bodies")
        if "joint_actions" in has
        else (),
        "publication": publication,
        "history": case.history.order_by("seq"),
        "forms": forms,
        "can_record": "record" in acts,
        "late_fee": fee,
        "outstanding": svc.outstanding(case, timezone.localdate()) if case.has_fine else None,
        "major_labels": [svc.MAJOR_REASON_LABELS.get(r, r) for r in case.major_reasons],
        "doc_label": doc_kinds.label,
    }
    return render(request, "enforcement/case.html", context, status=status)


def _deadlines(case, publication) -> list[dict]:
    rows = [
        ("filing_due", _("立案期限"), case.filing_due, True),
        ("decision_due", _("处罚决定期限"), case.decision_due, bool(case.decided_on)),
        (
            "statement_due",
            _("陈述申辩期限"),
            case.statement_due,
            bool(case.decided_on) or "statements" in case.page_lists,
        ),
        (
            "hearing_request_due",
            _("听证申请期限"),
            case.hearing_request_due,
            bool(case.decided_on) or "hearing" in case.page_lists,
        ),
        ("service_due", _("送达期限"), case.service_due, bool(case.served_on)),
        ("payment_due", _("缴款期限"), case.payment_due, bool(case.paid_on)),
        (
            "publication_due",
            _("公示期限"),
            case.publication_due,
            bool(publication and publication.status != "pending"),
        ),
    ]
    return [
        {
            "key": k,
            "label": label,
            "date": d,
            "met": met,
            "current": bool(case.due_kind) and k == f"{case.due_kind}_due",
        }
        for k, label, d, met in rows
        if d
    ]


def _officers(case) -> list:
    """The case's officers, for their names (services.cases.assigned_officers without the
    certificates the acts check)."""
    return [a.officer for a in case.assignments.select_related("officer__user")]


@staff_required
def case_detail(request, number):
    return _page(request, found(sel.case_page_get, request.user, number), loaded=True)


@staff_required
@require_POST
def case_action(request, number, action):
    case = _case(request, number)
    if action not in ACTION_LABELS:
        raise Http404
    if action not in available(case, request.user):
        messages.error(request, _("您现在不能办理此事项，或案件状态已变化，请刷新后再试。"))
        return _page(request, case, status=409 if case.is_open else 403)
    form = None
    if action not in BUTTONS:
        form = _form(action, case, request.POST, request.FILES)
        if not form.is_valid():
            return _page(request, case, bound=(action, form), status=400)
    result, status = run(request, form, lambda: _act(action, case, request.user, form, request))
    if status != 200:
        return _page(request, case, bound=(action, form), status=status)
    messages.success(request, _("已办理：%(what)s。") % {"what": ACTION_LABELS[action]})
    case.refresh_from_db()
    return redirect("enforcement:case", number=case.number)


@staff_required
def case_document(request, number, document_id):
    case = _case(request, number)
    document = get_object_or_404(Document, pk=document_id, case=case)
    return doc_svc.pdf_response(document)


@staff_required
def case_evidence(request, number, evidence_id, which="thumbnail"):
    case = _case(request, number)
    evidence = get_object_or_404(Evidence, pk=evidence_id, case=case)
    if evidence.photo_id:
        if which == "original":
            return photos.original_response(evidence.photo, actor=request.user, obj=case)
        return photos.thumbnail_response(evidence.photo, actor=request.user, obj=case)
    from django.http import FileResponse

    from portal import audit

    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    audit.record(
        actor=request.user,
        action="enforcement.evidence_read",
        obj=case,
        after={"evidence": evidence.pk, "sha256": evidence.sha256},
    )
    return FileResponse(
        handle,
        content_type=evidence.content_type,
        as_attachment=True,
        filename=evidence.original_name,
    )


__all__ = ["CaseSuspension", "Matter", "clock"]
