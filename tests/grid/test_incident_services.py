"""The eight-step loop through its services: every transition, guard and role."""

import uuid
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from grid.models import Incident, IncidentFollower, IncidentStep
from grid.models.incidents import Outcome, Source, State, Step, VoidReason
from grid.selectors import incidents as sel
from grid.services import incidents as svc
from portal.errors import ActionError, Conflict, Forbidden
from portal.models import AuditEntry, Notification
from tests.grid.incident_fixtures import World, at, jpeg

pytestmark = pytest.mark.django_db
NOW = at(2026, 3, 2, 9, 0)  # a Monday


@pytest.fixture
def w(db):
    return World()


def report(w, actor=None, *, category="ORD", where=None, photos=1, source=None, now=NOW, **kw):
    actor = actor or w.member1
    if source is None:
        source = Source.RESIDENT if actor.has_role("citizen") else Source.GRID_MEMBER
    lat, lng = where or World.V1G1
    return svc.incident_report(
        actor=actor,
        source=source,
        category_code=category,
        description="菜市场门口占道经营",
        lat=lat,
        lng=lng,
        photo_files=[jpeg() for _ in range(photos)],
        now=now,
        **kw,
    ).incident


# --- report ------------------------------------------------------------------------------------


def test_member_report_with_photo_counts_as_verified(w):
    incident = report(w)
    assert incident.number.startswith("SJ20260302")
    assert incident.grid.code == "V1G1" and incident.village.code == "V1"
    assert incident.micro_grid.code == "V1G1M2"
    assert incident.state == State.VERIFIED and incident.verified_by == w.member1
    assert incident.step == Step.ACCEPT
    assert list(incident.history.values_list("action", flat=True)) == ["report", "verify"]
    assert AuditEntry.objects.filter(action="incident.report", object_id=str(incident.pk)).exists()
    assert incident.photos.count() == 1
    # The head is told to accept.
    assert Notification.objects.filter(recipient=w.head1, kind="grid.incident_to_accept").exists()


def test_report_without_photo_and_resident_report_wait_for_verification(w):
    assert report(w, photos=0).state == State.REPORTED
    resident = report(w, w.citizen, photos=1)
    assert resident.state == State.REPORTED and resident.source == Source.RESIDENT
    assert resident.step == Step.VERIFY
    assert Notification.objects.filter(recipient=w.member2, kind="grid.incident_to_verify").exists()


def test_same_client_uuid_twice_is_one_incident(w):
    key = uuid.uuid4()
    first = svc.incident_report(
        actor=w.member1,
        source=Source.GRID_MEMBER,
        category_code="ORD",
        description="x",
        lat=World.V1G1[0],
        lng=World.V1G1[1],
        photo_files=[jpeg()],
        client_uuid=key,
        now=NOW,
    )
    steps = IncidentStep.objects.count()
    again = svc.incident_report(
        actor=w.member1,
        source=Source.GRID_MEMBER,
        category_code="ORD",
        description="x",
        lat=World.V1G1[0],
        lng=World.V1G1[1],
        photo_files=[jpeg()],
        client_uuid=str(key),
        now=NOW,
    )
    assert first.created and not again.created
    assert again.incident.pk == first.incident.pk
    assert Incident.objects.count() == 1 and IncidentStep.objects.count() == steps
    # Someone else's UUID is not theirs to replay.
    with pytest.raises(Conflict):
        svc.incident_report(
            actor=w.member2,
            source=Source.GRID_MEMBER,
            category_code="ORD",
            description="x",
            lat=World.V1G1[0],
            lng=World.V1G1[1],
            client_uuid=key,
            now=NOW,
        )


def test_client_uuid_is_unique_in_the_database(w):
    incident = report(w, client_uuid=uuid.uuid4())
    clone = Incident.objects.get(pk=incident.pk)
    clone.pk = None
    clone.number = "SJ2026030299999"
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()


def test_report_problems_all_at_once(w):
    with pytest.raises(ActionError) as info:
        svc.incident_report(
            actor=w.member1,
            source=Source.GRID_MEMBER,
            category_code="NOPE",
            description="",
            lat=World.OUTSIDE[0],
            lng=World.OUTSIDE[1],
            photo_files=[b"not a photo"],
            now=NOW,
        )
    assert {"category", "description", "lat", "photos"} <= set(info.value.fields)
    assert not Incident.objects.exists()


