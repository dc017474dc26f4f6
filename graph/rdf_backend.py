"""RDF backends for named queries: Oxigraph (the default) and rdflib (baseline, cross-check).

Both run a query's ``.rq`` text over the union of all named graphs and bind parameters with the
engine's own mechanism: Oxigraph's ``substitutions`` (SPARQL SEP-0007, which replaces the
variable by the term throughout the query, so it must appear in the SELECT projection) and
rdflib's ``initBindings`` on a query prepared once. Queries that need a capability SPARQL lacks
(shortest paths) are answered by the networkx projection in `aimstrace.graph.analytics`.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import pyoxigraph as ox
import rdflib

from aimstrace.graph.backend import (
    BackendError,
    BoundValue,
    Capability,
    Iri,
    JsonValue,
    QueryResult,
    ResultRow,
    UnsupportedQuery,
    register_backend,
)
from aimstrace.graph.json_terms import XSD, literal_to_json, ox_term_to_json
from aimstrace.graph.store import Store, StoreError
from aimstrace.graph.store.sparql_lateral import LateralSpliceError, splice_lateral

if TYPE_CHECKING:
    from rdflib.plugins.sparql.sparql import Query as PreparedQuery

    from aimstrace.queries.registry import NamedQuery


def _to_ox(value: BoundValue) -> ox.NamedNode | ox.Literal:
    if isinstance(value, Iri):
        return ox.NamedNode(value)
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=ox.NamedNode(XSD + "double"))
    if isinstance(value, dt.date):
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(XSD + "date"))
    return ox.Literal(value)


def _rdflib_to_json(term: object) -> JsonValue:
    if term is None:
        return None
    if isinstance(term, rdflib.URIRef):
        return str(term)
    if isinstance(term, rdflib.BNode):
        return f"_:{term}"
    if isinstance(term, rdflib.Literal):
        datatype = str(term.datatype) if term.datatype else XSD + "string"
        return literal_to_json(str(term), datatype)
    return str(term)


def _to_rdflib(value: BoundValue) -> rdflib.term.Identifier:
    if isinstance(value, Iri):
        return rdflib.URIRef(value)
    if isinstance(value, bool):
        return rdflib.Literal(value)
    if isinstance(value, int):
        return rdflib.Literal(value, datatype=rdflib.XSD.integer)
    if isinstance(value, float):
        return rdflib.Literal(value, datatype=rdflib.XSD.double)
    if isinstance(value, dt.date):
        return rdflib.Literal(value.isoformat(), datatype=rdflib.XSD.date)
    return rdflib.Literal(value)


def _ox_term_to_rdflib(term: Any) -> rdflib.term.Identifier:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == XSD + "string":
            # RDF 1.1 makes "x" and "x"^^xsd:string one term; rdflib keeps them apart.
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise BackendError(f"cannot copy RDF-star term {term} to rdflib")


AnalyticAnswer = Callable[[Store, "NamedQuery", Mapping[str, BoundValue]], list[ResultRow]]


def _analytic_answer(query: NamedQuery) -> AnalyticAnswer:
    from aimstrace.graph.analytics.core import ANALYTIC_QUERIES

    answer = ANALYTIC_QUERIES.get(query.name)
    if answer is None:
        raise UnsupportedQuery(
            f"query {query.name} needs {sorted(c.value for c in query.requires)}, which the RDF "
            "backends lack, and graph.analytics has no answer for it"
        )
    return answer


class _RdfBackendBase:
    """What both RDF backends share: capability checks and timing."""

    name: str = "rdf"
    dialect: ClassVar[str] = "sparql"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.SPARQL})

    def __init__(self, store: Store) -> None:
        self.store = store

    def run(self, query: NamedQuery, params: Mapping[str, BoundValue]) -> QueryResult:
        """Run a named query; parameters are already validated by the registry."""
        started = time.perf_counter()
        if not query.requires <= self.capabilities:
            rows = _analytic_answer(query)(self.store, query, params)
        else:
            if query.sparql is None:
                raise UnsupportedQuery(f"query {query.name} has no SPARQL text")
            rows = self._select(query, params)
        elapsed = (time.perf_counter() - started) * 1000.0
        return QueryResult(query.name, query.column_names, tuple(rows), self.name, elapsed)

    def _select(self, query: NamedQuery, params: Mapping[str, BoundValue]) -> list[ResultRow]:
        raise NotImplementedError

    def close(self) -> None:
        """Nothing to release: the store belongs to the engine."""


# Named queries whose Oxigraph answer comes from graph/impact_index.py: the same rows as their
# SPARQL text, without Oxigraph's cost per intermediate solution on popular entities.
INDEXED_QUERIES = {"dataset-impact": "dataset", "vendor-impact": "vendor"}
# Before the index is built (a one-shot CLI process; a server builds it at start), an entity
# whose lineage reaches fewer datasets than this is answered by SPARQL: a few milliseconds,
# where building the index costs seconds at 1M triples. A popular one builds it (the most-used
# dataset at 1M: 10.7 s of CPU by SPARQL, 5.6 s to build the index and 0.6 s to answer).
HUB_LINEAGE = 2000
_LINEAGE_PROBES = {
    "dataset": "SELECT ?e ?x WHERE { ?x <http://www.w3.org/ns/prov#wasDerivedFrom>* ?e } LIMIT ",
    "vendor": "SELECT ?e ?x WHERE { ?s <https://w3id.org/aimstrace/ns#suppliedBy> ?e . "
    "?x <http://www.w3.org/ns/prov#wasDerivedFrom>* ?s } LIMIT ",
}


class OxigraphBackend(_RdfBackendBase):
    """Named queries on the embedded Oxigraph store, parameters bound by substitution.

    dataset-impact and vendor-impact are answered from the store's impact index
    (graph/impact_index.py): always with `use_index=True`, never with False (benchmarks and
    tests compare both), and by default once it is built or for an entity whose lineage is big
    enough to pay for building it (HUB_LINEAGE).
    """

    name = "oxigraph"

    def __init__(self, store: Store, use_index: bool | None = None) -> None:
        super().__init__(store)
        self.use_index = use_index

    def _index_pays(self, parameter: str, entity: Iri) -> bool:
        if self.use_index is not None:
            return self.use_index
        from aimstrace.graph.impact_index import impact_index_for

        if impact_index_for(self.store).built:
            return True
        probe = self.store.query(
            _LINEAGE_PROBES[parameter] + str(HUB_LINEAGE), {"e": ox.NamedNode(entity)}
        )
        assert isinstance(probe, ox.QuerySolutions)
        return sum(1 for _ in probe) >= HUB_LINEAGE

    def _select(self, query: NamedQuery, params: Mapping[str, BoundValue]) -> list[ResultRow]:
        assert query.sparql is not None
        parameter = INDEXED_QUERIES.get(query.name)
        entity_value = params.get(parameter) if parameter is not None else None
        if (
            parameter is not None
            and isinstance(entity_value, Iri)
            and self._index_pays(parameter, entity_value)
        ):
            from aimstrace.graph.impact_index import impact_index_for

            index = impact_index_for(self.store)
            entity = str(entity_value)
            answer = index.dataset_impact if parameter == "dataset" else index.vendor_impact
            return answer(entity)  # type: ignore[return-value]
        substitutions = {name: _to_ox(value) for name, value in params.items()}
        try:
            result = self.store.query(query.sparql, substitutions)
        except StoreError as exc:
            raise BackendError(f"query {query.name} failed on oxigraph: {exc}") from exc
        except RuntimeError as exc:  # pyoxigraph reports substitution problems this way
            raise BackendError(f"query {query.name} failed on oxigraph: {exc}") from exc
        if not isinstance(result, ox.QuerySolutions):
            raise BackendError(f"query {query.name} is not a SELECT query")
        # Cells are read by position (a solution iterates in projection order), which is
        # cheaper than by name; the declared columns are mapped onto the projection once.
        projected = [variable.value for variable in result.variables]
        missing = [c for c in query.column_names if c not in projected]
        if missing:
            raise BackendError(f"query {query.name} does not select column(s) {missing}")
        positions = [projected.index(c) for c in query.column_names]
        # A big answer repeats its terms (statuses, frameworks, counts, the same control on
        # many rows): each distinct term is converted once (control-overlap at 300k triples,
        # 22,608 rows: conversion 240 -> 80 ms).
        converted: dict[object, JsonValue] = {}

        def convert(term: object) -> JsonValue:
            try:
                return converted[term]
            except KeyError:
                value = converted[term] = ox_term_to_json(term)
                return value

        if positions == list(range(len(projected))):
            return [tuple(map(convert, solution)) for solution in result]
        return [tuple(convert(cells[i]) for i in positions) for cells in map(tuple, result)]


class RdflibBackend(_RdfBackendBase):
    """Named queries on an rdflib copy of the store (the baseline and a conformance check).

    The copy is rebuilt when the store's change log moves on; each query is parsed once.
    """

    name = "rdflib"

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self._graph: rdflib.Graph | None = None
        self._generation = -1
        self._prepared: dict[str, PreparedQuery] = {}

    @property
    def graph(self) -> rdflib.Graph:
        """The rdflib graph holding the union of the store's graphs, refreshed on change."""
        # The store's write count, bumped after each commit and read before the copy is made:
        # a write that lands during the copy makes the next read copy again.
        generation = self.store.generation
        if self._graph is None or generation != self._generation:
            graph = rdflib.Graph()
            for quad in self.store.quads():
                graph.add(
                    (
                        _ox_term_to_rdflib(quad.subject),
                        _ox_term_to_rdflib(quad.predicate),
                        _ox_term_to_rdflib(quad.object),
                    )
                )
            self._graph, self._generation = graph, generation
        return self._graph

    def prepared(self, query: NamedQuery) -> PreparedQuery:
        """The query parsed and translated once per process."""
        prepared = self._prepared.get(query.name)
        if prepared is None:
            assert query.sparql is not None
            # Imported here: rdflib's SPARQL engine (pyparsing) takes 0.4-0.9 s to import, and
            # only the rdflib backend needs it; the Oxigraph backend shares this module.
            from rdflib.plugins.sparql import prepareQuery

            try:
                prepared = prepareQuery(splice_lateral(query.sparql))
            except LateralSpliceError as exc:
                raise BackendError(f"query {query.name}: {exc}") from exc
            except Exception as exc:  # rdflib raises pyparsing errors of several kinds
                raise BackendError(f"query {query.name} does not parse in rdflib: {exc}") from exc
            self._prepared[query.name] = prepared
        return prepared

    def _select(self, query: NamedQuery, params: Mapping[str, BoundValue]) -> list[ResultRow]:
        bindings = {name: _to_rdflib(value) for name, value in params.items()}
        result = self.graph.query(self.prepared(query), initBindings=bindings)
        columns = [rdflib.Variable(c) for c in query.column_names]
        rows: list[ResultRow] = []
        for solution in result:
            assert isinstance(solution, rdflib.query.ResultRow)
            rows.append(tuple(_rdflib_to_json(solution.get(c)) for c in columns))
        return rows


register_backend("rdf", OxigraphBackend)
register_backend("oxigraph", OxigraphBackend)
register_backend("rdflib", RdflibBackend)
