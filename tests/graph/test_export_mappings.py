"""Export: SSSOM TSV that re-imports to the same records; OSCAL that trestle reads back."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from trestle.oscal.mapping import MappingCollection, Model

from aimstrace.graph.crosswalk.model import read_mappings
from aimstrace.graph.crosswalk.sets import derive_mappings, export_mappings
from aimstrace.graph.store import Store
from aimstrace.loaders.pipeline import import_mappings, load_crosswalks

DATA = Path(__file__).parents[1] / "data" / "crosswalks"


@pytest.fixture
def store() -> Store:
    store = Store.in_memory()
    graph = ox.NamedNode("https://w3id.org/aimstrace/graph/catalog/test")
    store.load_file(DATA / "mini-catalog.ttl", ox.RdfFormat.TURTLE, graph)
    load_crosswalks(store, DATA)
    derive_mappings(store)
    return store


def test_sssom_export_reimports_to_the_same_records(store: Store, tmp_path: Path) -> None:
    text = export_mappings(store, "sssom", ["nist-ai-rmf--iso42001"])
    path = tmp_path / "copy.sssom.tsv"
    path.write_text(text, encoding="utf-8")
    import_mappings(store, path, "sssom", set_name="copy")
    stored = read_mappings(store)

    def content(set_name: str) -> set[tuple[object, ...]]:
        return {
            (
                r.subject,
                r.object,
                r.relationship,
                r.rationale,
                r.strength,
                r.confidence,
                r.justification,
                r.author,
            )
            for r in stored.records
            if r.mapping_set == set_name
        }

    assert content("copy") == content("nist-ai-rmf--iso42001") and len(content("copy")) == 4
    copy = stored.sets["copy"]
    assert copy.licence == stored.sets["nist-ai-rmf--iso42001"].licence


def test_oscal_export_is_read_back_by_trestle(store: Store) -> None:
    text = export_mappings(store, "oscal", include_derived=True)
    model = Model.model_validate(json.loads(text))
    collection: MappingCollection = model.mapping_collection
    mappings = (
        collection.mappings if isinstance(collection.mappings, list) else [collection.mappings]
    )
    pairs = {
        (
            m.source_resource.href.removesuffix(".oscal-catalog.json"),
            m.target_resource.href.removesuffix(".oscal-catalog.json"),
        )
        for m in mappings
    }
    assert ("nist-ai-rmf", "iso42001") in pairs and ("nist-ai-rmf", "eu-ai-act") in pairs
    maps = [m for mapping in mappings for m in mapping.maps]
    assert len(maps) == 10 - 1 + 3  # asserted with an object, plus the derived ones
    relations = {(m.sources[0].id_ref, m.relationship, m.targets[0].id_ref) for m in maps}
    assert ("nistairmf_govern-1.2", "subset-of", "iso42001_a.2.2") in relations
    assert ("nistairmf_map-1.1", "equal-to", "iso42001_a.5.2") in relations
    assert ("nistairmf_govern-1.2", "subset-of", "euaiact_art-9") in relations  # derived
    nist = next(
        m
        for m in mappings
        if m.target_resource.href == "iso42001.oscal-catalog.json"
        and m.source_resource.href == "nist-ai-rmf.oscal-catalog.json"
    )
    assert nist.remarks is not None and "GOVERN 1.1" in nist.remarks  # the no-relationship row


def test_export_of_an_unknown_set_or_format_is_an_error(store: Store) -> None:
    with pytest.raises(ValueError, match="no mapping set named 'nope'"):
        export_mappings(store, "sssom", ["nope"])
    with pytest.raises(ValueError, match="unknown export format 'csv'"):
        export_mappings(store, "csv")
