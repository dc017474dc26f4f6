"""Helpers for the named-query tests: the hand-written fixture graph and its expected rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from aimstrace.graph.store import Store

DATA = Path(__file__).resolve().parent.parent / "data" / "queries"
ORG_GRAPH = ox.NamedNode("https://w3id.org/aimstrace/graph/org")


def load_fixture_store() -> Store:
    """An in-memory store holding tests/data/queries/fixture.ttl."""
    store = Store.in_memory()
    store.load_file(DATA / "fixture.ttl", ox.RdfFormat.TURTLE, ORG_GRAPH)
    return store


def load_expected() -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The prefixes and the cases of expected.yaml."""
    doc = yaml.safe_load((DATA / "expected.yaml").read_text(encoding="utf-8"))
    return doc["prefixes"], doc["cases"]


def expand(value: Any, prefixes: dict[str, str]) -> Any:
    """A compact IRI (sys:SYS-1) written in expected.yaml, as the full IRI."""
    if isinstance(value, str):
        for prefix, base in prefixes.items():
            if value.startswith(prefix):
                return base + value[len(prefix) :]
    return value
