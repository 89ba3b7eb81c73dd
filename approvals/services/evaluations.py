"""Evaluation (好差评) and rectification (差评整改). Keyword-only, atomic, row-locked, audited.

Rules:
- Only a completed application is rated, once, by its applicant or by the proxy agent who filed
  it (then marked ``on_behalf``). Staff never rate, and nobody edits a rating.
- 不满意 and 非常不满意 open a rectification due ONEWINDOW['RECTIFICATION_DAYS'] working days
  later (default 15, counted by portal.workdays).
- Supervisors record call-backs (the applicant is told), the action taken and the result, and
  close it; closing needs at least one call-back, the action and the result."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from approvals.models import (
    BAD_RATINGS,
    Application,
    Callback,
    Evaluation,
    Rating,
    Rectification,
    State,
)
from portal import audit, roles, workdays
from portal.errors import ActionError, Conflict, Forbidden
from portal.notifications import notify

DEFAULT_RECTIFICATION_DAYS = 15
COMMENT_MAX = 1000


def rectification_days() -> int:
    return int(settings.ONEWINDOW.get("RECTIFICATION_DAYS", DEFAULT_RECTIFICATION_DAYS))


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def can_rate(user, application: Application) -> bool:
    """The applicant, or the proxy agent who filed it for them; nobody else (no staff)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if application.applicant_id == user.pk:
        return True
    return bool(
        application.proxy_agent_id
        and application.proxy_agent_id == user.pk
        and user.has_role(roles.PROXY_AGENT)
    )


def _require_supervisor(actor):
    if not (
        getattr(actor, "is_authenticated", False)
        and (actor.is_superuser or actor.has_role(roles.SUPERVISOR))
    ):
        raise Forbidden(_("只有督查人员可以处理差评整改。"), code="role_not_allowed")


def _app_url(application: Application) -> str:
    return f"/applications/{application.reference}/"


# --- rating ----------------------------------------------------------------------------------


@transaction.atomic
def evaluation_create(
    *, application: Application, actor, rating, comment: str = "", today: date | None = None
) -> Evaluation:
    """Rate a completed application once. A bad rating opens a rectification."""
    today = _today(today)
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("applicant", "matter", "department")
        .get(pk=application.pk)
    )
    if not can_rate(actor, application):
        raise Forbidden(_("只有申请人或为其代办的帮代办员可以评价。"), code="not_applicant")
    if application.state != State.COMPLETED:
        raise ActionError(_("办件办结后才能评价。"), code="not_completed")
    if Evaluation.objects.filter(application=application).exists():
        raise Conflict(_("该办件已经评价过了，每个办件只能评价一次。"), code="already_rated")
    errors = {}
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = None
    if rating not in Rating.values:
        errors["rating"] = _("请选择评价等级。")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        errors["comment"] = _("评价内容不能超过%(n)s个字。") % {"n": COMMENT_MAX}
    if errors:
        raise ActionError(_("评价信息有误，请按提示修改。"), code="invalid", fields=errors)
    on_behalf = application.applicant_id != actor.pk
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                application=application,
                rating=rating,
                comment=comment,
                rated_by=actor,
                on_behalf=on_behalf,
            )
    except IntegrityError:
        raise Conflict(
            _("该办件已经评价过了，每个办件只能评价一次。"), code="already_rated"
        ) from None
    audit.record(
        actor=actor,
        action="evaluation.create",
        obj=evaluation,
        after={
            "application": application.number,
            "rating": rating,
            "on_behalf": on_behalf,
            **({"comment": comment} if comment else {}),
        },
    )
    if rating in BAD_RATINGS:
        _open_rectification(evaluation, application, today)
    return evaluation


def _open_rectification(evaluation: Evaluation, application: Application, today: date):
    rectification = Rectification.objects.create(
        evaluation=evaluation,
        opened_on=today,
        due_date=workdays.add_working_days(today, rectification_days()),
    )
    audit.record(
        actor="system",
        action="rectification.open",
        obj=rectification,
        after={
            "application": application.number,
            "rating": evaluation.rating,
            "due_date": rectification.due_date.isoformat(),
        },
    )

    def tell_supervisors():
        from portal.models import User

        title = _("差评待整改：办件 %(number)s（%(rating)s）") % {
            "number": application.number,
            "rating": evaluation.get_rating_display(),
        }
        body = _("请在%(due)s前完成回访和整改。") % {"due": rectification.due_date.isoformat()}
        for person in User.objects.filter(groups__name=roles.SUPERVISOR, is_active=True):
            notify(
                recipient=person,
                kind="evaluation.rectification_opened",
                obj=rectification,
                title=title,
                body=body,
                url=f"/rectifications/{rectification.pk}/",
            )

    transaction.on_commit(tell_supervisors)
    return rectification


