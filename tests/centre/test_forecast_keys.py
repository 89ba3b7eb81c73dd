"""The forecast read cheaply (issue 19, mixed-load scale): each app's ``workload_keys`` reads the
same holders, items, queue order and paces as its ``workload`` (plain values instead of rows
and items), and the kept forecast is byte for byte what the straightforward computation kept —
``predict`` over the workloads with every item and label built (``_kept_before_issue_19``) — on
varied data: the four kinds, working-day and hour limits, holders with and without a pace,
ties in due date, both languages, a working day and days off, a window short and long, and
more items than are kept."""

import pickle
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone, translation

from centre.selectors import forecast
from centre.selectors.sources import sources
from portal.clock import ClockStatus
from portal.reminders import working_days_before
from tests.centre.test_forecast import _kept_before_issue_19, _wider_town
from tests.centre.town import NOW, TODAY, at, travel

MOMENTS = [
    NOW,  # Fri 9 Oct 10:00, a working day
    at(date(2026, 10, 11), 10),  # Sun 11 Oct: a day off (day 1 is Monday)
    at(date(2026, 10, 12), 18),  # Mon 12 Oct, evening: items turned yellow and red since
    at(date(2026, 10, 20), 9),
]
WINDOWS = [20, 2]


@pytest.fixture
def varied(ctown):
    """The small town, one item more of each kind of holder (``_wider_town``), ties in due
    date in the same queues (three applications claimed by the reviewer and two in the pool
    accepted the same day, two incidents reported in the same grid the same day), and paces:
    work finished in the window by the reviewer, the pool's department, the squad, grid member
    2 and the grid (for a short window too), and a department's work orders."""
    from approvals.models import Application
    from enforcement.models import Case
    from grid.models import Incident
    from grid.models.dispatch import WorkOrder

    extra = _wider_town(ctown)
    g = ctown.grid
    same_day = date(2026, 10, 8)
    ties = [ctown._accepted(same_day, claim=True) for _ in range(3)]
    ties += [ctown._accepted(same_day, claim=False) for _ in range(2)]
    ties += [ctown._report(g.citizen, "ORD", g.V1G1, at(TODAY, 8, 45)) for _ in range(2)]
    # paces: finished items (old, closed ones stand in for them: only the moments count)
    reviewer, dept = ctown.apps.reviewer, ctown.apps.dept
    done = [ctown._accepted(date(2026, 9, 21), claim=True) for _ in range(4)]
    for k, app in enumerate(done):
        Application.objects.filter(pk=app.pk).update(
            state="approved", decided_on=date(2026, 10, 8) + timedelta(days=k % 2), handler=reviewer
        )
    Application.objects.filter(pk=done[0].pk).update(handler=None, department=dept)
    Incident.objects.filter(pk=ctown.in5.pk).update(
        feedback_at=at(date(2026, 10, 8), 16), handler=g.member2
    )
    Case.objects.filter(pk=ctown.c1.pk).update(
        decided_on=date(2026, 10, 8), served_on=date(2026, 10, 9)
    )
    WorkOrder.objects.filter(pk=ctown.wo2.pk).update(done_at=at(date(2026, 10, 8), 11))
    return ctown, extra, ties


@pytest.mark.django_db
@pytest.mark.parametrize("window", WINDOWS)
def test_each_apps_workload_keys_are_its_workload(varied, settings, window):
    """Holders (key, label in each language, order), paces, and items (deadline, number,
    status, due day, order) as ``workload`` reads them; ``items_for`` of the refs builds the
    same items (kind, number, title, deadline, unit, status, link) in both languages."""
    for now in MOMENTS:
        with travel(now):
            today = timezone.localdate(now)
            since = working_days_before(today, window)
            for kind, source in sources().items():
                old = source.workload(since=since, now=now, lazy_labels=True)
                new = source.workload_keys(since=since, now=now)
                assert [w.key for w in new] == [w.key for w in old], kind
                assert [w.completed for w in new] == [w.completed for w in old], kind
                for code in ("zh-hans", "en"):
                    with translation.override(code):
                        assert [str(w.holder) for w in new] == [str(w.holder) for w in old]
                for w_new, w_old in zip(new, old, strict=True):
                    assert [k[:4] for k in w_new.items] == [
                        (i.due_at, i.number, i.status, timezone.localdate(i.due_at))
                        for i in w_old.items
                    ], (kind, w_old.key)
                    assert [type(k[2]) for k in w_new.items] == [
                        type(i.status) for i in w_old.items
                    ]
                    built = source.items_for([k[4] for k in w_new.items], now=now, lazy_labels=True)
                    for code in ("zh-hans", "en"):
                        with translation.override(code):
                            assert [_shown(i) for i in built] == [_shown(i) for i in w_old.items]


