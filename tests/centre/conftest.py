import pytest

from tests.centre.town import Town


@pytest.fixture
def ctown(db):
    return Town()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The board is cached per change stamp: start each test without another test's board."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
