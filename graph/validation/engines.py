"""The SHACL engines: pyshacl-turbo and pySHACL over one data graph, failures named.

An engine that cannot run a shapes graph raises (pyshacl-turbo: `NotImplementedError` for a
feature it does not support, `ValidationFailure` for SPARQL that SHACL forbids, `ValueError` for
SPARQL it cannot parse; pySHACL: `NotImplementedError`, its own error types, a plain `Exception`
for an unknown prefix) or returns a `ValidationFailure` in place of the report. Both become an
`EngineError` that names the engine, the shapes and the engine's own reason (the feature), which
the CLI answers with exit code 2. `auto` runs pyshacl-turbo and, when it cannot run the shapes,
pySHACL, with a note saying so; when neither can, the error gives both reasons.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyshacl
from rdflib import Graph, URIRef

from aimstrace.graph.validation.rdf_files import lossless_graph
from aimstrace.graph.validation.report_index import ReportIndex
from aimstrace.graph.validation.shapes import ShapeSet, ValidationError

ENGINES = ("pyshacl", "turbo")
ENGINE_NAMES = {"turbo": "pyshacl-turbo", "pyshacl": "pySHACL"}


class EngineError(ValidationError):
    """An engine cannot run the shapes graph; the message names the engine and the reason."""

    def __init__(self, engine: str, source: str, reason: str, findings: Sequence[str] = ()) -> None:
        message = f"{source}: {ENGINE_NAMES.get(engine, engine)} cannot run these shapes: {reason}"
        super().__init__(_with_findings(message, findings))
        self.engine = engine
        self.reason = reason


@dataclass
class DataGraph:
    """The validated data: N-Triples text (read natively by pyshacl-turbo) and, on demand, an
    rdflib graph (what pySHACL needs; parsing it is most of pySHACL's cost on large graphs).

    `lossless` data (a file given with `--data`) becomes an rdflib graph term by term, every
    literal as written; the store's data is canonical already and takes rdflib's faster path.
    """

    ntriples: bytes
    _graph: Graph | None = None
    lossless: bool = False

    def graph(self) -> Graph:
        """The data as an rdflib graph, parsed on first use."""
        if self._graph is None:
            if self.lossless:
                import pyoxigraph as ox

                self._graph = lossless_graph(ox.parse(self.ntriples, format=ox.RdfFormat.N_TRIPLES))
            else:
                self._graph = Graph()
                self._graph.parse(data=self.ntriples.decode("utf-8"), format="nt")
        return self._graph


@dataclass
class EngineRun:
    """A report graph, the engine that produced it, and notes (a fallback taken)."""

    report: Graph | ReportIndex
    engine: str
    notes: list[str] = field(default_factory=list)


def turbo_installed() -> bool:
    """True when pyshacl-turbo can be imported."""
    try:
        import pyshacl_turbo  # noqa: F401
    except ImportError:  # pragma: no cover - pyshacl-turbo is a dependency
        return False
    return True


def choose_engine(name: str) -> str:
    """Resolve 'auto' to pyshacl-turbo when it is installed, else pySHACL."""
    if name == "auto":
        return "turbo" if turbo_installed() else "pyshacl"
    if name not in ENGINES:
        raise ValidationError(f"unknown validation engine {name!r}; expected auto or {ENGINES}")
    return name


def _with_findings(message: str, findings: Sequence[str]) -> str:
    """The message and, when SHACL-SHACL found something, what (often the cause)."""
    return "\n".join([message, *findings])


class _Quiet(logging.Filter):
    """Keeps pySHACL from printing its error to stderr: the EngineError carries it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return False


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    # pyshacl-turbo prefixes its failures; the reason after it is what names the feature.
    return text.removeprefix("SHACL validation failure: ")


def run_shacl(
    data: DataGraph,
    shapes: ShapeSet,
    engine: str = "pyshacl",
    focus_nodes: Iterable[URIRef] | None = None,
    graph: bool = True,
) -> Graph | ReportIndex:
    """Validate with one engine ('pyshacl' or 'turbo') and return the SHACL report: an rdflib
    graph, or with `graph=False` pyshacl-turbo's report read into a `ReportIndex` (the same
    results, a fraction of the time; pySHACL always gives a graph)."""
    if engine not in ENGINES:
        raise ValidationError(f"unknown validation engine {engine!r}; expected one of {ENGINES}")
    focus: list[str | URIRef] | None = list(focus_nodes) if focus_nodes is not None else None
    # No allow_warnings / allow_infos: those make a report of Warnings `sh:conforms true`, which
    # SHACL does not (conforms means no result at all); severities only set the exit code.
    quiet = _Quiet()
    pyshacl_log = logging.getLogger("pyshacl-validate")
    pyshacl_log.addFilter(quiet)
    try:
        with warnings.catch_warnings():
            # rdflib warns when it reads an ill-typed boolean ("none"^^xsd:boolean) in data or
            # report; SHACL judges such literals, they are not our fault to print.
            warnings.filterwarnings("ignore", message="Parsing weird boolean", category=UserWarning)
            if engine == "pyshacl":
                _, report, _ = pyshacl.validate(
                    data.graph(),
                    shacl_graph=shapes.graph,
                    inference="none",
                    inplace=True,
                    focus_nodes=focus,
                )
            else:
                program = shapes.turbo_program()
                text = None if graph else _turbo_report_text(program, data, focus)
                if text is not None:
                    return report_index(text, shapes)
                _, report, _ = program.validate(_turbo_input(data), focus_nodes=focus)
    except ValidationError:
        raise
    except Exception as exc:  # each engine raises its own (and plain) types for unrunnable shapes
        raise EngineError(engine, shapes.source, _reason(exc), shapes.warnings) from None
    finally:
        pyshacl_log.removeFilter(quiet)
    if not isinstance(report, Graph):
        raise EngineError(engine, shapes.source, _reason(report), shapes.warnings)
    return report


def run_engines(
    data: DataGraph,
    shapes: ShapeSet,
    engine: str = "auto",
    focus_nodes: Iterable[URIRef] | None = None,
    graph: bool = True,
) -> EngineRun:
    """Validate with the named engine, or with `auto`: pyshacl-turbo, else pySHACL; `graph=False`
    lets pyshacl-turbo's report be a `ReportIndex` (enough for gap records)."""
    focus = list(focus_nodes) if focus_nodes is not None else None
    if engine != "auto" or not turbo_installed():
        chosen = choose_engine(engine)
        return EngineRun(run_shacl(data, shapes, chosen, focus, graph), chosen)
    try:
        return EngineRun(run_shacl(data, shapes, "turbo", focus, graph), "turbo")
    except EngineError as first:
        try:
            report = run_shacl(data, shapes, "pyshacl", focus)
        except EngineError as second:
            message = (
                f"{shapes.source}: no engine can run these shapes: pyshacl-turbo: {first.reason};"
                f" pySHACL: {second.reason}"
            )
            raise ValidationError(_with_findings(message, shapes.warnings)) from None
        note = (
            f"pyshacl-turbo cannot run these shapes ({first.reason}); validated with pySHACL"
            " instead"
        )
        return EngineRun(report, "pyshacl", [note])


def _turbo_input(data: DataGraph) -> Any:
    """N-Triples text as pyshacl-turbo's native input, skipping a detour through rdflib.

    `Input` is what pyshacl-turbo itself builds from a serialized graph; should a release move
    it, the rdflib graph (slower to build, same report) is used instead.
    """
    try:
        from pyshacl_turbo.rdf import Input
    except ImportError:  # pragma: no cover - depends on the installed release
        return data.graph()
    return Input(data.ntriples.decode("utf-8"), "nt", None, {}, {})


def native_report_text(data: DataGraph, shapes: ShapeSet, engine: str) -> str | None:
    """pyshacl-turbo's report text for the whole data (`report_index` reads it), or None where
    the public path must run instead (another engine asked for, a release not called as 0.6
    is, shapes it cannot run: `run_engines` then says why or falls back). Safe to call from
    several threads at once: it sets no process-wide state."""
    if engine not in ("auto", "turbo") or not turbo_installed():
        return None
    try:
        return _turbo_report_text(shapes.turbo_program(), data, None)
    except Exception:  # the engine's own error types; run_engines names them
        return None


def report_index(text: str, shapes: ShapeSet) -> ReportIndex:
    """pyshacl-turbo's report text as a `ReportIndex`, blank nodes as the shapes' own."""
    program = shapes.turbo_program()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Parsing weird boolean", category=UserWarning)
        return ReportIndex.parse(text, getattr(program, "_blank_nodes", {}))


def _turbo_report_text(
    program: Any, data: DataGraph, focus: list[str | URIRef] | None
) -> str | None:
    """pyshacl-turbo's report as the N-Triples its engine writes, before its Python decoder
    turns it into an rdflib graph; None when this release's engine is not called as 0.6 is
    (then the public path is taken, same results, slower).

    The call is the one `CompiledShapes.validate` makes for a serialized input with our
    settings (no rules, no inference, depth 15, no allow_* flags); `pyproject.toml` pins the
    0.6 series and tests/graph/test_report_index.py checks both paths give the same records.
    """
    native = getattr(program, "_native", None)
    validate = getattr(native, "validate", None)
    if validate is None:
        return None
    try:
        result = validate(
            data.ntriples.decode("utf-8"), "nt", None,
            False, 100, 15, False, False, False, False,
            [str(node) for node in focus or ()], [], [],
        )  # fmt: skip
    except TypeError:  # another release's signature
        return None
    report = result[1] if isinstance(result, tuple) and len(result) == 5 else None
    if not isinstance(report, str):
        return None
    import pyshacl_turbo

    emit = getattr(pyshacl_turbo, "_emit_recursion_warnings", None)
    if callable(emit):
        emit(result[4])
    return report
