"""Patrols: start/track/finish and findings are idempotent on the phone's UUIDs; compliance on
fixed dates against the duty standards."""

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from grid.models import AssignmentRole, DutyStandard, Finding, FindingPhoto, Patrol
from grid.selectors.patrols import compliance
from grid.services import patrols as svc
from grid.services.people import assignment_start
from portal.errors import ActionError, Conflict, NotFound  # noqa: F401
from tests.portal.area_fixtures import point

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 40, 40)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def crew(town, make_user):
    admin = make_user("supervisor")
    m1, m2 = make_user("grid_member"), make_user("grid_member")
    for member, code in ((m1, "V1G1"), (m2, "V1G1"), (m1, "V1G2")):
        assignment_start(
            actor=admin,
            area=town[code],
            role=AssignmentRole.MEMBER,
            user=member,
            on=date(2024, 1, 1),
        )
    return {"admin": admin, "m1": m1, "m2": m2}


def at(day, hour=9):
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


def test_start_is_idempotent_on_the_phones_uuid(crew, town):
    pid = uuid.uuid4()
    first, created = svc.patrol_start(member=crew["m1"], area=town["V1G1"], public_id=pid)
    again, created_again = svc.patrol_start(
        member=crew["m1"], area=town["V1G1"], public_id=str(pid)
    )
    assert created and not created_again and first == again
    assert Patrol.objects.count() == 1
    with pytest.raises(Conflict):  # someone else's UUID
        svc.patrol_start(member=crew["m2"], area=town["V1G1"], public_id=pid)


def test_one_patrol_at_a_time_and_only_in_your_grids(crew, town):
    svc.patrol_start(member=crew["m1"], area=town["V1G1"], public_id=uuid.uuid4())
    with pytest.raises(Conflict):
        svc.patrol_start(member=crew["m1"], area=town["V1G2"], public_id=uuid.uuid4())
    with pytest.raises(ActionError) as err:
        svc.patrol_start(member=crew["m2"], area=town["V2G1"], public_id=uuid.uuid4())
    assert err.value.code == "not_your_grid"


def test_positions_resent_are_stored_once_and_the_distance_follows(crew, town):
    patrol, _ = svc.patrol_start(member=crew["m1"], area=town["V1G1"], public_id=uuid.uuid4())
    lat0, lng0 = point(0.5, 0.2)
    lat1, lng1 = point(0.5, 0.3)  # 0.001° north: about 111 m
    batch = [
        {"lat": lat0, "lng": lng0, "at": 1000, "accuracy": 8},
        {"lat": lat1, "lng": lng1, "at": 2000},
    ]
    svc.patrol_track(member=crew["m1"], patrol=patrol, points=batch)
    patrol = svc.patrol_track(member=crew["m1"], patrol=patrol, points=batch)
    assert len(patrol.track) == 2
    assert 105 < patrol.distance_m < 115
    with pytest.raises(ActionError):
        svc.patrol_track(member=crew["m1"], patrol=patrol, points=[{"lat": "x"}])


def test_finish_twice_changes_nothing(crew, town):
    patrol, _ = svc.patrol_start(member=crew["m1"], area=town["V1G1"], public_id=uuid.uuid4())
    done = svc.patrol_finish(member=crew["m1"], patrol=patrol, households_visited=3, note="正常")
    again = svc.patrol_finish(member=crew["m1"], patrol=patrol, households_visited=9)
    assert again.households_visited == 3 and again.finished_at == done.finished_at
    with pytest.raises(NotFound):
        svc.patrol_finish(member=crew["m2"], patrol=patrol)


