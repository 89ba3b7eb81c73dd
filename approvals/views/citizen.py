"""Pages for citizens and village proxy agents: apply online step by step, my applications
with their timeline and notices, corrections, withdrawal, the public status lookup, and filing
for a resident. Thin: every change goes through approvals.services.applications."""

from __future__ import annotations

import math
from datetime import date
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from approvals import next_steps
from approvals.models import (
    Application,
    ApplicationMaterial,
    Material,
    MaterialFile,
    Matter,
    Notice,
    State,
)
from approvals.selectors import applications as app_sel
from approvals.selectors import evaluations as eval_sel
from approvals.selectors import register as register_sel
from approvals.services import applications as svc
from approvals.services import evaluations as eval_svc
from approvals.services.documents import material_file_response
from approvals.views.citizen_forms import (
    ApplicantForm,
    DeclarationForm,
    EvaluationForm,
    ProxyFilingForm,
    ResidentRegisterForm,
    ResidentSearchForm,
    StatusLookupForm,
    WithdrawForm,
)
from portal import audit, roles, sql_memo
from portal.access import role_required
from portal.errors import ActionError, Conflict, NotFound
from portal.middleware import client_ip
from portal.models import User
from portal.planner import joins_as_written

PAGE_SIZE = 20
STEPS = (
    ("applicant", gettext_lazy("申请人信息")),
    ("materials", gettext_lazy("上传材料")),
    ("declaration", gettext_lazy("承诺声明")),
    ("review", gettext_lazy("核对提交")),
)
STEP_KEYS = [key for key, _label in STEPS]
# The notices that are an application's result: the decision, or the refusal to accept.
RESULT_KINDS = (Notice.Kind.DECISION_GRANT, Notice.Kind.DECISION_DENY, Notice.Kind.REFUSAL)
WITHDRAWABLE = (
    State.DRAFT,
    State.SUBMITTED,
    State.CORRECTION,
    State.ACCEPTED,
    State.IN_REVIEW,
    State.SUSPENDED,
    State.FORWARDED,
)


# --- access ----------------------------------------------------------------------------------


