# ruff: noqa: F811 -- pytest fixtures imported from register_support
"""The guide's catalogue is rendered once per register change stamp, language, day and question
(issue 19): a second anonymous reader costs one query (the stamp), and a change to the
register — a new version published, a matter retired, a department renamed — shows on the very
next request. So are the body of a matter's page (under the working-day calendar's stamp too:
its example due date) and of a life event's page."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from approvals import guide_hooks
from approvals.models import LifeEvent, Material, Matter
from approvals.selectors import guide as guide_sel
from approvals.services import register as services
from portal import stamps, workdays
from portal.models import CalendarDay
from tests.approvals.register_support import make_matter, new_version, township  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(township):
    make_matter(township, "XB-XK-001", valid_from=date(2024, 1, 1), name="个体工商户设立登记")
    make_matter(township, "XB-XK-002", valid_from=date(2024, 1, 1), name="食品经营许可")
    return township


def test_a_second_reader_of_the_catalogue_costs_one_query(client, catalogue):
    url = reverse("approvals:guide")
    assert "个体工商户设立登记" in client.get(url).content.decode()
    with CaptureQueriesContext(connection) as second:
        body = client.get(url).content.decode()
    assert "个体工商户设立登记" in body and "食品经营许可" in body
    assert len(second) == 1, [q["sql"] for q in second]


def test_a_new_version_shows_at_once(client, catalogue):
    url = reverse("approvals:guide")
    assert "个体工商户设立登记" in client.get(url).content.decode()
    current = Matter.objects.get(code="XB-XK-001", version=1)
    new_version(current, valid_from=timezone.localdate(), name="个体工商户设立登记（新）")
    assert "个体工商户设立登记（新）" in client.get(url).content.decode()


def test_a_retired_matter_leaves_the_catalogue_at_once(client, catalogue):
    url = reverse("approvals:guide")
    client.get(url)
    services.matter_retire(
        actor="test",
        matter=Matter.objects.get(code="XB-XK-002"),
        effective=timezone.localdate(),
        reason="收回",
    )
    assert "食品经营许可" not in client.get(url).content.decode()


def test_a_renamed_department_shows_at_once(client, catalogue):
    url = reverse("approvals:guide")
    client.get(url)
    department = Matter.objects.get(code="XB-XK-001").handling_department
    department.short_name = "改了名的部门"
    department.save()
    assert "改了名的部门" in client.get(url).content.decode()


def test_filters_and_pages_are_cached_apart_and_searches_not_at_all():
    from django.http import QueryDict

    def key(query, partial=False):
        return guide_sel.catalogue_cache_key(QueryDict(query), partial=partial)

    assert key("") != key("page=2") != key("kind=licensing")
    assert key("") != key("", partial=True)
    assert key("q=&kind=licensing") is not None
    assert key("q=宅基地") is None
    assert key("utm_source=x") is None
    assert key("page=1&page=2") is None


def test_the_htmx_results_follow_the_register_too(client, catalogue):
    url = reverse("approvals:guide") + "?kind=licensing"
    first = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "个体工商户设立登记" in first and "<h1>" not in first
    services.matter_retire(
        actor="test",
        matter=Matter.objects.get(code="XB-XK-001"),
        effective=timezone.localdate(),
        reason="收回",
    )
    assert "个体工商户设立登记" not in client.get(url, HTTP_HX_REQUEST="true").content.decode()


# --- a matter's page and a life event's page (the body inside the frame) -------------------------


def _matter_url(code="XB-XK-001"):
    return reverse("approvals:guide-matter", args=[code])


def _due_text(committed_days: int = 5) -> str:
    due = workdays.add_working_days(timezone.localdate(), committed_days)
    return f"最迟 {due:%Y-%m-%d} 办结"


def test_a_second_reader_of_a_matter_page_costs_one_query(client, catalogue):
    assert "个体工商户设立登记" in client.get(_matter_url()).content.decode()
    with CaptureQueriesContext(connection) as second:
        body = client.get(_matter_url()).content.decode()
    assert "个体工商户设立登记 · 办事指南" in body  # the title, outside the cached body
    assert "申请书" in body and _due_text() in body
    assert len(second) == 1, [q["sql"] for q in second]


def test_the_frame_of_a_cached_matter_page_stays_each_readers_own(client, catalogue):
    from portal.models import User

    person = User.objects.get(username="registrar")
    anonymous = client.get(_matter_url()).content.decode()
    assert person.display_name not in anonymous
    client.force_login(person)
    signed_in = client.get(_matter_url()).content.decode()
    assert person.display_name in signed_in and "csrfmiddlewaretoken" in signed_in
    client.logout()
    assert person.display_name not in client.get(_matter_url()).content.decode()


def test_a_new_material_shows_at_once(client, catalogue):
    assert "营业执照" not in client.get(_matter_url()).content.decode()
    matter = Matter.objects.get(code="XB-XK-001", version=1)
    Material.objects.create(matter=matter, name="营业执照", form="copy", order=9)
    assert "营业执照" in client.get(_matter_url()).content.decode()


def test_a_renamed_department_shows_on_the_matter_page_at_once(client, catalogue):
    client.get(_matter_url())
    department = Matter.objects.get(code="XB-XK-001").handling_department
    department.name = "改了名的部门"
    department.save()
    assert "改了名的部门" in client.get(_matter_url()).content.decode()


def test_a_withdrawn_matter_says_so_at_once(client, catalogue):
    assert client.get(_matter_url("XB-XK-002")).status_code == 200
    services.matter_retire(
        actor="test",
        matter=Matter.objects.get(code="XB-XK-002"),
        effective=timezone.localdate(),
        reason="收回",
    )
    page = client.get(_matter_url("XB-XK-002")).content.decode()
    assert 'id="withdrawn-notice"' in page and "收回" in page


def _next_working_day() -> date:
    day = timezone.localdate()
    while True:
        day += timedelta(days=1)
        if workdays.is_working_day(day):
            return day


def test_a_new_holiday_moves_the_example_due_date_at_once(client, catalogue):
    before = _due_text()
    assert before in client.get(_matter_url()).content.decode()
    CalendarDay.objects.update_or_create(
        date=_next_working_day(), defaults={"is_working_day": False, "name": "测试假日"}
    )
    after = _due_text()
    assert after != before
    assert after in client.get(_matter_url()).content.decode()


def test_a_holiday_added_by_another_process_counts_at_once(client, catalogue):
    """Another process: the rows change without this process's signals (its calendar in memory
    stays as it was), and the calendar's stamp moves as that process's signal moves it."""
    before = _due_text()
    assert before in client.get(_matter_url()).content.decode()
    holiday = _next_working_day()
    CalendarDay.objects.filter(date=holiday).delete()  # a make-up working day, if it was one
    CalendarDay.objects.bulk_create([CalendarDay(date=holiday, is_working_day=False, name="假日")])
    stamps.bump(workdays.CALENDAR_STAMP)
    page = client.get(_matter_url()).content.decode()
    workdays.invalidate()
    after = _due_text()
    assert after != before
    assert after in page


def test_an_enforcement_matters_page_is_not_cached(client, catalogue):
    """Its discretion benchmark comes from another app (approvals.guide_hooks) that no stamp
    follows."""
    make_matter(
        catalogue,
        "XB-CF-001",
        valid_from=date(2024, 1, 1),
        name="对擅自设置户外广告设施的处罚",
        kind="penalty",
        handling_department=catalogue["ZHZFJ"],
        delegating_department=catalogue["QCGJ"],
        extension_allowed=False,
        max_extension_days=0,
        materials=[],
    )
    url = _matter_url("XB-CF-001")
    assert "罚款200元至500元" not in client.get(url).content.decode()

    def benchmark(matters):
        return {
            m.code: {"benchmark_rows": [{"label": "一般情节", "value": "罚款200元至500元"}]}
            for m in matters
        }

    guide_hooks.register_enforcement_provider(benchmark)
    try:
        assert "罚款200元至500元" in client.get(url).content.decode()
    finally:
        guide_hooks.unregister_enforcement_provider(benchmark)


def test_an_unknown_code_is_still_not_found(client, catalogue):
    assert client.get(_matter_url("NO-SUCH")).status_code == 404
    assert client.get(_matter_url("NO-SUCH")).status_code == 404


@pytest.fixture
def event(catalogue):
    return LifeEvent.objects.create(
        code="opening", name="开个小店", matter_codes=["XB-XK-001", "XB-XK-002"], order=1
    )


def test_a_second_reader_of_a_life_event_costs_one_query(client, event):
    url = reverse("approvals:guide-event", args=["opening"])
    assert "食品经营许可" in client.get(url).content.decode()
    with CaptureQueriesContext(connection) as second:
        body = client.get(url).content.decode()
    assert "开个小店 · 办事指南" in body and "食品经营许可" in body
    assert len(second) == 1, [q["sql"] for q in second]


def test_a_life_event_follows_the_register_at_once(client, event):
    url = reverse("approvals:guide-event", args=["opening"])
    client.get(url)
    services.matter_retire(
        actor="test",
        matter=Matter.objects.get(code="XB-XK-002"),
        effective=timezone.localdate(),
        reason="收回",
    )
    assert "食品经营许可" not in client.get(url).content.decode()
    event.name = "开一家小店"
    event.save()
    assert "开一家小店 · 办事指南" in client.get(url).content.decode()
    event.is_active = False
    event.save()
    assert client.get(url).status_code == 404
