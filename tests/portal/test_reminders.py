"""The reminder sweep: exactly once per (kind, object, deadline), with time frozen."""

import re
import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from portal import reminders, roles, workdays
from portal.models import CalendarDay, CalendarYear, Delivery, Notification, Reminder

SHANGHAI = ZoneInfo("Asia/Shanghai")
KIND = "test.deadline_near"


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    """Sends are enqueued on commit; these tests look at what was written, not at Celery."""
    monkeypatch.setattr("portal.notifications.enqueue_deliveries", lambda ids, **kw: 0)


@pytest.fixture
def test_template(tmp_path, settings):
    folder = tmp_path / "notifications"
    folder.mkdir()
    (folder / f"{KIND}.txt").write_text(
        "{% block subject %}{{ number }} 将于 {{ deadline|date:'Y-m-d' }} 到期{% endblock %}"
        "{% block body %}请及时办理。{% endblock %}",
        encoding="utf-8",
    )
    engines = [dict(engine) for engine in settings.TEMPLATES]
    engines[0]["DIRS"] = [tmp_path, *engines[0]["DIRS"]]
    settings.TEMPLATES = engines


class Items:
    """Stand-ins for applications: number → deadline; remind one working day before."""

    def __init__(self, recipients):
        self.deadlines: dict[str, date] = {}
        self.recipients = recipients

    def rule(self, sweep):
        for number, deadline in sorted(self.deadlines.items()):
            if reminders.working_days_before(deadline, 1) <= sweep.today:
                yield reminders.Due(
                    obj=("test.item", number),
                    deadline=deadline,
                    recipients=self.recipients,
                    context={"number": number},
                )

    def sweep(self, when: datetime) -> dict:
        with time_machine.travel(when, tick=False):
            return reminders.run_sweep(only=[reminders.Rule(KIND, self.rule)])


# --- working-day helpers across a holiday --------------------------------------------------------


@pytest.mark.django_db
def test_working_days_before_steps_over_national_day():
    # 2026: 1–7 October off (National Day), Saturday 10 October a make-up working day.
    assert reminders.working_days_before(date(2026, 10, 8), 1) == date(2026, 9, 30)
    assert workdays.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert reminders.working_days_before(date(2026, 10, 12), 1) == date(2026, 10, 10)
    assert reminders.working_days_before(date(2026, 10, 12), 0) == date(2026, 10, 12)


@pytest.mark.django_db
def test_latest_step_repeats_every_n_working_days():
    start = date(2026, 9, 28)  # Monday
    assert reminders.latest_step(start, 3, date(2026, 9, 29)) is None
    # 29, 30 September and 8 October are the 1st–3rd working days after the start.
    assert reminders.latest_step(start, 3, date(2026, 9, 30)) is None
    assert reminders.latest_step(start, 3, date(2026, 10, 7)) is None
    assert reminders.latest_step(start, 3, date(2026, 10, 8)) == date(2026, 10, 8)
    assert reminders.latest_step(start, 3, date(2026, 10, 12)) == date(2026, 10, 12)


# --- once per (object, kind, deadline), across a holiday -----------------------------------------


@pytest.mark.django_db
def test_reminded_once_before_the_holiday_and_again_only_for_a_new_deadline(
    make_user, test_template
):
    handler = make_user(roles.REVIEWER, email="handler@example.cn")
    items = Items([handler])
    items.deadlines["A-1"] = date(2026, 10, 8)

    assert items.sweep(at(date(2026, 9, 29))) == {KIND: 0}
    assert items.sweep(at(date(2026, 9, 30))) == {KIND: 1}
    for day in range(1, 8):  # every sweep through the holiday: nothing new
        assert items.sweep(at(date(2026, 10, day), hour=day + 8)) == {KIND: 0}
    note = Notification.objects.get(recipient=handler)
    assert note.title == "A-1 将于 2026-10-08 到期"
    assert (note.object_type, note.object_id) == ("test.item", "A-1")
    assert note.deliveries.get().channel == "email"

    # An extension moves the deadline: the new one is remindable (on the make-up Saturday),
    # the old one is not sent again.
    items.deadlines["A-1"] = date(2026, 10, 12)
    assert items.sweep(at(date(2026, 10, 9))) == {KIND: 0}
    assert items.sweep(at(date(2026, 10, 10))) == {KIND: 1}
    assert items.sweep(at(date(2026, 10, 11))) == {KIND: 0}
    titles = list(
        Notification.objects.filter(recipient=handler)
        .order_by("pk")
        .values_list("title", flat=True)
    )
    assert titles == ["A-1 将于 2026-10-08 到期", "A-1 将于 2026-10-12 到期"]
    assert Reminder.objects.filter(kind=KIND).count() == 2
    assert Delivery.objects.filter(notification__recipient=handler).count() == 2


