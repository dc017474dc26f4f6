"""The embedded RDF store and what sits directly on it.

Owns the Oxigraph dataset (``core``: named graphs, all-or-nothing writes, the read replica;
``changeset``: a write as data and its SPARQL text), the intent change log beside it
(``changelog``), the hash-chained revisions of every write (``history``: the record;
``revision``: a revision as read, and its hash; ``write_context``: who writes and why;
``past``: checkpoints and past states), the answer cache of named queries (``answer_cache``),
and the SPARQL helpers for users' read-only queries (``sparql``) and for rdflib's lack of
LATERAL (``sparql_lateral``). May import ``aimstrace.graph.backend`` (result types),
``aimstrace.queries`` and ``aimstrace.ontology``; nothing else of ours.
"""

from aimstrace.graph.store.changeset import Changeset, WriteSummary
from aimstrace.graph.store.core import (
    DEMO_STORE_DIR,
    Row,
    Store,
    StoreError,
    StoreLockedError,
    is_store_dir,
    resolve_store_dir,
    solution_rows,
)

__all__ = [
    "DEMO_STORE_DIR",
    "Changeset",
    "Row",
    "Store",
    "StoreError",
    "StoreLockedError",
    "WriteSummary",
    "is_store_dir",
    "resolve_store_dir",
    "solution_rows",
]
