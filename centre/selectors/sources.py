"""The four kinds on the one clock and the app selectors that report them. The centre reads
every app only through these (approvals, grid, enforcement); nothing here queries their
tables."""

from __future__ import annotations

from types import ModuleType

from django.utils.translation import gettext_lazy as _

from approvals.selectors import clock as application_clock
from enforcement.selectors import clock as case_clock
from grid.selectors import clock as incident_clock

KIND_LABELS = {
    "application": _("办件"),
    "incident": _("事件"),
    "work_order": _("工单"),
    "case": _("案件"),
}


def sources() -> dict[str, ModuleType]:
    """kind → the app's clock selectors (``late_keys`` and ``items_for``, ``late_items``,
    ``item``, ``workload``, ``workload_keys`` (the forecast's), ``counts``).
    Work orders join when the dispatch issue's selectors are on main."""
    found = {
        "application": application_clock,
        "incident": incident_clock,
        "case": case_clock,
    }
    try:
        from grid.selectors import work_order_clock  # issue 13
    except ImportError:
        pass
    else:
        found["work_order"] = work_order_clock
    return found


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))