def test_roles_that_may_not_report(w):
    with pytest.raises(Forbidden):
        report(w, w.citizen, source=Source.GRID_MEMBER)
    with pytest.raises(Forbidden):
        report(w, w.member1, source=Source.HOTLINE, external_number="X1")


def test_incident_keeps_the_limits_it_started_with(w):
    from grid.services import categories as cat_svc

    before = report(w, category="ORD", photos=0, now=NOW)
    cat_svc.category_change(
        actor="t", category=w.ordinary, fields={"verify_limit": 5}, at=NOW + timedelta(hours=1)
    )
    after = report(w, category="ORD", photos=0, now=NOW + timedelta(hours=2))
    assert before.category.verify_limit == 1 and after.category.verify_limit == 5
    before = svc.incident_verify(actor=w.member2, incident=before, now=NOW + timedelta(hours=3))
    assert before.category.accept_limit == 1 and before.category.version == 1


# --- verify, accept, void ------------------------------------------------------------------------


def test_verify_only_by_the_grids_people(w):
    incident = report(w, w.citizen)
    for outsider in (w.member3, w.head2, w.citizen, w.dispatcher):
        with pytest.raises(Forbidden):
            svc.incident_verify(actor=outsider, incident=incident, now=NOW)
    incident = svc.incident_verify(
        actor=w.member2,
        incident=incident,
        note="属实",
        photo_files=[jpeg()],
        now=NOW + timedelta(hours=1),
    )
    assert incident.state == State.VERIFIED and incident.verify_note == "属实"


def test_accept_by_grid_head_or_centre_not_a_member(w):
    incident = report(w)
    with pytest.raises(Forbidden):
        svc.incident_accept(actor=w.member2, incident=incident, now=NOW)
    with pytest.raises(Forbidden):
        svc.incident_accept(actor=w.head2, incident=incident, now=NOW)
    incident = svc.incident_accept(actor=w.head1, incident=incident, now=NOW)
    assert incident.state == State.ACCEPTED and incident.step == Step.HANDLE
    other = report(w)
    assert svc.incident_accept(actor=w.dispatcher, incident=other, now=NOW).state == State.ACCEPTED


def test_a_stale_caller_gets_409(w):
    incident = report(w)
    seen = Incident.objects.get(pk=incident.pk)
    svc.incident_accept(actor=w.head1, incident=incident, now=NOW)
    with pytest.raises(Conflict):
        svc.incident_accept(actor=w.dispatcher, incident=seen, now=NOW)
    with pytest.raises(Conflict):
        svc.incident_void(actor=w.dispatcher, incident=seen, reason="not_true", note="x", now=NOW)


def test_void_reasons(w):
    incident = report(w, w.citizen)
    with pytest.raises(ActionError) as info:
        svc.incident_void(actor=w.head1, incident=incident, reason="not_true", note="", now=NOW)
    assert "note" in info.value.fields
    with pytest.raises(ActionError) as info:
        svc.incident_void(actor=w.head1, incident=incident, reason="duplicate", now=NOW)
    assert info.value.code == "duplicate_required"
    voided = svc.incident_void(
        actor=w.head1, incident=incident, reason=VoidReason.NOT_TRUE, note="现场无此情况", now=NOW
    )
    assert voided.state == State.VOIDED and voided.step == ""
    assert Notification.objects.filter(recipient=w.citizen, kind="grid.incident_voided").exists()


def test_void_as_duplicate_names_the_original_and_its_reporter_follows(w):
    original = report(w)
    duplicate = report(w, w.citizen)
    svc.incident_void(
        actor=w.head1,
        incident=duplicate,
        reason=VoidReason.DUPLICATE,
        duplicate_of=original,
        now=NOW,
    )
    duplicate.refresh_from_db()
    assert duplicate.duplicate_of == original
    assert IncidentFollower.objects.filter(incident=original, user=w.citizen).exists()
    with pytest.raises(ActionError):
        svc.incident_void(
            actor=w.head1,
            incident=report(w, w.citizen),
            reason="duplicate",
            duplicate_of=duplicate,
            now=NOW,
        )  # the original must not be voided


# --- handle, feedback, close ------------------------------------------------------------------------


def accepted(w, **kw):
    return svc.incident_accept(actor=w.head1, incident=report(w, **kw), now=NOW)


