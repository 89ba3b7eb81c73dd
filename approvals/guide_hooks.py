"""Hooks of the public guide's enforcement section (执法事项公示), so that other apps add to it
without approvals importing them (approvals imports none of grid, enforcement, centre).

A provider is a function ``provider(matters) -> {code: details}`` registered from the providing
app's ``AppConfig.ready``. ``details`` may hold:

- ``benchmark_rows``: the discretion benchmark (裁量基准) of the matter, a list of
  ``{"label": "一般情节", "value": "罚款200元至500元"}`` rows shown in order;
- ``benchmark_url``: a page with the full benchmark.

The enforcement app (issue 14) registers the benchmarks it keeps; until then the guide says
that the benchmark is published by the enforcing department."""

from collections.abc import Callable, Iterable

Provider = Callable[[list], dict]

_providers: list[Provider] = []


def register_enforcement_provider(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def unregister_enforcement_provider(provider: Provider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def enforcement_details(matters: Iterable) -> dict[str, dict]:
    """What the providers add to each matter, merged by code (a provider failing to answer
    leaves the page as it is)."""
    matters = list(matters)
    merged: dict[str, dict] = {}
    for provider in _providers:
        for code, details in (provider(matters) or {}).items():
            merged.setdefault(code, {}).update(details or {})
    return merged
