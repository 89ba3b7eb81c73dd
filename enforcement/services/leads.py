"""Every state change of a lead (线索). Keyword-only, atomic, row-locked, audited.

Races: callers pass the lead as they loaded it. The service locks the row; if its state moved on
in the meantime it raises Conflict (409); if the action is not allowed in the state the caller
saw, ActionError (400).

The hand-off from grid (issue 13) is :func:`lead_receive`; what became of the lead is sent back
through ``enforcement.signals.lead_outcome`` (filed / not_filed / transferred / closed)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from approvals.models import Matter
from enforcement import legal
from enforcement.models import (
    Lead,
    LeadEvent,
    LeadExtension,
    LeadPhoto,
    LeadSource,
    LeadState,
    Officer,
    Squad,
)
from enforcement.selectors import scope as scope_sel
from enforcement.signals import send_lead_outcome
from portal import audit, clock, roles
from portal import photos as portal_photos
from portal.errors import ActionError, Conflict, Forbidden
from portal.models import Department, Photo, User
from portal.notifications import notify_many

from . import numbers
from .common import actor_label, actor_user, audit_actor, require_role, require_squad

MAX_PHOTOS = 9
ENFORCEMENT_MATTER_KINDS = (Matter.Kind.PENALTY, Matter.Kind.COMPULSION, Matter.Kind.INSPECTION)


# --- locking, history, the clock -------------------------------------------------------------


def _lock(lead: Lead) -> Lead:
    locked = Lead.objects.select_for_update(of=("self",)).select_related("squad").get(pk=lead.pk)
    if locked.state != lead.state:
        raise Conflict(
            _("该线索已被他人处理（当前状态：%(state)s），请刷新后再试。")
            % {"state": locked.get_state_display()},
            code="state_changed",
        )
    return locked


def _move(lead: Lead, transition_name: str, *, actor, note: str = "", data=None) -> None:
    before = lead.state
    transition = getattr(lead, transition_name)
    if not can_proceed(transition):
        raise ActionError(
            _("线索当前状态（%(state)s）不允许此操作。") % {"state": lead.get_state_display()},
            code="invalid_transition",
        )
    transition()
    lead.save()
    LeadEvent.objects.create(
        lead=lead,
        actor=actor_user(actor),
        actor_label=actor_label(actor),
        action=transition_name,
        from_state=before,
        to_state=lead.state,
        note=note,
        data=data or {},
    )
    audit.record(
        actor=audit_actor(actor),
        action=f"enforcement.lead_{transition_name}",
        obj=lead,
        before={"state": before},
        after={"state": lead.state, **({"note": note} if note else {})},
    )


def refresh_clock(lead: Lead) -> None:
    """The filing clock: 15 working days from receipt, plus an approved extension."""
    limit = legal.limit("filing").extended(lead.extension_days)
    lead.due_at = clock.due_at(lead.received_at, limit)
    lead.warn_at = clock.warn_at(lead.due_at, limit)
    lead.filing_due = clock.local_date(lead.due_at)


def _url(lead: Lead) -> str:
    return reverse("enforcement:lead", args=[lead.number])


def _squad_leaders(squad: Squad | None) -> list[User]:
    if squad is not None and squad.leader_id:
        return [squad.leader]
    return _bureau_heads()


def _bureau_heads() -> list[User]:
    return list(User.objects.filter(is_active=True, groups__name=roles.BUREAU_HEAD).order_by("pk"))


def _require_lead_scope(actor, lead: Lead, *, leader: bool = False) -> None:
    user = actor_user(actor)
    if user is None:
        return
    if lead.squad_id is None:
        if scope_sel.is_bureau(user):
            return
        raise Forbidden(_("尚未分派中队的线索由局负责人分派。"), code="not_assigned")
    require_squad(actor, lead.squad_id, leader=leader)


# --- receiving -------------------------------------------------------------------------------


def _coordinate(value, *, field: str, low: int, high: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise ActionError(
            _("坐标格式不正确。"), code="invalid", fields={field: _("请填写数字。")}
        ) from None
    if not (low <= number <= high):
        raise ActionError(_("坐标超出范围。"), code="invalid", fields={field: _("坐标超出范围。")})
    return number


def matter_for_code(
    code: str | None,
    *,
    field: str = "matter_code",
    on: date | None = None,
    kinds=ENFORCEMENT_MATTER_KINDS,
) -> Matter | None:
    """The version of an enforcement matter (penalty, compulsion, inspection) in force."""
    if not code:
        return None
    on = on or timezone.localdate()
    matter = (
        Matter.objects.filter(code=code, kind__in=kinds)
        .exclude(status=Matter.Status.DRAFT)
        .filter(valid_from__lte=on)
        .order_by("-valid_from", "-version")
        .first()
    )
    if matter is None or not matter.in_force_on(on):
        raise ActionError(
            _("事项 %(code)s 不存在或不是现行的执法事项。") % {"code": code},
            code="matter_not_found",
            fields={field: _("请选择现行的执法事项。")},
        )
    return matter


def squad_for_area(area_code: str) -> Squad | None:
    """The squad whose patrol area covers ``area_code`` (None when no patrol area does)."""
    if not area_code:
        return None
    from enforcement.selectors.team import squad_for_area as lookup

    return lookup(area_code)


def _chinese_label(getter) -> str:
    from django.utils import translation

    with translation.override("zh-hans"):
        return str(getter())


def _as_upload(item):
    """A (name, bytes) pair as a named file; files pass through."""
    if isinstance(item, tuple | list):
        upload = ContentFile(bytes(item[1]), name=str(item[0]))
        return upload
    return item


def lead_receive(
    *,
    source: str,
    description: str,
    actor,
    source_ref: str = "",
    lat=None,
    lng=None,
    area_code: str = "",
    address: str = "",
    reporter: User | None = None,
    reporter_name: str = "",
    reporter_contact: str = "",
    photos: Iterable = (),
    matter_code: str | None = None,
    squad: Squad | None = None,
    client_uuid: uuid.UUID | str | None = None,
    received_at: datetime | None = None,
) -> Lead:
    """Receive a lead. Idempotent on ``client_uuid``: a resend (same UUID) returns the lead
    already received and changes nothing. The squad is ``squad`` if given, else the squad whose
    patrol area covers ``area_code``, else none (the bureau head assigns it). ``photos``: Django
    files or (name, bytes) pairs (JPEG, PNG, WebP; portal.photos checks them and keeps the original
    unaltered with its SHA-256), or ``portal.models.Photo`` objects already stored (grid's
    photos of the incident), linked as they are."""
    if client_uuid is not None:
        try:
            client_uuid = uuid.UUID(str(client_uuid))
        except ValueError:
            raise ActionError(
                _("客户端标识格式不正确。"),
                code="invalid",
                fields={"client_uuid": _("须为UUID。")},
            ) from None
        existing = Lead.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            return _receive(
                source=source,
                description=description,
                actor=actor,
                source_ref=source_ref,
                lat=lat,
                lng=lng,
                area_code=area_code,
                address=address,
                reporter=reporter,
                reporter_name=reporter_name,
                reporter_contact=reporter_contact,
                photos=photos,
                matter_code=matter_code,
                squad=squad,
                client_uuid=client_uuid or uuid.uuid4(),
                received_at=received_at,
            )
    except IntegrityError:
        # The same UUID arrived twice at once: the other request made it.
        found = Lead.objects.filter(client_uuid=client_uuid).first() if client_uuid else None
        if found is None:
            raise
        return found


def _receive(
    *,
    source,
    description,
    actor,
    source_ref,
    lat,
    lng,
    area_code,
    address,
    reporter,
    reporter_name,
    reporter_contact,
    photos,
    matter_code,
    squad,
    client_uuid,
    received_at,
) -> Lead:
    user = actor_user(actor)
    if user is not None and not (user.is_superuser or user.is_staff_member):
        raise Forbidden(_("您的角色不能登记执法线索。"), code="role_not_allowed")
    if source in (LeadSource.PATROL, LeadSource.INSPECTION) and user is not None:
        require_role(user, *scope_sel.ENFORCEMENT_ROLES)
    errors = {}
    if source not in LeadSource.values:
        errors["source"] = _("线索来源不正确。")
    description = (description or "").strip()
    if not description:
        errors["description"] = _("请描述线索内容。")
    photos = list(photos or ())
    if errors:
        raise ActionError(_("线索信息不完整。"), code="invalid", fields=errors)
    lat = _coordinate(lat, field="lat", low=-90, high=90)
    lng = _coordinate(lng, field="lng", low=-180, high=180)
    matter = matter_for_code(matter_code)
    linked = [p for p in photos if isinstance(p, Photo)]
    uploads = [p for p in photos if not isinstance(p, Photo)]
    checked = portal_photos.check_many(
        [_as_upload(p) for p in uploads], field="photos", max_count=MAX_PHOTOS - len(linked)
    )
    received_at = received_at or timezone.now()
    if not area_code and lat is not None and lng is not None:
        from enforcement.selectors.team import area_code_at

        area_code = area_code_at(lat, lng)
    if squad is None:
        squad = squad_for_area(area_code)
    lead = Lead(
        number=numbers.lead_number(clock.local_date(received_at).year),
        client_uuid=client_uuid,
        source=source,
        source_ref=(source_ref or "")[:64],
        description=description,
        address=(address or "")[:255],
        lat=lat,
        lng=lng,
        area_code=(area_code or "")[:40],
        matter=matter,
        reporter=reporter,
        reporter_name=(reporter_name or (reporter.display_name if reporter else ""))[:64],
        reporter_contact=(reporter_contact or (reporter.mobile if reporter else ""))[:64],
        squad=squad,
        received_at=received_at,
        created_by=user,
    )
    refresh_clock(lead)
    lead.save()
    stored = [*linked, *portal_photos.store_many(checked, actor=user, purpose="enforcement.lead")]
    LeadPhoto.objects.bulk_create([LeadPhoto(lead=lead, photo=p) for p in stored])
    LeadEvent.objects.create(
        lead=lead,
        actor=user,
        actor_label=actor_label(actor),
        action="receive",
        from_state="",
        to_state=lead.state,
        data={
            "source": source,
            "source_ref": lead.source_ref,
            "photos": [p.sha256 for p in stored],
        },
    )
    audit.record(
        actor=audit_actor(actor),
        action="enforcement.lead_receive",
        obj=lead,
        after={
            "source": source,
            "source_ref": lead.source_ref,
            "squad": squad.code if squad else None,
            "filing_due": lead.filing_due.isoformat(),
        },
    )
    notify_many(
        recipients=_squad_leaders(squad),
        kind="enforcement.lead_received",
        obj=lead,
        context={
            "number": lead.number,
            "source": lead.get_source_display(),
            "description": description[:80],
            "filing_due": lead.filing_due,
        },
        url=_url(lead),
    )
    return lead


# --- assignment and extension ----------------------------------------------------------------


@transaction.atomic
def lead_assign(*, lead: Lead, squad: Squad, actor, note: str = "") -> Lead:
    """Give the lead to a squad: the bureau head, or the leader of the squad holding it."""
    require_role(actor, roles.BUREAU_HEAD, roles.SQUAD_LEADER)
    lead = _lock(lead)
    if lead.squad_id is not None:
        require_squad(actor, lead.squad_id, leader=True)
    else:
        require_role(actor, roles.BUREAU_HEAD)
    before = lead.squad.code if lead.squad_id else None
    lead.squad = squad
    _move(lead, "assign", actor=actor, note=note, data={"from": before, "to": squad.code})
    notify_many(
        recipients=_squad_leaders(squad),
        kind="enforcement.lead_received",
        obj=lead,
        context={
            "number": lead.number,
            "source": lead.get_source_display(),
            "description": lead.description[:80],
            "filing_due": lead.filing_due,
        },
        url=_url(lead),
    )
    return lead


@transaction.atomic
def lead_request_extension(*, lead: Lead, actor, reason: str) -> LeadExtension:
    """Ask for 15 more working days (once per lead)."""
    require_role(actor, *scope_sel.SQUAD_ROLES, roles.BUREAU_HEAD)
    lead = _lock(lead)
    _require_lead_scope(actor, lead)
    if not lead.is_open:
        raise ActionError(_("线索已处理，无需延期。"), code="invalid_transition")
    if not (reason or "").strip():
        raise ActionError(
            _("请说明延期理由。"), code="reason_required", fields={"reason": _("必填。")}
        )
    if lead.extensions.exclude(status=LeadExtension.Status.REJECTED).exists():
        raise ActionError(_("立案期限只能延长一次。"), code="extension_once")
    extension = LeadExtension.objects.create(
        lead=lead,
        days=legal.FILING_EXTENSION_DAYS,
        reason=reason.strip(),
        requested_by=actor_user(actor),
    )
    LeadEvent.objects.create(
        lead=lead,
        actor=actor_user(actor),
        actor_label=actor_label(actor),
        action="request_extension",
        from_state=lead.state,
        to_state=lead.state,
        note=reason.strip(),
    )
    audit.record(
        actor=audit_actor(actor),
        action="enforcement.lead_request_extension",
        obj=lead,
        after={"days": extension.days},
    )
    notify_many(
        recipients=_bureau_heads(),
        kind="enforcement.lead_extension_requested",
        obj=lead,
        context={"number": lead.number, "reason": reason.strip()[:120]},
        url=_url(lead),
    )
    return extension


@transaction.atomic
def lead_decide_extension(*, extension: LeadExtension, actor, approve: bool, note: str = ""):
    """The bureau head approves (15 more working days) or refuses."""
    require_role(actor, roles.BUREAU_HEAD)
    extension = LeadExtension.objects.select_for_update().get(pk=extension.pk)
    if extension.status != LeadExtension.Status.PENDING:
        raise Conflict(_("该延期申请已审批。"), code="already_decided")
    lead = Lead.objects.select_for_update().get(pk=extension.lead_id)
    extension.status = LeadExtension.Status.APPROVED if approve else LeadExtension.Status.REJECTED
    extension.decided_by = actor_user(actor)
    extension.decided_at = timezone.now()
    extension.decision_note = note
    extension.save()
    before = lead.filing_due
    if approve and lead.is_open:
        lead.extension_days = extension.days
        refresh_clock(lead)
        lead.save(update_fields=["extension_days", "filing_due", "due_at", "warn_at"])
    LeadEvent.objects.create(
        lead=lead,
        actor=actor_user(actor),
        actor_label=actor_label(actor),
        action="approve_extension" if approve else "reject_extension",
        from_state=lead.state,
        to_state=lead.state,
        note=note,
        data={"filing_due": lead.filing_due.isoformat()},
    )
    audit.record(
        actor=audit_actor(actor),
        action="enforcement.lead_extension_" + ("approve" if approve else "reject"),
        obj=lead,
        before={"filing_due": before.isoformat()},
        after={"filing_due": lead.filing_due.isoformat()},
    )
    return extension


# --- the filing decision ---------------------------------------------------------------------

PARTY_FIELDS = (
    "party_kind",
    "party_name",
    "party_id_number",
    "party_credit_code",
    "party_representative",
    "party_address",
    "party_mobile",
)


@transaction.atomic
def lead_propose_filing(
    *,
    lead: Lead,
    actor,
    matter_code: str,
    officers: Sequence[Officer],
    facts: str,
    party: dict,
    other_matter_codes: Sequence[str] = (),
    note: str = "",
    today: date | None = None,
) -> Lead:
    """Propose filing (立案呈批): the matter, the party, the facts found so far and the two
    officers who will handle it (valid certificates today). The bureau head approves."""
    from enforcement.services.cases import clean_party

    require_role(actor, *scope_sel.SQUAD_ROLES)
    lead = _lock(lead)
    _require_lead_scope(actor, lead)
    today = today or timezone.localdate()
    from .team import require_certified

    errors = {}
    if not (facts or "").strip():
        errors["facts"] = _("请填写初步查明的违法事实。")
    try:
        matter = matter_for_code(matter_code, kinds=(Matter.Kind.PENALTY,), on=today)
    except ActionError as exc:
        errors.update(exc.fields)
        matter = None
    if matter is None and "matter_code" not in errors:
        errors["matter_code"] = _("请选择处罚事项。")
    others = []
    for code in other_matter_codes or ():
        if code and code != matter_code:
            others.append(matter_for_code(code, field="other_matter_codes", on=today).code)
    try:
        party = clean_party(party)
    except ActionError as exc:
        errors.update(exc.fields)
    if errors:
        raise ActionError(_("立案呈批信息不完整。"), code="invalid", fields=errors)
    valid = require_certified(list(officers), on=today)
    lead.proposal = {
        "matter_code": matter.code,
        "other_matter_codes": others,
        "facts": facts.strip(),
        "party": party,
        "officers": [o.pk for o in officers if o in valid],
        "note": note.strip(),
        "proposed_on": today.isoformat(),
    }
    lead.proposed_at = timezone.now()
    lead.proposed_by = actor_user(actor)
    lead.matter = matter
    _move(lead, "propose_filing", actor=actor, note=note, data={"matter": matter.code})
    notify_many(
        recipients=_bureau_heads(),
        kind="enforcement.lead_filing_proposed",
        obj=lead,
        context={"number": lead.number, "party": party["party_name"], "matter": matter.name},
        url=_url(lead),
    )
    return lead


@transaction.atomic
def lead_approve_filing(*, lead: Lead, actor, note: str = "", today: date | None = None):
    """The bureau head approves filing: the case is opened (立案) with the proposal's officers,
    and the lead's source is told (``lead_outcome`` "filed")."""
    from enforcement.services.cases import case_open_from_lead

    require_role(actor, roles.BUREAU_HEAD)
    lead = _lock(lead)
    today = today or timezone.localdate()
    lead.decided_at = timezone.now()
    lead.decided_by = actor_user(actor)
    _move(lead, "approve_filing", actor=actor, note=note)
    case = case_open_from_lead(lead=lead, actor=actor, today=today)
    send_lead_outcome(
        lead,
        outcome="filed",
        at=lead.decided_at,
        case_number=case.number,
        reason=_("已立案查处。"),
    )
    return case


