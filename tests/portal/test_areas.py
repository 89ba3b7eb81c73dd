"""The town's map: constraints, the point lookup (edges, corners, outside, past dates, other
processes' changes), closing, splitting and merging with their history, the demo town."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from portal.areas import locate, services, tiling
from portal.areas import selectors as area_selectors
from portal.errors import ActionError, Conflict
from portal.models import Area, AreaChange, AreaKind, ChangeStamp
from tests.portal.area_fixtures import SINCE, cell, point

pytestmark = pytest.mark.django_db


def codes(where):
    return (
        where.village and where.village.code,
        where.grid and where.grid.code,
        where.micro_grid and where.micro_grid.code,
        [s.code for s in where.special_grids],
    )


# --- constraints ---------------------------------------------------------------------------


def test_one_town_only(town):
    with pytest.raises(IntegrityError), transaction.atomic():
        Area.objects.create(code="T2", name="另一个镇", kind=AreaKind.TOWN, active_from=SINCE)


def test_an_area_below_the_town_needs_a_parent_and_a_boundary(town):
    with pytest.raises(IntegrityError), transaction.atomic():
        Area.objects.create(
            code="X",
            name="无上级",
            kind=AreaKind.GRID,
            boundary=cell(0, 0, 1, 1),
            active_from=SINCE,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Area.objects.create(
            code="X", name="无边界", kind=AreaKind.GRID, parent=town["V1"], active_from=SINCE
        )


def test_active_range_and_special_kind_are_checked_by_the_database(town):
    with pytest.raises(IntegrityError), transaction.atomic():
        Area.objects.filter(code="V1G1").update(active_to=SINCE)
    with pytest.raises(IntegrityError), transaction.atomic():
        Area.objects.filter(code="V1G1").update(special_kind="school")


# --- the point lookup ----------------------------------------------------------------------


def test_a_point_inside_resolves_to_one_branch_of_the_tree(town):
    where = locate(*point(0.5, 1.5))
    assert codes(where) == ("V1", "V1G1", "V1G1M2", [])
    assert where.as_dict() == {
        "village": {"code": "V1", "name": "东村"},
        "grid": {"code": "V1G1", "name": "东村一网格"},
        "micro_grid": {"code": "V1G1M2", "name": "东一北微网格"},
        "special_grids": [],
    }


def test_special_grids_are_found_beside_the_ordinary_ones(town):
    assert codes(locate(*point(0.5, 0.5))) == ("V1", "V1G1", "V1G1M1", ["S1"])


def test_a_point_on_an_edge_between_grids_resolves_to_the_smaller_code_every_time(town):
    # the edge between V1G1 and V1G2 (x = 1), inside micro-grids M1 of each
    for _ in range(3):
        assert codes(locate(*point(1, 0.5))) == ("V1", "V1G1", "V1G1M1", [])


def test_a_point_on_the_edge_between_villages_stays_in_one_branch(town):
    # x = 2 is the edge between V1 (its grid V1G2) and V2 (its grid V2G1)
    assert codes(locate(*point(2, 1.5))) == ("V1", "V1G2", "V1G2M2", [])


def test_a_corner_shared_by_four_micro_grids_resolves_deterministically(town):
    # (1, 1): corner of V1G1M1, V1G1M2, V1G2M1, V1G2M2
    assert codes(locate(*point(1, 1))) == ("V1", "V1G1", "V1G1M1", [])


def test_a_hair_off_the_edge_still_finds_a_grid(town):
    lat, lng = point(1, 0.5)
    where = locate(lat, lng + 1e-9)
    assert where.grid is not None and where.micro_grid is not None


def test_outside_the_town_is_none(town):
    assert locate(*point(5, 1)) is None
    assert locate(*point(-0.01, 1)) is None
    assert locate(0.0, 0.0) is None


def test_no_map_yet_is_outside(db):
    assert locate(27.6, 113.7) is None


def test_a_change_in_another_process_is_seen_through_the_stamp(town):
    lat, lng = point(5, 1)
    assert locate(lat, lng) is None
    # as another process would: a row written and the stamp bumped, nothing said to us
    Area.objects.create(
        code="V3",
        name="新村",
        kind=AreaKind.VILLAGE,
        parent=town["T"],
        boundary=cell(4, 0, 6, 2),
        active_from=SINCE,
    )
    ChangeStamp.objects.filter(key="areas").update(
        value=ChangeStamp.objects.get(key="areas").value + 1
    )
    assert locate(lat, lng).village.code == "V3"


def test_an_unchanged_stamp_costs_one_query_and_no_rebuild(town):
    locate(*point(0.5, 0.5))
    with CaptureQueriesContext(connection) as queries:
        locate(*point(0.5, 0.5))
        locate(*point(3.5, 1.5))
    assert len(queries) == 2  # the stamp, once per lookup (the check interval is 0 in tests)


def test_a_closed_area_is_found_on_a_date_before_it_closed(town, make_user):
    admin = make_user("register_admin")
    services.area_close(actor=admin, area=town["S1"], on=date(2025, 6, 1), note="学校搬迁")
    assert codes(locate(*point(0.5, 0.5)))[3] == []
    assert codes(locate(*point(0.5, 0.5), on=date(2025, 5, 31)))[3] == ["S1"]
    assert locate(*point(0.5, 0.5), on=date(2023, 12, 31)) is None  # before the map existed


# --- closing, editing, splitting, merging --------------------------------------------------


def test_closing_a_grid_with_micro_grids_needs_them_closed_too(town, make_user):
    admin = make_user("register_admin")
    with pytest.raises(ActionError) as err:
        services.area_close(actor=admin, area=town["V1G1"], on=date(2025, 1, 1), note="撤并")
    assert err.value.code == "has_children"
    assert Area.objects.get(code="V1G1").active_to is None
    closed = services.area_close(
        actor=admin, area=town["V1G1"], on=date(2025, 1, 1), note="撤并", with_children=True
    )
    assert {a.code for a in closed} == {"V1G1", "V1G1M1", "V1G1M2"}
    change = AreaChange.objects.filter(area__code="V1G1", action="closed").get()
    assert change.effective_on == date(2025, 1, 1) and change.note == "撤并"
    assert change.actor == admin


def test_closing_needs_a_reason_and_a_stale_revision_is_a_conflict(town, make_user):
    admin = make_user("register_admin")
    with pytest.raises(ActionError):
        services.area_close(actor=admin, area=town["S1"], on=date(2025, 1, 1), note=" ")
    services.area_update(actor=admin, area=town["S1"], changes={"name": "下埠中学"})
    with pytest.raises(Conflict):
        services.area_close(
            actor=admin,
            area=town["S1"],
            on=date(2025, 1, 1),
            note="搬迁",
            expected_revision=town["S1"].revision,
        )


def test_editing_keeps_history(town, make_user):
    admin = make_user("register_admin")
    services.area_update(
        actor=admin, area=town["V1G1"], changes={"name": "东村第一网格", "households": 400}
    )
    change = AreaChange.objects.filter(area__code="V1G1", action="changed").get()
    assert change.before == {"name": "东村一网格", "households": 60}
    assert change.after == {"name": "东村第一网格", "households": 400}
    with pytest.raises(PermissionError):
        change.save()


def test_splitting_a_grid_moves_its_micro_grids_and_keeps_the_old_one_answerable(town, make_user):
    admin = make_user("register_admin")
    on = date(2025, 3, 1)
    parts = services.area_split(
        actor=admin,
        area=town["V1G1"],
        on=on,
        parts=[
            {"code": "V1G3", "name": "东村三网格", "boundary": cell(0, 0, 1, 1)},
            {"code": "V1G4", "name": "东村四网格", "boundary": cell(0, 1, 1, 2)},
        ],
        note="户数超标拆分",
    )
    assert [p.code for p in parts] == ["V1G3", "V1G4"]
    assert set(parts[0].predecessors.values_list("code", flat=True)) == {"V1G1"}
    assert Area.objects.get(code="V1G1M1").parent.code == "V1G3"
    assert codes(locate(*point(0.5, 1.5))) == ("V1", "V1G4", "V1G1M2", [])
    assert locate(*point(0.5, 1.5), on=date(2025, 2, 28)).grid.code == "V1G1"


def test_a_split_must_tile_the_old_area(town, make_user):
    admin = make_user("register_admin")
    with pytest.raises(ActionError) as err:
        services.area_split(
            actor=admin,
            area=town["V1G1"],
            on=date(2025, 3, 1),
            parts=[{"code": "V1G3", "name": "半个网格", "boundary": cell(0, 0, 1, 1)}],
            note="拆分",
        )
    assert err.value.code == "parts_do_not_tile"
    assert not Area.objects.filter(code="V1G3").exists()


def test_merging_two_grids(town, make_user):
    admin = make_user("register_admin")
    merged = services.area_merge(
        actor=admin,
        areas=[town["V2G1"], town["V2G2"]],
        on=date(2025, 3, 1),
        into={"code": "V2G9", "name": "西村合并网格"},
        note="合并",
    )
    assert merged.households == 120
    assert codes(locate(*point(3.5, 0.5))) == ("V2", "V2G9", "V2G2M1", [])
    assert Area.objects.get(code="V2G1").active_to == date(2025, 3, 1)


# --- reads ---------------------------------------------------------------------------------


def test_scope_queries_below_an_area(town):
    assert set(Area.objects.within(town["V1"]).values_list("code", flat=True)) == {
        "V1",
        "V1G1",
        "V1G2",
        "V1G1M1",
        "V1G1M2",
        "V1G2M1",
        "V1G2M2",
        "S1",
    }
    assert set(Area.objects.within(town["V2G1"]).values_list("code", flat=True)) == {
        "V2G1",
        "V2G1M1",
        "V2G1M2",
    }
    assert area_selectors.by_code("V1G1").village.code == "V1"
    assert [v.code for v in area_selectors.villages()] == ["V1", "V2"]


def test_the_map_geojson_is_cached_until_the_map_changes(town, make_user):
    first = area_selectors.feature_collection_json()
    with CaptureQueriesContext(connection) as queries:
        assert area_selectors.feature_collection_json() == first
    assert len(queries) == 1  # the stamp only
    services.area_update(
        actor=make_user("register_admin"), area=town["V1"], changes={"name": "东村村"}
    )
    assert "东村村".encode() in area_selectors.feature_collection_json()


# --- the demo town -------------------------------------------------------------------------


def test_the_demo_town_tiles_and_loads_twice_without_changes(db):
    from portal.areas import demo

    result = demo.seed()
    assert result["created"] == Area.objects.count() - 1
    counts = {k: Area.objects.filter(kind=k).count() for k in AreaKind.values}
    assert counts["village"] + counts["community"] == 12
    assert counts["grid"] == 48
    assert counts["special_grid"] == 6
    assert 200 <= counts["micro_grid"] <= 400
    again = demo.seed()
    assert again["create"] == 0 and again["change"] == 0
    assert AreaChange.objects.count() == Area.objects.count()
    # every micro-grid's centre lies in its own branch of the tree
    for micro in Area.objects.filter(kind="micro_grid")[:40]:
        from portal.areas import geometry

        p = geometry.parse(micro.boundary).representative_point()
        where = locate(p.y, p.x)
        assert where.micro_grid.code == micro.code
        assert where.grid.code == micro.parent.code
        assert where.village.id == micro.village_id


def test_the_generated_town_has_the_counts_asked_for():
    spec = tiling.demo_spec()
    features = tiling.generate(spec)
    assert sum(1 for f in features if f.kind == "grid") == 48
    plan_kinds = {f.kind for f in features}
    assert plan_kinds == {"village", "community", "grid", "micro_grid", "special_grid"}
