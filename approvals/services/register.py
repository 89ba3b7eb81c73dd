"""Every change to the register of delegated powers. Keyword-only, atomic, row-locked, audited.

Versions of one code never overlap (checked here, and by PostgreSQL's exclusion constraint
``matter_versions_no_overlap``). Dates follow one rule: an *effective date* is the first day of
the new state. Publishing a version from D ends the previous one on D-1; retiring (or taking
back) from D ends the version on D-1; a version retired from a date on or before its start
never takes effect (its dates are cleared, the audit trail keeps them).

Races: callers pass the object as they loaded it; the service locks the rows of the code and
raises Conflict (409) when someone else changed it first."""

import logging
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import (
    DelegationInstrument,
    DelegationItem,
    Material,
    Matter,
    RegisterImportJob,
)
from portal import audit
from portal.errors import ActionError, Conflict

log = logging.getLogger(__name__)

# Fields of a version that an administrator edits on a draft (the code, version, status and
# dates are managed by the services).
EDITABLE_FIELDS = [
    "name",
    "kind",
    "delegation_mode",
    "delegating_department",
    "handling_department",
    "category",
    "legal_basis",
    "audience",
    "name_en",
    "conditions",
    "visits",
    "office_address",
    "office_hours",
    "enquiry_phone",
    "complaint_phone",
    "faq",
    "statutory_days",
    "committed_days",
    "warning_days",
    "suspension_allowed",
    "extension_allowed",
    "max_extension_days",
    "fee_free",
    "fee_amount",
    "fee_basis",
    "channel_hall",
    "channel_online",
    "channel_self_service",
    "channel_proxy",
    "special_lane",
    "stages",
    "change_note",
]
MATERIAL_FIELDS = ["name", "form", "copies", "mandatory", "tolerated_missing", "notes", "order"]


def _today() -> date:
    return timezone.localdate()


def snapshot(matter: Matter) -> dict:
    """What the audit trail keeps of a version."""
    return {
        "code": matter.code,
        "version": matter.version,
        "status": matter.status,
        "valid_from": matter.valid_from,
        "valid_to": matter.valid_to,
        "name": matter.name,
        "kind": matter.kind,
        "delegation_mode": matter.delegation_mode,
        "delegating_department": matter.delegating_department_id,
        "handling_department": matter.handling_department_id,
        "statutory_days": matter.statutory_days,
        "committed_days": matter.committed_days,
        "revision": matter.revision,
    }


def _validation_fields(exc: ValidationError) -> dict:
    if hasattr(exc, "message_dict"):
        return exc.message_dict
    return {"non_field_errors": exc.messages}


