from datetime import date

import pytest

from approvals.models import Application, ApplicationMaterial, Notice, State, StateChange
from approvals.selectors import applications as sel
from approvals.services import applications as svc
from portal.errors import ActionError, Conflict, Forbidden
from portal.models import AuditEntry, Notification
from tests.approvals.app_fixtures import PNG, make_matter, pdf_upload

pytestmark = pytest.mark.django_db

ACCEPT_DAY = date(2026, 9, 24)


def _online_draft(world, matter=None):
    app = svc.application_create(
        actor=world.citizen, matter=matter or world.matter, channel="online", today=ACCEPT_DAY
    )
    svc.application_update_draft(application=app, actor=world.citizen, declaration_accepted=True)
    app.refresh_from_db()
    return app


def _checks(app, **status_by_name):
    return [
        {
            "id": m.pk,
            "status": status_by_name.get(m.name, "received"),
            "problem": "复印件不清晰" if status_by_name.get(m.name) == "deficient" else "",
        }
        for m in app.materials.all()
    ]


def _submitted(world, day=ACCEPT_DAY):
    app = _online_draft(world)
    return svc.application_submit(application=app, actor=world.citizen, today=day)


def _accepted(world, day=ACCEPT_DAY):
    app = _submitted(world, day)
    return svc.application_accept(
        application=app, actor=world.clerk, checks=_checks(app), today=day
    )


def _in_review(world, day=ACCEPT_DAY):
    app = _accepted(world, day)
    return svc.application_claim(application=app, actor=world.reviewer, today=day)


# --- submission and numbers ------------------------------------------------------------------


def test_online_submission_numbers_and_deemed_date(world, settings):
    app = _submitted(world)
    assert app.state == State.SUBMITTED
    assert app.number == f"{settings.ONEWINDOW['TOWN_CODE']}2026092400001"
    # 5 working days after Thursday 24 September 2026: Mid-autumn (25th) and National Day skipped
    assert app.deemed_acceptance_on == date(2026, 10, 9)
    assert app.materials.count() == 3
    assert StateChange.objects.filter(application=app, action="submit").count() == 1
    assert AuditEntry.objects.filter(action="application.submit", object_id=str(app.pk)).exists()


def test_online_submission_needs_the_declaration(world):
    app = svc.application_create(
        actor=world.citizen, matter=world.matter, channel="online", today=ACCEPT_DAY
    )
    with pytest.raises(ActionError) as exc:
        svc.application_submit(application=app, actor=world.citizen, today=ACCEPT_DAY)
    assert exc.value.code == "declaration_required"
    assert "declaration_accepted" in exc.value.fields


def test_channel_must_be_offered_by_the_matter(world):
    world.matter.channel_online = False
    world.matter.save()
    with pytest.raises(ActionError) as exc:
        svc.application_create(
            actor=world.citizen, matter=world.matter, channel="online", today=ACCEPT_DAY
        )
    assert exc.value.code == "channel_not_offered"


def test_proxy_filing_records_consent_and_first_contact(world):
    with pytest.raises(ActionError) as exc:
        svc.application_create(
            actor=world.proxy, matter=world.matter, channel="proxy", applicant=world.citizen
        )
    assert exc.value.code == "consent_required"
    app = svc.application_create(
        actor=world.proxy,
        matter=world.matter,
        channel="proxy",
        applicant=world.citizen,
        proxy_consent="村民张小梅当面签字委托，授权书已拍照上传",
    )
    assert app.proxy_agent == world.proxy and app.first_contact == world.proxy
    assert app.proxy_consent_at is not None
    app = svc.application_submit(application=app, actor=world.proxy)
    assert app.number
    assert app in sel.visible_applications(world.proxy)
    assert app in sel.visible_applications(world.citizen)


def test_walk_in_registered_by_clerk_records_window_and_first_contact(world):
    app = svc.application_create(
        actor=world.clerk, matter=world.matter, channel="hall", applicant=world.citizen
    )
    assert app.window == world.window and app.first_contact == world.clerk
    app = svc.application_submit(application=app, actor=world.clerk)
    assert app.state == State.SUBMITTED


# --- intake ----------------------------------------------------------------------------------


