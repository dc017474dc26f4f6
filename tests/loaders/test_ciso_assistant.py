"""CISO Assistant mapping-library import."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from aimstrace.graph.crosswalk.model import RequirementRef, requirement_index
from aimstrace.graph.store import Store
from aimstrace.loaders.ciso_assistant import (
    NodeMatch,
    framework_for_urn,
    load_ciso_assistant,
    match_node,
)
from aimstrace.loaders.mapping_common import MappingLoadError

DATA = Path(__file__).parents[1] / "data" / "crosswalks"
CATALOG = "https://w3id.org/aimstrace/catalog/"


@pytest.fixture
def index() -> dict[str, RequirementRef]:
    store = Store.in_memory()
    graph = ox.NamedNode("https://w3id.org/aimstrace/graph/catalog/test")
    store.load_file(DATA / "mini-catalog.ttl", ox.RdfFormat.TURTLE, graph)
    return requirement_index(store)


def test_library_urns_map_to_our_notations(index: dict[str, RequirementRef]) -> None:
    (loaded,) = load_ciso_assistant(DATA / "ciso-sample.yaml", index).sets
    assert loaded.info.name == "mapping-nist-ai-rmf-to-iso42001"
    assert loaded.info.licence == "CC0-1.0 (test fixture)"
    assert "aimstrace tests" in loaded.info.source and loaded.info.version == "2"
    rows = {
        (
            r.subject.removeprefix(CATALOG),
            r.relationship,
            (r.object or "").removeprefix(CATALOG),
            r.strength,
        )
        for r in loaded.records
    }
    assert rows == {
        ("nist-ai-rmf/GOVERN_1.2", "subset-of", "iso42001/A.2.2", 7),
        ("nist-ai-rmf/MAP_1.1", "equal", "iso42001/A.5.2", None),
        ("nist-ai-rmf/MEASURE_2.1", "superset-of", "iso42001/A.6.2.4", 5),
    }


def test_unmatched_urns_and_bad_words_are_errors(index: dict[str, RequirementRef]) -> None:
    with pytest.raises(MappingLoadError) as caught:
        load_ciso_assistant(DATA / "ciso-bad.yaml", index)
    found = {(i.line, i.column, i.value) for i in caught.value.issues}
    # a library URN where a framework URN belongs: not a variant we read
    assert (6, "source_framework_urn", "urn:intuitem:risk:library:nist-csf-2.0") in found
    assert (
        16,
        "target_requirement_urn",
        "urn:intuitem:risk:req_node:iso42001-2023:a.99.9",
    ) in found
    assert (19, "relationship", "kinda") in found
    assert (19, "strength_of_relationship", "12") in found
    assert len(caught.value.issues) == 4


FW = "urn:intuitem:risk:framework:"
#: Their node ids (from their libraries, tests/data/interop/ciso) and ours, one row per rule.
NORMALISATION = [
    ("iso27001-2022", "a.8.14", NodeMatch("A.8.14")),
    ("iso27001-2022", "9.2.1", NodeMatch("9.2.1")),
    ("iso42001-2023", "a.2.2", NodeMatch("A.2.2")),
    ("iso42001-2023", "10.1", NodeMatch("10.1")),
    ("nist-ai-rmf-1.0", "govern", NodeMatch("GOVERN")),
    ("nist-ai-rmf-1.0", "govern-1", NodeMatch("GOVERN 1")),
    ("nist-ai-rmf-1.0", "map-1.1", NodeMatch("MAP 1.1")),
    ("nist-ai-rmf-1.0", "node3", None),
    ("ai-act", "9.1", NodeMatch("Art. 9", "part")),
    ("ai-act", "9.2.a", NodeMatch("Art. 9", "part")),
    ("ai-act", "5.1.c.i", NodeMatch("Art. 5", "part")),
    ("ai-act", "recital-1", None),
    ("ai-act", "node324", None),
    ("iso27001-2013", "a.8.1.4", None),
]


@pytest.mark.parametrize(("framework", "node_id", "ours"), NORMALISATION)
def test_node_id_normalisation_table(framework: str, node_id: str, ours: NodeMatch | None) -> None:
    assert match_node(FW + framework, node_id) == ours


def test_editions_are_checked() -> None:
    assert framework_for_urn(FW + "iso27001-2022") == "iso27001"
    assert framework_for_urn(FW + "iso27001-2013") is None  # never the 2022 catalog
    assert framework_for_urn(FW + "ai-act") == "eu-ai-act"
    assert framework_for_urn(FW + "iso42001-2023") == "iso42001"
