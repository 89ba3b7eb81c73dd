"""Every state change of an application. Keyword-only, atomic, row-locked, audited.

Races: callers pass the application as they loaded it. The service locks the row; if its state
moved on in the meantime (someone else acted first) it raises Conflict (409); if the state is
unchanged but the action is not allowed in it, ActionError (400) with a stable code."""

import hashlib
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from approvals.models import (
    Application,
    ApplicationMaterial,
    ApplicationNumberCounter,
    CorrectionNotice,
    Extension,
    MaterialFile,
    Matter,
    Notice,
    State,
    StateChange,
    Suspension,
)
from approvals.selectors import applications as sel
from portal import audit, counters, roles, workdays
from portal.errors import ActionError, Conflict, Forbidden, NotFound
from portal.models import Area
from portal.models.areas import VILLAGE_KINDS
from portal.notifications import notify_many
from portal.site import site_url

DEEMED_ACCEPTANCE_DAYS = 5
RELEASE_DAYS = 10  # art. 44: the certificate within 10 working days of a grant

ALLOWED_UPLOADS = {
    b"%PDF-": ("application/pdf", "pdf"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
}


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _label(actor) -> str:
    return str(actor) if getattr(actor, "pk", None) else "系统"


# --- locking, history, roles -----------------------------------------------------------------


def _lock(application: Application) -> Application:
    """Lock the row; Conflict when someone changed its state since the caller loaded it."""
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("matter", "department", "applicant")
        .get(pk=application.pk)
    )
    if locked.state != application.state:
        raise Conflict(
            _("该办件已被他人处理（当前状态：%(state)s），请刷新后再试。")
            % {"state": locked.get_state_display()},
            code="state_changed",
        )
    return locked


def _conflict_if_just_moved(application: Application, transition, actor) -> None:
    """A lost race is a 409, always: when the action was allowed in the state the application
    was in before someone else's last move, the caller acted on that earlier state (it read
    the object before the other person's change, or sent its request before seeing it)."""
    meta = getattr(transition, "_django_fsm", None)
    if meta is None or not application.pk:
        return
    last = application.history.order_by("-at", "-id").only("from_state", "actor_id").first()
    if last is None or last.from_state == application.state:
        return
    if last.actor_id is not None and last.actor_id == getattr(actor, "pk", None):
        return  # the caller's own last step (a second click): not a race, a 400
    if meta.has_transition(last.from_state):
        raise Conflict(
            _("该办件已被他人处理（当前状态：%(state)s），请刷新后再试。")
            % {"state": application.get_state_display()},
            code="state_changed",
        )


def _ensure(application: Application, transition, code: str = "invalid_transition", actor=None):
    if not can_proceed(transition):
        _conflict_if_just_moved(application, transition, actor)
        raise ActionError(
            _("办件当前状态（%(state)s）不允许此操作。")
            % {"state": application.get_state_display()},
            code=code,
        )


def _move(
    application: Application,
    transition_name: str,
    *,
    actor,
    note: str = "",
    data=None,
    save_fields=(),
):
    """Run the FSM transition, save, and write history and audit in the same transaction."""
    before = application.state
    transition = getattr(application, transition_name)
    _ensure(application, transition, actor=actor)
    transition()
    application.save()
    StateChange.objects.create(
        application=application,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=_label(actor),
        action=transition_name,
        from_state=before,
        to_state=application.state,
        note=note,
        data=data or {},
    )
    audit.record(
        actor=actor if getattr(actor, "pk", None) else "system",
        action=f"application.{transition_name}",
        obj=application,
        before={"state": before},
        after={"state": application.state, **({"note": note} if note else {})},
    )


def _require_role(actor, *role_names: str):
    if not (getattr(actor, "is_authenticated", False) and actor.has_role(*role_names)):
        raise Forbidden(_("您的角色不能执行此操作。"), code="role_not_allowed")


def _require_clerk_for(actor, application: Application, *, release: bool = False):
    _require_role(actor, roles.WINDOW_CLERK)
    if application.department_id not in sel.clerk_department_ids(actor, release_only=release):
        raise Forbidden(
            _("该办件不属于您值守的窗口。") if not release else _("请在出件窗口办理出件。"),
            code="not_your_window",
        )


def _require_reviewer_for(actor, application: Application):
    _require_role(actor, roles.REVIEWER)
    if sel.staff_department_id(actor) != application.department_id:
        raise Forbidden(_("该办件不属于您所在部门。"), code="not_your_department")


def _require_handler(actor, application: Application):
    _require_reviewer_for(actor, application)
    if application.handler_id != actor.pk:
        raise Forbidden(_("该办件由其他审查人员承办。"), code="not_your_application")


def _require_applicant_side(actor, application: Application):
    if not sel.is_applicant_side(actor, application):
        raise Forbidden(_("只有申请人或其代办人可以执行此操作。"), code="not_applicant")


def _tell_applicant(application: Application, kind: str, **context):
    """Tell the applicant (and the proxy agent who filed it): in-app now, SMS/e-mail once the
    transaction commits (portal.notifications writes its outbox in this transaction, so a
    rolled-back change tells nobody). Text: templates/notifications/application.<kind>.txt,
    in each person's own language."""
    people = {application.applicant_id: application.applicant}
    if application.proxy_agent_id:
        people[application.proxy_agent_id] = application.proxy_agent
    url = reverse("approvals:application-detail", args=[application.reference])
    base = {"number": application.number, "matter_name": application.matter.name}
    notify_many(
        recipients=people.values(),
        kind=f"application.{kind}",
        obj=application,
        context={**base, **context},
        url=url,
    )


# --- the clock -------------------------------------------------------------------------------