def test_accept_issues_receipt_and_starts_the_clock(world):
    app = _accepted(world)
    assert app.state == State.ACCEPTED and app.accepted_on == ACCEPT_DAY
    assert app.due_date == date(2026, 10, 9)  # 5 committed working days across the holidays
    assert app.statutory_due_date == date(2026, 10, 29)  # 20 working days; 10 October counts
    notice = Notice.objects.get(application=app, kind=Notice.Kind.ACCEPTANCE)
    assert notice.context["due_date"] == "2026-10-09"
    assert notice.context["applicant_name"] == world.citizen.real_name
    assert "*" in notice.context["applicant_id_masked"]


def test_accept_refused_while_mandatory_materials_are_missing(world):
    app = _submitted(world)
    with pytest.raises(ActionError) as exc:
        svc.application_accept(
            application=app,
            actor=world.clerk,
            checks=_checks(app, 申请表="missing"),
            today=ACCEPT_DAY,
        )
    assert exc.value.code == "materials_incomplete"
    app.refresh_from_db()
    assert app.state == State.SUBMITTED


def test_tolerated_missing_only_where_the_register_allows(world):
    app = _submitted(world)
    checks = _checks(app, 申请表="tolerated")
    with pytest.raises(ActionError) as exc:
        svc.application_accept(application=app, actor=world.clerk, checks=checks, today=ACCEPT_DAY)
    assert exc.value.code == "invalid_checks"
    checks = _checks(app, 场所证明="tolerated")
    for c in checks:
        if c["status"] == "tolerated":
            c.update(promised_on="2026-10-15", commitment="承诺10月15日前补交租赁合同")
    app = svc.application_accept(
        application=app, actor=world.clerk, checks=checks, today=ACCEPT_DAY
    )
    tolerated = app.materials.get(name="场所证明")
    assert tolerated.status == ApplicationMaterial.Status.TOLERATED
    assert tolerated.promised_on == date(2026, 10, 15)
    notice = Notice.objects.get(application=app, kind=Notice.Kind.ACCEPTANCE)
    assert notice.context["items"][0]["material"] == "场所证明"
    assert notice.context["materials_due_date"] == "2026-10-15"
    # supplied later: the upload marks it received
    svc.material_upload(
        application=app, actor=world.citizen, application_material=tolerated, uploaded=pdf_upload()
    )
    tolerated.refresh_from_db()
    assert tolerated.status == ApplicationMaterial.Status.RECEIVED and tolerated.supplied_on


def test_correction_notice_lists_everything_once_per_submission(world):
    app = _submitted(world)
    notice = svc.application_request_correction(
        application=app,
        actor=world.clerk,
        checks=_checks(app, 身份证明="missing", 申请表="deficient"),
        extra_items=["申请表第3栏请补充经营范围"],
        today=ACCEPT_DAY,
    )
    assert [i["material"] for i in notice.items] == ["身份证明", "申请表", "其他补正事项"]
    assert len(notice.items) == 3
    app.refresh_from_db()
    assert app.state == State.CORRECTION
    # the same submission cannot get a second notice
    with pytest.raises(ActionError) as exc:
        svc.application_request_correction(
            application=app, actor=world.clerk, checks=_checks(app, 身份证明="missing")
        )
    assert exc.value.code == "correction_already_issued"
    # resubmission: a new round may be corrected again, deemed date restarts
    for m in app.materials.filter(status__in=["missing", "deficient"]):
        svc.material_upload(
            application=app, actor=world.citizen, application_material=m, uploaded=pdf_upload()
        )
    app = svc.application_submit(application=app, actor=world.citizen, today=date(2026, 10, 12))
    assert app.submission_round == 2 and app.received_on == date(2026, 10, 12)
    assert app.deemed_acceptance_on == date(2026, 10, 19)
    assert app.materials.filter(status="pending").count() == 2
    assert app.correction_notices.get().resolved_on == date(2026, 10, 12)
    notice2 = svc.application_request_correction(
        application=app, actor=world.clerk, checks=_checks(app, 身份证明="deficient")
    )
    assert notice2.submission_round == 2


def test_correction_needs_at_least_one_item(world):
    app = _submitted(world)
    with pytest.raises(ActionError) as exc:
        svc.application_request_correction(application=app, actor=world.clerk, checks=_checks(app))
    assert exc.value.code == "correction_items_required"


