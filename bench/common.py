"""Helpers of the bench scripts: Django set-up, timing, percentiles, a Markdown table."""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def timed(fn, rounds: int, warmup: int = 3) -> dict:
    """Milliseconds of ``fn()`` over ``rounds`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return {
        "p50": percentile(samples, 0.5),
        "p95": percentile(samples, 0.95),
        "mean": statistics.fmean(samples),
        "max": max(samples),
        "n": rounds,
    }


def throughput(fn, seconds: float = 3.0, warmup: int = 20) -> float:
    """Calls of ``fn()`` per second, one after the other, for about ``seconds``."""
    for _ in range(warmup):
        fn()
    count = 0
    start = time.perf_counter()
    while True:
        fn()
        count += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count / elapsed


def row(name: str, stats: dict, target: float | None = None) -> str:
    verdict = ""
    if target is not None:
        verdict = "yes" if stats["p95"] < target else "NO"
    return (
        f"| {name} | {stats['p50']:.1f} | {stats['p95']:.1f} | {stats['max']:.1f} | "
        f"{'' if target is None else f'< {target:g}'} | {verdict} |"
    )


HEADER = "| what | p50 ms | p95 ms | max ms | target (p95) | met |\n|---|---:|---:|---:|---|---|"


def machine() -> str:
    load = os.getloadavg()
    return f"{os.cpu_count()} CPUs, load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}"