def test_handle_in_the_grid(w):
    incident = accepted(w)
    with pytest.raises(Forbidden):
        svc.incident_start_handling(actor=w.member1, incident=incident, handler=w.member2, now=NOW)
    with pytest.raises(ActionError) as info:
        svc.incident_start_handling(actor=w.head1, incident=incident, handler=w.member3, now=NOW)
    assert info.value.code == "handler_not_in_grid"
    incident = svc.incident_start_handling(actor=w.member2, incident=incident, now=NOW)
    assert incident.state == State.HANDLING and incident.handler == w.member2


def test_accept_and_assign_in_one_step_and_categories_the_grid_may_not_handle(w):
    incident = svc.incident_accept(actor=w.head1, incident=report(w), handler=w.member2, now=NOW)
    assert incident.state == State.HANDLING and incident.handler == w.member2
    assert Notification.objects.filter(recipient=w.member2, kind="grid.incident_assigned").exists()
    blocked = accepted(w, category="DSP")
    with pytest.raises(ActionError) as info:
        svc.incident_start_handling(actor=w.head1, incident=blocked, now=NOW)
    assert info.value.code == "grid_may_not_handle"
    assert Notification.objects.filter(
        recipient=w.dispatcher, kind="grid.incident_to_dispatch"
    ).exists()


def handled(w, handler=None, **kw):
    incident = svc.incident_accept(
        actor=w.head1, incident=report(w, **kw), handler=handler or w.member2, now=NOW
    )
    return svc.incident_report_result(
        actor=incident.handler,
        incident=incident,
        note="已清理",
        photo_files=[jpeg()],
        now=NOW + timedelta(hours=5),
    )


def test_result_needs_words_and_a_photo(w):
    incident = svc.incident_accept(actor=w.head1, incident=report(w), handler=w.member2, now=NOW)
    with pytest.raises(ActionError):
        svc.incident_report_result(actor=w.member2, incident=incident, note="已清理", now=NOW)
    with pytest.raises(Forbidden):
        svc.incident_report_result(
            actor=w.member1, incident=incident, note="x", photo_files=[jpeg()], now=NOW
        )
    incident = svc.incident_report_result(
        actor=w.member2, incident=incident, note="已清理", photo_files=[jpeg()], now=NOW
    )
    assert incident.state == State.FEEDBACK and incident.step == Step.CHECK


def test_close_by_someone_other_than_the_handler(w):
    incident = handled(w)  # reported by member1, handled by member2
    with pytest.raises(Forbidden):
        svc.incident_close(actor=w.member2, incident=incident, outcome="solved", now=NOW)
    with pytest.raises(ActionError) as info:
        svc.incident_close(actor=w.member1, incident=incident, outcome="cannot_solve_now", now=NOW)
    assert "outcome_reason" in info.value.fields
    closed = svc.incident_close(
        actor=w.member1, incident=incident, outcome=Outcome.SOLVED, now=NOW + timedelta(hours=6)
    )
    assert closed.state == State.CLOSED and closed.outcome == Outcome.SOLVED
    assert closed.on_time is True and closed.handling_score == 100


def test_the_head_who_handled_cannot_close_but_the_centre_can(w):
    incident = handled(w, handler=w.head1)
    with pytest.raises(Forbidden):
        svc.incident_close(actor=w.head1, incident=incident, outcome="solved", now=NOW)
    assert (
        svc.incident_close(actor=w.dispatcher, incident=incident, outcome="solved", now=NOW).state
        == State.CLOSED
    )


def test_not_fixed_goes_back_to_the_handler(w):
    incident = handled(w)
    incident = svc.incident_send_back(actor=w.head1, incident=incident, reason="仍有残留", now=NOW)
    assert incident.state == State.HANDLING and incident.handler == w.member2
    assert Notification.objects.filter(recipient=w.member2, kind="grid.incident_sent_back").exists()


def test_closed_is_not_fixed_and_figures_count_outcomes(w):
    svc.incident_close(actor=w.head1, incident=handled(w), outcome=Outcome.SOLVED, now=NOW)
    svc.incident_close(
        actor=w.head1,
        incident=handled(w),
        outcome=Outcome.CANNOT_SOLVE_NOW,
        outcome_reason="需要预算",
        now=NOW,
    )
    svc.incident_close(
        actor=w.head1,
        incident=handled(w),
        outcome=Outcome.NOT_RESPONSIBLE,
        outcome_reason="属区级事权",
        now=NOW,
    )
    figures = sel.figures(Incident.objects.all())
    assert figures["closed"] == 3 and figures["solved"] == 1
    assert figures["solved_rate"] == pytest.approx(33.3)
    assert figures["by_outcome"] == {"solved": 1, "cannot_solve_now": 1, "not_responsible": 1}


