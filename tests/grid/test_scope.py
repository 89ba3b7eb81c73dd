"""Scope: a member sees their grids, a head their grids and the micro-grids below, a village's
staff the village, supervisors and dispatchers everything."""

from datetime import date

import pytest

from grid.models import AssignmentRole, Patrol
from grid.selectors.scope import scope_for, visible_areas
from grid.services.people import assignment_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(town, make_user):
    admin = make_user("supervisor")
    member, head, village_staff = (
        make_user("grid_member"),
        make_user("grid_head"),
        make_user("proxy_agent"),
    )
    on = date(2024, 1, 1)
    assignment_start(actor=admin, area=town["V1G1"], role=AssignmentRole.MEMBER, user=member, on=on)
    assignment_start(actor=admin, area=town["V1G1"], role=AssignmentRole.HEAD, user=head, on=on)
    assignment_start(actor=admin, area=town["V1G2"], role=AssignmentRole.HEAD, user=head, on=on)
    assignment_start(
        actor=admin, area=town["V2"], role=AssignmentRole.VILLAGE_STAFF, user=village_staff, on=on
    )
    return {"member": member, "head": head, "village": village_staff, "admin": admin}


def codes(qs):
    return sorted(qs.values_list("code", flat=True))


def test_a_member_sees_their_grid(staff):
    assert codes(visible_areas(staff["member"])) == ["V1G1"]


def test_a_head_sees_their_grids_and_the_micro_grids_below(staff):
    assert codes(visible_areas(staff["head"])) == [
        "V1G1",
        "V1G1M1",
        "V1G1M2",
        "V1G2",
        "V1G2M1",
        "V1G2M2",
    ]


def test_village_staff_see_the_village(staff):
    assert codes(visible_areas(staff["village"])) == [
        "V2",
        "V2G1",
        "V2G1M1",
        "V2G1M2",
        "V2G2",
        "V2G2M1",
        "V2G2M2",
    ]


def test_supervisors_and_dispatchers_see_everything(staff, make_user):
    assert scope_for(staff["admin"]).everything
    assert scope_for(make_user("dispatcher")).everything
    assert scope_for(make_user("grid_member")).empty


def test_scope_filters_objects_by_their_area_fields(staff, town):
    a = Patrol.objects.create(
        member=staff["member"], area=town["V1G1"], started_at="2024-05-01T09:00+08:00"
    )
    b = Patrol.objects.create(
        member=staff["head"], area=town["V1G2"], started_at="2024-05-01T09:00+08:00"
    )
    Patrol.objects.create(
        member=staff["head"], area=town["V2G1"], started_at="2024-05-02T09:00+08:00"
    )
    fields = {"village": "area__village", "grid": "area", "micro_grid": None}
    assert list(scope_for(staff["member"]).filter(Patrol.objects.order_by("id"), **fields)) == [a]
    assert list(scope_for(staff["head"]).filter(Patrol.objects.order_by("id"), **fields)) == [a, b]
    assert scope_for(staff["village"]).filter(Patrol.objects.all(), **fields).count() == 1
    assert scope_for(staff["admin"]).filter(Patrol.objects.all(), **fields).count() == 3


def test_scope_follows_the_date(staff, town):
    assert scope_for(staff["member"], date(2023, 12, 31)).empty
