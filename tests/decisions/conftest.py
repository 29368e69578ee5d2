import pytest

from autogestion.core import clock


@pytest.fixture
def frozen():
    def freeze(moment):
        clock.freeze(moment)
        return moment

    yield freeze
    clock.freeze(None)