def test_outcome_is_told_to_the_reporter_with_a_rating_link(w):
    resident = report(w, w.citizen)
    resident = svc.incident_verify(actor=w.member1, incident=resident, now=NOW)
    resident = svc.incident_accept(actor=w.head1, incident=resident, handler=w.member2, now=NOW)
    resident = svc.incident_report_result(
        actor=w.member2, incident=resident, note="好了", photo_files=[jpeg()], now=NOW
    )
    svc.incident_close(actor=w.head1, incident=resident, outcome="solved", now=NOW)
    told = Notification.objects.get(recipient=w.citizen, kind="grid.incident_closed")
    assert "/incidents/rate/" in told.body


# --- reopen, hold, extension ------------------------------------------------------------------------


def closed_resident(w, closed_at):
    incident = report(w, w.citizen)
    incident = svc.incident_verify(actor=w.member1, incident=incident, now=NOW)
    incident = svc.incident_accept(actor=w.head1, incident=incident, handler=w.member2, now=NOW)
    incident = svc.incident_report_result(
        actor=w.member2, incident=incident, note="好了", photo_files=[jpeg()], now=NOW
    )
    return svc.incident_close(actor=w.head1, incident=incident, outcome="solved", now=closed_at)


def test_reopen_within_the_window_only(w):
    closed_at = NOW + timedelta(days=1)
    incident = closed_resident(w, closed_at)
    with pytest.raises(Forbidden):
        svc.incident_reopen(actor=w.citizen2, incident=incident, reason="没修好", now=closed_at)
    late = closed_resident(w, closed_at)
    with pytest.raises(ActionError) as info:
        svc.incident_reopen(
            actor=w.citizen,
            incident=late,
            reason="没修好",
            now=closed_at + timedelta(days=7, minutes=1),
        )
    assert info.value.code == "reopen_window_passed"
    reopened = svc.incident_reopen(
        actor=w.citizen,
        incident=incident,
        reason="没修好",
        now=closed_at + timedelta(days=6, hours=23),
    )
    assert reopened.state == State.HANDLING and reopened.outcome == ""
    assert reopened.reopen_count == 1 and reopened.handler == w.member2


def test_reopen_window_is_configurable(w, settings):
    settings.ONEWINDOW = {**settings.ONEWINDOW, "INCIDENT_REOPEN_DAYS": 2}
    closed_at = NOW + timedelta(days=1)
    incident = closed_resident(w, closed_at)
    with pytest.raises(ActionError):
        svc.incident_reopen(
            actor=w.citizen, incident=incident, reason="x", now=closed_at + timedelta(days=3)
        )


def test_hold_pauses_the_clock_and_resume_returns(w):
    start = at(2026, 3, 2, 9, 0)
    incident = svc.incident_accept(
        actor=w.head1, incident=report(w, category="URG", now=start), handler=w.member2, now=start
    )
    assert incident.due_at == start + timedelta(hours=24)
    held = svc.incident_hold(
        actor=w.head1,
        incident=incident,
        reason="等待配件",
        review_on=start.date() + timedelta(days=3),
        now=start + timedelta(hours=2),
    )
    assert held.state == State.ON_HOLD
    assert held.clock_status(start + timedelta(days=5)) == "paused"
    resumed = svc.incident_resume(actor=w.head1, incident=held, now=start + timedelta(hours=12))
    assert resumed.state == State.HANDLING
    assert resumed.due_at == start + timedelta(hours=34)  # 10 hours on hold


