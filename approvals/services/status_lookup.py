"""The public status lookup (number + last four digits of the applicant's mobile), guarded twice:
per client address (the page's counter and the API's throttle, both keyed by
``portal.middleware.client_ip``) and, here, per application number — after
``STATUS_LOOKUP_FAILURES_PER_NUMBER`` (20) wrong tries in a day the lookup for that number
pauses until the next day, whoever asks, so that the 10,000 possible digits cannot be walked
from many addresses. The count lives in the shared cache (Redis in production: CACHE_URL);
whether the number exists makes no difference to it, so the pause tells nothing either."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.selectors import applications as sel


@dataclass
class Lookup:
    result: dict | None
    paused: bool = False
    retry_after: int = 0  # seconds until the pause ends (the next day)

    @property
    def message(self) -> str:
        if not self.paused:
            return ""
        return paused_message()


def failure_limit() -> int:
    return max(1, int(getattr(settings, "STATUS_LOOKUP_FAILURES_PER_NUMBER", 20)))


def paused_message() -> str:
    return _(
        "这个办件编号今天已经输错%(limit)s次，为保护办件信息，今天暂停查询，明天可以再查。"
        "急需了解进度，请登录后在“我的办件”中查看，或带身份证到便民服务中心窗口询问。"
    ) % {"limit": failure_limit()}


def _key(number: str, today) -> str:
    return f"status-lookup-number:{number}:{today.isoformat()}"


def _seconds_to_midnight(now: datetime) -> int:
    local = timezone.localtime(now)
    tomorrow = datetime.combine(local.date() + timedelta(days=1), time.min, tzinfo=local.tzinfo)
    return max(1, int((tomorrow - local).total_seconds()))


def _count_failure(key: str) -> int:
    ttl = 2 * 86400
    if cache.add(key, 1, ttl):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, ttl)
        return 1


def lookup(number: str, mobile_last4: str) -> Lookup:
    """The public status of one application, unless the number's lookups are paused today."""
    number = (number or "").strip()
    if not number.isdigit() or len(number) > 32:
        return Lookup(result=None)
    now = timezone.now()
    key = _key(number, timezone.localdate(now))
    limit = failure_limit()
    if (cache.get(key) or 0) >= limit:
        return Lookup(result=None, paused=True, retry_after=_seconds_to_midnight(now))
    result = sel.status_lookup(number, mobile_last4)
    if result is not None:
        return Lookup(result=result)
    if _count_failure(key) >= limit:
        return Lookup(result=None, paused=True, retry_after=_seconds_to_midnight(now))
    return Lookup(result=None)