def refresh_clock(application: Application, today: date | None = None) -> None:
    """Recompute due dates from acceptance, suspension periods and approved extensions."""
    if application.accepted_on is None:
        application.due_date = application.statutory_due_date = application.warning_date = None
        application.paused_days = 0
        return
    today = _today(today)
    paused = 0
    for suspension in application.suspensions.all():
        end = suspension.ended_on or max(today, suspension.started_on)
        paused += max(0, workdays.working_days_between(suspension.started_on, end))
    matter = application.matter
    extension = application.extension_days
    start = application.accepted_on
    application.paused_days = paused
    application.due_date = workdays.add_working_days(
        start, matter.committed_days + extension + paused
    )
    application.statutory_due_date = workdays.add_working_days(
        start, matter.statutory_days + extension + paused
    )
    application.warning_date = workdays.working_day_on_or_before(
        application.due_date, matter.effective_warning_days + 1
    )


# --- numbers ---------------------------------------------------------------------------------


def allocate_number(day: date) -> str:
    """The next application number of ``day``. Must run inside the caller's transaction: the
    counter row stays locked until commit, and a rollback returns the number."""
    seq = counters.next_value(ApplicationNumberCounter, day=day)
    fmt = settings.ONEWINDOW.get("APPLICATION_NUMBER_FORMAT", "{town_code}{day:%Y%m%d}{seq:05d}")
    return fmt.format(town_code=settings.ONEWINDOW["TOWN_CODE"], day=day, seq=seq)


# --- notices ---------------------------------------------------------------------------------


def _issue_notice(application: Application, kind: str, *, actor, **fields) -> Notice:
    """Freeze the notice's content at issue; its PDF is rendered from this snapshot on demand
    (approvals.notices), so a notice never changes after it was given."""
    from approvals.notices import NoticeContext, make_notice_number, validate_notice

    today = timezone.localdate()
    sequence = application.notices.filter(kind=kind).count() + 1
    town = settings.ONEWINDOW["TOWN_NAME"]
    context = NoticeContext(
        town_name=town,
        department_name=application.department.name,
        application_number=application.number,
        matter_name=application.matter.name,
        applicant_name=application.applicant_name,
        applicant_id_masked=_mask(application.applicant_id_number),
        issued_on=today,
        notice_number=make_notice_number(
            kind, application.number, town_name=town, year=today.year, sequence=sequence
        ),
        notice_sequence=sequence,
        received_on=application.received_on,
        accepted_on=application.accepted_on,
        due_date=application.due_date,
        statutory_due_date=application.statutory_due_date,
        decided_on=application.decided_on,
        release_due_date=application.release_due_on,
        unconfirmed_years=[
            d.year
            for d in (
                application.due_date,
                application.statutory_due_date,
                fields.get("materials_due_date"),
            )
            if d and not workdays.is_confirmed(d)
        ],
        status_url=site_url(f"/status/?number={application.number}"),
        **fields,
    )
    validate_notice(kind, context)
    notice = Notice.objects.create(
        application=application,
        kind=kind,
        number=context.notice_number,
        issued_by=actor if getattr(actor, "pk", None) else None,
        context=context.to_json(),
    )
    audit.record(
        actor=actor if getattr(actor, "pk", None) else "system",
        action="notice.issue",
        obj=application,
        after={"kind": kind, "number": notice.number},
    )
    return notice


def _village(village) -> Area:
    """A village or community in force (an Area, or its code)."""
    if isinstance(village, str):
        found = Area.objects.active().villages().filter(code=village).first()
    else:
        found = village if village.kind in VILLAGE_KINDS and village.is_active() else None
    if found is None:
        raise ActionError(
            _("请选择在用的村（社区）。"),
            code="invalid_village",
            fields={"village": _("没有该村（社区）。")},
        )
    return found


def _mask(id_number: str) -> str:
    from portal.idnumber import mask

    return mask(id_number) if id_number else ""


# --- drafts and submission -------------------------------------------------------------------

_CHANNEL_FLAG = {
    Application.Channel.ONLINE: "channel_online",
    Application.Channel.HALL: "channel_hall",
    Application.Channel.PROXY: "channel_proxy",
    Application.Channel.SELF_SERVICE: "channel_self_service",
}


@transaction.atomic
def application_create(
    *,
    actor,
    matter: Matter,
    channel: str,
    applicant=None,
    window=None,
    proxy_consent: str = "",
    applicant_kind: str = Application.ApplicantKind.PERSON,
    organisation_name: str = "",
    credit_code: str = "",
    address: str = "",
    village=None,
    details: dict | None = None,
    ticket=None,
    today: date | None = None,
) -> Application:
    """A new draft. Online: the citizen for themselves. Hall: a clerk for a walk-in resident.
    Proxy: a village proxy agent for a resident, with the resident's consent recorded."""
    today = _today(today)
    in_force = sel.matter_version_in_force(matter.code, today)
    if in_force is None:
        raise ActionError(
            _("该事项当前不在办理范围内。"),
            code="matter_not_in_force",
            fields={"matter": _("事项未发布或已停用。")},
        )
    if in_force.is_ex_officio:
        raise ActionError(
            _("“%(name)s”由执法部门依法主动实施，不受理申请。") % {"name": in_force.name},
            code="not_appliable",
            fields={"matter": _("行政处罚、行政强制和行政检查事项不能申请。")},
        )
    if not getattr(in_force, _CHANNEL_FLAG[channel]):
        raise ActionError(
            _("该事项不支持%(channel)s。") % {"channel": Application.Channel(channel).label},
            code="channel_not_offered",
            fields={"channel": _("该事项不支持此办理渠道。")},
        )
    if applicant_kind == Application.ApplicantKind.ORGANISATION or organisation_name:
        _check_applicant_kind(in_force, applicant_kind)
    first_contact = None
    proxy_agent = None
    consent_at = None
    if channel == Application.Channel.ONLINE or channel == Application.Channel.SELF_SERVICE:
        _require_role(actor, roles.CITIZEN)
        applicant = actor
    elif channel == Application.Channel.HALL:
        _require_role(actor, roles.WINDOW_CLERK)
        if applicant is None:
            raise ActionError(
                _("请先确定申请人。"), code="applicant_required", fields={"applicant": _("必填。")}
            )
        if window is None:
            windows = list(actor.staff_profile.windows.all())
            window = windows[0] if windows else None
        first_contact = actor
    elif channel == Application.Channel.PROXY:
        _require_role(actor, roles.PROXY_AGENT)
        if applicant is None:
            raise ActionError(
                _("请先确定被代办的村民。"),
                code="applicant_required",
                fields={"applicant": _("必填。")},
            )
        if not proxy_consent.strip():
            raise ActionError(
                _("请记录村民同意委托代办的情况。"),
                code="consent_required",
                fields={"proxy_consent": _("必须记录村民的委托同意。")},
            )
        proxy_agent = actor
        consent_at = timezone.now()
        first_contact = actor
    village = _village(village) if village is not None else None
    if village is None:  # the applicant's own village, else (by proxy) the agent's
        village = applicant.village or (proxy_agent.village if proxy_agent else None)
    application = Application(
        matter=in_force,
        department=in_force.handling_department,
        delegating_department=in_force.delegating_department,
        applicant=applicant,
        applicant_kind=applicant_kind,
        applicant_name=applicant.real_name or applicant.username,
        applicant_id_number=applicant.id_number or "",
        applicant_mobile=applicant.mobile or "",
        organisation_name=organisation_name,
        credit_code=credit_code,
        address=address,
        village=village,
        details=details or {},
        channel=channel,
        filed_by=actor,
        proxy_agent=proxy_agent,
        proxy_consent=proxy_consent.strip(),
        proxy_consent_at=consent_at,
        first_contact=first_contact,
        window=window,
        ticket=ticket,
    )
    application.save()
    ApplicationMaterial.objects.bulk_create(
        [
            ApplicationMaterial(
                application=application,
                material=m,
                name=m.name,
                mandatory=m.mandatory,
                tolerated_missing_allowed=m.tolerated_missing,
                order=m.order,
            )
            for m in in_force.materials.all()
        ]
    )
    audit.record(
        actor=actor,
        action="application.create",
        obj=application,
        after={"channel": channel, "matter": in_force.code},
    )
    return application


