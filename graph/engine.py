"""The engine facade: what the CLI, the API and the tests call."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from graph.answer_cache import AnswerCache
from graph.catalog import FrameworkInfo, RequirementInfo, list_frameworks, list_requirements
from graph.store import Row, Store, StoreError, WriteSummary
from ontology import FRAMEWORK_IDS, catalog_path, vocabulary_path
from ontology.iris import graph_iri

if TYPE_CHECKING:
    from collections.abc import Mapping

    from graph.analytics import FailurePoint, ImpactRadius, PathStep
    from graph.backend import QueryResult
    from graph.coverage import CoverageEntry
    from graph.crosswalks import CrosswalkLoad, MappingView
    from graph.derivation import DerivationResult
    from graph.gaps import GapReport
    from loaders.load import LoadReport

VOCABULARY_GRAPH = graph_iri("vocabulary")
CACHED_BACKENDS = frozenset({"rdf", "oxigraph"})


def _written(report: LoadReport) -> WriteSummary:
    return WriteSummary(added=report.triples_added, removed=report.triples_removed)


def catalog_graph(framework: str) -> ox.NamedNode:
    """The named graph that holds one framework's catalog."""
    return ox.NamedNode(graph_iri("catalog", framework))


def _parse_packaged(resource: Traversable) -> list[ox.Triple]:
    data = resource.read_bytes()
    return [q.triple for q in ox.parse(data, format=ox.RdfFormat.TURTLE)]


@dataclass
class DemoSummary:
    """What `aimstrace demo` loaded and what the store now holds."""

    triples: int
    frameworks: list[FrameworkInfo]
    changed: int
    sections: dict[str, int]


