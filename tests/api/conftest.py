import pytest

from tests.approvals.app_fixtures import World


@pytest.fixture
def world(db):
    return World()
