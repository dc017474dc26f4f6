"""The engine facade: what the CLI, the API and the tests call for anything on the store.

Reading files into the store is the loaders' work (``aimstrace.loaders.pipeline`` and
``aimstrace.loaders.load``), which writes through this facade's store; the engine never imports
the loaders, so the layers stay api -> loaders -> graph.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from importlib.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pyoxigraph as ox

from aimstrace.graph.catalog import (
    FrameworkInfo,
    RequirementInfo,
    list_frameworks,
    list_requirements,
)
from aimstrace.graph.store import Row, Store, StoreError, WriteSummary
from aimstrace.graph.store.answer_cache import AnswerCache
from aimstrace.ontology import FRAMEWORK_IDS, catalog_path, vocabulary_path
from aimstrace.ontology.iris import graph_iri

T = TypeVar("T")

if TYPE_CHECKING:
    from collections.abc import Mapping

    from aimstrace.graph.analytics.core import FailurePoint, ImpactRadius, PathStep
    from aimstrace.graph.backend import QueryResult
    from aimstrace.graph.crosswalk.coverage import CoverageEntry
    from aimstrace.graph.crosswalk.derivation import DerivationResult
    from aimstrace.graph.crosswalk.sets import MappingView
    from aimstrace.graph.history import Diff, GapLifecycle
    from aimstrace.graph.store.history import Revision, Verification
    from aimstrace.graph.validation.gaps import GapReport

VOCABULARY_GRAPH = graph_iri("vocabulary")
CACHED_BACKENDS = frozenset({"rdf", "oxigraph"})


def catalog_graph(framework: str) -> ox.NamedNode:
    """The named graph that holds one framework's catalog."""
    return ox.NamedNode(graph_iri("catalog", framework))


def _parse_packaged(resource: Traversable) -> list[ox.Triple]:
    data = resource.read_bytes()
    return [q.triple for q in ox.parse(data, format=ox.RdfFormat.TURTLE)]