def test_refusal_requires_reason_and_basis(world):
    app = _submitted(world)
    with pytest.raises(ActionError) as exc:
        svc.application_refuse(application=app, actor=world.clerk, reason="", basis="")
    assert set(exc.value.fields) == {"reason", "basis"}
    app = svc.application_refuse(
        application=app,
        actor=world.clerk,
        reason="申请事项不属于本镇赋权范围",
        basis="《行政许可法》第三十二条第一款第（二）项",
    )
    assert app.state == State.REFUSED
    assert Notice.objects.filter(application=app, kind=Notice.Kind.REFUSAL).exists()


def test_deemed_acceptance_is_dated_the_day_of_receipt(world):
    app = _submitted(world)
    assert svc.sweep_deemed_acceptances(today=date(2026, 10, 9)) == 0  # the 5th working day itself
    assert svc.sweep_deemed_acceptances(today=date(2026, 10, 10)) == 1
    app.refresh_from_db()
    assert app.state == State.ACCEPTED and app.deemed_accepted
    assert app.accepted_on == ACCEPT_DAY and app.accepted_by is None
    assert app.due_date == date(2026, 10, 9)  # counted from receipt: already overdue
    change = app.history.get(action="accept")
    assert change.actor is None and change.actor_label == "系统"
    assert svc.sweep_deemed_acceptances(today=date(2026, 10, 12)) == 0


# --- review, clock, suspension, extension ------------------------------------------------------


def test_suspension_moves_the_due_date_by_its_working_days(world):
    app = _in_review(world)
    svc.application_suspend(
        application=app,
        actor=world.reviewer,
        kind="testing",
        reason="送检",
        expected_days=3,
        today=date(2026, 9, 28),
    )
    app.refresh_from_db()
    assert sel.clock_for(app, date(2026, 9, 29)).status == "paused"
    app = svc.application_resume(application=app, actor=world.reviewer, today=date(2026, 10, 8))
    # paused: 29 Sep, 30 Sep, 8 Oct = 3 working days -> due three working days later
    assert app.paused_days == 3
    assert app.due_date == date(2026, 10, 13)  # 10 October (a make-up Saturday) counts
    assert Notice.objects.filter(application=app, kind=Notice.Kind.SUSPENSION).exists()


def test_clock_status_warning_overdue_in_python_and_sql(world):
    app = _in_review(world)
    # committed 5 days, due 9 October, warning threshold 1 day: yellow once 1 working day is left
    cases = [
        (date(2026, 9, 30), "normal"),  # 8 and 9 October left
        (date(2026, 10, 3), "normal"),  # holiday: still 2 left
        (date(2026, 10, 8), "warning"),  # 1 left
        (date(2026, 10, 9), "warning"),  # due today
        (date(2026, 10, 10), "overdue"),
    ]
    for day, expected in cases:
        assert Application.objects.with_clock_status(day).get(pk=app.pk).clock_status == expected
        assert sel.clock_for(app, day).status == expected
    clock = sel.clock_for(app, date(2026, 9, 30))
    assert clock.days_left == 2 and clock.days_used == 3


def test_extension_once_within_maximum_approved_by_supervisor(world):
    app = _in_review(world)
    with pytest.raises(ActionError) as exc:
        svc.extension_request(
            application=app,
            actor=world.reviewer,
            days=11,
            reason="需要补充现场核查",
            today=ACCEPT_DAY,
        )
    assert "days" in exc.value.fields
    ext = svc.extension_request(
        application=app, actor=world.reviewer, days=10, reason="需要补充现场核查", today=ACCEPT_DAY
    )
    with pytest.raises(ActionError) as exc:
        svc.extension_request(
            application=app, actor=world.reviewer, days=2, reason="again", today=ACCEPT_DAY
        )
    assert exc.value.code == "extension_already_used"
    with pytest.raises(Forbidden):
        svc.extension_decide(extension=ext, actor=world.reviewer, approve=True)
    svc.extension_decide(
        extension=ext, actor=world.supervisor, approve=True, note="同意", today=ACCEPT_DAY
    )
    app.refresh_from_db()
    assert app.extension_days == 10
    assert app.due_date == workdays_add(ACCEPT_DAY, 15)
    assert Notice.objects.get(application=app, kind=Notice.Kind.EXTENSION).context["days"] == 10
    with pytest.raises(Conflict):
        svc.extension_decide(extension=ext, actor=world.supervisor, approve=False)


def test_extension_only_where_the_matter_allows(world):
    world.matter.extension_allowed = False
    world.matter.max_extension_days = 0
    world.matter.save()
    app = _in_review(world)
    with pytest.raises(ActionError) as exc:
        svc.extension_request(application=app, actor=world.reviewer, days=1, reason="x")
    assert exc.value.code == "extension_not_allowed"


