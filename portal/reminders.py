"""Reminders: periodic sweeps that tell people about deadlines exactly once.

A **rule** is a function that, given a ``Sweep`` (the time "now"), yields what is due as
``Due`` items: the object, the deadline the reminder is about, who to tell and the template
context. The sweep records each item as a ``Reminder`` row keyed by (kind, object, deadline)
under a unique constraint — INSERT … ON CONFLICT DO NOTHING — and notifies only for the rows
that *this* sweep inserted. Two sweeps at once, or a sweep re-run after a crash, therefore send
nothing twice; a changed deadline is a new key and is reminded again, the old one is not.

Each chunk of due items is written in one transaction together with its notifications and
outbox rows (portal.notifications), so a crash never leaves a reminder recorded but unsent.

A sweep keeps to its time: each rule stops after REMINDER_RULE_SECONDS (between chunks) and the
sweep starts no rule after REMINDER_SWEEP_SECONDS, both well under the task's soft time limit.
What a rule did not reach is not in the ledger, so the next sweep's query returns it again: a
sweep resumes, it never restarts. Rules left unfinished run first in the next sweep. Celery's
soft time limit (or any BaseException) is not a rule's failure: it ends the sweep at once, the
open chunk's transaction rolled back.

Adding a rule (in a domain app; the core never imports domain apps)::

    # approvals/reminders.py
    from portal import reminders

    @reminders.rule("approvals.application_warning", label=_("办件进入预警"))
    def application_warning(sweep):
        qs = Application.objects.filter(state__in=RUNNING, warning_date__lte=sweep.today)
        qs = reminders.not_yet_reminded(qs, kind="approvals.application_warning",
                                        deadline="due_date")
        for app in qs.select_related("handler")[: sweep.limit]:
            yield reminders.Due(obj=app, deadline=app.due_date, recipients=[app.handler],
                                context={"number": app.number, "due_date": app.due_date},
                                url=app.get_absolute_url())

    # approvals/apps.py, in ApprovalsConfig.ready():
    from approvals import reminders  # noqa: F401  (registers the rules)

plus the message text ``templates/notifications/approvals.application_warning.txt``.
"""

from __future__ import annotations

import itertools
import logging
import time as monotonic_time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.functions import Cast
from django.utils import timezone

from portal import workdays
from portal.models import Reminder, User
from portal.notifications import Message, notify_bulk, object_key

log = logging.getLogger(__name__)


# --- what a rule yields ------------------------------------------------------------------------


@dataclass
class Due:
    """One reminder to issue: about ``obj`` (a model instance, or an ``(object_type,
    object_id)`` pair for things that are not rows), for ``deadline``."""

    obj: Any
    deadline: date
    recipients: Sequence[User]
    context: dict[str, Any] = field(default_factory=dict)
    url: str = ""
    urgent: bool = False  # by SMS as well, whatever the people chose (a missed call-out step)

    @property
    def key(self) -> tuple[str, str, date]:
        object_type, object_id = object_key(self.obj)
        return object_type, object_id, self.deadline


@dataclass(frozen=True)
class Sweep:
    """The moment a sweep runs, as rules see it. ``until`` (time.monotonic()) is when the rule
    running must stop: a rule with slow work before its first item may check ``time_left``."""

    now: datetime
    limit: int
    until: float | None = None

    @property
    def today(self) -> date:
        return timezone.localdate(self.now)

    def time_left(self) -> float:
        if self.until is None:
            return float("inf")
        return self.until - monotonic_time.monotonic()


@dataclass(frozen=True)
class Rule:
    kind: str
    fn: Callable[[Sweep], Iterable[Due]]
    label: str = ""


# --- the registry ------------------------------------------------------------------------------

_rules: dict[str, Rule] = {}


def register(kind: str, fn: Callable[[Sweep], Iterable[Due]], *, label: str = "") -> Rule:
    """Register a rule. The kind is also the notification kind: its message text is
    ``templates/notifications/<kind>.txt``. Registering the same function again is a no-op;
    another function under a taken kind is an error."""
    existing = _rules.get(kind)
    if existing and existing.fn is not fn and _qualname(existing.fn) != _qualname(fn):
        raise ValueError(f"reminder kind {kind!r} is already registered by {existing.fn!r}")
    _rules[kind] = Rule(kind=kind, fn=fn, label=label or kind)
    return _rules[kind]


def rule(kind: str, *, label: str = ""):
    """Decorator form of ``register``."""

    def wrap(fn):
        register(kind, fn, label=label)
        return fn

    return wrap


def unregister(kind: str) -> None:
    _rules.pop(kind, None)


def rules() -> list[Rule]:
    return [_rules[k] for k in sorted(_rules)]


def _qualname(fn) -> str:
    return f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', repr(fn))}"


# --- helpers for rules -------------------------------------------------------------------------


