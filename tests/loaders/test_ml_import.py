"""ML metadata importers on real published files (tests/data/ml/README.md): what each file
gives, provenance, located errors with nothing stored, idempotence and a Turtle round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib.compare import isomorphic

from aimstrace.graph.store import Store
from aimstrace.loaders.errors import InventoryLoadError
from aimstrace.loaders.load import load
from aimstrace.loaders.ml.read import detect
from aimstrace.ontology.iris import entity_iri
from tests.loaders.inventory_support import ORG, all_quads, catalog_store, org_graph

ML = Path(__file__).parents[1] / "data" / "ml"
AIMS = "https://w3id.org/aimstrace/ns#"
RAI = "http://mlcommons.org/croissant/RAI/"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
GOOD = [
    ML / "hf-card" / "sample_simple_model_index.md",
    ML / "hf-card" / "sample_datasetcard_simple.md",
    ML / "hf-card" / "aira-2-portuguese-1b7.md",
    ML / "hf-card" / "instruct-aira-dataset.md",
    ML / "croissant" / "dices-350.json",
    ML / "croissant" / "bigcode-the-stack.json",
    ML / "spdx3" / "ai-example02.spdx3.json",
    ML / "spdx3" / "dataset-example01.spdx3.json",
    ML / "cyclonedx" / "foundation-models.bom.json",
    ML / "cyclonedx" / "model-card-with-dataset.bom.json",
    ML / "openlineage" / "test-start.json",
    ML / "openlineage" / "test-complete.json",
    ML / "openlineage" / "example_full_event.json",
]


def node(kind: str, identifier: str) -> ox.NamedNode:
    return ox.NamedNode(str(entity_iri(kind, identifier)))


def values(store: Store, subject: ox.NamedNode, predicate: str) -> set[str]:
    quads = store.oxigraph.quads_for_pattern(subject, ox.NamedNode(predicate), None, ORG)
    return {q.object.value for q in quads}  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def loaded() -> Store:
    store = catalog_store()
    load(GOOD, store)
    return store


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("hf-card/sample_simple.md", "hf-card"),
        ("croissant/dices-350.json", "croissant"),
        ("spdx3/dataset-example01.spdx3.json", "spdx3"),
        ("cyclonedx/foundation-models.bom.json", "cyclonedx"),
        ("cyclonedx/open-source-model-trailing-comma.bom.json", "cyclonedx"),
        ("openlineage/test-complete.json", "openlineage"),
    ],
)
def test_format_is_found_from_the_content(name: str, expected: str) -> None:
    path = ML / name
    assert detect(path, path.read_text(encoding="utf-8")) == expected


def test_model_card_gives_licence_training_data_and_evaluations(loaded: Store) -> None:
    model = node("model", "my-cool-model")
    assert values(loaded, model, DCT + "license") == {"mit"}
    assert values(loaded, model, AIMS + "trainedOn") == {node("dataset", "beans").value}
    evaluation = node("evaluation", "my-cool-model/1-f1")
    assert values(loaded, evaluation, AIMS + "metricValue") == {"0.66"}
    assert values(loaded, evaluation, AIMS + "dataSplit") == {"test"}


def test_dataset_card_and_croissant_rai_fields(loaded: Store) -> None:
    card = node("dataset", "sample_datasetcard_simple")
    assert values(loaded, card, AIMS + "task") == {"image-segmentation", "semantic-segmentation"}
    dices = node("dataset", "DICES-350_dataset")
    assert any("demographic" in v for v in values(loaded, dices, RAI + "dataBiases"))
    assert values(loaded, dices, AIMS + "acquisition") == values(
        loaded, dices, RAI + "dataCollection"
    )
    stack = node("dataset", "bigcode-the-stack")
    assert values(loaded, stack, RAI + "personalSensitiveInformation")


def test_spdx_ai_and_dataset_profiles(loaded: Store) -> None:
    model = node("model", "Sentiment Demo: A Simple AI Application and its AI BOM Example")
    data = node("dataset", "Data after preprocessing").value
    assert values(loaded, model, AIMS + "autonomyType") == {"yes"}
    # model.bin trainedOn train.txt: files lifted to the packages that contain them.
    assert values(loaded, model, AIMS + "trainedOn") == {data}
    owid = node("dataset", "Our World in Data CO2 and Greenhouse Gas Emissions dataset")
    assert values(loaded, owid, AIMS + "containsPersonalData") == {"false"}
    assert values(loaded, owid, AIMS + "suppliedBy") == {node("vendor", "Our World in Data").value}


def test_cyclonedx_model_card_considerations(loaded: Store) -> None:
    model = node("model", "support-ticket-classifier")
    assert values(loaded, model, AIMS + "intendedUse") == {
        "Suggest an initial support queue for a newly received support ticket."
    }
    assert len(values(loaded, model, AIMS + "modelDataset")) == 2
    assert values(loaded, node("model", "gpt-4o"), AIMS + "suppliedBy") == {
        node("vendor", "OpenAI Inc").value
    }


def test_openlineage_lineage_without_self_derivation(loaded: Store) -> None:
    output = node("dataset", "my-namespace/my-output")
    assert values(loaded, output, PROV + "wasDerivedFrom") == {
        node("dataset", "my-namespace/my-input").value
    }
    in_place = node("dataset", "my-datasource-namespace/instance.schema.table")
    assert values(loaded, in_place, PROV + "wasDerivedFrom") == set()
    assert values(loaded, in_place, PROV + "wasGeneratedBy")


def test_every_imported_entity_keeps_its_file_and_own_id(loaded: Store) -> None:
    typed = {
        q.subject
        for q in loaded.oxigraph.quads_for_pattern(None, None, None, ORG)
        if q.predicate.value.endswith("#type")
    }
    assert len(typed) > 20
    for subject in typed:
        assert values(loaded, subject, AIMS + "sourceFile"), subject  # type: ignore[arg-type]
        assert values(loaded, subject, AIMS + "sourceIdentifier"), subject  # type: ignore[arg-type]
    spdx = node("dataset", "Data after preprocessing")
    assert values(loaded, spdx, AIMS + "sourceIdentifier") == {
        "https://spdx.org/spdxdocs/DatasetPackage1-d1f693d0-b420-4b6a-b9f2-ec2097bac863"
    }


def test_loading_again_changes_nothing(loaded: Store) -> None:
    report = load(GOOD, loaded, dry_run=True)
    assert report.triples_added == 0 and report.triples_removed == 0 and not report.added


def test_turtle_round_trip_is_isomorphic(loaded: Store, tmp_path: Path) -> None:
    turtle = tmp_path / "org.ttl"
    turtle.write_bytes(loaded.dump(ox.RdfFormat.TURTLE, ORG))
    again = catalog_store()
    load([turtle], again)
    assert isomorphic(org_graph(loaded), org_graph(again))


def _fails(paths: list[Path], *expected: str) -> None:
    store = catalog_store()
    before = all_quads(store)
    with pytest.raises(InventoryLoadError) as caught:
        load(paths, store)
    shown = [str(i) for i in caught.value.issues]
    for text in expected:
        assert any(text in line for line in shown), shown
    assert all_quads(store) == before


def test_real_bad_files_give_located_errors_and_store_nothing() -> None:
    _fails(
        [
            ML / "hf-card" / "sample_invalid_card_data.md",
            ML / "hf-card" / "sample_no_metadata.md",
            ML / "hf-card" / "sample_invalid_model_index.md",
            ML / "cyclonedx" / "open-source-model-trailing-comma.bom.json",
            *GOOD,
        ],
        "sample_invalid_card_data.md:2: front matter must be a mapping",
        "sample_no_metadata.md:1: expected YAML front matter",
        "sample_invalid_model_index.md:12: model-index results[0]",
        "trailing-comma.bom.json:9: not valid JSON",
    )


def test_malformed_front_matter_is_located(tmp_path: Path) -> None:
    card = tmp_path / "README.md"
    card.write_text("---\nlicense: mit\ndatasets: [beans\n---\n# x\n", encoding="utf-8")
    _fails([card], "README.md:", "malformed YAML front matter")


def test_remote_context_is_never_fetched(tmp_path: Path) -> None:
    document = json.loads((ML / "croissant" / "dices-350.json").read_text(encoding="utf-8"))
    document["@context"] = "https://example.org/croissant-context.jsonld"
    path = tmp_path / "remote.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    _fails([path], "remote.json:-:@context: remote JSON-LD @context is never fetched")


def test_unknown_spdx_element_type(tmp_path: Path) -> None:
    document = json.loads((ML / "spdx3" / "dataset-example01.spdx3.json").read_text("utf-8"))
    document["@graph"][2]["type"] = "ai_Robot"
    path = tmp_path / "odd.spdx3.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    _fails(
        [path], "odd.spdx3.json:-:@graph/2/type: unknown SPDX 3.0 element type (value 'ai_Robot')"
    )


def test_lineage_cycle_is_refused(tmp_path: Path) -> None:
    event = json.loads((ML / "openlineage" / "test-complete.json").read_text(encoding="utf-8"))
    back = json.loads(json.dumps(event))
    back["inputs"], back["outputs"] = event["outputs"], event["inputs"]
    back["job"]["name"] = "my-reverse-job"
    path = tmp_path / "events.ndjson"
    path.write_text(json.dumps(event) + "\n" + json.dumps(back) + "\n", encoding="utf-8")
    _fails(
        [path],
        "events.ndjson",
        "lineage cycle: my-namespace/my-input -> my-namespace/my-output -> my-namespace/my-input",
    )
