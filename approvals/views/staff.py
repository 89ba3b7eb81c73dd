"""Staff pages: window clerks (intake queue, walk-in registration, intake screen, release),
reviewers (department queue, review screen), district reviewers (forwarded queue and the
district decision) and supervisors (extensions, overdue and warning lists, reassignment).

Thin views: every change goes through approvals.services.applications, every read through the
selectors. A service error is shown on the field that caused it with the user's input kept;
an action that lost a race (the application moved on since the page was shown) answers 409
with "已被他人处理…", never a 500. Wrong role: 403; an application outside the user's scope: 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from approvals.models import (
    Application,
    ApplicationMaterial,
    Extension,
    Matter,
    Notice,
    State,
    Suspension,
)
from approvals.models.applications import ClockStatus
from approvals.selectors import applications as sel
from approvals.selectors import staff as staff_sel
from approvals.services import applications as svc
from approvals.services.documents import material_file_response, notice_pdf_response
from portal import access, roles
from portal import services as portal_services
from portal.errors import ActionError, Conflict, NotFound
from portal.forms import VillageChoiceField
from portal.models import Department
from portal.planner import joins_as_written

STAFF_ROLES = (roles.WINDOW_CLERK, roles.REVIEWER, roles.DISTRICT_REVIEWER, roles.SUPERVISOR)
FRAMEABLE_CSP = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
)


# --- access and errors -----------------------------------------------------------------------


def role_required(*role_names):
    """Signed in with one of ``role_names``; anyone else signed in gets 403 (no superuser
    shortcut: every staff page needs a staff profile)."""
    return access.role_required(*role_names, allow_superuser=False)


def _application(request, reference: str, narrow=None) -> Application:
    try:
        return sel.application_get(request.user, reference, narrow)
    except NotFound:
        raise Http404(_("未找到该办件。")) from None


def _expect_state(request, application: Application) -> None:
    """The form carries the state the page was shown in; if the application has moved on since,
    someone else acted first."""
    shown = request.POST.get("state")
    if shown and shown != application.state:
        raise Conflict(
            _("该办件已被他人处理（当前状态：%(state)s），请刷新后再试。")
            % {"state": application.get_state_display()},
            code="state_changed",
        )


def _form_error(form: forms.Form | None, error: ActionError) -> dict:
    """Put a service error on the form fields it names; return the errors no field took."""
    rest = {}
    for field, texts in error.fields.items():
        if form is not None and field in form.fields:
            for text in texts:
                form.add_error(field, text)
        else:
            rest[field] = texts
    return rest


def _status(error: ActionError | None) -> int:
    return error.status_code if error is not None else 200


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _latest_notice(application: Application, kind: str) -> Notice | None:
    return application.notices.filter(kind=kind).order_by("-id").first()


def _notice_redirect(application: Application, notice: Notice | None, next_url: str):
    if notice is None:
        return redirect(next_url)
    url = reverse("approvals:staff-notice", args=[application.reference, notice.pk])
    return redirect(f"{url}?next={next_url}")


def _queue_response(request, template: str, partial: str, context: dict):
    """Full page, or just the next rows when htmx asks for more."""
    if request.headers.get("HX-Request") and request.GET.get("after"):
        return render(request, partial, context)
    return render(request, template, context)


# --- queues ----------------------------------------------------------------------------------


@role_required(roles.WINDOW_CLERK)
def intake_queue(request):
    today, user = timezone.localdate(), request.user
    page = staff_sel.kept_keyset_page(  # compiled once per scope (issue 19, portal.sql_memo)
        ("intake", tuple(sorted(sel.clerk_department_ids(user)))),
        lambda: staff_sel.slim(sel.intake_queue(user, today), "intake"),
        staff_sel.INTAKE_KEYS,
        request.GET.get("after"),
    )
    return _queue_response(
        request,
        "approvals/staff/intake_queue.html",
        "approvals/staff/_intake_rows.html",
        {"page": page, "today": today},
    )


def _review_filter(request, qs):
    show = request.GET.get("show", "")
    if show == "mine":
        return qs.filter(handler=request.user), show
    if show == "unclaimed":
        return qs.filter(state=State.ACCEPTED), show
    return qs, ""


@role_required(roles.REVIEWER)
def review_queue(request):
    today, user = timezone.localdate(), request.user
    show = request.GET.get("show", "")
    show = show if show in ("mine", "unclaimed") else ""

    def queue():
        return staff_sel.slim(sel.review_queue(user, today), "review")

    # what the statements depend on (issue 19: compiled once per process, portal.sql_memo)
    key = ("review", sel.staff_department_id(user), today)
    counts = None
    if not (request.headers.get("HX-Request") and request.GET.get("after")):
        counts = staff_sel.kept_clock_counts(key, queue, today)
    page = staff_sel.kept_keyset_page(
        (*key, show, user.pk if show == "mine" else None),
        lambda: _review_filter(request, queue())[0],
        staff_sel.REVIEW_KEYS,
        request.GET.get("after"),
    )
    return _queue_response(
        request,
        "approvals/staff/review_queue.html",
        "approvals/staff/_review_rows.html",
        {
            "page": page,
            "counts": counts,
            "show": show,
            "today": today,
            "extra_query": f"show={show}" if show else "",
        },
    )


@role_required(roles.DISTRICT_REVIEWER)
def district_queue(request):
    today = timezone.localdate()
    page = staff_sel.keyset_page(
        staff_sel.slim(sel.district_queue(request.user, today), "district"),
        staff_sel.REVIEW_KEYS,
        request.GET.get("after"),
    )
    return _queue_response(
        request,
        "approvals/staff/district_queue.html",
        "approvals/staff/_district_rows.html",
        {"page": page, "today": today},
    )


@role_required(roles.WINDOW_CLERK)
def release_queue(request):
    today = timezone.localdate()
    page = staff_sel.keyset_page(
        staff_sel.slim(sel.release_queue(request.user, today), "release"),
        staff_sel.RELEASE_KEYS,
        request.GET.get("after"),
    )
    return _queue_response(
        request,
        "approvals/staff/release_queue.html",
        "approvals/staff/_release_rows.html",
        {
            "page": page,
            "today": today,
            # only asked when the queue is empty: is that because this clerk has no release window?
            "release_window": bool(page.rows)
            or bool(sel.clerk_department_ids(request.user, release_only=True)),
        },
    )


# --- supervision -----------------------------------------------------------------------------

SUPERVISION_TABS = ("extensions", "overdue", "warning")


class ExtensionDecisionForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("审批意见"), required=False, max_length=500)


def _department_filter(request):
    try:
        return int(request.GET.get("department") or 0) or None
    except ValueError:
        return None


def _supervision_context(request, tab: str) -> dict:
    today = timezone.localdate()
    department_id = _department_filter(request)
    context = {
        "tab": tab,
        "today": today,
        "departments": Department.objects.filter(kind=Department.Kind.INTERNAL, is_active=True),
        "department_id": department_id,
        "extra_query": f"tab={tab}" + (f"&department={department_id}" if department_id else ""),
    }
    if tab == "extensions":
        extensions = staff_sel.pending_extensions()
        if department_id:
            extensions = extensions.filter(application__department_id=department_id)
        context["extensions"] = list(extensions[:200])
    else:
        status = ClockStatus.OVERDUE if tab == "overdue" else ClockStatus.WARNING
        qs = staff_sel.slim(sel.supervision_list(status, today), "supervision")
        if department_id:
            qs = qs.filter(department_id=department_id)
        context["page"] = staff_sel.keyset_page(
            qs, staff_sel.SUPERVISION_KEYS, request.GET.get("after")
        )
    return context


@role_required(roles.SUPERVISOR)
def supervision(request):
    tab = request.GET.get("tab") if request.GET.get("tab") in SUPERVISION_TABS else "extensions"
    context = _supervision_context(request, tab)
    if tab != "extensions":
        return _queue_response(
            request,
            "approvals/staff/supervision.html",
            "approvals/staff/_supervision_rows.html",
            context,
        )
    return render(request, "approvals/staff/supervision.html", context)


@require_POST
@role_required(roles.SUPERVISOR)
def extension_decide(request, pk: int):
    extension = get_object_or_404(Extension.objects.select_related("application"), pk=pk)
    approve = request.POST.get("decision") == "approve"
    form = ExtensionDecisionForm(request.POST)
    try:
        if request.POST.get("decision") not in ("approve", "reject"):
            raise ActionError(_("请选择批准或不批准。"), code="invalid")
        if not form.is_valid():
            raise ActionError(
                "；".join(str(m) for m in form.errors.get("note", [])) or _("请按提示补全信息。"),
                code="invalid",
                fields={"note": form.errors.get("note", [])},
            )
        svc.extension_decide(
            extension=extension,
            actor=request.user,
            approve=approve,
            note=form.cleaned_data.get("note", ""),
        )
    except ActionError as error:
        context = _supervision_context(request, "extensions")
        context.update(error=error.message, error_extension=pk, typed_note=request.POST.get("note"))
        return render(request, "approvals/staff/supervision.html", context, status=_status(error))
    number = extension.application.number
    if approve:
        messages.success(
            request,
            _("已批准办件 %(number)s 延期%(days)s个工作日，已向申请人发出延期告知书。")
            % {"number": number, "days": extension.days},
        )
    else:
        messages.success(request, _("已不批准办件 %(number)s 的延期申请。") % {"number": number})
    return redirect(f"{reverse('approvals:supervision')}?tab=extensions")


class ReassignForm(forms.Form):
    reviewer = forms.ModelChoiceField(
        queryset=staff_sel.department_reviewers(0), label=gettext_lazy("改派给")
    )
    reason = forms.CharField(
        label=gettext_lazy("改派理由"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, department_id: int, exclude=None, **kwargs):
        super().__init__(*args, **kwargs)
        reviewers = staff_sel.department_reviewers(department_id)
        if exclude:
            reviewers = reviewers.exclude(pk=exclude)
        field = self.fields["reviewer"]
        field.queryset = reviewers
        field.label_from_instance = lambda u: (
            _("%(name)s（在办%(n)s件）")
            % {
                "name": u.display_name,
                "n": u.open_count,
            }
        )


@role_required(roles.SUPERVISOR)
def reassign(request, reference: str):
    application = _application(request, reference)
    form = ReassignForm(
        request.POST or None,
        department_id=application.department_id,
        exclude=application.handler_id,
    )
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            _expect_state(request, application)
            svc.application_reassign(
                application=application,
                actor=request.user,
                reviewer=form.cleaned_data["reviewer"],
                reason=form.cleaned_data["reason"],
            )
        except ActionError as exc:
            error = exc
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("办件 %(number)s 已改派给%(name)s。")
                % {"number": application.number, "name": form.cleaned_data["reviewer"]},
            )
            return redirect(_safe_next(request, reverse("approvals:supervision") + "?tab=overdue"))
    status = _status(error) if error else (400 if form.errors else 200)
    return render(
        request,
        "approvals/staff/reassign.html",
        {
            "application": application,
            "form": form,
            "error": error.message if error else "",
            "next": _safe_next(request, ""),
        },
        status=status,
    )


# --- walk-in registration --------------------------------------------------------------------


class ResidentForm(forms.Form):
    real_name = forms.CharField(label=gettext_lazy("真实姓名"), max_length=64)
    mobile = forms.CharField(
        label=gettext_lazy("手机号码"),
        max_length=11,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    id_number = forms.CharField(
        label=gettext_lazy("居民身份证号码"),
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class WalkInForm(forms.Form):
    applicant_kind = forms.ChoiceField(
        label=gettext_lazy("申请人类型"),
        choices=Application.ApplicantKind.choices,
        initial=Application.ApplicantKind.PERSON,
    )
    organisation_name = forms.CharField(
        label=gettext_lazy("单位名称"), required=False, max_length=200
    )
    credit_code = forms.CharField(
        label=gettext_lazy("统一社会信用代码"), required=False, max_length=18
    )
    address = forms.CharField(label=gettext_lazy("联系地址"), required=False, max_length=255)
    village = VillageChoiceField(required=False)
    note = forms.CharField(
        label=gettext_lazy("申请事项说明"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("applicant_kind") == Application.ApplicantKind.ORGANISATION
            and not (data.get("organisation_name") or "").strip()
        ):
            self.add_error("organisation_name", _("法人或其他组织申请须填写单位名称。"))
        return data


def _walk_in_context(request, *, resident=None, ticket=None, resident_form=None, form=None):
    params = request.POST if request.method == "POST" else request.GET
    q = params.get("q", "").strip()
    category = params.get("category", "") or (
        ticket.category.code if ticket is not None and not q else ""
    )
    windows = (
        list(request.user.staff_profile.windows.filter(is_active=True))
        if hasattr(request.user, "staff_profile")
        else []
    )
    return {
        "ticket": ticket,
        "resident": resident,
        "id_number": params.get("id_number", "").strip(),
        "resident_form": resident_form,
        "form": form or WalkInForm(),
        "q": q,
        "category": category,
        "matters": staff_sel.walk_in_matters(q, category) or staff_sel.walk_in_matters(q),
        "chosen_matter": params.get("matter", ""),
        "drafts": staff_sel.walk_in_drafts(request.user) if resident is None else [],
        "windows": windows,
        "chosen_window": params.get("window", "")
        or (str(ticket.window_id) if ticket is not None and ticket.window_id else ""),
    }


def _walk_in_url(*, resident=None, ticket=None) -> str:
    query = []
    if resident is not None:
        query.append(f"resident={resident.pk}")
    if ticket is not None:
        query.append(f"ticket={ticket.pk}")
    return reverse("approvals:walk-in") + ("?" + "&".join(query) if query else "")


def _resident_from(params):
    pk = params.get("resident")
    if not pk or not str(pk).isdigit():
        return None
    from portal.models import User

    return User.objects.filter(pk=int(pk), is_active=True).first()


@role_required(roles.WINDOW_CLERK)
def walk_in(request):
    params = request.POST if request.method == "POST" else request.GET
    ticket = staff_sel.walk_in_ticket(params.get("ticket"))
    resident = _resident_from(params)
    if resident is None and ticket is not None and ticket.resident_id:
        resident = ticket.resident
    resident_form = None
    lookup_missed = False
    if request.method == "POST" and params.get("action") == "lookup":
        # A POST, so that the ID number never appears in a URL, a log line or the history.
        id_number = params.get("id_number", "").strip()
        found = staff_sel.find_resident_by_id_number(id_number) if id_number else None
        if found is not None:
            return redirect(_walk_in_url(resident=found, ticket=ticket))
        resident = None
        lookup_missed = bool(id_number)
        resident_form = ResidentForm(initial={"id_number": id_number}) if id_number else None

    if request.method == "POST" and params.get("action") == "register":
        resident_form = ResidentForm(request.POST)
        if resident_form.is_valid():
            try:
                resident = portal_services.resident_register(
                    actor=request.user, **resident_form.cleaned_data
                )
            except ActionError as error:
                _form_error(resident_form, error)
            else:
                messages.success(
                    request,
                    _("已登记群众：%(name)s（%(id)s）")
                    % {"name": resident.display_name, "id": resident.id_number_masked},
                )
                return redirect(_walk_in_url(resident=resident, ticket=ticket))
        context = _walk_in_context(request, ticket=ticket, resident_form=resident_form)
        context["lookup_missed"] = True
        return render(request, "approvals/staff/walk_in.html", context, status=400)

    if request.method == "POST" and params.get("action") == "create":
        form = WalkInForm(request.POST)
        matter = None
        matter_id = params.get("matter", "")
        if matter_id.isdigit():
            matter = Matter.objects.filter(pk=int(matter_id)).first()
        error = None
        if resident is None:
            form.add_error(None, _("请先查找或登记申请人。"))
        if matter is None:
            form.add_error(None, _("请选择要办理的事项。"))
        if form.is_valid():
            window = None
            window_id = params.get("window", "")
            if window_id.isdigit():
                window = request.user.staff_profile.windows.filter(pk=int(window_id)).first()
            try:
                application = svc.application_create(
                    actor=request.user,
                    matter=matter,
                    channel=Application.Channel.HALL,
                    applicant=resident,
                    window=window,
                    ticket=ticket,
                    applicant_kind=form.cleaned_data["applicant_kind"],
                    organisation_name=form.cleaned_data["organisation_name"].strip(),
                    credit_code=form.cleaned_data["credit_code"].strip(),
                    address=form.cleaned_data["address"].strip(),
                    village=form.cleaned_data["village"],
                    details={"note": form.cleaned_data["note"].strip()}
                    if form.cleaned_data["note"].strip()
                    else {},
                )
            except ActionError as exc:
                error = exc
                rest = _form_error(form, exc)
                for texts in rest.values():
                    for text in texts:
                        form.add_error(None, text)
            else:
                messages.success(
                    request,
                    _("已为%(name)s创建“%(matter)s”申请，请收取并上传材料。")
                    % {"name": resident.display_name, "matter": application.matter.name},
                )
                return redirect("approvals:walk-in-draft", reference=application.reference)
        context = _walk_in_context(request, resident=resident, ticket=ticket, form=form)
        context["error"] = error.message if error else ""
        return render(
            request,
            "approvals/staff/walk_in.html",
            context,
            status=_status(error) if error else 400,
        )

    context = _walk_in_context(
        request, resident=resident, ticket=ticket, resident_form=resident_form
    )
    context["lookup_missed"] = lookup_missed
    context["id_number"] = params.get("id_number", "").strip() if lookup_missed else ""
    if params.get("ticket") and ticket is None:
        context["error"] = _("没有找到该取号记录，请直接登记申请人。")
    return render(request, "approvals/staff/walk_in.html", context)


@role_required(roles.WINDOW_CLERK)
def walk_in_matters(request):
    """htmx: the matter search results of the walk-in page."""
    q = request.GET.get("q", "").strip()
    category = request.GET.get("category", "")
    return render(
        request,
        "approvals/staff/_matter_results.html",
        {
            "matters": staff_sel.walk_in_matters(q, category) or staff_sel.walk_in_matters(q),
            "q": q,
            "chosen_matter": request.GET.get("matter", ""),
        },
    )


def _upload_chosen(request, application: Application, materials) -> tuple[int, dict]:
    """Store every file chosen in the form (inputs ``file-<material id>``). Returns how many
    were stored and the errors per material, keyed ``materials.<id>``."""
    stored = 0
    errors: dict[str, list[str]] = {}
    for item in materials:
        for uploaded in request.FILES.getlist(f"file-{item.pk}"):
            try:
                svc.material_upload(
                    application=application,
                    actor=request.user,
                    application_material=item,
                    uploaded=uploaded,
                )
            except ActionError as error:
                errors.setdefault(f"materials.{item.pk}", []).append(
                    f"{uploaded.name}：{error.message}"
                )
            else:
                stored += 1
    return stored, errors


@role_required(roles.WINDOW_CLERK)
def walk_in_draft(request, reference: str):
    """A walk-in draft: receive and scan the materials, then submit and go on to intake."""
    application = _application(request, reference)
    if application.state != State.DRAFT:
        return redirect("approvals:intake", reference=application.reference)
    if application.filed_by_id != request.user.pk:
        raise PermissionDenied
    errors: dict = {}
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        materials = list(application.materials.all())
        stored, errors = _upload_chosen(request, application, materials)
        if stored:
            messages.success(request, _("已上传%(n)s个文件。") % {"n": stored})
        if action == "submit" and not errors:
            try:
                svc.application_submit(application=application, actor=request.user)
            except ActionError as exc:
                error = exc
            else:
                number = Application.objects.values_list("number", flat=True).get(pk=application.pk)
                messages.success(
                    request,
                    _("申请已提交，办件编号 %(number)s。请核验材料并作出受理决定。")
                    % {"number": number},
                )
                return redirect("approvals:intake", reference=number)
        if not errors and error is None:
            return redirect("approvals:walk-in-draft", reference=application.reference)
    application = staff_sel.application_for_screen(application)
    status = _status(error) if error else (400 if errors else 200)
    return render(
        request,
        "approvals/staff/draft.html",
        {
            "application": application,
            "errors": errors,
            "error": error.message if error else "",
        },
        status=status,
    )


# --- intake ----------------------------------------------------------------------------------

CHECK_CHOICES = [
    (ApplicationMaterial.Status.RECEIVED, gettext_lazy("已收取")),
    (ApplicationMaterial.Status.MISSING, gettext_lazy("缺少")),
    (ApplicationMaterial.Status.DEFICIENT, gettext_lazy("不符合要求")),
    (ApplicationMaterial.Status.TOLERATED, gettext_lazy("容缺后补")),
]


def _intake_rows(application: Application, data=None) -> list[dict]:
    rows = []
    for item in application.materials.all():
        if data is not None:
            row = {
                "status": data.get(f"status-{item.pk}", ""),
                "problem": data.get(f"problem-{item.pk}", ""),
                "promised_on": data.get(f"promised-{item.pk}", ""),
                "commitment": data.get(f"commitment-{item.pk}", ""),
            }
        else:
            row = {
                "status": "" if item.status == ApplicationMaterial.Status.PENDING else item.status,
                "problem": item.problem,
                "promised_on": item.promised_on.isoformat() if item.promised_on else "",
                "commitment": item.commitment,
            }
        row["material"] = item
        rows.append(row)
    return rows


def _checks(rows: list[dict]) -> list[dict]:
    return [
        {
            "id": row["material"].pk,
            "status": row["status"],
            # a material received as it should be carries no problem text (a leftover from
            # the previous round would otherwise print on the receipt's records)
            "problem": ""
            if row["status"] == ApplicationMaterial.Status.RECEIVED
            else row["problem"],
            "promised_on": row["promised_on"] or None,
            "commitment": row["commitment"],
        }
        for row in rows
        if row["status"]
    ]


def _files_after_correction(application: Application) -> set[int]:
    """Files uploaded since the last correction notice (what the applicant sent in reply)."""
    asked = [h.at for h in application.history.all() if h.action == "request_correction"]
    if not asked:
        return set()
    return {
        f.pk
        for item in application.materials.all()
        for f in item.files.all()
        if f.uploaded_at > asked[-1]
    }


@role_required(roles.WINDOW_CLERK)
def intake(request, reference: str):
    """The intake screen: the checklist beside the uploads; accept, correction or refusal, and
    the notice printed in one step."""
    application = _application(request, reference)
    if application.state == State.DRAFT:
        if application.filed_by_id == request.user.pk:
            return redirect("approvals:walk-in-draft", reference=application.reference)
        raise Http404(_("未找到该办件。"))
    if application.department_id not in sel.clerk_department_ids(request.user):
        raise PermissionDenied
    errors: dict = {}
    error = None
    data = None
    if request.method == "POST":
        data = request.POST
        action = data.get("action", "")
        try:
            _expect_state(request, application)
            if application.state != State.SUBMITTED:
                raise ActionError(
                    _("办件当前状态（%(state)s）不需要受理操作。")
                    % {"state": application.get_state_display()},
                    code="invalid_transition",
                )
            stored, errors = _upload_chosen(request, application, list(application.materials.all()))
            if stored:
                messages.success(request, _("已上传%(n)s个文件。") % {"n": stored})
            if errors:
                raise ActionError(_("有文件未能上传，请按提示处理后重试。"), code="upload_failed")
            rows = _intake_rows(application, data)
            next_url = reverse("approvals:intake-queue")
            if action == "accept":
                svc.application_accept(
                    application=application, actor=request.user, checks=_checks(rows)
                )
                messages.success(request, _("已受理，请打印受理通知书交申请人。"))
                return _notice_redirect(
                    application, _latest_notice(application, Notice.Kind.ACCEPTANCE), next_url
                )
            if action == "correction":
                extra = [line for line in data.get("extra_items", "").splitlines() if line.strip()]
                svc.application_request_correction(
                    application=application,
                    actor=request.user,
                    checks=_checks(rows),
                    extra_items=extra,
                )
                messages.success(request, _("已发出一次性告知，请打印补正材料通知书交申请人。"))
                return _notice_redirect(
                    application, _latest_notice(application, Notice.Kind.CORRECTION), next_url
                )
            if action == "refuse":
                svc.application_refuse(
                    application=application,
                    actor=request.user,
                    reason=data.get("reason", ""),
                    basis=data.get("basis", ""),
                )
                messages.success(request, _("已作出不予受理决定，请打印不予受理通知书交申请人。"))
                return _notice_redirect(
                    application, _latest_notice(application, Notice.Kind.REFUSAL), next_url
                )
            if action != "upload":
                raise ActionError(_("请选择要执行的操作。"), code="invalid")
        except ActionError as exc:
            error = exc
            for key, texts in exc.fields.items():
                errors.setdefault("file" if key == "file" else key, []).extend(texts)
        application = Application.objects.get(pk=application.pk)
    screen = staff_sel.application_for_screen(application)
    status = _status(error) if error and error.code != "upload_failed" else (400 if errors else 200)
    return render(
        request,
        "approvals/staff/intake.html",
        {
            "application": screen,
            "rows": _intake_rows(screen, data),
            "check_choices": CHECK_CHOICES,
            "errors": errors,
            "error": error.message if error else "",
            "data": data or {},
            "editable": screen.state == State.SUBMITTED,
            "corrected_files": _files_after_correction(screen),
            "correction_issued": any(
                n.submission_round == screen.submission_round
                for n in screen.correction_notices.all()
            ),
        },
        status=status,
    )


# --- review ----------------------------------------------------------------------------------


class SuspendForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("特别程序"), choices=Suspension.Kind.choices)
    reason = forms.CharField(
        label=gettext_lazy("理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    expected_days = forms.IntegerField(
        label=gettext_lazy("预计时长（工作日）"), min_value=1, max_value=365
    )


class ExtensionForm(forms.Form):
    days = forms.IntegerField(label=gettext_lazy("延期天数（工作日）"), min_value=1)
    reason = forms.CharField(
        label=gettext_lazy("延期理由（将告知申请人）"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("决定"),
        choices=Application.Outcome.choices,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("不予许可必须说明理由。"),
    )
    basis = forms.CharField(
        label=gettext_lazy("法律依据"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("不予许可必须写明法律依据。"),
    )


class ForwardForm(forms.Form):
    opinion = forms.CharField(
        label=gettext_lazy("初审意见"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


REVIEW_FORMS = {
    "suspend": SuspendForm,
    "extension": ExtensionForm,
    "decide": DecideForm,
    "forward": ForwardForm,
}


def _review_forms(bound_action: str | None = None, data=None) -> dict:
    return {
        name: cls(data if name == bound_action else None, prefix=name)
        for name, cls in REVIEW_FORMS.items()
    }


def _run_review_action(request, application: Application, action: str, form):
    """Call the service for one review action; returns a success message."""
    data = form.cleaned_data if form is not None else {}
    if action == "claim":
        svc.application_claim(application=application, actor=request.user)
        return _("已认领办件 %(number)s，开始审查。")
    if action == "resume":
        svc.application_resume(application=application, actor=request.user)
        return _("办件 %(number)s 已恢复审查，计时继续。")
    if action == "suspend":
        svc.application_suspend(
            application=application,
            actor=request.user,
            kind=data["kind"],
            reason=data["reason"],
            expected_days=data["expected_days"],
        )
        return _("办件 %(number)s 已进入特别程序，计时暂停；特别程序告知书已生成。")
    if action == "extension":
        svc.extension_request(
            application=application, actor=request.user, days=data["days"], reason=data["reason"]
        )
        return _("延期申请已提交，等待督查领导审批。")
    if action == "decide":
        svc.application_decide(
            application=application,
            actor=request.user,
            outcome=data["outcome"],
            reason=data["reason"],
            basis=data["basis"],
        )
        return _("办件 %(number)s 已作出决定，决定书已生成，转统一出件窗口。")
    if action == "forward":
        svc.application_forward(
            application=application, actor=request.user, opinion=data["opinion"]
        )
        return _("办件 %(number)s 已完成初审并转报区级部门。")
    raise ActionError(_("请选择要执行的操作。"), code="invalid")


def _screen_context(application: Application, *, loaded: bool = False) -> dict:
    """``loaded``: ``application`` was read with staff_sel.screen_narrow (else read again)."""
    screen = application if loaded else staff_sel.application_for_screen(application)
    extensions = list(screen.extensions.all())
    return {
        "application": screen,
        "extension_used": any(
            e.status in (Extension.Status.PENDING, Extension.Status.APPROVED) for e in extensions
        ),
        "pending_extension": next(
            (e for e in extensions if e.status == Extension.Status.PENDING), None
        ),
        "open_suspension": next((s for s in screen.suspensions.all() if not s.ended_on), None),
        "limit_running": svc.limit_running(screen),
    }


@role_required(roles.REVIEWER)
def review(request, reference: str):
    application = _application(request, reference)
    action = request.POST.get("action") if request.method == "POST" else None
    forms_ = _review_forms(action, request.POST if action in REVIEW_FORMS else None)
    error = None
    if request.method == "POST":
        form = forms_.get(action)
        try:
            _expect_state(request, application)
            if form is not None and not form.is_valid():
                raise ActionError(_("请按提示补全信息。"), code="invalid")
            text = _run_review_action(request, application, action, form)
        except ActionError as exc:
            error = exc
            _form_error(form, exc)
            application = Application.objects.get(pk=application.pk)
        else:
            messages.success(request, text % {"number": application.number})
            if action == "decide":
                return redirect("approvals:review-queue")
            return redirect("approvals:review", reference=application.reference)
    context = _screen_context(application)
    context.update(forms_)
    context["error"] = error.message if error else ""
    context["error_action"] = action if error else ""
    context["is_handler"] = context["application"].handler_id == request.user.pk
    context["suspension_kinds"] = Suspension.Kind.choices
    return render(request, "approvals/staff/review.html", context, status=_status(error))


@role_required(roles.DISTRICT_REVIEWER)
def district_review(request, reference: str):
    application = _application(request, reference)
    form = DecideForm(request.POST if request.method == "POST" else None, prefix="decide")
    error = None
    if request.method == "POST":
        try:
            _expect_state(request, application)
            if not form.is_valid():
                raise ActionError(_("请按提示补全信息。"), code="invalid")
            svc.application_record_district_decision(
                application=application,
                actor=request.user,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
                basis=form.cleaned_data["basis"],
            )
        except ActionError as exc:
            error = exc
            _form_error(form, exc)
            application = Application.objects.get(pk=application.pk)
        else:
            messages.success(
                request,
                _("已登记区级部门对办件 %(number)s 的决定，办件转统一出件窗口。")
                % {"number": application.number},
            )
            return redirect("approvals:district-queue")
    context = _screen_context(application)
    context.update(form=form, error=error.message if error else "")
    return render(request, "approvals/staff/district.html", context, status=_status(error))


# --- release ---------------------------------------------------------------------------------


class ReleaseForm(forms.Form):
    method = forms.ChoiceField(
        label=gettext_lazy("出件方式"),
        choices=Application.ReleaseMethod.choices,
        widget=forms.RadioSelect,
        initial=Application.ReleaseMethod.HAND,
    )
    tracking_number = forms.CharField(
        label=gettext_lazy("邮件单号"),
        required=False,
        max_length=64,
        help_text=gettext_lazy("邮寄时必填。"),
    )


@role_required(roles.WINDOW_CLERK)
def release(request, reference: str):
    application = _application(request, reference)
    form = ReleaseForm(request.POST if request.method == "POST" else None)
    error = None
    if request.method == "POST":
        try:
            _expect_state(request, application)
            if not form.is_valid():
                raise ActionError(_("请按提示补全信息。"), code="invalid")
            svc.application_release(
                application=application,
                actor=request.user,
                method=form.cleaned_data["method"],
                tracking_number=form.cleaned_data["tracking_number"],
            )
        except ActionError as exc:
            error = exc
            _form_error(form, exc)
            application = Application.objects.get(pk=application.pk)
        else:
            messages.success(
                request, _("办件 %(number)s 已办结。") % {"number": application.number}
            )
            return redirect("approvals:release-queue")
    context = _screen_context(application)
    context.update(
        form=form,
        error=error.message if error else "",
        can_release=application.state == State.READY_FOR_RELEASE
        and application.department_id in sel.clerk_department_ids(request.user, release_only=True),
    )
    return render(request, "approvals/staff/release.html", context, status=_status(error))


# --- any staff: the application, its files and notices ---------------------------------------


@role_required(*STAFF_ROLES)
@joins_as_written()
def staff_application(request, reference: str):
    application = _application(request, reference, staff_sel.screen_narrow)
    context = _screen_context(application, loaded=True)
    user = request.user
    context.update(
        is_supervisor=user.has_role(roles.SUPERVISOR),
        is_clerk=user.has_role(roles.WINDOW_CLERK),
        is_reviewer=user.has_role(roles.REVIEWER)
        and application.department_id == sel.staff_department_id(user),
        reassignable=(State.ACCEPTED, State.IN_REVIEW, State.SUSPENDED),
    )
    return render(request, "approvals/staff/application.html", context)


@xframe_options_sameorigin
@role_required(*STAFF_ROLES)
def staff_file(request, reference: str, file_id: int):
    application = _application(request, reference)
    response = material_file_response(application=application, file_id=file_id, actor=request.user)
    response["Content-Security-Policy"] = FRAMEABLE_CSP
    response["X-Content-Type-Options"] = "nosniff"
    return response


@xframe_options_sameorigin
@role_required(*STAFF_ROLES)
def staff_notice_pdf(request, reference: str, notice_id: int):
    application = _application(request, reference)
    notice = get_object_or_404(Notice, pk=notice_id, application=application)
    response = notice_pdf_response(notice, download=request.GET.get("download") == "1")
    response["Content-Security-Policy"] = FRAMEABLE_CSP
    return response


@role_required(*STAFF_ROLES)
def staff_notice(request, reference: str, notice_id: int):
    """The notice just issued, ready to print (the PDF in the page, printed in one step)."""
    application = _application(request, reference)
    notice = get_object_or_404(Notice, pk=notice_id, application=application)
    return render(
        request,
        "approvals/staff/notice.html",
        {
            "application": application,
            "notice": notice,
            "next": _safe_next(
                request, reverse("approvals:staff-application", args=[application.reference])
            ),
        },
    )
