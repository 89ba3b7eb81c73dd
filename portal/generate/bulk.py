"""Bulk loading into PostgreSQL: COPY, the indexes set aside during a load, sequences and a
check that every foreign key of the loaded rows points at a row that exists.

Used by the generator parts of every app (manage.py generate). A load of a million applications writes some fifteen million rows;
maintaining two dozen secondary indexes row by row would take longer than the load itself, so
the plain (non-unique, non-constraint) indexes of the loaded tables are dropped first and built
again afterwards from their exact definitions (as pg_restore does). Unique indexes and
constraints stay in place and are enforced during the load. Foreign-key triggers are switched
off for the session (``session_replication_role = replica``, superuser only) and every foreign
key is then checked with one anti-join per key, so the data set is proven consistent."""

from __future__ import annotations

import contextlib
import io
import json
import queue
import threading
import time
from collections.abc import Callable, Iterable
from datetime import date, datetime
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

NULL = "\\N"
SAFE_FILE = Path(settings.BASE_DIR) / "var" / "generate-dropped-indexes.sql"


def esc(value: str) -> str:
    """Escape free text for COPY's text format."""
    if not value:
        return ""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value


def js(value) -> str:
    return esc(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def value(v) -> str:
    """Any Python value as COPY text: None as NULL, booleans as t/f, dates and datetimes in ISO
    form, dicts and lists as JSON, text escaped."""
    if v is None:
        return NULL
    if isinstance(v, bool):
        return "t" if v else "f"
    if isinstance(v, str):
        return esc(v)
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, dict | list):
        return js(v)
    return str(v)


def model_columns(model) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


def password_hash(raw: str | None) -> str:
    """One hash per password (and hasher) for a whole generation: the generated staff share
    the demo password, and PBKDF2 costs a good part of a second of CPU each time."""
    return _password_hash(raw, settings.PASSWORD_HASHERS[0])


@cache
def _password_hash(raw: str | None, _hasher: str) -> str:
    from django.contrib.auth.hashers import make_password

    return make_password(raw)


def count_option(run, name: str, default: int, *, minimum: int = 0) -> int:
    """A part's count option (``--name``) from the command's options: the default when the
    part's parser did not run (``--only`` another part, or a test), at least ``minimum``."""
    count = run.options.get(name)
    if count is None:
        count = default
    if count < minimum:
        flag = "--" + name.replace("_", "-")
        raise ValueError(
            f"{flag} must not be negative" if minimum == 0 else f"{flag} must be at least {minimum}"
        )
    return count


def copy_rows(table: str, columns: Iterable[str], lines: list[str]) -> int:
    """COPY tab-separated lines (already escaped, NULL as \\N) into ``table``."""
    if not lines:
        return 0
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    buffer = io.StringIO("\n".join(lines) + "\n")
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {connection.ops.quote_name(table)} ({cols}) FROM STDIN WITH (FORMAT text)",
            buffer,
        )
    return len(lines)


