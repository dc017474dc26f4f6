"""The backend protocol every query engine implements, its one result type, and a registry.

A backend runs a *named query* (``aimstrace.queries.registry.NamedQuery``) with
already-validated, backend-neutral parameter values and returns a `QueryResult`. The RDF backends
(``aimstrace.graph.rdf_backend``) run the query's ``.rq`` text; a Neo4j backend
(``aimstrace.graph.neo4j.backend``) runs its ``.cypher`` text.
Backends are looked up by name through `get_backend`, so the CLI and the API never import a
particular implementation.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

# Re-exported: the parameter values and capabilities are defined below both layers.
from aimstrace.queries.values import BoundValue as BoundValue
from aimstrace.queries.values import Capability as Capability
from aimstrace.queries.values import Iri as Iri

if TYPE_CHECKING:
    from aimstrace.graph.store import Store
    from aimstrace.queries.registry import NamedQuery

JsonValue = str | int | float | bool | None
ResultRow = tuple[JsonValue, ...]


class BackendError(Exception):
    """A backend could not run a query; the message names the backend and the query."""


class BackendUnavailable(BackendError):
    """The requested backend is not installed, not registered or cannot be reached."""


class UnsupportedQuery(BackendError):
    """The backend lacks a capability the named query needs."""


@dataclass(frozen=True)
class QueryResult:
    """Rows of one named query: JSON-friendly values in the declared column order."""

    query: str
    columns: tuple[str, ...]
    rows: tuple[ResultRow, ...]
    backend: str
    elapsed_ms: float
    cached: bool = False  # served from the answer cache; elapsed_ms is then the lookup time

    def as_dicts(self) -> list[dict[str, JsonValue]]:
        """Rows as objects keyed by column name (what `--json` and the API print)."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def normalised(self) -> tuple[ResultRow, ...]:
        """The rows sorted in a total order, so two backends' answers can be compared."""
        return normalise_rows(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def _sort_key(row: ResultRow) -> tuple[tuple[int, str], ...]:
    # None, bools, numbers and strings never compare with each other; rank by type first.
    key: list[tuple[int, str]] = []
    for value in row:
        if value is None:
            key.append((0, ""))
        elif isinstance(value, bool):
            key.append((1, str(value)))
        elif isinstance(value, int | float):
            key.append((2, f"{float(value):+030.10f}"))
        else:
            key.append((3, str(value)))
    return tuple(key)


def normalise_rows(rows: Iterable[Sequence[JsonValue]]) -> tuple[ResultRow, ...]:
    """Rows as tuples sorted in a total order, duplicates kept."""
    return tuple(sorted((tuple(r) for r in rows), key=_sort_key))


def same_rows(first: QueryResult, second: QueryResult) -> bool:
    """True when two results have the same columns and the same rows, in any order."""
    return first.columns == second.columns and first.normalised() == second.normalised()


@runtime_checkable
class GraphBackend(Protocol):
    """A query engine over the organisation graph: one dialect, one result type."""

    name: str
    dialect: ClassVar[str]
    capabilities: ClassVar[frozenset[Capability]]

    def run(self, query: NamedQuery, params: Mapping[str, BoundValue]) -> QueryResult:
        """Run a named query with validated parameter values bound by the engine."""
        ...

    def close(self) -> None:
        """Release connections or caches held by the backend."""
        ...


def can_run(backend: GraphBackend, query: NamedQuery) -> bool:
    """True when the backend has every capability the query needs natively."""
    return query.requires <= backend.capabilities


BackendFactory = Callable[["Store"], GraphBackend]

_FACTORIES: dict[str, BackendFactory] = {}
# Backends that live in optional modules: imported on first use, they register themselves.
_MODULES: dict[str, str] = {
    "rdf": "aimstrace.graph.rdf_backend",
    "oxigraph": "aimstrace.graph.rdf_backend",
    "rdflib": "aimstrace.graph.rdf_backend",
    "neo4j": "aimstrace.graph.neo4j.backend",
}


def register_backend(name: str, factory: BackendFactory) -> None:
    """Make a backend available under a name (`rdf`, `rdflib`, `neo4j`, ...)."""
    _FACTORIES[name] = factory


def backend_names() -> list[str]:
    """The names `get_backend` accepts, whether or not their module is installed."""
    return sorted(set(_FACTORIES) | set(_MODULES))


def get_backend(name: str, store: Store) -> GraphBackend:
    """A backend by name over the given store; a clear error when it is not available."""
    if name not in _FACTORIES and name in _MODULES:
        try:
            importlib.import_module(_MODULES[name])
        except ModuleNotFoundError as exc:
            if exc.name != _MODULES[name]:
                raise BackendUnavailable(
                    f"backend {name!r} is not available: missing module {exc.name}"
                ) from exc
    factory = _FACTORIES.get(name)
    if factory is None:
        if name in _MODULES:
            raise BackendUnavailable(
                f"backend {name!r} is not available in this installation "
                f"(no module {_MODULES[name]})"
            )
        raise BackendUnavailable(
            f"unknown backend {name!r}; expected one of {', '.join(backend_names())}"
        )
    return factory(store)
