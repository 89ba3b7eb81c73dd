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

import io
import json
import queue
import threading
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.db import connection

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
        connection.ensure_connection()
        self.raw = connection.connection
        self.queue: queue.Queue = queue.Queue(maxsize=max_pending)
        self.error: BaseException | None = None
        self.rows = 0
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
        if self.error is not None:
            raise self.error


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
