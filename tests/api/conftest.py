"""Fixtures for the API tests: an in-memory engine with a small dataset and keys per role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from api_support import LOOPBACK, auth_headers, key_entries, small_engine  # type: ignore[import-not-found]
from browser_support import chromium  # type: ignore[import-not-found]
from fastapi.testclient import TestClient

from aimstrace.api.app import create_app
from aimstrace.api.settings import Settings
from aimstrace.graph.engine import Engine


@pytest.fixture
def auth() -> Callable[[str], dict[str, str]]:
    """auth("editor") -> headers with the editor's key."""
    return auth_headers


@pytest.fixture
def make_engine() -> Callable[[], Engine]:
    """Factory for more engines with the same data."""
    return small_engine


@pytest.fixture
def engine() -> Engine:
    """A fresh engine per test (tests may import into it)."""
    return small_engine()


@pytest.fixture
def settings() -> Settings:
    """Settings with the three test keys configured."""
    return Settings(api_keys=key_entries())


@pytest.fixture
def client(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    """A client with the reader key (pass other headers per request to change role)."""
    app = create_app(settings, engine)
    with TestClient(
        base_url="http://127.0.0.1",
        app=app,
        headers=auth_headers("reader"),
        raise_server_exceptions=False,
    ) as test_client:
        yield test_client


@pytest.fixture
def local_client(engine: Engine) -> Iterator[TestClient]:
    """A loopback client of a server with no keys configured (local mode)."""
    app = create_app(Settings(), engine)
    with TestClient(
        base_url="http://127.0.0.1", app=app, client=LOOPBACK, raise_server_exceptions=False
    ) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium through Playwright, one per page test module (browser_support.py)."""
    with chromium() as launched:
        yield launched