def workdays_add(day, n):
    from portal import workdays

    return workdays.add_working_days(day, n)


def test_decide_grant_then_release_completes(world):
    app = _in_review(world)
    app = svc.application_decide(
        application=app, actor=world.reviewer, outcome="grant", today=date(2026, 10, 8)
    )
    assert app.state == State.READY_FOR_RELEASE and app.outcome == "grant"
    assert app.release_due_on == date(2026, 10, 21)  # 10 working days, 10 October counts
    assert sel.clock_for(app, date(2026, 12, 1)).status == "stopped"
    with pytest.raises(Forbidden):
        svc.application_release(
            application=app, actor=world.clerk, method="hand"
        )  # not a release window
    with pytest.raises(ActionError) as exc:
        svc.application_release(application=app, actor=world.release_clerk, method="mail")
    assert exc.value.code == "tracking_required"
    app = svc.application_release(
        application=app, actor=world.release_clerk, method="mail", tracking_number="SF1234567890"
    )
    assert app.state == State.COMPLETED
    kinds = list(Notice.objects.filter(application=app).values_list("kind", flat=True))
    assert kinds == ["acceptance", "decision_grant"]


def test_deny_requires_reasons_and_basis(world):
    app = _in_review(world)
    with pytest.raises(ActionError) as exc:
        svc.application_decide(application=app, actor=world.reviewer, outcome="deny")
    assert set(exc.value.fields) == {"reason", "basis"}
    app = svc.application_decide(
        application=app,
        actor=world.reviewer,
        outcome="deny",
        reason="经营场所不符合规划",
        basis="《个体工商户条例》第八条",
    )
    assert app.outcome == "deny" and app.release_due_on is None


def test_forward_matter_goes_to_the_district(world):
    matter = make_matter(
        code="F001",
        department=world.dept,
        delegating=world.district,
        mode="forward",
        name="食品经营许可",
    )
    app = svc.application_create(
        actor=world.citizen, matter=matter, channel="online", today=ACCEPT_DAY
    )
    svc.application_update_draft(application=app, actor=world.citizen, declaration_accepted=True)
    app.refresh_from_db()
    app = svc.application_submit(application=app, actor=world.citizen, today=ACCEPT_DAY)
    app = svc.application_accept(
        application=app, actor=world.clerk, checks=_checks(app), today=ACCEPT_DAY
    )
    app = svc.application_claim(application=app, actor=world.reviewer)
    with pytest.raises(ActionError) as exc:
        svc.application_decide(application=app, actor=world.reviewer, outcome="grant")
    assert exc.value.code == "forward_matter"
    assert app not in sel.visible_applications(world.district_reviewer)
    app = svc.application_forward(
        application=app, actor=world.reviewer, opinion="初审材料齐全，建议准予"
    )
    assert app.state == State.FORWARDED
    assert list(sel.district_queue(world.district_reviewer)) == [app]
    with pytest.raises(Forbidden):
        svc.application_record_district_decision(
            application=app, actor=world.reviewer, outcome="grant"
        )
    app = svc.application_record_district_decision(
        application=app, actor=world.district_reviewer, outcome="grant"
    )
    assert app.state == State.READY_FOR_RELEASE


def test_withdraw_before_decision_only_by_the_applicant(world):
    app = _in_review(world)
    with pytest.raises(Forbidden):
        svc.application_withdraw(application=app, actor=world.other_citizen)
    app = svc.application_withdraw(application=app, actor=world.citizen, reason="不再需要")
    assert app.state == State.WITHDRAWN
    app2 = _in_review(world)
    app2 = svc.application_decide(application=app2, actor=world.reviewer, outcome="grant")
    with pytest.raises(ActionError):
        svc.application_withdraw(application=app2, actor=world.citizen)


# --- roles and guards ------------------------------------------------------------------------


