"""Test-only e-mail and SMS backends that fail their first N calls, so retries can be proven.

They are configured through the environment, so that a Celery worker process started by an
integration test can use them as well as the test process itself:

- ``FLAKY_FAILS``: how many calls fail before the first success (default 0);
- ``FLAKY_REDIS_URL``: count calls in Redis (shared between processes); unset: in memory;
- ``FLAKY_KEY``: the counter's key prefix (one counter per channel).

Successful e-mails go to the file-based backend (``EMAIL_FILE_PATH``) or, for the in-memory
variant, to ``django.core.mail.outbox``; successful SMS to ``SMS_FILE_PATH`` (one JSON line each)
or ``portal.sms.outbox``.
"""

import os
import smtplib

from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemEmailBackend

from portal import sms

_counts: dict[str, int] = {}


def calls(channel: str) -> int:
    """How many times the channel's backend was called (this process, or Redis)."""
    key = _key(channel)
    url = os.environ.get("FLAKY_REDIS_URL")
    if url:
        import redis

        return int(redis.Redis.from_url(url).get(key) or 0)
    return _counts.get(key, 0)


def reset() -> None:
    _counts.clear()


def _key(channel: str) -> str:
    return f"{os.environ.get('FLAKY_KEY', 'flaky')}:{channel}"


def _should_fail(channel: str) -> bool:
    key = _key(channel)
    url = os.environ.get("FLAKY_REDIS_URL")
    if url:
        import redis

        n = redis.Redis.from_url(url).incr(key)
    else:
        _counts[key] = n = _counts.get(key, 0) + 1
    return n <= int(os.environ.get("FLAKY_FAILS", "0"))


class FlakyEmailBackend(FileEmailBackend):
    def send_messages(self, email_messages):
        if _should_fail("email"):
            raise smtplib.SMTPServerDisconnected("simulated: the mail server went away")
        return super().send_messages(email_messages)


class FlakyLocmemEmailBackend(LocmemEmailBackend):
    def send_messages(self, messages):
        if _should_fail("email"):
            raise smtplib.SMTPServerDisconnected("simulated: the mail server went away")
        return super().send_messages(messages)


class FlakySmsBackend(sms.FileBackend):
    def send(self, message):
        if _should_fail("sms"):
            raise sms.SmsError("simulated: SMS gateway timeout")
        return super().send(message)


class FlakyLocmemSmsBackend(sms.LocmemBackend):
    def send(self, message):
        if _should_fail("sms"):
            raise sms.SmsError("simulated: SMS gateway timeout")
        return super().send(message)


class CountingLocmemEmailBackend(LocmemEmailBackend):
    """Counts the connections opened (``calls("connections")``): a batch opens one."""

    def open(self):
        if getattr(self, "_open", False):
            return False
        self._open = True
        _counts[_key("connections")] = _counts.get(_key("connections"), 0) + 1
        return True

    def close(self):
        self._open = False


class PermanentFailureSmsBackend(sms.LocmemBackend):
    def send(self, message):
        raise sms.PermanentSmsError("simulated: the gateway refuses this number")
