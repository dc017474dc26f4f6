"""Validation of RDF files without a store: `aimstrace validate --data FILE --shapes FILE`.

For people writing rules: the data file is validated exactly as written. It never enters the
Oxigraph store, which would canonicalise its literals (`"300"^^xsd:byte` is stored as an
integer and would pass a datatype check it fails); Oxigraph's parser reads it into N-Triples
text, which pyshacl-turbo reads natively and pySHACL gets term by term (``rdf_files``). No
evaluation date is added and no predicate is left out: the data graph is the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from aimstrace.graph.validation.engines import DataGraph, run_engines
from aimstrace.graph.validation.gaps import GapReport
from aimstrace.graph.validation.rdf_files import RdfFileError, read_rdf_files
from aimstrace.graph.validation.report import StoreLookup, report_records
from aimstrace.graph.validation.shapes import ShapeSet, ValidationError, load_shape_files


def read_data_files(paths: Sequence[Path]) -> DataGraph:
    """The `--data` files as one data graph, every literal as written."""
    try:
        files = read_rdf_files(paths, "--data")
    except RdfFileError as exc:
        raise ValidationError(str(exc)) from None
    return DataGraph(files.ntriples, lossless=True)


def validate_data(data: DataGraph, shapes: ShapeSet, engine: str = "auto") -> GapReport:
    """Validate a data graph read from files against the shapes; labels come from the data."""
    run = run_engines(data, shapes, engine)
    # Labels and owners are looked up in a throw-away index of the data (lossy literals do not
    # matter there: only the report graph carries values).
    index = ox.Store()
    if data.ntriples:
        index.load(data.ntriples, format=ox.RdfFormat.N_TRIPLES)
    records = report_records(run.report, StoreLookup(index), shapes)
    return GapReport(
        as_of=date.today(),
        records=records,
        engine=run.engine,
        notes=[*shapes.warnings, *run.notes],
        report=run.report if isinstance(run.report, Graph) else None,
        prefixes=shapes.all_prefixes(),
    )


def validate_files(
    data_paths: Sequence[Path], shape_paths: Sequence[Path], engine: str = "auto"
) -> GapReport:
    """Validate RDF files against SHACL files, as `validate --data ... --shapes ...` does."""
    shapes = load_shape_files(shape_paths)
    return validate_data(read_data_files(data_paths), shapes, engine)