def test_a_finding_is_located_with_its_photos_and_a_resend_adds_nothing(crew, town):
    patrol, _ = svc.patrol_start(member=crew["m1"], area=town["V1G1"], public_id=uuid.uuid4())
    fid = uuid.uuid4()
    lat, lng = point(0.5, 1.5)
    finding, created = svc.finding_add(
        member=crew["m1"],
        patrol=patrol,
        public_id=fid,
        category="work_safety",
        description="电线乱拉",
        lat=lat,
        lng=lng,
        photos=[SimpleUploadedFile("a.png", png())],
    )
    again, created_again = svc.finding_add(
        member=crew["m1"],
        patrol=patrol,
        public_id=fid,
        category="work_safety",
        description="电线乱拉",
        photos=[SimpleUploadedFile("a.png", png())],
    )
    assert created and not created_again and finding == again
    assert finding.micro_grid.code == "V1G1M2"
    assert FindingPhoto.objects.count() == 1
    assert FindingPhoto.objects.get().photo.sha256  # the evidence, in the core
    with pytest.raises(Conflict):
        svc.finding_add(
            member=crew["m2"], patrol=patrol, public_id=fid, category="work_safety", description="x"
        )


def test_every_problem_of_a_finding_at_once_and_nothing_written(crew, town):
    patrol, _ = svc.patrol_start(member=crew["m1"], area=town["V1G1"], public_id=uuid.uuid4())
    with pytest.raises(ActionError) as err:
        svc.finding_add(
            member=crew["m1"],
            patrol=patrol,
            public_id=uuid.uuid4(),
            category="nope",
            description="",
            photos=[SimpleUploadedFile("a.gif", b"GIF89a....")],
        )
    assert set(err.value.fields) == {"category", "description", "photos"}
    assert Finding.objects.count() == 0


def _patrol(member, area, when, households=0):
    return Patrol.objects.create(
        member=member,
        area=area,
        status=Patrol.Status.FINISHED,
        started_at=when,
        finished_at=when + timedelta(hours=1),
        households_visited=households,
    )


def test_compliance_on_fixed_dates(crew, town):
    DutyStandard.objects.create(area=town["T"], patrols_per_week=3, visits_per_month=10)
    DutyStandard.objects.create(area=town["V1G2"], patrols_per_week=1, visits_per_month=2)
    # week of Monday 2025-03-10 .. Sunday 2025-03-16; March 2025
    for day in (10, 11, 12, 16):
        _patrol(crew["m1"], town["V1G1"], at(date(2025, 3, day)), households=3)
    _patrol(crew["m1"], town["V1G1"], at(date(2025, 3, 17)), households=5)  # next week, same month
    _patrol(
        crew["m1"],
        town["V1G1"],
        at(
            date(
                2025,
                3,
                9,
            ),
            23,
        ),
        households=0,
    )  # Sunday before
    _patrol(crew["m2"], town["V1G1"], at(date(2025, 3, 12)), households=4)
    _patrol(crew["m1"], town["V1G2"], at(date(2025, 3, 13)), households=2)
    Patrol.objects.create(
        member=crew["m2"], area=town["V1G1"], started_at=at(date(2025, 3, 13))
    )  # unfinished
    result = compliance(day=date(2025, 3, 12))
    assert (result.week_start, result.week_end) == (date(2025, 3, 10), date(2025, 3, 16))
    rows = {(r.member, r.area.code): r for r in result.rows}
    m1g1 = rows[(crew["m1"], "V1G1")]
    assert (m1g1.patrols, m1g1.households, m1g1.ok) == (5 - 1, 12 + 5, True)
    m2g1 = rows[(crew["m2"], "V1G1")]
    assert (m2g1.patrols, m2g1.households, m2g1.patrols_ok, m2g1.households_ok) == (
        1,
        4,
        False,
        False,
    )
    m1g2 = rows[(crew["m1"], "V1G2")]
    assert (m1g2.patrols, m1g2.households, m1g2.ok) == (1, 2, True)
    grids = {g.area.code: g for g in result.grids}
    assert grids["V1G1"].patrols == 5 and grids["V1G1"].members_ok == 1
    assert result.rate == pytest.approx(2 / 3)


def test_a_member_who_left_before_the_week_is_not_counted(crew, town):
    from grid.models import Assignment
    from grid.services.people import assignment_end

    a = Assignment.objects.get(user=crew["m2"])
    assignment_end(actor=crew["admin"], assignment=a, on=date(2025, 3, 1), note="调离")
    result = compliance(day=date(2025, 3, 12))
    assert crew["m2"] not in {r.member for r in result.rows}
    assert crew["m2"] in {r.member for r in compliance(day=date(2025, 2, 26)).rows}