def login_page(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


role_page = role_required


def _application(request, reference: str) -> Application:
    """The application if the caller may see it; 404 otherwise (never 403: no probing)."""
    try:
        return app_sel.application_get(request.user, reference)
    except NotFound:
        raise Http404 from None


def _own_application(request, reference: str) -> Application:
    """For actions of the applicant side (applicant, proxy agent, the filer): 404 for others."""
    application = _application(request, reference)
    if not app_sel.is_applicant_side(request.user, application):
        raise Http404
    return application


def _posted(request):
    """The form data of a POST (even an empty one, so that the form is bound), else None."""
    return request.POST if request.method == "POST" else None


def _conflict(request, error: ActionError):
    messages.error(request, error.message)


# --- dates and the timeline ------------------------------------------------------------------


def day_label(day: date | None) -> str:
    if day is None:
        return ""
    if day.year == timezone.localdate().year:
        return dateformat.format(day, _("n月j日"))
    return dateformat.format(day, _("Y年n月j日"))


def _local_day(moment) -> date:
    return timezone.localtime(moment).date()


def timeline(application: Application) -> list[dict]:
    """What happened when, in plain words, from the application's history."""
    from portal import workdays

    matter = application.matter
    events = [
        {
            "day": _local_day(application.created_at),
            "at": application.created_at,
            "text": _("创建申请草稿")
            if application.channel != Application.Channel.PROXY
            else _("帮代办员受村民委托填报"),
            "kind": "create",
        }
    ]
    for change in application.history.all():
        data = change.data or {}
        day = _local_day(change.at)
        action = change.action
        text = ""
        if action == "submit":
            if change.from_state == State.CORRECTION:
                text = _("补正材料后重新提交")
            else:
                text = _("提交申请，办件编号 %(number)s") % {"number": application.number}
        elif action == "request_correction":
            count = len(data.get("items") or [])
            text = _("窗口一次性告知需补正%(n)s项材料") % {"n": count}
        elif action == "accept":
            accepted = application.accepted_on or day
            due = workdays.add_working_days(accepted, matter.committed_days)
            # deemed acceptance is the law's mechanics, for staff; the applicant reads the result
            text = _("窗口受理，承诺%(due)s前办结") % {"due": day_label(due)}
        elif action == "claim":
            text = _("进入审查")
        elif action == "suspend":
            text = _("进入特别程序（%(kind)s），预计%(days)s个工作日，期间不计入办理时限") % {
                "kind": _procedure_label(data.get("kind")),
                "days": data.get("expected_days", "?"),
            }
        elif action == "resume":
            text = _("特别程序结束，恢复计时")
        elif action == "approve_extension":
            text = _("办理期限依法延长%(days)s个工作日：%(reason)s") % {
                "days": data.get("days", "?"),
                "reason": change.note,
            }
        elif action == "forward":
            text = _("初审完成，转报区级部门决定")
        elif action in ("decide", "record_district_decision"):
            outcome = data.get("outcome")
            if outcome == Application.Outcome.GRANT:
                text = _("作出准予决定")
            else:
                text = _("作出不予许可决定：%(reason)s") % {"reason": change.note}
            if action == "record_district_decision":
                text = _("区级部门%(text)s") % {"text": text}
        elif action == "release":
            if data.get("method") == Application.ReleaseMethod.MAIL:
                text = _("结果已邮寄（单号 %(tracking)s），办结") % {
                    "tracking": data.get("tracking_number", "")
                }
            else:
                text = _("结果已在窗口领取，办结")
        elif action == "refuse":
            text = _("不予受理：%(reason)s") % {"reason": change.note}
        elif action == "withdraw":
            text = _("申请已撤回")
        else:
            continue  # internal steps (reassignment…) are not the citizen's business
        events.append({"day": day, "at": change.at, "text": text, "kind": action})
    for event in events:
        event["label"] = day_label(event["day"])
    return events


def _procedure_label(kind) -> str:
    from approvals.models import Suspension

    try:
        return str(Suspension.Kind(kind).label)
    except ValueError:
        return _("特别程序")


# --- materials and uploads -------------------------------------------------------------------


def _materials(application: Application) -> list[ApplicationMaterial]:
    return list(
        application.materials.select_related("material").prefetch_related(
            Prefetch("files", queryset=MaterialFile.objects.order_by("uploaded_at", "id"))
        )
    )


def missing_uploads(materials) -> list[ApplicationMaterial]:
    """Mandatory materials without any file, except those that may be missing at intake."""
    return [
        m
        for m in materials
        if m.mandatory and not m.tolerated_missing_allowed and not m.files.all()
    ]


# What to upload, in plain words, for each way the register says a material is provided.
UPLOAD_FORMS = {
    Material.Form.ORIGINAL: gettext_lazy("原件拍照或扫描"),
    Material.Form.COPY: gettext_lazy("复印件或原件照片"),
    Material.Form.BOTH: gettext_lazy("原件拍照或扫描，窗口核对原件"),
    Material.Form.ELECTRONIC: gettext_lazy("照片或电子文件"),
}


def _rules(item: ApplicationMaterial) -> list[dict]:
    """The material's rules as the guide states them: original/copy, copies, mandatory,
    tolerated missing."""
    rules = []
    material: Material | None = item.material
    if material is not None:
        rules.append(
            {
                "text": str(UPLOAD_FORMS.get(material.form, ""))
                or str(material.get_form_display()),
                "kind": "form",
            }
        )
        if material.copies and material.copies > 1:
            rules.append({"text": _("%(n)s份") % {"n": material.copies}, "kind": "copies"})
    if item.mandatory:
        rules.append({"text": _("必需"), "kind": "mandatory"})
    else:
        rules.append({"text": _("非必需"), "kind": "optional"})
    if item.tolerated_missing_allowed:
        rules.append({"text": _("可容缺后补"), "kind": "tolerated"})
    return rules


def _slots(materials, errors: dict[int, str], only: set[int] | None = None, since=None):
    slots = []
    for item in materials:
        if only is not None and item.pk not in only:
            continue
        files = list(item.files.all())
        slots.append(
            {
                "item": item,
                "rules": _rules(item),
                "notes": item.material.notes if item.material_id else "",
                "files": files,
                "new_files": [f for f in files if since is None or f.uploaded_at > since],
                "error": errors.get(item.pk, ""),
                "input_id": f"file_{item.pk}",
            }
        )
    return slots


def _upload_limits() -> dict:
    limit = settings.ONEWINDOW.get("MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
    return {"max_bytes": limit, "max_mb": limit // (1024 * 1024)}


def _handle_uploads(request, application: Application, allowed_ids: set[int]) -> dict[int, str]:
    """Store every file chosen in the form; return {material id: error} for the ones refused.
    Each file is its own transaction: one refused file never loses the others."""
    errors: dict[int, str] = {}
    for key, uploaded in request.FILES.items():
        if not key.startswith("file_") or not key[5:].isdigit():
            continue
        material_id = int(key[5:])
        if material_id not in allowed_ids:
            continue
        item = application.materials.filter(pk=material_id).first()
        if item is None:
            continue
        try:
            svc.material_upload(
                application=application,
                actor=request.user,
                application_material=item,
                uploaded=uploaded,
            )
        except ActionError as error:
            errors[material_id] = error.message
            if isinstance(error, Conflict):
                application.refresh_from_db()
    return errors


# --- apply online ----------------------------------------------------------------------------


def next_step(application: Application, materials=None) -> str:
    """Where a draft resumes: the first step not yet done."""
    if application.declaration_accepted:
        return "review"
    materials = materials if materials is not None else _materials(application)
    if any(m.files.all() for m in materials) and not missing_uploads(materials):
        return "declaration"
    return "materials"


def continue_url(application: Application) -> str:
    return reverse("approvals:apply-step", args=[application.reference, next_step(application)])


def _matter_for_apply(code: str) -> Matter:
    matter = app_sel.matter_version_in_force(code, timezone.localdate())
    if matter is None:
        raise Http404
    return matter


def _step_context(application: Application, step: str, **extra) -> dict:
    return {
        "application": application,
        "matter": application.matter,
        "steps": [
            {"key": key, "label": label, "current": key == step, "index": i + 1}
            for i, (key, label) in enumerate(STEPS)
        ],
        "step": step,
        "step_index": STEP_KEYS.index(step) + 1,
        "is_proxy": application.channel == Application.Channel.PROXY,
        **extra,
    }


@login_page
@require_http_methods(["GET", "POST"])
def apply(request, code: str):
    """Step 1 of applying online, from the matter's guide page. Creates the draft on save."""
    from approvals.selectors.register import matter_withdrawn
    from approvals.views.register import matter_withdrawn_page

    withdrawn = matter_withdrawn(code)
    if withdrawn is not None:  # no longer handled here: say so, and since when
        return matter_withdrawn_page(
            request, withdrawn, status=400 if request.method == "POST" else 200
        )
    matter = _matter_for_apply(code)
    if matter.is_ex_officio:  # exercised by the town, never applied for
        return render(
            request, "approvals/citizen/apply_ex_officio.html", {"matter": matter}, status=400
        )
    user = request.user
    if user.has_role(roles.PROXY_AGENT) and not user.has_role(roles.CITIZEN):
        return redirect(f"{reverse('approvals:proxy-new')}?matter={matter.code}")
    if not user.has_role(roles.CITIZEN):
        raise PermissionDenied
    drafts = list(
        Application.objects.filter(
            applicant=user, state=State.DRAFT, matter__code=matter.code
        ).order_by("-created_at")[:5]
    )
    if not matter.channel_online:
        return render(
            request,
            "approvals/citizen/apply_unavailable.html",
            {"matter": matter},
            status=400,
        )
    defaults = app_sel.applicant_defaults(user)
    if matter.audience == Matter.Audience.ORGANISATION:
        defaults["applicant_kind"] = Application.ApplicantKind.ORGANISATION
    form = ApplicantForm(
        _posted(request),
        matter=matter,
        initial={
            "applicant_kind": Application.ApplicantKind.PERSON,
            "village": user.village.code if user.village_id else None,
            **defaults,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                application = svc.application_create(
                    actor=user,
                    matter=matter,
                    channel=Application.Channel.ONLINE,
                    details=_details({}, form),
                    **form.service_fields(),
                )
                if form.cleaned_data["applicant_mobile"] != application.applicant_mobile:
                    svc.application_update_draft(
                        application=application,
                        actor=user,
                        applicant_mobile=form.cleaned_data["applicant_mobile"],
                    )
        except ActionError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已保存。草稿可随时在“我的办件”中继续填写。"))
            return redirect("approvals:apply-step", application.reference, "materials")
    context = {
        "matter": matter,
        "form": form,
        "drafts": drafts,
        "person": user,
        "steps": [
            {"key": key, "label": label, "current": key == "applicant", "index": i + 1}
            for i, (key, label) in enumerate(STEPS)
        ],
        "step": "applicant",
        "step_index": 1,
    }
    return render(
        request,
        "approvals/citizen/apply_applicant.html",
        context,
        status=400 if form.errors else 200,
    )


def _details(existing: dict, form: ApplicantForm) -> dict:
    details = dict(existing or {})
    description = (form.cleaned_data.get("description") or "").strip()
    if description:
        details["description"] = description
    else:
        details.pop("description", None)
    return details


@login_page
@require_http_methods(["GET", "POST"])
def apply_step(request, reference: str, step: str):
    application = _own_application(request, reference)
    if step == "resume" and application.state == State.DRAFT:
        return redirect(continue_url(application))  # "继续填写" in my applications
    if step not in STEP_KEYS:
        raise Http404
    if application.state != State.DRAFT:
        if application.state == State.CORRECTION:
            return redirect("approvals:correction", application.reference)
        return redirect("approvals:application-detail", application.reference)
    return {
        "applicant": _step_applicant,
        "materials": _step_materials,
        "declaration": _step_declaration,
        "review": _step_review,
    }[step](request, application)


def _step_applicant(request, application: Application):
    form = ApplicantForm(
        _posted(request),
        matter=application.matter,
        initial=ApplicantForm.initial_for(
            application, app_sel.applicant_defaults(application.applicant)
        ),
    )
    if request.method == "POST" and form.is_valid():
        try:
            svc.application_update_draft(
                application=application,
                actor=request.user,
                applicant_mobile=form.cleaned_data["applicant_mobile"],
                details=_details(application.details, form),
                **form.service_fields(),
            )
        except ActionError as error:
            if isinstance(error, Conflict):
                _conflict(request, error)
                return redirect("approvals:application-detail", application.reference)
            form.add_service_error(error)
        else:
            return redirect("approvals:apply-step", application.reference, "materials")
    context = _step_context(
        application, "applicant", form=form, person=application.applicant, drafts=[]
    )
    return render(
        request,
        "approvals/citizen/apply_applicant.html",
        context,
        status=400 if form.errors else 200,
    )


def _step_materials(request, application: Application):
    errors: dict[int, str] = {}
    blocked = False
    if request.method == "POST":
        materials = _materials(application)
        errors = _handle_uploads(request, application, {m.pk for m in materials})
        remove = request.POST.get("remove", "")
        if remove.isdigit():
            try:
                name = svc.material_file_remove(
                    application=application, actor=request.user, file_id=int(remove)
                )
            except ActionError as error:
                messages.error(request, error.message)
                if isinstance(error, Conflict):
                    return redirect("approvals:application-detail", application.reference)
            else:
                messages.success(request, _("已删除“%(name)s”。") % {"name": name})
            if not errors:
                return redirect(
                    f"{reverse('approvals:apply-step', args=[application.reference, 'materials'])}"
                    "#materials-status"
                )
        elif not errors:
            if request.POST.get("action") == "next":
                if not missing_uploads(_materials(application)):
                    return redirect("approvals:apply-step", application.reference, "declaration")
                blocked = True
            else:
                if request.FILES:
                    messages.success(request, _("文件已上传。"))
                return redirect("approvals:apply-step", application.reference, "materials")
    materials = _materials(application)
    missing = missing_uploads(materials)
    context = _step_context(
        application,
        "materials",
        slots=_slots(materials, errors),
        upload_errors=bool(errors),
        missing=missing,
        blocked=blocked,
        later=[m for m in materials if m.tolerated_missing_allowed and not m.files.all()],
        **_upload_limits(),
    )
    return render(
        request,
        "approvals/citizen/apply_materials.html",
        context,
        status=400 if errors or blocked else 200,
    )


def _step_declaration(request, application: Application):
    form = DeclarationForm(
        _posted(request),
        initial={"declaration_accepted": application.declaration_accepted},
    )
    if request.method == "POST" and form.is_valid():
        try:
            svc.application_update_draft(
                application=application, actor=request.user, declaration_accepted=True
            )
        except ActionError as error:
            form.add_service_error(error)
        else:
            return redirect("approvals:apply-step", application.reference, "review")
    context = _step_context(application, "declaration", form=form)
    return render(
        request,
        "approvals/citizen/apply_declaration.html",
        context,
        status=400 if form.errors else 200,
    )


def _step_review(request, application: Application):
    materials = _materials(application)
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        missing = missing_uploads(materials)
        if missing:
            problems.append(
                _("以下必需材料尚未上传：%(names)s。")
                % {"names": "、".join(m.name for m in missing)}
            )
        if not application.declaration_accepted:
            problems.append(_("请先阅读并确认承诺声明。"))
        if not problems:
            try:
                application = svc.application_submit(application=application, actor=request.user)
            except ActionError as error:
                problems.append(error.message)
                status = error.status_code
            else:
                messages.success(
                    request,
                    _("申请已提交，办件编号 %(number)s。%(next)s")
                    % {
                        "number": application.number,
                        "next": next_steps.next_step(application).text,
                    },
                )
                return redirect("approvals:application-detail", application.reference)
        else:
            status = 400
    context = _step_context(
        application,
        "review",
        materials=materials,
        missing=missing_uploads(materials),
        problems=problems,
    )
    return render(request, "approvals/citizen/apply_review.html", context, status=status)


# --- my applications -------------------------------------------------------------------------


@login_page
def my_applications(request):
    user = request.user
    if user.has_role(roles.PROXY_AGENT) and not user.has_role(roles.CITIZEN):
        return redirect("approvals:proxy-home")
    today = timezone.localdate()
    state = request.GET.get("state", "")

    def build():
        qs = (
            Application.objects.filter(applicant=user)
            .with_clock_status(today)
            .select_related("matter", "department", "delegating_department")
            .order_by("-created_at", "-id")
        )
        if state == "open":
            qs = qs.filter(
                state__in=[s for s in WITHDRAWABLE if s != State.DRAFT] + [State.READY_FOR_RELEASE]
            )
        elif state == "draft":
            qs = qs.filter(state=State.DRAFT)
        elif state == "done":
            qs = qs.filter(state__in=[State.COMPLETED, State.REFUSED, State.WITHDRAWN])
        return qs

    # the count's and the page's statements compiled once per person, day and tab (issue 19)
    key = ("my_applications", user.pk, today, state if state in ("open", "draft", "done") else "")
    page = Paginator(sql_memo.Kept(Application.objects.db, key, build), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    prefetch_related_objects(
        page.object_list,
        Prefetch(
            "notices",
            queryset=Notice.objects.filter(kind__in=RESULT_KINDS).order_by("issued_at", "id"),
            to_attr="result_notices",
        ),
    )
    rated = set(
        eval_sel.visible_evaluations(user)
        .filter(application_id__in=[a.pk for a in page.object_list])
        .values_list("application_id", flat=True)
    )
    window = next_steps.release_window()
    for application in page.object_list:
        application.next = next_steps.next_step(application, window=window)
        application.result_notice = _result_notice(application)
    return render(
        request,
        "approvals/citizen/my_applications.html",
        {"page": page, "state": state, "rated": rated},
    )


def _result_notice(application: Application):
    """The notice that is the application's result (the decision, or the refusal), from the
    prefetched ``result_notices``; None while there is none."""
    notices = getattr(application, "result_notices", None)
    if notices is None:
        notices = [n for n in application.notices.all() if n.kind in RESULT_KINDS]
    return notices[-1] if notices else None


@login_page
@joins_as_written()
def application_detail(request, reference: str):
    application = _application(request, reference)
    user = request.user
    applicant_side = app_sel.is_applicant_side(user, application)
    materials = _materials(application)
    notices = list(application.notices.all())
    evaluation = eval_sel.evaluation_for(application)
    correction = _open_correction(application)
    can_rate = (
        evaluation is None
        and application.state == State.COMPLETED
        and eval_svc.can_rate(user, application)
    )
    return render(
        request,
        "approvals/citizen/detail.html",
        {
            "application": application,
            "applicant_side": applicant_side,
            "timeline": timeline(application),
            "materials": materials,
            "notices": notices,
            "acceptance": next((n for n in notices if n.kind == Notice.Kind.ACCEPTANCE), None),
            "result_notice": next((n for n in reversed(notices) if n.kind in RESULT_KINDS), None),
            "next": next_steps.next_step(
                application, open_items=len(correction.items) if correction else None
            ),
            "correction": correction,
            "can_withdraw": applicant_side and application.state in WITHDRAWABLE,
            "continue_url": continue_url(application)
            if applicant_side and application.state == State.DRAFT
            else "",
            "evaluation": evaluation,
            "can_rate": can_rate,
            "evaluation_form": EvaluationForm() if can_rate else None,
            "show_rater": eval_sel.can_see_rater(user),
            "is_proxy": application.channel == Application.Channel.PROXY,
        },
    )


def _open_correction(application: Application):
    if application.state != State.CORRECTION:
        return None
    return (
        application.correction_notices.filter(resolved_on__isnull=True)
        .order_by("-submission_round")
        .first()
    )


@login_page
def notice_pdf(request, reference: str, notice_id: int):
    from approvals.services.documents import notice_pdf_response

    application = _application(request, reference)
    notice = get_object_or_404(Notice, pk=notice_id, application=application)
    return notice_pdf_response(notice, download=request.GET.get("download") == "1")


@login_page
def material_file(request, reference: str, file_id: int):
    application = _application(request, reference)
    return material_file_response(application=application, file_id=file_id, actor=request.user)


@login_page
@require_http_methods(["GET", "POST"])
def correction(request, reference: str):
    """Upload the materials the correction notice lists (only those), then resubmit."""
    application = _own_application(request, reference)
    notice = _open_correction(application)
    if notice is None:
        return redirect("approvals:application-detail", application.reference)
    materials = _materials(application)
    listed = {
        m.pk
        for m in materials
        if m.status in (ApplicationMaterial.Status.MISSING, ApplicationMaterial.Status.DEFICIENT)
    }
    since = application.history.filter(action="request_correction").order_by("-at", "-id").first()
    since_at = since.at if since else None
    errors: dict[int, str] = {}
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        errors = _handle_uploads(request, application, listed)
        if errors:
            status = 400
        elif request.POST.get("action") == "submit":
            materials = _materials(application)
            for slot in _slots(materials, {}, only=listed, since=since_at):
                if not slot["new_files"]:
                    errors[slot["item"].pk] = _("请上传补正后的“%(name)s”。") % {
                        "name": slot["item"].name
                    }
            if errors:
                status = 400
                problems.append(_("还有材料没有补正，请按提示上传。"))
            else:
                try:
                    application = svc.application_submit(
                        application=application, actor=request.user
                    )
                except ActionError as error:
                    problems.append(error.message)
                    status = error.status_code
                else:
                    messages.success(
                        request,
                        _("补正材料已提交，窗口将重新审核。办件编号 %(number)s。")
                        % {"number": application.number},
                    )
                    return redirect("approvals:application-detail", application.reference)
        else:
            if request.FILES:
                messages.success(request, _("文件已上传。"))
            return redirect("approvals:correction", application.reference)
        materials = _materials(application)
    extra_items = [
        item for item in notice.items if item.get("material") not in {m.name for m in materials}
    ]
    return render(
        request,
        "approvals/citizen/correction.html",
        {
            "application": application,
            "notice": notice,
            "slots": _slots(materials, errors, only=listed, since=since_at),
            "extra_items": extra_items,
            "problems": problems,
            "correction_notice_pdf": application.notices.filter(kind=Notice.Kind.CORRECTION)
            .order_by("-issued_at")
            .first(),
            **_upload_limits(),
        },
        status=status,
    )


@login_page
@require_http_methods(["GET", "POST"])
def withdraw(request, reference: str):
    """Withdraw, after a confirmation step."""
    application = _own_application(request, reference)
    if application.state not in WITHDRAWABLE:
        messages.error(request, _("已作出决定的办件不能撤回。"))
        return redirect("approvals:application-detail", application.reference)
    form = WithdrawForm(_posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            svc.application_withdraw(
                application=application, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ActionError as error:
            form.add_service_error(error)
            status = error.status_code
        else:
            if application.pk is None:  # a draft is discarded, not withdrawn
                messages.success(request, _("草稿已删除。"))
                return redirect("approvals:my-applications")
            messages.success(request, _("申请已撤回。"))
            return redirect("approvals:application-detail", application.reference)
    return render(
        request,
        "approvals/citizen/withdraw.html",
        {"application": application, "form": form},
        status=status if not form.errors or status != 200 else 400,
    )


# --- the public status lookup ----------------------------------------------------------------

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _lookup_rate() -> tuple[int, int]:
    rate = (
        settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get("status_lookup") or "10/min"
    )
    count, period = rate.split("/")
    return int(count), _PERIODS.get(period.strip()[0], 60)


def _lookup_throttled(request) -> int:
    """The same limit as the API's throttle, per client address. 0 when allowed, else the
    seconds to wait.

    A sliding window, like the API's: this window's count plus the last window's, weighted by
    how much of it still lies within one period of now. A fixed window would let a client
    through twice the limit across a window's edge (and forget it in mid-burst)."""
    limit, period = _lookup_rate()
    now = timezone.now().timestamp()
    window = int(now // period)
    prefix = f"status-lookup-page:{client_ip(request) or 'unknown'}:"
    key = f"{prefix}{window}"
    if cache.add(key, 1, 2 * period + 5):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:
            cache.set(key, 1, 2 * period + 5)
            count = 1
    previous = cache.get(f"{prefix}{window - 1}") or 0
    elapsed = now - window * period
    if count + previous * (1 - elapsed / period) > limit:
        if count > limit:
            return max(1, math.ceil((window + 1) * period - now))
        # the last window's share falls below the limit after this long
        return max(1, math.ceil(period * (1 - (limit - count) / previous) - elapsed))
    return 0


@require_http_methods(["GET", "POST"])
def status_lookup(request):
    """Public: application number + last four digits of the applicant's mobile number. The QR
    code on every notice opens this page with ?number=… filled in."""
    result = None
    status = 200
    if request.method == "POST":
        form = StatusLookupForm(request.POST)
        wait = _lookup_throttled(request)
        if wait:
            form.is_valid()
            form.add_error(
                None,
                _("查询过于频繁，请%(seconds)s秒后再试。") % {"seconds": wait},
            )
            status = 429
        elif form.is_valid():
            from approvals.services import status_lookup as lookup_service

            found = lookup_service.lookup(
                form.cleaned_data["number"], form.cleaned_data["mobile_last4"]
            )
            result = found.result
            if found.paused:
                form.add_error(None, found.message)
                status = 429
            elif result is None:
                form.add_error(None, _("没有找到与编号和手机号后四位相符的办件，请核对后重试。"))
                status = 404
        else:
            status = 400
    else:
        number = (request.GET.get("number") or "").strip()[:32]
        form = StatusLookupForm(initial={"number": number} if number else None)
    return render(
        request,
        "approvals/status/lookup.html",
        {"form": form, "result": result, "prefilled": bool(request.GET.get("number"))},
        status=status,
    )


# --- proxy agents ----------------------------------------------------------------------------


PROXY_CHOICES = 20


def _proxy_matters(q: str = ""):
    """Matters a proxy agent may file, searched like the guide (part of the name, pinyin
    initials, code); penalties and the like are never filed."""
    today = timezone.localdate()
    qs = (
        Matter.objects.filter(
            status=Matter.Status.PUBLISHED, valid_from__lte=today, channel_proxy=True
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .exclude(kind__in=Matter.EX_OFFICIO_KINDS)
        .select_related("handling_department")
        .order_by("code")
    )
    for word in (q or "").split():
        qs = qs.filter(register_sel.name_query(word))
    return qs


def _proxy_shortlist() -> list[Matter]:
    """Before any search: the proxy matters most applied for, else the first few."""
    from approvals.selectors import guide as guide_sel

    codes = [c for c in guide_sel.popular_codes(PROXY_CHOICES)]
    by_code = {m.code: m for m in _proxy_matters().filter(code__in=codes)}
    shortlist = [by_code[c] for c in codes if c in by_code][:8]
    return shortlist or list(_proxy_matters()[:8])


@role_page(roles.PROXY_AGENT)
def proxy_home(request):
    today = timezone.localdate()
    qs = (
        Application.objects.filter(proxy_agent=request.user)
        .with_clock_status(today)
        .select_related("matter")
        .prefetch_related(
            Prefetch(
                "notices",
                queryset=Notice.objects.filter(kind=Notice.Kind.ACCEPTANCE).order_by("issued_at"),
                to_attr="acceptance_notices",
            )
        )
        .order_by("-created_at", "-id")
    )
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(number__startswith=q) | Q(applicant_name__icontains=q))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "approvals/proxy/home.html", {"page": page, "q": q})


def _resident_by_id(id_number: str) -> User | None:
    return User.objects.filter(id_number=id_number, is_active=True).first()


@role_page(roles.PROXY_AGENT)
def proxy_new(request):
    """Step A: find the resident by ID number, or register a new resident."""
    matter_code = (request.GET.get("matter") or request.POST.get("matter") or "").strip()
    search = ResidentSearchForm(request.GET if "id_number" in request.GET else None)
    resident = None
    register_form = None
    status = 200
    if search.is_bound:
        if search.is_valid():
            resident = _resident_by_id(search.cleaned_data["id_number"])
            if resident is None:
                register_form = ResidentRegisterForm(
                    initial={"id_number": search.cleaned_data["id_number"]}
                )
            else:
                audit.record(
                    actor=request.user,
                    action="person.lookup",
                    obj=resident,
                    note="proxy agent: resident search by ID number",
                )
        else:
            status = 400
    return render(
        request,
        "approvals/proxy/new.html",
        {
            "search": search,
            "resident": resident,
            "register_form": register_form,
            "matter_code": matter_code,
        },
        status=status,
    )


@require_POST
@role_page(roles.PROXY_AGENT)
def proxy_resident_register(request):
    from portal.services import resident_register

    form = ResidentRegisterForm(request.POST)
    matter_code = (request.POST.get("matter") or "").strip()
    if form.is_valid():
        try:
            resident = resident_register(
                actor=request.user,
                real_name=form.cleaned_data["real_name"],
                mobile=form.cleaned_data["mobile"],
                id_number=form.cleaned_data["id_number"],
            )
        except ActionError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已登记村民：%(name)s。") % {"name": resident.display_name})
            url = f"{reverse('approvals:proxy-file')}?id_number={resident.id_number}"
            if matter_code:
                url += f"&matter={matter_code}"
            return redirect(url)
    return render(
        request,
        "approvals/proxy/new.html",
        {
            "search": ResidentSearchForm(),
            "resident": None,
            "register_form": form,
            "matter_code": matter_code,
        },
        status=400,
    )


@role_page(roles.PROXY_AGENT)
@require_http_methods(["GET", "POST"])
def proxy_file(request):
    """Step B: choose the matter, record the resident's consent, create the draft."""
    source = request.POST if request.method == "POST" else request.GET
    search = ResidentSearchForm({"id_number": source.get("id_number", "")})
    if not search.is_valid():
        return redirect("approvals:proxy-new")
    resident = _resident_by_id(search.cleaned_data["id_number"])
    if resident is None:
        return redirect(
            f"{reverse('approvals:proxy-new')}?id_number={search.cleaned_data['id_number']}"
        )
    q = (request.GET.get("q") or "").strip()[:100]
    chosen = (source.get("matter") or "").strip()
    total = None
    if chosen and not q:
        matters = list(_proxy_matters().filter(code=chosen)[:1])
    elif q:
        found = _proxy_matters(q)
        matters = list(found[: PROXY_CHOICES + 1])
        total = len(matters) if len(matters) <= PROXY_CHOICES else found.count()
        matters = matters[:PROXY_CHOICES]
    else:
        matters = _proxy_shortlist()
    if chosen and chosen not in {m.code for m in matters}:
        extra = _proxy_matters().filter(code=chosen).first()
        if extra is not None:
            matters.insert(0, extra)
    form = ProxyFilingForm(
        request.POST if request.method == "POST" else None,
        matters=matters,
        initial={"id_number": resident.id_number, "matter": chosen},
    )
    if request.method == "POST" and form.is_valid():
        matter = next(m for m in matters if m.code == form.cleaned_data["matter"])
        try:
            application = svc.application_create(
                actor=request.user,
                matter=matter,
                channel=Application.Channel.PROXY,
                applicant=resident,
                proxy_consent=form.consent_text(),
            )
        except ActionError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("已为%(name)s创建代办草稿，请继续填写。") % {"name": resident.display_name},
            )
            return redirect("approvals:apply-step", application.reference, "applicant")
    return render(
        request,
        "approvals/proxy/file.html",
        {
            "resident": resident,
            "form": form,
            "q": q,
            "matters": matters,
            "total": total,
            "more": total is not None and total > len(matters),
            "chosen_only": bool(chosen and not q and len(matters) == 1),
            "shortlist": not q and not chosen,
        },
        status=400 if form.errors else 200,
    )
