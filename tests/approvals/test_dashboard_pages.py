"""The dashboard pages, their export and API, the public per-matter page: who may see them,
what a supervisor reads there, bad input, and pinned query counts."""

import io
from datetime import date
from unittest import mock

import pytest
from django.urls import reverse

from approvals.views import dashboard as views
from tests.approvals.dashboard_data import OCTOBER, TODAY, Town, at

pytestmark = pytest.mark.django_db

OCT = {"start": OCTOBER[0].isoformat(), "end": OCTOBER[1].isoformat()}


@pytest.fixture
def town(world):
    from django.core.cache import cache

    cache.clear()  # the public figures are cached
    town = Town(world)
    town.rollup()
    return town


@pytest.fixture
def supervisor_client(client, world):
    client.force_login(world.supervisor)
    return client


def get(client, name, params=None, **kwargs):
    with at(TODAY, 11):
        return client.get(reverse(name), params or {}, **kwargs)


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "approvals:dashboard",
        "approvals:dashboard-quality",
        "approvals:dashboard-list",
        "approvals:dashboard-export",
    ],  # fmt: skip
)
def test_only_supervisors_see_the_dashboards(client, world, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for person in (world.citizen, world.reviewer, world.clerk):
        client.force_login(person)
        assert client.get(reverse(name)).status_code == 403


def test_the_api_is_for_supervisors_only(client, world):
    url = reverse("api-dashboard-time-limits")
    assert client.get(url).status_code in (401, 403)
    client.force_login(world.reviewer)
    assert client.get(url).status_code == 403


def test_the_menu_entry_appears_for_supervisors(supervisor_client):
    response = supervisor_client.get(reverse("home"))
    assert reverse("approvals:dashboard") in response.content.decode()


# --- the time-limit dashboard ----------------------------------------------------------------


def test_the_time_limit_dashboard_shows_the_figures(supervisor_client, town):
    response = get(supervisor_client, "approvals:dashboard", OCT)
    assert response.status_code == 200
    page = response.content.decode()
    assert "限时办结看板" in page
    cards = response.context["cards"]
    assert (cards["red"], cards["yellow"]) == (2, 1)
    totals = response.context["history"]["totals"]
    assert totals["on_time_pct"] == 75.0 and totals["avg_handling_days"] == 6.75
    assert "75.0%" in page
    assert "6.8 个工作日" in page  # 6.75 shown with one decimal
    assert "135.0%" in page  # real time / committed limit: 27 / 20
    # the overdue list links each application to its staff page
    assert reverse("approvals:staff-application", args=[town.e.number]) in page
    # the red card links to the list of overdue applications
    assert cards["red_url"].startswith(reverse("approvals:dashboard-list"))
    assert "status=overdue" in cards["red_url"]
    # every chart's numbers are on the page as a table, and as JSON for the chart
    assert 'id="dash-charts"' in page
    assert page.count('class="chart"') == 5
    charts = response.context["charts"]
    assert charts["cards"]["series"][0]["data"] == [2]
    assert charts["daily"]["series"][2]["data"][11] == 100.0  # 12 Oct: A decided on time


@pytest.mark.parametrize(
    "name, total",
    [
        # every page: the session, the person, roles and the unread-message badge come from the
        # cache once warm (portal.user_state, portal.session_user); the change stamps of the
        # names of the departments, windows and villages (filter options and labels: the names themselves come from the
        # cache once warm, selectors.dashboard.names). Then the dashboard: the
        # last refresh, open work, cards, overdue list (its keys, then its rows), names of the
        # matters shown — the rollup's sums come from the cache under the last refresh once
        # warm (selectors.dashboard._grouped; a range that reaches today adds today's live sums).
        ("approvals:dashboard", 7),
        # last refresh, rectifications and their departments, hall rollup, categories (the
        # rollup's sums from the cache)
        ("approvals:dashboard-quality", 6),
        # one page of applications (its keys, then its rows) and their count
        ("approvals:dashboard-list", 4),
    ],
)
def test_each_page_is_a_handful_of_queries(
    supervisor_client, town, django_assert_num_queries, name, total
):
    get(supervisor_client, name, OCT)  # warm caches (templates, calendar)
    with django_assert_num_queries(total):
        get(supervisor_client, name, OCT)


def test_the_query_count_does_not_grow_with_the_data(
    supervisor_client, town, world, django_assert_num_queries
):
    get(supervisor_client, "approvals:dashboard", OCT)
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()  # both measured requests cold: the rollup's sums are read, not cached
    with CaptureQueriesContext(connection) as before:
        get(supervisor_client, "approvals:dashboard", OCT)
    for day in (date(2026, 10, 19), date(2026, 10, 20), date(2026, 10, 21)):
        town._claimed(day)
    town.rollup()
    cache.clear()
    with django_assert_num_queries(len(before.captured_queries)):
        get(supervisor_client, "approvals:dashboard", OCT)


def test_filtering_by_department_keeps_the_choice(supervisor_client, town, world):
    from tests.factories import DepartmentFactory

    other = DepartmentFactory(code="SHSWB", name="下埠镇社会事务办公室", short_name="社会事务办")
    response = get(supervisor_client, "approvals:dashboard", {**OCT, "department": other.pk})
    assert response.status_code == 200
    assert response.context["cards"]["red"] == 0
    assert f'<option value="{other.pk}" selected>' in response.content.decode()
    response = get(supervisor_client, "approvals:dashboard", {**OCT, "department": world.dept.pk})
    assert response.context["cards"]["red"] == 2
    assert f"department={world.dept.pk}" in response.context["cards"]["red_url"]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"start": "2026-10-31", "end": "2026-10-01"}, "end"),
        ({"start": "2026-13-01"}, "start"),
        ({"department": "abc"}, "department"),
        ({"window": "999999"}, "window"),
        ({"kind": "nonsense"}, "kind"),
        ({"channel": "fax"}, "channel"),
    ],
)
def test_bad_filters_are_named_and_kept(supervisor_client, town, params, field):
    response = get(supervisor_client, "approvals:dashboard", params)
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors
    page = response.content.decode()
    assert 'role="alert"' in page
    # the figures still show, for the default range
    assert response.context["cards"]["red"] == 2


