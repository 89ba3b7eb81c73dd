"""The forecast: each holder's queue (earliest deadline first), their pace over the recent
window, the expected finish of every item, and the items that will miss their deadline before
they are red — on a hand-made history, then on the town."""

import re
import uuid
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from centre.selectors import forecast
from portal.clock import ClockItem, ClockStatus, Unit, Workload
from tests.centre.town import NOW, travel
from tests.centre.town import TODAY as TODAY_TOWN

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 9, 30)  # a Wednesday; 1–7 October off, Sat 10 October worked


def item(number, due: date, status=ClockStatus.NORMAL):
    return ClockItem(
        kind="application",
        number=number,
        title="",
        holder="",
        due_at=datetime.combine(due, time.max, tzinfo=SHANGHAI),
        unit=Unit.WORKING_DAYS,
        status=status,
        url="",
    )


@pytest.mark.django_db
def test_expected_day_counts_working_days_from_today():
    # pace 1 a day: the first item today, the second on the next working day (8 Oct, after
    # National Day), the third on 9 Oct, the fourth on Saturday 10 Oct (a make-up day)
    assert [forecast.expected_day(TODAY, k, 1.0) for k in (1, 2, 3, 4)] == [
        date(2026, 9, 30),
        date(2026, 10, 8),
        date(2026, 10, 9),
        date(2026, 10, 10),
    ]
    # three a day: three today, the fourth tomorrow (working)
    assert forecast.expected_day(TODAY, 3, 3.0) == TODAY
    assert forecast.expected_day(TODAY, 4, 3.0) == date(2026, 10, 8)
    # one every two days: the second item is the fourth working day (30 Sep, 8, 9, 10 Oct)
    assert forecast.expected_day(TODAY, 2, 0.5) == date(2026, 10, 10)
    # on a day off (1 Oct) day 1 is the next working day
    assert forecast.expected_day(date(2026, 10, 1), 1, 1.0) == date(2026, 10, 8)
    assert forecast.expected_day(TODAY, 1, 0.0) is None


@pytest.mark.django_db
def test_the_hand_made_history():
    """Window 10 working days. A finished 10 (1 a day), B none, C 30 (3 a day)."""
    a = Workload(
        key="user:1",
        holder="A",
        completed=10,
        items=[
            item("A4", date(2026, 10, 9)),
            item("A1", date(2026, 9, 30)),
            item("A2", date(2026, 9, 30), ClockStatus.WARNING),
            item("A3", date(2026, 10, 9)),
            item("A0", date(2026, 9, 29), ClockStatus.OVERDUE),  # red already, still first
        ],
    )
    b = Workload(key="user:2", holder="B", completed=0, items=[item("B1", date(2026, 12, 31))])
    c = Workload(
        key="department:3",
        holder="C",
        completed=30,
        items=[item(f"C{k}", date(2026, 9, 30)) for k in range(1, 5)],
    )
    predictions = {
        p.item.number: p for p in forecast.predict([a, b, c], today=TODAY, window_days=10)
    }
    # A's queue by deadline: A0 (29 Sep), A1, A2 (30 Sep), A3, A4 (9 Oct)
    assert [predictions[n].position for n in ("A0", "A1", "A2", "A3", "A4")] == [1, 2, 3, 4, 5]
    assert predictions["A1"].expected == date(2026, 10, 8)  # k=2 at 1 a day: after the holiday
    assert predictions["A1"].will_miss and predictions["A2"].will_miss
    assert predictions["A3"].expected == date(2026, 10, 10) and predictions["A3"].will_miss
    assert predictions["A4"].expected == date(2026, 10, 12) and predictions["A4"].will_miss
    assert predictions["B1"].expected is None and predictions["B1"].will_miss
    assert [predictions[f"C{k}"].will_miss for k in (1, 2, 3, 4)] == [False, False, False, True]
    assert predictions["C4"].pace == 3.0 and predictions["C4"].queue == 4


@pytest.mark.django_db
def test_the_items_of_the_town_that_will_miss_before_they_are_red(ctown):
    """Nobody in the town finished anything of these queues in the last 20 working days except
    grid V1G1 (IN5, closed 28 Sep): the reviewer (AP3 behind the red AP1), the department's pool
    (AP2), squad ZD1 (L1, C2 behind the red C1) and grid V2G1 (IN4) have no pace at all. Red
    items (AP1, IN2, C1) are not forecasts; hour limits (IN1, IN3) are watched live. Work orders:
    社会事务办 finished none, so WO4 (due Mon 12 Oct, normal) will miss; 规划建设办's WO1 and WO3 are
    red already; routed incidents (IX, IY, IZ) are forecast through their work orders."""
    with travel(NOW):
        rows = forecast.will_miss(now=NOW)
    assert [p.item.number for p in rows] == [
        ctown.ap2.number,
        ctown.l1.number,
        ctown.in4.number,
        ctown.wo4.number,  # the same day as IN4: incidents before work orders
        ctown.ap3.number,
        ctown.c2.number,
    ]
    by = {p.item.number: p for p in rows}
    assert by[ctown.ap3.number].position == 2 and by[ctown.ap3.number].queue == 2
    assert by[ctown.ap3.number].holder == ctown.apps.reviewer.display_name
    assert all(p.expected is None for p in rows)