@pytest.mark.django_db
def test_each_recipient_once_even_if_listed_twice_and_inactive_people_skipped(
    make_user, test_template
):
    a = make_user(roles.REVIEWER)
    gone = make_user(roles.REVIEWER, is_active=False)
    items = Items([a, a, gone, None])
    items.deadlines["B-1"] = date(2026, 9, 30)
    assert items.sweep(at(date(2026, 9, 30))) == {KIND: 1}
    assert Notification.objects.filter(recipient=a).count() == 1
    assert not Notification.objects.filter(recipient=gone).exists()
    assert Reminder.objects.get(kind=KIND).recipients == 1


@pytest.mark.django_db
def test_nobody_to_tell_is_not_recorded_so_a_later_sweep_still_reminds(make_user, test_template):
    items = Items([])
    items.deadlines["C-1"] = date(2026, 9, 30)
    assert items.sweep(at(date(2026, 9, 30))) == {KIND: 0}
    assert not Reminder.objects.exists()
    items.recipients = [make_user(roles.REVIEWER)]
    assert items.sweep(at(date(2026, 9, 30), hour=10)) == {KIND: 1}


@pytest.mark.django_db
def test_a_sweep_costs_the_same_queries_for_10_or_200_due(make_user, test_template):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite splits bulk inserts by its bound-variable limit")
    people = [make_user(roles.REVIEWER, email=f"r{i}@example.cn") for i in range(2)]
    small, big = Items(people), Items(people)
    small.deadlines = {f"S-{i}": date(2026, 10, 8) for i in range(10)}
    big.deadlines = {f"L-{i}": date(2026, 10, 8) for i in range(200)}

    with time_machine.travel(at(date(2026, 9, 30)), tick=False):
        workdays.is_working_day(date(2026, 9, 30))  # the calendar cache, once per process

    def cost(items):
        with CaptureQueriesContext(connection) as ctx:
            issued = items.sweep(at(date(2026, 9, 30)))
        return issued[KIND], len(ctx.captured_queries)

    (n_small, q_small), (n_big, q_big) = cost(small), cost(big)
    assert (n_small, n_big) == (10, 200)
    assert q_small == q_big, (q_small, q_big)
    assert q_big <= 12
    assert Notification.objects.count() == 420


@pytest.mark.django_db
def test_a_failing_rule_does_not_stop_the_others(make_user, test_template):
    items = Items([make_user(roles.REVIEWER)])
    items.deadlines["D-1"] = date(2026, 9, 30)

    def broken(sweep):
        raise RuntimeError("boom")

    with time_machine.travel(at(date(2026, 9, 30)), tick=False):
        with pytest.raises(reminders.SweepError, match="broken"):
            reminders.run_sweep(
                only=[reminders.Rule("broken", broken), reminders.Rule(KIND, items.rule)]
            )
    assert Reminder.objects.filter(kind=KIND).count() == 1


class Ledgered(Items):
    """Like a real rule: what the ledger holds for its deadline is no longer due."""

    def rule(self, sweep):
        done = set(
            Reminder.objects.filter(kind=KIND, object_type="test.item").values_list(
                "object_id", "deadline"
            )
        )
        for due in super().rule(sweep):
            if (due.obj[1], due.deadline) not in done:
                yield due


@pytest.mark.django_db
def test_a_rule_out_of_time_stops_and_the_next_sweeps_resume_each_once(
    make_user, test_template, settings
):
    reviewer = make_user(roles.REVIEWER, email="r@example.cn")
    items = Ledgered([reviewer])
    items.deadlines = {f"B-{i}": date(2026, 10, 8) for i in range(5)}
    settings.REMINDER_SWEEP_CHUNK = 2
    settings.REMINDER_RULE_SECONDS = 0  # every rule is out of time after its first chunk

    assert items.sweep(at(date(2026, 9, 30))) == {KIND: 2}
    assert items.sweep(at(date(2026, 9, 30), hour=10)) == {KIND: 2}
    settings.REMINDER_RULE_SECONDS = 30  # then a full sweep: the one left, nothing again
    assert items.sweep(at(date(2026, 9, 30), hour=11)) == {KIND: 1}
    assert items.sweep(at(date(2026, 9, 30), hour=12)) == {KIND: 0}

    reminded = Reminder.objects.filter(kind=KIND)
    assert sorted(reminded.values_list("object_id", flat=True)) == [f"B-{i}" for i in range(5)]
    assert Notification.objects.filter(recipient=reviewer).count() == 5
    assert Delivery.objects.filter(notification__recipient=reviewer).count() == 5