def test_big_screen_mode_refreshes_itself(supervisor_client, town):
    response = get(supervisor_client, "approvals:dashboard", {**OCT, "screen": "1"})
    page = response.content.decode()
    assert "dashboard-screen" in page
    assert 'hx-trigger="every 60s"' in page
    partial = get(
        supervisor_client,
        "approvals:dashboard",
        {**OCT, "screen": "1", "partial": "1"},
        HTTP_HX_REQUEST="true",
    )
    body = partial.content.decode()
    assert "<html" not in body and 'id="dash-charts"' in body


# --- drill-down ------------------------------------------------------------------------------


def test_a_red_card_leads_to_the_list_and_to_the_application(supervisor_client, town, world):
    response = get(supervisor_client, "approvals:dashboard", OCT)
    [dept_row] = response.context["cards"]["department"]
    with at(TODAY, 11):
        listing = supervisor_client.get(dept_row["red_url"])
    assert listing.status_code == 200
    numbers = [item["app"].number for item in listing.context["items"]]
    assert numbers == [town.e.number, town.f.number]
    page = listing.content.decode()
    detail = reverse("approvals:staff-application", args=[town.f.number])
    assert detail in page
    with at(TODAY, 11):
        assert supervisor_client.get(detail).status_code == 200


def test_the_list_pages_by_keyset(supervisor_client, town):
    with mock.patch.object(views.sel, "PAGE_SIZE", 1):
        first = get(supervisor_client, "approvals:dashboard-list", {**OCT, "status": "overdue"})
        assert [i["app"].number for i in first.context["items"]] == [town.e.number]
        assert first.context["count"] == 2
        with at(TODAY, 11):
            second = supervisor_client.get(first.context["next_url"])
        assert [i["app"].number for i in second.context["items"]] == [town.f.number]
        assert second.context["next_url"] == ""


def test_bad_list_parameters_answer_400(supervisor_client, town):
    response = get(supervisor_client, "approvals:dashboard-list", {"status": "weird"})
    assert response.status_code == 400
    assert "status" in response.context["errors"]
    response = get(supervisor_client, "approvals:dashboard-list", {"after": "not-a-cursor"})
    assert response.status_code == 400


# --- quality ---------------------------------------------------------------------------------


def test_the_service_quality_dashboard(supervisor_client, town):
    response = get(supervisor_client, "approvals:dashboard-quality", OCT)
    assert response.status_code == 200
    page = response.content.decode()
    assert "服务质量看板" in page
    assert response.context["ratings"]["totals"]["rating_1"] == 1
    assert response.context["rectifications"]["open"] == 1
    assert response.context["hall"]["total"]["wait_avg_min"] == 11.7
    assert "11.7 分钟" in page
    assert reverse("approvals:rectifications") in page  # on to the rectification list