def test_roles_are_enforced_for_every_step(world):
    app = _submitted(world)
    with pytest.raises(Forbidden):
        svc.application_accept(application=app, actor=world.reviewer, checks=_checks(app))
    with pytest.raises(Forbidden):
        svc.application_accept(application=app, actor=world.citizen, checks=_checks(app))
    app = svc.application_accept(application=app, actor=world.clerk, checks=_checks(app))
    with pytest.raises(Forbidden):
        svc.application_claim(application=app, actor=world.clerk)
    app = svc.application_claim(application=app, actor=world.reviewer)
    with pytest.raises(Forbidden):  # only the handler decides
        svc.application_decide(application=app, actor=world.reviewer2, outcome="grant")
    with pytest.raises(Forbidden):
        svc.application_reassign(application=app, actor=world.reviewer, reviewer=world.reviewer2)
    app = svc.application_reassign(
        application=app, actor=world.supervisor, reviewer=world.reviewer2
    )
    assert app.handler == world.reviewer2
    svc.application_decide(application=app, actor=world.reviewer2, outcome="grant")


def test_transition_not_allowed_in_state_has_stable_code(world):
    app = _submitted(world)
    with pytest.raises(ActionError) as exc:
        svc.application_claim(application=app, actor=world.reviewer)
    assert exc.value.code == "invalid_transition"


def test_stale_state_is_a_conflict(world):
    app = _submitted(world)
    stale = Application.objects.get(pk=app.pk)
    svc.application_accept(application=app, actor=world.clerk, checks=_checks(app))
    with pytest.raises(Conflict):
        svc.application_refuse(application=stale, actor=world.clerk2, reason="x", basis="y")


def test_uploads_checked_by_content_and_size(world, settings):
    app = _online_draft(world)
    material = app.materials.first()
    with pytest.raises(ActionError) as exc:
        svc.material_upload(
            application=app,
            actor=world.citizen,
            application_material=material,
            uploaded=pdf_upload("x.pdf", b"MZ\x90\x00 not a pdf"),
        )
    assert exc.value.code == "file_type"
    settings.ONEWINDOW = {**settings.ONEWINDOW, "MAX_UPLOAD_BYTES": 10}
    with pytest.raises(ActionError) as exc:
        svc.material_upload(
            application=app,
            actor=world.citizen,
            application_material=material,
            uploaded=pdf_upload(),
        )
    assert exc.value.code == "file_too_large"
    settings.ONEWINDOW = {**settings.ONEWINDOW, "MAX_UPLOAD_BYTES": 20 * 1024 * 1024}
    stored = svc.material_upload(
        application=app,
        actor=world.citizen,
        application_material=material,
        uploaded=pdf_upload("照片.png", PNG),
    )
    assert stored.content_type == "image/png"
    assert "照片" not in stored.file.name and stored.original_name == "照片.png"
    with pytest.raises(Forbidden):
        svc.material_upload(
            application=app,
            actor=world.other_citizen,
            application_material=material,
            uploaded=pdf_upload(),
        )


def test_scope_of_each_role(world):
    app = _in_review(world)
    draft = _online_draft(world)
    assert app in sel.visible_applications(world.citizen)
    assert app not in sel.visible_applications(world.other_citizen)
    assert app in sel.visible_applications(world.clerk)
    assert draft not in sel.visible_applications(world.clerk)
    assert app in sel.visible_applications(world.reviewer)
    assert app in sel.visible_applications(world.supervisor)
    assert app not in sel.visible_applications(world.district_reviewer)


def test_citizen_is_told_on_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        app = _accepted(world)
    titles = list(
        Notification.objects.filter(recipient=world.citizen).values_list("title", flat=True)
    )
    assert any(app.number in t and "已受理" in t for t in titles)


# --- the version in force at acceptance (issue 19: the key is read first) ---------------------


def _second_version(world, valid_from, committed=2):
    from datetime import timedelta

    from approvals.models import Material, Matter

    v1 = world.matter
    Matter.objects.filter(pk=v1.pk).update(valid_to=valid_from - timedelta(days=1))
    v2 = Matter.objects.get(pk=v1.pk)
    v2.pk, v2.version, v2.valid_from, v2.valid_to = None, 2, valid_from, None
    v2.committed_days = committed
    v2.save()
    for material in v1.materials.all():
        material.pk, material.matter = None, v2
        material.save()
    assert Material.objects.filter(matter=v2).count() == v1.materials.count()
    return v2


def test_acceptance_moves_the_application_to_the_version_in_force_that_day(world):
    app = _submitted(world)
    v2 = _second_version(world, ACCEPT_DAY, committed=2)
    accepted = svc.application_accept(
        application=app, actor=world.clerk, checks=_checks(app), today=ACCEPT_DAY
    )
    accepted.refresh_from_db()
    assert accepted.matter_id == v2.pk
    from portal import workdays

    assert accepted.due_date == workdays.add_working_days(ACCEPT_DAY, 2)
    notice = Notice.objects.get(application=accepted, kind=Notice.Kind.ACCEPTANCE)
    assert notice.context["matter_name"] == v2.name


