"""Scale data for the benchmarks: ``manage.py generate`` runs every app's generator part in
order against an empty PostgreSQL database.

The core knows no domain app, so each app registers its part in its AppConfig.ready(), as the
demo seeders and reminder rules do:

    from portal.generate import Part, register
    register(Part(order=10, name="applications", add_arguments=..., run=...))

``add_arguments(parser)`` adds the part's own options; ``run(run)`` builds its data and returns
a dict of figures (``{"counts": {...}, "timings": {...}}``) that the command prints
(:func:`describe_figures` unless the part gives its own ``describe``). The
:class:`Run` carries the options, the shared seed and "today", and what earlier parts left for
later ones in ``run.shared`` (e.g. the areas for the applications' villages)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass
class Run:
    options: dict[str, Any]
    seed: int
    today: date | None
    years: int
    log: Callable[[str], None] = print
    shared: dict[str, Any] = field(default_factory=dict)


def describe_figures(result: dict) -> str:
    """A part's figures as the command prints them: one count a line, then the timings."""
    lines = [f"{key}: {value:,}" for key, value in result["counts"].items()]
    lines += [f"time {key}: {value} s" for key, value in result["timings"].items()]
    return "\n".join(lines)


@dataclass(frozen=True)
class Part:
    order: int
    name: str
    run: Callable[[Run], dict]
    add_arguments: Callable[[Any], None] = lambda parser: None
    describe: Callable[[dict], str] = describe_figures


_parts: dict[str, Part] = {}


def register(part: Part) -> None:
    _parts[part.name] = part


def parts() -> list[Part]:
    return sorted(_parts.values(), key=lambda p: (p.order, p.name))