@transaction.atomic
def lead_reject_filing(*, lead: Lead, actor, note: str) -> Lead:
    """The bureau head sends the proposal back (the lead stays open, the clock runs on)."""
    require_role(actor, roles.BUREAU_HEAD)
    if not (note or "").strip():
        raise ActionError(
            _("请写明退回意见。"), code="reason_required", fields={"note": _("必填。")}
        )
    lead = _lock(lead)
    _move(lead, "reject_filing", actor=actor, note=note.strip())
    if lead.proposed_by_id:
        notify_many(
            recipients=[lead.proposed_by],
            kind="enforcement.lead_filing_rejected",
            obj=lead,
            context={"number": lead.number, "note": note.strip()[:120]},
            url=_url(lead),
        )
    return lead


@transaction.atomic
def lead_not_file(*, lead: Lead, actor, reason: str, told_how: str = "") -> Lead:
    """Decide not to file (不予立案), with the reason; the source is told: a reporter with an
    account by message, a grid incident through ``lead_outcome``, others as ``told_how`` says."""
    require_role(actor, roles.SQUAD_LEADER, roles.BUREAU_HEAD)
    reason = (reason or "").strip()
    if not reason:
        raise ActionError(
            _("请写明不予立案的理由。"), code="reason_required", fields={"reason": _("必填。")}
        )
    lead = _lock(lead)
    _require_lead_scope(actor, lead, leader=True)
    now = timezone.now()
    lead.not_filed_reason = reason
    lead.decided_at = now
    lead.decided_by = actor_user(actor)
    told = []
    if lead.reporter_id:
        notify_many(
            recipients=[lead.reporter],
            kind="enforcement.lead_not_filed",
            obj=lead,
            context={"number": lead.number, "reason": reason},
        )
        told.append(_("站内消息告知报告人"))
    if lead.source == LeadSource.GRID_INCIDENT:
        told.append(_("反馈网格事件"))
    if told_how.strip():
        told.append(told_how.strip())
    lead.source_told_how = "；".join(str(t) for t in told)[:200]
    lead.source_told_at = now if told else None
    _move(lead, "not_file", actor=actor, note=reason, data={"told": lead.source_told_how})
    send_lead_outcome(lead, outcome="not_filed", at=now, reason=reason)
    return lead


