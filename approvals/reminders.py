"""Reminder rules of the one window (portal.reminders runs them every few minutes).

Each rule selects only what is due through an indexed query and excludes what the ledger
already holds for the same deadline, so its cost grows with what is due, not with the table.
Message texts: templates/notifications/<kind>.txt (Chinese source, English catalogue).

| kind | when | who |
| --- | --- | --- |
| application_warning | clock enters yellow | handler; before claim the department's reviewers |
| application_overdue | clock enters red (红牌) | handler (or reviewers) and supervisors |
| application_escalated | still red N working days later, every N (督办) | supervisors, department head |
| deemed_acceptance_near | 1 working day before deemed acceptance | clerks of the windows serving the department |
| tolerated_overdue | a 容缺 material past its promised date | handler (or reviewers) |
| release_overdue | a grant not released 8 working days after the decision | release-window clerks |
| rectification_due_soon / _overdue | a bad-rating rectification near / past due | supervisors |
"""

from collections import defaultdict
from collections.abc import Iterator

from django.conf import settings
from django.urls import reverse

from approvals.models import Application, ApplicationMaterial, State
from approvals.models.applications import CLOCK_RUNNING
from portal import roles, workdays
from portal.models import Reminder, User, Window
from portal.reminders import Due, Sweep, latest_step, not_yet_reminded, rule, working_days_before

WARNING = "approvals.application_warning"
OVERDUE = "approvals.application_overdue"
ESCALATED = "approvals.application_escalated"
DEEMED_NEAR = "approvals.deemed_acceptance_near"
TOLERATED_OVERDUE = "approvals.tolerated_overdue"
RELEASE_OVERDUE = "approvals.release_overdue"
RECTIFICATION_DUE_SOON = "approvals.rectification_due_soon"
RECTIFICATION_OVERDUE = "approvals.rectification_overdue"

RELEASE_REMINDER_DAYS = 8


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


# --- who to tell (one query per sweep each, never per row) -------------------------------------


def _reviewers_by_department() -> dict[int, list[User]]:
    people = defaultdict(list)
    for user in User.objects.filter(
        is_active=True, groups__name=roles.REVIEWER, staff_profile__isnull=False
    ).select_related("staff_profile"):
        people[user.staff_profile.department_id].append(user)
    return people


def _supervisors() -> list[User]:
    return list(User.objects.filter(is_active=True, groups__name=roles.SUPERVISOR).order_by("pk"))


def _department_heads() -> dict[int, list[User]]:
    people = defaultdict(list)
    for user in User.objects.filter(
        is_active=True, staff_profile__is_department_head=True
    ).select_related("staff_profile"):
        people[user.staff_profile.department_id].append(user)
    return people


def _clerks_by_department(*, release_only: bool = False) -> dict[int, list[User]]:
    windows = Window.objects.filter(is_active=True)
    if release_only:
        windows = windows.filter(kind=Window.Kind.RELEASE)
    else:
        windows = windows.exclude(kind=Window.Kind.RELEASE)
    people: dict[int, dict[int, User]] = defaultdict(dict)
    rows = (
        windows.filter(staff__user__is_active=True, staff__user__groups__name=roles.WINDOW_CLERK)
        .values_list("departments__id", "staff__user_id")
        .distinct()
    )
    users = {}
    pairs = [(d, u) for d, u in rows if d is not None]
    if pairs:
        users = User.objects.in_bulk({u for _d, u in pairs})
    for department_id, user_id in pairs:
        people[department_id][user_id] = users[user_id]
    return {d: list(v.values()) for d, v in people.items()}


def _handler_or_reviewers(app: Application, reviewers: dict[int, list[User]]) -> list[User]:
    return [app.handler] if app.handler_id else reviewers.get(app.department_id, [])


def _context(app: Application) -> dict:
    return {
        "number": app.number,
        "matter_name": app.matter.name,
        "applicant_name": app.applicant_name,
        "due_date": app.due_date,
        "department": app.department.name,
        "handler": app.handler.display_name if app.handler_id else "",
    }


