import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k3y-" + "aZ9$" * 16


def _check(env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")}
    env.update({"DJANGO_SETTINGS_MODULE": "portal.settings.production", **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "overrides, reason",
    [
        ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "a.gov.cn", "DEBUG": "1"}, "DEBUG is on"),
        ({"ALLOWED_HOSTS": "a.gov.cn"}, "SECRET_KEY"),
        ({"SECRET_KEY": "short", "ALLOWED_HOSTS": "a.gov.cn"}, "SECRET_KEY"),
        ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
        (
            {"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "a.gov.cn", "SESSION_COOKIE_SECURE": "0"},
            "cookies",
        ),
    ],
)
def test_production_refuses_unsafe_configuration(overrides, reason):
    result = _check(overrides)
    assert result.returncode != 0
    assert "refuse to start" in result.stderr and reason in result.stderr


def test_production_accepts_a_safe_configuration():
    result = _check({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "onewindow.example.gov.cn"})
    assert result.returncode == 0, result.stderr
