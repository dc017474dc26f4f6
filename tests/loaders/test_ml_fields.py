"""The fields an AIMS inventory needs from ML metadata, on the real fixtures (tests/data/ml):
energy, emissions, out-of-scope use, limitations, training data, sensitive data, the product a
BOM describes, and OpenLineage outputs that are models."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from aimstrace.graph.store import Store
from aimstrace.loaders.errors import InventoryLoadError
from aimstrace.loaders.load import load
from tests.loaders.inventory_support import ORG, catalog_store
from tests.loaders.test_ml_import import GOOD, node, values

AIMS = "https://w3id.org/aimstrace/ns#"
RAI = "http://mlcommons.org/croissant/RAI/"
DCT = "http://purl.org/dc/terms/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
VOCABULARY = Path(__file__).parents[2] / "ontology" / "aims.ttl"


@pytest.fixture(scope="module")
def loaded() -> Store:
    store = catalog_store()
    load(GOOD, store)
    return store


def decimals(store: Store, subject: ox.NamedNode, predicate: str) -> set[Decimal]:
    found = store.oxigraph.quads_for_pattern(subject, ox.NamedNode(predicate), None, ORG)
    literals = [q.object for q in found]
    assert all(
        isinstance(t, ox.Literal) and t.datatype.value.endswith("#decimal") for t in literals
    )
    return {Decimal(t.value) for t in literals}


def test_spdx_energy_copyright_build_time_hashes_and_comment(loaded: Store) -> None:
    model = node("model", "Sentiment Demo: A Simple AI Application and its AI BOM Example")
    assert decimals(loaded, model, AIMS + "trainingEnergyConsumption") == {Decimal("0.0048269")}
    # 0.0000036 kWh: written without an exponent, as xsd:decimal requires.
    assert decimals(loaded, model, AIMS + "inferenceEnergyConsumption") == {Decimal("0.0000036")}
    assert values(loaded, model, DCT + "rights") == {"Dedicated to the public domain"}
    owid = node("dataset", "Our World in Data CO2 and Greenhouse Gas Emissions dataset")
    assert values(loaded, owid, DCT + "created") == {"2023-12-16T11:22:38Z"}
    assert values(loaded, owid, RDFS + "comment") == {
        "This is a small excerpt of the full dataset."
    }
    assert values(loaded, owid, AIMS + "checksum") == {
        "sha1:32657f0d033fc07a7420be36a6af9083c6a63489",
        "sha256:434d75c84cf86456c16193dbc53beef31eb63f3387425882ddb2ef6acb9d472c",
    }


def test_cyclonedx_metadata_component_is_the_product_of_every_model_and_dataset(
    loaded: Store,
) -> None:
    product = {"support-triage-service 1.0.0"}
    for kind, name in (
        ("model", "support-ticket-classifier"),
        ("dataset", "support-ticket-training-data"),
        ("dataset", "support-ticket-evaluation-data"),
    ):
        assert values(loaded, node(kind, name), AIMS + "partOfProduct") == product
    # metadata.manufacturer made the BOM, not the model: no vendor from it.
    assert values(loaded, node("model", "gpt-4o"), AIMS + "suppliedBy") == {
        node("vendor", "OpenAI Inc").value
    }
    assert values(loaded, node("model", "gpt-4o"), AIMS + "partOfProduct") == set()


def test_croissant_use_cases_and_limitations(loaded: Store) -> None:
    stack = node("dataset", "bigcode-the-stack")
    assert values(loaded, stack, AIMS + "intendedUse") == values(
        loaded, stack, RAI + "dataUseCases"
    )
    assert any(
        v.startswith("The Stack is a pre-training dataset")
        for v in values(loaded, stack, AIMS + "intendedUse")
    )
    assert values(loaded, stack, AIMS + "limitation") == values(
        loaded, stack, RAI + "dataLimitations"
    )
    assert values(loaded, stack, AIMS + "limitation")


def test_model_card_emissions_base_model_and_limitations(loaded: Store) -> None:
    model = node("model", "aira-2-portuguese-1b7")
    assert decimals(loaded, model, AIMS + "co2EqEmissionsGrams") == {Decimal(1990)}
    assert values(loaded, model, AIMS + "environmentalConsideration") == {
        "CO2 emissions source: CodeCarbon",
        "CO2 emissions training type: fine-tuning",
        "CO2 emissions geographical location: Singapore",
        "CO2 emissions hardware used: NVIDIA A100-SXM4-40GB",
    }
    assert values(loaded, model, AIMS + "baseModel") == {
        node("model", "bigscience/bloom-1b7").value
    }
    assert values(loaded, model, DCT + "license") == {"bigscience-bloom-rail-1.0"}
    (limits,) = values(loaded, model, AIMS + "limitation")
    assert limits.startswith("- **Hallucinations:**") and "Repetition and Verbosity" in limits
    assert values(loaded, model, AIMS + "trainedOn") == {
        node("dataset", "nicholasKluge/instruct-aira-dataset").value
    }


def test_dataset_card_sections_fill_the_data_governance_fields(loaded: Store) -> None:
    dataset = node("dataset", "instruct-aira-dataset")
    assert values(loaded, dataset, RAI + "personalSensitiveInformation") == {
        "No personal or sensitive information is part of this dataset."
    }
    collected = "All completions were generated by querying already-tuned models"
    (acquisition,) = values(loaded, dataset, AIMS + "acquisition")
    assert acquisition.startswith(collected)
    (provenance,) = values(loaded, dataset, AIMS + "provenance")
    assert provenance.startswith(collected)
    assert values(loaded, dataset, RAI + "dataAnnotationProtocol")
    assert values(loaded, dataset, RAI + "dataBiases") == {"No considerations."}
    assert values(loaded, dataset, RAI + "dataSocialImpact") == {"No considerations."}
    assert values(loaded, dataset, AIMS + "limitation") == {"No considerations."}
    assert values(loaded, dataset, DCT + "license") == {"apache-2.0"}


def test_placeholder_sections_are_no_documentation(tmp_path: Path) -> None:
    card = tmp_path / "README.md"
    card.write_text(
        "---\nlicense: mit\nlibrary_name: transformers\n---\n# m\n\n## Direct Use\n\n"
        "[More Information Needed]\n\n## Out-of-Scope Use\n\nNot for medical advice.\n",
        "utf-8",
    )
    store = catalog_store()
    load([card], store)
    model = node("model", tmp_path.name)
    assert values(store, model, AIMS + "intendedUse") == set()
    assert values(store, model, AIMS + "outOfScopeUse") == {"Not for medical advice."}


def test_bad_emissions_is_a_located_error(tmp_path: Path) -> None:
    card = tmp_path / "card.md"
    card.write_text("---\nlicense: mit\nco2_eq_emissions:\n  emissions: lots\n---\n# c\n", "utf-8")
    store = catalog_store()
    with pytest.raises(InventoryLoadError) as caught:
        load([card], store)
    (issue,) = caught.value.issues
    assert (issue.row, issue.value) == (3, "lots") and "grams" in issue.message


def _event(event_type: str, outputs: list[dict[str, object]]) -> dict[str, object]:
    return {
        "eventType": event_type,
        "eventTime": "2026-05-01T10:00:00Z",
        "run": {"runId": "3b452093-782c-4ef2-9c0c-aafe2aa6f34d"},
        "job": {"namespace": "ml", "name": "train-churn"},
        "inputs": [{"namespace": "s3://lake", "name": "churn/train"}],
        "outputs": outputs,
        "producer": "https://example.invalid/trainer",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
    }


def test_openlineage_output_typed_model_is_a_model_the_job_produced(tmp_path: Path) -> None:
    model_output = {
        "namespace": "mlflow://registry",
        "name": "churn-classifier",
        "facets": {
            "datasetType": {
                "_producer": "https://example.invalid/trainer",
                "_schemaURL": "https://openlineage.io/spec/facets/1-0-0/DatasetTypeDatasetFacet.json",
                "datasetType": "MODEL",
            }
        },
    }
    events = tmp_path / "events.ndjson"
    lines = [_event("START", [dict(model_output, facets={})]), _event("COMPLETE", [model_output])]
    events.write_text("\n".join(json.dumps(e) for e in lines) + "\n", "utf-8")
    store = catalog_store()
    load([events], store)
    model = node("model", "mlflow://registry/churn-classifier")
    data = node("dataset", "s3://lake/churn/train").value
    job = node("job", "ml/train-churn").value
    assert values(store, model, "http://www.w3.org/ns/prov#wasGeneratedBy") == {job}
    assert values(store, model, "http://www.w3.org/ns/prov#wasDerivedFrom") == {data}
    assert values(store, model, AIMS + "modelDataset") == {data}
    assert values(store, ox.NamedNode(job), AIMS + "producedOutput") == {model.value}
    # Typed MODEL in one event of the file: a model throughout it, never also a dataset.
    assert (
        values(store, node("dataset", "mlflow://registry/churn-classifier"), AIMS + "sourceFile")
        == set()
    )


def test_cyclonedx_energy_consumptions_in_kwh(tmp_path: Path) -> None:
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "components": [
            {
                "type": "machine-learning-model",
                "name": "m",
                "modelCard": {
                    "considerations": {
                        "environmentalConsiderations": {
                            "energyConsumptions": [
                                {
                                    "activity": "training",
                                    "energyProviders": [],
                                    "activityEnergyCost": {"value": 125.5, "unit": "kWh"},
                                    "co2CostEquivalent": {"value": 0.05, "unit": "tCO2eq"},
                                },
                                {
                                    "activity": "design",
                                    "energyProviders": [],
                                    "activityEnergyCost": {"value": 2, "unit": "kWh"},
                                },
                            ]
                        }
                    }
                },
            }
        ],
    }
    path = tmp_path / "m.bom.json"
    path.write_text(json.dumps(bom), "utf-8")
    store = catalog_store()
    load([path], store)
    model = node("model", "m")
    assert decimals(store, model, AIMS + "trainingEnergyConsumption") == {Decimal("125.5")}
    assert values(store, model, AIMS + "environmentalConsideration") == {
        "training co2CostEquivalent: 0.05 tCO2eq",
        "design energy: 2 kWh",
    }


def test_every_aims_term_an_import_writes_is_declared(loaded: Store) -> None:
    vocabulary = Graph().parse(VOCABULARY)
    written = {q.predicate.value for q in loaded.oxigraph.quads_for_pattern(None, None, None, ORG)}
    undeclared = sorted(
        p for p in written if p.startswith(AIMS) and (URIRef(p), None, None) not in vocabulary
    )
    assert undeclared == []


def test_decimals_are_stored_canonically_so_a_reload_changes_nothing(tmp_path: Path) -> None:
    card = tmp_path / "card.md"
    card.write_text(
        "---\nlicense: mit\nco2_eq_emissions: 1.0\nmodel-index:\n- name: m\n  results:\n"
        "  - task:\n      type: t\n    dataset:\n      type: d\n      name: D\n    metrics:\n"
        "    - type: accuracy\n      value: 0.0\n    - type: loss\n      value: 1.0e-07\n---\n",
        "utf-8",
    )
    store = catalog_store()
    load([card], store)
    again = load([card], store)
    assert (again.triples_added, again.triples_removed) == (0, 0)
    loss = node("evaluation", "m/0-loss")
    assert values(store, loss, AIMS + "metricValue") == {"0.0000001"}
    assert decimals(store, node("model", "m"), AIMS + "co2EqEmissionsGrams") == {Decimal(1)}