DRAFT_FIELDS = (
    "applicant_kind",
    "organisation_name",
    "credit_code",
    "address",
    "village",
    "details",
    "applicant_mobile",
    "declaration_accepted",
)


def _check_applicant_kind(matter: Matter, kind: str) -> None:
    """The register's 办理对象 decides who may apply: a matter for persons takes no
    organisation, a matter for organisations no private person."""
    if kind == Application.ApplicantKind.ORGANISATION and not matter.for_organisations:
        raise ActionError(
            _("本事项只受理个人申请。"),
            code="applicant_kind_not_allowed",
            fields={"applicant_kind": _("本事项只受理个人申请。")},
        )
    if kind == Application.ApplicantKind.PERSON and not matter.for_persons:
        raise ActionError(
            _("本事项只受理法人或其他组织申请，请填写单位信息。"),
            code="applicant_kind_not_allowed",
            fields={"applicant_kind": _("本事项只受理法人或其他组织申请。")},
        )


@transaction.atomic
def application_update_draft(*, application: Application, actor, **fields) -> Application:
    application = _lock(application)
    _require_applicant_side(actor, application)
    if application.state not in (State.DRAFT, State.CORRECTION):
        raise ActionError(_("只有草稿或待补正的办件可以修改。"), code="not_editable")
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise ActionError(
            _("不能修改这些字段。"),
            code="invalid_fields",
            fields={f: _("不可修改。") for f in unknown},
        )
    if "applicant_kind" in fields:
        _check_applicant_kind(application.matter, fields["applicant_kind"])
    if fields.get("village") is not None:
        fields["village"] = _village(fields["village"])
    for name, value in fields.items():
        setattr(application, name, value)
    application.full_clean(exclude=["matter", "department", "applicant", "filed_by", "state"])
    application.save()
    return application


def _sniff(uploaded) -> tuple[str, str] | None:
    uploaded.seek(0)
    head = uploaded.read(8)
    uploaded.seek(0)
    for magic, kind in ALLOWED_UPLOADS.items():
        if head.startswith(magic):
            return kind
    return None


