"""notify(): the one way to tell a person something.

Every message becomes an in-app ``Notification`` (the bell) written in the caller's transaction,
plus one outbox ``Delivery`` row per external channel the person chose (e-mail, SMS). The
outbox rows are enqueued as Celery tasks only after the transaction commits; a rolled-back
transaction therefore sends nothing, and a broker that is down at commit loses nothing: the rows
stay ``pending`` and the outbox sweep (beat, every minute) enqueues them again.

A send task claims its row with one conditional UPDATE (``pending`` → ``sending``), so a task
that runs twice (duplicate enqueue, redelivery, two sweeps) sends once. Failures retry with
exponential back-off, then end ``failed``: visible in the admin, which can resend.

Message texts are templates per kind, ``templates/notifications/<kind>.txt`` with the blocks
``subject``, ``body`` and (optional) ``sms``, rendered in the recipient's language. Callers that
pass ``title``/``body`` directly (no template) still work.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template
from django.template.loader_tags import BlockNode
from django.utils import timezone, translation

from portal import user_state
from portal.audit import object_label
from portal.models import (
    Channel,
    Delivery,
    Notification,
    NotificationPreference,
    StaffProfile,
    User,
)

log = logging.getLogger(__name__)

TEMPLATE_DIR = "notifications"


# --- who gets what, in which language -------------------------------------------------------


@dataclass(frozen=True)
class Preference:
    email: bool
    sms: bool
    language: str
    stored: bool = False  # False: the defaults of the person's kind (citizen or staff)

    def channels(self) -> list[str]:
        chosen = [Channel.IN_APP.value]
        if self.email:
            chosen.append(Channel.EMAIL.value)
        if self.sms:
            chosen.append(Channel.SMS.value)
        return chosen


def default_preference(*, is_staff: bool) -> Preference:
    """Citizens: SMS and in-app. Staff: e-mail and in-app. Chinese."""
    return Preference(email=is_staff, sms=not is_staff, language=settings.LANGUAGE_CODE)


def preferences_for(users: Iterable[User]) -> dict[int, Preference]:
    """Preferences of many people in one query: their stored choices and, for those without,
    whether they are staff (the defaults of their kind)."""
    ids = {u.pk for u in users}
    if not ids:
        return {}
    rows = (
        User.objects.filter(pk__in=ids)
        .order_by()
        .values_list(
            "pk",
            "notification_preference__id",
            "notification_preference__email",
            "notification_preference__sms",
            "notification_preference__language",
        )
        .annotate(is_staff_profile=Exists(StaffProfile.objects.filter(user_id=OuterRef("pk"))))
    )
    result: dict[int, Preference] = {}
    for pk, stored, email, sms, language, is_staff in rows:
        if stored is not None:
            result[pk] = Preference(email=email, sms=sms, language=language, stored=True)
        else:
            result[pk] = default_preference(is_staff=is_staff)
    for pk in ids - result.keys():  # not saved yet: nothing stored, no profile
        result[pk] = default_preference(is_staff=False)
    return result


def preference_for(user: User) -> Preference:
    return preferences_for([user])[user.pk]


@transaction.atomic
def preference_update(
    *,
    user: User,
    email: bool,
    sms: bool,
    language: str,
    email_address: str | None = None,
    actor=None,
) -> NotificationPreference:
    """Store a person's channel choices (and, when given, the address e-mails go to)."""
    from portal import audit

    user = User.objects.select_for_update().get(pk=user.pk)
    before = preference_for(user)
    before_address = user.email
    if email_address is not None and email_address != user.email:
        user.email = email_address
        user.save(update_fields=["email"])
    row, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"email": email, "sms": sms, "language": language}
    )
    audit.record(
        actor=actor or user,
        action="notification.preferences",
        obj=user,
        before={
            "email": before.email,
            "sms": before.sms,
            "language": before.language,
            "email_address": before_address,
        },
        after={"email": email, "sms": sms, "language": language, "email_address": user.email},
    )
    return row


def _address(user: User, channel: str) -> str:
    if channel == Channel.EMAIL:
        return (user.email or "").strip()
    if channel == Channel.SMS:
        return (user.mobile or "").strip()
    return ""


def object_key(obj) -> tuple[str, str]:
    """(object_type, object_id) of a model instance, or of an ``(type, id)`` pair."""
    if isinstance(obj, tuple):
        return str(obj[0])[:64], str(obj[1])[:64]
    object_type, object_id, _repr = object_label(obj)
    return object_type, object_id


