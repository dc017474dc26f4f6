"""Helpers for the inventory loader tests: a store with the real catalogs, org-graph reads."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from aimstrace.graph.engine import Engine
from aimstrace.graph.store import Store
from aimstrace.ontology.iris import graph_iri

DATA = Path(__file__).parents[1] / "data" / "inventory"
ORG = ox.NamedNode(str(graph_iri("org")))


@cache
def _reference_quads() -> tuple[ox.Quad, ...]:
    engine = Engine(Store.in_memory())
    engine.load_vocabulary()
    engine.load_catalogs()
    return tuple(engine.store.quads())


def catalog_store() -> Store:
    """A fresh in-memory store holding the packaged vocabulary and catalogs (no org data)."""
    store = Store.in_memory()
    store.oxigraph.extend(_reference_quads())
    return store


def all_quads(store: Store) -> set[ox.Quad]:
    """Every quad in the store, for before/after comparisons."""
    return set(store.quads())


def org_graph(store: Store) -> Graph:
    """The organisation graph as an rdflib Graph, for isomorphism checks."""
    data = store.dump(ox.RdfFormat.N_TRIPLES, ORG)
    graph = Graph()
    graph.parse(data=data.decode("utf-8"), format="nt")
    return graph