def not_yet_reminded(
    queryset: models.QuerySet, *, kind: str, deadline: str | models.Expression
) -> models.QuerySet:
    """Exclude the rows already reminded for (kind, their deadline): an anti-join on the
    reminder ledger's unique index, so a rule's query returns only what is newly due."""
    object_type = queryset.model._meta.label_lower
    deadline_ref = models.OuterRef(deadline) if isinstance(deadline, str) else deadline
    done = Reminder.objects.filter(
        kind=kind,
        object_type=object_type,
        object_id=Cast(models.OuterRef("pk"), models.CharField()),
        deadline=deadline_ref,
    )
    return queryset.filter(~models.Exists(done))


def working_days_before(day: date, days: int) -> date:
    """The working day ``days`` working days before ``day``: the day on which "N working days
    before the deadline" falls. ``workdays.add_working_days(result, days) == day`` whenever
    ``day`` is itself a working day."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = day
    remaining = days
    while remaining:
        current -= timedelta(days=1)
        if workdays.is_working_day(current):
            remaining -= 1
    return current


def latest_step(start: date, every: int, today: date) -> date | None:
    """For reminders repeated every ``every`` working days after ``start`` (escalations): the
    latest step date on or before ``today``, or None before the first. Use it as the deadline
    of the reminder so that each step is reminded once."""
    if every <= 0:
        raise ValueError("every must be positive")
    elapsed = workdays.working_days_between(start, today)
    steps = elapsed // every
    if steps < 1:
        return None
    return workdays.add_working_days(start, steps * every)


def local_datetime(day: date, at: time = time(9, 0)) -> datetime:
    """An aware datetime on ``day`` in the portal's time zone (for ``run_sweep(now=...)``)."""
    return timezone.make_aware(datetime.combine(day, at), timezone.get_default_timezone())


# --- the sweep ---------------------------------------------------------------------------------


class SweepError(Exception):
    """One or more rules failed (the others ran); the message names them."""


# Not a rule's failure: the task's time is up (or the process is stopping). Ends the sweep.
SWEEP_ENDERS: tuple[type[BaseException], ...] = (SoftTimeLimitExceeded,)
UNFINISHED_CACHE_KEY = "portal.reminders.unfinished"


def run_sweep(
    *,
    now: datetime | None = None,
    kinds: Iterable[str] | None = None,
    only: Iterable[Rule] | None = None,
) -> dict[str, int]:
    """Run every registered rule (or ``kinds``/``only``). Returns {kind: reminders issued}.
    A failing rule is logged and the others still run; SweepError is raised at the end.
    Each rule stops after REMINDER_RULE_SECONDS, and no rule starts after
    REMINDER_SWEEP_SECONDS: what is left waits for the next sweep, which runs the unfinished
    rules first. SoftTimeLimitExceeded (and any BaseException) ends the sweep at once."""
    started = monotonic_time.monotonic()
    sweep_until = started + settings.REMINDER_SWEEP_SECONDS
    sweep = Sweep(now=now or timezone.now(), limit=settings.REMINDER_SWEEP_LIMIT)
    selected = list(only) if only is not None else rules()
    if kinds is not None:
        wanted = set(kinds)
        selected = [r for r in selected if r.kind in wanted]
    # Stable: the unfinished ones first, each group in its usual order.
    unfinished_before = set(cache.get(UNFINISHED_CACHE_KEY) or ())
    selected.sort(key=lambda r: r.kind not in unfinished_before)
    issued: dict[str, int] = {}
    failed: list[str] = []
    unfinished: list[str] = []
    for rule_ in selected:
        now_ = monotonic_time.monotonic()
        if now_ >= sweep_until:
            unfinished.append(rule_.kind)
            continue
        until = min(now_ + settings.REMINDER_RULE_SECONDS, sweep_until)
        try:
            count, done = _run_rule(rule_, replace(sweep, until=until))
        except SWEEP_ENDERS:
            log.warning(
                "reminder sweep stopped by its time limit in rule %s after %.1f s "
                "(issued before: %s); the next sweep resumes",
                rule_.kind,
                monotonic_time.monotonic() - started,
                issued,
            )
            _remember_unfinished([rule_.kind, *unfinished], selected, issued, failed)
            raise
        except Exception:
            log.exception("reminder rule %s failed", rule_.kind)
            failed.append(rule_.kind)
            continue
        issued[rule_.kind] = count
        if not done:
            unfinished.append(rule_.kind)
    _remember_unfinished(unfinished, selected, issued, failed)
    if any(issued.values()):
        log.info("reminder sweep: %s", {k: v for k, v in issued.items() if v})
    if unfinished:
        log.warning(
            "reminder sweep out of time after %.1f s: left for the next sweep: %s",
            monotonic_time.monotonic() - started,
            ", ".join(unfinished),
        )
    if failed:
        raise SweepError(f"reminder rules failed: {', '.join(failed)} (others ran: {issued})")
    return issued