class CopyWriter:
    """COPY in a background thread on the same database connection (and transaction), so the
    next batch is generated in Python while PostgreSQL stores the last one: the two cores of a
    small machine both work. The caller must not use the connection until close()."""

    def __init__(self, max_pending: int = 2):
        from portal import workdays

        connection.ensure_connection()
        self.raw = connection.connection
        self.queue: queue.Queue = queue.Queue(maxsize=max_pending)
        self.error: BaseException | None = None
        self.rows = 0
        # the calendar is not reloaded (a query) while COPY streams on the connection
        self._calendar = contextlib.ExitStack()
        self._calendar.enter_context(workdays.held())
        self.thread = threading.Thread(target=self._run, name="copy-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            item = self.queue.get()
            if item is None:
                return
            if self.error is not None:
                continue
            table, columns, lines = item
            try:
                cols = ", ".join(connection.ops.quote_name(c) for c in columns)
                with self.raw.cursor() as cursor:
                    cursor.copy_expert(
                        f"COPY {connection.ops.quote_name(table)} ({cols}) FROM STDIN "
                        "WITH (FORMAT text)",
                        io.StringIO("\n".join(lines) + "\n"),
                        size=1 << 20,
                    )
                self.rows += len(lines)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
                self.error = exc

    def put(self, table: str, columns: Iterable[str], lines: list[str]) -> None:
        if self.error is not None:
            raise self.error
        if lines:
            self.queue.put((table, list(columns), lines))

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        self._calendar.close()
        if self.error is not None:
            raise self.error


class Rows:
    """The rows of a part's tables: ids handed out from each table's next id, lines gathered
    per table and sent to COPY through a :class:`CopyWriter` at each :meth:`flush` (the next
    rows are made while PostgreSQL stores the last ones). ``columns`` maps each table to its
    columns in COPY order; a row is a dict by column (``id`` filled in unless given)."""

    def __init__(self, columns: dict[str, list[str]]):
        self.columns = columns
        self.tables = list(columns)
        self.ids = {t: next_id(t) for t in self.tables}
        self.lines: dict[str, list[str]] = {t: [] for t in self.tables}
        self.counts: dict[str, int] = {}
        self.writer: CopyWriter | None = None

    def add(self, table: str, row: dict) -> int:
        if "id" not in row:
            row["id"] = self.ids[table]
            self.ids[table] += 1
        self.lines[table].append("\t".join([value(row[c]) for c in self.columns[table]]))
        return row["id"]

    def flush(self) -> None:
        """Send what is gathered to COPY (the connection is the writer's until :meth:`close`)."""
        for table in self.tables:
            lines = self.lines[table]
            if lines:
                if self.writer is None:
                    self.writer = CopyWriter()
                self.writer.put(table, self.columns[table], lines)
                self.counts[table] = self.counts.get(table, 0) + len(lines)
                self.lines[table] = []

    def close(self) -> None:
        """Flush, wait for COPY to finish, and move the tables' sequences past the rows."""
        self.flush()
        if self.writer is not None:
            writer, self.writer = self.writer, None
            writer.close()
        reset_sequences(self.tables)

    def abandon(self) -> None:
        if self.writer is not None:
            writer, self.writer = self.writer, None
            with contextlib.suppress(BaseException):
                writer.close()


def load(rows: Rows, build: Callable[[], None], *, vacuum: bool = True) -> dict[str, float]:
    """The common run of a small part: ``build`` gathers (and may flush) ``rows`` in one
    transaction with the foreign-key triggers off, then the rows are stored, the sequences
    moved on, every foreign key checked and the tables vacuumed. Returns the timings."""
    timings: dict[str, float] = {}
    t = time.perf_counter()
    triggers_off = False
    try:
        with transaction.atomic():
            triggers_off = set_triggers(False)
            try:
                build()
            except BaseException:
                rows.abandon()  # the writer stops before the transaction rolls back
                raise
            rows.close()
    finally:
        if triggers_off:
            set_triggers(True)
    timings["rows"] = round(time.perf_counter() - t, 1)
    orphans = orphan_foreign_keys(rows.tables)
    if orphans:
        raise RuntimeError(f"foreign keys without their row: {orphans}")
    if vacuum:
        t = time.perf_counter()
        vacuum_analyze(rows.tables)
        timings["vacuum analyze"] = round(time.perf_counter() - t, 1)
    return timings


def superuser() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])


def set_triggers(enabled: bool) -> bool:
    """Switch foreign-key (and other) triggers off or on for this session; False when the
    role may not (then the load simply runs with them, slower)."""
    if not superuser():
        return False
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = %s", ["origin" if enabled else "replica"])
    return True


