"""The web process's collector (portal.gc_tuning, issue 19): the WSGI module freezes what is
alive once loaded and raises the thresholds; a bad setting stops the process with its name."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import gc, portal.wsgi\n"
    "from django.urls import get_resolver\n"
    "print(*gc.get_threshold(), gc.get_freeze_count() > 10000, get_resolver()._populated)\n"
)


def _probe(**env):
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_wsgi_application_freezes_its_start_and_raises_the_thresholds():
    done = _probe()
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["50000", "20", "100", "True", "True"]


def test_the_thresholds_come_from_the_environment():
    done = _probe(WEB_GC_THRESHOLDS="20000,10,50")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[:3] == ["20000", "10", "50"]


def test_a_bad_setting_is_named():
    for bad in ("50000,20", "a,b,c", "0,20,100"):
        done = _probe(WEB_GC_THRESHOLDS=bad)
        assert done.returncode != 0
        assert "WEB_GC_THRESHOLDS: three positive integers" in done.stderr