def _remember_unfinished(unfinished, selected, issued, failed) -> None:
    """Keep, across sweeps (the shared cache), the rules to run first next time: those this
    sweep stopped or did not reach. A sweep of only some rules leaves the others' state."""
    previous = set(cache.get(UNFINISHED_CACHE_KEY) or ())
    reached = set(issued) | set(failed)
    left = set(unfinished) | {r.kind for r in selected if r.kind not in reached}
    finished = reached - left
    now_left = (previous - finished) | left
    if now_left != previous:
        cache.set(UNFINISHED_CACHE_KEY, sorted(now_left), timeout=24 * 3600)


def run_rule(rule_: Rule, sweep: Sweep) -> int:
    """Run one rule: record what it yields chunk by chunk; notify for the rows inserted.
    Stops between chunks once ``sweep.until`` has passed (the rest waits for the next
    sweep). Returns the number of reminders issued."""
    return _run_rule(rule_, sweep)[0]


def _run_rule(rule_: Rule, sweep: Sweep) -> tuple[int, bool]:
    issued = 0
    produced = rule_.fn(sweep) or ()
    items: Iterator[Due] = itertools.islice(iter(produced), sweep.limit)
    try:
        while chunk := list(itertools.islice(items, settings.REMINDER_SWEEP_CHUNK)):
            issued += _issue(rule_.kind, chunk)
            if sweep.time_left() <= 0:
                log.info(
                    "reminder rule %s out of time after %d issued; the next sweep resumes",
                    rule_.kind,
                    issued,
                )
                return issued, False
    finally:
        close = getattr(produced, "close", None)
        if close is not None:
            close()  # a generator's queries end here, not when it is garbage-collected
    return issued, True


@transaction.atomic
def _issue(kind: str, dues: list[Due]) -> int:
    by_key: dict[tuple[str, str, date], tuple[Due, list[User]]] = {}
    for due in dues:
        people = {u.pk: u for u in due.recipients if u is not None and u.is_active}
        if not people:
            # Nobody to tell (yet): not recorded, so a later sweep can still remind.
            log.debug("reminder %s %s has no active recipient", kind, due.key)
            continue
        by_key.setdefault(due.key, (due, list(people.values())))
    if not by_key:
        return 0
    token = uuid.uuid4()
    now = timezone.now()
    # Sorted keys: concurrent sweeps take the unique-index locks in the same order (no
    # deadlock); the loser's INSERT waits for the winner's commit, then does nothing.
    rows = [
        Reminder(
            kind=kind,
            object_type=object_type,
            object_id=object_id,
            deadline=deadline,
            sweep=token,
            created_at=now,
            recipients=len(by_key[(object_type, object_id, deadline)][1]),
        )
        for object_type, object_id, deadline in sorted(by_key)
    ]
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    mine = Reminder.objects.filter(sweep=token).order_by("pk")
    messages = []
    issued = 0
    for reminder in mine:
        due, people = by_key[(reminder.object_type, reminder.object_id, reminder.deadline)]
        issued += 1
        # One context object per reminder: notify_bulk renders it once per language.
        context = {"deadline": due.deadline, **due.context}
        for person in people:
            messages.append(
                Message(
                    recipient=person,
                    kind=kind,
                    obj=due.obj,
                    context=context,
                    url=due.url,
                    reminder=reminder,
                    urgent=due.urgent,
                )
            )
    notify_bulk(messages)
    return issued


# --- the core's own rule -----------------------------------------------------------------------

CALENDAR_NEXT_YEAR_MISSING = "calendar.next_year_missing"


@rule(CALENDAR_NEXT_YEAR_MISSING, label="calendar next year missing")
def calendar_next_year_missing(sweep: Sweep) -> Iterator[Due]:
    """From 1 November (CALENDAR_CHECK_FROM_MONTH), while next year's holidays are not
    confirmed: the register administrators, once per year (deadline: 1 January)."""
    from portal import roles

    today = sweep.today
    if today.month < settings.ONEWINDOW["CALENDAR_CHECK_FROM_MONTH"]:
        return
    next_year = today.year + 1
    if workdays.is_confirmed(next_year):
        return
    if Reminder.objects.filter(
        kind=CALENDAR_NEXT_YEAR_MISSING,
        object_type="calendar.year",
        object_id=str(next_year),
        deadline=date(next_year, 1, 1),
    ).exists():
        return
    admins = list(
        User.objects.filter(groups__name=roles.REGISTER_ADMIN, is_active=True).order_by("pk")
    )
    yield Due(
        obj=("calendar.year", next_year),
        deadline=date(next_year, 1, 1),
        recipients=admins,
        context={"year": next_year},
        url="/admin/portal/calendaryear/",
    )