def plain_indexes(tables: list[str]) -> list[tuple[str, str]]:
    """(name, definition) of the non-unique indexes of ``tables`` that back no constraint."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT ic.relname, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            JOIN pg_class ic ON ic.oid = i.indexrelid
            JOIN pg_class tc ON tc.oid = i.indrelid
            JOIN pg_namespace n ON n.oid = tc.relnamespace
            WHERE n.nspname = current_schema()
              AND tc.relname = ANY(%s)
              AND NOT i.indisunique AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            ORDER BY tc.relname, ic.relname
            """,
            [tables],
        )
        return list(cursor.fetchall())


def drop_indexes(tables: list[str]) -> list[tuple[str, str]]:
    """Drop the plain indexes of ``tables``; their definitions are also written to a file so
    that an interrupted load can be repaired (restore_saved_indexes)."""
    indexes = plain_indexes(tables)
    SAFE_FILE.parent.mkdir(parents=True, exist_ok=True)
    with SAFE_FILE.open("a", encoding="utf-8") as out:
        for _name, definition in indexes:
            out.write(definition + ";\n")
    with connection.cursor() as cursor:
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(name)}")
    return indexes


def create_indexes(indexes: list[tuple[str, str]], log=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for name, definition in indexes:
            statement = definition.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1)
            cursor.execute(statement)
            if log:
                log(f"  index {name}")
    if SAFE_FILE.exists():
        SAFE_FILE.unlink()


def restore_saved_indexes() -> int:
    """Recreate indexes left dropped by an interrupted load."""
    if not SAFE_FILE.exists():
        return 0
    statements = [s.strip() for s in SAFE_FILE.read_text(encoding="utf-8").split(";\n")]
    statements = [s for s in statements if s]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
    SAFE_FILE.unlink()
    return len(statements)


def reset_sequences(tables: list[str]) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            quoted = connection.ops.quote_name(table)
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                f"GREATEST((SELECT MAX(id) FROM {quoted}), 1))",
                [table],
            )


def next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {connection.ops.quote_name(table)}")
        return cursor.fetchone()[0]


def orphan_foreign_keys(tables: list[str]) -> list[tuple[str, int]]:
    """Every foreign key of ``tables`` checked with one anti-join: (constraint, orphan rows)
    for those that have orphans. Empty means every reference points at an existing row."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conname, tc.relname, a.attname, pc.relname, pa.attname
            FROM pg_constraint c
            JOIN pg_class tc ON tc.oid = c.conrelid
            JOIN pg_class pc ON pc.oid = c.confrelid
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
            JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1]
            WHERE c.contype = 'f' AND tc.relname = ANY(%s)
              AND array_length(c.conkey, 1) = 1
            ORDER BY tc.relname, c.conname
            """,
            [tables],
        )
        keys = cursor.fetchall()
        bad = []
        q = connection.ops.quote_name
        for name, table, column, parent, parent_column in keys:
            cursor.execute(
                f"SELECT COUNT(*) FROM {q(table)} t WHERE t.{q(column)} IS NOT NULL AND NOT EXISTS "
                f"(SELECT 1 FROM {q(parent)} p WHERE p.{q(parent_column)} = t.{q(column)})"
            )
            count = cursor.fetchone()[0]
            if count:
                bad.append((name, count))
        return bad


def vacuum_analyze(tables: list[str]) -> None:
    """VACUUM (for the visibility map: index-only scans) and ANALYZE, outside a transaction."""
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")


def vacuum_analyze_unanalysed() -> list[str]:
    """``vacuum_analyze`` every table with rows that has no planner statistics yet (what no
    part analysed: day statistics, the calendar, staff…), as a live database's autovacuum
    would have long done: without them the planner guesses, and the benchmarks measure its
    guesses. PostgreSQL only. Returns the tables."""
    if connection.vendor != "postgresql":
        return []
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables "
            "WHERE last_analyze IS NULL AND last_autoanalyze IS NULL ORDER BY relname"
        )
        tables = []
        for (table,) in cursor.fetchall():
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {q(table)})")
            if cursor.fetchone()[0]:
                tables.append(table)
    vacuum_analyze(tables)
    return tables