@transaction.atomic
def material_upload(
    *, application: Application, actor, application_material: ApplicationMaterial, uploaded
) -> MaterialFile:
    """Store one uploaded file for a material, checked by content (PDF, JPEG, PNG) and size."""
    application = _lock(application)
    if application_material.application_id != application.pk:
        raise ActionError(_("材料不属于该办件。"), code="material_mismatch")
    applicant_side = sel.is_applicant_side(actor, application)
    clerk = actor.has_role(
        roles.WINDOW_CLERK
    ) and application.department_id in sel.clerk_department_ids(actor)
    supplying_tolerated = (
        application_material.status == ApplicationMaterial.Status.TOLERATED
        and application.state in (State.ACCEPTED, State.IN_REVIEW, State.SUSPENDED)
    )
    if application.state in (State.DRAFT, State.CORRECTION):
        allowed = applicant_side or (clerk and application.state == State.DRAFT)
    elif application.state == State.SUBMITTED:
        allowed = clerk
    else:
        allowed = supplying_tolerated and (applicant_side or clerk)
    if not allowed:
        raise Forbidden(_("当前不能为该办件上传材料。"), code="upload_not_allowed")
    limit = settings.ONEWINDOW.get("MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
    if uploaded.size > limit:
        raise ActionError(
            _("文件过大：不能超过 %(mb)s MB。") % {"mb": limit // (1024 * 1024)},
            code="file_too_large",
            fields={"file": _("文件过大。")},
        )
    if uploaded.size == 0:
        raise ActionError(_("文件是空的。"), code="file_empty", fields={"file": _("文件是空的。")})
    kind = _sniff(uploaded)
    if kind is None:
        raise ActionError(
            _("只接受 PDF、JPEG 或 PNG 文件（按文件内容判断，不看扩展名）。"),
            code="file_type",
            fields={"file": _("文件类型不受支持。")},
        )
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    stored = MaterialFile(
        application_material=application_material,
        original_name=(getattr(uploaded, "name", "") or "upload")[:255],
        content_type=kind[0],
        size=uploaded.size,
        sha256=digest.hexdigest(),
        submission_round=application.submission_round,
        uploaded_by=actor,
    )
    stored.file.save(f"upload.{kind[1]}", uploaded, save=False)
    stored.save()
    if supplying_tolerated:
        application_material.supplied_on = timezone.localdate()
        application_material.status = ApplicationMaterial.Status.RECEIVED
        application_material.save(update_fields=["supplied_on", "status"])
    audit.record(
        actor=actor,
        action="application.upload",
        obj=application,
        after={"material": application_material.name, "file": stored.pk, "sha256": stored.sha256},
    )
    return stored


@transaction.atomic
def material_file_remove(*, application: Application, actor, file_id: int) -> str:
    """Take a wrong upload back out of a draft (the file goes once the transaction commits).
    Only on a draft, by the applicant side: what was submitted is the window's record."""
    application = _lock(application)
    _require_applicant_side(actor, application)
    if application.state != State.DRAFT:
        raise Conflict(_("申请已经提交，不能再删除已上传的文件。"), code="not_a_draft")
    stored = (
        MaterialFile.objects.select_related("application_material")
        .filter(pk=file_id, application_material__application=application)
        .first()
    )
    if stored is None:
        raise NotFound(_("该文件已经删除。"), code="file_not_found")
    name, material = stored.original_name, stored.application_material.name
    storage, path = stored.file.storage, stored.file.name
    stored.delete()
    transaction.on_commit(lambda: storage.delete(path))
    audit.record(
        actor=actor,
        action="application.file_remove",
        obj=application,
        before={"material": material, "file": file_id, "name": name},
    )
    return name


@transaction.atomic
def application_submit(
    *, application: Application, actor, today: date | None = None
) -> Application:
    today = _today(today)
    application = _lock(application)
    _ensure(application, application.submit, actor=actor)
    if application.state == State.DRAFT:
        if not (sel.is_applicant_side(actor, application) or application.filed_by_id == actor.pk):
            raise Forbidden(_("只有填报人可以提交。"), code="not_applicant")
    else:
        _require_applicant_side(actor, application)
    if application.channel == Application.Channel.ONLINE and not application.declaration_accepted:
        raise ActionError(
            _("请阅读并确认承诺声明后再提交。"),
            code="declaration_required",
            fields={"declaration_accepted": _("必须确认承诺声明。")},
        )
    _check_applicant_kind(application.matter, application.applicant_kind)
    resubmission = application.state == State.CORRECTION
    if not application.number:
        application.number = allocate_number(today)
    application.submission_round += 1
    application.submitted_at = timezone.now()
    application.received_on = today
    application.deemed_acceptance_on = workdays.add_working_days(today, DEEMED_ACCEPTANCE_DAYS)
    if resubmission:
        application.materials.filter(
            status__in=[ApplicationMaterial.Status.MISSING, ApplicationMaterial.Status.DEFICIENT]
        ).update(status=ApplicationMaterial.Status.PENDING)
        application.correction_notices.filter(resolved_on__isnull=True).update(resolved_on=today)
    _move(application, "submit", actor=actor, note=_("补正后重新提交") if resubmission else "")
    from approvals.next_steps import intake_by

    _tell_applicant(
        application,
        "submitted",
        intake_by=intake_by(application),
        committed_days=application.matter.committed_days,
    )
    return application


# --- intake ----------------------------------------------------------------------------------


def _apply_checks(
    application: Application, checks: list[dict] | None, today: date
) -> list[ApplicationMaterial] | None:
    """The application's materials as checked and saved (None: no checks, nothing read)."""
    if not checks:
        return None
    by_id = {m.pk: m for m in application.materials.all()}
    as_read = {pk: _check_values(m) for pk, m in by_id.items()}
    errors = {}
    for check in checks:
        item = by_id.get(int(check.get("id", 0) or 0))
        if item is None:
            errors[f"materials.{check.get('id')}"] = _("材料不存在。")
            continue
        status = check.get("status")
        if (
            status not in ApplicationMaterial.Status.values
            or status == ApplicationMaterial.Status.PENDING
        ):
            errors[f"materials.{item.pk}"] = _("请选择核验结果。")
            continue
        item.status = status
        item.problem = (check.get("problem") or "").strip()
        if status == ApplicationMaterial.Status.DEFICIENT and not item.problem:
            errors[f"materials.{item.pk}"] = _("请说明“%(name)s”不符合要求之处。") % {
                "name": item.name
            }
        if status == ApplicationMaterial.Status.TOLERATED:
            if not item.tolerated_missing_allowed:
                errors[f"materials.{item.pk}"] = _("“%(name)s”不在容缺受理范围内。") % {
                    "name": item.name
                }
            promised = check.get("promised_on")
            if isinstance(promised, str) and promised:
                try:
                    promised = date.fromisoformat(promised)
                except ValueError:
                    promised = None
            if not promised or promised <= today:
                errors[f"materials.{item.pk}"] = _(
                    "请填写“%(name)s”的承诺补交日期（今天以后）。"
                ) % {"name": item.name}
            commitment = (check.get("commitment") or "").strip()
            if not commitment:
                errors[f"materials.{item.pk}.commitment"] = _("请记录申请人的容缺承诺。")
            item.promised_on = promised if isinstance(promised, date) else None
            item.commitment = commitment
        else:
            item.promised_on = None
            item.commitment = ""
    if errors:
        raise ActionError(_("材料核验有误，请按提示修改。"), code="invalid_checks", fields=errors)
    materials = list(by_id.values())
    # What the checks changed, one UPDATE per distinct outcome (usually one: every material
    # received): the rows end as bulk_update left them, without its CASE per field and row,
    # whose compiling was the acceptance's costliest Python (issue 19).
    changed: dict[tuple, list[int]] = {}
    for m in materials:
        values = _check_values(m)
        if values != as_read[m.pk]:
            changed.setdefault(values, []).append(m.pk)
    for (status, problem, promised_on, commitment), pks in changed.items():
        ApplicationMaterial.objects.filter(pk__in=pks).update(
            status=status, problem=problem, promised_on=promised_on, commitment=commitment
        )
    return materials


def _check_values(material: ApplicationMaterial) -> tuple:
    return (material.status, material.problem, material.promised_on, material.commitment)


@transaction.atomic
def application_accept(
    *, application: Application, actor, checks: list[dict] | None = None, today: date | None = None
) -> Application:
    today = _today(today)
    application = _lock(application)
    _require_clerk_for(actor, application)
    _ensure(application, application.accept, actor=actor)
    materials = _apply_checks(application, checks, today)
    if materials is None:
        materials = list(application.materials.all())
    problems = {
        f"materials.{m.pk}": _("“%(name)s”尚未收取。") % {"name": m.name}
        for m in materials
        if m.mandatory
        and m.status
        not in (ApplicationMaterial.Status.RECEIVED, ApplicationMaterial.Status.TOLERATED)
    }
    if problems:
        raise ActionError(
            _("必需材料未齐全，不能受理：请一次性告知申请人补正，或对可容缺的材料办理容缺受理。"),
            code="materials_incomplete",
            fields=problems,
        )
    _accept(application, actor=actor, accepted_on=today, deemed=False, materials=materials)
    return application


def _accept(
    application: Application,
    *,
    actor,
    accepted_on: date,
    deemed: bool,
    materials: list[ApplicationMaterial] | None = None,
) -> None:
    """``materials``: the application's, as saved, when the caller has them."""
    # The version in force is nearly always the application's own: its key alone tells, and
    # only a newer version is read whole (with its related rows, as before).
    in_force_id = sel.matter_version_in_force_id(application.matter.code, accepted_on)
    if in_force_id is not None and in_force_id != application.matter_id:
        in_force = sel.matter_version_in_force(application.matter.code, accepted_on)
        if in_force is not None and in_force.pk != application.matter_id:
            application.matter = in_force
    application.accepted_on = accepted_on
    application.accepted_by = actor if getattr(actor, "pk", None) else None
    application.deemed_accepted = deemed
    refresh_clock(application, accepted_on)
    note = _("逾期未作出受理决定，依法自收到申请之日起视为受理") if deemed else ""
    _move(application, "accept", actor=actor, note=note, data={"deemed": deemed})
    if materials is None:
        materials = list(application.materials.all())
    tolerated = [m for m in materials if m.status == ApplicationMaterial.Status.TOLERATED]
    _issue_notice(
        application,
        Notice.Kind.ACCEPTANCE,
        actor=actor,
        items=[{"material": m.name, "problem": m.commitment or _("容缺后补")} for m in tolerated],
        materials_due_date=max((m.promised_on for m in tolerated), default=None),
        reason=note,
    )
    _tell_applicant(application, "accepted", due_date=application.due_date)


@transaction.atomic
def application_request_correction(
    *,
    application: Application,
    actor,
    checks: list[dict] | None = None,
    extra_items: list[str] | None = None,
    today: date | None = None,
) -> CorrectionNotice:
    """The one-time notice: every material to correct, at once. Once per submission."""
    today = _today(today)
    application = _lock(application)
    _require_clerk_for(actor, application)
    if application.correction_notices.filter(
        submission_round=application.submission_round
    ).exists():
        raise ActionError(
            _("本次提交已经发出过一次性告知书，不能再次要求补正：请受理或不予受理。"),
            code="correction_already_issued",
        )
    _ensure(application, application.request_correction, actor=actor)
    _apply_checks(application, checks, today)
    items = [
        {
            "material": m.name,
            "problem": m.problem
            or (
                _("缺少该材料")
                if m.status == ApplicationMaterial.Status.MISSING
                else _("不符合要求")
            ),
        }
        for m in application.materials.all()
        if m.status in (ApplicationMaterial.Status.MISSING, ApplicationMaterial.Status.DEFICIENT)
    ]
    items += [
        {"material": _("其他补正事项"), "problem": text.strip()}
        for text in (extra_items or [])
        if text.strip()
    ]
    if not items:
        raise ActionError(
            _("一次性告知书必须列出需要补正的全部内容：请标记缺少或不符合要求的材料。"),
            code="correction_items_required",
        )
    try:
        with transaction.atomic():
            notice = CorrectionNotice.objects.create(
                application=application,
                submission_round=application.submission_round,
                items=items,
                issued_on=today,
                issued_by=actor,
            )
    except IntegrityError:
        raise Conflict(
            _("本次提交已经发出过一次性告知书。"), code="correction_already_issued"
        ) from None
    _move(
        application,
        "request_correction",
        actor=actor,
        note=_("一次性告知补正%(n)s项") % {"n": len(items)},
        data={"items": items},
    )
    correct_by = workdays.add_working_days(today, settings.ONEWINDOW.get("CORRECTION_DAYS", 20))
    _issue_notice(
        application, Notice.Kind.CORRECTION, actor=actor, items=items, materials_due_date=correct_by
    )
    _tell_applicant(application, "correction", items=items, correct_by=correct_by)
    return notice


@transaction.atomic
def application_refuse(
    *, application: Application, actor, reason: str, basis: str, today: date | None = None
) -> Application:
    today = _today(today)
    application = _lock(application)
    _require_clerk_for(actor, application)
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = _("请填写不予受理的理由。")
    if not (basis or "").strip():
        errors["basis"] = _("请填写不予受理的法律依据。")
    if errors:
        raise ActionError(_("不予受理必须说明理由和依据。"), code="reason_required", fields=errors)
    _ensure(application, application.refuse, actor=actor)
    application.refused_on = today
    application.refusal_reason = reason.strip()
    application.refusal_basis = basis.strip()
    _move(application, "refuse", actor=actor, note=reason.strip())
    _close_open_extensions(application, actor=actor, reason=CLOSE_REASONS["refuse"])
    _issue_notice(
        application,
        Notice.Kind.REFUSAL,
        actor=actor,
        reason=reason.strip(),
        legal_basis=basis.strip(),
    )
    _tell_applicant(application, "refused", reason=reason.strip())
    return application


@transaction.atomic
def application_deem_accepted(
    *, application: Application, today: date | None = None
) -> Application:
    """Licensing Law art. 32: no intake decision within 5 working days — accepted as of receipt."""
    today = _today(today)
    application = _lock(application)
    if application.state != State.SUBMITTED or not (
        application.deemed_acceptance_on and application.deemed_acceptance_on < today
    ):
        raise ActionError(_("该办件尚未到视为受理的期限。"), code="not_due")
    _accept(application, actor="system", accepted_on=application.received_on, deemed=True)
    return application


def sweep_deemed_acceptances(*, today: date | None = None, limit: int = 500) -> int:
    """Accept every submission left without an intake decision for 5 working days."""
    today = _today(today)
    done = 0
    for app_id in list(
        sel.deemed_acceptance_due(today)
        .order_by("deemed_acceptance_on")
        .values_list("pk", flat=True)[:limit]
    ):
        with transaction.atomic():
            locked = (
                Application.objects.select_for_update(skip_locked=True)
                .filter(pk=app_id, state=State.SUBMITTED)
                .first()
            )
            if locked is None:
                continue
            application_deem_accepted(application=locked, today=today)
            done += 1
    return done


# --- review ----------------------------------------------------------------------------------


@transaction.atomic
def application_claim(*, application: Application, actor, today: date | None = None) -> Application:
    application = _lock(application)
    _require_reviewer_for(actor, application)
    _ensure(application, application.claim, actor=actor)
    application.handler = actor
    application.claimed_at = timezone.now()
    refresh_clock(application, today)
    _move(application, "claim", actor=actor)
    return application


@transaction.atomic
def application_reassign(
    *, application: Application, actor, reviewer, reason: str = ""
) -> Application:
    application = _lock(application)
    _require_role(actor, roles.SUPERVISOR)
    if not (
        reviewer.has_role(roles.REVIEWER)
        and sel.staff_department_id(reviewer) == application.department_id
    ):
        raise ActionError(
            _("只能改派给本部门的审查人员。"),
            code="reviewer_not_in_department",
            fields={"reviewer": _("不是本部门审查人员。")},
        )
    if application.state not in (State.IN_REVIEW, State.SUSPENDED, State.ACCEPTED):
        raise ActionError(_("办件当前状态不能改派。"), code="invalid_transition")
    previous = application.handler
    application.handler = reviewer
    if application.state == State.ACCEPTED:
        application.claimed_at = timezone.now()
        _move(application, "claim", actor=actor, note=_("督办改派给%(name)s") % {"name": reviewer})
    else:
        application.save(update_fields=["handler", "updated_at"])
        StateChange.objects.create(
            application=application,
            actor=actor,
            actor_label=_label(actor),
            action="reassign",
            from_state=application.state,
            to_state=application.state,
            note=reason,
            data={"from": previous.pk if previous else None, "to": reviewer.pk},
        )
        audit.record(
            actor=actor,
            action="application.reassign",
            obj=application,
            before={"handler": previous.pk if previous else None},
            after={"handler": reviewer.pk},
        )
    return application


@transaction.atomic
def application_suspend(
    *,
    application: Application,
    actor,
    kind: str,
    reason: str,
    expected_days: int,
    today: date | None = None,
) -> Suspension:
    today = _today(today)
    application = _lock(application)
    _require_handler(actor, application)
    if not application.matter.suspension_allowed:
        raise ActionError(_("该事项不适用特别程序。"), code="suspension_not_allowed")
    errors = {}
    if kind not in Suspension.Kind.values:
        errors["kind"] = _("请选择特别程序类型。")
    if not (reason or "").strip():
        errors["reason"] = _("请填写理由。")
    if not isinstance(expected_days, int) or expected_days < 1 or expected_days > 365:
        errors["expected_days"] = _("预计时长应为1到365个工作日。")
    if errors:
        raise ActionError(_("特别程序信息不完整。"), code="invalid", fields=errors)
    _ensure(application, application.suspend, actor=actor)
    suspension = Suspension.objects.create(
        application=application,
        kind=kind,
        reason=reason.strip(),
        expected_days=expected_days,
        started_on=today,
        started_by=actor,
    )
    refresh_clock(application, today)
    _move(
        application,
        "suspend",
        actor=actor,
        note=reason.strip(),
        data={"kind": kind, "expected_days": expected_days},
    )
    _issue_notice(
        application,
        Notice.Kind.SUSPENSION,
        actor=actor,
        procedure_kind=kind,
        reason=reason.strip(),
        days=expected_days,
        suspended_on=today,
    )
    _tell_applicant(
        application,
        "suspended",
        procedure=Suspension.Kind(kind).label,
        reason=reason.strip(),
        days=expected_days,
    )
    return suspension


@transaction.atomic
def application_resume(
    *, application: Application, actor, today: date | None = None
) -> Application:
    today = _today(today)
    application = _lock(application)
    _require_handler(actor, application)
    _ensure(application, application.resume, actor=actor)
    suspension = application.suspensions.get(ended_on__isnull=True)
    suspension.ended_on = today
    suspension.ended_by = actor
    suspension.save(update_fields=["ended_on", "ended_by"])
    refresh_clock(application, today)
    _move(application, "resume", actor=actor, data={"paused_days": application.paused_days})
    _tell_applicant(application, "resumed", due_date=application.due_date)
    return application


def limit_running(application: Application, today: date | None = None) -> bool:
    """Whether the application's time limit is still running on ``today`` (its due date, with
    the pauses up to today, not passed). Licensing Law art. 42: a limit that cannot be met is
    extended *within* it; once the application is overdue there is nothing left to extend."""
    today = _today(today)
    if application.accepted_on is None:
        return False
    probe = Application(
        matter=application.matter,
        accepted_on=application.accepted_on,
        extension_days=application.extension_days,
    )
    probe.pk = application.pk  # the suspensions are read through the real row
    refresh_clock(probe, today)
    return probe.due_date is not None and probe.due_date >= today


def _limit_expired_error(application: Application) -> ActionError:
    return ActionError(
        _("办件已超过办理时限（%(due)s 到期），依法不能再延期；请尽快作出决定。")
        % {"due": application.due_date},
        code="limit_expired",
    )


CLOSE_REASONS = {
    "decide": gettext_lazy("办件已作出决定，延期申请随之关闭。"),
    "forward": gettext_lazy("办件已转报区级部门，延期申请随之关闭。"),
    "withdraw": gettext_lazy("申请人已撤回办件，延期申请随之关闭。"),
    "refuse": gettext_lazy("办件不予受理，延期申请随之关闭。"),
}


def _close_open_extensions(application: Application, *, actor, reason) -> int:
    """Close the extension requests still waiting when the application leaves review: they
    leave the supervisor's list, with the reason on record."""
    open_requests = list(
        Extension.objects.select_for_update().filter(
            application=application, status=Extension.Status.PENDING
        )
    )
    for extension in open_requests:
        extension.status = Extension.Status.CLOSED
        extension.decided_at = timezone.now()
        extension.decision_note = str(reason)
        extension.save(update_fields=["status", "decided_at", "decision_note"])
        audit.record(
            actor=actor if getattr(actor, "pk", None) else "system",
            action="application.close_extension",
            obj=application,
            after={"extension": extension.pk, "days": extension.days, "state": application.state},
            note=str(reason),
        )
    return len(open_requests)


@transaction.atomic
def extension_request(
    *, application: Application, actor, days: int, reason: str, today: date | None = None
) -> Extension:
    application = _lock(application)
    _require_handler(actor, application)
    matter = application.matter
    if application.state not in (State.IN_REVIEW, State.SUSPENDED):
        raise ActionError(_("办件当前状态不能申请延期。"), code="invalid_transition")
    if not matter.extension_allowed:
        raise ActionError(_("该事项不允许延期。"), code="extension_not_allowed")
    if not limit_running(application, today):
        raise _limit_expired_error(application)
    errors = {}
    if not isinstance(days, int) or days < 1 or days > matter.max_extension_days:
        errors["days"] = _("延期天数应为1到%(max)s个工作日。") % {"max": matter.max_extension_days}
    if not (reason or "").strip():
        errors["reason"] = _("请填写延期理由，理由将告知申请人。")
    if errors:
        raise ActionError(_("延期申请不完整。"), code="invalid", fields=errors)
    if application.extensions.filter(
        status__in=[Extension.Status.PENDING, Extension.Status.APPROVED]
    ).exists():
        raise ActionError(_("每个办件只能延期一次。"), code="extension_already_used")
    try:
        with transaction.atomic():
            extension = Extension.objects.create(
                application=application, days=days, reason=reason.strip(), requested_by=actor
            )
    except IntegrityError:
        raise Conflict(_("每个办件只能延期一次。"), code="extension_already_used") from None
    audit.record(
        actor=actor,
        action="application.request_extension",
        obj=application,
        after={"days": days, "reason": reason.strip()},
    )
    return extension


@transaction.atomic
def extension_decide(
    *, extension: Extension, actor, approve: bool, note: str = "", today: date | None = None
) -> Extension:
    _require_role(actor, roles.SUPERVISOR)
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    if extension.status != Extension.Status.PENDING:
        raise Conflict(_("该延期申请已经处理过了。"), code="extension_decided")
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("matter", "department")
        .get(pk=extension.application_id)
    )
    if approve and application.state not in (State.IN_REVIEW, State.SUSPENDED):
        raise ActionError(_("办件已作出决定，不需要延期。"), code="invalid_transition")
    if approve and not limit_running(application, today):
        raise _limit_expired_error(application)
    extension.status = Extension.Status.APPROVED if approve else Extension.Status.REJECTED
    extension.decided_by = actor
    extension.decided_at = timezone.now()
    extension.decision_note = note.strip()
    extension.save()
    if approve:
        previous_due = application.due_date
        application.extension_days = extension.days
        refresh_clock(application, today)
        application.save()
        StateChange.objects.create(
            application=application,
            actor=actor,
            actor_label=_label(actor),
            action="approve_extension",
            from_state=application.state,
            to_state=application.state,
            note=extension.reason,
            data={"days": extension.days},
        )
        _issue_notice(
            application,
            Notice.Kind.EXTENSION,
            actor=actor,
            days=extension.days,
            reason=extension.reason,
            previous_due_date=previous_due,
        )
        _tell_applicant(
            application,
            "extended",
            days=extension.days,
            reason=extension.reason,
            due_date=application.due_date,
        )
    audit.record(
        actor=actor,
        action="application.approve_extension" if approve else "application.reject_extension",
        obj=application,
        after={"days": extension.days, "note": note},
    )
    return extension


def _validate_decision(outcome: str, reason: str, basis: str):
    errors = {}
    if outcome not in Application.Outcome.values:
        errors["outcome"] = _("请选择准予或不予。")
    if outcome == Application.Outcome.DENY:
        if not (reason or "").strip():
            errors["reason"] = _("不予许可必须说明理由。")
        if not (basis or "").strip():
            errors["basis"] = _("不予许可必须写明法律依据。")
    if errors:
        raise ActionError(_("决定信息不完整。"), code="reason_required", fields=errors)


def _record_decision(
    application: Application,
    *,
    actor,
    transition: str,
    outcome: str,
    reason: str,
    basis: str,
    today: date,
):
    application.outcome = outcome
    application.decided_on = today
    application.decided_by = actor
    application.decision_reason = (reason or "").strip()
    application.decision_basis = (basis or "").strip()
    application.release_due_on = (
        workdays.add_working_days(today, RELEASE_DAYS)
        if outcome == Application.Outcome.GRANT
        else None
    )
    _move(
        application,
        transition,
        actor=actor,
        note=application.decision_reason,
        data={"outcome": outcome},
    )
    _close_open_extensions(application, actor=actor, reason=CLOSE_REASONS["decide"])
    kind = (
        Notice.Kind.DECISION_GRANT
        if outcome == Application.Outcome.GRANT
        else Notice.Kind.DECISION_DENY
    )
    _issue_notice(
        application,
        kind,
        actor=actor,
        reason=application.decision_reason,
        legal_basis=application.decision_basis,
    )
    _tell_applicant(application, "decided", outcome=outcome, reason=application.decision_reason)


@transaction.atomic
def application_decide(
    *,
    application: Application,
    actor,
    outcome: str,
    reason: str = "",
    basis: str = "",
    today: date | None = None,
) -> Application:
    today = _today(today)
    application = _lock(application)
    _require_handler(actor, application)
    if application.is_forward_matter:
        raise ActionError(
            _("受理转报事项由区级部门作出决定：请完成初审后转报。"), code="forward_matter"
        )
    _validate_decision(outcome, reason, basis)
    _ensure(application, application.decide, actor=actor)
    _record_decision(
        application,
        actor=actor,
        transition="decide",
        outcome=outcome,
        reason=reason,
        basis=basis,
        today=today,
    )
    return application


@transaction.atomic
def application_forward(
    *, application: Application, actor, opinion: str, today: date | None = None
) -> Application:
    today = _today(today)
    application = _lock(application)
    _require_handler(actor, application)
    if not (opinion or "").strip():
        raise ActionError(
            _("请填写初审意见。"), code="opinion_required", fields={"opinion": _("必填。")}
        )
    _ensure(application, application.forward, actor=actor)
    application.forwarded_on = today
    _move(application, "forward", actor=actor, note=opinion.strip())
    _close_open_extensions(application, actor=actor, reason=CLOSE_REASONS["forward"])
    return application


@transaction.atomic
def application_record_district_decision(
    *,
    application: Application,
    actor,
    outcome: str,
    reason: str = "",
    basis: str = "",
    today: date | None = None,
) -> Application:
    today = _today(today)
    application = _lock(application)
    _require_role(actor, roles.DISTRICT_REVIEWER)
    if sel.staff_department_id(actor) != application.delegating_department_id:
        raise Forbidden(_("该办件不是转报给您所在部门的。"), code="not_your_department")
    _validate_decision(outcome, reason, basis)
    _ensure(application, application.record_district_decision, actor=actor)
    _record_decision(
        application,
        actor=actor,
        transition="record_district_decision",
        outcome=outcome,
        reason=reason,
        basis=basis,
        today=today,
    )
    return application


@transaction.atomic
def application_release(
    *,
    application: Application,
    actor,
    method: str,
    tracking_number: str = "",
    today: date | None = None,
) -> Application:
    today = _today(today)
    application = _lock(application)
    _require_clerk_for(actor, application, release=True)
    if method not in Application.ReleaseMethod.values:
        raise ActionError(
            _("请选择出件方式。"), code="invalid", fields={"method": _("请选择窗口领取或邮寄。")}
        )
    if method == Application.ReleaseMethod.MAIL and not tracking_number.strip():
        raise ActionError(
            _("邮寄须填写邮件单号。"),
            code="tracking_required",
            fields={"tracking_number": _("必填。")},
        )
    _ensure(application, application.release, actor=actor)
    application.release_method = method
    application.tracking_number = tracking_number.strip()
    application.released_on = today
    _move(
        application,
        "release",
        actor=actor,
        data={"method": method, "tracking_number": application.tracking_number},
    )
    _tell_applicant(
        application, "completed", method=method, tracking_number=application.tracking_number
    )
    return application


@transaction.atomic
def application_discard_draft(*, application: Application, actor) -> None:
    """A draft was never submitted: it has no number and no clock, and is not history. Its
    owner throws it away (with its uploaded files); the audit trail keeps that it was."""
    application = _lock(application)
    _require_applicant_side(actor, application)
    if application.state != State.DRAFT:
        raise ActionError(_("只有草稿可以删除。"), code="not_a_draft")
    files = [
        stored.file.name
        for material in application.materials.all()
        for stored in material.files.all()
        if stored.file
    ]
    audit.record(
        actor=actor if getattr(actor, "pk", None) else "system",
        action="application.discard_draft",
        obj=application,
        before={"state": application.state, "reference": application.reference},
    )
    application.delete()

    def remove_files():
        from django.core.files.storage import default_storage

        for name in files:
            try:
                default_storage.delete(name)
            except OSError:  # already gone: nothing to remove
                pass

    transaction.on_commit(remove_files)


@transaction.atomic
def application_withdraw(*, application: Application, actor, reason: str = "") -> Application:
    """Withdraw a submitted application. A draft (never submitted) is discarded instead:
    afterwards ``application.pk`` is None."""
    if application.state == State.DRAFT:
        application_discard_draft(application=application, actor=actor)
        application.pk = None
        return application
    application = _lock(application)
    _require_applicant_side(actor, application)
    if application.state not in (
        s.value
        for s in (
            State.DRAFT,
            State.SUBMITTED,
            State.CORRECTION,
            State.ACCEPTED,
            State.IN_REVIEW,
            State.SUSPENDED,
            State.FORWARDED,
        )
    ):
        raise ActionError(_("已作出决定的办件不能撤回。"), code="invalid_transition")
    application.withdrawn_at = timezone.now()
    application.withdrawal_reason = (reason or "").strip()
    open_suspension = application.suspensions.filter(ended_on__isnull=True).first()
    if open_suspension:
        open_suspension.ended_on = timezone.localdate()
        open_suspension.save(update_fields=["ended_on"])
    _move(application, "withdraw", actor=actor, note=application.withdrawal_reason)
    _close_open_extensions(application, actor=actor, reason=CLOSE_REASONS["withdraw"])
    return application
