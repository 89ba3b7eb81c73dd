"""The bulk loader's small helpers (portal.generate.bulk): COPY text of Python values and the
parts' count options."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from portal.generate import bulk


def test_values_as_copy_text():
    assert bulk.value(None) == "\\N"
    assert bulk.value(True) == "t" and bulk.value(False) == "f"
    assert bulk.value(0) == "0" and bulk.value(1.5) == "1.5"
    assert bulk.value(date(2026, 11, 22)) == "2026-11-22"
    assert bulk.value(datetime(2026, 11, 22, 9, 30, tzinfo=UTC)) == "2026-11-22T09:30:00+00:00"
    assert bulk.value("一\t二\n三\\") == "一\\t二\\n三\\\\"
    assert bulk.value({"a": [1, "乙"]}) == '{"a":[1,"乙"]}'
    assert bulk.value("") == ""


def test_count_options():
    run = SimpleNamespace(options={"callouts": None, "dispatchers": 3})
    assert bulk.count_option(run, "callouts", 10_000) == 10_000
    assert bulk.count_option(run, "dispatchers", 8, minimum=1) == 3
    assert bulk.count_option(SimpleNamespace(options={}), "callouts", 7) == 7
    with pytest.raises(ValueError, match="--callouts must not be negative"):
        bulk.count_option(SimpleNamespace(options={"callouts": -1}), "callouts", 10)
    with pytest.raises(ValueError, match="--dispatchers must be at least 1"):
        bulk.count_option(SimpleNamespace(options={"dispatchers": 0}), "dispatchers", 8, minimum=1)


def test_one_hash_per_password():
    from django.contrib.auth.hashers import check_password

    first = bulk.password_hash("Demo@2026")
    assert bulk.password_hash("Demo@2026") == first
    assert check_password("Demo@2026", first)