@pytest.mark.django_db
def test_rules_a_sweep_had_no_time_for_run_first_in_the_next(settings):
    ran: list[str] = []

    def rule(kind):
        def fn(sweep):
            ran.append(kind)
            return []

        return reminders.Rule(f"test.{kind}", fn)

    first, second = rule("a"), rule("b")
    cache.delete(reminders.UNFINISHED_CACHE_KEY)
    settings.REMINDER_SWEEP_SECONDS = 0  # no time at all: nothing starts
    with time_machine.travel(at(date(2026, 9, 30)), tick=False):
        assert reminders.run_sweep(only=[first, second]) == {}
        settings.REMINDER_SWEEP_SECONDS = 150
        settings.REMINDER_RULE_SECONDS = 0
        reminders.run_sweep(only=[second])  # finished "b"; "a" still owed
        ran.clear()
        reminders.run_sweep(only=[second, first])
    assert ran == ["a", "b"]


@pytest.mark.django_db
def test_a_soft_time_limit_ends_the_sweep_at_once_and_rolls_back_its_chunk(
    make_user, test_template, settings, monkeypatch
):
    from celery.exceptions import SoftTimeLimitExceeded

    reviewer = make_user(roles.REVIEWER, email="r@example.cn")
    items = Ledgered([reviewer])
    items.deadlines = {f"T-{i}": date(2026, 10, 8) for i in range(5)}
    settings.REMINDER_SWEEP_CHUNK = 2
    real_notify_bulk = reminders.notify_bulk
    calls = []

    def notify_bulk(messages):
        calls.append(len(messages))
        notes = real_notify_bulk(messages)  # the second chunk's rows are written…
        if len(calls) == 2:
            raise SoftTimeLimitExceeded()  # …when the task's time runs out
        return notes

    monkeypatch.setattr(reminders, "notify_bulk", notify_bulk)
    later = []

    def after(sweep):
        later.append(sweep)
        return []

    with pytest.raises(SoftTimeLimitExceeded):  # not swallowed, not a SweepError
        with time_machine.travel(at(date(2026, 9, 30)), tick=False):
            reminders.run_sweep(
                only=[reminders.Rule(KIND, items.rule), reminders.Rule("test.zz_after", after)]
            )
    assert later == []  # the next rule did not start
    # The first chunk stands; the second was rolled back with its notifications.
    assert sorted(Reminder.objects.values_list("object_id", flat=True)) == ["T-0", "T-1"]
    assert Notification.objects.count() == 2
    assert Delivery.objects.count() == 2

    monkeypatch.setattr(reminders, "notify_bulk", real_notify_bulk)
    assert items.sweep(at(date(2026, 9, 30), hour=10)) == {KIND: 3}
    assert Reminder.objects.filter(kind=KIND).count() == 5
    assert Notification.objects.filter(recipient=reviewer).count() == 5


@pytest.mark.django_db
def test_a_soft_time_limit_while_publishing_after_commit_is_not_swallowed(
    make_user, test_template, monkeypatch
):
    from celery.exceptions import SoftTimeLimitExceeded

    from portal import notifications

    def publish(ids, **kw):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(notifications, "enqueue_deliveries", publish)
    items = Ledgered([make_user(roles.REVIEWER, email="r@example.cn")])
    items.deadlines = {"P-1": date(2026, 10, 8)}
    with pytest.raises(SoftTimeLimitExceeded):
        notifications._enqueue_after_commit([1])

    def broker_down(ids, **kw):
        raise ConnectionError("broker away")

    monkeypatch.setattr(notifications, "enqueue_deliveries", broker_down)
    notifications._enqueue_after_commit([1])  # logged; the outbox sweep publishes later


@pytest.mark.django_db
def test_not_yet_reminded_excludes_what_the_ledger_holds():
    october = CalendarDay.objects.filter(date__year=2026, date__month=10, is_working_day=False)
    first = october.order_by("date").first()
    Reminder.objects.create(
        kind="test.holiday",
        object_type="portal.calendarday",
        object_id=str(first.pk),
        deadline=first.date,
        sweep="00000000-0000-0000-0000-000000000001",
    )
    Reminder.objects.create(  # same object, another deadline: does not count
        kind="test.holiday",
        object_type="portal.calendarday",
        object_id=str(first.pk + 1),
        deadline=date(2000, 1, 1),
        sweep="00000000-0000-0000-0000-000000000001",
    )
    left = reminders.not_yet_reminded(october, kind="test.holiday", deadline="date")
    assert first not in left
    assert left.count() == october.count() - 1


