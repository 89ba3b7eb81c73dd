# ruff: noqa: F811 -- pytest fixtures imported from register_support
"""Finding a service: the home page before log-in (search first, 个人办事/法人办事, popular
matters from real application counts, life events, the hall, notices), pinyin search in the
guide, and the life-event pages."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from approvals.models import Application, LifeEvent, Matter
from approvals.selectors import guide as guide_sel
from approvals.selectors import register as sel
from portal.models import Announcement, User
from tests.approvals.register_support import make_matter, new_version, township  # noqa: F401

pytestmark = pytest.mark.django_db
SINCE = date(2024, 1, 1)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def register(township):
    make_matter(township, "XB-GG-006", valid_from=SINCE, name="老年人优待证办理")
    make_matter(township, "XB-GG-007", valid_from=SINCE, name="生育登记")
    make_matter(township, "XB-QR-010", valid_from=SINCE, name="出生登记")
    make_matter(
        township,
        "XB-XK-005",
        valid_from=SINCE,
        name="有限责任公司设立登记",
        audience="organisation",
    )
    make_matter(township, "XB-XK-006", valid_from=SINCE, name="食品经营许可", audience="both")
    make_matter(
        township, "XB-CF-001", valid_from=SINCE, name="对无照经营行为的处罚", kind="penalty"
    )
    make_matter(township, "XB-XK-900", name="老年人草稿事项")  # a draft: never public
    return township


def codes(qs) -> list[str]:
    return list(qs.values_list("code", flat=True))


@pytest.mark.parametrize(
    "query, expected",
    [
        ("lnr", ["XB-GG-006"]),  # pinyin initials
        ("LNR", ["XB-GG-006"]),
        ("ydz", ["XB-GG-006"]),  # initials from the middle of the name
        ("laonian", ["XB-GG-006"]),  # full pinyin
        ("优待", ["XB-GG-006"]),  # part of the Chinese name
        ("dj", ["XB-GG-007", "XB-QR-010", "XB-XK-005"]),  # 登记
        ("xb-gg", ["XB-GG-006", "XB-GG-007"]),  # the code's start
        ("lnr sy", []),  # every word must match
    ],
)
def test_guide_search_by_name_pinyin_initials_and_code(register, query, expected):
    assert codes(sel.guide_search(q=query)) == expected


def test_search_keys_follow_the_name_through_every_write(register):
    matter = Matter.objects.get(code="XB-GG-006")
    assert (matter.search_initials, matter.search_pinyin[:7]) == ("lnrydzbl", "laonian")
    draft = new_version(matter, valid_from=date(2025, 1, 1), name="高龄老人优待证办理")
    assert draft.search_initials == "gllrydzbl"
    assert codes(sel.guide_search(q="gllr")) == ["XB-GG-006"]
    bulk = Matter(
        code="B-1",
        name="银行账户变更",
        kind="other",
        delegation_mode="own",
        handling_department=matter.handling_department,
        statutory_days=1,
        committed_days=1,
    )
    Matter.objects.bulk_create([bulk])
    assert Matter.objects.get(code="B-1").search_initials == "yhzhbg"  # 银行: yh, not yx


def test_audience_filter_keeps_matters_for_both(register):
    person = codes(sel.guide_search(audience="person"))
    organisation = codes(sel.guide_search(audience="organisation"))
    assert "XB-XK-006" in person and "XB-XK-006" in organisation
    assert "XB-XK-005" in organisation and "XB-XK-005" not in person
    assert "XB-GG-006" in person and "XB-GG-006" not in organisation


def test_guide_page_searches_by_pinyin_with_results_under_one_box(client, register):
    response = client.get(reverse("approvals:guide"), {"q": "lnr"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "老年人优待证办理" in body and "生育登记" not in body
    # one search box; the other filters are folded behind a button (a closed <details>)
    assert body.count('type="search"') == 1
    assert '<details class="guide-filters">' in body
    filtered = client.get(reverse("approvals:guide"), {"kind": "licensing"}).content.decode()
    assert '<details class="guide-filters" open>' in filtered


@pytest.fixture
def events(register):
    LifeEvent.objects.create(
        code="birth",
        name="生育",
        name_en="Having a baby",
        summary="生育登记、出生登记",
        matter_codes=["XB-GG-007", "XB-QR-010", "XB-GONE", "XB-CF-001"],
        order=1,
    )
    LifeEvent.objects.create(code="old", name="养老", matter_codes=["XB-GG-006"], order=2)
    LifeEvent.objects.create(code="off", name="停用的", matter_codes=["XB-GG-006"], is_active=False)
    return register


def test_life_event_lists_its_matters_in_force_in_order(client, events):
    response = client.get(reverse("approvals:guide-event", args=["birth"]))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("生育登记") < body.index("出生登记")
    assert "对无照经营行为的处罚" not in body  # enforcement is never a service to apply for
    assert client.get(reverse("approvals:guide-event", args=["off"])).status_code == 404
    assert client.get(reverse("approvals:guide-event", args=["nope"])).status_code == 404


def test_life_event_in_english_falls_back_to_chinese(client, events):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("approvals:guide-event", args=["birth"])).content.decode()
    assert "Having a baby" in body
    assert "生育登记" in body  # the matter has no English name: its Chinese name stays


def _applications(matter: Matter, n: int, *, days_ago: int = 1):
    applicant = User.objects.get(username="citizen")
    at = timezone.now() - timedelta(days=days_ago)
    for _i in range(n):
        Application.objects.create(
            matter=matter,
            department=matter.handling_department,
            applicant=applicant,
            applicant_name="张三",
            applicant_mobile="13800000000",
            channel=Application.Channel.ONLINE,
            filed_by=applicant,
            submitted_at=at,
        )


def test_popular_matters_come_from_recent_application_counts(register):
    _applications(Matter.objects.get(code="XB-GG-007"), 3)
    _applications(Matter.objects.get(code="XB-GG-006"), 2)
    _applications(Matter.objects.get(code="XB-QR-010"), 9, days_ago=400)  # too old
    _applications(Matter.objects.get(code="XB-CF-001"), 5)  # enforcement: never listed
    assert [m.code for m in guide_sel.popular_matters()] == ["XB-GG-007", "XB-GG-006"]


def test_home_before_log_in_puts_the_search_first(client, events, settings):
    _applications(Matter.objects.get(code="XB-GG-006"), 2)
    Announcement.objects.create(title="春节假期办公安排", body="初八上班。")
    Announcement.objects.create(title="已过期的公告", expires_on=date(2020, 1, 1))
    body = client.get("/").content.decode()
    search = body.index('role="search"')
    assert search < body.index("个人办事") < body.index("热门事项") < body.index("一件事一次办")
    assert "?audience=person" in body and "?audience=organisation" in body
    assert reverse("approvals:guide-event", args=["birth"]) in body
    assert settings.ONEWINDOW["HALL_ADDRESS"] in body
    assert settings.ONEWINDOW["HALL_PHONE"] in body
    assert reverse("approvals:appointments") in body
    assert "春节假期办公安排" in body and "已过期的公告" not in body
    assert reverse("login") in body


def test_staff_home_is_their_work_not_the_finder(client, events):
    client.force_login(User.objects.get(username="clerk"))
    body = client.get("/").content.decode()
    assert "我的工作" in body and 'role="search"' not in body and "一件事一次办" not in body


def test_query_counts_of_the_finding_pages_are_pinned(client, events):
    _applications(Matter.objects.get(code="XB-GG-006"), 2)
    Announcement.objects.create(title="公告")
    pages = [
        ("/", 5),  # popular counts (cached after), popular matters, events + their matters, notices
        # the register's stamp, then (not cached yet) the page's five; one query once cached
        (reverse("approvals:guide"), 6),
        (reverse("approvals:guide") + "?q=lnr", 3),
        # the register's stamp, then (not cached yet) the page's three; one query once cached
        (reverse("approvals:guide-event", args=["birth"]), 4),
    ]
    for url, expected in pages:
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        assert len(ctx.captured_queries) == expected, (url, [q["sql"] for q in ctx])
    client.get("/")
    with CaptureQueriesContext(connection) as ctx:
        client.get("/")
    assert len(ctx.captured_queries) == 4  # the popular counts come from the cache
