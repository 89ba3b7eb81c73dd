"""Pages of the evaluation (好差评): the applicant's rating form, and the supervisors' ratings
list and rectifications (差评整改: call-back, action, result, close)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from approvals.models import Rating, Rectification
from approvals.selectors import evaluations as sel
from approvals.services import evaluations as svc
from approvals.views.citizen import _application, _posted, login_page, role_page
from approvals.views.citizen_forms import CallbackForm, EvaluationForm, RectificationForm
from portal import roles
from portal.errors import ActionError, Conflict, NotFound

PAGE_SIZE = 30


@login_page
@require_http_methods(["GET", "POST"])
def evaluate(request, reference: str):
    """Rate a completed application once (the applicant, or the proxy agent for them)."""
    application = _application(request, reference)
    if not svc.can_rate(request.user, application):
        raise Http404
    if sel.evaluation_for(application) is not None:
        messages.info(request, _("该办件已经评价过了，每个办件只能评价一次。"))
        return redirect("approvals:application-detail", application.reference)
    form = EvaluationForm(_posted(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                svc.evaluation_create(
                    application=application,
                    actor=request.user,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                )
            except Conflict as error:
                messages.error(request, error.message)
                return redirect("approvals:application-detail", application.reference)
            except ActionError as error:
                form.add_service_error(error)
                status = error.status_code
            else:
                messages.success(request, _("感谢您的评价！"))
                return redirect("approvals:application-detail", application.reference)
        else:
            status = 400
    return render(
        request,
        "approvals/evaluations/evaluate.html",
        {"application": application, "form": form},
        status=status,
    )


# --- supervisors -----------------------------------------------------------------------------


@role_page(roles.SUPERVISOR)
def evaluations(request):
    """Every rating with the rater's identity (supervisors only)."""
    qs = sel.visible_evaluations(request.user).order_by("-created_at", "-id")
    rating = request.GET.get("rating", "")
    if rating.isdigit() and int(rating) in Rating.values:
        qs = qs.filter(rating=int(rating))
    else:
        rating = ""
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = sel.rating_counts()
    return render(
        request,
        "approvals/evaluations/list.html",
        {
            "page": page,
            "rating": rating,
            "ratings": [
                {"value": value, "label": label, "count": counts.get(value, 0)}
                for value, label in Rating.choices
            ],
            "total": sum(counts.values()),
        },
    )


@role_page(roles.SUPERVISOR)
def rectifications(request):
    today = timezone.localdate()
    status = request.GET.get("status", "open")
    if status not in ("open", "closed", "overdue", "all"):
        status = "open"
    qs = sel.rectifications(status="" if status == "all" else status, today=today)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "approvals/evaluations/rectifications.html",
        {
            "page": page,
            "status": status,
            "counts": sel.rectification_counts(today),
            "today": today,
        },
    )


def _rectification(request, pk: int) -> Rectification:
    try:
        return sel.rectification_get(request.user, pk)
    except NotFound:
        raise Http404 from None


def _render_rectification(request, rectification, *, callback_form=None, form=None, status=200):
    if form is None:
        form = RectificationForm(
            initial={"action_taken": rectification.action_taken, "result": rectification.result}
        )
    return render(
        request,
        "approvals/evaluations/rectification.html",
        {
            "rectification": rectification,
            "evaluation": rectification.evaluation,
            "application": rectification.evaluation.application,
            "callbacks": list(rectification.callbacks.all()),
            "callback_form": callback_form or CallbackForm(),
            "form": form,
            "is_open": rectification.status == Rectification.Status.OPEN,
        },
        status=status,
    )


@role_page(roles.SUPERVISOR)
def rectification_detail(request, pk: int):
    return _render_rectification(request, _rectification(request, pk))


@require_POST
@role_page(roles.SUPERVISOR)
def rectification_callback(request, pk: int):
    rectification = _rectification(request, pk)
    form = CallbackForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            svc.rectification_record_callback(
                rectification=rectification,
                actor=request.user,
                called_at=form.cleaned_data["called_at"],
                method=form.cleaned_data["method"],
                citizen_said=form.cleaned_data["citizen_said"],
            )
        except ActionError as error:
            form.add_service_error(error)
            status = error.status_code
        else:
            messages.success(request, _("回访记录已保存，已通知申请人。"))
            return redirect("approvals:rectification-detail", rectification.pk)
    # Keep what was typed in the other form as it was last saved.
    return _render_rectification(
        request, _rectification(request, pk), callback_form=form, status=status
    )


@require_POST
@role_page(roles.SUPERVISOR)
def rectification_save(request, pk: int):
    """Save the action and result (button "保存"), or close (button "办结")."""
    rectification = _rectification(request, pk)
    form = RectificationForm(request.POST)
    closing = request.POST.get("action") == "close"
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            if closing:
                svc.rectification_close(
                    rectification=rectification,
                    actor=request.user,
                    action_taken=data["action_taken"],
                    result=data["result"],
                )
            else:
                svc.rectification_update(
                    rectification=rectification,
                    actor=request.user,
                    action_taken=data["action_taken"],
                    result=data["result"],
                )
        except ActionError as error:
            form.add_service_error(error)
            status = error.status_code
        else:
            messages.success(request, _("整改已办结。") if closing else _("整改情况已保存。"))
            return redirect("approvals:rectification-detail", rectification.pk)
    return _render_rectification(request, _rectification(request, pk), form=form, status=status)
