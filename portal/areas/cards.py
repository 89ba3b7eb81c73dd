"""What an area's card shows beyond its own figures: each app adds sections (in its
AppConfig.ready), so the core never imports a domain app. The grid app adds the people and the
patrol compliance; the incidents issue adds the open work.

    from portal.areas import cards
    cards.register("open-work", open_work_section, order=30)

``fn(area, user)`` returns None (nothing to show this person) or a dict:
``{"title": str, "rows": [(label, value), ...], "links": [(label, url), ...], "note": str}``.
A section must be cheap (a few queries) and respect the person's scope."""

from collections.abc import Callable

_sections: dict[str, tuple[int, Callable]] = {}


def register(key: str, fn: Callable, order: int = 100) -> None:
    _sections[key] = (order, fn)


def sections(area, user) -> list[dict]:
    result = []
    for key, (_order, fn) in sorted(_sections.items(), key=lambda kv: (kv[1][0], kv[0])):
        section = fn(area, user)
        if section:
            result.append({"key": key, "rows": [], "links": [], "note": "", **section})
    return result