def test_one_extension_approved_by_someone_else_within_the_maximum(w):
    incident = svc.incident_accept(actor=w.head1, incident=report(w), handler=w.member2, now=NOW)
    due = incident.due_at
    with pytest.raises(ActionError):
        svc.extension_request(actor=w.member2, incident=incident, amount=3, reason="x", now=NOW)
    extension = svc.extension_request(
        actor=w.member2, incident=incident, amount=2, reason="需协调", now=NOW
    )
    with pytest.raises(ActionError) as info:
        svc.extension_request(actor=w.member2, incident=incident, amount=1, reason="x", now=NOW)
    assert info.value.code == "extension_used"
    with pytest.raises(Forbidden):
        svc.extension_decide(actor=w.member1, extension=extension, approve=True, now=NOW)
    svc.extension_decide(actor=w.head1, extension=extension, approve=True, now=NOW)
    incident.refresh_from_db()
    assert incident.extension == 2 and incident.due_at > due
    fixed = svc.incident_accept(
        actor=w.head1, incident=report(w, category="FIX"), handler=w.member2, now=NOW
    )
    with pytest.raises(ActionError) as info:
        svc.extension_request(actor=w.member2, incident=fixed, amount=1, reason="x", now=NOW)
    assert info.value.code == "extension_not_allowed"


def test_the_head_cannot_approve_their_own_request(w):
    incident = svc.incident_accept(actor=w.head1, incident=report(w), handler=w.head1, now=NOW)
    extension = svc.extension_request(
        actor=w.head1, incident=incident, amount=1, reason="x", now=NOW
    )
    with pytest.raises(Forbidden):
        svc.extension_decide(actor=w.head1, extension=extension, approve=True, now=NOW)
    svc.extension_decide(
        actor=w.dispatcher, extension=extension, approve=False, note="不必", now=NOW
    )


# --- duplicates, merge, join ------------------------------------------------------------------------


def test_merge_informs_every_reporter_once(w):
    original = report(w, w.citizen)
    duplicate = report(w, w.citizen2)
    third = report(w, w.citizen)  # the same resident twice: told once
    svc.incident_join(actor=w.citizen2, incident=original, now=NOW)  # and a joiner
    svc.incident_merge(actor=w.head1, incident=duplicate, into=original, now=NOW)
    svc.incident_merge(actor=w.dispatcher, incident=third, into=original, now=NOW)
    duplicate.refresh_from_db()
    assert duplicate.state == State.VOIDED and duplicate.duplicate_of == original
    original = svc.incident_verify(actor=w.member1, incident=original, now=NOW)
    original = svc.incident_accept(actor=w.head1, incident=original, handler=w.member2, now=NOW)
    original = svc.incident_report_result(
        actor=w.member2, incident=original, note="好了", photo_files=[jpeg()], now=NOW
    )
    svc.incident_close(actor=w.head1, incident=original, outcome="solved", now=NOW)
    for person in (w.citizen, w.citizen2):
        assert (
            Notification.objects.filter(recipient=person, kind="grid.incident_closed").count() == 1
        )


def test_merge_of_a_later_step_and_not_a_closed_one(w):
    handling = svc.incident_accept(actor=w.head1, incident=report(w), handler=w.member2, now=NOW)
    original = report(w)
    merged = svc.incident_merge(actor=w.head1, incident=handling, into=original, now=NOW)
    assert merged.state == State.VOIDED
    with pytest.raises(ActionError):
        svc.incident_merge(actor=w.head1, incident=merged, into=original, now=NOW)
    with pytest.raises(Forbidden):
        svc.incident_merge(actor=w.member1, incident=report(w), into=original, now=NOW)


def test_join_is_idempotent_and_not_for_closed_or_own(w):
    incident = report(w)
    key = uuid.uuid4()
    follower, created = svc.incident_join(actor=w.citizen, incident=incident, client_uuid=key)
    again, created_again = svc.incident_join(actor=w.citizen, incident=incident, client_uuid=key)
    assert created and not created_again and follower.pk == again.pk
    with pytest.raises(ActionError):
        svc.incident_join(actor=w.member1, incident=incident)
    assert sel.visible(w.citizen).filter(pk=incident.pk).exists()


