"""CISO Assistant's own published libraries (tests/data/interop/ciso), read as they are."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from aimstrace.graph.crosswalk.model import RequirementRef, requirement_index
from aimstrace.graph.engine import Engine
from aimstrace.loaders.ciso_assistant import framework_for_urn, load_ciso_assistant, match_node

CISO = Path(__file__).parents[1] / "data" / "interop" / "ciso"
CATALOG = "https://w3id.org/aimstrace/catalog/"


@pytest.fixture(scope="module")
def index() -> dict[str, RequirementRef]:
    engine = Engine.open(None)
    engine.load_vocabulary()
    engine.load_catalogs()
    return requirement_index(engine.store)


def test_the_2013_side_is_an_external_framework_never_the_2022_catalog(
    index: dict[str, RequirementRef],
) -> None:
    path = CISO / "mapping-iso27001-2013-to-iso27001-2022.yaml"
    library = load_ciso_assistant(path, index)
    (loaded,) = library.sets
    (external,) = library.externals
    assert external.id == "iso27001-2013" and external.source.endswith(":iso27001-2013")
    # The 134 `strength_of_relationship: null` entries are unknown strength, not errors.
    assert len(loaded.records) == 134 and all(r.strength is None for r in loaded.records)
    # every subject is a 2013 node, none is our 2022 catalog's
    assert all(r.subject.startswith(CATALOG + "iso27001-2013/") for r in loaded.records)
    assert all((r.object or "").startswith(CATALOG + "iso27001/") for r in loaded.records)


def test_their_2013_ids_never_meet_2022_ids() -> None:
    # Stripping punctuation made A.8.1.4 (2013) equal to A.8.14 (2022); exact rules cannot.
    assert match_node("urn:intuitem:risk:framework:iso27001-2013", "a.8.1.4") is None
    assert match_node("urn:intuitem:risk:framework:iso27001-2022", "a.8.14") is not None
    assert framework_for_urn("urn:intuitem:risk:framework:iso27001-2013") is None


def test_every_2022_target_of_their_library_is_one_of_our_notations(
    index: dict[str, RequirementRef],
) -> None:
    library = yaml.safe_load((CISO / "mapping-iso27001-2013-to-iso27001-2022.yaml").read_text())
    mappings = library["objects"]["requirement_mapping_set"]["requirement_mappings"]
    assert len(mappings) == 134
    assert all(m["strength_of_relationship"] is None for m in mappings)
    ours = {ref.notation for ref in index.values() if ref.framework == "iso27001"}
    framework = "urn:intuitem:risk:framework:iso27001-2022"
    for mapping in mappings:
        node_id = mapping["target_requirement_urn"].rsplit(":", 1)[-1]
        match = match_node(framework, node_id)
        assert match is not None and match.notation in ours, node_id
    # hand-read rows (tests/data/interop/README.md)
    by_source = {m["source_requirement_urn"].rsplit(":", 1)[-1]: m for m in mappings}
    assert by_source["a.8.1.4"]["target_requirement_urn"].endswith(":a.5.11")
    assert by_source["a.5.1.1"]["relationship"] == "subset"


def test_their_ai_act_and_rmf_node_ids_line_up_with_ours(index: dict[str, RequirementRef]) -> None:
    ours = {(ref.framework, ref.notation) for ref in index.values()}
    for name, framework in (
        ("ai-act.cut.yaml", "eu-ai-act"),
        ("nist-ai-rmf-1.0.cut.yaml", "nist-ai-rmf"),
    ):
        library = yaml.safe_load((CISO / name).read_text())
        urn = library["objects"]["framework"]["urn"]
        assert framework_for_urn(urn) == framework
        matched = {}
        for node in library["objects"]["framework"]["requirement_nodes"]:
            node_id = node["urn"].rsplit(":", 1)[-1]
            match = match_node(urn, node_id)
            if match is not None:
                assert (framework, match.notation) in ours, node_id
                matched[node_id] = match.notation
        assert matched, name
    assert match_node("urn:intuitem:risk:framework:ai-act", "9.2.a").notation == "Art. 9"


def test_a_mapping_to_a_framework_we_do_not_hold_makes_it_external(
    index: dict[str, RequirementRef],
) -> None:
    path = CISO / "map-iso42001-2023-and-scf-2025.2.2.cut.yaml"
    library = load_ciso_assistant(path, index)
    (scf,) = library.externals
    assert scf.id == "scf-2025.2.2" and not scf.defining
    forward, revert = library.sets
    assert len(forward.records) == len(revert.records) == 21
    assert {r.subject.split("/")[-2] for r in forward.records} == {"iso42001"}
    assert {r.subject.split("/")[-2] for r in revert.records} == {"scf-2025.2.2"}
