"""Fixtures for the API tests: an in-memory engine with a small dataset and keys per role."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.security import hash_key
from api.settings import Settings
from graph.engine import Engine

DATA = Path(__file__).resolve().parents[1] / "data" / "api"
KEYS = {"reader": "reader-key-0123456789", "editor": "editor-key-0123456789", "admin": "admin-k"}
LOOPBACK = ("127.0.0.1", 50000)


def key_entries() -> str:
    """The AIMSTRACE_API_KEYS value for the three test keys."""
    return ",".join(f"{role}-bot:{role}:{hash_key(key)}" for role, key in KEYS.items())


def auth_headers(role: str) -> dict[str, str]:
    """Headers carrying the test key of a role."""
    return {"Authorization": f"Bearer {KEYS[role]}"}


@pytest.fixture
def auth() -> Callable[[str], dict[str, str]]:
    """auth("editor") -> headers with the editor's key."""
    return auth_headers


@functools.cache
def _demo_nquads() -> bytes:
    """The demo data plus tests/data/api/inventory.yaml, built once and copied per test."""
    engine = Engine.open(None)
    engine.demo()
    engine.load_paths([DATA / "inventory.yaml"])
    return engine.store.dump(ox.RdfFormat.N_QUADS)


def small_engine() -> Engine:
    """A fresh in-memory engine with the demo catalogs, crosswalks and the test organisation."""
    engine = Engine.open(None)
    engine.store.oxigraph.load(_demo_nquads(), format=ox.RdfFormat.N_QUADS)
    return engine


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
        app, headers=auth_headers("reader"), raise_server_exceptions=False
    ) as test_client:
        yield test_client


@pytest.fixture
def local_client(engine: Engine) -> Iterator[TestClient]:
    """A loopback client of a server with no keys configured (local mode)."""
    app = create_app(Settings(), engine)
    with TestClient(app, client=LOOPBACK, raise_server_exceptions=False) as test_client:
        yield test_client