# --- export ----------------------------------------------------------------------------------


def _workbook(response):
    from openpyxl import load_workbook

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return load_workbook(io.BytesIO(response.content), read_only=True)


def test_export_the_time_limit_dashboard(supervisor_client, town):
    book = _workbook(get(supervisor_client, "approvals:dashboard-export", {**OCT, "view": "time-limits"}))  # fmt: skip
    assert "筛选条件" in book.sheetnames and "事项" in book.sheetnames
    cards = list(book["红黄牌（部门）"].values)
    assert cards[1][1:] == (2, 1)
    overdue = list(book["超期办件"].values)
    assert overdue[1][0] == town.e.number and overdue[1][-1] == 15
    days = {
        row[0].date() if hasattr(row[0], "date") else row[0]: row
        for row in list(book["每日"].values)[1:]
    }
    assert days[date(2026, 10, 16)][3:5] == (1, 0)  # B: decided, not on time


def test_export_the_quality_dashboard_and_the_list(supervisor_client, town):
    book = _workbook(get(supervisor_client, "approvals:dashboard-export", {**OCT, "view": "quality"}))  # fmt: skip
    levels = dict(list(book["评价等级"].values)[1:])
    assert levels["非常满意"] == 1 and levels["非常不满意"] == 1
    book = _workbook(
        get(supervisor_client, "approvals:dashboard-export", {"view": "list", "status": "open"})
    )
    rows = list(book["办件清单"].values)
    assert len(rows) == 1 + 7
    assert {r[0] for r in rows[1:]} >= {town.e.number, town.i.number}
    limited = _workbook(
        get(
            supervisor_client,
            "approvals:dashboard-export",
            {"view": "list", "status": "open", "limit": "2"},
        )  # fmt: skip
    )
    assert len(list(limited["办件清单"].values)) == 1 + 2


def test_an_unknown_export_answers_400(supervisor_client, town):
    response = get(supervisor_client, "approvals:dashboard-export", {"view": "everything"})
    assert response.status_code == 400
    assert "未知的导出内容" in response.content.decode()


# --- API -------------------------------------------------------------------------------------


def test_the_api_gives_the_same_figures(supervisor_client, town):
    data = get(supervisor_client, "api-dashboard-time-limits", OCT).json()
    assert data["cards"]["red"] == 2
    assert data["history"]["totals"]["handling_days"] == 27
    assert data["history"]["totals"]["on_time_rate"] == 0.75
    assert data["overdue"][0]["days_overdue"] == 15
    quality = get(supervisor_client, "api-dashboard-service-quality", OCT).json()
    assert quality["hall"]["total"]["calls"] == 3
    listing = get(supervisor_client, "api-dashboard-applications", {"status": "overdue"}).json()
    assert [r["number"] for r in listing["results"]] == [town.e.number, town.f.number]
    assert listing["next"] is None


def test_the_api_names_a_bad_parameter(supervisor_client, town):
    response = get(supervisor_client, "api-dashboard-time-limits", {"start": "yesterday"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "start" in response.json()["fields"]
    response = get(supervisor_client, "api-dashboard-applications", {"status": "x"})
    assert response.status_code == 400 and "status" in response.json()["fields"]


# --- public ----------------------------------------------------------------------------------


def test_the_public_page_of_a_matter(client, town, world):
    url = reverse("approvals:matter-performance", args=[world.matter.code])
    with at(date(2026, 10, 31), 11):
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert world.matter.name in page
    assert "75.0%" in page  # 3 of 4 decided on time in the last 90 days
    assert world.citizen.real_name not in page and town.a.number not in page
    with at(date(2026, 10, 31), 11):
        api = client.get(reverse("api-matter-performance", args=[world.matter.code])).json()
    assert api["decided"] == 4 and api["avg_handling_days"] == 6.75
    assert client.get(reverse("approvals:matter-performance", args=["NOPE"])).status_code == 404


def test_the_public_figures_are_cached(client, town, world, django_assert_num_queries):
    url = reverse("api-matter-performance", args=[world.matter.code])
    with django_assert_num_queries(2):  # the matter's versions, their rollup sums
        assert client.get(url).json()["decided"] == 4
    with django_assert_num_queries(0):
        client.get(url)


def test_the_filter_shows_the_range_it_uses(supervisor_client, town):
    page = get(supervisor_client, "approvals:dashboard").content.decode()
    # the default range: the 30 days up to today, as ISO dates the date inputs can show
    assert 'name="end" value="2026-11-09"' in page
    assert 'name="start" value="2026-10-11"' in page
