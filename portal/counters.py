"""Per-key sequence counters (a row per day or year, ``last`` the last value handed out).

``next_value`` is one statement: an upsert that creates the row at 1 or adds one to it and
returns the new value. PostgreSQL locks the row it inserts or updates until the caller's
transaction ends, so the counter is taken in turn, a rollback gives the value back, and two
transactions never get the same value — as the insert-if-missing, select-for-update and update
it replaces (three statements; issue 19)."""

from __future__ import annotations

from django.db import connections, router


def next_value(model, **key) -> int:
    """The next value of ``model``'s counter for ``key`` (one unique field, e.g. ``day=…``).
    Call it inside the caller's transaction."""
    ((field_name, value),) = key.items()
    meta = model._meta
    field = meta.get_field(field_name)
    last = meta.get_field("last")
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    table, column, last_column = quote(meta.db_table), quote(field.column), quote(last.column)
    sql = (
        f"INSERT INTO {table} ({column}, {last_column}) VALUES (%s, 1) "
        f"ON CONFLICT ({column}) DO UPDATE SET {last_column} = {table}.{last_column} + 1 "
        f"RETURNING {last_column}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [field.get_db_prep_save(value, connection)])
        return cursor.fetchone()[0]