class Engine:
    """One store plus the operations every interface needs."""

    def __init__(self, store: Store, answers: AnswerCache | None = None) -> None:
        self.store = store
        self._query_backends: dict[str, Any] = {}
        self.answers = answers if answers is not None else AnswerCache()
        self._past: dict[str, Engine] = {}
        # Gap reports by (store generation, date, engine): the workbench pages through one
        # report in many requests, and a validation at scale takes seconds.
        self._gap_reports: dict[tuple[int, date, str], GapReport] = {}
        self._gap_lock = threading.Lock()
        self._reads: dict[tuple[str, str], tuple[int, Any]] = {}

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None) -> Engine:
        """Open (or create) the persistent store at path; None means an in-memory store."""
        return cls(Store(path))

    # ----- reference data ----------------------------------------------------------------------

    def load_vocabulary(self) -> WriteSummary:
        """Put the packaged AIMS vocabulary into its graph (idempotent)."""
        graph = ox.NamedNode(VOCABULARY_GRAPH)
        return self.store.replace_graph(graph, _parse_packaged(vocabulary_path()))

    def load_catalogs(self) -> WriteSummary:
        """Put every packaged reference catalog into its own graph (idempotent)."""
        total = WriteSummary()
        for framework in FRAMEWORK_IDS:
            part = self.store.replace_graph(
                catalog_graph(framework), _parse_packaged(catalog_path(framework))
            )
            total.added += part.added
            total.removed += part.removed
            total.graphs |= part.graphs
        return total

    # ----- crosswalks (graph/crosswalk/) --------------------------------------------------------

    def derive_mappings(self, max_length: int = 3) -> DerivationResult:
        """Recompute the derived mappings from the asserted ones (set algebra, bounded chains)."""
        from aimstrace.graph.crosswalk.sets import derive_mappings

        return derive_mappings(self.store, max_length)

    def mappings(
        self,
        from_framework: str,
        to_framework: str,
        derived: bool = False,
        requirement: str | None = None,
    ) -> list[MappingView]:
        """Mappings between two frameworks, read from the first to the second."""
        from aimstrace.graph.crosswalk.sets import list_mappings

        return list_mappings(self.store, from_framework, to_framework, derived, requirement)

    def coverage(self, framework: str) -> list[CoverageEntry]:
        """Coverage of a framework's requirements by the implemented controls."""
        from aimstrace.graph.crosswalk.coverage import coverage

        return list(self._memo(("coverage", framework), lambda: coverage(self.store, framework)))

    def export_mappings(
        self, fmt: str, sets: list[str] | None = None, derived: bool = False
    ) -> str:
        """Mapping sets as SSSOM TSV or an OSCAL mapping-collection (JSON text)."""
        from aimstrace.graph.crosswalk.sets import export_mappings

        return export_mappings(self.store, fmt, sets, derived)

    # ----- organisation inventory ---------------------------------------------------------------

    def list_entities(self, kind: str) -> list[dict[str, Any]]:
        """Every entity of one register (systems, datasets, people, ...) as JSON-friendly dicts."""
        from aimstrace.graph.inventory import list_entities

        return list(self._memo(("entities", kind), lambda: list_entities(self.store, kind)))

    def _memo(self, key: tuple[str, str], compute: Callable[[], list[T]]) -> list[T]:
        # Register lists and coverage are read on every workbench page; kept until the next
        # write (the store's generation), like the named-query answers. Callers get a copy of
        # the list and must not change the entries.
        generation = self.store.generation
        with self._gap_lock:
            found = self._reads.get(key)
        if found is not None and found[0] == generation:
            cached: list[T] = found[1]
            return cached
        value = compute()
        with self._gap_lock:
            self._reads[key] = (generation, value)
        return value

    # ----- validation (graph/validation/) ------------------------------------------------------

    def validate(
        self,
        as_of: str | date | None = None,
        shapes: list[Path] | None = None,
        engine: str = "auto",
        write_back: bool = False,
    ) -> GapReport:
        """Run the completeness shapes on an evaluation date; optionally store the gaps."""
        from aimstrace.graph.validation.gaps import write_back as store_gaps
        from aimstrace.graph.validation.runner import (
            choose_engine,
            load_shape_files,
            parse_as_of,
            validate,
        )

        shape_set = load_shape_files(shapes) if shapes else None
        when = parse_as_of(as_of)
        key = (self.store.generation, when, engine)
        cacheable = shape_set is None and not write_back
        if cacheable and key in self._gap_reports:
            return self._gap_reports[key]
        report = validate(self.store, when, shape_set, choose_engine(engine))
        if cacheable:
            with self._gap_lock:
                while len(self._gap_reports) >= 4:
                    self._gap_reports.pop(next(iter(self._gap_reports)))
                self._gap_reports[key] = report
        if write_back:
            store_gaps(self.store, report)
            self.store.flush()
        return report

    # ----- history (graph/store/history.py, graph/history.py) ---------------------------------

    def at(self, ref: str | None) -> Engine:
        """The engine over the store as it was after a revision (r12 or a timestamp), read-only.

        None means the present. Past engines are kept with their store's past states, so a
        repeated question about one revision reuses its store, answer cache and projections.
        """
        if ref is None:
            return self
        past_store = self.store.at(ref)
        label = past_store.revision or ref
        engine = self._past.get(label)
        if engine is None or engine.store is not past_store:
            engine = Engine(past_store)
            self._past = {
                k: v for k, v in self._past.items() if v.store in self.store.past_states()
            }
            self._past[label] = engine
        return engine

    def history(self, newest_first: bool = True) -> list[Revision]:
        """Every revision of the store."""
        return self.store.history.revisions(newest_first=newest_first)

    def revision(self, ref: str) -> Revision:
        """One revision by id (r12) or timestamp."""
        return self.store.history.get(self.store.history.resolve(ref))

    def verify_history(self) -> Verification:
        """Recompute the hash chain; the result names the first revision that does not match."""
        return self.store.history.verify()

    def diff(self, base: str, target: str | None = None, as_of: str | date | None = None) -> Diff:
        """Entities per register, mappings per set and gaps opened or closed between revisions."""
        from aimstrace.graph.history import diff
        from aimstrace.graph.validation.runner import parse_as_of

        return diff(self.store, base, target, parse_as_of(as_of))

    def gap_lifecycles(self, as_of: str | date | None = None) -> list[GapLifecycle]:
        """Each gap of the history with the revision it was first seen in and, if gone, closed."""
        from aimstrace.graph.history import gap_lifecycles
        from aimstrace.graph.validation.runner import parse_as_of

        return gap_lifecycles(self.store, parse_as_of(as_of))

    # ----- reads ---------------------------------------------------------------------------------

    def frameworks(self) -> list[FrameworkInfo]:
        """The frameworks in the store with their requirement counts."""
        return list_frameworks(self.store)

    def requirements(self, framework: str) -> list[RequirementInfo]:
        """The requirements of one framework."""
        return list_requirements(self.store, framework)

    def sparql_select(self, query: str) -> tuple[list[str], list[Row]]:
        """Run a user's read-only SPARQL SELECT; returns variable names and rows."""
        from aimstrace.graph.store.sparql import run_read_only

        return run_read_only(self.store, query)

    def sparql(
        self,
        query: str,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
    ) -> ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean:
        """Start a user's read-only SPARQL query; results come lazily, updates are refused.

        Lazy so that a caller with a deadline or a row cap (the API) can stop consuming.
        `default_graphs` / `named_graphs` are the protocol's dataset (SPARQL 1.1 Protocol 2.1.4).
        """
        from aimstrace.graph.store.dataset import ProtocolDataset
        from aimstrace.graph.store.sparql import UpdateRefused, looks_like_update

        try:
            return self.store.query(
                query, dataset=ProtocolDataset(tuple(default_graphs), tuple(named_graphs))
            )
        except StoreError:
            if looks_like_update(query):
                raise UpdateRefused(
                    "SPARQL updates are refused: this endpoint is read-only"
                ) from None
            raise

    # ----- named queries and analytics (queries/, graph.backend, graph.analytics) -----------

    def run_query(
        self, name: str, params: Mapping[str, object] | None = None, backend: str = "rdf"
    ) -> QueryResult:
        """Run a named query; parameters are validated, then bound by the backend's engine."""
        from aimstrace.graph.backend import get_backend
        from aimstrace.queries.registry import default_registry

        query = default_registry()[name]
        bound = query.bind(params or {})
        if self.store.revision is not None and backend == "neo4j":
            raise ValueError(
                f"the store as of {self.store.revision} is answered by the RDF store only: "
                "the Neo4j projection holds the present"
            )
        # Answers on the store itself are kept until the next write (graph/store/answer_cache.py);
        # Neo4j answers depend on when the projection last synced, rdflib's are the baseline.
        if backend not in self._query_backends:
            self._query_backends[backend] = get_backend(backend, self.store)
        run = self._query_backends[backend].run
        if backend not in CACHED_BACKENDS:
            uncached: QueryResult = run(query, bound)
            if not uncached.rows:
                self._require_parameter_entities(query, bound)
            return uncached
        # Both names are the same Oxigraph backend, so they share one entry.
        key = (name, tuple(sorted(bound.items())))
        generation = self.store.generation  # read before the query: see AnswerCache
        started = time.perf_counter()
        cached = self.answers.get(key, generation)
        if cached is not None:
            elapsed = (time.perf_counter() - started) * 1000.0
            return replace(cached, elapsed_ms=elapsed, cached=True)
        result: QueryResult = run(query, bound)
        if not result.rows:
            self._require_parameter_entities(query, bound)
        self.answers.put(key, generation, result)
        return result

    def trace(self, system_id: str) -> QueryResult:
        """Everything behind one AI system (the system-trace named query)."""
        result = self.run_query("system-trace", {"system": system_id})
        if not result.rows:
            self._require_entity("system", system_id)
        return result

    def impact(self, kind: str, entity_id: str) -> ImpactRadius:
        """What a dataset, vendor or person reaches: systems, owners, risks, requirements."""
        from aimstrace.graph.analytics.core import analytics_for
        from aimstrace.queries.registry import resolve_node

        iri = entity_id if ":" in entity_id else resolve_node(f"{kind}:{entity_id}")
        return analytics_for(self.store).impact_radius(kind, iri)

    def explain_path(self, source: str, target: str) -> list[PathStep]:
        """The shortest chain of links between two nodes (IRI, KIND:ID or FRAMEWORK:NOTATION)."""
        from aimstrace.graph.analytics.core import analytics_for
        from aimstrace.queries.registry import resolve_node

        return analytics_for(self.store).explain_path(resolve_node(source), resolve_node(target))

    def single_points_of_failure(self, limit: int = 20) -> list[FailurePoint]:
        """Vendors, datasets and people whose loss cuts the most systems off, ranked."""
        from aimstrace.graph.analytics.core import analytics_for

        return analytics_for(self.store).single_points_of_failure(limit)

    def _require_parameter_entities(self, query: Any, bound: Mapping[str, object]) -> None:
        # An empty answer for an id that names nothing is a mistake, not "no rows": say so the
        # same way the trace and the API's 404s do.
        for parameter in query.parameters:
            value = bound.get(parameter.name)
            if parameter.type == "entity-id" and parameter.kind and isinstance(value, str):
                self._require_entity(parameter.kind, value, parameter.name)

    def _require_entity(self, kind: str, entity_id: str, parameter: str | None = None) -> None:
        from aimstrace.graph.analytics.core import UnknownEntity
        from aimstrace.queries.registry import resolve_node

        iri = entity_id if ":" in entity_id else resolve_node(f"{kind}:{entity_id}")
        subject = ox.NamedNode(iri)
        if not any(True for _ in self.store.oxigraph.quads_for_pattern(subject, None, None)):
            shown = entity_id.rsplit("/", 1)[-1] if entity_id.startswith("http") else entity_id
            raise UnknownEntity(f"no {kind} with id {shown!r}", parameter=parameter)