# --- message texts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    sms: str


def template_name(kind: str) -> str:
    return f"{TEMPLATE_DIR}/{kind}.txt"


def has_template(kind: str) -> bool:
    try:
        get_template(template_name(kind))
    except TemplateDoesNotExist:
        return False
    return True


def render(kind: str, context: Mapping[str, Any], language: str) -> Rendered:
    """Render the blocks of ``notifications/<kind>.txt`` in ``language`` (plain text): the
    subject and SMS on one line, the body with its paragraphs."""
    template = get_template(template_name(kind)).template
    blocks = getattr(template, "_notification_blocks", None)
    if blocks is None:
        blocks = {node.name: node for node in template.nodelist.get_nodes_by_type(BlockNode)}
        template._notification_blocks = blocks
    with translation.override(language):
        ctx = Context(dict(context), autoescape=False)
        with ctx.bind_template(template):
            raw = {name: node.render(ctx) for name, node in blocks.items()}
    subject = " ".join(raw.get("subject", "").split())
    sms = " ".join(raw.get("sms", "").split())
    return Rendered(subject=subject, body=_paragraphs(raw.get("body", "")), sms=sms or subject)


@functools.cache
def _names_recipient(kind: str) -> bool:
    """Whether the kind's text uses ``recipient`` (then it is rendered per person)."""
    return "recipient" in get_template(template_name(kind)).template.source


def _paragraphs(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.strip().splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def absolute_url(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    from portal.site import site_url

    return site_url(url)


def _sms_params(context: Mapping[str, Any]) -> dict[str, str]:
    """Template parameters for the SMS gateway: the context's plain values, as text."""
    params = {}
    for key, value in context.items():
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, datetime):
            params[key] = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        elif isinstance(value, date):
            params[key] = value.isoformat()
        elif isinstance(value, str | int | float):
            params[key] = str(value)
    return params


# --- notify ------------------------------------------------------------------------------------


@dataclass
class Message:
    """One message to one person; ``notify_bulk`` writes many in a handful of queries."""

    recipient: User
    kind: str
    obj: Any = None
    context: Mapping[str, Any] = field(default_factory=dict)
    url: str = ""
    title: str | None = None  # literal text instead of the kind's template
    body: str | None = None
    reminder: Any = None
    channels: Sequence[str] | None = None  # restrict to these channels (None: the person's)
    # Urgent (a call-out): by SMS as well, whatever the person chose, when they have a mobile.
    urgent: bool = False


def notify(
    *,
    recipient: User,
    kind: str,
    obj=None,
    context: Mapping[str, Any] | None = None,
    url: str = "",
    title: str | None = None,
    body: str | None = None,
    channels: Sequence[str] | None = None,
) -> Notification | None:
    """Tell ``recipient`` about ``obj``: in-app now, e-mail/SMS after commit.

    The text comes from ``templates/notifications/<kind>.txt`` rendered with ``context`` in the
    recipient's language, or from ``title``/``body`` when given. Returns the in-app
    notification (None for an inactive person)."""
    created = notify_bulk(
        [
            Message(
                recipient=recipient,
                kind=kind,
                obj=obj,
                context=context or {},
                url=url,
                title=title,
                body=body,
                channels=channels,
            )
        ]
    )
    return created[0] if created else None


def notify_many(*, recipients: Iterable[User], **kwargs) -> int:
    messages = [Message(recipient=person, **kwargs) for person in recipients]
    return len(notify_bulk(messages))


@transaction.atomic(savepoint=False)
def notify_bulk(messages: Sequence[Message]) -> list[Notification]:
    """Write the in-app notifications and the outbox rows of many messages; enqueue the sends
    when the surrounding transaction commits. Queries: a constant handful, whatever the count.

    Inside the caller's transaction without a savepoint of its own (two statements fewer): a
    failure here fails the caller's whole change, which is what every caller wants — none
    catches it to carry on."""
    messages = [m for m in messages if m.recipient is not None and m.recipient.is_active]
    if not messages:
        return []
    prefs = preferences_for([m.recipient for m in messages])
    rendered: dict[tuple, Rendered] = {}
    notifications: list[Notification] = []
    outbox: list[tuple[int, Delivery]] = []
    for index, message in enumerate(messages):
        pref = prefs[message.recipient.pk]
        language = pref.language or settings.LANGUAGE_CODE
        object_type, object_id = object_key(message.obj)
        if message.title is not None:
            text = Rendered(
                subject=str(message.title),
                body=str(message.body or ""),
                sms=str(message.title),
            )
        else:
            # Messages sharing one context object (a reminder's recipients, notify_many) get
            # the same text in the same language: render it once, unless it names the person.
            memo_key = (message.kind, language, id(message.context), message.url)
            text = rendered.get(memo_key) if not _names_recipient(message.kind) else None
            if text is None:
                text = render(
                    message.kind,
                    {
                        **message.context,
                        "recipient": message.recipient,
                        "object": message.obj,
                        "url": message.url,
                        "link": absolute_url(message.url),
                        "town_name": settings.ONEWINDOW["TOWN_NAME"],
                    },
                    language,
                )
                rendered[memo_key] = text
        notifications.append(
            Notification(
                recipient=message.recipient,
                kind=message.kind,
                title=text.subject[:200],
                body=text.body,
                url=message.url[:300],
                object_type=object_type,
                object_id=object_id,
                language=language,
                reminder=message.reminder,
            )
        )
        channels = pref.channels()
        if message.channels is not None:
            channels = [c for c in channels if c in message.channels]
        if message.urgent and Channel.SMS not in channels:
            channels.append(Channel.SMS.value)
        for channel in channels:
            if channel == Channel.IN_APP:
                continue
            address = _address(message.recipient, channel)
            if not address:
                continue
            link = absolute_url(message.url)
            outbox.append(
                (
                    index,
                    Delivery(
                        channel=channel,
                        address=address,
                        subject=text.subject[:200],
                        body=(text.body + (f"\n\n{link}" if link else ""))
                        if channel == Channel.EMAIL
                        else text.sms,
                        params=_sms_params(message.context) if channel == Channel.SMS else {},
                    ),
                )
            )
    Notification.objects.bulk_create(notifications)
    user_state.changed(n.recipient_id for n in notifications)
    for message in messages:
        user_state.forget(message.recipient)
    if outbox:
        rows = []
        for index, delivery in outbox:
            delivery.notification = notifications[index]
            rows.append(delivery)
        Delivery.objects.bulk_create(rows)
        ids = [d.pk for d in rows]
        transaction.on_commit(partial(_enqueue_after_commit, ids))
    return notifications


# --- the outbox --------------------------------------------------------------------------------

# Publishing must not hang a web request when the broker is away: a short retry, then give up
# and leave the row to the outbox sweep.
PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}


