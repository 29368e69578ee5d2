"""Calling a service that must refuse: it raises, says why, and writes nothing."""

import pytest


def refused_unchanged(exc_type, call, snapshot, **kwargs):
    """`call(**kwargs)` raises `exc_type` with a message, and `snapshot()` (what the
    test's app holds: counts, rows) is the same after as before. Returns the error."""
    before = snapshot()
    with pytest.raises(exc_type) as info:
        call(**kwargs)
    assert snapshot() == before
    assert str(info.value)
    return info.value