class Engine:
    """One store plus the operations every interface needs."""

    def __init__(self, store: Store, answers: AnswerCache | None = None) -> None:
        self.store = store
        self._query_backends: dict[str, Any] = {}
        self.answers = answers if answers is not None else AnswerCache()

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

    # ----- crosswalks (graph/crosswalks.py, graph/coverage.py) -----------------------------

    def load_crosswalks(self, directory: Path | None = None) -> CrosswalkLoad:
        """Validate and load the packaged crosswalks (or a folder of them) in one transaction."""
        from graph.crosswalks import load_crosswalks

        return load_crosswalks(self.store, directory)

    def derive_mappings(self, max_length: int = 3) -> DerivationResult:
        """Recompute the derived mappings from the asserted ones (set algebra, bounded chains)."""
        from graph.crosswalks import derive_mappings

        return derive_mappings(self.store, max_length)

    def mappings(
        self,
        from_framework: str,
        to_framework: str,
        derived: bool = False,
        requirement: str | None = None,
    ) -> list[MappingView]:
        """Mappings between two frameworks, read from the first to the second."""
        from graph.crosswalks import list_mappings

        return list_mappings(self.store, from_framework, to_framework, derived, requirement)

    def coverage(self, framework: str) -> list[CoverageEntry]:
        """Coverage of a framework's requirements by the implemented controls."""
        from graph.coverage import coverage

        return coverage(self.store, framework)

    def import_mappings(self, path: Path, fmt: str, **options: str | None) -> CrosswalkLoad:
        """Import an SSSOM, OLIR or CISO Assistant mapping file, then re-derive."""
        from graph.crosswalks import import_mappings

        result = import_mappings(self.store, path, fmt, **options)
        result.derivation = self.derive_mappings()
        return result

    def export_mappings(
        self, fmt: str, sets: list[str] | None = None, derived: bool = False
    ) -> str:
        """Mapping sets as SSSOM TSV or an OSCAL mapping-collection (JSON text)."""
        from graph.crosswalks import export_mappings

        return export_mappings(self.store, fmt, sets, derived)

    # ----- organisation inventory ---------------------------------------------------------------

    def load_paths(self, paths: Sequence[Path | str], dry_run: bool = False) -> LoadReport:
        """Load inventory files or folders all-or-nothing (or only report, for a dry run)."""
        from loaders.load import load

        return load(paths, self.store, dry_run=dry_run)

    def load_example(self) -> LoadReport:
        """Load the packaged example organisation (idempotent)."""
        from loaders.load import load
        from ontology import data_path

        with resources.as_file(data_path("example")) as folder:
            return load([folder], self.store)

    def list_entities(self, kind: str) -> list[dict[str, Any]]:
        """Every entity of one register (systems, datasets, people, ...) as JSON-friendly dicts."""
        from graph.inventory import list_entities

        return list_entities(self.store, kind)

    def demo(self) -> DemoSummary:
        """Load vocabulary, catalogs, crosswalks and the example organisation; safe to repeat."""
        sections: dict[str, int] = {}
        changed = 0
        for name, step in (
            ("vocabulary", self.load_vocabulary),
            ("catalogs", self.load_catalogs),
            ("crosswalks", lambda: self.load_crosswalks().written),
            ("derived mappings", lambda: self.derive_mappings().written),
            ("organisation", lambda: _written(self.load_example())),
        ):
            summary = step()
            changed += summary.added + summary.removed
            sections[name] = summary.added + summary.removed
        self.store.flush()
        return DemoSummary(
            triples=self.store.count(),
            frameworks=self.frameworks(),
            changed=changed,
            sections=sections,
        )

    # ----- validation (graph/validation.py, graph/gaps.py) ---------------------------------------

    def validate(
        self,
        as_of: str | date | None = None,
        shapes: list[Path] | None = None,
        engine: str = "auto",
        write_back: bool = False,
    ) -> GapReport:
        """Run the completeness shapes on an evaluation date; optionally store the gaps."""
        from graph.gaps import write_back as store_gaps
        from graph.validation import choose_engine, load_shape_files, validate

        shape_set = load_shape_files(shapes) if shapes else None
        report = validate(self.store, as_of, shape_set, choose_engine(engine))
        if write_back:
            store_gaps(self.store, report)
            self.store.flush()
        return report

    # ----- reads ---------------------------------------------------------------------------------

    def frameworks(self) -> list[FrameworkInfo]:
        """The frameworks in the store with their requirement counts."""
        return list_frameworks(self.store)

    def requirements(self, framework: str) -> list[RequirementInfo]:
        """The requirements of one framework."""
        return list_requirements(self.store, framework)

    def sparql_select(self, query: str) -> tuple[list[str], list[Row]]:
        """Run a user's read-only SPARQL SELECT; returns variable names and rows."""
        from graph.sparql import run_read_only

        return run_read_only(self.store, query)

    def sparql(self, query: str) -> ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean:
        """Start a user's read-only SPARQL query; results come lazily, updates are refused.

        Lazy so that a caller with a deadline or a row cap (the API) can stop consuming.
        """
        from graph.sparql import UpdateRefused, looks_like_update

        try:
            return self.store.query(query)
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
        from graph.backend import get_backend
        from queries.registry import default_registry

        query = default_registry()[name]
        bound = query.bind(params or {})
        # Answers on the store itself are kept until the next write (graph/answer_cache.py);
        # Neo4j answers depend on when the projection last synced, rdflib's are the baseline.
        if backend not in self._query_backends:
            self._query_backends[backend] = get_backend(backend, self.store)
        run = self._query_backends[backend].run
        if backend not in CACHED_BACKENDS:
            uncached: QueryResult = run(query, bound)
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
        from graph.analytics import analytics_for
        from queries.registry import resolve_node

        iri = entity_id if ":" in entity_id else resolve_node(f"{kind}:{entity_id}")
        return analytics_for(self.store).impact_radius(kind, iri)

    def explain_path(self, source: str, target: str) -> list[PathStep]:
        """The shortest chain of links between two nodes (IRI, KIND:ID or FRAMEWORK:NOTATION)."""
        from graph.analytics import analytics_for
        from queries.registry import resolve_node

        return analytics_for(self.store).explain_path(resolve_node(source), resolve_node(target))

    def single_points_of_failure(self, limit: int = 20) -> list[FailurePoint]:
        """Vendors, datasets and people whose loss cuts the most systems off, ranked."""
        from graph.analytics import analytics_for

        return analytics_for(self.store).single_points_of_failure(limit)

    def _require_entity(self, kind: str, entity_id: str) -> None:
        from queries.registry import resolve_node

        iri = entity_id if ":" in entity_id else resolve_node(f"{kind}:{entity_id}")
        subject = ox.NamedNode(iri)
        if not any(True for _ in self.store.oxigraph.quads_for_pattern(subject, None, None)):
            raise KeyError(f"no {kind} {entity_id} in the store")