def enqueue_deliveries(ids: Sequence[int], *, fan_out: bool = True) -> int:
    """Publish send tasks for outbox rows. Never raises: if the broker is unreachable the rows
    stay pending with ``enqueued_at`` empty, and the outbox sweep publishes them later.
    Many ids are published as a few fan-out tasks so that a big sweep commits quickly; rows
    are sent REMINDER_SEND_BATCH to a task (``send_deliveries``), a lone row by
    ``send_delivery``."""
    from celery import current_app

    from portal import tasks

    ids = list(ids)
    if not ids:
        return 0
    queue = settings.NOTIFICATIONS_QUEUE
    published: list[int] = []
    try:
        with current_app.producer_or_acquire() as producer:
            options = {
                "queue": queue,
                "producer": producer,
                "retry": True,
                "retry_policy": PUBLISH_RETRY_POLICY,
            }
            if fan_out and len(ids) > settings.REMINDER_FANOUT_THRESHOLD:
                size = settings.REMINDER_FANOUT_CHUNK
                for start in range(0, len(ids), size):
                    chunk = ids[start : start + size]
                    tasks.fan_out_deliveries.apply_async((chunk,), **options)
                    published.extend(chunk)
            else:
                size = max(1, settings.REMINDER_SEND_BATCH)
                for start in range(0, len(ids), size):
                    chunk = ids[start : start + size]
                    if len(chunk) == 1:
                        tasks.send_delivery.apply_async((chunk[0],), **options)
                    else:
                        tasks.send_deliveries.apply_async((chunk,), **options)
                    published.extend(chunk)
    except SoftTimeLimitExceeded:
        # The task's time is up: what was published is marked, the rest is the outbox
        # sweep's; the caller (a sweep) must stop, not carry on.
        if published:
            Delivery.objects.filter(pk__in=published).update(enqueued_at=timezone.now())
        raise
    except Exception as exc:  # the broker is down or misconfigured: the sweep will catch up
        log.warning(
            "could not enqueue %d of %d notification deliveries (%s: %s); they stay pending "
            "and the outbox sweep will send them",
            len(ids) - len(published),
            len(ids),
            type(exc).__name__,
            exc,
        )
    if published:
        Delivery.objects.filter(pk__in=published).update(enqueued_at=timezone.now())
    return len(published)


