"""Issue 16: an extension only while the time limit is still running (Licensing Law art. 42: the
head extends a limit that cannot be met, within it), refused for an overdue application at the
request and at the approval; an open extension request is closed with its application when it
is decided, forwarded, withdrawn or refused, and leaves the supervisor's list."""

import importlib

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from approvals.models import Extension
from approvals.selectors import staff as staff_sel
from approvals.services import applications as svc
from portal import workdays
from portal.errors import ActionError
from portal.models import AuditEntry
from tests.approvals.app_fixtures import make_matter, pdf_upload
from tests.approvals.staff_fixtures import draft, in_review, received_checks

pytestmark = pytest.mark.django_db


def _in_review_since(world, working_days_ago: int, *, matter=None):
    """An application accepted and claimed ``working_days_ago`` working days ago."""
    today = timezone.localdate()
    day = workdays.working_day_on_or_before(today, working_days_ago + 1)
    app = draft(world, matter=matter)
    for item in app.materials.all():
        svc.material_upload(
            application=app, actor=world.citizen, application_material=item, uploaded=pdf_upload()
        )
    app = svc.application_submit(application=app, actor=world.citizen, today=day)
    app = svc.application_accept(
        application=app, actor=world.clerk, checks=received_checks(app), today=day
    )
    return svc.application_claim(application=app, actor=world.reviewer, today=day)


# --- only while the limit runs ------------------------------------------------------------------


def test_an_overdue_application_cannot_ask_for_an_extension(world):
    app = _in_review_since(world, 8)  # committed 5 working days: overdue by 3
    assert app.due_date < timezone.localdate()
    with pytest.raises(ActionError) as refused:
        svc.extension_request(application=app, actor=world.reviewer, days=5, reason="情况复杂")
    assert refused.value.code == "limit_expired"
    assert "时限" in refused.value.message
    assert not Extension.objects.exists()


# A working day (Thursday 3 December 2026, 10:00 in the town): on a weekend no limit falls due.
WORKING_DAY = "2026-12-03T10:00:00+08:00"


@time_machine.travel(WORKING_DAY, tick=False)
def test_on_the_due_day_the_limit_still_runs(world):
    app = _in_review_since(world, 5)  # due today
    assert app.due_date == timezone.localdate()
    extension = svc.extension_request(
        application=app, actor=world.reviewer, days=5, reason="情况复杂"
    )
    svc.extension_decide(extension=extension, actor=world.supervisor, approve=True)
    app.refresh_from_db()
    assert app.extension_days == 5


def test_a_request_that_waited_past_the_limit_cannot_be_approved(world):
    app = _in_review_since(world, 3)
    extension = svc.extension_request(
        application=app, actor=world.reviewer, days=5, reason="情况复杂"
    )
    later = workdays.add_working_days(app.due_date, 1)  # the supervisor comes back too late
    with pytest.raises(ActionError) as refused:
        svc.extension_decide(extension=extension, actor=world.supervisor, approve=True, today=later)
    assert refused.value.code == "limit_expired"
    extension.refresh_from_db()
    assert extension.status == Extension.Status.PENDING
    svc.extension_decide(extension=extension, actor=world.supervisor, approve=False, today=later)
    extension.refresh_from_db()
    assert extension.status == Extension.Status.REJECTED


def test_the_review_page_does_not_offer_an_extension_to_an_overdue_application(world, client):
    app = _in_review_since(world, 8)
    client.force_login(world.reviewer)
    page = client.get(reverse("approvals:review", args=[app.number])).content.decode()
    assert 'id="extension-form"' not in page
    assert "已超过办理时限，不能再申请延期" in page
    response = client.post(
        reverse("approvals:review", args=[app.number]),
        {"action": "extension", "state": app.state, "days": "5", "reason": "情况复杂"},
    )
    assert response.status_code == 400
    assert not Extension.objects.exists()


def test_the_api_refuses_an_extension_for_an_overdue_application(world):
    app = _in_review_since(world, 8)
    api = APIClient()
    api.force_authenticate(world.reviewer)
    response = api.post(
        f"/api/v1/applications/{app.number}/request-extension/",
        {"days": 5, "reason": "情况复杂"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "limit_expired"


# --- an open request closes with its application -------------------------------------------------


def _pending(world, app):
    return svc.extension_request(application=app, actor=world.reviewer, days=5, reason="复杂")


def test_a_decision_closes_the_open_request_and_it_leaves_the_supervisors_list(world, client):
    app = in_review(world)
    extension = _pending(world, app)
    assert list(staff_sel.pending_extensions()) == [extension]
    svc.application_decide(application=app, actor=world.reviewer, outcome="grant")
    extension.refresh_from_db()
    assert extension.status == Extension.Status.CLOSED
    assert extension.decided_at is not None and extension.decided_by is None
    assert "已作出决定" in extension.decision_note
    assert list(staff_sel.pending_extensions()) == []
    assert AuditEntry.objects.filter(action="application.close_extension").count() == 1
    client.force_login(world.supervisor)
    page = client.get(reverse("approvals:supervision")).content.decode()
    assert f'id="extension-{extension.pk}"' not in page


def test_a_withdrawal_closes_the_open_request(world):
    app = in_review(world)
    extension = _pending(world, app)
    svc.application_withdraw(application=app, actor=world.citizen, reason="不办了")
    extension.refresh_from_db()
    assert extension.status == Extension.Status.CLOSED
    assert "撤回" in extension.decision_note


def test_forwarding_closes_the_open_request(world):
    matter = make_matter(
        code="FWD-1", department=world.dept, delegating=world.district, mode="forward"
    )
    app = _in_review_since(world, 1, matter=matter)
    extension = _pending(world, app)
    svc.application_forward(application=app, actor=world.reviewer, opinion="初审同意")
    extension.refresh_from_db()
    assert extension.status == Extension.Status.CLOSED


def test_a_refusal_closes_any_open_request(world):
    """Refusal happens before acceptance, when no request can exist: the closing is still run,
    so that a request made through a path not yet thought of never outlives its application."""
    from tests.approvals.staff_fixtures import submitted

    app = submitted(world)
    # a request that reached a submitted application some other way (row written directly)
    extension = Extension.objects.create(
        application=app, days=5, reason="复杂", requested_by=world.reviewer
    )
    assert extension.status == Extension.Status.PENDING
    svc.application_refuse(
        application=app,
        actor=world.clerk,
        reason="不属于本中心受理范围",
        basis="《行政许可法》第三十二条",
    )
    extension.refresh_from_db()
    assert extension.status == Extension.Status.CLOSED
    assert list(staff_sel.pending_extensions()) == []


def test_the_data_migration_closes_requests_left_open_by_decided_applications(world):
    app = in_review(world)
    extension = _pending(world, app)
    svc.application_decide(application=app, actor=world.reviewer, outcome="grant")
    # the state main left behind: the request still pending beside a decided application
    Extension.objects.filter(pk=extension.pk).update(
        status=Extension.Status.PENDING, decided_at=None, decision_note=""
    )
    still_open = in_review(world)
    open_extension = _pending(world, still_open)
    migration = importlib.import_module("approvals.migrations.0012_extension_closed")
    from django.apps import apps

    migration.close_orphaned_extensions(apps, None)
    extension.refresh_from_db()
    open_extension.refresh_from_db()
    assert extension.status == Extension.Status.CLOSED
    assert open_extension.status == Extension.Status.PENDING