def test_duplicate_suggestion_radius_window_and_order(w):
    base_lat, base_lng = World.V1G1
    near = report(w, where=(base_lat + 0.0009, base_lng))  # ~100 m
    nearer = report(w, where=(base_lat + 0.0004, base_lng))  # ~45 m
    report(w, where=(base_lat + 0.0027, base_lng))  # ~300 m: outside 200 m
    report(w, category="URG", where=(base_lat, base_lng))  # another category
    old = report(w, where=(base_lat, base_lng), now=NOW - timedelta(days=15))  # too old
    closed = handled(w, where=(base_lat, base_lng))
    svc.incident_close(actor=w.head1, incident=closed, outcome="solved", now=NOW)
    found = sel.duplicates(
        category_code="ORD", lat=base_lat, lng=base_lng, now=NOW + timedelta(hours=6)
    )
    assert [c.number for c in found] == [nearer.number, near.number]
    assert 40 <= found[0].distance_m <= 50 and 95 <= found[1].distance_m <= 105
    assert old.number not in [c.number for c in found]
    # The category's own radius and window: 50 m and 3 days.
    report(w, category="FIX", where=(base_lat + 0.0004, base_lng))
    far = report(w, category="FIX", where=(base_lat + 0.0006, base_lng))
    found = sel.duplicates(category_code="FIX", lat=base_lat, lng=base_lng, now=NOW)
    assert len(found) == 1 and far.number not in [c.number for c in found]
    assert (
        sel.duplicates(category_code="FIX", lat=base_lat, lng=base_lng, now=NOW + timedelta(days=4))
        == []
    )


# --- the dispatch slot ----------------------------------------------------------------------------------


def test_dispatch_slot_enter_done_recall(w):
    incident = accepted(w, category="DSP")
    incident = svc.dispatch_enter(
        actor=w.dispatcher, incident=incident, note="派至规划建设办", now=NOW
    )
    assert incident.state == State.DISPATCHED and incident.step == Step.HANDLE
    recalled = svc.dispatch_recall(actor=w.dispatcher, incident=incident, now=NOW)
    assert recalled.state == State.ACCEPTED
    incident = svc.dispatch_enter(actor=w.dispatcher, incident=recalled, now=NOW)
    incident = svc.dispatch_done(actor=w.dispatcher, incident=incident, note="已修复", now=NOW)
    assert incident.state == State.FEEDBACK
    assert (
        svc.incident_close(actor=w.head1, incident=incident, outcome="solved", now=NOW).state
        == State.CLOSED
    )


# --- rating --------------------------------------------------------------------------------------------


def test_rating_once_by_reporters_and_by_the_callers_link(w):
    incident = closed_resident(w, NOW)
    with pytest.raises(ActionError):
        svc.incident_rate(incident=incident, actor=w.citizen, score=6)
    with pytest.raises(Forbidden):
        svc.incident_rate(incident=incident, actor=w.citizen2, score=4)
    svc.incident_rate(incident=incident, actor=w.citizen, score=4, comment="及时")
    with pytest.raises(Conflict):
        svc.incident_rate(incident=incident, actor=w.citizen, score=5)
    token = svc.rating_token(incident, rater="caller")
    assert svc.read_rating_token(token)["i"] == incident.pk
    assert svc.read_rating_token(token + "x") is None
    svc.incident_rate(incident=incident, rater="caller", score=3)
    with pytest.raises(Conflict):
        svc.incident_rate(incident=incident, rater="caller", score=3)


# --- scope -------------------------------------------------------------------------------------------


def test_scope(w):
    mine = report(w)
    theirs = report(w, w.member3, where=World.V2G1)
    assert set(sel.visible(w.member1)) == {mine}
    assert set(sel.visible(w.head2)) == {theirs}
    assert set(sel.visible(w.dispatcher)) == {mine, theirs}
    assert sel.get_visible(w.member1, theirs.number) is None
    assert list(sel.visible(w.citizen)) == []


def test_a_patrol_finding_becomes_an_incident_once(w):
    from grid.models import Finding, FindingPhoto, Patrol

    patrol = Patrol.objects.create(member=w.member1, area=w.town["V1G1"], started_at=NOW)
    finding = Finding.objects.create(
        patrol=patrol,
        category="environment",
        description="河道漂浮垃圾",
        lat=World.V1G1[0],
        lng=World.V1G1[1],
        reported_at=NOW,
    )
    from portal import photos

    stored = photos.store(photos.check(jpeg()), actor=w.member1, purpose="grid.finding")
    FindingPhoto.objects.create(finding=finding, photo=stored)
    made = svc.incident_from_finding(actor=w.member1, finding=finding, category_code="ORD", now=NOW)
    again = svc.incident_from_finding(actor=w.head1, finding=finding, category_code="ORD", now=NOW)
    assert made.created and not again.created and again.incident.pk == made.incident.pk
    incident = made.incident
    assert incident.source == Source.PATROL and incident.photos.get().photo == stored
    assert incident.state == State.VERIFIED  # a member's own finding with a photo
    assert incident.source_ref == f"finding:{finding.public_id}"
