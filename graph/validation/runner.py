"""The validation runner: the completeness shapes over the organisation graph, as gap records.

pySHACL runs without inference (the data uses aims: classes directly). The data graph is the
organisation graph plus the graphs the shapes read (the ISO/IEC 42001 and EU AI Act catalogs
for requirement classes, the vocabulary for risk-level ranks and enumeration classes) plus one
triple that only the validated copy ever holds: `aims:evaluationContext aims:asOf DATE`, which
the date rules read, so a user's date reaches SPARQL as an RDF literal and never as query text.
Shapes are parsed once per process (packaged) or once per file (user-supplied, after checking
them against SHACL-SHACL). Incremental validation lives in graph/validation/incremental.py.
"""

from __future__ import annotations

import re
from datetime import date

import pyoxigraph as ox
from rdflib import Graph, Node, URIRef
from rdflib.namespace import XSD

from aimstrace.graph.eu_view import VIEW_TERMS, view_ntriples
from aimstrace.graph.store import Store
from aimstrace.graph.validation.engines import (
    ENGINES,
    DataGraph,
    EngineError,
    EngineRun,
    choose_engine,
    native_report_text,
    report_index,
    run_engines,
    run_shacl,
)
from aimstrace.graph.validation.gaps import GapRecord, GapReport
from aimstrace.graph.validation.shapes import (
    ShapeSet,
    ValidationError,
    load_shape_files,
    packaged_shapes,
)
from aimstrace.ontology.iris import AIMS, DATA_BASE, graph_iri

EVALUATION_CONTEXT = AIMS["evaluationContext"]
AS_OF = AIMS["asOf"]
# The graphs the shapes read besides the organisation's own data.
CONTEXT_GRAPHS: tuple[str, ...] = (
    str(graph_iri("vocabulary")),
    str(graph_iri("catalog", "iso42001")),
    str(graph_iri("catalog", "eu-ai-act")),
)
# Not the whole derived EU AI Act obligations graph: the EU shapes read its view on the date
# (graph/eu_view.py), computed once per validation for all systems.
HORIZON_END = AIMS["horizonEnd"]
DEFAULT_HORIZON_MONTHS = 18
ORG_GRAPH = str(graph_iri("org"))
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Re-exported: the runner is where callers find the whole validation path.
__all__ = [
    "ENGINES",
    "DataGraph",
    "EngineError",
    "build_data",
    "choose_engine",
    "load_shape_files",
    "parse_as_of",
    "run_engines",
    "run_shacl",
    "validate",
]


def parse_as_of(text: str | date | None) -> date:
    """The evaluation date: a date, an ISO `YYYY-MM-DD` string, or None for today."""
    if text is None:
        return date.today()
    if isinstance(text, date):
        return text
    if not _DATE.match(text.strip()):
        raise ValidationError(f"--as-of: expected a date as YYYY-MM-DD, got {text!r}")
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValidationError(f"--as-of: {text!r} is not a calendar date ({exc})") from None


# ----- the data graph --------------------------------------------------------------------------


def _graph_ntriples(store: Store, graph: str) -> bytes:
    return store.dump(ox.RdfFormat.N_TRIPLES, ox.NamedNode(graph))


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day where it has fewer days)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(f"no date {months} months after {day}")  # unreachable for real dates


def planning_horizon_months(store: Store) -> int:
    """The organisation's planning horizon for upcoming EU AI Act obligations (default 18)."""
    rows = store.select(
        "SELECT ?m WHERE { ?org <https://w3id.org/aimstrace/ns#planningHorizonMonths> ?m }"
    )
    values = [int(r["m"].value) for r in rows if r["m"].value.isdigit()]
    return min(values) if values else DEFAULT_HORIZON_MONTHS


def evaluation_context(as_of: date, horizon_months: int = DEFAULT_HORIZON_MONTHS) -> bytes:
    """The triples that carry the evaluation date and the end of the planning horizon,
    serialized by Oxigraph (never by hand)."""
    context = ox.NamedNode(str(EVALUATION_CONTEXT))
    day = ox.NamedNode(str(XSD.date))
    triples = [
        ox.Triple(context, ox.NamedNode(str(AS_OF)), ox.Literal(as_of.isoformat(), datatype=day)),
        ox.Triple(
            context,
            ox.NamedNode(str(HORIZON_END)),
            ox.Literal(add_months(as_of, horizon_months).isoformat(), datatype=day),
        ),
    ]
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def build_data(
    store: Store,
    as_of: date,
    org_ntriples: bytes | None = None,
    read: frozenset[bytes] | None = None,
) -> DataGraph:
    """The organisation graph (or the given part of it; only the `read` predicates when given),
    the graphs the shapes read, the EU AI Act obligations on the date, the date."""
    org = org_ntriples if org_ntriples is not None else _graph_ntriples(store, ORG_GRAPH)
    if read is not None:
        org = keep_predicates(org, read)
    horizon = planning_horizon_months(store)
    context = evaluation_context(as_of, horizon)
    # Shapes that read nothing of the view (a user's own, an older commit's) are not charged for it.
    reads_view = read is None or any(term in read for term in VIEW_TERMS)
    view = view_ntriples(store, as_of, add_months(as_of, horizon)) if reads_view else b""
    parts = [org, *(_graph_ntriples(store, g) for g in CONTEXT_GRAPHS), view, context]
    return DataGraph(b"".join(p if p.endswith(b"\n") or not p else p + b"\n" for p in parts))