@pytest.mark.django_db
def test_the_board_reads_the_forecast_the_periodic_task_kept(ctown, django_assert_num_queries):
    """The periodic task computes the forecast in every language; the board then reads it
    without a query (at a million incidents it takes seconds: no poll may wait for it)."""
    from django.utils import translation

    from centre import tasks

    with travel(NOW):
        assert tasks.forecast_refresh() == {"zh-hans": 6, "en": 6}
        with django_assert_num_queries(0):
            kept = forecast.cached(limit=2)
        with translation.override("en"), django_assert_num_queries(0):
            english = forecast.cached(limit=10)
    assert kept["total"] == 6
    assert [i["number"] for i in kept["items"]] == [ctown.ap2.number, ctown.l1.number]
    assert english["items"][0]["kind_label"] == "Application"
    assert len(english["items"]) == 6


@pytest.mark.django_db
def test_a_cold_forecast_is_computed_by_one_process_the_board_of_the_others_says_pending(
    ctown, django_assert_num_queries
):
    """No forecast kept yet (a cold cache, before the worker's first run): one process computes
    it; another poll meanwhile neither computes it again nor waits — its board says pending and
    is not kept, so the next poll after the computation shows the forecast."""
    from django.core.cache import cache
    from django.template.loader import render_to_string

    from centre.selectors import board
    from centre.views.board import DESK_ROWS

    with travel(NOW):
        cache.delete(forecast._key())
        lock = f"{forecast._key()}:computing"
        assert cache.add(lock, 1, 60)  # another process is computing it
        try:
            with django_assert_num_queries(0):
                pending = forecast.cached(limit=10, wait=False)
            assert pending == {"computed_at": None, "total": 0, "items": [], "pending": True}
            stamp, data = board.board()
            assert data["forecast"]["pending"] and stamp.endswith("-previous")
            html = render_to_string(
                "centre/_panels.html",
                {"board": data, "mode": "desk", "stamp": stamp, "rows": DESK_ROWS},
            )
            assert "正在计算" in html
        finally:
            cache.delete(lock)
        # The lock gone (the computation done or dead): the next poll computes and keeps it.
        stamp, data = board.board()
        assert not data["forecast"].get("pending") and data["forecast"]["total"] == 6
        assert not stamp.endswith("-previous")
        assert cache.get(forecast._key())["total"] == 6


# --- one computation for every language (issue 19) -------------------------------------------

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def _wider_town(t):
    """The small town and one item more of each holder the forecast knows, none of them red at
    10:00: an incident a grid member handles (IN6: member2), one waiting in a grid without a
    head (IN7: V1G2), one with no grid (IN8: the centre holds it), a work order still to sign
    for (WO5: roads), an application forwarded to the district (AP4) and a lead no squad has
    been given (L2: 执法局（待分派中队）, not in any squad's queue)."""
    from approvals.services import applications as app_svc
    from enforcement.services import leads as lead_svc
    from grid.models import Incident
    from grid.services import incidents as incident_svc
    from tests.approvals.app_fixtures import make_matter
    from tests.centre.town import at

    g, w, e = t.grid, t.apps, t.enf
    in6 = t._report(g.member1, "ORD", g.V1G1, at(date(2026, 10, 8), 9))
    with travel(at(date(2026, 10, 8), 9, 30)):
        incident_svc.incident_accept(
            actor=g.head1, incident=in6, handler=g.member2, now=at(date(2026, 10, 8), 9, 30)
        )
    in7 = t._report(g.citizen, "ORD", g.V1G2, at(TODAY_TOWN, 9))
    in8 = t._report(g.citizen2, "ORD", g.V2G1, at(TODAY_TOWN, 9, 10))
    Incident.objects.filter(pk=in8.pk).update(grid=None)
    t._routed(g.V1G1, at(TODAY_TOWN, 8), "GHJSB")
    matter = make_matter(
        code="F001", department=w.dept, delegating=w.district, mode="forward", name="食品经营许可"
    )
    w.matter = matter
    ap4 = t._accepted(date(2026, 10, 8), claim=True)
    with travel(at(TODAY_TOWN, 9)):
        ap4 = app_svc.application_forward(
            application=ap4, actor=w.reviewer, opinion="初审同意", today=TODAY_TOWN
        )
    with travel(at(date(2026, 10, 8), 10)):
        l2 = lead_svc.lead_receive(
            source="hotline",
            description="12345：店外占道经营",
            actor=e.dispatcher,
            client_uuid=uuid.uuid4(),
        )
    return {"in6": in6, "in7": in7, "in8": in8, "ap4": ap4, "l2": l2}


