"""NIST IR 8278A r1's own OLIR Template examples (Tables 3-6), typed in from the publication
(tests/data/interop/olir/README.md). Both documents are external: the Privacy Framework and
SP 800-53 as focal documents, the publication's fictional Reference Document beside them."""

from __future__ import annotations

from pathlib import Path

import pytest

from aimstrace.graph.crosswalk.model import read_mappings, requirement_index
from aimstrace.graph.engine import Engine
from aimstrace.loaders.mapping_common import MappingLoadError
from aimstrace.loaders.pipeline import import_mappings

OLIR = Path(__file__).parents[1] / "data" / "interop" / "olir"


@pytest.fixture
def engine() -> Engine:
    engine = Engine.open(None)
    engine.load_vocabulary()
    engine.load_catalogs()
    return engine


def _import(engine: Engine, name: str, focal: str) -> list[tuple[str, str, str, str | None]]:
    import_mappings(
        engine.store,
        OLIR / name,
        "olir",
        subject_framework=focal,
        object_framework="ir8278ar1-reference",
    )
    index = requirement_index(engine.store)
    return [
        (
            f"{index[r.subject].framework} {index[r.subject].notation}",
            r.relationship,
            f"{index[r.object].framework} {index[r.object].notation}" if r.object else "",
            r.rationale,
        )
        for r in read_mappings(engine.store).records
    ]


def test_table_4_equal_with_strength_10(engine: Engine) -> None:
    rows = _import(engine, "ir8278ar1-table4-example2.csv", "nist-privacy-framework")
    # the Relationship is the Reference Document Element's to the Focal Document Element's
    # (Table 2 and section 3.2.6): reference 10.11.12 equal focal ID.IM-P
    assert rows == [
        ("ir8278ar1-reference 10.11.12", "equal", "nist-privacy-framework ID.IM-P", "semantic")
    ]
    (record,) = read_mappings(engine.store).records
    assert record.strength == 10
    frameworks = {f.id: f for f in engine.frameworks()}
    assert frameworks["nist-privacy-framework"].external
    assert frameworks["ir8278ar1-reference"].external
    (focal,) = engine.requirements("nist-privacy-framework")
    assert focal.title == (
        "Data processing by systems, products, or services is understood and informs the "
        "management of privacy risk."
    )
    # the publication's placeholder "text" is what the file says; nothing else is made up
    (reference,) = engine.requirements("ir8278ar1-reference")
    assert (reference.title, reference.kind, reference.parent) == ("text", None, None)


def test_table_5_intersects_with_strength_2(engine: Engine) -> None:
    rows = _import(engine, "ir8278ar1-table5-example3.csv", "nist-sp800-53")
    assert rows == [
        ("ir8278ar1-reference 13.14.15", "intersects-with", "nist-sp800-53 IA-2", "functional")
    ]
    (record,) = read_mappings(engine.store).records
    assert record.strength == 2


def test_both_examples_share_the_reference_document(engine: Engine) -> None:
    _import(engine, "ir8278ar1-table4-example2.csv", "nist-privacy-framework")
    _import(engine, "ir8278ar1-table5-example3.csv", "nist-sp800-53")
    notations = [r.notation for r in engine.requirements("ir8278ar1-reference")]
    assert notations == ["10.11.12", "13.14.15"]


@pytest.mark.parametrize(
    ("name", "column", "expected"),
    [
        # Table 3: a concept crosswalk has no Relationship column
        ("ir8278ar1-table3-example1.csv", "relationship", "required column is missing"),
        # Table 6: a supportive relationship mapping ("supports") is not set theory
        ("ir8278ar1-table6-example4.csv", "relationship", "unknown relationship"),
    ],
)
def test_the_other_relationship_styles_are_one_located_error(
    engine: Engine, name: str, column: str, expected: str
) -> None:
    before = engine.store.count()
    with pytest.raises(MappingLoadError) as caught:
        _import(engine, name, "nist-privacy-framework")
    (issue,) = caught.value.issues
    assert (issue.file, issue.column) == (str(OLIR / name), column)
    assert issue.line in (1, 2) and expected in issue.message
    assert engine.store.count() == before
