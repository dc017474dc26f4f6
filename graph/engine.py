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
from aimstrace.graph.eu_obligations import (
    DerivationReport,
    derive_obligations,
    fria_check,
)
from aimstrace.graph.eu_obligations import size_relief as eu_size_relief
from aimstrace.graph.eu_obligations import support as eu_support
from aimstrace.graph.eu_obligations import timeline as eu_timeline
from aimstrace.graph.store import Row, Store, StoreError, WriteSummary
from aimstrace.graph.store.answer_cache import AnswerCache
from aimstrace.ontology import FRAMEWORK_IDS, catalog_path, vocabulary_path
from aimstrace.ontology.iris import graph_iri

T = TypeVar("T")

if TYPE_CHECKING:
    from collections.abc import Mapping

    from aimstrace.graph.analytics.core import FailurePoint, ImpactRadius, PathStep
    from aimstrace.graph.audit_history import EntityRevision, SinceAudit
    from aimstrace.graph.backend import QueryResult
    from aimstrace.graph.crosswalk.coverage import CoverageEntry
    from aimstrace.graph.crosswalk.derivation import DerivationResult
    from aimstrace.graph.crosswalk.sets import MappingView
    from aimstrace.graph.crosswalk.stats import SetStats
    from aimstrace.graph.history import Diff, GapLifecycle, GapTracker
    from aimstrace.graph.soa import SoaEntry
    from aimstrace.graph.store.history import Revision, Verification
    from aimstrace.graph.store.sparql_guard import QueryLimits
    from aimstrace.graph.validation.gaps import GapReport, OpenSince
    from aimstrace.graph.validation.writeback import WriteBackSummary

