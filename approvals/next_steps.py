"""What happens next, for the applicant: one sentence per state, in the matter's own terms
and with dates ("已提交 — 窗口将在3月4日前审核材料"), never the legal mechanics (deemed
acceptance, statutory limits), which are for staff. Used by my applications, the application
page, the message after submitting and the submitted notification."""

from dataclasses import dataclass
from datetime import date

from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from approvals.models import Application, State
from portal import workdays
from portal.models import Window

# The window checks the materials within the matter's committed time limit, and never later
# than the legal deemed-acceptance day (5 working days, Licensing Law art. 32).


def intake_by(application: Application) -> date | None:
    """The day by which the window will have checked the materials and accepted (or asked for
    corrections): the matter's committed days from receipt, at most the deemed-acceptance day."""
    if application.received_on is None:
        return None
    promised = workdays.add_working_days(application.received_on, application.matter.committed_days)
    if application.deemed_acceptance_on:
        return min(promised, application.deemed_acceptance_on)
    return promised


def day_label(day: date | None) -> str:
    if day is None:
        return ""
    if day.year == timezone.localdate().year:
        return dateformat.format(day, _("n月j日"))
    return dateformat.format(day, _("Y年n月j日"))


@dataclass
class NextStep:
    state: str  # the state as the applicant reads it
    text: str  # what happens next, and when
    tone: str = "info"  # info | action | done | bad


def release_window() -> Window | None:
    return (
        Window.objects.filter(kind=Window.Kind.RELEASE, is_active=True).order_by("number").first()
    )


def next_step(
    application: Application, *, window: Window | None = None, open_items: int | None = None
) -> NextStep:
    """``window``: the release window (looked up when not given: pass it for a list).
    ``open_items``: the number of items of the open correction notice, when known."""
    state = application.state
    label = str(application.get_state_display())
    matter = application.matter
    due = application.due_date
    if state == State.DRAFT:
        return NextStep(label, _("还没有提交。填写完成并提交后，窗口才开始审核。"), "action")
    if state == State.SUBMITTED:
        return NextStep(
            label,
            _("窗口将在%(day)s前审核材料；材料齐全即受理，受理后%(n)s个工作日内办结。")
            % {"day": day_label(intake_by(application)), "n": matter.committed_days},
        )
    if state == State.CORRECTION:
        if open_items:
            text = _("请按窗口的一次性告知补正%(n)s项材料，提交后窗口重新审核。") % {
                "n": open_items
            }
        else:
            text = _("请按窗口的一次性告知补正材料，提交后窗口重新审核。")
        return NextStep(label, text, "action")
    if state in (State.ACCEPTED, State.IN_REVIEW):
        return NextStep(
            label,
            _("%(dept)s正在审查，承诺%(day)s前办结。")
            % {"dept": application.department.display_short_name, "day": day_label(due)},
        )
    if state == State.SUSPENDED:
        return NextStep(
            label,
            _("正在进行现场核查、检验等特别程序，这段时间不计入办理时限；结束后继续审查。"),
        )
    if state == State.FORWARDED:
        district = application.delegating_department
        return NextStep(
            label,
            _("已报%(dept)s决定，承诺%(day)s前办结。")
            % {
                "dept": district.display_short_name if district else _("区级部门"),
                "day": day_label(due),
            },
        )
    if state == State.READY_FOR_RELEASE:
        if application.outcome == Application.Outcome.DENY:
            return NextStep(
                _("已作出决定"),
                _("不予许可。请查看决定书，了解理由和申请复议、诉讼的途径。"),
                "bad",
            )
        window = window or release_window()
        ready = application.decided_on or timezone.localdate()
        ready_from = workdays.add_working_days(ready, 1)
        where = _("%(n)s号窗口") % {"n": window.number} if window else _("便民服务中心出件窗口")
        return NextStep(
            label,
            _("请于%(day)s起到%(where)s领取，带上身份证。")
            % {"day": day_label(ready_from), "where": where},
            "action",
        )
    if state == State.COMPLETED:
        if application.outcome == Application.Outcome.DENY:
            return NextStep(label, _("不予许可，理由见决定书。"), "bad")
        if application.release_method == Application.ReleaseMethod.MAIL:
            return NextStep(
                label,
                _("结果已于%(day)s邮寄，邮件单号 %(number)s。")
                % {
                    "day": day_label(application.released_on),
                    "number": application.tracking_number,
                },
                "done",
            )
        return NextStep(
            label,
            _("结果已于%(day)s领取。") % {"day": day_label(application.released_on)},
            "done",
        )
    if state == State.REFUSED:
        return NextStep(label, _("不予受理，理由见不予受理通知书。"), "bad")
    return NextStep(label, _("申请已撤回。"), "done")