# --- rectification ---------------------------------------------------------------------------


def _lock_rectification(rectification: Rectification) -> Rectification:
    locked = (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("evaluation__application__applicant")
        .get(pk=rectification.pk)
    )
    if locked.status != rectification.status:
        raise Conflict(_("该整改已被他人办结，请刷新后查看。"), code="state_changed")
    if locked.status != Rectification.Status.OPEN:
        raise ActionError(_("该整改已经办结。"), code="rectification_closed")
    return locked


@transaction.atomic
def rectification_record_callback(
    *,
    rectification: Rectification,
    actor,
    called_at: datetime | None,
    method: str,
    citizen_said: str,
) -> Callback:
    """Record a call-back to the citizen (回访) and tell the applicant it was recorded."""
    _require_supervisor(actor)
    rectification = _lock_rectification(rectification)
    errors = {}
    now = timezone.now()
    if called_at is None:
        errors["called_at"] = _("请填写回访时间。")
    elif called_at > now + timedelta(minutes=5):
        errors["called_at"] = _("回访时间不能晚于现在。")
    elif timezone.localdate(called_at) < rectification.opened_on:
        errors["called_at"] = _("回访时间不能早于差评日期。")
    if method not in Callback.Method.values:
        errors["method"] = _("请选择回访方式。")
    citizen_said = (citizen_said or "").strip()
    if not citizen_said:
        errors["citizen_said"] = _("请记录群众在回访中的意见。")
    if errors:
        raise ActionError(_("回访记录不完整。"), code="invalid", fields=errors)
    callback = Callback.objects.create(
        rectification=rectification,
        called_at=called_at,
        called_by=actor,
        method=method,
        citizen_said=citizen_said,
    )
    audit.record(
        actor=actor,
        action="rectification.callback",
        obj=rectification,
        after={
            "called_at": called_at.isoformat(),
            "method": method,
            "citizen_said": citizen_said,
        },
    )
    application = rectification.evaluation.application
    applicant = application.applicant
    title = _("办件 %(number)s 的评价已回访") % {"number": application.number}
    body = _("感谢您的评价。我们已于%(when)s进行回访，将认真整改并告知结果。") % {
        "when": timezone.localtime(called_at).strftime("%Y-%m-%d %H:%M")
    }

    def tell_applicant():
        notify(
            recipient=applicant,
            kind="evaluation.callback",
            obj=application,
            title=title,
            body=body,
            url=_app_url(application),
        )

    transaction.on_commit(tell_applicant)
    return callback


@transaction.atomic
def rectification_update(
    *, rectification: Rectification, actor, action_taken: str, result: str
) -> Rectification:
    """Save the action taken and the result so far, without closing."""
    _require_supervisor(actor)
    rectification = _lock_rectification(rectification)
    before = {"action_taken": rectification.action_taken, "result": rectification.result}
    rectification.action_taken = (action_taken or "").strip()
    rectification.result = (result or "").strip()
    rectification.save(update_fields=["action_taken", "result", "updated_at"])
    audit.record(
        actor=actor,
        action="rectification.update",
        obj=rectification,
        before=before,
        after={"action_taken": rectification.action_taken, "result": rectification.result},
    )
    return rectification


@transaction.atomic
def rectification_close(
    *, rectification: Rectification, actor, action_taken: str, result: str
) -> Rectification:
    """Close: needs at least one call-back, the action taken and the result."""
    _require_supervisor(actor)
    rectification = _lock_rectification(rectification)
    action_taken = (action_taken or "").strip()
    result = (result or "").strip()
    errors = {}
    if not rectification.callbacks.exists():
        errors["callbacks"] = _("办结前请先记录至少一次回访。")
    if not action_taken:
        errors["action_taken"] = _("请填写整改措施。")
    if not result:
        errors["result"] = _("请填写整改结果。")
    if errors:
        raise ActionError(_("整改尚不能办结，请按提示补充。"), code="incomplete", fields=errors)
    if not can_proceed(rectification.close):
        raise ActionError(_("该整改已经办结。"), code="rectification_closed")
    rectification.action_taken = action_taken
    rectification.result = result
    rectification.close()
    rectification.closed_at = timezone.now()
    rectification.closed_by = actor
    rectification.save()
    audit.record(
        actor=actor,
        action="rectification.close",
        obj=rectification,
        before={"status": Rectification.Status.OPEN},
        after={
            "status": rectification.status,
            "action_taken": action_taken,
            "result": result,
            "late": timezone.localdate(rectification.closed_at) > rectification.due_date,
        },
    )
    return rectification