def _url(app: Application, name: str = "approvals:staff-application") -> str:
    return reverse(name, args=[app.number])


def _running():
    return Application.objects.filter(state__in=CLOCK_RUNNING).select_related(
        "matter", "department", "handler"
    )


# --- rules -------------------------------------------------------------------------------------


@rule(WARNING, label="application enters yellow")
def application_warning(sweep: Sweep) -> Iterator[Due]:
    qs = _running().filter(warning_date__lte=sweep.today, due_date__gte=sweep.today)
    qs = not_yet_reminded(qs, kind=WARNING, deadline="due_date").order_by("due_date", "pk")
    reviewers = None
    for app in qs[: sweep.limit]:
        if reviewers is None:
            reviewers = _reviewers_by_department()
        yield Due(
            obj=app,
            deadline=app.due_date,
            recipients=_handler_or_reviewers(app, reviewers),
            context=_context(app),
            url=_url(app),
        )


@rule(OVERDUE, label="application enters red")
def application_overdue(sweep: Sweep) -> Iterator[Due]:
    qs = _running().filter(due_date__lt=sweep.today)
    qs = not_yet_reminded(qs, kind=OVERDUE, deadline="due_date").order_by("due_date", "pk")
    reviewers = supervisors = None
    for app in qs[: sweep.limit]:
        if reviewers is None:
            reviewers, supervisors = _reviewers_by_department(), _supervisors()
        yield Due(
            obj=app,
            deadline=app.due_date,
            recipients=[*_handler_or_reviewers(app, reviewers), *supervisors],
            context=_context(app),
            url=_url(app),
        )


@rule(ESCALATED, label="application still overdue: 督办")
def application_escalated(sweep: Sweep) -> Iterator[Due]:
    """Every N working days a red application stays undecided. The deadline of each reminder
    is the step date (due + N, due + 2N…), so every step is told once."""
    every = _setting("REMINDER_ESCALATION_DAYS", 3)
    cutoff = working_days_before(sweep.today, every)
    candidates = list(
        _running().filter(due_date__lte=cutoff).order_by("due_date", "pk")[: sweep.limit]
    )
    steps = {app.pk: latest_step(app.due_date, every, sweep.today) for app in candidates}
    done = set(
        Reminder.objects.filter(
            kind=ESCALATED,
            object_type=Application._meta.label_lower,
            object_id__in=[str(pk) for pk in steps],
        ).values_list("object_id", "deadline")
    )
    heads = supervisors = None
    for app in candidates:
        step = steps[app.pk]
        if step is None or (str(app.pk), step) in done:
            continue
        if heads is None:
            heads, supervisors = _department_heads(), _supervisors()
        overdue_days = workdays.working_days_between(app.due_date, sweep.today)
        yield Due(
            obj=app,
            deadline=step,
            recipients=[*supervisors, *heads.get(app.department_id, [])],
            context={**_context(app), "overdue_days": overdue_days},
            url=_url(app),
        )


@rule(DEEMED_NEAR, label="deemed acceptance tomorrow")
def deemed_acceptance_near(sweep: Sweep) -> Iterator[Due]:
    horizon = workdays.add_working_days(sweep.today, 1)
    qs = Application.objects.filter(
        state=State.SUBMITTED,
        deemed_acceptance_on__gte=sweep.today,
        deemed_acceptance_on__lte=horizon,
    ).select_related("matter", "department")
    qs = not_yet_reminded(qs, kind=DEEMED_NEAR, deadline="deemed_acceptance_on").order_by(
        "deemed_acceptance_on", "pk"
    )
    clerks = None
    for app in qs[: sweep.limit]:
        if clerks is None:
            clerks = _clerks_by_department()
        yield Due(
            obj=app,
            deadline=app.deemed_acceptance_on,
            recipients=clerks.get(app.department_id, []),
            context={**_context(app), "deemed_on": app.deemed_acceptance_on},
            url=_url(app, "approvals:intake"),
        )


