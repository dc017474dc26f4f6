"""CISO Assistant's own published libraries (tests/data/interop/ciso), read as they are."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from aimstrace.graph.crosswalk.model import RequirementRef, requirement_index
from aimstrace.graph.engine import Engine
from aimstrace.loaders.ciso_assistant import framework_for_urn, load_ciso_assistant, match_node
from aimstrace.loaders.mapping_common import MappingLoadError

CISO = Path(__file__).parents[1] / "data" / "interop" / "ciso"


@pytest.fixture(scope="module")
def index() -> dict[str, RequirementRef]:
    engine = Engine.open(None)
    engine.load_vocabulary()
    engine.load_catalogs()
    return requirement_index(engine.store)


def test_the_2013_library_is_refused_as_the_2022_catalog(index: dict[str, RequirementRef]) -> None:
    path = CISO / "mapping-iso27001-2013-to-iso27001-2022.yaml"
    with pytest.raises(MappingLoadError) as caught:
        load_ciso_assistant(path, index)
    # One located error: the 2013 edition. The 134 `strength_of_relationship: null` entries and
    # the 2022 side (all in our catalog) raise nothing.
    (issue,) = caught.value.issues
    assert (issue.file, issue.line, issue.column) == (str(path), 22, "source_framework_urn")
    assert issue.value == "urn:intuitem:risk:framework:iso27001-2013"
    assert "iso27001-2013" in issue.message


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


def test_a_mapping_to_a_framework_we_do_not_hold_is_one_error_per_set(
    index: dict[str, RequirementRef],
) -> None:
    path = CISO / "map-iso42001-2023-and-scf-2025.2.2.cut.yaml"
    with pytest.raises(MappingLoadError) as caught:
        load_ciso_assistant(path, index)
    located = [(i.column, i.value) for i in caught.value.issues]
    assert located == [
        ("target_framework_urn", "urn:intuitem:risk:framework:scf-2025.2.2"),
        ("source_framework_urn", "urn:intuitem:risk:framework:scf-2025.2.2"),
    ]