def _shown(i) -> tuple:
    return (i.kind, i.number, str(i.title), i.due_at, i.unit, str(i.status), i.url)


@pytest.mark.django_db
@pytest.mark.parametrize("window", WINDOWS)
def test_the_kept_forecast_is_byte_for_byte_what_the_straightforward_computation_kept(
    varied, settings, window, monkeypatch
):
    """refresh_all and refresh keep exactly what the computation over the built workloads kept
    (keys, values, types, order, pickled bytes), in both languages, with KEEP at its value and
    smaller than the items that will miss (the total counts them all)."""
    settings.CENTRE = {**settings.CENTRE, "FORECAST_WINDOW_DAYS": window}
    codes = [code for code, _name in settings.LANGUAGES]
    seen = set()
    for keep in (forecast.KEEP, 3):
        monkeypatch.setattr(forecast, "KEEP", keep)
        for now in MOMENTS:
            with travel(now):
                before = {code: _kept_before_issue_19(code, now) for code in codes}
                totals = forecast.refresh_all(now=now)
                for code in codes:
                    with translation.override(code):
                        kept = cache.get(forecast._key())
                        again = forecast.refresh(now=now)
                    assert pickle.dumps(kept) == pickle.dumps(before[code]), (code, now, keep)
                    assert pickle.dumps(again) == pickle.dumps(before[code]), (code, now, keep)
                    seen.update(i["kind"] for i in kept["items"])
                    seen.update(f"pace {i['pace'] > 0}" for i in kept["items"])
                assert totals == {code: before[code]["total"] for code in codes}
                if keep == 3:
                    assert all(len(b["items"]) == min(3, b["total"]) for b in before.values())
    assert {"application", "incident", "work_order", "case"} <= seen
    assert "pace False" in seen
    if window == 20:  # finished work counts over the long window: holders with a pace miss too
        assert "pace True" in seen


@pytest.mark.django_db
def test_will_miss_lists_what_predict_lists(varied):
    """``will_miss`` (every prediction, and the first few) as ``predict`` over the workloads
    with every item built, filtered and ordered as before."""
    from django.conf import settings as conf

    for now in MOMENTS:
        with travel(now):
            window = int(conf.CENTRE["FORECAST_WINDOW_DAYS"])
            today = timezone.localdate(now)
            since = working_days_before(today, window)
            loads = []
            for source in sources().values():
                loads += source.workload(since=since, now=now, lazy_labels=True)
            expected = [
                p
                for p in forecast.predict(loads, today=today, window_days=window)
                if p.will_miss and p.item.status != ClockStatus.OVERDUE
            ]
            expected.sort(key=lambda p: (p.item.due_at, p.item.kind, p.item.number))
            for limit in (None, 2):
                found = forecast.will_miss(now=now, limit=limit)
                want = expected[:limit] if limit else expected
                with translation.override("en"):
                    assert [_row(p) for p in found] == [_row(p) for p in want]


def _row(p) -> tuple:
    return (
        _shown(p.item),
        p.holder_key,
        str(p.holder),
        p.position,
        p.queue,
        p.pace,
        p.expected,
    )


@pytest.mark.django_db
def test_an_item_gone_between_the_two_reads_is_left_out(varied, monkeypatch):
    """The keys are read first, the kept items built after: an item deleted in between is left
    out of the kept list (counted in the total, as it was open when the keys were read)."""
    real = sources()
    first = forecast.refresh(now=NOW)["items"]
    gone = first[0]
    source = real[gone["kind"]]
    items_for = source.items_for

    def losing(refs, **kw):
        return [i for i in items_for(refs, **kw) if i.number != gone["number"]]

    monkeypatch.setattr(source, "items_for", losing)
    with travel(NOW):
        again = forecast.refresh(now=NOW)
    assert [i["number"] for i in again["items"]] == [i["number"] for i in first[1:]]