VOCABULARY_GRAPH = graph_iri("vocabulary")
CACHED_BACKENDS = frozenset({"rdf", "oxigraph"})
PER_ENTITY_KEPT = 32  # per-entity answers kept (Engine._recent)


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
        self._gap_flights: dict[tuple[int, date, str], threading.Lock] = {}
        self._reads: dict[tuple[str, str], tuple[int, Any]] = {}
        self._per_entity: dict[tuple[str, ...], tuple[int, Any]] = {}
        self._per_entity_flights: dict[tuple[str, ...], threading.Lock] = {}
        # A past state's engine answers history questions through the live one, up to its
        # revision (a past store has no history of its own).
        self._live: Engine | None = None
        self._revision_id: int | None = None
        # Gap lifecycles per evaluation date: one tracker each, advanced as revisions come.
        self._gap_trackers: dict[date, GapTracker] = {}
        self._lifecycles: dict[tuple[date, int], list[GapLifecycle]] = {}
        self._tracker_lock = threading.Lock()

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None, create: bool = True) -> Engine:
        """Open the persistent store at path (created only when create); None: in memory."""
        return cls(Store(path, create=create))

    def is_initialised(self) -> bool:
        """True once `init` or `demo` has put the vocabulary into the store."""
        vocabulary = ox.NamedNode(VOCABULARY_GRAPH)
        quads = self.store.oxigraph.quads_for_pattern(None, None, None, vocabulary)
        return any(True for _ in quads)

    def require_initialised(self) -> None:
        """Raise StoreError unless the store was initialised."""
        if not self.is_initialised():
            where = self.store.path or "the in-memory store"
            raise StoreError(
                f"{where} was never initialised: run `aimstrace init` "
                "(vocabulary, catalogs, crosswalks) or `aimstrace demo` first"
            )

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

    # ----- EU AI Act obligations (graph/eu_obligations.py) ---------------------------------------

    def derive_obligations(self) -> DerivationReport:
        """Re-derive every AI system's EU AI Act obligations from its classification and roles."""
        return derive_obligations(self.store)

    def eu_obligations(self, system_id: str, as_of: date | str | None = None) -> dict[str, Any]:
        """A system's EU AI Act obligations on a date (today by default), with controls, evidence
        and the stated-versus-derived FRIA check."""
        from aimstrace.queries.registry import resolve_node

        when = as_of if as_of is not None else date.today().isoformat()
        self._require_entity("system", system_id)
        result = self.run_query("eu-obligations", {"system": system_id, "as_of": when})
        iri = system_id if ":" in system_id else resolve_node(f"system:{system_id}")
        met = eu_support(self.store, iri)
        relief, organisation_relief = eu_size_relief(self.store, iri)
        rows = []
        versions: set[str] = set()
        for values in result.rows:
            row = dict(zip(result.columns, values, strict=True))
            article = str(row["provision"]).split("(", 1)[0].strip()
            controls, evidence = met.get(article, ([], []))
            eased = relief.get((str(row["version"]), article), [])
            versions.add(str(row["version"]))
            rows.append({**row, "controls": controls, "evidence": evidence, "relief": eased})
        return {
            "system": iri,
            "as_of": str(when),
            "obligations": rows,
            "fria": fria_check(self.store, iri),
            # Fine caps (Art. 99(6), (6a)) of the version in force on the date.
            "organisation_relief": [
                r for v in sorted(versions) for r in organisation_relief.get(v, [])
            ],
        }

    def eu_timeline(self) -> list[dict[str, Any]]:
        """Every dated EU AI Act obligation of every system, with what 2026/1744 changed."""
        return eu_timeline(self.store)

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

    def crosswalk_stats(self) -> list[SetStats]:
        """Density and balance of every asserted mapping set (pairs, relationships, targets)."""
        from aimstrace.graph.crosswalk.stats import crosswalk_stats

        return crosswalk_stats(self.store)

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

    def export_catalog(self, framework: str) -> str:
        """One framework (ours or an external one) as an OSCAL 1.2 catalog (JSON text)."""
        from aimstrace.graph.crosswalk.sets import export_catalog

        return export_catalog(self.store, framework)

    def export_files(
        self, fmt: str, sets: list[str] | None = None, derived: bool = False
    ) -> dict[str, str]:
        """An export as named files: SSSOM one per set, OSCAL with the catalogs it cites."""
        from aimstrace.graph.crosswalk.sets import export_files

        return export_files(self.store, fmt, sets, derived)

    # ----- organisation inventory ---------------------------------------------------------------

    def list_entities(self, kind: str, columns: list[str] | None = None) -> list[dict[str, Any]]:
        """Every entity of one register (systems, datasets, people, ...) as JSON-friendly dicts;
        with `columns`, only `id`, `label` and those fields are read."""
        from aimstrace.graph.inventory import list_entities

        if columns is None:
            return list(self._memo(("entities", kind), lambda: list_entities(self.store, kind)))
        key = ("entities", f"{kind}:{','.join(sorted(columns))}")
        chosen = sorted(columns)
        return list(self._memo(key, lambda: list_entities(self.store, kind, chosen)))

    def count_entities(self, kind: str) -> int:
        """How many entities one register holds (one aggregate query, nothing read)."""
        from aimstrace.graph.inventory import count_entities

        return self._memo(("count", kind), lambda: [count_entities(self.store, kind)])[0]

    def entity(self, kind: str, entity_id: str) -> dict[str, Any] | None:
        """One entity of a register by id (as `list_entities` has it), read around its IRI."""
        from aimstrace.graph.inventory import get_entity

        return get_entity(self.store, kind, entity_id)

    def has_entity(self, kind: str, entity_id: str) -> bool:
        """Whether a register holds this id (its IRI looked up; the entry is not read)."""
        from aimstrace.graph.inventory import has_entity

        return has_entity(self.store, kind, entity_id)

    def referrers(self, kind: str, entity_id: str, labelled: bool = True) -> list[dict[str, Any]]:
        """Entries of other registers whose reference columns name this entity (sorted by
        register, column, id); without labels the list is kept until the next write."""
        from aimstrace.graph.inventory import referrers

        if labelled:
            return referrers(self.store, kind, entity_id)
        return self._recent(
            ("referrers", kind, entity_id),
            lambda: referrers(self.store, kind, entity_id, labelled=False),
        )

    def _recent(self, key: tuple[str, ...], compute: Callable[[], T]) -> T:
        # Per-entity answers (referrers, impact) of the last few entity pages, until the next
        # write: a page asks for several pages of one answer, and a popular dataset's takes
        # seconds. Kept apart from the register lists, and bounded.
        # One computation per key at a time: a request that timed out leaves its work running,
        # and the page asked again must wait for it, not start a second one beside it.
        generation = self.store.generation
        with self._gap_lock:
            flight = self._per_entity_flights.setdefault(key, threading.Lock())
        with flight:
            with self._gap_lock:
                found = self._per_entity.get(key)
            if found is not None and found[0] == generation:
                kept: T = found[1]
                return kept
            value = compute()
            with self._gap_lock:
                self._per_entity[key] = (generation, value)
                while len(self._per_entity) > PER_ENTITY_KEPT:
                    self._per_entity.pop(next(iter(self._per_entity)))
                self._per_entity_flights.pop(key, None)
        return value

    def labels(self, iris: list[str]) -> dict[str, str | None]:
        """The rdfs:label of each entity IRI (None when it has none)."""
        from aimstrace.graph.inventory import labels_of

        return labels_of(self.store, iris)

    def soa_summary(self) -> list[SoaEntry]:
        """The Statement of Applicability, one entry per Annex A control (counts and samples)."""
        from aimstrace.graph.soa import soa_summary

        return list(self._memo(("soa", "summary"), lambda: soa_summary(self.store)))

    def register_counts(self, kind: str, columns: list[str]) -> list[dict[str, Any]]:
        """Entries of a register counted per combination of column values (one aggregate)."""
        from aimstrace.graph.inventory import register_counts

        key = ("counts", f"{kind}:{','.join(columns)}")
        return list(self._memo(key, lambda: register_counts(self.store, kind, columns)))

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
        report_graph: bool = False,
    ) -> GapReport:
        """Run the completeness shapes on an evaluation date; optionally write Violations back.

        A report computed earlier on the same state of an on-disk store is reused (kept in
        the store's folder, graph/validation/saved.py), except where `report_graph` asks for
        the SHACL report graph, which is not kept.
        """
        from aimstrace.graph.validation.runner import (
            choose_engine,
            load_shape_files,
            parse_as_of,
            validate,
        )

        if engine != "auto":
            choose_engine(engine)  # an unknown engine is an error before any work
        shape_set = load_shape_files(shapes) if shapes else None
        when = parse_as_of(as_of)
        # Gap reports are kept per store generation, date and engine: the workbench's dashboard,
        # gap page and reports ask the same question many times between writes.
        key = (self.store.generation, when, engine)
        cacheable = shape_set is None and not write_back
        if not cacheable:
            report = validate(self.store, when, shape_set, engine, report_graph)
        else:
            # One computation per key: a page and a background job asking together share it.
            with self._gap_lock:
                flight = self._gap_flights.setdefault(key, threading.Lock())
            with flight:
                found = self._gap_reports.get(key)
                if found is not None and (found.report is not None or not report_graph):
                    return found
                report = self._validate_or_reuse(when, engine, report_graph)
                with self._gap_lock:
                    while len(self._gap_reports) >= 4:
                        self._gap_reports.pop(next(iter(self._gap_reports)))
                    self._gap_reports[key] = report
                    self._gap_flights.pop(key, None)
        if write_back:
            self.write_back(report)
        return report

    def _validate_or_reuse(self, when: date, engine: str, report_graph: bool) -> GapReport:
        from aimstrace.graph.validation import saved
        from aimstrace.graph.validation.runner import validate

        on_disk = self.store.path is not None and self.store.revision is None
        if not on_disk:
            return validate(self.store, when, None, engine, report_graph)
        # Read before validating: saved only when no write came in between.
        sequence = self.store.changes.last_sequence()
        stable = self.store.stable_generation()
        if not report_graph:
            found = saved.load(self.store, sequence, when, engine)
            if found is not None:
                return found
        report = validate(self.store, when, None, engine, report_graph)
        unchanged = stable is not None and stable == self.store.stable_generation()
        if unchanged and sequence == self.store.changes.last_sequence():
            saved.save(self.store, sequence, when, engine, report)
        return report

    def validate_in_child(self, as_of: str | date | None = None) -> GapReport:
        """`validate(as_of)`, computed by a child process over a read-only view of the store
        (graph/validation/child.py) so that it does not hold this process's interpreter lock
        for minutes; kept like `validate`'s. An in-memory store, or a past state, validates
        here; a write during the child's run makes its report stale, and it validates again."""
        import subprocess
        import sys
        import tempfile

        from aimstrace.graph.validation import saved
        from aimstrace.graph.validation.runner import parse_as_of

        when = parse_as_of(as_of)
        path = self.store.path
        if path is None or self.store.revision is not None or self.store.read_only:
            return self.validate(when)
        key = (self.store.generation, when, "auto")
        with self._gap_lock:
            flight = self._gap_flights.setdefault(key, threading.Lock())
        with flight:
            found = self.cached_gap_report(when)
            if found is not None:
                return found
            sequence = self.store.changes.last_sequence()
            stable = self.store.stable_generation()
            report = saved.load(self.store, sequence, when, "auto")
            if report is None:
                self.store.flush()  # the child's read-only view sees what is on disk
                with tempfile.TemporaryDirectory(prefix="aimstrace-validation-") as tmp:
                    out = Path(tmp) / "report.json"
                    child = subprocess.run(
                        [sys.executable, "-m", "aimstrace.graph.validation.child",
                         str(path), when.isoformat(), str(out)],
                        capture_output=True, text=True, check=False,
                    )  # fmt: skip
                    report = saved.read(out) if child.returncode == 0 else None
                if report is None:
                    reason = (child.stderr.strip().splitlines() or ["no report written"])[-1]
                    raise StoreError(f"the validation process failed: {reason}")
                unchanged = stable is not None and stable == self.store.stable_generation()
                if unchanged and sequence == self.store.changes.last_sequence():
                    saved.save(self.store, sequence, when, "auto", report)
                else:
                    report = None  # a write came in between: this one is stale
            if report is not None:
                with self._gap_lock:
                    while len(self._gap_reports) >= 4:
                        self._gap_reports.pop(next(iter(self._gap_reports)))
                    self._gap_reports[key] = report
                    self._gap_flights.pop(key, None)
                return report
        return self.validate(when)  # outside the flight: validate takes it itself

    def cached_gap_report(
        self, as_of: str | date | None = None, engine: str = "auto"
    ) -> GapReport | None:
        """The gap report on a date if one was computed for the store as it is now, else None."""
        from aimstrace.graph.validation.runner import parse_as_of

        key = (self.store.generation, parse_as_of(as_of), engine)
        with self._gap_lock:
            return self._gap_reports.get(key)

    def write_back(
        self, report: GapReport, severities: tuple[str, ...] = ("Violation",)
    ) -> WriteBackSummary:
        """Store a report's findings as nonconformities, replacing the previous write-back."""
        from aimstrace.graph.validation.writeback import write_back

        summary = write_back(self.store, report, severities)
        self.store.flush()
        return summary

    @staticmethod
    def validate_files(data: list[Path], shapes: list[Path], engine: str = "auto") -> GapReport:
        """Validate RDF files against SHACL files without a store (literals kept as written)."""
        from aimstrace.graph.validation.files import validate_files
        from aimstrace.graph.validation.runner import choose_engine

        if engine != "auto":
            choose_engine(engine)
        return validate_files(data, shapes, engine)

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
            engine._live = self
            engine._revision_id = int(label.removeprefix("r"))
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
        return self.store.verify_history()

    def diff(self, base: str, target: str | None = None, as_of: str | date | None = None) -> Diff:
        """Entities per register, mappings per set and gaps opened or closed between revisions."""
        from aimstrace.graph.history import diff
        from aimstrace.graph.validation.runner import parse_as_of

        return diff(self.store, base, target, parse_as_of(as_of))

    def gap_lifecycles(self, as_of: str | date | None = None) -> list[GapLifecycle]:
        """Each gap of the history with the revision it was first seen in and, if gone, closed.

        On a past state's engine: the history up to its revision. Kept per date and revision
        (history never changes), and each date's tracker is advanced rather than rebuilt when
        newer revisions come, so a server pays each revision's validation once.
        """
        from aimstrace.graph.validation.runner import parse_as_of

        when = parse_as_of(as_of)
        if self._live is not None:
            assert self._revision_id is not None
            return self._live._lifecycles_up_to(when, self._revision_id)
        return self._lifecycles_up_to(when, self.store.history.newest())

    def _lifecycles_up_to(self, when: date, up_to: int) -> list[GapLifecycle]:
        from aimstrace.graph.history import GapTracker

        with self._tracker_lock:
            found = self._lifecycles.get((when, up_to))
            if found is not None:
                return found
            tracker = self._gap_trackers.get(when)
            if tracker is None or tracker.done > up_to:
                tracker = GapTracker(when)
            tracker.advance(self.store.history, up_to)
            result = tracker.lifecycles()
            if tracker.done == self.store.history.newest():
                # Only the present's tracker is worth advancing later; the memory is one replayed
                # copy of the store per date, so few dates are kept.
                while len(self._gap_trackers) >= 2:
                    self._gap_trackers.pop(next(iter(self._gap_trackers)))
                self._gap_trackers[when] = tracker
            while len(self._lifecycles) >= 8:
                self._lifecycles.pop(next(iter(self._lifecycles)))
            self._lifecycles[(when, up_to)] = result
            return result

    def open_since(self, as_of: str | date | None = None) -> OpenSince:
        """For each gap open on the date (in the state this engine shows), when it was first
        seen, from history."""
        from aimstrace.graph.history import open_since

        return open_since(self.gap_lifecycles(as_of))

    def closed_since(self, since: date, as_of: str | date | None = None) -> list[GapLifecycle]:
        """The gaps closed by revisions made on or after a date (up to this engine's state)."""
        from aimstrace.graph.history import closed_since

        return closed_since(self.gap_lifecycles(as_of), since)

    def entity_history(self, kind: str, entity_id: str) -> list[EntityRevision] | None:
        """The revisions that changed one entity of a register, newest first (None when no
        revision ever named it)."""
        from aimstrace.graph.audit_history import entity_history
        from aimstrace.ontology.iris import entity_iri
        from aimstrace.ontology.registers import REGISTERS

        register = next((r for r in REGISTERS if r.name == kind), None)
        if register is None:
            raise ValueError(f"unknown register {kind!r}")
        found = entity_history(self.store, str(entity_iri(register.kind, entity_id)))
        return found or None

    def since_last_audit(self, as_of: str | date | None = None) -> SinceAudit:
        """What changed since the newest internal audit on or before the date: entities,
        mappings, gaps opened and closed (validated on that date)."""
        from aimstrace.graph.audit_history import since_last_audit
        from aimstrace.graph.validation.runner import parse_as_of

        when = parse_as_of(as_of)
        return since_last_audit(self.store, self.list_entities("audits"), when)

    # ----- reads ---------------------------------------------------------------------------------

    def frameworks(self) -> list[FrameworkInfo]:
        """The frameworks in the store with their requirement counts."""
        return list_frameworks(self.store)

    def framework_ids(self) -> tuple[str, ...]:
        """Our frameworks' ids, then those of the external frameworks in the store."""
        from aimstrace.graph.crosswalk.external import known_framework_ids

        return known_framework_ids(self.store)

    def requirements(self, framework: str) -> list[RequirementInfo]:
        """The requirements of one framework."""
        return list_requirements(self.store, framework)

    def sparql_select(
        self, query: str, limits: QueryLimits | None = None
    ) -> tuple[list[str], list[Row]]:
        """Run a user's read-only SPARQL SELECT; returns variable names and rows."""
        from aimstrace.graph.store.sparql import run_read_only

        return run_read_only(self.store, query, limits)

    def sparql(
        self,
        query: str,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        limits: QueryLimits | None = None,
    ) -> ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean:
        """Start a user's read-only SPARQL query; results come lazily, updates are refused.

        Lazy so that a caller with a deadline or a row cap (the API) can stop consuming.
        `default_graphs` / `named_graphs` are the protocol's dataset (SPARQL 1.1 Protocol 2.1.4).
        The text passes the guard (graph/store/sparql_guard.py) before Oxigraph sees it.
        """
        from aimstrace.graph.store.dataset import ProtocolDataset
        from aimstrace.graph.store.sparql import UpdateRefused, looks_like_update
        from aimstrace.graph.store.sparql_guard import check_query

        check_query(query, limits)

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
        # Query and existence check must see one state of the store: repeat them when a write
        # ran in between (an import adding the system gave 200 with no rows).
        for _ in range(20):
            before = self.store.stable_generation()
            result = self.run_query("system-trace", {"system": system_id})
            if result.rows:
                return result
            exists = self._entity_exists("system", system_id)
            if before is not None and before == self.store.stable_generation():
                break
            time.sleep(0.005)
        if not exists:
            self._require_entity("system", system_id, "system")
        return result

    def impact(self, kind: str, entity_id: str) -> ImpactRadius:
        """What a dataset, vendor or person reaches: systems, owners, risks, requirements.

        Datasets and vendors are the dataset-impact / vendor-impact named queries' rows (the
        impact index, graph/impact_index.py, so CLI, API and named query agree); people are the
        networkx projection's radius, answered from the same index (kept current by each write,
        where the projection is rebuilt whole). Each answer carries its summary counts.
        """
        from aimstrace.graph.analytics.core import ImpactRadius, UnknownEntity, analytics_for
        from aimstrace.graph.impact_index import impact_index_for, summarise
        from aimstrace.queries.registry import resolve_node

        iri = entity_id if ":" in entity_id else resolve_node(f"{kind}:{entity_id}")

        def compute() -> ImpactRadius:
            if kind == "person":
                index = impact_index_for(self.store)
                found = index.person_impact(iri)
                if found is None:
                    raise UnknownEntity(f"no person with id {iri.rsplit('/', 1)[-1]!r}")
                shown = {n: index.display(n) for nodes in found.values() for n in nodes}
                rows = tuple(
                    sorted(
                        ((c, n, *shown[n]) for c, nodes in found.items() for n in nodes),
                        key=lambda r: (r[0], r[2] or "", r[1]),
                    )
                )
                by_kind = {c: frozenset(nodes) for c, nodes in found.items()}
                radius = ImpactRadius(kind, iri, by_kind, rows)
                return replace(radius, summary=summarise(self.store, radius.rows))
            if kind != "dataset" and kind != "vendor":
                radius = analytics_for(self.store).impact_radius(kind, iri)  # raises ValueError
                return replace(radius, summary=summarise(self.store, radius.rows))
            result = self.run_query(f"{kind}-impact", {kind: iri})
            reached: dict[str, set[str]] = {}
            for row in result.rows:
                reached.setdefault(str(row[0]), set()).add(str(row[1]))
            rows = tuple(
                (str(c), str(e), None if i is None else str(i), None if lb is None else str(lb))
                for c, e, i, lb in result.rows
            )
            return ImpactRadius(
                kind,
                iri,
                {category: frozenset(found) for category, found in reached.items()},
                rows,
                summarise(self.store, result.rows),
            )

        return self._recent(("impact", kind, iri), compute)

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
            elif parameter.type == "requirement" and isinstance(value, str):
                self._require_requirement(value, parameter.name)
            elif parameter.type == "framework" and isinstance(value, str):
                self._require_framework(value, parameter.name)

    def _require_framework(self, iri: str, parameter: str) -> None:
        from aimstrace.graph.analytics.core import UnknownEntity
        from aimstrace.graph.crosswalk.external import known_framework_ids
        from aimstrace.graph.suggest import unknown_framework
        from aimstrace.ontology import FRAMEWORK_IDS
        from aimstrace.ontology.iris import CATALOG_BASE

        framework = iri.removeprefix(CATALOG_BASE)
        if framework in FRAMEWORK_IDS:
            return
        known = known_framework_ids(self.store)
        if framework not in known:
            raise UnknownEntity(unknown_framework(framework, known), parameter=parameter)

    def _require_requirement(self, iri: str, parameter: str) -> None:
        from aimstrace.graph.analytics.core import UnknownEntity
        from aimstrace.graph.catalog import notation_hint
        from aimstrace.ontology import FRAMEWORK_IDS
        from aimstrace.ontology.iris import CATALOG_BASE

        if self.store.has_subject(ox.NamedNode(iri)):
            return
        framework, _, local = iri.removeprefix(CATALOG_BASE).partition("/")
        if framework not in FRAMEWORK_IDS:
            from aimstrace.graph.crosswalk.external import identifier_of, known_framework_ids

            if not iri.startswith(CATALOG_BASE) or framework not in known_framework_ids(self.store):
                raise UnknownEntity(f"no requirement with IRI {iri!r}", parameter=parameter)
            # An imported framework's notations are its identifiers as written.
            local = identifier_of(local)
        # The IRI's local part is the notation's slug (A.6.2.99 stays A.6.2.99).
        hint = notation_hint(self.store, local, [framework])
        message = f"no {framework} requirement with notation {local!r}{hint}"
        raise UnknownEntity(message, parameter=parameter)

    def _require_entity(self, kind: str, entity_id: str, parameter: str | None = None) -> None:
        from aimstrace.graph.analytics.core import UnknownEntity

        if not self._entity_exists(kind, entity_id):
            shown = entity_id.rsplit("/", 1)[-1] if entity_id.startswith("http") else entity_id
            raise UnknownEntity(f"no {kind} with id {shown!r}", parameter=parameter)

    def _entity_exists(self, kind: str, entity_id: str) -> bool:
        from aimstrace.queries.registry import resolve_node

        iri = entity_id if ":" in entity_id else resolve_node(f"{kind}:{entity_id}")
        return self.store.has_subject(ox.NamedNode(iri))