def _enqueue_after_commit(ids: Sequence[int]) -> None:
    """The on_commit hook of notify_bulk: like ``robust=True`` (a failure is logged, the
    committed work stands and the outbox sweep publishes later), except that a task's soft time
    limit is not swallowed: it must end the sweep that committed, not let it carry on."""
    try:
        enqueue_deliveries(ids)
    except SoftTimeLimitExceeded:
        raise
    except Exception:
        log.exception(
            "publishing %d deliveries after commit failed; the outbox sweep will", len(ids)
        )


def mark_not_enqueued(ids: Sequence[int]) -> None:
    """The broker did not take these rows' tasks: the outbox sweep publishes them when due."""
    Delivery.objects.filter(pk__in=list(ids), status=Delivery.Status.PENDING).update(
        enqueued_at=None
    )


@dataclass(frozen=True)
class SendResult:
    outcome: str  # "sent", "skipped", "retry", "failed"
    retry_in: float | None = None


def backoff_seconds(attempts: int) -> float:
    """Exponential back-off after the ``attempts``-th failed attempt: base, 2×base, 4×base…"""
    base = settings.REMINDER_SEND_BACKOFF_SECONDS
    return min(base * 2 ** max(attempts - 1, 0), settings.REMINDER_SEND_BACKOFF_MAX_SECONDS)


def _claimable(now: datetime) -> Q:
    """Rows a send may take: pending (and due), or ``sending`` under a claim that expired (its
    worker died)."""
    lease = timedelta(seconds=settings.REMINDER_SEND_LEASE_SECONDS)
    return Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now + timedelta(seconds=5)) | Q(
        status=Delivery.Status.SENDING, claimed_at__lt=now - lease
    )


def _claim_update() -> dict:
    return {"status": Delivery.Status.SENDING, "attempts": F("attempts") + 1}


def claim(delivery_id: int, *, now: datetime | None = None) -> datetime | None:
    """Atomically take a row for sending: pending (and due) → sending, or a ``sending`` row
    whose claim expired (its worker died). Returns the claim stamp, or None if another task
    owns it or it is done. One UPDATE: safe on PostgreSQL and SQLite alike."""
    now = now or timezone.now()
    taken = Delivery.objects.filter(_claimable(now), pk=delivery_id).update(
        claimed_at=now, **_claim_update()
    )
    return now if taken else None


def send_delivery(delivery_id: int) -> SendResult:
    """Send one outbox row (called by the Celery task)."""
    stamp = claim(delivery_id)
    if stamp is None:
        return SendResult("skipped")
    delivery = Delivery.objects.select_related("notification").get(pk=delivery_id)
    mine = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.SENDING, claimed_at=stamp)
    error = _transmit(delivery)
    if error is not None:
        return _failed(delivery, mine, error)
    mine.update(status=Delivery.Status.SENT, sent_at=timezone.now())
    return SendResult("sent")


def _transmit(delivery: Delivery, mail_connection=None) -> Exception | None:
    """Hand one row to its channel; the exception it failed with, or None when it went out."""
    from portal import sms

    try:
        if delivery.channel == Channel.EMAIL:
            _send_email(delivery, mail_connection)
        elif delivery.channel == Channel.SMS:
            sms.send(
                mobile=delivery.address,
                text=delivery.body,
                kind=delivery.notification.kind,
                params=delivery.params,
            )
        else:
            raise sms.PermanentSmsError(f"unknown channel {delivery.channel!r}")
    except Exception as exc:  # the task's soft time limit too: that send hung, it is retried
        return exc
    return None


def _failed(delivery: Delivery, mine, exc: Exception) -> SendResult:
    """A send failed: for good (permanent, or out of attempts), or to retry after back-off."""
    from portal import sms

    error = f"{type(exc).__name__}: {exc}"[:2000]
    permanent = isinstance(exc, sms.PermanentSmsError) or _is_permanent_mail_error(exc)
    if permanent or delivery.attempts >= settings.REMINDER_SEND_MAX_ATTEMPTS:
        mine.update(status=Delivery.Status.FAILED, last_error=error)
        log.error(
            "notification delivery %s (%s) failed for good after %s attempt(s): %s",
            delivery.pk,
            delivery.channel,
            delivery.attempts,
            error,
        )
        return SendResult("failed")
    wait = backoff_seconds(delivery.attempts)
    now = timezone.now()
    mine.update(
        status=Delivery.Status.PENDING,
        last_error=error,
        next_attempt_at=now + timedelta(seconds=wait),
        enqueued_at=now,  # the retry is published right after this
        claimed_at=None,
    )
    log.warning(
        "notification delivery %s (%s) attempt %s failed, retry in %ss: %s",
        delivery.pk,
        delivery.channel,
        delivery.attempts,
        wait,
        error,
    )
    return SendResult("retry", retry_in=wait)


