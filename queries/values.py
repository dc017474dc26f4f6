"""Backend-neutral parameter values and capabilities, shared by the registry and every backend.

They live here, below both, so that the registry (which produces bound values) and the backend
protocol in ``aimstrace.graph.backend`` (which consumes them) never import each other.
"""

from __future__ import annotations

import datetime as dt
import enum


class Capability(enum.Enum):
    """What a backend can do natively; a named query lists the capabilities it needs."""

    SPARQL = "sparql"
    CYPHER = "cypher"
    # Shortest paths between arbitrary nodes: Cypher has them, SPARQL does not, so the RDF
    # backends answer such queries with the networkx projection (graph.analytics).
    SHORTEST_PATH = "shortest-path"


class Iri(str):
    """A parameter value that is an IRI (as opposed to a plain string literal)."""

    __slots__ = ()


# Backend-neutral parameter values produced by queries.registry and bound by each backend.
BoundValue = Iri | str | int | float | bool | dt.date
