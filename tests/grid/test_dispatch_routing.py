"""Routing rules: order and first match, category leaf or branch, area (grid, village, special
grid), time of day through the calendar (working hours, nights, holidays, make-up days),
source, switched off, a deactivated department, the rule tester, versions."""

import pytest

from grid.models.dispatch import RoutingRuleVersion
from grid.selectors import routing
from grid.services import routing_rules as rules_svc
from portal.errors import ActionError
from tests.grid.dispatch_fixtures import DispatchWorld, at

pytestmark = pytest.mark.django_db

# Wednesday 16 September 2026 10:00 is office hours; 22:00 is night; 1 October 2026 10:00 is
# National Day (a Thursday off); Saturday 10 October 2026 is a make-up working day.
WORKDAY = at(2026, 9, 16, 10, 0)
NIGHT = at(2026, 9, 16, 22, 0)
HOLIDAY = at(2026, 10, 1, 10, 0)
MAKE_UP = at(2026, 10, 10, 10, 0)
SUNDAY = at(2026, 9, 27, 10, 0)  # (20 September is a make-up working day)


@pytest.fixture
def w(db):
    return DispatchWorld()


def facts(w, *, category="DSP", when=WORKDAY, point=None, area="", source=""):
    point = point or (None if area else w.V1G1)
    return routing.facts_for_test(
        category_code=category,
        lat=point[0] if point else None,
        lng=point[1] if point else None,
        area_code=area,
        at=when,
        source=source,
    )


def test_first_match_wins_and_the_whole_list_is_reported(w):
    general = w.rule(
        20, "城管类", category_code="CSGL", handler_kind="department", department_code="GHJSB"
    )
    specific = w.rule(
        10, "道路破损", category_code="DSP", handler_kind="department", department_code="SHSWB"
    )
    other = w.rule(
        30, "安全生产", category_code="URG", handler_kind="department", department_code="JJFZB"
    )
    result = routing.evaluate(facts(w))
    assert result.rule.id == specific.pk
    assert result.handler_dict() == {"kind": "department", "code": "SHSWB"}
    statuses = {e["id"]: e["status"] for e in result.evaluated}
    assert statuses == {specific.pk: "matched", general.pk: "also_matches", other.pk: "no_match"}
    assert [e["order"] for e in result.evaluated] == [10, 20, 30]
    missed = next(e for e in result.evaluated if e["id"] == other.pk)
    assert missed["checks"] == ["category"] and "井盖缺失" in missed["reasons"][0]


def test_branch_rule_matches_every_leaf_of_its_branch(w):
    rule = w.rule(
        10, "城管类", category_code="CSGL", handler_kind="department", department_code="GHJSB"
    )
    assert rule.category_level == "branch"
    for code in ("DSP", "ORD", "URG"):
        assert routing.evaluate(facts(w, category=code)).rule.id == rule.pk


def test_area_grid_village_and_special_grid(w):
    special = w.rule(
        10, "学校周边", area_code="S1", handler_kind="department", department_code="SHSWB"
    )
    grid = w.rule(
        20, "东村二网格", area_code="V1G2", handler_kind="department", department_code="JJFZB"
    )
    village = w.rule(30, "西村", area_code="V2", handler_kind="department", department_code="GHJSB")
    from tests.portal.area_fixtures import point

    assert routing.evaluate(facts(w, point=point(0.5, 0.5))).rule.id == special.pk  # inside S1
    assert routing.evaluate(facts(w, point=w.V1G2)).rule.id == grid.pk
    assert routing.evaluate(facts(w, point=w.V2G1)).rule.id == village.pk
    assert routing.evaluate(facts(w, point=point(0.5, 1.5))).rule is None  # V1G1, outside S1
    # An area code instead of a point: a micro-grid lies in its grid and village.
    assert routing.evaluate(facts(w, area="V1G2M1")).rule.id == grid.pk
    assert routing.evaluate(facts(w, area="V2")).rule.id == village.pk


@pytest.mark.parametrize(
    "when,expected",
    [
        (WORKDAY, "day"),
        (NIGHT, "night"),
        (HOLIDAY, "night"),  # National Day: a weekday off
        (MAKE_UP, "day"),  # a Saturday worked in exchange
        (SUNDAY, "night"),
        (at(2026, 9, 16, 8, 29), "night"),
        (at(2026, 9, 16, 8, 30), "day"),
        (at(2026, 9, 16, 17, 30), "night"),
    ],
)
def test_time_of_day_through_the_calendar(w, when, expected):
    day = w.rule(
        10, "白天", time_window="working", handler_kind="department", department_code="GHJSB"
    )
    night = w.rule(
        20, "夜间节假日", time_window="off", handler_kind="district", department_code="QCGJ"
    )
    result = routing.evaluate(facts(w, when=when))
    assert result.rule.id == (day.pk if expected == "day" else night.pk)