def _kept_before_issue_19(code: str, now) -> dict:
    """The kept forecast as it was made before issue 19: the whole computation in one language,
    every label made at once (the sources' eager path), then the old ``as_dict``."""
    from django.conf import settings
    from django.utils import timezone, translation

    from centre.selectors.sources import kind_label, sources
    from portal.reminders import working_days_before

    with translation.override(code):
        window = int(settings.CENTRE["FORECAST_WINDOW_DAYS"])
        today = timezone.localdate(now)
        since = working_days_before(today, window)
        loads = []
        for source in sources().values():
            loads += source.workload(since=since, now=now)
        rows = [
            p
            for p in forecast.predict(loads, today=today, window_days=window)
            if p.will_miss and p.item.status != ClockStatus.OVERDUE
        ]
        rows.sort(key=lambda p: (p.item.due_at, p.item.kind, p.item.number))
        items = [
            {
                "kind": p.item.kind,
                "kind_label": kind_label(p.item.kind),
                "number": p.item.number,
                "title": p.item.title,
                "holder": p.holder,
                "due": p.due_day,
                "status": str(p.item.status),
                "expected": p.expected,
                "position": p.position,
                "queue": p.queue,
                "pace": round(p.pace, 2),
                "url": p.item.url,
            }
            for p in rows[: forecast.KEEP]
        ]
        return {"computed_at": now, "total": len(rows), "items": items}


@pytest.mark.django_db
def test_refresh_all_computes_once_and_keeps_what_each_language_kept_before(ctown, monkeypatch):
    """refresh_all computes the forecast once (its labels lazy) and keeps it in every language:
    exactly what the per-language computation kept (keys, values, order, types), and the
    request path's ``refresh`` in each language too; English shows its translations."""
    import pickle

    from django.conf import settings
    from django.core.cache import cache
    from django.utils import translation

    extra = _wider_town(ctown)
    calls = []
    real = forecast._will_miss
    monkeypatch.setattr(forecast, "_will_miss", lambda **kw: calls.append(1) or real(**kw))
    codes = [code for code, _name in settings.LANGUAGES]
    assert codes == ["zh-hans", "en"]
    with travel(NOW):
        before = {code: _kept_before_issue_19(code, NOW) for code in codes}
        totals = forecast.refresh_all(now=NOW)
        assert len(calls) == 1
        kept = {}
        for code in codes:
            with translation.override(code):
                kept[code] = cache.get(forecast._key())
        per_language = {}
        for code in codes:
            with translation.override(code):
                per_language[code] = forecast.refresh(now=NOW)
    for code in codes:
        assert kept[code] == before[code] == per_language[code]
        assert [list(i.items()) for i in kept[code]["items"]] == [
            list(i.items()) for i in before[code]["items"]
        ]
        assert [[type(v) for v in i.values()] for i in kept[code]["items"]] == [
            [type(v) for v in i.values()] for i in before[code]["items"]
        ]
        assert pickle.dumps(kept[code]) == pickle.dumps(before[code])
    assert totals == {code: before[code]["total"] for code in codes}

    # every kind and every kind of holder is there
    zh = {i["number"]: i for i in kept["zh-hans"]["items"]}
    en = {i["number"]: i for i in kept["en"]["items"]}
    assert {i["kind"] for i in zh.values()} == {"application", "incident", "work_order", "case"}
    g, e = ctown.grid, ctown.enf
    in6, in7, in8, ap4 = (extra[k].number for k in ("in6", "in7", "in8", "ap4"))
    assert zh[in6]["holder"] == g.member2.display_name
    assert zh[in7]["holder"] == g.town["V1G2"].name
    assert (zh[in8]["holder"], en[in8]["holder"]) == ("指挥中心", "Command centre")
    assert zh[ap4]["holder"] == ctown.apps.district.name
    dept = ctown.apps.dept
    assert zh[ctown.ap2.number]["holder"] == (dept.short_name or dept.name)
    assert extra["l2"].number not in zh  # a lead no squad has is in no squad's queue
    assert zh[ctown.l1.number]["holder"] == e.squad.name
    signing = [i for i in zh.values() if i["kind"] == "work_order" and "签收" in i["title"]]
    handling = [i for i in zh.values() if i["kind"] == "work_order" and "办理" in i["title"]]
    assert signing and handling
    for item in signing:
        assert en[item["number"]]["title"] == "道路破损（Sign for）"
    for item in handling:
        assert en[item["number"]]["title"] == "道路破损（Act）"
    assert zh[ctown.l1.number]["title"] == "线索 · 立案决定期限"
    assert en[ctown.l1.number]["title"] == "Lead · filing decision deadline"
    case = en[ctown.c2.number]["title"]
    assert case.endswith(" · decision deadline") and zh[ctown.c2.number]["title"].endswith(
        " · 处罚决定期限"
    )
    # no Chinese in English but the town's own names (people, places, matters, parties)
    for number, item in en.items():
        assert not CJK.search(item["kind_label"])
        if item["kind"] in ("application", "incident"):  # the matter's, the category's name
            assert item["title"] == zh[number]["title"]
        elif item["kind"] == "work_order":
            category, step = re.fullmatch(r"(.*)（(.*)）", item["title"]).groups()
            assert category == "道路破损" and not CJK.search(step)
        else:
            assert not CJK.search(item["title"].split(" · ", 1)[1])
