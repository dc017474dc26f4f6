"""Shared helpers of the API tests (a plain module, so test files can import it by name)."""

from __future__ import annotations

import functools
import gc
from pathlib import Path

import pyoxigraph as ox
from click.testing import CliRunner
from fastapi.testclient import TestClient
from httpx import Response

from aimstrace.api.cli import main
from aimstrace.api.security import hash_key
from aimstrace.graph.engine import Engine
from aimstrace.loaders.pipeline import demo, load_paths

DATA = Path(__file__).resolve().parents[1] / "data" / "api"
KEYS = {"reader": "reader-key-0123456789", "editor": "editor-key-0123456789", "admin": "admin-k"}
LOOPBACK = ("127.0.0.1", 50000)


def key_entries() -> str:
    """The AIMSTRACE_API_KEYS value for the three test keys."""
    return ",".join(f"{role}-bot:{role}:{hash_key(key)}" for role, key in KEYS.items())


def auth_headers(role: str) -> dict[str, str]:
    """Headers carrying the test key of a role."""
    return {"Authorization": f"Bearer {KEYS[role]}"}


@functools.cache
def _demo_nquads() -> bytes:
    """The demo data plus tests/data/api/inventory.yaml, built once and copied per test."""
    engine = Engine.open(None)
    demo(engine)
    load_paths(engine, [DATA / "inventory.yaml"])
    return engine.store.dump(ox.RdfFormat.N_QUADS)


def small_engine() -> Engine:
    """A fresh in-memory engine with the demo catalogs, crosswalks and the test organisation."""
    engine = Engine.open(None)
    engine.store.oxigraph.load(_demo_nquads(), format=ox.RdfFormat.N_QUADS)
    return engine


def post_import(client: TestClient, name: str, content: bytes) -> Response:
    """POST one YAML inventory file to /imports with the editor's key."""
    return client.post(
        "/imports",
        headers=auth_headers("editor"),
        files=[("files", (name, content, "application/yaml"))],
    )


def run_cli(*args: str) -> tuple[int, str, str]:
    """Run the CLI in this process; return its exit code, stdout and stderr."""
    result = CliRunner().invoke(main, list(args))
    outcome = result.exit_code, result.stdout, result.stderr
    del result  # a failed command's traceback keeps its store open
    gc.collect()
    return outcome
