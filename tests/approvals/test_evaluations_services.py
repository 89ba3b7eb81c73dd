from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from approvals.models import Callback, Evaluation, Rectification
from approvals.selectors import evaluations as sel
from approvals.services import evaluations as svc
from portal.errors import ActionError, Conflict, Forbidden
from portal.models import AuditEntry, Notification
from tests.approvals import citizen_journey as j

pytestmark = pytest.mark.django_db


def _callback(rect, actor, **kw):
    return svc.rectification_record_callback(
        rectification=rect,
        actor=actor,
        called_at=kw.pop("called_at", timezone.now()),
        method=kw.pop("method", Callback.Method.PHONE),
        citizen_said=kw.pop("citizen_said", "窗口让我跑了两趟"),
    )


def test_applicant_rates_a_completed_application_once(world):
    app = j.completed(world)
    evaluation = svc.evaluation_create(application=app, actor=world.citizen, rating=5, comment="快")
    assert evaluation.rating == 5 and not evaluation.on_behalf
    assert evaluation.rated_by == world.citizen
    assert not Rectification.objects.exists()  # a good rating opens nothing
    assert AuditEntry.objects.filter(action="evaluation.create").count() == 1
    with pytest.raises(Conflict) as exc:
        svc.evaluation_create(application=app, actor=world.citizen, rating=1)
    assert exc.value.code == "already_rated"
    assert Evaluation.objects.get().rating == 5


def test_a_rating_is_never_edited(world):
    app = j.completed(world)
    evaluation = svc.evaluation_create(application=app, actor=world.citizen, rating=4)
    evaluation.rating = 1
    with pytest.raises(PermissionError):
        evaluation.save()


def test_only_completed_applications_are_rated(world):
    app = j.decided(world)
    with pytest.raises(ActionError) as exc:
        svc.evaluation_create(application=app, actor=world.citizen, rating=5)
    assert exc.value.code == "not_completed"


@pytest.mark.parametrize(
    "who", ["clerk", "reviewer", "supervisor", "release_clerk", "other_citizen"]
)
def test_staff_and_strangers_cannot_rate(world, who):
    app = j.completed(world)
    with pytest.raises(Forbidden) as exc:
        svc.evaluation_create(application=app, actor=getattr(world, who), rating=1)
    assert exc.value.code == "not_applicant"
    assert not Evaluation.objects.exists()


def test_clerk_who_registered_a_walk_in_cannot_rate_it(world):
    from approvals.services import applications as app_svc

    app = app_svc.application_create(
        actor=world.clerk, matter=world.matter, channel="hall", applicant=world.citizen
    )
    app = j.completed(world, app)
    with pytest.raises(Forbidden):
        svc.evaluation_create(application=app, actor=world.clerk, rating=5)
    svc.evaluation_create(application=app, actor=world.citizen, rating=5)


def test_proxy_agent_rates_on_behalf_and_it_is_marked(world):
    app = j.completed(world, j.proxy_draft(world))
    evaluation = svc.evaluation_create(application=app, actor=world.proxy, rating=3)
    assert evaluation.on_behalf and evaluation.rated_by == world.proxy
    # the resident cannot rate again afterwards: once per application
    with pytest.raises(Conflict):
        svc.evaluation_create(application=app, actor=world.citizen, rating=1)


def test_invalid_rating_names_the_field(world):
    app = j.completed(world)
    for bad in (0, 6, "x", None):
        with pytest.raises(ActionError) as exc:
            svc.evaluation_create(application=app, actor=world.citizen, rating=bad)
        assert "rating" in exc.value.fields
    with pytest.raises(ActionError) as exc:
        svc.evaluation_create(application=app, actor=world.citizen, rating=3, comment="长" * 1001)
    assert "comment" in exc.value.fields


@pytest.mark.parametrize("rating", [1, 2])
def test_bad_rating_opens_a_rectification_due_in_15_working_days(world, rating):
    app = j.completed(world)
    evaluation = svc.evaluation_create(
        application=app, actor=world.citizen, rating=rating, today=date(2026, 9, 24)
    )
    rect = evaluation.rectification
    assert rect.status == Rectification.Status.OPEN
    assert rect.opened_on == date(2026, 9, 24)
    # 15 working days from Thu 24 Sep 2026 across Mid-autumn/National Day (25 Sep, 1–7 Oct) and
    # the make-up working day Sat 10 Oct: 28, 29, 30 Sep, 8, 9, 10, 12–16, 19–22 Oct.
    assert rect.due_date == date(2026, 10, 22)
    assert AuditEntry.objects.filter(action="rectification.open").exists()


def test_rectification_days_are_configurable(world, settings):
    settings.ONEWINDOW = {**settings.ONEWINDOW, "RECTIFICATION_DAYS": 5}
    app = j.completed(world)
    evaluation = svc.evaluation_create(
        application=app, actor=world.citizen, rating=1, today=date(2026, 9, 24)
    )
    assert evaluation.rectification.due_date == date(2026, 10, 9)


def test_supervisors_are_told_of_a_new_rectification(world, django_capture_on_commit_callbacks):
    app = j.completed(world)
    with django_capture_on_commit_callbacks(execute=True):
        svc.evaluation_create(application=app, actor=world.citizen, rating=2)
    assert Notification.objects.filter(
        recipient=world.supervisor, kind="evaluation.rectification_opened"
    ).exists()


