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


@pytest.mark.django_db(transaction=True)
def test_tables_with_rows_but_no_statistics_get_them():
    from django.db import connection

    if connection.vendor != "postgresql":
        assert bulk.vacuum_analyze_unanalysed() == []
        return

    def analysed(table):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = %s",
                [table],
            )
            return cursor.fetchone()[0]

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE stats_probe_rows (id int)")
        cursor.execute("CREATE TABLE stats_probe_empty (id int)")
        cursor.execute("INSERT INTO stats_probe_rows SELECT generate_series(1, 100)")
    try:
        done = bulk.vacuum_analyze_unanalysed()
        assert "stats_probe_rows" in done and "stats_probe_empty" not in done
        assert analysed("stats_probe_rows") and not analysed("stats_probe_empty")
        assert "stats_probe_rows" not in bulk.vacuum_analyze_unanalysed()  # once
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE stats_probe_rows, stats_probe_empty")
