import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k3y-" + "aZ9$" * 16


def _check(env_overrides):
    unset = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "PUBLIC_BASE_URL")
    env = {k: v for k, v in os.environ.items() if k not in unset}
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
    result = _check(
        {
            "SECRET_KEY": GOOD_KEY,
            "ALLOWED_HOSTS": "onewindow.example.gov.cn",
            "SITE_URL": "https://onewindow.example.gov.cn",
        }
    )
    assert result.returncode == 0, result.stderr


# --- SITE_URL: one public base URL (issue 16) -----------------------------------------------------

SAFE = {"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "onewindow.example.gov.cn"}


@pytest.mark.parametrize(
    "site_url, reason",
    [
        (None, "SITE_URL is missing"),
        ("", "SITE_URL is missing"),
        ("http://onewindow.example.gov.cn", "SITE_URL must be https"),
        ("https://", "SITE_URL must be https"),
    ],
)
def test_production_refuses_a_missing_or_plain_http_site_url(site_url, reason):
    overrides = dict(SAFE)
    if site_url is not None:
        overrides["SITE_URL"] = site_url
    result = _check(overrides)
    assert result.returncode != 0
    assert "refuse to start" in result.stderr and reason in result.stderr


def test_production_accepts_an_https_site_url():
    result = _check({**SAFE, "SITE_URL": "https://onewindow.example.gov.cn/"})
    assert result.returncode == 0, result.stderr


def test_make_run_sets_site_url_from_its_port():
    script = (ROOT / "scripts" / "run.sh").read_text()
    result = subprocess.run(
        ["bash", "-c", _site_url_lines(script) + 'echo "$SITE_URL"'],
        env={"PATH": os.environ["PATH"], "PORT": "8016"},
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert result.stdout.strip() == "http://127.0.0.1:8016"
    kept = subprocess.run(
        ["bash", "-c", _site_url_lines(script) + 'echo "$SITE_URL"'],
        env={"PATH": os.environ["PATH"], "PORT": "8016", "SITE_URL": "https://x.gov.cn"},
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert kept.stdout.strip() == "https://x.gov.cn"


def _site_url_lines(script: str) -> str:
    lines = [line for line in script.splitlines() if "SITE_URL" in line]
    assert lines, "scripts/run.sh does not set SITE_URL"
    return "\n".join(lines) + "\n"


def test_docker_compose_takes_site_url_from_the_environment():
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "SITE_URL: ${SITE_URL:?" in compose
    assert "SITE_URL=https://" in (ROOT / ".env.example").read_text()


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit():
    """The planner's JIT compiles every counted queue at a million rows for nothing."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


# --- Celery: sends never wait behind sweeps --------------------------------------------------------


def _queues_of_worker_commands(commands: list[list[str]]) -> list[str]:
    queues = []
    for cmd in commands:
        assert "-Q" in cmd, f"a worker without -Q consumes every queue: {cmd}"
        queues.append(cmd[cmd.index("-Q") + 1])
    return queues


def test_sends_are_routed_to_the_notifications_queue_and_sweeps_to_celery(settings):
    from celery import current_app

    router = current_app.amqp.router

    def queue_of(task):
        return router.route({}, task)["queue"].name

    assert queue_of("portal.tasks.send_delivery") == settings.NOTIFICATIONS_QUEUE
    assert queue_of("portal.tasks.fan_out_deliveries") == settings.NOTIFICATIONS_QUEUE
    assert queue_of("portal.tasks.sweep_reminders") == "celery"
    assert queue_of("enforcement.tasks.callout_sweep") == "celery"
    assert settings.NOTIFICATIONS_QUEUE != "celery"


def test_every_way_of_running_starts_one_worker_per_queue():
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    workers = [
        s["command"]
        for s in compose["services"].values()
        if "worker" in s.get("command", []) and "celery" in s.get("command", [])[:1]
    ]
    assert sorted(_queues_of_worker_commands(workers)) == [
        "${NOTIFICATIONS_QUEUE:-notifications}",
        "celery",
    ]

    script = [
        line.split()
        for line in (ROOT / "scripts" / "run.sh").read_text().splitlines()
        if " worker " in line and line.startswith("$BIN/celery")
    ]
    assert sorted(_queues_of_worker_commands(script)) == [
        '"${NOTIFICATIONS_QUEUE:-notifications}"',
        "celery",
    ]

    bench = (ROOT / "bench" / "load" / "run.py").read_text()
    assert len(re.findall(r'"portal",\s+"worker",', bench)) == 2
    assert '"-Q",\n                "celery",' in bench
    assert 'env.get("NOTIFICATIONS_QUEUE", "notifications")' in bench
