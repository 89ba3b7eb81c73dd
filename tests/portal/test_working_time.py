"""Office hours through the calendar: routing rules tell working hours from nights and
holidays with portal.workdays.is_working_time."""

import pytest
from django.utils import timezone

from portal import workdays

pytestmark = pytest.mark.django_db


def at(*args):
    from datetime import datetime

    return timezone.make_aware(datetime(*args))


@pytest.mark.parametrize(
    "moment,working",
    [
        (at(2026, 9, 16, 8, 30), True),  # Wednesday, opening
        (at(2026, 9, 16, 17, 29), True),
        (at(2026, 9, 16, 17, 30), False),  # closing: not in
        (at(2026, 9, 16, 3, 0), False),  # night
        (at(2026, 9, 19, 10, 0), False),  # Saturday
        (at(2026, 9, 20, 10, 0), True),  # Sunday worked in exchange for National Day (调休)
        (at(2026, 10, 1, 10, 0), False),  # National Day
        (at(2026, 10, 8, 10, 0), True),
    ],
)
def test_office_hours_of_working_days(moment, working):
    assert workdays.is_working_time(moment) is working


def test_several_spans_and_a_utc_moment(settings):
    settings.WORKING_HOURS = "08:00-12:00,14:30-17:30"
    assert workdays.is_working_time(at(2026, 9, 16, 11, 59))
    assert not workdays.is_working_time(at(2026, 9, 16, 13, 0))
    from datetime import UTC, datetime

    # 06:00 UTC is 14:00 in Beijing: the lunch break.
    assert not workdays.is_working_time(datetime(2026, 9, 16, 6, 0, tzinfo=UTC))
    assert workdays.is_working_time(datetime(2026, 9, 16, 7, 0, tzinfo=UTC))


def test_a_bad_setting_is_refused():
    with pytest.raises(ValueError):
        workdays._parse_hours("17:00-08:00")
