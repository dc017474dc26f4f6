"""The embedded RDF store and what sits directly on it.

Owns the Oxigraph dataset (``core``: named graphs, all-or-nothing writes, the read replica), the
intent change log beside it (``changelog``), the hash-chained revisions of every write
(``history``), the answer cache of named queries (``answer_cache``), and the SPARQL helpers for
users' read-only queries (``sparql``) and for rdflib's lack of LATERAL (``sparql_lateral``). May
import ``aimstrace.graph.backend`` (result types), ``aimstrace.queries`` and ``aimstrace.ontology``;
nothing else of ours.
"""

from aimstrace.graph.store.core import (
    Changeset,
    Row,
    Store,
    StoreError,
    WriteSummary,
    resolve_store_dir,
    solution_rows,
)

__all__ = [
    "Changeset",
    "Row",
    "Store",
    "StoreError",
    "WriteSummary",
    "resolve_store_dir",
    "solution_rows",
]
