"""Shared fixture for the named-query tests."""

from __future__ import annotations

import pytest
from query_fixtures import load_fixture_store

from aimstrace.graph.store import Store


@pytest.fixture(scope="module")
def fixture_store() -> Store:
    """The fixture graph, shared by the tests of one module (they only read it)."""
    return load_fixture_store()
