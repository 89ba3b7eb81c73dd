"""Reads of evaluations and rectifications: who sees what, the supervisors' lists.

Who sees which ratings:
- supervisors: every rating, with the rater's identity;
- the applicant side (the applicant, the proxy agent who filed it): their own ratings;
- window clerks and reviewers: the ratings of their departments, anonymous (no rater, no
  application number: :func:`can_see_rater` is False and the pages/API leave them out).
Rectifications are for supervisors only."""

from datetime import date

from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When
from django.utils import timezone

from approvals.models import Evaluation, Rectification
from approvals.selectors import applications as app_sel
from portal import roles
from portal.errors import NotFound


def is_supervisor(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_superuser or user.has_role(roles.SUPERVISOR))
    )


def can_see_rater(user) -> bool:
    """The rater's identity (who rated, on whose behalf) is for supervisors only."""
    return is_supervisor(user)


def _staff_department_ids(user) -> set[int]:
    ids = set()
    if user.has_role(roles.WINDOW_CLERK):
        ids |= app_sel.clerk_department_ids(user)
    if user.has_role(roles.REVIEWER) and app_sel.staff_department_id(user):
        ids.add(app_sel.staff_department_id(user))
    return ids


def visible_evaluations(user) -> QuerySet[Evaluation]:
    qs = Evaluation.objects.select_related(
        "application__matter", "application__department", "rated_by"
    )
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if is_supervisor(user):
        return qs
    q = Q(application__applicant=user) | Q(application__proxy_agent=user)
    departments = _staff_department_ids(user)
    if departments:
        q |= Q(application__department_id__in=departments)
    return qs.filter(q)


def is_own_evaluation(user, evaluation: Evaluation) -> bool:
    application = evaluation.application
    return user.pk in (application.applicant_id, application.proxy_agent_id)


def evaluation_get(user, pk: int) -> Evaluation:
    found = visible_evaluations(user).filter(pk=pk).first()
    if found is None:
        raise NotFound("未找到该评价。")
    return found


def evaluation_for(application) -> Evaluation | None:
    return (
        Evaluation.objects.filter(application=application).select_related("rectification").first()
    )


def rating_counts(qs: QuerySet[Evaluation] | None = None) -> dict[int, int]:
    """{rating: count} over ``qs`` (default: all), one query."""
    qs = Evaluation.objects.all() if qs is None else qs
    rows = qs.order_by().values("rating").annotate(n=Count("id"))
    return {row["rating"]: row["n"] for row in rows}


def with_overdue(qs: QuerySet[Rectification], today: date) -> QuerySet[Rectification]:
    """Annotate ``is_overdue``: still open after its due date."""
    return qs.annotate(
        is_overdue=Case(
            When(status=Rectification.Status.OPEN, due_date__lt=today, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def rectifications(
    *, status: str = "", today: date | None = None, department: str = ""
) -> QuerySet[Rectification]:
    """The supervisors' list: ``status`` is "open", "closed", "overdue" or "" (all).
    Overdue first, then by due date."""
    today = today or timezone.localdate()
    qs = with_overdue(Rectification.objects.all(), today)
    if status == "overdue":
        qs = qs.filter(status=Rectification.Status.OPEN, due_date__lt=today)
    elif status in Rectification.Status.values:
        qs = qs.filter(status=status)
    if department:
        qs = qs.filter(evaluation__application__department__code=department)
    return qs.select_related(
        "evaluation__application__matter",
        "evaluation__application__department",
        "evaluation__rated_by",
    ).order_by("status", "-is_overdue", "due_date", "id")


def rectification_counts(today: date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    open_q = Q(status=Rectification.Status.OPEN)
    return Rectification.objects.aggregate(
        open=Count("id", filter=open_q),
        overdue=Count("id", filter=open_q & Q(due_date__lt=today)),
        closed=Count("id", filter=Q(status=Rectification.Status.CLOSED)),
    )


def rectification_get(user, pk: int, today: date | None = None) -> Rectification:
    if not is_supervisor(user):
        raise NotFound("未找到该整改。")
    today = today or timezone.localdate()
    found = (
        with_overdue(Rectification.objects.filter(pk=pk), today)
        .select_related(
            "evaluation__application__matter",
            "evaluation__application__department",
            "evaluation__application__applicant",
            "evaluation__application__proxy_agent",
            "evaluation__rated_by",
            "closed_by",
        )
        .prefetch_related("callbacks__called_by")
        .first()
    )
    if found is None:
        raise NotFound("未找到该整改。")
    return found
