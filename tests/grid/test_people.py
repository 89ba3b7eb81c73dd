"""Grid people: assignments with history, one head per grid (service and database), who was
responsible on a past date, who may assign whom."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from grid.models import Assignment, AssignmentRole
from grid.selectors import people
from grid.services.people import assignment_end, assignment_start
from portal.errors import ActionError, Conflict, Forbidden

pytestmark = pytest.mark.django_db

HEAD, MEMBER, CONTACT = AssignmentRole.HEAD, AssignmentRole.MEMBER, AssignmentRole.CONTACT


@pytest.fixture
def admin(make_user):
    return make_user("supervisor")


def test_changing_the_head_keeps_who_was_responsible_on_a_past_date(town, admin, make_user):
    grid = town["V1G1"]
    first, second = make_user("grid_head"), make_user("grid_head")
    assignment_start(actor=admin, area=grid, role=HEAD, user=first, on=date(2024, 1, 1))
    member = make_user("grid_member")
    assignment_start(actor=admin, area=grid, role=MEMBER, user=member, on=date(2024, 2, 1))
    assignment_start(
        actor=admin, area=grid, role=HEAD, user=second, on=date(2025, 7, 1), replace=True
    )
    assert people.responsible_on(grid, date(2025, 6, 30)).head.user == first
    assert people.responsible_on(grid, date(2025, 7, 1)).head.user == second
    assert people.responsible_on(grid, date(2024, 1, 15)).members == []
    assert [a.user for a in people.responsible_on(grid, date(2024, 2, 1)).members] == [member]
    old = Assignment.objects.get(user=first)
    assert old.ends_on == date(2025, 7, 1) and old.ended_by == admin


def test_a_second_head_is_refused_without_replace(town, admin, make_user):
    grid = town["V1G1"]
    assignment_start(
        actor=admin, area=grid, role=HEAD, user=make_user("grid_head"), on=date(2024, 1, 1)
    )
    with pytest.raises(Conflict) as err:
        assignment_start(
            actor=admin, area=grid, role=HEAD, user=make_user("grid_head"), on=date(2025, 1, 1)
        )
    assert err.value.code == "role_taken"


def test_the_database_refuses_two_current_heads(town, make_user):
    grid = town["V1G1"]
    Assignment.objects.create(
        area=grid, role=HEAD, user=make_user("grid_head"), starts_on=date(2024, 1, 1)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            area=grid, role=HEAD, user=make_user("grid_head"), starts_on=date(2025, 1, 1)
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="exclusion constraint: PostgreSQL")
def test_the_database_refuses_overlapping_back_dated_heads(town, make_user):
    grid = town["V1G1"]
    Assignment.objects.create(
        area=grid,
        role=HEAD,
        user=make_user("grid_head"),
        starts_on=date(2024, 1, 1),
        ends_on=date(2024, 6, 1),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            area=grid,
            role=HEAD,
            user=make_user("grid_head"),
            starts_on=date(2024, 5, 1),
            ends_on=date(2024, 7, 1),
        )
    # touching ranges are fine: one ends the day the next starts
    Assignment.objects.create(
        area=grid,
        role=HEAD,
        user=make_user("grid_head"),
        starts_on=date(2024, 6, 1),
        ends_on=date(2024, 9, 1),
    )


def test_a_micro_grid_contact_may_have_no_account(town, admin):
    contact = assignment_start(
        actor=admin,
        area=town["V1G1M1"],
        role=CONTACT,
        person_name="李大爷",
        person_mobile="13900001111",
        on=date(2024, 3, 1),
    )
    assert contact.user is None and contact.person_label == "李大爷"
    assert people.responsible_on(town["V1G1M1"], date(2024, 3, 2)).contacts == [contact]
    with pytest.raises(ActionError):
        assignment_start(
            actor=admin, area=town["V1G1"], role=MEMBER, person_name="无账号", on=date(2024, 3, 1)
        )


def test_roles_go_on_the_right_kind_of_area(town, admin, make_user):
    with pytest.raises(ActionError) as err:
        assignment_start(
            actor=admin,
            area=town["V1"],
            role=HEAD,
            user=make_user("grid_head"),
            on=date(2024, 3, 1),
        )
    assert err.value.code == "wrong_area_kind"
    with pytest.raises(ActionError):
        assignment_start(
            actor=admin, area=town["V1G1"], role=CONTACT, person_name="某", on=date(2024, 3, 1)
        )


def test_a_member_may_cover_several_grids_but_not_twice_the_same(town, admin, make_user):
    member = make_user("grid_member")
    for code in ("V1G1", "V1G2"):
        assignment_start(
            actor=admin, area=town[code], role=MEMBER, user=member, on=date(2024, 1, 1)
        )
    assert [a.code for a in people.areas_of(member)] == ["V1G1", "V1G2"]
    with pytest.raises(Conflict):
        assignment_start(
            actor=admin, area=town["V1G1"], role=MEMBER, user=member, on=date(2024, 5, 1)
        )


def test_ending_an_assignment(town, admin, make_user):
    member = make_user("grid_member")
    a = assignment_start(
        actor=admin, area=town["V1G1"], role=MEMBER, user=member, on=date(2024, 1, 1)
    )
    with pytest.raises(ActionError):
        assignment_end(actor=admin, assignment=a, on=date(2024, 1, 1), note="调走")
    assignment_end(actor=admin, assignment=a, on=date(2024, 6, 1), note="调走")
    with pytest.raises(Conflict):
        assignment_end(actor=admin, assignment=a, on=date(2024, 7, 1), note="再次")
    assert list(people.areas_of(member, day=date(2024, 5, 31))) == [town["V1G1"]]
    assert list(people.areas_of(member, day=date(2024, 6, 1))) == []


def test_a_head_assigns_members_in_their_grids_only(town, admin, make_user):
    head = make_user("grid_head")
    assignment_start(actor=admin, area=town["V1G1"], role=HEAD, user=head, on=date(2024, 1, 1))
    member = make_user("grid_member")
    assignment_start(actor=head, area=town["V1G1"], role=MEMBER, user=member, on=date(2024, 2, 1))
    assignment_start(
        actor=head, area=town["V1G1M1"], role=CONTACT, person_name="王阿姨", on=date(2024, 2, 1)
    )
    with pytest.raises(Forbidden):
        assignment_start(
            actor=head, area=town["V1G2"], role=MEMBER, user=member, on=date(2024, 2, 1)
        )
    with pytest.raises(Forbidden):  # heads are appointed by supervisors
        assignment_start(
            actor=head,
            area=town["V1G1"],
            role=HEAD,
            user=make_user("grid_head"),
            on=date(2025, 1, 1),
            replace=True,
        )
    with pytest.raises(Forbidden):
        assignment_start(
            actor=member,
            area=town["V1G1"],
            role=MEMBER,
            user=make_user("grid_member"),
            on=date(2024, 2, 1),
        )


def test_the_demo_gives_gridhead_and_gridmember_real_grids_and_work(db):
    from django.core.management import call_command

    from grid.selectors.scope import scope_for
    from portal.models import User

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    head, member = User.objects.get(username="gridhead"), User.objects.get(username="gridmember")
    assert len(scope_for(head).grids) == 4 and len(scope_for(head).micro_grids) > 16
    assert {a.name for a in people.areas_of(member)} == {"石岭村第1网格", "石岭村第2网格"}
    assert member.patrols.exists()
    assert Assignment.objects.filter(role=CONTACT, user__isnull=True).count() > 200
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert Assignment.objects.filter(role=HEAD).count() == 48 + 0  # unchanged by a second run
