"""The case file's records: inquiries and on-site inspections (two certified officers each,
art. 42), evidence files (append-only, SHA-256), evidence preservation (7 working days), orders
to correct (at most 30 days) and their re-check, suspensions and extensions of the decision
clock, joint enforcement. Records from phones carry a client UUID: a resend changes nothing."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement import legal
from enforcement.models import (
    BEFORE_DECISION,
    Case,
    CaseState,
    CaseSuspension,
    CorrectionOrder,
    DecisionExtension,
    Discussion,
    Evidence,
    InvestigationRecord,
    JointAction,
    Preservation,
)
from enforcement.selectors.scope import SQUAD_ROLES
from portal import clock, pdf, roles
from portal.errors import ActionError, Conflict
from portal.models import Department

from . import documents
from .cases import case_rows, lock, move, officers_for_act, require_scope
from .common import actor_user, read_upload, require_role

KIND_OF_CONTENT = {"photo": "photo", "audio": "audio", "video": "video", "document": "document"}


def _uuid(value, field="client_uuid"):
    if value in (None, ""):
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ActionError(
            _("客户端标识格式不正确。"), code="invalid", fields={field: _("须为UUID。")}
        ) from None


def _open_case(case: Case) -> None:
    if not case.is_open:
        raise ActionError(_("案件已结案。"), code="case_closed")


def _store_evidence(
    case,
    *,
    actor,
    upload,
    description="",
    taken_at=None,
    lat=None,
    lng=None,
    client_uuid=None,
    record=None,
) -> Evidence:
    """Photos through portal.photos (original + EXIF-free thumbnail); audio, video and PDF
    documents as they came. Either way unaltered, with the SHA-256."""
    from portal import photos as portal_photos

    from .common import sniff

    if isinstance(upload, tuple | list):
        upload = ContentFile(bytes(upload[1]), name=str(upload[0]))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = sniff(head, getattr(upload, "name", ""))[1]
    evidence = Evidence(
        case=case,
        record=record,
        client_uuid=client_uuid or uuid.uuid4(),
        description=(description or "")[:255],
        taken_at=taken_at,
        lat=lat,
        lng=lng,
        uploaded_by=actor_user(actor),
    )
    if kind == "photo":
        checked = portal_photos.check(upload, field="files")
        photo = portal_photos.store(
            checked, actor=actor_user(actor), purpose="enforcement.evidence"
        )
        evidence.kind = Evidence.Kind.PHOTO
        evidence.photo = photo
        evidence.original_name = photo.original_name or "photo"
        evidence.content_type = photo.content_type
        evidence.size = photo.size
        evidence.sha256 = photo.sha256
        evidence.taken_at = taken_at or photo.taken_at
    else:
        content, name, content_type, digest = read_upload(
            upload, field="files", kinds=("audio", "video", "document")
        )
        evidence.kind = kind
        evidence.original_name = name
        evidence.content_type = content_type
        evidence.size = len(content)
        evidence.sha256 = digest
        evidence.file.save(name, ContentFile(content), save=False)
    evidence.save()
    return evidence


@transaction.atomic
def case_record_investigation(
    *,
    case: Case,
    actor,
    kind: str,
    started_at: datetime,
    place: str,
    subject: str,
    content: str,
    officers=(),
    ended_at: datetime | None = None,
    files=(),
    client_uuid=None,
) -> InvestigationRecord:
    """An inquiry (询问笔录) or on-site inspection (现场检查笔录), with its photos, audio and
    video: at least two officers with certificates valid on the day of the act."""
    client_uuid = _uuid(client_uuid)
    if client_uuid is not None:
        existing = InvestigationRecord.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return existing
    require_role(actor, *SQUAD_ROLES)
    case = lock(case)
    require_scope(actor, case)
    if case.state not in BEFORE_DECISION:
        raise ActionError(_("作出决定后不能再补充调查记录。"), code="invalid_transition")
    errors = {}
    if kind not in InvestigationRecord.Kind.values:
        errors["kind"] = _("请选择记录类型。")
    if not (place or "").strip():
        errors["place"] = _("请填写地点。")
    if not (subject or "").strip():
        errors["subject"] = _("请填写被询问人或检查对象。")
    if not (content or "").strip():
        errors["content"] = _("请填写记录内容。")
    if started_at is None:
        errors["started_at"] = _("请填写时间。")
    elif started_at > timezone.now() + timezone.timedelta(minutes=10):
        errors["started_at"] = _("时间不能晚于现在。")
    if ended_at and started_at and ended_at < started_at:
        errors["ended_at"] = _("结束时间不能早于开始时间。")
    if errors:
        raise ActionError(_("调查记录不完整。"), code="invalid", fields=errors)
    day = clock.local_date(started_at)
    acting = officers_for_act(case, officers, day)
    try:
        with transaction.atomic():
            record = InvestigationRecord.objects.create(
                case=case,
                client_uuid=client_uuid or uuid.uuid4(),
                kind=kind,
                started_at=started_at,
                ended_at=ended_at,
                place=place.strip()[:255],
                subject=subject.strip()[:200],
                content=content.strip(),
                officers=[o.pk for o in acting],
                recorded_by=actor_user(actor),
            )
    except IntegrityError:
        raise Conflict(_("该记录已提交。"), code="duplicate") from None
    stored = [
        _store_evidence(case, actor=actor, upload=f, record=record, taken_at=started_at)
        for f in files or ()
    ]
    doc_kind = "inquiry_record" if kind == InvestigationRecord.Kind.INQUIRY else "inspection_record"
    when = timezone.localtime(started_at)
    document = documents.issue(
        kind=doc_kind,
        actor=actor,
        on=day,
        case=case,
        rows=[
            ("案件编号", case.number),
            ("案由", case.matter.name),
            (
                "时间",
                f"{pdf.chinese_date(day)} {when:%H:%M}"
                + (f" 至 {timezone.localtime(ended_at):%H:%M}" if ended_at else ""),
            ),
            ("地点", record.place),
            ("被询问人" if kind == "inquiry" else "检查对象", record.subject),
        ],
        paragraphs=[
            "执法人员出示了执法证件，告知了当事人依法享有的权利。"
            if kind == "inquiry"
            else "执法人员出示了执法证件，表明了身份，对现场进行了检查。",
            *[p for p in record.content.split("\n") if p.strip()],
            *[
                f"附：{e.get_kind_display()} {e.original_name}（SHA-256：{e.sha256}）"
                for e in stored
            ],
        ],
        officers=acting,
        sign_lines=["被询问人签名" if kind == "inquiry" else "当事人（见证人）签名"],
    )
    move(
        case,
        "record",
        actor=actor,
        action=doc_kind,
        data={
            "record": record.pk,
            "document": document.number,
            "sha256": document.sha256,
            "officers": record.officers,
            "evidence": [e.sha256 for e in stored],
        },
    )
    return record


@transaction.atomic
def case_add_evidence(
    *,
    case: Case,
    actor,
    upload,
    description: str = "",
    taken_at=None,
    lat=None,
    lng=None,
    client_uuid=None,
) -> Evidence:
    """Add an evidence file (photo, audio, video, document), stored unaltered with its SHA-256.
    Evidence is never changed or removed."""
    client_uuid = _uuid(client_uuid)
    if client_uuid is not None:
        existing = Evidence.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return existing
    require_role(actor, *SQUAD_ROLES)
    case = lock(case)
    require_scope(actor, case)
    _open_case(case)
    evidence = _store_evidence(
        case,
        actor=actor,
        upload=upload,
        description=description,
        taken_at=taken_at,
        lat=lat,
        lng=lng,
        client_uuid=client_uuid,
    )
    move(
        case,
        "record",
        actor=actor,
        action="evidence",
        data={
            "evidence": evidence.pk,
            "sha256": evidence.sha256,
            "name": evidence.original_name,
            "kind": evidence.kind,
        },
    )
    return evidence


@transaction.atomic
def case_preserve(
    *,
    case: Case,
    actor,
    items: str,
    place: str,
    officers=(),
    started_on: date | None = None,
) -> Preservation:
    """Register evidence for preservation (先行登记保存, art. 56), with its notice; it must be
    dealt with within 7 working days or it is released."""
    require_role(actor, *SQUAD_ROLES)
    case = lock(case)
    require_scope(actor, case)
    if case.state not in BEFORE_DECISION:
        raise ActionError(_("作出决定后不能先行登记保存。"), code="invalid_transition")
    started_on = started_on or timezone.localdate()
    errors = {}
    if not (items or "").strip():
        errors["items"] = _("请填写保存物品清单。")
    if not (place or "").strip():
        errors["place"] = _("请填写保存地点。")
    if errors:
        raise ActionError(_("先行登记保存信息不完整。"), code="invalid", fields=errors)
    acting = officers_for_act(case, officers, started_on)
    preservation = Preservation.objects.create(
        case=case,
        items=items.strip(),
        place=place.strip()[:255],
        started_on=started_on,
        due_on=legal.preservation_due(started_on),
        officers=[o.pk for o in acting],
    )
    document = documents.issue(
        kind="preservation_notice",
        actor=actor,
        on=started_on,
        case=case,
        rows=[
            *case_rows(case),
            ("保存地点", preservation.place),
            ("处理期限", pdf.chinese_date(preservation.due_on)),
        ],
        addressee=case.party_name,
        paragraphs=[
            "根据《中华人民共和国行政处罚法》第五十六条的规定，本局对下列物品予以先行登记保存。"
            "在此期间，当事人或者有关人员不得销毁或者转移证据。",
            f"本局将于{pdf.chinese_date(preservation.due_on)}前作出处理决定；逾期未作出处理决定的，"
            "先行登记保存措施自动解除。",
        ],
        items=[line.strip() for line in preservation.items.split("\n") if line.strip()],
        officers=acting,
        sign_lines=["当事人签收"],
        qr="party",
    )
    move(
        case,
        "record",
        actor=actor,
        action="preserve",
        data={
            "preservation": preservation.pk,
            "due_on": preservation.due_on,
            "document": document.number,
            "sha256": document.sha256,
        },
    )
    return preservation


@transaction.atomic
def preservation_deal(
    *, preservation: Preservation, actor, outcome: str, note: str = "", dealt_on: date | None = None
) -> Preservation:
    """Deal with preserved goods (return, confiscate by decision, transfer, send for testing)."""
    require_role(actor, *SQUAD_ROLES)
    preservation = Preservation.objects.select_for_update().get(pk=preservation.pk)
    case = lock(Case.objects.get(pk=preservation.case_id))
    require_scope(actor, case)
    if preservation.outcome != Preservation.Outcome.OPEN:
        raise Conflict(_("该先行登记保存已处理。"), code="already_dealt_with")
    if outcome not in Preservation.Outcome.values or outcome in ("open", "released"):
        raise ActionError(_("请选择处理结果。"), code="invalid", fields={"outcome": _("必选。")})
    dealt_on = dealt_on or timezone.localdate()
    preservation.outcome = outcome
    preservation.dealt_on = dealt_on
    preservation.note = (note or "").strip()
    preservation.save()
    move(
        case,
        "record",
        actor=actor,
        action="preservation_dealt",
        data={
            "preservation": preservation.pk,
            "outcome": outcome,
            "dealt_on": dealt_on,
            "late": dealt_on > preservation.due_on,
        },
    )
    return preservation


def release_expired_preservations(*, today: date | None = None) -> int:
    """Goods whose 7 working days ran out unhandled are released (the periodic sweep)."""
    today = today or timezone.localdate()
    released = 0
    for preservation in Preservation.objects.filter(
        outcome=Preservation.Outcome.OPEN, due_on__lt=today
    ).values_list("pk", flat=True)[:1000]:
        with transaction.atomic():
            row = Preservation.objects.select_for_update().get(pk=preservation)
            if row.outcome != Preservation.Outcome.OPEN:
                continue
            row.outcome = Preservation.Outcome.RELEASED
            row.dealt_on = today
            row.note = "期满未作出处理决定，先行登记保存自动解除。"
            row.save()
            case = Case.objects.select_for_update().get(pk=row.case_id)
            move(
                case,
                "record",
                actor="system",
                action="preservation_released",
                data={"preservation": row.pk, "due_on": row.due_on},
            )
            released += 1
    return released


@transaction.atomic
def case_order_correction(
    *,
    case: Case,
    actor,
    requirement: str,
    deadline: date,
    officers=(),
    ordered_on: date | None = None,
) -> CorrectionOrder:
    """An order to correct (责令改正) with its deadline, at most 30 days."""
    require_role(actor, *SQUAD_ROLES)
    case = lock(case)
    require_scope(actor, case)
    _open_case(case)
    ordered_on = ordered_on or timezone.localdate()
    latest = legal.correction_latest(ordered_on)
    errors = {}
    if not (requirement or "").strip():
        errors["requirement"] = _("请填写改正要求。")
    if deadline is None or deadline <= ordered_on:
        errors["deadline"] = _("改正期限须晚于责令日期。")
    elif deadline > latest:
        errors["deadline"] = _("改正期限最长30日，即不晚于%(day)s。") % {"day": latest.isoformat()}
    if errors:
        raise ActionError(_("责令改正信息有误。"), code="invalid", fields=errors)
    acting = officers_for_act(case, officers, ordered_on)
    order = CorrectionOrder.objects.create(
        case=case,
        requirement=requirement.strip(),
        ordered_on=ordered_on,
        deadline=deadline,
        officers=[o.pk for o in acting],
    )
    document = documents.issue(
        kind="correction_order",
        actor=actor,
        on=ordered_on,
        case=case,
        rows=[*case_rows(case), ("改正期限", pdf.chinese_date(deadline))],
        addressee=case.party_name,
        paragraphs=[
            f"经查，{pdf.sentence(case.facts)}" if case.facts else "",
            f"本局责令你（单位）于{pdf.chinese_date(deadline)}前改正上述违法行为，改正要求如下：",
            order.requirement,
            "逾期不改正的，本局将依法处理。",
        ],
        officers=acting,
        sign_lines=["当事人签收"],
        qr="party",
    )
    move(
        case,
        "record",
        actor=actor,
        action="correction_order",
        data={
            "order": order.pk,
            "deadline": deadline,
            "document": document.number,
            "sha256": document.sha256,
        },
    )
    return order


@transaction.atomic
def correction_recheck(
    *,
    order: CorrectionOrder,
    actor,
    corrected: bool,
    note: str = "",
    officers=(),
    rechecked_on: date | None = None,
) -> CorrectionOrder:
    """The re-check of an order to correct, by two certified officers."""
    require_role(actor, *SQUAD_ROLES)
    order = CorrectionOrder.objects.select_for_update().get(pk=order.pk)
    case = lock(Case.objects.get(pk=order.case_id))
    require_scope(actor, case)
    if order.result != CorrectionOrder.Result.PENDING:
        raise Conflict(_("该责令改正已复查。"), code="already_rechecked")
    rechecked_on = rechecked_on or timezone.localdate()
    acting = officers_for_act(case, officers, rechecked_on)
    order.result = (
        CorrectionOrder.Result.CORRECTED if corrected else CorrectionOrder.Result.NOT_CORRECTED
    )
    order.rechecked_on = rechecked_on
    order.recheck_note = (note or "").strip()
    order.save()
    move(
        case,
        "record",
        actor=actor,
        action="correction_recheck",
        data={
            "order": order.pk,
            "result": order.result,
            "officers": [o.pk for o in acting],
            "late": rechecked_on > order.deadline,
        },
    )
    return order


# --- the decision clock ----------------------------------------------------------------------


@transaction.atomic
def case_suspend(*, case: Case, actor, kind: str, reason: str, started_on: date) -> CaseSuspension:
    """Stop the 90-day clock for a period the law does not count (public notice, testing,
    appraisal; a hearing suspends itself when asked for)."""
    require_role(actor, roles.SQUAD_LEADER, roles.BUREAU_HEAD)
    case = lock(case)
    require_scope(actor, case, leader=True)
    if case.state not in BEFORE_DECISION:
        raise ActionError(_("作出决定后不再中止办案期限。"), code="invalid_transition")
    if kind not in CaseSuspension.Kind.values or kind == CaseSuspension.Kind.HEARING:
        raise ActionError(_("请选择中止事由。"), code="invalid", fields={"kind": _("必选。")})
    if not (reason or "").strip():
        raise ActionError(_("请写明理由。"), code="invalid", fields={"reason": _("必填。")})
    if started_on < case.filed_on:
        raise ActionError(
            _("不能早于立案日期。"), code="invalid", fields={"started_on": _("不能早于立案日期。")}
        )
    if CaseSuspension.objects.filter(case=case, ended_on__isnull=True).exists():
        raise ActionError(_("已有尚未结束的期限中止。"), code="suspension_open")
    suspension = CaseSuspension.objects.create(
        case=case,
        kind=kind,
        reason=reason.strip(),
        started_on=started_on,
        started_by=actor_user(actor),
    )
    move(
        case,
        "record",
        actor=actor,
        action="suspend",
        note=reason.strip(),
        data={"kind": kind, "started_on": started_on},
    )
    return suspension


@transaction.atomic
def case_resume(*, case: Case, actor, ended_on: date) -> CaseSuspension:
    require_role(actor, roles.SQUAD_LEADER, roles.BUREAU_HEAD)
    case = lock(case)
    require_scope(actor, case, leader=True)
    suspension = (
        CaseSuspension.objects.select_for_update()
        .filter(case=case, ended_on__isnull=True)
        .exclude(kind=CaseSuspension.Kind.HEARING)
        .first()
    )
    if suspension is None:
        raise ActionError(_("没有可结束的期限中止。"), code="no_suspension")
    if ended_on < suspension.started_on:
        raise ActionError(
            _("结束日期不能早于开始日期。"),
            code="invalid",
            fields={"ended_on": _("结束日期不能早于开始日期。")},
        )
    suspension.ended_on = ended_on
    suspension.ended_by = actor_user(actor)
    suspension.save()
    move(
        case,
        "record",
        actor=actor,
        action="resume",
        data={"kind": suspension.kind, "ended_on": ended_on, "days": suspension.days},
    )
    return suspension


@transaction.atomic
def case_extend(
    *,
    case: Case,
    actor,
    reason: str,
    days: int | None = None,
    discussion: Discussion | None = None,
    on: date | None = None,
) -> DecisionExtension:
    """Extend the 90-day limit: the first time by the bureau head (default 30 days), any further
    time only by collective discussion (a discussion of this case about the extension)."""
    from django.conf import settings

    require_role(actor, roles.BUREAU_HEAD)
    case = lock(case)
    if case.state not in BEFORE_DECISION:
        raise ActionError(_("作出决定后不能延长办案期限。"), code="invalid_transition")
    days = days or int(settings.ENFORCEMENT["DECISION_EXTENSION_DAYS"])
    if days < 1 or days > 365:
        raise ActionError(_("延长天数不正确。"), code="invalid", fields={"days": _("1至365天。")})
    if not (reason or "").strip():
        raise ActionError(_("请写明延期理由。"), code="invalid", fields={"reason": _("必填。")})
    previous = DecisionExtension.objects.filter(case=case).count()
    if previous:
        if (
            discussion is None
            or discussion.case_id != case.pk
            or discussion.purpose != Discussion.Purpose.EXTENSION
            or discussion.conclusion != Discussion.Conclusion.AGREE
            or DecisionExtension.objects.filter(discussion=discussion).exists()
        ):
            raise ActionError(
                _("再次延长办案期限须经集体讨论决定。"),
                code="discussion_required",
                fields={"discussion": _("请先记录关于延期的集体讨论。")},
            )
    extension = DecisionExtension.objects.create(
        case=case,
        days=days,
        reason=reason.strip(),
        approved_by=actor_user(actor),
        approved_on=on or timezone.localdate(),
        discussion=discussion if previous else None,
    )
    case.extension_days += days
    before = case.decision_due
    move(
        case,
        "record",
        actor=actor,
        action="extend",
        note=reason.strip(),
        data={"days": days, "before": before, "discussion": discussion.pk if discussion else None},
    )
    return extension


@transaction.atomic
def case_add_joint_action(
    *,
    case: Case,
    actor,
    held_on: date,
    bodies,
    participants: str,
    findings: dict,
) -> JointAction:
    """Joint enforcement (联合执法) with district departments or the police: who took part and
    each body's findings, in this one case file."""
    require_role(actor, *SQUAD_ROLES)
    case = lock(case)
    require_scope(actor, case)
    _open_case(case)
    bodies = list(bodies or [])
    errors = {}
    if not bodies:
        errors["bodies"] = _("请选择参加单位。")
    if not (participants or "").strip():
        errors["participants"] = _("请填写参加人员。")
    codes = {b.code for b in bodies}
    clean = {k: str(v).strip() for k, v in (findings or {}).items() if str(v).strip()}
    if set(clean) - codes:
        errors["findings"] = _("意见只能由参加单位提出。")
    if errors:
        raise ActionError(_("联合执法记录不完整。"), code="invalid", fields=errors)
    action = JointAction.objects.create(
        case=case,
        held_on=held_on,
        participants=participants.strip(),
        findings=clean,
        recorded_by=actor_user(actor),
    )
    action.bodies.set(bodies)
    move(
        case,
        "record",
        actor=actor,
        action="joint_action",
        data={"joint_action": action.pk, "bodies": sorted(codes), "findings": clean},
    )
    return action


def bodies_by_code(codes) -> list[Department]:
    return list(Department.objects.filter(code__in=list(codes or [])))


__all__ = ["CaseState"]
