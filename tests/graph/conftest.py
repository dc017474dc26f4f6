"""Fixtures shared by the graph tests."""

from __future__ import annotations

import pytest

from aimstrace.graph.engine import Engine


@pytest.fixture(scope="module")
def engine() -> Engine:
    """An in-memory engine holding the vocabulary and the packaged catalogs."""
    engine = Engine.open(None)
    engine.load_vocabulary()
    engine.load_catalogs()
    return engine