@dataclass
class BatchResult:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    released: int = 0  # claimed but not tried within the batch's time: published again
    retry: list[tuple[int, float]] = field(default_factory=list)  # (row, seconds to wait)

    def as_dict(self) -> dict[str, int]:
        return {
            "sent": self.sent,
            "skipped": self.skipped,
            "failed": self.failed,
            "retry": len(self.retry),
            "released": self.released,
        }


def send_deliveries(delivery_ids: Sequence[int], *, seconds: float | None = None) -> BatchResult:
    """Send many outbox rows in one task (a sweep's hundreds of e-mails and SMS): claimed
    together in one UPDATE, sent one by one over one mail connection, marked sent a few at a
    time (every REMINDER_SEND_MARK_EVERY rows or second: what a crash can send twice). A row
    another task owns, or already done, is skipped; a failure is handled as in
    ``send_delivery`` (retried after back-off, or failed for good). Rows not tried within
    ``seconds`` (REMINDER_SEND_BATCH_SECONDS) are given back and published again, so a slow
    gateway never holds a claim near its lease; on the task's soft time limit they are given
    back to the outbox sweep."""
    from django.core.mail import get_connection

    ids = sorted(set(delivery_ids))
    result = BatchResult()
    if not ids:
        return result
    stamp = timezone.now()
    Delivery.objects.filter(_claimable(stamp), pk__in=ids).update(
        claimed_at=stamp, **_claim_update()
    )
    rows = list(
        Delivery.objects.select_related("notification")
        .filter(pk__in=ids, status=Delivery.Status.SENDING, claimed_at=stamp)
        .order_by("pk")
    )
    result.skipped = len(ids) - len(rows)
    budget = settings.REMINDER_SEND_BATCH_SECONDS if seconds is None else seconds
    until = time.monotonic() + budget
    mine = Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at=stamp)
    sent: list[int] = []
    marked_at = time.monotonic()

    def mark_sent() -> None:
        nonlocal marked_at
        if sent:
            mine.filter(pk__in=sent).update(status=Delivery.Status.SENT, sent_at=timezone.now())
            result.sent += len(sent)
            sent.clear()
        marked_at = time.monotonic()

    connection = get_connection(fail_silently=False)
    tried = 0
    try:
        for delivery in rows:
            if time.monotonic() >= until:
                break
            tried += 1
            error = _transmit(delivery, connection)
            if error is None:
                sent.append(delivery.pk)
                if (
                    len(sent) >= settings.REMINDER_SEND_MARK_EVERY
                    or time.monotonic() - marked_at >= 1
                ):
                    mark_sent()
                continue
            if delivery.channel == Channel.EMAIL:
                connection.close()  # a broken connection is opened afresh for the next one
            outcome = _failed(delivery, mine.filter(pk=delivery.pk), error)
            if outcome.outcome == "retry":
                result.retry.append((delivery.pk, outcome.retry_in))
            else:
                result.failed += 1
            if isinstance(error, SoftTimeLimitExceeded):
                raise error
    except SoftTimeLimitExceeded:
        # The row it hung on is retried like any failed send; the rows not tried go back to
        # the outbox sweep.
        mark_sent()
        _give_back(mine, [d.pk for d in rows[tried:]], publish=False)
        publish_retries(result.retry)
        raise
    finally:
        connection.close()
    mark_sent()
    left = [d.pk for d in rows[tried:]]
    if left:
        result.released = len(left)
        log.info("send batch out of time after %d rows; %d published again", tried, len(left))
        _give_back(mine, left, publish=True)
    return result


def _give_back(mine, ids: list[int], *, publish: bool) -> None:
    """Claimed rows never tried: pending again, their attempt not counted."""
    if not ids:
        return
    mine.filter(pk__in=ids).update(
        status=Delivery.Status.PENDING,
        claimed_at=None,
        enqueued_at=None,
        attempts=F("attempts") - 1,
    )
    if publish:
        enqueue_deliveries(ids)