@transaction.atomic
def lead_transfer(
    *,
    lead: Lead,
    actor,
    reason: str,
    body: Department | None = None,
    body_name: str = "",
    sent_on: date | None = None,
) -> Lead:
    """Transfer (移送) to the competent body with a letter; tracked until its receipt."""
    require_role(actor, roles.SQUAD_LEADER, roles.BUREAU_HEAD)
    reason = (reason or "").strip()
    name = body.name if body is not None else (body_name or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("请写明移送理由。")
    if not name:
        errors["body"] = _("请选择或填写接收机关。")
    if errors:
        raise ActionError(_("移送信息不完整。"), code="invalid", fields=errors)
    lead = _lock(lead)
    _require_lead_scope(actor, lead, leader=True)
    now = timezone.now()
    lead.transfer_body = body
    lead.transfer_body_name = name[:128]
    lead.transfer_reason = reason
    lead.transfer_sent_on = sent_on or timezone.localdate()
    lead.decided_at = now
    lead.decided_by = actor_user(actor)
    from enforcement.services import documents

    letter = documents.issue(
        kind="transfer_letter",
        actor=actor,
        on=lead.transfer_sent_on,
        lead=lead,
        addressee=name,
        rows=[
            ("线索编号", lead.number),
            ("线索来源", _chinese_label(lead.get_source_display)),
            ("地点", lead.address),
            ("接收线索日期", clock.local_date(lead.received_at).isoformat()),
        ],
        paragraphs=[
            f"本局于{clock.local_date(lead.received_at):%Y年%m月%d日}收到线索：{lead.description}",
            f"经审查，{reason.rstrip('。')}。根据《中华人民共和国行政处罚法》的有关规定，现将该线索及相关材料移送你单位依法处理。",
            "请于收到本函后及时将接收情况函告本局。",
        ],
        sign_lines=["接收单位签收"],
    )
    _move(
        lead,
        "transfer",
        actor=actor,
        note=reason,
        data={"body": name, "document": letter.number, "sha256": letter.sha256},
    )
    send_lead_outcome(
        lead,
        outcome="transferred",
        at=now,
        reason=_("移送%(body)s：%(reason)s") % {"body": name, "reason": reason},
    )
    return lead


@transaction.atomic
def lead_record_transfer_receipt(*, lead: Lead, actor, received_on: date, note: str = "") -> Lead:
    """The receiving body's receipt (回执) of a transferred lead."""
    require_role(actor, roles.SQUAD_LEADER, roles.BUREAU_HEAD, roles.ENFORCEMENT_OFFICER)
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    _require_lead_scope(actor, locked)
    if locked.state != LeadState.TRANSFERRED:
        raise ActionError(_("只有已移送的线索才能登记回执。"), code="invalid_transition")
    if locked.transfer_receipt_on is not None:
        raise Conflict(_("回执已登记。"), code="already_recorded")
    if received_on < locked.transfer_sent_on:
        raise ActionError(
            _("回执日期不能早于移送日期。"),
            code="invalid",
            fields={"received_on": _("回执日期不能早于移送日期。")},
        )
    locked.transfer_receipt_on = received_on
    locked.transfer_receipt_note = (note or "")[:200]
    locked.save(update_fields=["transfer_receipt_on", "transfer_receipt_note"])
    LeadEvent.objects.create(
        lead=locked,
        actor=actor_user(actor),
        actor_label=actor_label(actor),
        action="transfer_receipt",
        from_state=locked.state,
        to_state=locked.state,
        note=note,
        data={"received_on": received_on.isoformat()},
    )
    audit.record(
        actor=audit_actor(actor),
        action="enforcement.lead_transfer_receipt",
        obj=locked,
        after={"received_on": received_on.isoformat()},
    )
    return locked