def test_overdue_flag(world):
    app = j.completed(world)
    evaluation = svc.evaluation_create(
        application=app, actor=world.citizen, rating=1, today=date(2026, 9, 24)
    )
    rect = evaluation.rectification
    on_due = sel.rectifications(status="open", today=date(2026, 10, 22)).get()
    assert on_due.is_overdue is False
    after = sel.rectifications(status="overdue", today=date(2026, 10, 23))
    assert list(after) == [rect] and after.get().is_overdue
    assert sel.rectification_counts(date(2026, 10, 23)) == {"open": 1, "overdue": 1, "closed": 0}
    assert not sel.rectifications(status="overdue", today=date(2026, 10, 22)).exists()


def test_callback_is_recorded_audited_and_the_applicant_told(
    world, django_capture_on_commit_callbacks
):
    app = j.completed(world)
    rect = svc.evaluation_create(application=app, actor=world.citizen, rating=2).rectification
    with django_capture_on_commit_callbacks(execute=True):
        callback = _callback(rect, world.supervisor)
    assert callback.called_by == world.supervisor
    assert AuditEntry.objects.filter(action="rectification.callback").exists()
    note = Notification.objects.get(recipient=world.citizen, kind="evaluation.callback")
    assert app.number in note.title
    assert note.url == f"/applications/{app.number}/"


def test_callback_errors_name_the_field(world):
    app = j.completed(world)
    rect = svc.evaluation_create(application=app, actor=world.citizen, rating=2).rectification
    with pytest.raises(ActionError) as exc:
        svc.rectification_record_callback(
            rectification=rect,
            actor=world.supervisor,
            called_at=timezone.now() + timedelta(days=1),
            method="fax",
            citizen_said=" ",
        )
    assert set(exc.value.fields) == {"called_at", "method", "citizen_said"}
    assert not Callback.objects.exists()


def test_only_supervisors_handle_rectifications(world):
    app = j.completed(world)
    rect = svc.evaluation_create(application=app, actor=world.citizen, rating=2).rectification
    for actor in (world.clerk, world.reviewer, world.citizen):
        with pytest.raises(Forbidden):
            _callback(rect, actor)
        with pytest.raises(Forbidden):
            svc.rectification_close(rectification=rect, actor=actor, action_taken="a", result="r")


def test_close_needs_a_callback_action_and_result(world):
    app = j.completed(world)
    rect = svc.evaluation_create(application=app, actor=world.citizen, rating=1).rectification
    with pytest.raises(ActionError) as exc:
        svc.rectification_close(
            rectification=rect, actor=world.supervisor, action_taken="", result=""
        )
    assert set(exc.value.fields) == {"callbacks", "action_taken", "result"}
    _callback(rect, world.supervisor)
    svc.rectification_update(
        rectification=rect, actor=world.supervisor, action_taken="窗口人员培训", result=""
    )
    rect = Rectification.objects.get(pk=rect.pk)
    assert rect.action_taken == "窗口人员培训" and rect.status == "open"
    rect = svc.rectification_close(
        rectification=rect,
        actor=world.supervisor,
        action_taken="窗口人员培训",
        result="群众表示满意",
    )
    assert rect.status == Rectification.Status.CLOSED and rect.closed_by == world.supervisor
    entry = AuditEntry.objects.get(action="rectification.close")
    assert entry.after["late"] is False
    # closed once: a second close (or another call-back) is refused
    with pytest.raises(ActionError):
        svc.rectification_close(
            rectification=rect, actor=world.supervisor, action_taken="x", result="y"
        )
    with pytest.raises(ActionError):
        _callback(rect, world.supervisor)
    assert not sel.rectifications(status="overdue", today=date(2027, 1, 1)).exists()


def test_two_supervisors_closing_one_wins_the_other_is_told(world):
    app = j.completed(world)
    rect = svc.evaluation_create(application=app, actor=world.citizen, rating=1).rectification
    _callback(rect, world.supervisor)
    stale = Rectification.objects.get(pk=rect.pk)
    svc.rectification_close(
        rectification=rect, actor=world.supervisor, action_taken="a", result="r"
    )
    with pytest.raises(Conflict):
        svc.rectification_close(
            rectification=stale, actor=world.supervisor, action_taken="b", result="s"
        )
    assert AuditEntry.objects.filter(action="rectification.close").count() == 1


def test_visible_evaluations_scope(world):
    app = j.completed(world)
    evaluation = svc.evaluation_create(application=app, actor=world.citizen, rating=4)
    assert list(sel.visible_evaluations(world.supervisor)) == [evaluation]
    assert list(sel.visible_evaluations(world.citizen)) == [evaluation]
    assert list(sel.visible_evaluations(world.reviewer)) == [evaluation]  # own department
    assert list(sel.visible_evaluations(world.other_citizen)) == []
    assert sel.can_see_rater(world.supervisor)
    assert not any(sel.can_see_rater(u) for u in (world.reviewer, world.clerk, world.citizen))


def test_callback_time_before_the_rating_is_refused(world):
    app = j.completed(world)
    rect = svc.evaluation_create(application=app, actor=world.citizen, rating=1).rectification
    with pytest.raises(ActionError) as exc:
        _callback(rect, world.supervisor, called_at=timezone.make_aware(datetime(2020, 1, 1, 9)))
    assert "called_at" in exc.value.fields