def publish_retries(retries: Sequence[tuple[int, float]]) -> None:
    """Each row a batch must retry, as its own send task after its back-off; a row whose task
    the broker did not take is left to the outbox sweep."""
    from celery import current_app

    from portal import tasks

    lost = []
    with current_app.producer_or_acquire() as producer:
        for pk, wait in retries:
            try:
                tasks.send_delivery.apply_async(
                    (pk,),
                    countdown=wait,
                    queue=settings.NOTIFICATIONS_QUEUE,
                    producer=producer,
                    retry=True,
                    retry_policy=PUBLISH_RETRY_POLICY,
                )
            except Exception:
                lost.append(pk)
    if lost:
        log.warning("could not publish %d retries; the outbox sweep will", len(lost))
        mark_not_enqueued(lost)


def _send_email(delivery: Delivery, connection=None) -> None:
    """With a batch's ``connection``: opened here once and kept open (a backend closes a
    connection it had to open itself after each message)."""
    from django.core.mail import EmailMessage

    if connection is not None:
        connection.open()
    EmailMessage(
        subject=delivery.subject,
        body=delivery.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.address],
        connection=connection,
    ).send(fail_silently=False)


def _is_permanent_mail_error(exc: Exception) -> bool:
    import smtplib

    return isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPSenderRefused)


def sweep_outbox(*, now: datetime | None = None) -> dict:
    """Beat, every minute: put back rows whose worker died while sending, and publish rows
    that were never (or long ago) handed to the broker. Cost grows with the rows still to
    send (partial index on status pending/sending), not with the outbox's history."""

    now = now or timezone.now()
    lease = now - timedelta(seconds=settings.REMINDER_SEND_LEASE_SECONDS)
    stale = Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=lease)
    gave_up = stale.filter(attempts__gte=settings.REMINDER_SEND_MAX_ATTEMPTS).update(
        status=Delivery.Status.FAILED, last_error="worker lost while sending"
    )
    # Back to pending, publishable at once: its next_attempt_at is already in the past.
    revived = stale.update(status=Delivery.Status.PENDING, claimed_at=None, enqueued_at=None)
    grace = now - timedelta(seconds=settings.REMINDER_OUTBOX_GRACE_SECONDS)
    requeue = now - timedelta(seconds=settings.REMINDER_OUTBOX_REQUEUE_AFTER_SECONDS)
    ids = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=grace)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=requeue))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[: settings.REMINDER_OUTBOX_BATCH]
    )
    published = enqueue_deliveries(ids)
    if ids or revived or gave_up:
        log.info(
            "outbox sweep: %d to publish (%d published), %d revived, %d failed",
            len(ids),
            published,
            revived,
            gave_up,
        )
    return {"found": len(ids), "published": published, "revived": revived, "failed": gave_up}


@transaction.atomic
def delivery_resend(*, deliveries: Iterable[Delivery], actor) -> int:
    """Send failed deliveries again (admin action), to the person's current address."""
    from portal import audit

    ids = [d.pk for d in deliveries]
    rows = list(
        Delivery.objects.select_for_update()
        .select_related("notification__recipient")
        .filter(pk__in=ids, status=Delivery.Status.FAILED)
        .order_by("pk")
    )
    now = timezone.now()
    for row in rows:
        address = _address(row.notification.recipient, row.channel) or row.address
        Delivery.objects.filter(pk=row.pk).update(
            status=Delivery.Status.PENDING,
            attempts=0,
            address=address,
            next_attempt_at=now,
            enqueued_at=None,
            claimed_at=None,
        )
        audit.record(
            actor=actor,
            action="notification.resend",
            obj=row,
            before={"status": row.status, "attempts": row.attempts, "error": row.last_error},
            after={"status": Delivery.Status.PENDING},
        )
    if rows:
        transaction.on_commit(partial(enqueue_deliveries, [r.pk for r in rows]), robust=True)
    return len(rows)


# --- the inbox ---------------------------------------------------------------------------------


def mark_read(*, recipient, ids=None) -> int:
    qs = Notification.objects.filter(recipient=recipient, read_at__isnull=True)
    if ids is not None:
        clean = [int(i) for i in ids if str(i).isdigit()]
        qs = qs.filter(pk__in=clean)
    done = qs.update(read_at=timezone.now())
    if done:
        user_state.changed([recipient.pk])
        user_state.forget(recipient)
    return done


def unread_count(user) -> int:
    """The person's unread notifications, cached per person (portal.user_state)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return user_state.unread_count(user)
