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
    # NIST IR 8278A r1: the relationship is the reference element's to the focal element's, so
    # "focal GOVERN 1.2, subset of, reference A.2.2" is A.2.2 subset-of GOVERN 1.2.
    assert rows == {
        ("iso42001/A.2.2", "subset-of", "nist-ai-rmf/GOVERN_1.2"),
        ("iso42001/A.5.2", "equal", "nist-ai-rmf/MAP_1.1"),
        ("iso42001/A.6.2.4", "intersects-with", "nist-ai-rmf/MEASURE_2.1"),
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
    assert any(i.line == 5 and "malformed row" in i.message for i in caught.value.issues)
    # strength "0" on line 4 is "not given" (the OLIR template makes strength optional)
    assert len(caught.value.issues) == 4


def test_missing_required_column_is_named(tmp_path: Path, index: dict[str, RequirementRef]) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Focal Element,Reference Element,Strength\nMAP 1.1,A.5.2,5\n")
    with pytest.raises(MappingLoadError) as caught:
        load_olir(path, index, "nist-ai-rmf", "iso42001", "x")
    assert [(i.line, i.column) for i in caught.value.issues] == [(1, "relationship")]


def test_header_spellings_fold_together() -> None:
    assert fold_header("  Strength_of-Relationship ") == "strength of relationship"


# The header rows below are the ones NIST's and SCF's published files use, as two other
# projects record them verbatim (docs/interchange.md); the data rows are ours.
NIST_OLIR_HEADER = [
    "Focal Document\nElement",
    "Focal Document Element Description",
    "Reference Document\nElement",
    "Reference Document\nElement Description\n(Optional)",
    "Comments\n(Optional)",
    "Strength of\nRelationship\n(Optional)",
    "Relationship",
]
SCF_STRM_HEADER = [
    "FDE#",
    "FDE Name",
    "Focal Document Element (FDE)",
    "Confidence Levels",
    "NIST IR-8477 Rational",
    "STRM Rationale",
    "STRM Relationship",
    "Strength of Relationship",
    "ISO Requirement Title",
    "Target ID #",
    "ISO Requirement Description",
    "Notes",
]


def test_published_olir_header_in_xlsx_with_optional_strength(
    tmp_path: Path, index: dict[str, RequirementRef]
) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    readme = book.active
    assert readme is not None
    readme.title = "README"
    readme.append(["This sheet is not the mapping."])
    sheet = book.create_sheet("Relationships")
    sheet.append(NIST_OLIR_HEADER)
    sheet.append(["GOVERN 1.2", "", "A.2.2\n", "", "", None, "subset of"])
    sheet.append(["MAP 1.1", "", "A.5.2", "", "our note", "N/A", "equal"])
    sheet.append([None] * 7)
    sheet.append(["MEASURE 2.1", "", "A.6.2.4", "", "", 6, "intersects with"])
    path = tmp_path / "olir.xlsx"
    book.save(path)
    loaded = load_olir(path, index, "nist-ai-rmf", "iso42001", "olir-xlsx")
    got = {
        (r.subject.removeprefix(CATALOG), r.relationship, (r.object or "").removeprefix(CATALOG)): (
            r.strength,
            r.rationale,
        )
        for r in loaded.records
    }
    assert got == {
        ("iso42001/A.2.2", "subset-of", "nist-ai-rmf/GOVERN_1.2"): (None, None),
        ("iso42001/A.5.2", "equal", "nist-ai-rmf/MAP_1.1"): (None, None),
        ("iso42001/A.6.2.4", "intersects-with", "nist-ai-rmf/MEASURE_2.1"): (6, None),
    }


def test_scf_strm_banner_and_header_take_the_identifier_columns(
    tmp_path: Path, index: dict[str, RequirementRef]
) -> None:
    import csv

    path = tmp_path / "strm.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(
            ["Focal Document:", "NIST AI RMF 1.0", "", "", "", "", "", "", "", "", "", ""]
        )
        writer.writerow([""] * 12)
        writer.writerow(SCF_STRM_HEADER)
        writer.writerow(
            [
                "MAP 1.1",
                "Context",
                "Context is established and understood.",
                "",
                "",
                "Semantic",
                "superset of",
                "8",
                "",
                "A.5.2",
                "",
                "",
            ]
        )
    loaded = load_olir(path, index, "nist-ai-rmf", "iso42001", "strm")
    (record,) = loaded.records
    assert record.subject.endswith("iso42001/A.5.2")
    assert record.object is not None and record.object.endswith("nist-ai-rmf/MAP_1.1")
    assert (record.relationship, record.rationale, record.strength) == (
        "superset-of",
        "semantic",
        8,
    )


def test_an_unreadable_workbook_is_one_located_error(
    tmp_path: Path, index: dict[str, RequirementRef]
) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(MappingLoadError) as caught:
        load_olir(path, index, "nist-ai-rmf", "iso42001", "broken")
    (issue,) = caught.value.issues
    assert issue.file == str(path) and "XLSX" in issue.message