def test_acceptance_keeps_the_version_still_in_force(world):
    app = _submitted(world)
    v1 = app.matter
    _second_version(world, date(2026, 10, 1), committed=2)
    accepted = svc.application_accept(
        application=app, actor=world.clerk, checks=_checks(app), today=ACCEPT_DAY
    )
    accepted.refresh_from_db()
    assert accepted.matter_id == v1.pk
    from portal import workdays

    assert accepted.due_date == workdays.add_working_days(ACCEPT_DAY, v1.committed_days)


# --- material checks written as bulk_update wrote them (issue 19) -----------------------------


def _rows(app):
    return sorted(app.materials.values_list("pk", "status", "problem", "promised_on", "commitment"))


@pytest.mark.parametrize(
    "statuses",
    [
        {},
        {"场所证明": "tolerated"},
        {"身份证明": "missing", "申请表": "deficient"},
        {"身份证明": "deficient", "申请表": "deficient", "场所证明": "missing"},
        {"身份证明": "missing", "申请表": "missing", "场所证明": "missing"},
    ],
)
def test_material_checks_leave_the_rows_as_bulk_update_left_them(world, statuses):
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    app = _submitted(world)
    checks = _checks(app, **statuses)
    for c in checks:
        if c["status"] == "tolerated":
            c.update(promised_on="2026-10-15", commitment="十五日内补交")
    # the old way, in a savepoint rolled back: every checked row through bulk_update
    with transaction.atomic():
        by_id = {m.pk: m for m in app.materials.all()}
        for c in checks:
            m = by_id[c["id"]]
            m.status, m.problem = c["status"], (c.get("problem") or "").strip()
            m.promised_on = date.fromisoformat(c["promised_on"]) if c.get("promised_on") else None
            m.commitment = c.get("commitment", "")
        ApplicationMaterial.objects.bulk_update(
            list(by_id.values()), ["status", "problem", "promised_on", "commitment"]
        )
        expected = _rows(app)
        transaction.set_rollback(True)
    with transaction.atomic():
        returned = svc._apply_checks(app, checks, ACCEPT_DAY)
        assert _rows(app) == expected
        assert (
            sorted((m.pk, m.status, m.problem, m.promised_on, m.commitment) for m in returned)
            == expected
        )
        # the same checks again change nothing, and write nothing
        with CaptureQueriesContext(connection) as again:
            svc._apply_checks(app, checks, ACCEPT_DAY)
        assert not [q for q in again.captured_queries if q["sql"].startswith("UPDATE")]
        assert _rows(app) == expected


# --- the detail's clock status in Python, as the SQL annotation says (issue 19) ---------------


def test_the_clock_status_of_a_row_is_the_annotations_in_every_case(world):
    import itertools
    from datetime import timedelta

    from django.test import RequestFactory
    from django.utils import translation

    from approvals.api.applications import ApplicationDetailSerializer, _detail_reads

    app = _submitted(world)
    today = date(2026, 10, 20)
    days = [None, today - timedelta(days=1), today, today + timedelta(days=1)]
    request = RequestFactory().get("/")
    seen = set()
    for state, accepted_on, due, warning in itertools.product(
        [s.value for s in State], [None, date(2026, 9, 24)], days, days
    ):
        decided = state in (State.READY_FOR_RELEASE, State.COMPLETED)
        Application.objects.filter(pk=app.pk).update(
            state=state,
            outcome="grant" if decided else "",
            accepted_on=accepted_on,
            due_date=due,
            warning_date=warning,
        )
        annotated = _detail_reads(Application.objects.with_clock_status(today)).get(pk=app.pk)
        plain = _detail_reads(Application.objects).get(pk=app.pk)
        assert sel.clock_status_of(plain, today) == annotated.clock_status, (
            state,
            accepted_on,
            due,
            warning,
        )
        seen.add(annotated.clock_status)
        if due in (None, today) and warning in (None, today):
            plain.clock_status = sel.clock_status_of(plain, today)
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    assert (
                        ApplicationDetailSerializer(plain, context={"request": request}).data
                        == ApplicationDetailSerializer(annotated, context={"request": request}).data
                    )
    assert seen == {"paused", "not_started", "stopped", "overdue", "warning", "normal"}
