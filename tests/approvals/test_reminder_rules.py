"""Every reminder rule of the one window, on fixed dates across National Day 2026.

Accepted Thursday 2026-09-24 with 5 committed days: due 2026-10-09, yellow from 2026-10-08
(25 September and 1–7 October are holidays; Saturday 10 October is a make-up working day)."""

from datetime import date

import pytest

from approvals import reminders as rules
from approvals.services import applications as svc
from portal import workdays
from portal.models import Notification, Reminder
from portal.reminders import local_datetime, run_sweep

pytestmark = pytest.mark.django_db

DAY = date(2026, 9, 24)


def sweep(day, kind):
    return run_sweep(now=local_datetime(day), kinds=[kind]).get(kind, 0)


def told(kind, user=None):
    qs = Notification.objects.filter(kind=kind)
    if user is not None:
        qs = qs.filter(recipient=user)
    return qs


def _submitted(world, day=DAY):
    app = svc.application_create(
        actor=world.citizen, matter=world.matter, channel="online", today=day
    )
    app = svc.application_update_draft(
        application=app, actor=world.citizen, declaration_accepted=True
    )
    return svc.application_submit(application=app, actor=world.citizen, today=day)


def _in_review(world, day=DAY, claim=True, checks=None):
    app = _submitted(world, day)
    checks = checks or [{"id": m.pk, "status": "received"} for m in app.materials.all()]
    app = svc.application_accept(application=app, actor=world.clerk, checks=checks, today=day)
    if claim:
        app = svc.application_claim(application=app, actor=world.reviewer, today=day)
    return app


def test_warning_goes_to_the_handler_once(world):
    app = _in_review(world)
    assert app.due_date == date(2026, 10, 9) and app.warning_date == date(2026, 10, 8)
    assert sweep(date(2026, 9, 30), rules.WARNING) == 0
    assert sweep(date(2026, 10, 5), rules.WARNING) == 0  # holiday: 2 working days still left
    assert sweep(date(2026, 10, 8), rules.WARNING) == 1
    assert sweep(date(2026, 10, 8), rules.WARNING) == 0  # a re-run sends nothing
    assert sweep(date(2026, 10, 9), rules.WARNING) == 0
    note = told(rules.WARNING).get()
    assert note.recipient == world.reviewer
    assert app.number in note.title and "2026-10-09" in note.body


def test_warning_before_claim_goes_to_the_department_reviewers(world):
    _in_review(world, claim=False)
    assert sweep(date(2026, 10, 8), rules.WARNING) == 1
    assert set(told(rules.WARNING).values_list("recipient", flat=True)) == {
        world.reviewer.pk,
        world.reviewer2.pk,
    }


def test_a_new_due_date_is_remindable_again_and_the_old_one_is_not_resent(world):
    app = _in_review(world)
    assert sweep(date(2026, 10, 8), rules.WARNING) == 1
    ext = svc.extension_request(
        application=app, actor=world.reviewer, days=5, reason="专家评审", today=date(2026, 10, 8)
    )
    svc.extension_decide(
        extension=ext, actor=world.supervisor, approve=True, today=date(2026, 10, 8)
    )
    app.refresh_from_db()
    assert app.due_date == date(2026, 10, 15)  # 10 (Sat, make-up), 12, 13, 14, 15 October
    assert sweep(date(2026, 10, 9), rules.WARNING) == 0
    assert sweep(date(2026, 10, 14), rules.WARNING) == 1
    deadlines = sorted(
        Reminder.objects.filter(kind=rules.WARNING).values_list("deadline", flat=True)
    )
    assert deadlines == [date(2026, 10, 9), date(2026, 10, 15)]


def test_overdue_red_card_to_handler_and_supervisors(world):
    _in_review(world)
    assert sweep(date(2026, 10, 9), rules.OVERDUE) == 0  # due today is not late yet
    assert sweep(date(2026, 10, 10), rules.OVERDUE) == 1  # make-up Saturday
    assert set(told(rules.OVERDUE).values_list("recipient", flat=True)) == {
        world.reviewer.pk,
        world.supervisor.pk,
    }
    assert sweep(date(2026, 10, 12), rules.OVERDUE) == 0


