"""NIST OLIR / STRM CSV import."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from aimstrace.graph.crosswalk.model import RequirementRef, requirement_index
from aimstrace.graph.store import Store
from aimstrace.loaders.mapping_common import MappingLoadError
from aimstrace.loaders.olir import fold_header, load_olir

DATA = Path(__file__).parents[1] / "data" / "crosswalks"
CATALOG = "https://w3id.org/aimstrace/catalog/"


@pytest.fixture
def index() -> dict[str, RequirementRef]:
    store = Store.in_memory()
    graph = ox.NamedNode("https://w3id.org/aimstrace/graph/catalog/test")
    store.load_file(DATA / "mini-catalog.ttl", ox.RdfFormat.TURTLE, graph)
    return requirement_index(store)


def test_olir_rows_become_typed_records(index: dict[str, RequirementRef]) -> None:
    loaded = load_olir(
        DATA / "olir-sample.csv", index, "nist-ai-rmf", "iso42001", "olir-test", source="tests"
    )
    rows = {
        (r.subject.removeprefix(CATALOG), r.relationship, (r.object or "").removeprefix(CATALOG))
        for r in loaded.records
    }
    assert rows == {
        ("nist-ai-rmf/GOVERN_1.2", "subset-of", "iso42001/A.2.2"),
        ("nist-ai-rmf/MAP_1.1", "equal", "iso42001/A.5.2"),
        ("nist-ai-rmf/MEASURE_2.1", "intersects-with", "iso42001/A.6.2.4"),
    }
    first = next(r for r in loaded.records if r.relationship == "subset-of")
    assert (first.rationale, first.strength) == ("semantic", 7)
    assert first.justification.startswith("Policy content")
    assert loaded.info.source == "tests"
    assert "not stated" in loaded.info.licence  # a licence note is always kept with the set


def test_olir_errors_are_all_reported(index: dict[str, RequirementRef]) -> None:
    with pytest.raises(MappingLoadError) as caught:
        load_olir(DATA / "olir-bad.csv", index, "nist-ai-rmf", "iso42001", "olir-bad")
    found = {(i.line, i.column, i.value) for i in caught.value.issues}
    assert (2, "focal", "GOVERN 9.9") in found
    assert (3, "relationship", "kind of") in found
    assert (4, "rationale", "vibes") in found
    assert (4, "strength", "0") in found
    assert any(i.line == 5 and "malformed row" in i.message for i in caught.value.issues)
    assert len(caught.value.issues) == 5


def test_missing_required_column_is_named(tmp_path: Path, index: dict[str, RequirementRef]) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Focal Element,Reference Element,Relationship\nMAP 1.1,A.5.2,equal\n")
    with pytest.raises(MappingLoadError) as caught:
        load_olir(path, index, "nist-ai-rmf", "iso42001", "x")
    assert {i.column for i in caught.value.issues} == {"rationale", "strength"}


def test_header_spellings_fold_together() -> None:
    assert fold_header("  Strength_of-Relationship ") == "strength of relationship"
