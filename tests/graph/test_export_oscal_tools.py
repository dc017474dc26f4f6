"""OSCAL as others read it: catalogs and mapping-collections checked by NIST's JSON schema and
by compliance-trestle, and every id-ref of a mapping found in the catalog it names."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import regex
from jsonschema import validators
from jsonschema.exceptions import ValidationError
from trestle.oscal.catalog import Catalog
from trestle.oscal.mapping import Model

from aimstrace.graph.crosswalk.model import requirement_index
from aimstrace.graph.crosswalk.oscal import control_token, export_oscal_catalog
from aimstrace.graph.crosswalk.sets import derive_mappings, export_mappings
from aimstrace.graph.engine import Engine
from aimstrace.graph.store import Store
from aimstrace.loaders.pipeline import load_crosswalks
from aimstrace.ontology import FRAMEWORK_IDS

DATA = Path(__file__).parents[1] / "data"
SCHEMA = json.loads((DATA / "oscal" / "oscal_complete_schema.json").read_text(encoding="utf-8"))
NIST_CATALOG = (
    DATA
    / "interop"
    / "oscal"
    / "NIST_SP-800-53_rev5_PRIVACY-baseline-resolved-profile_catalog.cut.json"
)


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    # The schema's token pattern uses \p{L} and \p{N}, which only the regex package knows.
    if validator.is_type(instance, "string") and not regex.search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


OscalValidator = validators.extend(jsonschema.Draft7Validator, {"pattern": _pattern})


def schema_errors(document: dict[str, Any]) -> list[str]:
    """Every place the document breaks NIST's OSCAL 1.2.3 schema."""
    validator = OscalValidator(SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    found = []
    for error in validator.iter_errors(document):
        deepest = min(error.context or [error], key=lambda e: -len(e.absolute_path))
        found.append(f"{list(deepest.absolute_path)}: {deepest.message}")
    return found


@pytest.fixture(scope="module")
def store() -> Store:
    engine = Engine.open(None)
    engine.load_vocabulary()
    engine.load_catalogs()
    load_crosswalks(engine.store, Path(__file__).parents[2] / "ontology" / "crosswalks")
    derive_mappings(engine.store)
    return engine.store


def test_the_validator_accepts_nists_own_catalog_and_fails_a_broken_copy() -> None:
    document = json.loads(NIST_CATALOG.read_text(encoding="utf-8"))
    assert schema_errors(document) == []
    document["catalog"]["groups"][0]["controls"][0]["id"] = "1 not a token"
    assert schema_errors(document)


def _ids(controls: list[dict[str, Any]]) -> Iterator[str]:
    for control in controls:
        yield control["id"]
        yield from _ids(control.get("controls", []))


@pytest.mark.parametrize("framework", FRAMEWORK_IDS)
def test_each_catalog_passes_the_schema_and_trestle(store: Store, framework: str) -> None:
    index = requirement_index(store)
    text = export_oscal_catalog(framework, index, f"{framework} (aimstrace)", "1")
    document = json.loads(text)
    assert schema_errors(document) == []
    catalog = Catalog.model_validate(document["catalog"])
    ids = list(_ids(document["catalog"]["controls"]))
    ours = [r for r in index.values() if r.framework == framework]
    assert len(ids) == len(set(ids)) == len(ours)  # one control per requirement, ids unique
    assert catalog.uuid == document["catalog"]["uuid"]
    labels = {
        p["value"]
        for c in document["catalog"]["controls"]
        for p in c["props"]
        if p["name"] == "label"
    }
    assert labels  # the notation is kept as the label


def test_tokens_for_our_notations() -> None:
    assert control_token("iso42001", "A.2.2") == "iso42001_a.2.2"
    assert control_token("nist-ai-rmf", "GOVERN 1.1") == "nistairmf_govern-1.1"
    assert control_token("eu-ai-act", "Art. 20") == "euaiact_art-20"
    assert control_token("iso27001", "10.1") == "iso27001_10.1"
    assert control_token("iso27001", "A.8.1") != control_token("iso27001", "A.81")


def test_mapping_collection_passes_and_every_id_ref_resolves(store: Store) -> None:
    document = json.loads(export_mappings(store, "oscal", include_derived=True))
    assert schema_errors(document) == []
    Model.model_validate(document)
    index = requirement_index(store)
    catalogs = {
        fw: set(_ids(json.loads(export_oscal_catalog(fw, index, fw, "1"))["catalog"]["controls"]))
        for fw in FRAMEWORK_IDS
    }
    refs = 0
    for mapping in document["mapping-collection"]["mappings"]:
        source = mapping["source-resource"]["href"].removesuffix(".oscal-catalog.json")
        target = mapping["target-resource"]["href"].removesuffix(".oscal-catalog.json")
        for item in mapping["maps"]:
            for ref in item["sources"]:
                assert ref["id-ref"] in catalogs[source]
                refs += 1
            for ref in item["targets"]:
                assert ref["id-ref"] in catalogs[target]
                refs += 1
    assert refs > 400
