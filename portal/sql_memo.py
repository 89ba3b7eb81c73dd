"""Statements of hot list pages compiled once per process (issue 19).

Building a queryset (filters, annotations' CASE expressions) and compiling it to SQL cost a
list page more CPU than reading its rows. ``instances`` and ``aggregate`` keep, per ``key``,
only what the compiler made of the queryset — the SQL text, its parameters and where each
model's columns sit in a row — never a row: every call runs the statement again and builds
fresh model instances, exactly as the queryset's own iteration does (``ModelIterable``).

``key`` must name everything the statement depends on (the page, the user's scope ids, the
day, the filters); ``build`` is only called when the key is new, so it must give the same
statement for the same key. Pages after a keyset cursor are not kept (their key would be the
cursor's values: they are rarely asked twice)."""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count
from django.db.models.query import get_related_populators

SIZE = 1024
_MEMO: dict[tuple, object] = {}
_EMPTY = object()


def clear() -> None:
    _MEMO.clear()


def _keep(key: tuple, value) -> None:
    if len(_MEMO) >= SIZE:
        _MEMO.clear()
    _MEMO[key] = value


class _Statement:
    """A compiled model query: its SQL and what ModelIterable reads off the compiler."""

    __slots__ = ("sql", "params", "compiler", "klass_info", "select", "trim")

    def __init__(self, qs):
        if (
            qs._prefetch_related_lookups
            or qs._known_related_objects
            or qs._iterable_class.__name__ != "ModelIterable"
        ):
            raise ValueError("sql_memo.instances takes a plain model queryset")
        compiler = qs.query.get_compiler(using=qs.db)
        sql, params = compiler.as_sql()  # raises EmptyResultSet as the iteration would
        self.sql, self.params = sql, tuple(params)
        self.compiler = compiler
        self.klass_info, self.select = compiler.klass_info, compiler.select
        self.trim = compiler.col_count if compiler.has_extra_select else None


def instances(alias: str, key: tuple, build) -> list:
    """``list(build())`` — model instances with their select_related rows and annotations —
    with ``build()``'s SQL compiled once per ``key`` in this process."""
    full = ("instances", alias, *key)
    statement = _MEMO.get(full)
    if statement is None:
        try:
            statement = _Statement(build())
        except EmptyResultSet:
            statement = _EMPTY
        _keep(full, statement)
    if statement is _EMPTY:
        return []
    with connections[alias].cursor() as cursor:
        cursor.execute(statement.sql, statement.params)
        rows = cursor.fetchall()
    if statement.trim is not None:
        rows = [r[: statement.trim] for r in rows]
    compiler, klass_info, select = statement.compiler, statement.klass_info, statement.select
    model_cls = klass_info["model"]
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    init_list = [f[0].target.attname for f in select[start:end]]
    populators = get_related_populators(klass_info, select, alias)
    annotations = compiler.annotation_col_map
    out = []
    for row in compiler.results_iter([rows]):
        obj = model_cls.from_db(alias, init_list, row[start:end])
        for populator in populators:
            populator.populate(row, obj)
        for name, position in annotations.items():
            setattr(obj, name, row[position])
        out.append(obj)
    return out


def aggregate(alias: str, key: tuple, build, **aggregates) -> dict:
    """``build().aggregate(**aggregates)`` with its SQL compiled once per ``key`` in this
    process: the first call runs the ORM's own aggregate and keeps the statement it sent."""
    full = ("aggregate", alias, *key)
    statement = _MEMO.get(full)
    if statement is None:
        sent: list = []

        def keep(execute, sql, params, many, context):
            sent.append((sql, tuple(params or ())))
            return execute(sql, params, many, context)

        with connections[alias].execute_wrapper(keep):
            result = build().aggregate(**aggregates)
        if len(sent) == 1:  # one statement (not an empty set answered without SQL)
            _keep(full, (sent[0], tuple(result)))
        return result
    (sql, params), names = statement
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return dict(zip(names, row, strict=True))


class Kept:
    """What ``Paginator`` asks of a queryset — ``count()`` and one slice of model instances —
    each statement compiled once per ``key`` in this process (``build`` as for ``instances``;
    prefetches are the caller's, on the page's rows)."""

    def __init__(self, alias: str, key: tuple, build):
        self.alias, self.key, self.build = alias, key, build

    def count(self) -> int:  # QuerySet.count()'s own statement
        return aggregate(self.alias, ("count", *self.key), self.build, __count=Count("*"))[
            "__count"
        ]

    def __getitem__(self, k):
        if not isinstance(k, slice) or k.step is not None:
            raise TypeError("Kept takes a slice")
        start, stop = k.start, k.stop
        return instances(
            self.alias, ("slice", *self.key, start, stop), lambda: self.build()[start:stop]
        )
