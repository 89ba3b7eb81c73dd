"""The cyclic garbage collector of a web process (issue 19).

Python's defaults (a young collection every 700 net allocations of containers) suit small
scripts. A Django worker allocates tens of thousands of containers per request, almost all
freed by reference counting, and holds hundreds of thousands of long-lived objects (modules,
models, URL patterns, compiled templates, translations): under the mixed load the collector
took ~8 % of the workers' CPU, and each full collection walked every one of those objects
(~80 ms, paid by whichever request triggered it).

``settle_for_serving`` runs once per process, when the WSGI application is built: it loads
what the first requests would otherwise load (the URL patterns and their views, the reverse
map), collects once, moves everything alive into the permanent generation (``gc.freeze``:
never scanned again) and raises the thresholds, so that young collections come every
``WEB_GC_THRESHOLDS[0]`` net allocations. Cycles are still collected; only later."""

from __future__ import annotations

import gc

from django.conf import settings
from django.urls import get_resolver


def settle_for_serving() -> None:
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - imports every view module now
    resolver.reverse_dict  # noqa: B018 - builds the reverse map now
    gc.collect()
    gc.freeze()
    gc.set_threshold(*settings.WEB_GC_THRESHOLDS)