def _full_clean(matter: Matter) -> None:
    try:
        matter.full_clean(exclude=["status"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        fields = _validation_fields(exc)
        first = next(iter(fields.values()))[0] if fields else _("数据有误。")
        raise ActionError(first, code="invalid", fields=fields) from None


def _lock_code(code: str) -> list[Matter]:
    """Lock every version of a code (in id order, so concurrent callers queue up)."""
    return list(Matter.objects.select_for_update().filter(code=code).order_by("id"))


def _locked(matter: Matter, versions: list[Matter]) -> Matter:
    for version in versions:
        if version.pk == matter.pk:
            return version
    raise Conflict(_("该事项版本已被删除，请刷新后再试。"), code="gone")


def _fmt(day: date | None) -> str:
    return day.isoformat() if day else _("长期")


def _check_no_overlap(
    code: str, start: date, end: date | None, versions: list[Matter], exclude: set
) -> None:
    """Raise when [start, end] overlaps a non-draft version of the code."""
    for other in versions:
        if other.pk in exclude or other.status == Matter.Status.DRAFT or not other.valid_from:
            continue
        other_end = other.valid_to or date.max
        if start <= other_end and other.valid_from <= (end or date.max):
            raise ActionError(
                _("与第%(version)s版（%(start)s至%(end)s）的有效期重叠。")
                % {
                    "version": other.version,
                    "start": _fmt(other.valid_from),
                    "end": _fmt(other.valid_to),
                },
                code="overlap",
                fields={"valid_from": [_("同一事项的各版本有效期不得重叠。")]},
            )


def _copy_materials(source: Matter, target: Matter) -> None:
    Material.objects.bulk_create(
        [
            Material(
                matter=target,
                name=m.name,
                form=m.form,
                copies=m.copies,
                mandatory=m.mandatory,
                tolerated_missing=m.tolerated_missing,
                blank_form=m.blank_form.name,
                sample_form=m.sample_form.name,
                notes=m.notes,
                order=m.order,
            )
            for m in source.materials.all()
        ]
    )


# --- drafts -------------------------------------------------------------------------------


@transaction.atomic
def matter_create(*, actor, code: str, fields: dict, materials: list[dict] | None = None) -> Matter:
    """A new matter: version 1 of a code the register does not know yet, as a draft."""
    code = (code or "").strip()
    if not code:
        raise ActionError(_("请填写事项编码。"), code="invalid", fields={"code": [_("必填。")]})
    if Matter.objects.filter(code=code).exists():
        raise ActionError(
            _("事项编码 %(code)s 已存在，请在该事项下新建版本。") % {"code": code},
            code="code_exists",
            fields={"code": [_("编码已存在。")]},
        )
    matter = Matter(code=code, version=1, status=Matter.Status.DRAFT)
    _assign(matter, fields)
    _full_clean(matter)
    try:
        with transaction.atomic():
            matter.save()
    except IntegrityError:
        raise Conflict(
            _("事项编码 %(code)s 刚被他人创建，请刷新后再试。") % {"code": code},
            code="code_exists",
        ) from None
    if materials:
        _replace_materials(matter, materials)
    audit.record(actor=actor, action="register.matter.create", obj=matter, after=snapshot(matter))
    return matter


def _assign(matter: Matter, fields: dict) -> None:
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise ActionError(_("不能修改字段 %(field)s。") % {"field": name}, code="invalid")
        if name in ("delegating_department", "handling_department", "category") and isinstance(
            value, int
        ):
            setattr(matter, f"{name}_id", value)
        else:
            setattr(matter, name, value)
    if not matter.extension_allowed:
        matter.max_extension_days = matter.max_extension_days or 0
    if matter.fee_free:
        matter.fee_amount = None


def _replace_materials(matter: Matter, materials: list[dict]) -> None:
    """Make the materials of a draft exactly ``materials``. A dict with an ``id`` of an
    existing material updates it; others are created; existing ones not listed are deleted.
    File keys: a File to store, False to clear, absent to keep."""
    existing = {m.pk: m for m in matter.materials.all()}
    keep = set()
    names = set()
    for order, data in enumerate(materials):
        name = (data.get("name") or "").strip()
        if not name:
            raise ActionError(
                _("材料名称不能为空。"),
                code="invalid",
                fields={"materials": [_("材料名称不能为空。")]},
            )
        if name in names:
            raise ActionError(
                _("材料“%(name)s”重复。") % {"name": name},
                code="invalid",
                fields={"materials": [_("材料“%(name)s”重复。") % {"name": name}]},
            )
        names.add(name)
        material = existing.get(data.get("id")) or Material(matter=matter)
        for field in MATERIAL_FIELDS:
            if field in data:
                setattr(material, field, data[field])
        material.name = name
        if "order" not in data:
            material.order = order
        for file_field in ("blank_form", "sample_form"):
            if file_field in data:
                value = data[file_field]
                if value is False:
                    setattr(material, file_field, "")
                elif value:
                    setattr(material, file_field, value)
        if material.pk:
            keep.add(material.pk)
        data["_obj"] = material
    to_delete = [pk for pk in existing if pk not in keep]
    if to_delete:
        Material.objects.filter(pk__in=to_delete).delete()
    for data in materials:
        material = data.pop("_obj")
        material.save()


@transaction.atomic
def matter_update_draft(
    *, actor, matter: Matter, revision: int, fields: dict, materials: list[dict] | None = None
) -> Matter:
    """Edit a draft. ``revision`` is the one the editor saw: if someone saved since, Conflict."""
    versions = _lock_code(matter.code)
    locked = _locked(matter, versions)
    if locked.status != Matter.Status.DRAFT:
        raise Conflict(
            _("该版本已%(status)s，不能再修改。") % {"status": locked.get_status_display()},
            code="not_draft",
        )
    if int(revision) != locked.revision:
        raise Conflict(
            _("该草稿已被他人修改（修订号 %(theirs)s），您的修改未保存，请刷新后重新编辑。")
            % {"theirs": locked.revision},
            code="stale_revision",
        )
    before = snapshot(locked)
    _assign(locked, fields)
    _full_clean(locked)
    locked.revision += 1
    locked.save()
    if materials is not None:
        _replace_materials(locked, materials)
    audit.record(
        actor=actor,
        action="register.matter.update",
        obj=locked,
        before=before,
        after=snapshot(locked),
    )
    return locked


@transaction.atomic
def matter_new_draft(*, actor, code: str) -> Matter:
    """A new draft version copied from the newest version of ``code`` (with its materials)."""
    versions = _lock_code(code)
    if not versions:
        raise ActionError(_("事项编码 %(code)s 不存在。") % {"code": code}, code="not_found")
    drafts = [v for v in versions if v.status == Matter.Status.DRAFT]
    if drafts:
        raise Conflict(
            _("该事项已有草稿（第%(version)s版），请先编辑或发布该草稿。")
            % {"version": drafts[0].version},
            code="draft_exists",
        )
    source = max(versions, key=lambda v: v.version)
    draft = Matter(code=code, version=source.version + 1, status=Matter.Status.DRAFT)
    for field in EDITABLE_FIELDS:
        if field in ("delegating_department", "handling_department", "category"):
            setattr(draft, f"{field}_id", getattr(source, f"{field}_id"))
        else:
            setattr(draft, field, getattr(source, field))
    draft.change_note = ""
    draft.save()
    _copy_materials(source, draft)
    audit.record(
        actor=actor,
        action="register.matter.new_draft",
        obj=draft,
        after=snapshot(draft),
        note=f"from v{source.version}",
    )
    return draft


@transaction.atomic
def matter_discard_draft(*, actor, matter: Matter) -> None:
    """Throw a draft away (drafts are not history; published versions never are deleted)."""
    versions = _lock_code(matter.code)
    locked = _locked(matter, versions)
    if locked.status != Matter.Status.DRAFT:
        raise Conflict(_("只能删除草稿。"), code="not_draft")
    if locked.delegation_items.exists():
        raise ActionError(_("该草稿已列入赋权书，请先从赋权书中移除。"), code="in_instrument")
    before = snapshot(locked)
    audit.record(actor=actor, action="register.matter.discard", obj=locked, before=before)
    locked.delete()


# --- publish and retire ---------------------------------------------------------------------


def _publish_locked(
    *, actor, draft: Matter, versions: list[Matter], valid_from: date, valid_to: date | None
) -> Matter:
    if draft.status != Matter.Status.DRAFT:
        raise Conflict(
            _("该版本已%(status)s，不能重复发布。") % {"status": draft.get_status_display()},
            code="not_draft",
        )
    if valid_to and valid_to < valid_from:
        raise ActionError(
            _("失效日期不得早于生效日期。"),
            code="invalid",
            fields={"valid_to": [_("失效日期不得早于生效日期。")]},
        )
    _full_clean(draft)
    # The version in force on the day before the new one starts — or on that day — ends then.
    ended = []
    for other in versions:
        if other.pk == draft.pk or other.status == Matter.Status.DRAFT or not other.valid_from:
            continue
        covers = other.valid_from <= valid_from and (
            other.valid_to is None or other.valid_to >= valid_from
        )
        if not covers:
            continue
        if other.valid_from >= valid_from:
            raise ActionError(
                _("第%(version)s版自 %(start)s 起生效，新版本须晚于该日期生效。")
                % {"version": other.version, "start": other.valid_from},
                code="overlap",
                fields={"valid_from": [_("生效日期须晚于现行版本的生效日期。")]},
            )
        before = snapshot(other)
        other.valid_to = valid_from - timedelta(days=1)
        other.save(update_fields=["valid_to", "updated_at"])
        ended.append((other, before))
    _check_no_overlap(draft.code, valid_from, valid_to, versions, exclude={draft.pk})
    before = snapshot(draft)
    draft.publish()
    draft.valid_from = valid_from
    draft.valid_to = valid_to
    draft.published_at = timezone.now()
    draft.published_by = actor if getattr(actor, "pk", None) else None
    draft.save()
    for other, other_before in ended:
        audit.record(
            actor=actor,
            action="register.matter.end",
            obj=other,
            before=other_before,
            after=snapshot(other),
            note=f"superseded by v{draft.version}",
        )
    audit.record(
        actor=actor,
        action="register.matter.publish",
        obj=draft,
        before=before,
        after=snapshot(draft),
    )
    return draft


@transaction.atomic
def matter_publish(
    *, actor, matter: Matter, valid_from: date, valid_to: date | None = None
) -> Matter:
    """Publish a draft from ``valid_from``; the version in force then ends the day before."""
    versions = _lock_code(matter.code)
    draft = _locked(matter, versions)
    return _publish_locked(
        actor=actor, draft=draft, versions=versions, valid_from=valid_from, valid_to=valid_to
    )


def _retire_locked(*, actor, version: Matter, effective: date, reason: str) -> Matter:
    if version.status != Matter.Status.PUBLISHED:
        raise Conflict(
            _("该版本当前为“%(status)s”，不能停用。") % {"status": version.get_status_display()},
            code="not_published",
        )
    if version.valid_to is not None and version.valid_to < effective:
        raise ActionError(
            _("该版本已于 %(end)s 失效，无需停用。") % {"end": version.valid_to},
            code="already_ended",
        )
    before = snapshot(version)
    version.retire()
    if version.valid_from and version.valid_from >= effective:
        # withdrawn before it took effect: never in force
        version.valid_from = None
        version.valid_to = None
    else:
        version.valid_to = effective - timedelta(days=1)
    version.retired_at = timezone.now()
    version.retire_reason = (reason or "")[:200]
    version.save()
    audit.record(
        actor=actor,
        action="register.matter.retire",
        obj=version,
        before=before,
        after=snapshot(version),
        note=version.retire_reason,
    )
    return version


@transaction.atomic
def matter_retire(*, actor, matter: Matter, effective: date, reason: str = "") -> Matter:
    """Stop a published version from ``effective`` on (it stays in force until the day before)."""
    versions = _lock_code(matter.code)
    version = _locked(matter, versions)
    return _retire_locked(actor=actor, version=version, effective=effective, reason=reason)


@transaction.atomic
def matters_publish_drafts(
    *, actor, codes: list[str], valid_from: date, valid_to: date | None = None
) -> list[Matter]:
    """Publish the drafts of several codes on one date (e.g. after an import). All or nothing."""
    published = []
    for code in sorted(set(codes)):
        versions = _lock_code(code)
        drafts = [v for v in versions if v.status == Matter.Status.DRAFT]
        if not drafts:
            raise Conflict(_("事项 %(code)s 没有待发布的草稿。") % {"code": code}, code="no_draft")
        try:
            published.append(
                _publish_locked(
                    actor=actor,
                    draft=drafts[0],
                    versions=versions,
                    valid_from=valid_from,
                    valid_to=valid_to,
                )
            )
        except ActionError as exc:
            raise type(exc)(f"{code}：{exc.message}", code=exc.code, fields=exc.fields) from None
    return published


# --- delegation instruments ----------------------------------------------------------------

INSTRUMENT_FIELDS = [
    "title",
    "document_number",
    "issuing_authority",
    "effective_date",
    "end_date",
    "notes",
]


def _instrument_clean(instrument: DelegationInstrument) -> None:
    try:
        instrument.full_clean(exclude=["status"])
    except ValidationError as exc:
        fields = _validation_fields(exc)
        first = next(iter(fields.values()))[0] if fields else _("数据有误。")
        raise ActionError(first, code="invalid", fields=fields) from None


@transaction.atomic
def instrument_create(*, actor, fields: dict, handover_list=None) -> DelegationInstrument:
    instrument = DelegationInstrument(created_by=actor if getattr(actor, "pk", None) else None)
    for name, value in fields.items():
        if name not in INSTRUMENT_FIELDS:
            raise ActionError(_("不能修改字段 %(field)s。") % {"field": name}, code="invalid")
        setattr(instrument, name, value)
    if handover_list:
        instrument.handover_list = handover_list
    _instrument_clean(instrument)
    instrument.save()
    audit.record(
        actor=actor,
        action="register.instrument.create",
        obj=instrument,
        after={
            "document_number": instrument.document_number,
            "effective_date": instrument.effective_date,
        },
    )
    return instrument


def _lock_instrument(instrument: DelegationInstrument) -> DelegationInstrument:
    locked = DelegationInstrument.objects.select_for_update().get(pk=instrument.pk)
    if locked.status != DelegationInstrument.Status.DRAFT:
        raise Conflict(_("该赋权书已登记生效，不能再修改。"), code="instrument_applied")
    return locked


@transaction.atomic
def instrument_update(
    *, actor, instrument: DelegationInstrument, fields: dict, handover_list=None
) -> DelegationInstrument:
    locked = _lock_instrument(instrument)
    before = {name: getattr(locked, name) for name in INSTRUMENT_FIELDS}
    for name, value in fields.items():
        if name not in INSTRUMENT_FIELDS:
            raise ActionError(_("不能修改字段 %(field)s。") % {"field": name}, code="invalid")
        setattr(locked, name, value)
    if handover_list:
        locked.handover_list = handover_list
    _instrument_clean(locked)
    locked.save()
    audit.record(
        actor=actor,
        action="register.instrument.update",
        obj=locked,
        before=before,
        after={name: getattr(locked, name) for name in INSTRUMENT_FIELDS},
    )
    return locked


def _check_item(action: str, code: str, on: date) -> Matter | None:
    """The matter version an item refers to, checked against the register on ``on``."""
    from approvals.selectors.register import matter_in_force

    if action not in DelegationItem.Action.values:
        raise ActionError(_("未知的类型。"), code="invalid", fields={"action": [_("未知的类型。")]})
    if not Matter.objects.filter(code=code).exists():
        raise ActionError(
            _("事项编码 %(code)s 不存在。") % {"code": code},
            code="not_found",
            fields={"code": [_("事项编码不存在。")]},
        )
    in_force = matter_in_force(code, on=on)
    if action == DelegationItem.Action.TAKE_BACK:
        if in_force is None:
            raise ActionError(
                _("事项 %(code)s 在 %(day)s 没有现行版本，无从收回。") % {"code": code, "day": on},
                code="not_in_force",
                fields={"code": [_("该日没有现行版本。")]},
            )
        return None
    draft = Matter.objects.filter(code=code, status=Matter.Status.DRAFT).first()
    if draft is None:
        raise ActionError(
            _("事项 %(code)s 没有草稿版本：赋权或调整须先准备好新版本草稿。") % {"code": code},
            code="no_draft",
            fields={"code": [_("没有草稿版本。")]},
        )
    if action == DelegationItem.Action.DELEGATE and in_force is not None:
        raise ActionError(
            _("事项 %(code)s 在 %(day)s 已有现行版本，应选择“调整”。") % {"code": code, "day": on},
            code="already_in_force",
            fields={"action": [_("已有现行版本，应选择“调整”。")]},
        )
    if action == DelegationItem.Action.ADJUST and in_force is None:
        raise ActionError(
            _("事项 %(code)s 在 %(day)s 没有现行版本，应选择“赋权”。") % {"code": code, "day": on},
            code="not_in_force",
            fields={"action": [_("没有现行版本，应选择“赋权”。")]},
        )
    return draft


@transaction.atomic
def instrument_add_item(
    *, actor, instrument: DelegationInstrument, action: str, code: str, note: str = ""
) -> DelegationItem:
    locked = _lock_instrument(instrument)
    code = (code or "").strip()
    if locked.items.filter(code=code).exists():
        raise ActionError(
            _("事项 %(code)s 已列入本赋权书。") % {"code": code},
            code="duplicate",
            fields={"code": [_("已列入本赋权书。")]},
        )
    matter = _check_item(action, code, locked.effective_date)
    last = locked.items.order_by("-order").values_list("order", flat=True).first() or 0
    item = DelegationItem.objects.create(
        instrument=locked, action=action, code=code, matter=matter, note=note, order=last + 1
    )
    audit.record(
        actor=actor,
        action="register.instrument.item_add",
        obj=locked,
        after={"action": action, "code": code, "matter": matter.pk if matter else None},
    )
    return item


@transaction.atomic
def instrument_remove_item(*, actor, item: DelegationItem) -> None:
    locked = _lock_instrument(item.instrument)
    item = DelegationItem.objects.filter(pk=item.pk, instrument=locked).first()
    if item is None:
        raise Conflict(_("该条目已被移除。"), code="gone")
    audit.record(
        actor=actor,
        action="register.instrument.item_remove",
        obj=locked,
        before={"action": item.action, "code": item.code},
    )
    item.delete()


@transaction.atomic
def instrument_apply(*, actor, instrument: DelegationInstrument) -> DelegationInstrument:
    """Register the instrument as in effect: every item at once, or none.
    delegate/adjust: its draft is published from the effective date (to the end date);
    take back: the version in force ends the day before the effective date."""
    locked = _lock_instrument(instrument)
    items = list(locked.items.order_by("order", "id"))
    if not items:
        raise ActionError(_("赋权书还没有列入任何事项。"), code="empty")
    for item in sorted(items, key=lambda i: i.code):
        versions = _lock_code(item.code)
        try:
            _check_item(item.action, item.code, locked.effective_date)
            if item.action == DelegationItem.Action.TAKE_BACK:
                in_force = [v for v in versions if v.in_force_on(locked.effective_date)]
                version = in_force[0]
                _retire_locked(
                    actor=actor,
                    version=version,
                    effective=locked.effective_date,
                    reason=_("依%(number)s收回") % {"number": locked.document_number},
                )
                item.matter = version
                item.save(update_fields=["matter"])
            else:
                drafts = [v for v in versions if v.status == Matter.Status.DRAFT]
                draft = drafts[0]
                if item.matter_id != draft.pk:
                    item.matter = draft
                    item.save(update_fields=["matter"])
                _publish_locked(
                    actor=actor,
                    draft=draft,
                    versions=versions,
                    valid_from=locked.effective_date,
                    valid_to=locked.end_date,
                )
        except ActionError as exc:
            raise type(exc)(
                f"{item.code}：{exc.message}", code=exc.code, fields=exc.fields
            ) from None
    locked.apply()
    locked.applied_at = timezone.now()
    locked.applied_by = actor if getattr(actor, "pk", None) else None
    locked.save()
    audit.record(
        actor=actor,
        action="register.instrument.apply",
        obj=locked,
        after={
            "effective_date": locked.effective_date,
            "items": [{"action": i.action, "code": i.code, "matter": i.matter_id} for i in items],
        },
    )
    return locked


# --- spreadsheet import jobs ------------------------------------------------------------------

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _enqueue(job: RegisterImportJob) -> None:
    """Start the background job once the transaction that created/advanced it commits."""
    from django.conf import settings

    from approvals import tasks

    queue = getattr(settings, "REGISTER_IMPORT_QUEUE", None)
    job_id = job.pk

    def send():
        try:
            if queue:
                tasks.register_import_run.apply_async(args=[job_id], queue=queue)
            else:
                tasks.register_import_run.delay(job_id)
        except Exception as exc:  # noqa: BLE001 - the broker is down: say so on the job page
            log.exception("register import job %s could not be queued", job_id)
            import_job_fail(
                job_id=job_id,
                message=_("后台任务无法启动（消息队列不可用）：%(error)s") % {"error": exc},
            )

    transaction.on_commit(send)


@transaction.atomic
def import_job_create(
    *,
    actor,
    file_name: str,
    content: bytes,
    retire_missing: bool = False,
    language: str = "zh-hans",
) -> RegisterImportJob:
    """Keep the uploaded file with a new job and queue its check and preview."""
    import hashlib

    if len(content) > MAX_UPLOAD_BYTES:
        raise ActionError(
            _("文件过大（上限 %(mb)s MB）。") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
            code="too_large",
            fields={"file": [_("文件过大。")]},
        )
    job = RegisterImportJob.objects.create(
        created_by=actor if getattr(actor, "pk", None) else None,
        file_name=(file_name or "register.xlsx")[:255],
        file_size=len(content),
        file_sha256=hashlib.sha256(content).hexdigest(),
        source=content,
        language=language or "zh-hans",
        retire_missing=retire_missing,
        progress_note=_("等待后台任务开始"),
    )
    audit.record(
        actor=actor,
        action="register.import.upload",
        obj=job,
        after={"file_name": job.file_name, "size": job.file_size, "sha256": job.file_sha256},
    )
    _enqueue(job)
    return job


def retire_confirmation_error(report: dict) -> ActionError:
    n, share = report.get("retired", 0), report.get("retire_share", 0)
    message = _("将停用 %(n)s 项，占现行事项 %(share)s%%：请输入将停用的事项数 %(n)s 以确认。") % {
        "n": n,
        "share": share,
    }
    return ActionError(message, code="retire_confirmation", fields={"retire_count": [message]})


@transaction.atomic
def import_job_request_apply(
    *, actor, job: RegisterImportJob, retire_count: int | str | None = None
) -> RegisterImportJob:
    """The administrator confirms the preview: queue the apply. One click wins. When the
    preview retires more than the configured share of the register, ``retire_count`` must be
    the number of versions it retires, typed in."""
    locked = RegisterImportJob.objects.select_for_update().get(pk=job.pk)
    if locked.status != RegisterImportJob.Status.READY:
        raise Conflict(
            _("该导入任务当前为“%(status)s”，不能确认导入。")
            % {"status": locked.get_status_display()},
            code="job_not_ready",
        )
    if not locked.report.get("has_changes"):
        raise ActionError(_("文件与现有清单一致，没有需要导入的变化。"), code="no_changes")
    if locked.report.get("confirm_retire"):
        try:
            typed = int(str(retire_count).strip())
        except (TypeError, ValueError):
            typed = None
        if typed != locked.report.get("retired"):
            raise retire_confirmation_error(locked.report)
    locked.status = RegisterImportJob.Status.APPLYING
    locked.progress = 0
    locked.progress_note = _("等待后台任务开始")
    locked.applied_by = actor if getattr(actor, "pk", None) else None
    locked.save(update_fields=["status", "progress", "progress_note", "applied_by", "updated_at"])
    audit.record(actor=actor, action="register.import.confirm", obj=locked)
    _enqueue(locked)
    return locked


def _restore_locked(*, actor, record: dict, versions: list[Matter], today: date, note: str):
    """Bring a retired version back in force as a new published version (same content and
    materials) from ``today`` or its own start, whichever is later. Returns it, or None when
    the code is in force (or scheduled) again or the version would have ended anyway."""
    retired = next((v for v in versions if v.pk == record["id"]), None)
    if retired is None or retired.status != Matter.Status.RETIRED:
        return None
    start = max(today, date.fromisoformat(record["valid_from"])) if record["valid_from"] else today
    end = date.fromisoformat(record["valid_to"]) if record["valid_to"] else None
    if end is not None and end < start:
        return None
    live = [
        v
        for v in versions
        if v.status == Matter.Status.PUBLISHED and (v.valid_to is None or v.valid_to >= start)
    ]
    if live:
        return None
    restored = Matter(
        code=retired.code,
        version=max(v.version for v in versions) + 1,
        status=Matter.Status.PUBLISHED,
        valid_from=start,
        valid_to=end,
        published_at=timezone.now(),
        published_by=actor if getattr(actor, "pk", None) else None,
    )
    for field in EDITABLE_FIELDS:
        if field in ("delegating_department", "handling_department", "category"):
            setattr(restored, f"{field}_id", getattr(retired, f"{field}_id"))
        else:
            setattr(restored, field, getattr(retired, field))
    restored.change_note = note[:200]
    restored.save()
    _copy_materials(retired, restored)
    audit.record(
        actor=actor,
        action="register.matter.restore",
        obj=restored,
        after=snapshot(restored),
        note=f"v{retired.version}: {note}"[:500],
    )
    return restored


@transaction.atomic
def import_job_undo_retirements(*, actor, job: RegisterImportJob, today: date | None = None):
    """Undo, in one step, what an import retired: each retired version comes back in force as
    a new version (history keeps the gap). Allowed once, for REGISTER_IMPORT_UNDO_DAYS days
    after the import. Returns {"restored": [codes], "skipped": [codes]}."""
    locked = RegisterImportJob.objects.select_for_update().get(pk=job.pk)
    if locked.undone_at is not None:
        raise Conflict(
            _("本次导入的停用已于 %(at)s 撤销。")
            % {"at": timezone.localtime(locked.undone_at).strftime("%Y-%m-%d %H:%M")},
            code="already_undone",
        )
    if locked.status != RegisterImportJob.Status.APPLIED or not locked.retired_versions:
        raise ActionError(_("本次导入没有停用任何事项，无需撤销。"), code="nothing_to_undo")
    if not locked.can_undo_retirements():
        raise ActionError(
            _("导入已超过 %(days)s 天，不能再一键撤销停用；请逐项新建版本并发布。")
            % {"days": RegisterImportJob.undo_days()},
            code="undo_expired",
        )
    today = today or _today()
    note = _("撤销导入“%(file)s”的停用") % {"file": locked.file_name}
    restored, skipped = [], []
    for record in sorted(locked.retired_versions, key=lambda r: (r["code"], r["version"])):
        versions = _lock_code(record["code"])
        matter = _restore_locked(
            actor=actor, record=record, versions=versions, today=today, note=note
        )
        (restored if matter else skipped).append(record["code"])
    locked.undone_at = timezone.now()
    locked.undone_by = actor if getattr(actor, "pk", None) else None
    locked.save(update_fields=["undone_at", "undone_by", "updated_at"])
    audit.record(
        actor=actor,
        action="register.import.undo",
        obj=locked,
        after={"restored": len(restored), "skipped": skipped},
    )
    return {"restored": restored, "skipped": skipped}


def import_job_run(*, job_id: int) -> str | None:
    """Run whatever the job is waiting for (called by the Celery task). Safe to run twice."""
    from django.utils import translation

    from approvals import register_io

    job = RegisterImportJob.objects.filter(pk=job_id).first()
    if job is None:
        log.warning("register import job %s does not exist", job_id)
        return None
    with translation.override(job.language):
        if job.status in (RegisterImportJob.Status.QUEUED, RegisterImportJob.Status.CHECKING):
            register_io.job_check(job)
        elif job.status == RegisterImportJob.Status.APPLYING:
            register_io.job_apply(job)
    return RegisterImportJob.objects.filter(pk=job_id).values_list("status", flat=True).first()


def import_job_fail(*, job_id: int, message: str) -> None:
    """The job failed for good (after its retries): show it where staff look."""
    RegisterImportJob.objects.filter(pk=job_id).exclude(
        status__in=[RegisterImportJob.Status.APPLIED, RegisterImportJob.Status.INVALID]
    ).update(
        status=RegisterImportJob.Status.FAILED,
        failure=message[:2000],
        progress_note=_("后台任务失败"),
        updated_at=timezone.now(),
    )
    job = RegisterImportJob.objects.filter(pk=job_id).only("id", "file_name").first()
    if job:
        audit.record(actor="worker", action="register.import.fail", obj=job, note=message[:500])
