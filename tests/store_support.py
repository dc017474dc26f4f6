"""Test helper: mark a hand-built store as initialised, as `aimstrace init` would."""

from __future__ import annotations

import pyoxigraph as ox

from aimstrace.graph.engine import VOCABULARY_GRAPH
from aimstrace.graph.store import Changeset, Store

ONTOLOGY = ox.NamedNode("https://w3id.org/aimstrace/ns")
OWL_ONTOLOGY = ox.NamedNode("http://www.w3.org/2002/07/owl#Ontology")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def mark_initialised(store: Store) -> None:
    """Put the ontology header (one triple) into the vocabulary graph."""
    quad = ox.Quad(ONTOLOGY, RDF_TYPE, OWL_ONTOLOGY, ox.NamedNode(VOCABULARY_GRAPH))
    store.apply(Changeset(add=(quad,)))
