"""The queues' days written out (approvals.templatetags.applications._day, issue 19) are the
date filter's bytes: dates, naive and aware datetimes in other zones, around midnight and the
year's turn, years before 1000, and what is not a date."""

import datetime as dt
import zoneinfo

import pytest
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.timezone import template_localtime

from approvals.templatetags.applications import _day

ZONES = [dt.UTC, zoneinfo.ZoneInfo("Asia/Shanghai"), zoneinfo.ZoneInfo("America/Los_Angeles")]


def values():
    for year in (1, 999, 2026, 9999):
        for month, day in ((1, 1), (2, 28), (12, 31)):
            yield dt.date(year, month, day)
            for hour, minute in ((0, 0), (7, 5), (15, 59), (23, 59)):
                naive = dt.datetime(year, month, day, hour, minute, 30, 999)
                yield naive
                if 1 < year < 9999:
                    for zone in ZONES:
                        yield naive.replace(tzinfo=zone)
    yield from (None, "", "2026-01-01", 0)


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "Pacific/Kiritimati"])
@pytest.mark.parametrize("fmt", ["Y-m-d", "Y-m-d H:i", "m-d"])
def test_days_are_the_filters_bytes(fmt, zone):
    with timezone.override(zone):
        for value in values():
            local = template_localtime(value) if isinstance(value, dt.datetime) else value
            assert outcome(_day, value, fmt) == outcome(
                lambda v, f: conditional_escape(date_filter(v, f)), local, fmt
            ), value


def outcome(draw, value, fmt):
    try:
        return draw(value, fmt)
    except TypeError as error:  # a date given a time's format: the filter's own error
        return type(error), str(error)
