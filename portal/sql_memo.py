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

from datetime import datetime, timedelta
from itertools import takewhile

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count
from django.db.models.query import get_related_populators

SIZE = 512  # statements kept per page (a key's leading names: _page)
_MEMO: dict[tuple, object] = {}
_KEPT: dict[tuple, int] = {}
_EMPTY = object()
_EVERY_TIME = object()


def clear() -> None:
    _MEMO.clear()
    _KEPT.clear()


def _page(key: tuple) -> tuple:
    """A key's leading names (kind, alias, the page's names), before its first value."""
    return tuple(takewhile(lambda part: isinstance(part, str), key))


def _keep(key: tuple, value) -> None:
    """Keep ``value``; a page whose keys are many (one per resident, say) forgets its own
    statements when it has SIZE of them, never another page's."""
    page = _page(key)
    if _KEPT.get(page, 0) >= SIZE:
        for old in [k for k in _MEMO if _page(k) == page]:
            del _MEMO[old]
        _KEPT[page] = 0
    if key not in _MEMO:
        _KEPT[page] = _KEPT.get(page, 0) + 1
    _MEMO[key] = value


class _Statement:
    """A compiled model query: its SQL and what ModelIterable reads off the compiler."""

    __slots__ = (
        "sql",
        "params",
        "klass_info",
        "select",
        "annotations",
        "converters",
        "trim",
        "moments",
    )

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
        self.klass_info, self.select = compiler.klass_info, compiler.select
        self.annotations = dict(compiler.annotation_col_map)
        # results_iter's converters, applied with each call's own connection (the compiler's
        # is the thread's that compiled it)
        self.converters = compiler.get_converters(
            [s[0] for s in compiler.select[: compiler.col_count]]
        )
        self.trim = compiler.col_count if compiler.has_extra_select else None
        self.moments = ()


def _at(build, now):
    """The statement of ``build(now)`` and the positions of its parameters that are ``now``
    itself, or None when the statement does not take ``now`` as it is (compiled at two moments:
    the same SQL text, parameters that differ only where each moment sits)."""
    later = now + timedelta(seconds=1, microseconds=234567)
    first, second = _Statement(build(now)), _Statement(build(later))
    if first.sql != second.sql or len(first.params) != len(second.params):
        return None
    positions = []
    for n, (a, b) in enumerate(zip(first.params, second.params, strict=True)):
        if a is now or (isinstance(a, datetime) and a == now and b == later):
            positions.append(n)
        elif a != b:
            return None
    first.moments = tuple(positions)
    return first


def instances(alias: str, key: tuple, build, now: datetime | None = None) -> list:
    """``list(build())`` — model instances with their select_related rows and annotations —
    with ``build()``'s SQL compiled once per ``key`` in this process. With ``now``, the
    statement is ``build(now)``'s, compiled once and given each call's ``now`` where the
    moment sits in its parameters (a statement that derives other values from ``now`` is
    compiled on every call)."""
    full = ("instances", alias, *key, now is None)
    statement = _MEMO.get(full)
    if statement is None:
        try:
            if now is None:
                statement = _Statement(build())
            else:
                statement = _at(build, now) or _EVERY_TIME
        except EmptyResultSet:
            statement = _EMPTY
        _keep(full, statement)
    if statement is _EMPTY:
        return []
    if statement is _EVERY_TIME:
        return list(build(now))
    params = statement.params
    if statement.moments:
        params = list(params)
        for n in statement.moments:
            params[n] = now
    with connections[alias].cursor() as cursor:
        cursor.execute(statement.sql, params)
        rows = cursor.fetchall()
    if statement.trim is not None:
        rows = [r[: statement.trim] for r in rows]
    klass_info, select = statement.klass_info, statement.select
    model_cls = klass_info["model"]
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    init_list = [f[0].target.attname for f in select[start:end]]
    populators = get_related_populators(klass_info, select, alias)
    annotations = statement.annotations
    if statement.converters:  # SQLCompiler.apply_converters, with this call's connection
        connection, converters = connections[alias], list(statement.converters.items())
        converted = []
        for row in map(list, rows):
            for position, (functions, expression) in converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            converted.append(row)
        rows = converted
    out = []
    for row in rows:
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
