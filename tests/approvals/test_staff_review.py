"""Reviewers, district reviewers, the release window and supervisors in the browser's pages."""

import re

import pytest
from django.urls import reverse

from approvals.models import Extension, Notice, State
from approvals.services import applications as svc
from portal import roles
from tests.approvals.app_fixtures import make_matter
from tests.approvals.staff_fixtures import accepted, decided, fresh, in_review, submitted
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _review(app):
    return reverse("approvals:review", args=[app.number])


def test_review_screen_shows_materials_history_and_clock(world, client):
    app = accepted(world)
    client.force_login(world.reviewer)
    response = client.get(_review(app))
    body = response.content.decode()
    assert response.status_code == 200
    assert "clock clock-normal" in body and app.due_date.isoformat() in body
    for item in app.materials.all():
        assert item.name in body
        assert reverse("approvals:staff-file", args=[app.number, item.files.get().pk]) in body
    assert "受理" in body and "提交申请" in body  # history
    assert "受理通知书" in body  # notices
    assert 'value="claim"' in body


def test_claim_then_suspend_resume_and_grant(world, client):
    app = accepted(world)
    client.force_login(world.reviewer)
    response = client.post(_review(app), {"state": "accepted", "action": "claim"})
    assert response.status_code == 302 and response["Location"] == _review(app)
    app = fresh(app)
    assert app.state == State.IN_REVIEW and app.handler == world.reviewer

    response = client.post(
        _review(app),
        {
            "state": "in_review",
            "action": "suspend",
            "suspend-kind": "expert_review",
            "suspend-reason": "组织专家评审",
            "suspend-expected_days": "5",
        },
    )
    assert response.status_code == 302
    app = fresh(app)
    assert app.state == State.SUSPENDED
    body = client.get(_review(app)).content.decode()
    assert "clock-paused" in body and "组织专家评审" in body and 'value="resume"' in body
    assert Notice.objects.filter(application=app, kind="suspension").exists()

    client.post(_review(app), {"state": "suspended", "action": "resume"})
    assert fresh(app).state == State.IN_REVIEW

    response = client.post(
        _review(app), {"state": "in_review", "action": "decide", "decide-outcome": "grant"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("approvals:review-queue")
    app = fresh(app)
    assert app.state == State.READY_FOR_RELEASE and app.outcome == "grant"
    assert Notice.objects.filter(application=app, kind="decision_grant").exists()


def test_deny_without_reasons_shows_errors_on_the_fields_and_keeps_the_choice(world, client):
    app = in_review(world)
    client.force_login(world.reviewer)
    response = client.post(
        _review(app),
        {"state": "in_review", "action": "decide", "decide-outcome": "deny", "decide-basis": ""},
    )
    assert response.status_code == 400
    form = response.context["decide"]
    assert "reason" in form.errors and "basis" in form.errors
    assert re.search(r'value="deny"[^>]*checked', response.content.decode())  # kept
    assert fresh(app).state == State.IN_REVIEW


def test_suspend_with_bad_days_is_a_field_error(world, client):
    app = in_review(world)
    client.force_login(world.reviewer)
    response = client.post(
        _review(app),
        {
            "state": "in_review",
            "action": "suspend",
            "suspend-kind": "hearing",
            "suspend-reason": "听证",
            "suspend-expected_days": "abc",
        },
    )
    assert response.status_code == 400
    assert "expected_days" in response.context["suspend"].errors
    assert "听证" in response.content.decode()


def test_extension_request_and_supervisor_approval(world, client):
    app = in_review(world)
    due_before = app.due_date
    client.force_login(world.reviewer)
    response = client.post(
        _review(app),
        {
            "state": "in_review",
            "action": "extension",
            "extension-days": "99",
            "extension-reason": "x",
        },
    )
    assert response.status_code == 400 and "days" in response.context["extension"].errors
    response = client.post(
        _review(app),
        {
            "state": "in_review",
            "action": "extension",
            "extension-days": "5",
            "extension-reason": "需现场核查",
        },
    )
    assert response.status_code == 302
    extension = Extension.objects.get(application=app)
    body = client.get(_review(app)).content.decode()
    assert "等待督查领导审批" in body

    client.force_login(world.reviewer)  # reviewers cannot decide extensions
    url = reverse("approvals:extension-decide", args=[extension.pk])
    assert client.post(url, {"decision": "approve"}).status_code == 403

    client.force_login(world.supervisor)
    response = client.post(url, {"decision": "approve", "note": "同意"})
    assert response.status_code == 302
    app = fresh(app)
    assert app.extension_days == 5 and app.due_date > due_before
    assert Notice.objects.filter(application=app, kind="extension").exists()
    # a second supervisor clicking the same request is told it was handled
    response = client.post(url, {"decision": "reject", "note": "晚了一步"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "已经处理过了" in body


def test_extension_decision_must_be_chosen(world, client):
    app = in_review(world)
    extension = svc.extension_request(application=app, actor=world.reviewer, days=3, reason="评审")
    client.force_login(world.supervisor)
    response = client.post(
        reverse("approvals:extension-decide", args=[extension.pk]), {"note": "保留的意见"}
    )
    assert response.status_code == 400 and "保留的意见" in response.content.decode()


def test_only_the_handler_acts_and_a_lost_claim_is_a_clear_409(world, client):
    app = accepted(world)
    svc.application_claim(application=app, actor=world.reviewer2)
    client.force_login(world.reviewer)
    response = client.post(_review(app), {"state": "accepted", "action": "claim"})
    assert response.status_code == 409
    assert "已被他人处理" in response.content.decode()
    body = client.get(_review(app)).content.decode()
    assert "承办" in body and 'value="decide"' not in body
    response = client.post(
        _review(app), {"state": "in_review", "action": "decide", "decide-outcome": "grant"}
    )
    assert response.status_code == 403 and "其他审查人员承办" in response.content.decode()
    assert fresh(app).state == State.IN_REVIEW


def test_review_scope_and_roles(world, client):
    app = accepted(world)
    client.force_login(world.clerk)
    assert client.get(_review(app)).status_code == 403
    other = UserFactory.with_role(
        roles.REVIEWER, department=DepartmentFactory(code="OT", name="他部门")
    )
    client.force_login(other)
    assert client.get(_review(app)).status_code == 404
    waiting = submitted(world)  # not accepted yet: reviewers do not see it
    client.force_login(world.reviewer)
    assert client.get(_review(waiting)).status_code == 404


def test_forward_matter_is_forwarded_and_district_records_the_decision(world, client):
    matter = make_matter(
        code="F001",
        department=world.dept,
        delegating=world.district,
        mode="forward",
        name="食品经营许可",
    )
    app = in_review(world, matter=matter)
    client.force_login(world.reviewer)
    body = client.get(_review(app)).content.decode()
    assert 'value="forward"' in body and 'value="decide"' not in body
    response = client.post(
        _review(app), {"state": "in_review", "action": "forward", "forward-opinion": ""}
    )
    assert response.status_code == 400 and "opinion" in response.context["forward"].errors
    client.post(
        _review(app), {"state": "in_review", "action": "forward", "forward-opinion": "初审同意"}
    )
    app = fresh(app)
    assert app.state == State.FORWARDED

    url = reverse("approvals:district-review", args=[app.number])
    client.force_login(world.reviewer)
    assert client.get(url).status_code == 403
    client.force_login(world.district_reviewer)
    body = client.get(url).content.decode()
    assert "初审同意" in body
    response = client.post(
        url, {"state": "forwarded", "decide-outcome": "deny", "decide-reason": "不符合"}
    )
    assert response.status_code == 400 and "basis" in response.context["form"].errors
    response = client.post(
        url,
        {
            "state": "forwarded",
            "decide-outcome": "deny",
            "decide-reason": "不符合",
            "decide-basis": "《食品安全法》第三十五条",
        },
    )
    assert response.status_code == 302
    app = fresh(app)
    assert app.state == State.READY_FOR_RELEASE and app.outcome == "deny"


def test_release_hand_over_or_mail_with_tracking_number(world, client):
    app = decided(world)
    url = reverse("approvals:release", args=[app.number])
    client.force_login(world.clerk)  # a general window: sees it, but cannot release
    response = client.get(url)
    assert response.status_code == 200 and response.context["can_release"] is False
    client.force_login(world.release_clerk)
    body = client.get(url).content.decode()
    assert "准予行政许可决定书" in body and 'id="release-form"' in body
    response = client.post(url, {"state": "ready_for_release", "method": "mail"})
    assert response.status_code == 400 and "tracking_number" in response.context["form"].errors
    response = client.post(
        url, {"state": "ready_for_release", "method": "mail", "tracking_number": "SF1234567890"}
    )
    assert response.status_code == 302
    app = fresh(app)
    assert app.state == State.COMPLETED and app.tracking_number == "SF1234567890"
    response = client.post(url, {"state": "ready_for_release", "method": "hand"})
    assert response.status_code == 409 and "已被他人处理" in response.content.decode()


def test_supervisor_reassigns_to_a_reviewer_of_the_department(world, client):
    app = in_review(world)
    url = reverse("approvals:reassign", args=[app.number])
    client.force_login(world.reviewer)
    assert client.get(url).status_code == 403
    client.force_login(world.supervisor)
    response = client.get(url)
    choices = [c[1] for c in response.context["form"].fields["reviewer"].choices]
    assert any(world.reviewer2.display_name in str(c) for c in choices)
    assert not any(world.reviewer.display_name in str(c) for c in choices)  # the current holder
    outsider = UserFactory.with_role(
        roles.REVIEWER, department=DepartmentFactory(code="OUT", name="外部门")
    )
    response = client.post(url, {"state": "in_review", "reviewer": outsider.pk})
    assert response.status_code == 400 and "reviewer" in response.context["form"].errors
    response = client.post(
        url, {"state": "in_review", "reviewer": world.reviewer2.pk, "reason": "休假"}
    )
    assert response.status_code == 302
    assert fresh(app).handler == world.reviewer2


def test_reassigning_an_unclaimed_application_claims_it_for_the_reviewer(world, client):
    app = accepted(world)
    client.force_login(world.supervisor)
    client.post(
        reverse("approvals:reassign", args=[app.number]),
        {"state": "accepted", "reviewer": world.reviewer.pk},
    )
    app = fresh(app)
    assert app.state == State.IN_REVIEW and app.handler == world.reviewer


def test_staff_application_page_for_each_staff_role_in_scope(world, client):
    app = decided(world)
    url = reverse("approvals:staff-application", args=[app.number])
    for user in (world.clerk, world.reviewer, world.supervisor):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200 and app.number in response.content.decode()
    client.force_login(world.district_reviewer)  # not a forward matter
    assert client.get(url).status_code == 404
    client.force_login(world.citizen)
    assert client.get(url).status_code == 403


def test_notice_pages_are_scoped(world, client):
    app = accepted(world)
    notice = Notice.objects.get(application=app, kind="acceptance")
    pdf_url = reverse("approvals:staff-notice-pdf", args=[app.number, notice.pk])
    client.force_login(world.reviewer)
    response = client.get(pdf_url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    other = decided(world)
    wrong = reverse("approvals:staff-notice-pdf", args=[other.number, notice.pk])
    assert client.get(wrong).status_code == 404
    client.force_login(world.other_citizen)
    assert client.get(pdf_url).status_code == 403


def test_a_too_long_extension_note_is_refused_and_kept(world, client):
    app = in_review(world)
    extension = svc.extension_request(application=app, actor=world.reviewer, days=3, reason="评审")
    client.force_login(world.supervisor)
    note = "很长的意见" * 120
    response = client.post(
        reverse("approvals:extension-decide", args=[extension.pk]),
        {"decision": "approve", "note": note},
    )
    assert response.status_code == 400 and note in response.content.decode()
    extension.refresh_from_db()
    assert extension.status == Extension.Status.PENDING
