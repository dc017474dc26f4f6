"""Coverage of a framework by implemented controls, with the paths that justify it."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from aimstrace.graph.crosswalk.coverage import (
    counted_requirements,
    coverage,
    implemented_controls,
    summarise,
)
from aimstrace.graph.crosswalk.model import requirement_index
from aimstrace.graph.crosswalk.sets import derive_mappings
from aimstrace.graph.store import Changeset, Store
from aimstrace.loaders.pipeline import import_mappings, load_crosswalks

DATA = Path(__file__).parents[1] / "data" / "crosswalks"
AIMS = "https://w3id.org/aimstrace/ns#"


@pytest.fixture
def store() -> Store:
    store = Store.in_memory()
    for name, graph in (("mini-catalog.ttl", "catalog/test"), ("mini-org.ttl", "org")):
        node = ox.NamedNode(f"https://w3id.org/aimstrace/graph/{graph}")
        store.load_file(DATA / name, ox.RdfFormat.TURTLE, node)
    load_crosswalks(store, DATA)
    derive_mappings(store)
    return store


def by_notation(store: Store, framework: str) -> dict[str, dict[str, object]]:
    return {e.notation: e.as_dict() for e in coverage(store, framework)}


def test_only_implemented_controls_count(store: Store) -> None:
    assert [c.identifier for c in implemented_controls(store)] == ["CTL-001", "CTL-002"]


def test_eu_ai_act_coverage_levels_and_paths(store: Store) -> None:
    entries = by_notation(store, "eu-ai-act")
    assert set(entries) == {"Art. 9", "Art. 10", "Art. 12", "Annex IV.2"}  # no Annex III points
    assert entries["Annex IV.2"]["coverage"] == "full"  # A.2.2 superset-of Annex IV.2
    assert entries["Art. 9"]["coverage"] == "partial"
    assert entries["Art. 10"]["coverage"] == "none"  # its control (A.7.5) is only planned
    assert entries["Art. 12"]["coverage"] == "none"
    path = entries["Annex IV.2"]["path"]
    assert isinstance(path, dict)
    assert (path["control"], path["implements"], path["requirement"]) == (
        "CTL-001",
        "A.2.2",
        "Annex IV.2",
    )
    assert [(m["subject"], m["relationship"], m["object"]) for m in path["mappings"]] == [
        ("A.2.2", "superset-of", "Annex IV.2")
    ]
    partial_paths = entries["Art. 9"]["paths"]
    assert isinstance(partial_paths, list)
    assert {p["control"] for p in partial_paths} == {"CTL-001", "CTL-002"}


def test_mappings_stored_the_other_way_are_inverted(store: Store) -> None:
    # Stored as "GOVERN 1.2 subset-of A.2.2": read from the control's side, A.2.2 superset-of it.
    entries = by_notation(store, "nist-ai-rmf")
    assert entries["GOVERN 1.2"]["coverage"] == "full"
    assert entries["MAP 1.1"]["coverage"] == "full"  # equal
    assert entries["MEASURE 2.1"]["coverage"] == "none"  # A.6.2.4 is not implemented
    assert entries["GOVERN 1.1"]["coverage"] == "none"
    assert "GOVERN 1" not in entries  # categories are not counted, subcategories are
    path = entries["GOVERN 1.2"]["path"]
    assert isinstance(path, dict)
    assert path["mappings"][0]["relationship"] == "superset-of"


def test_own_framework_is_covered_directly(store: Store) -> None:
    entries = by_notation(store, "iso42001")
    assert entries["A.2.2"]["coverage"] == "full"
    path = entries["A.2.2"]["path"]
    assert isinstance(path, dict) and path["mappings"] == []
    assert entries["A.7.5"]["coverage"] == "none"
    assert "5" not in entries and "5.2" in entries  # clause leaves only


def implement_ctl_003(store: Store) -> None:
    org = ox.NamedNode("https://w3id.org/aimstrace/graph/org")
    control = ox.NamedNode("https://w3id.org/aimstrace/data/control/CTL-003")
    status = ox.NamedNode(AIMS + "controlStatus")
    planned = ox.Quad(control, status, ox.NamedNode(AIMS + "status-planned"), org)
    done = ox.Quad(control, status, ox.NamedNode(AIMS + "status-implemented"), org)
    store.apply(Changeset(remove=(planned,), add=(done,)))


def test_derived_mappings_justify_with_their_chain(store: Store, tmp_path: Path) -> None:
    implement_ctl_003(store)  # implements A.7.5, which is equal to ISO 27001 A.5.1
    olir = tmp_path / "iso27001-eu.csv"
    olir.write_text(
        "Focal Element,Reference Element,Relationship,Rationale,Strength\n"
        "Art. 12,A.5.1,subset of,semantic,4\n"
    )
    # NIST IR 8278A r1: the reference element (A.5.1) is a subset of the focal one (Art. 12).
    import_mappings(store, olir, "olir", "iso27001-eu", "eu-ai-act", "iso27001")
    derive_mappings(store)
    entries = by_notation(store, "eu-ai-act")
    assert entries["Art. 10"]["coverage"] == "partial"  # asserted: A.7.5 subset-of Art. 10
    assert entries["Art. 12"]["coverage"] == "partial"  # derived: A.7.5 = A.5.1 ⊊ Art. 12
    path = entries["Art. 12"]["path"]
    assert isinstance(path, dict) and path["control"] == "CTL-003"
    assert [(m["relationship"], m["status"]) for m in path["mappings"]] == [
        ("subset-of", "derived")
    ]
    assert [(m["subject"], m["relationship"], m["object"]) for m in path["derived_via"]] == [
        ("A.7.5", "equal", "A.5.1"),
        ("A.5.1", "subset-of", "Art. 12"),
    ]
    assert by_notation(store, "iso27001")["A.5.1"]["coverage"] == "full"


def test_counts_and_counted_kinds(store: Store) -> None:
    counts = summarise(coverage(store, "nist-ai-rmf"))
    assert counts == {"full": 2, "partial": 0, "none": 2}
    index = requirement_index(store)
    assert [r.notation for r in counted_requirements(index, "eu-ai-act")] == [
        "Annex IV.2",
        "Art. 9",
        "Art. 10",
        "Art. 12",
    ]


def test_unknown_framework_is_an_error(store: Store) -> None:
    with pytest.raises(ValueError, match="unknown framework id 'iso9001'"):
        coverage(store, "iso9001")