@rule(TOLERATED_OVERDUE, label="tolerated-missing material past its promised date")
def tolerated_overdue(sweep: Sweep) -> Iterator[Due]:
    qs = ApplicationMaterial.objects.filter(
        status=ApplicationMaterial.Status.TOLERATED,
        supplied_on__isnull=True,
        promised_on__lt=sweep.today,
        application__state__in=[*CLOCK_RUNNING, State.SUSPENDED],
    ).select_related("application__matter", "application__department", "application__handler")
    qs = not_yet_reminded(qs, kind=TOLERATED_OVERDUE, deadline="promised_on").order_by(
        "promised_on", "pk"
    )
    reviewers = None
    for material in qs[: sweep.limit]:
        if reviewers is None:
            reviewers = _reviewers_by_department()
        app = material.application
        yield Due(
            obj=material,
            deadline=material.promised_on,
            recipients=_handler_or_reviewers(app, reviewers),
            context={
                **_context(app),
                "material": material.name,
                "promised_on": material.promised_on,
            },
            url=_url(app),
        )


@rule(RELEASE_OVERDUE, label="grant not released 8 working days after the decision")
def release_overdue(sweep: Sweep) -> Iterator[Due]:
    cutoff = working_days_before(sweep.today, RELEASE_REMINDER_DAYS)
    qs = Application.objects.filter(
        state=State.READY_FOR_RELEASE,
        outcome=Application.Outcome.GRANT,
        decided_on__lte=cutoff,
        release_due_on__isnull=False,
    ).select_related("matter", "department", "handler")
    qs = not_yet_reminded(qs, kind=RELEASE_OVERDUE, deadline="release_due_on").order_by(
        "release_due_on", "pk"
    )
    clerks = None
    for app in qs[: sweep.limit]:
        if clerks is None:
            clerks = _clerks_by_department(release_only=True)
        yield Due(
            obj=app,
            deadline=app.release_due_on,
            recipients=clerks.get(app.department_id, []),
            context={
                **_context(app),
                "decided_on": app.decided_on,
                "release_due_on": app.release_due_on,
            },
            url=_url(app, "approvals:release"),
        )


def _rectifications():
    from approvals.models.evaluations import Rectification

    return Rectification.objects.filter(status=Rectification.Status.OPEN).select_related(
        "evaluation__application__matter"
    )


def _rectification_due(rectification, supervisors, kind_days_left):
    app = rectification.evaluation.application
    return Due(
        obj=rectification,
        deadline=rectification.due_date,
        recipients=supervisors,
        context={
            "number": app.number,
            "matter_name": app.matter.name,
            "due_date": rectification.due_date,
            "days_left": kind_days_left,
        },
        url=reverse("approvals:rectification-detail", args=[rectification.pk]),
    )


@rule(RECTIFICATION_DUE_SOON, label="rectification near its due date")
def rectification_due_soon(sweep: Sweep) -> Iterator[Due]:
    horizon = workdays.add_working_days(
        sweep.today, _setting("REMINDER_RECTIFICATION_NEAR_DAYS", 3)
    )
    qs = _rectifications().filter(due_date__gte=sweep.today, due_date__lte=horizon)
    qs = not_yet_reminded(qs, kind=RECTIFICATION_DUE_SOON, deadline="due_date").order_by(
        "due_date", "pk"
    )
    supervisors = None
    for rectification in qs[: sweep.limit]:
        supervisors = supervisors if supervisors is not None else _supervisors()
        left = workdays.working_days_between(sweep.today, rectification.due_date)
        yield _rectification_due(rectification, supervisors, left)


@rule(RECTIFICATION_OVERDUE, label="rectification past its due date")
def rectification_overdue(sweep: Sweep) -> Iterator[Due]:
    qs = _rectifications().filter(due_date__lt=sweep.today)
    qs = not_yet_reminded(qs, kind=RECTIFICATION_OVERDUE, deadline="due_date").order_by(
        "due_date", "pk"
    )
    supervisors = None
    for rectification in qs[: sweep.limit]:
        supervisors = supervisors if supervisors is not None else _supervisors()
        yield _rectification_due(rectification, supervisors, 0)
