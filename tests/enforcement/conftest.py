import pytest

from tests.enforcement.world import World


@pytest.fixture
def world(db):
    return World()