# --- concurrent sweeps ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_moment_remind_once(make_user, test_template):
    if connection.vendor != "postgresql":
        pytest.skip("the in-memory SQLite test database locks tables without waiting")
    people = [make_user(roles.REVIEWER, email=f"c{i}@example.cn") for i in range(3)]
    items = Items(people)
    items.deadlines = {f"E-{i}": date(2026, 10, 8) for i in range(20)}
    barrier = threading.Barrier(2, timeout=30)

    def racing_rule(sweep):
        due = list(items.rule(sweep))
        barrier.wait()  # both sweeps have read what is due; now both insert
        yield from due

    results, errors = [], []

    def run():
        try:
            with time_machine.travel(at(date(2026, 9, 30)), tick=False):
                results.append(reminders.run_sweep(only=[reminders.Rule(KIND, racing_rule)]))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(r[KIND] for r in results) == [0, 20]
    assert Reminder.objects.filter(kind=KIND).count() == 20
    assert Notification.objects.count() == 60
    assert Delivery.objects.count() == 60


# --- the calendar rule ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_calendar_next_year_missing_reminds_admins_once_per_year(make_user):
    admins = [make_user(roles.REGISTER_ADMIN) for _ in range(2)]
    make_user(roles.REVIEWER)  # not an administrator
    calendar = [
        reminders.Rule(reminders.CALENDAR_NEXT_YEAR_MISSING, reminders.calendar_next_year_missing)
    ]

    def sweep(day):
        with time_machine.travel(at(day), tick=False):
            return reminders.run_sweep(only=calendar)[reminders.CALENDAR_NEXT_YEAR_MISSING]

    assert sweep(date(2026, 10, 31)) == 0  # too early
    assert sweep(date(2026, 11, 1)) == 1  # a Sunday: the calendar check does not wait
    assert [sweep(date(2026, 11, d)) for d in (2, 3, 30)] == [0, 0, 0]
    assert sweep(date(2026, 12, 31)) == 0
    for admin in admins:
        [note] = Notification.objects.filter(recipient=admin)
        assert note.title == "2027年节假日安排尚未录入"
        assert note.url == "/admin/portal/calendaryear/"
    reminder = Reminder.objects.get(kind=reminders.CALENDAR_NEXT_YEAR_MISSING)
    assert (reminder.object_type, reminder.object_id) == ("calendar.year", "2027")
    assert reminder.deadline == date(2027, 1, 1)

    # 2027 gets entered; a year later 2028 is missing: a new deadline, reminded again.
    CalendarYear.objects.create(year=2027, confirmed=True, source="manual")
    workdays.invalidate()
    assert sweep(date(2026, 12, 1)) == 0
    assert sweep(date(2027, 11, 1)) == 1
    assert Notification.objects.filter(recipient=admins[0]).count() == 2


@pytest.mark.django_db
def test_the_sweep_task_runs_the_registered_rules(make_user):
    from portal import tasks

    admin = make_user(roles.REGISTER_ADMIN)
    result = tasks.sweep_reminders.apply(kwargs={"now": "2026-11-02T09:00:00+08:00"}).get()
    assert result[reminders.CALENDAR_NEXT_YEAR_MISSING] == 1
    assert Notification.objects.filter(recipient=admin).count() == 1
    # The daily calendar task goes through the same ledger: nothing more.
    with time_machine.travel(at(date(2026, 11, 3)), tick=False):
        assert tasks.check_calendar_next_year.apply().get() is False
    assert Notification.objects.filter(recipient=admin).count() == 1


# --- the registry --------------------------------------------------------------------------------


def test_rules_register_once_per_kind():
    def one(sweep):
        return []

    def other(sweep):
        return []

    try:
        reminders.register("test.registry", one)
        reminders.register("test.registry", one)  # again (module re-imported): fine
        with pytest.raises(ValueError, match="already registered"):
            reminders.register("test.registry", other)
        assert "test.registry" in [r.kind for r in reminders.rules()]
    finally:
        reminders.unregister("test.registry")
    assert "test.registry" not in [r.kind for r in reminders.rules()]


CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("rule", reminders.rules(), ids=lambda r: r.kind)
def test_every_registered_rule_has_its_text_in_chinese_and_english(rule):
    from portal.notifications import render

    zh = render(rule.kind, {}, "zh-hans")
    en = render(rule.kind, {}, "en")
    assert zh.subject and zh.body and zh.sms
    assert CJK.search(zh.subject)
    for text in (en.subject, en.body, en.sms):
        assert text and not CJK.search(text), f"{rule.kind}: English text missing: {text!r}"