def test_escalation_every_n_working_days_to_supervisors_and_the_head(world, settings):
    settings.REMINDER_ESCALATION_DAYS = 3
    world.supervisor.staff_profile.is_department_head = False
    world.supervisor.staff_profile.save()
    head = world.reviewer2
    head.staff_profile.is_department_head = True
    head.staff_profile.save()
    app = _in_review(world)
    first = workdays.add_working_days(app.due_date, 3)
    assert first == date(2026, 10, 13)  # 10 (Sat, make-up), 12, 13 October
    assert sweep(date(2026, 10, 12), rules.ESCALATED) == 0
    assert sweep(first, rules.ESCALATED) == 1
    assert sweep(date(2026, 10, 14), rules.ESCALATED) == 0
    second = workdays.add_working_days(first, 3)
    assert sweep(second, rules.ESCALATED) == 1
    assert set(told(rules.ESCALATED).values_list("recipient", flat=True)) == {
        world.supervisor.pk,
        head.pk,
    }
    assert "3" in told(rules.ESCALATED, world.supervisor).first().title
    # decided: no more escalation
    svc.application_decide(application=app, actor=world.reviewer, outcome="grant", today=second)
    assert sweep(workdays.add_working_days(second, 3), rules.ESCALATED) == 0


def test_deemed_acceptance_warning_to_the_windows_clerks(world):
    app = _submitted(world)
    assert app.deemed_acceptance_on == date(2026, 10, 9)
    assert sweep(date(2026, 9, 30), rules.DEEMED_NEAR) == 0
    assert sweep(date(2026, 10, 8), rules.DEEMED_NEAR) == 1
    assert set(told(rules.DEEMED_NEAR).values_list("recipient", flat=True)) == {
        world.clerk.pk,
        world.clerk2.pk,
    }
    svc.application_accept(
        application=app,
        actor=world.clerk,
        checks=[{"id": m.pk, "status": "received"} for m in app.materials.all()],
        today=date(2026, 10, 9),
    )
    assert sweep(date(2026, 10, 9), rules.DEEMED_NEAR) == 0


def test_tolerated_material_past_its_promised_date(world):
    app = _submitted(world)
    checks = []
    for m in app.materials.all():
        if m.tolerated_missing_allowed:
            checks.append(
                {
                    "id": m.pk,
                    "status": "tolerated",
                    "promised_on": "2026-10-12",
                    "commitment": "承诺补交",
                }
            )
        else:
            checks.append({"id": m.pk, "status": "received"})
    app = svc.application_accept(application=app, actor=world.clerk, checks=checks, today=DAY)
    app = svc.application_claim(application=app, actor=world.reviewer)
    assert sweep(date(2026, 10, 12), rules.TOLERATED_OVERDUE) == 0
    assert sweep(date(2026, 10, 13), rules.TOLERATED_OVERDUE) == 1
    note = told(rules.TOLERATED_OVERDUE).get()
    assert note.recipient == world.reviewer and "场所证明" in note.body


def test_grant_not_released_after_eight_working_days(world):
    app = _in_review(world)
    app = svc.application_decide(
        application=app, actor=world.reviewer, outcome="grant", today=date(2026, 10, 8)
    )
    eighth = workdays.add_working_days(date(2026, 10, 8), 8)
    assert eighth == date(2026, 10, 19)
    assert sweep(date(2026, 10, 16), rules.RELEASE_OVERDUE) == 0
    assert sweep(eighth, rules.RELEASE_OVERDUE) == 1
    assert told(rules.RELEASE_OVERDUE).get().recipient == world.release_clerk


def test_rectification_near_and_past_due(world):
    from approvals.services.evaluations import evaluation_create

    app = _in_review(world)
    app = svc.application_decide(
        application=app, actor=world.reviewer, outcome="grant", today=date(2026, 10, 8)
    )
    app = svc.application_release(
        application=app, actor=world.release_clerk, method="hand", today=date(2026, 10, 9)
    )
    evaluation = evaluation_create(
        application=app, actor=world.citizen, rating=2, comment="等太久", today=date(2026, 10, 9)
    )
    due = evaluation.rectification.due_date
    assert due == workdays.add_working_days(date(2026, 10, 9), 15)
    assert sweep(workdays.working_day_on_or_before(due, 5), rules.RECTIFICATION_DUE_SOON) == 0
    assert sweep(workdays.working_day_on_or_before(due, 3), rules.RECTIFICATION_DUE_SOON) == 1
    assert sweep(due, rules.RECTIFICATION_OVERDUE) == 0
    assert sweep(workdays.add_working_days(due, 1), rules.RECTIFICATION_OVERDUE) == 1
    assert told(rules.RECTIFICATION_OVERDUE).get().recipient == world.supervisor


def test_rule_queries_do_not_grow_with_what_is_not_due(world, django_assert_max_num_queries):
    for _ in range(5):
        _in_review(world)  # all due 2026-10-09
    with django_assert_max_num_queries(3):
        assert sweep(date(2026, 9, 30), rules.WARNING) == 0


def test_citizen_messages_follow_the_recipients_language(world):
    from portal.notifications import preference_update

    preference_update(user=world.citizen, email=False, sms=True, language="en")
    app = _submitted(world)
    note = Notification.objects.filter(recipient=world.citizen, kind="application.submitted").get()
    assert app.number in note.title and "submitted" in note.title.lower()
