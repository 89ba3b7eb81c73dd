import os
import socket

import pytest
from django.conf import settings

REQUIRE_SERVICES = os.environ.get("ONEWINDOW_REQUIRE_SERVICES") == "1"


def pytest_report_header(config):
    choice = getattr(settings, "DATABASE_CHOICE", "?")
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    lines = [f"onewindow database: {engine} (chosen by {choice})"]
    if engine == "sqlite3":
        lines.append(
            "NOTICE: PostgreSQL did not answer on 127.0.0.1:5432 and DATABASE_URL is unset; "
            "running on SQLite. Database constraints specific to PostgreSQL are not exercised."
        )
    return lines


def redis_url() -> str:
    """The broker of the tests: REDIS_URL, else the checkout's own database of a local Redis
    (portal.settings.test), so that two checkouts testing at once never share a broker."""
    return os.environ.get("REDIS_URL") or settings.REDIS_URL or "redis://127.0.0.1:6379/0"


def redis_answers() -> bool:
    from urllib.parse import urlparse

    url = urlparse(redis_url())
    try:
        with socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), timeout=0.5):
            return True
    except OSError:
        return False


def require_or_skip(ok: bool, reason: str):
    """Skip with a reason on a developer machine; fail in CI, where everything must run."""
    if ok:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _chinese_first():
    """Every test starts in the site's default language, whatever an earlier test activated."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _calendar(request):
    """The calendar lives in a data migration; transactional tests flush it, so put it back,
    and never let one test's calendar edits leak through the in-process cache."""
    from portal import workdays

    workdays.invalidate()
    if request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db") if not _is_transactional(request) else None
        from portal.models import CalendarYear

        if not CalendarYear.objects.filter(year=2026).exists():
            from portal.services import calendar_seed_from_package

            calendar_seed_from_package()
    yield
    workdays.invalidate()


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))


@pytest.fixture
def make_user(db):
    from tests.factories import UserFactory

    return UserFactory.with_role


@pytest.fixture
def town(db):
    """A small hand-drawn town map (tests/portal/area_fixtures.py): {code: Area}."""
    from tests.portal.area_fixtures import make_town

    return make_town()