def test_office_hours_come_from_the_setting(w, settings):
    settings.WORKING_HOURS = "08:00-12:00,14:30-17:30"
    day = w.rule(
        10, "白天", time_window="working", handler_kind="department", department_code="GHJSB"
    )
    assert routing.evaluate(facts(w, when=at(2026, 9, 16, 9, 0))).rule.id == day.pk
    assert routing.evaluate(facts(w, when=at(2026, 9, 16, 13, 0))).rule is None


def test_source(w):
    hotline = w.rule(
        10, "热线", source="hotline", handler_kind="department", department_code="SHSWB"
    )
    assert routing.evaluate(facts(w, source="hotline")).rule.id == hotline.pk
    result = routing.evaluate(facts(w, source="grid_member"))
    assert result.rule is None and result.evaluated[0]["checks"] == ["source"]


def test_switched_off_rule_never_matches_and_says_so(w):
    rule = w.rule(10, "停用", handler_kind="department", department_code="GHJSB")
    rules_svc.rule_switch(actor=w.supervisor, rule=rule, active=False)
    result = routing.evaluate(facts(w))
    assert result.rule is None
    assert result.evaluated[0]["status"] == "off"
    assert rule.versions.count() == 2


def test_deactivated_department_stops_matching_and_shows_why(w):
    first = w.rule(
        10,
        "规划建设",
        handler_kind="department",
        department_code="GHJSB",
        co_handler_codes=["SHSWB"],
    )
    second = w.rule(20, "兜底", handler_kind="department", department_code="JJFZB")
    assert routing.evaluate(facts(w)).rule.id == first.pk
    w.social.is_active = False
    w.social.save()  # the co-handler: the stamp moves, every process reloads
    result = routing.evaluate(facts(w))
    assert result.rule.id == second.pk
    entry = result.evaluated[0]
    assert entry["status"] == "unavailable"
    assert any("社会事务办公室" in reason and "停用" in reason for reason in entry["reasons"])


def test_grid_rule_is_skipped_for_a_category_the_grid_may_not_handle(w):
    w.rule(10, "网格自办", handler_kind="grid")
    assert routing.evaluate(facts(w, category="DSP")).rule is None
    result = routing.evaluate(facts(w, category="ORD"))
    assert result.handler_dict() == {"kind": "grid", "code": "V1G1"}


def test_rule_check_reports_every_problem_at_once(w):
    data = rules_svc.RuleData(
        order=0,
        name="",
        category_code="NOPE",
        area_code="V1G1M1",
        handler_kind="department",
        department_code="QCGJ",
        co_handler_codes=["XXX"],
    )
    with pytest.raises(ActionError) as err:
        rules_svc.rule_create(actor=w.supervisor, data=data)
    assert set(err.value.fields) == {
        "order",
        "name",
        "category_code",
        "area_code",
        "department_code",
        "co_handler_codes",
    }


def test_every_change_is_a_version_and_unchanged_saves_are_not(w):
    rule = w.rule(
        10, "城管类", category_code="CSGL", handler_kind="department", department_code="GHJSB"
    )
    data = rules_svc.as_data(rule)
    same = rules_svc.rule_change(actor=w.supervisor, rule=rule, data=data)
    assert same.version == 1
    data.department_code = "SHSWB"
    changed = rules_svc.rule_change(actor=w.supervisor, rule=rule, data=data, seen_version=1)
    assert changed.version == 2
    versions = list(RoutingRuleVersion.objects.filter(rule=rule).order_by("version"))
    assert [v.snapshot["department"]["code"] for v in versions] == ["GHJSB", "SHSWB"]
    from portal.errors import Conflict

    with pytest.raises(Conflict):
        rules_svc.rule_change(actor=w.supervisor, rule=rule, data=data, seen_version=1)


def test_tester_refuses_unknown_category_and_a_point_outside_the_town(w):
    with pytest.raises(ActionError) as err:
        routing.facts_for_test(category_code="NOPE", lat=10.0, lng=10.0, at=WORKDAY)
    assert set(err.value.fields) == {"category", "lat"}
