"""Reads whose joins PostgreSQL takes in the order written (issue 19).

An application, work order or incident read with everything it shows is one statement of
eight or nine tables joined by key (``select_related``). PostgreSQL searches the join orders
of up to ``join_collapse_limit`` (8) tables exhaustively: on the full town that search cost
2-12 ms of planning per read (the staff application page: 11.9 ms of planning for 0.35 ms of
execution), more than all the rest of the page's database work. Taken in the order written —
the row by its key first, then each table by the key that row holds — the same statement plans
in ~1 ms and runs as fast or faster.

``joins_as_written()`` (a context manager and a decorator) prefixes each ``SELECT`` sent
inside it with ``SET LOCAL join_collapse_limit = 1``. Sent as one simple query the two run in
one implicit transaction, so the setting ends with the statement: nothing changes for the
next statement on the connection. Inside a transaction (``atomic``) the setting would last
to its end, so statements there are sent as they are; so are server-side cursors
(``iterator()``: a ``DECLARE`` takes one statement) and other databases.

Use it where every statement inside reads rows by key — a detail page, not a queue filtered
through joined tables (whose better plans start from another table)."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections

PREFIX = "SET LOCAL join_collapse_limit = 1; "


@contextmanager
def joins_as_written(using: str = DEFAULT_DB_ALIAS):
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return

    def prefixed(execute, sql, params, many, context):
        if (
            many
            or connection.in_atomic_block
            or not sql.startswith("SELECT")
            or getattr(context["cursor"].cursor, "name", None)
        ):
            return execute(sql, params, many, context)
        return execute(PREFIX + sql, params, many, context)

    with connection.execute_wrapper(prefixed):
        yield
