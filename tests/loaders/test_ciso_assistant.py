"""CISO Assistant mapping-library import."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from aimstrace.graph.crosswalk.model import RequirementRef, requirement_index
from aimstrace.graph.store import Store
from aimstrace.loaders.ciso_assistant import framework_for_urn, load_ciso_assistant, node_key
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
    (loaded,) = load_ciso_assistant(DATA / "ciso-sample.yaml", index)
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
    assert (6, "source_framework_urn", "urn:intuitem:risk:framework:nist-csf-2.0") in found
    assert (
        16,
        "target_requirement_urn",
        "urn:intuitem:risk:req_node:iso42001-2023:a.99.9",
    ) in found
    assert (19, "relationship", "kinda") in found
    assert (19, "strength_of_relationship", "12") in found
    assert len(caught.value.issues) == 4


def test_urn_matching_helpers() -> None:
    assert framework_for_urn("urn:intuitem:risk:framework:nist-ai-600-1") == "nist-ai-600-1"
    assert framework_for_urn("urn:intuitem:risk:framework:eu-ai-act") == "eu-ai-act"
    assert node_key("Art. 9") == node_key("article-9") == "art9"
    assert node_key("GOVERN 1.1") == node_key("govern-1.1")