def keep_predicates(ntriples: bytes, read: frozenset[bytes]) -> bytes:
    """The N-Triples lines whose predicate is one of `read` (Oxigraph writes one space between
    terms, and only the object can hold a space)."""
    lines = [line for line in ntriples.split(b"\n") if line and line.split(b" ", 2)[1] in read]
    return b"\n".join(lines) + b"\n" if lines else b""


def validate(
    store: Store,
    as_of: str | date | None = None,
    shapes: ShapeSet | None = None,
    engine: str = "auto",
    report_graph: bool = False,
) -> GapReport:
    """Validate the store's organisation data against the shapes on the evaluation date; with
    `report_graph`, keep the SHACL report graph too (`validate --format shacl`)."""
    from aimstrace.graph.validation.report import StoreLookup, report_records

    when = parse_as_of(as_of)
    shape_set = shapes or packaged_shapes()
    data = build_data(store, when, read=shape_set.read_predicates())
    parts = shape_set.parts()
    if report_graph or len(parts) < 2 or len(data.ntriples) < PARTS_FROM_BYTES:
        run = run_engines(data, shape_set, engine, graph=report_graph)
        records = report_records(run.report, StoreLookup(store), shape_set)
        engine_used, notes = run.engine, run.notes
        kept = run.report if isinstance(run.report, Graph) else None
    else:
        kept = None
        records, engine_used, notes = _validate_parts(store, data, shape_set, parts, engine)
    return GapReport(
        as_of=when,
        records=records,
        engine=engine_used,
        notes=[*shape_set.warnings, *notes],
        report=kept,
        prefixes=shape_set.all_prefixes(),
    )


# Below this much data (about 60,000 triples; the example holds a few thousand) one run is as
# quick: the parts' shared data is read twice and each part has a fixed cost.
PARTS_FROM_BYTES = 8_000_000


def _validate_parts(
    store: Store, data: DataGraph, shape_set: ShapeSet, parts: list[ShapeSet], engine: str
) -> tuple[list[GapRecord], str, list[str]]:
    """The shape set's parts validated at once, each on the data its shapes read, in threads
    (the engine's native run releases the interpreter lock; a part's records are read while
    the other still runs); the records of all parts, each once, in report order."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    from aimstrace.graph.validation.report import StoreLookup, report_records

    def run_part(part: ShapeSet) -> tuple[ShapeSet, DataGraph, str | None]:
        read = part.read_predicates()
        text = keep_predicates(data.ntriples, read) if read is not None else data.ntriples
        part_data = DataGraph(text)
        return part, part_data, native_report_text(part_data, part, engine)

    lookup = StoreLookup(store)
    found: set[GapRecord] = set()
    engines_used: set[str] = set()
    notes: list[str] = []
    with ThreadPoolExecutor(max_workers=len(parts), thread_name_prefix="validation") as pool:
        futures = [pool.submit(run_part, part) for part in parts]
        for future in as_completed(futures):
            part, part_data, text = future.result()
            # Reading the report (and any fallback run) here, in one thread: the engines'
            # warning filters are process-wide and not safe to set from two threads.
            run = (
                EngineRun(report_index(text, part), "turbo")
                if text is not None
                else run_engines(part_data, part, engine, graph=False)
            )
            found.update(report_records(run.report, lookup, shape_set))
            engines_used.add(run.engine)
            notes.extend(n for n in run.notes if n not in notes)
    engine_used = "turbo" if engines_used == {"turbo"} else "pyshacl"
    return sorted(found, key=GapRecord.sort_key), engine_used, notes


def is_data_iri(node: Node) -> bool:
    """True for an organisation entity IRI (the default data base)."""
    return isinstance(node, URIRef) and str(node).startswith(DATA_BASE)
