"""`load --mlflow URI`: a local file registry made by MLflow itself, read through its client."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from aimstrace.graph.inventory import list_entities
from aimstrace.loaders.errors import InventoryLoadError
from aimstrace.loaders.load import load
from aimstrace.loaders.ml.mlflow_registry import parse
from aimstrace.ontology.iris import entity_iri
from tests.loaders.inventory_support import ORG, all_quads, catalog_store

mlflow = pytest.importorskip("mlflow")
AIMS = "https://w3id.org/aimstrace/ns#"


@pytest.fixture
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    # MLflow 3 keeps the file store for existing registries behind this switch.
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    uri = (tmp_path / "mlruns").as_uri()
    client = mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)
    experiment = client.create_experiment("credit")
    run = client.create_run(experiment, run_name="train-2026-06")
    client.log_param(run.info.run_id, "max_depth", "6")
    client.log_metric(run.info.run_id, "auc", 0.91)
    from mlflow.entities import Dataset, DatasetInput, InputTag

    dataset = Dataset(
        name="loans-2025", digest="abc123", source_type="local", source="/data/loans.parquet"
    )
    tag = InputTag(key="mlflow.data.context", value="training")
    client.log_inputs(run.info.run_id, datasets=[DatasetInput(dataset, [tag])])
    client.set_terminated(run.info.run_id)
    client.create_registered_model("credit-scorer", description="scores loan applications")
    client.create_model_version(
        "credit-scorer", source=f"runs:/{run.info.run_id}/model", run_id=run.info.run_id
    )
    client.set_registered_model_alias("credit-scorer", "champion", "1")
    return uri


def test_registry_gives_models_versions_runs_and_training_data(registry: str) -> None:
    store = catalog_store()
    load([], store, extra=[parse(registry)])

    def objects(kind: str, identifier: str, local: str) -> set[str]:
        subject = ox.NamedNode(str(entity_iri(kind, identifier)))
        predicate = ox.NamedNode(AIMS + local)
        return {
            q.object.value for q in store.oxigraph.quads_for_pattern(subject, predicate, None, ORG)
        }  # type: ignore[union-attr]

    model = str(entity_iri("model", "credit-scorer"))
    assert objects("model-version", "credit-scorer/1", "versionOf") == {model}
    assert objects("model-version", "credit-scorer/1", "alias") == {"champion"}
    assert objects("model", "credit-scorer", "trainedOn") == {
        str(entity_iri("dataset", "loans-2025"))
    }
    runs = objects("model-version", "credit-scorer/1", "trainingRun")
    assert len(runs) == 1
    assert objects("dataset", "loans-2025", "sourceFormat") == {"mlflow"}
    assert objects("dataset", "loans-2025", "sourceIdentifier") == {"abc123"}
    # Listed like registers (`aimstrace list model-versions`), links by their ids.
    (version,) = list_entities(store, "model-versions")
    expected = ("credit-scorer/1", "credit-scorer", "1")
    assert (version["id"], version["model"], version["version"]) == expected
    assert version["aliases"] == ["champion"] and version["training_run"]
    (run,) = list_entities(store, "training-runs")
    assert run["id"] == version["training_run"] and run["used"] == ["loans-2025"]


def test_unreadable_registry_is_one_located_error(tmp_path: Path) -> None:
    store = catalog_store()
    before = all_quads(store)
    uri = "sqlite:///" + str(tmp_path / "missing" / "nothing.db")
    with pytest.raises(InventoryLoadError) as caught:
        load([], store, extra=[parse(uri)])
    assert str(caught.value.issues[0]).startswith(uri)
    assert all_quads(store) == before


def test_a_registered_model_goes_with_its_versions_and_runs(registry: str) -> None:
    from aimstrace.loaders.remove import removable_kind, remove_entities

    store = catalog_store()
    load([], store, extra=[parse(registry)])
    models = removable_kind("models")
    with pytest.raises(InventoryLoadError) as caught:
        remove_entities(store, models, ["credit-scorer"])
    assert "still referenced by model-version credit-scorer/1" in str(caught.value.issues[0])
    report = remove_entities(store, models, ["credit-scorer"], with_dependants=True)
    # The version points at the model; the run is left unreferenced once the version goes.
    assert [name.split(" ")[0] for name in report.dependants] == ["model-version", "training-run"]
    kinds = {
        q.subject.value.split("/")[-2]
        for q in store.oxigraph.quads_for_pattern(None, None, None, ORG)
    }
    assert kinds == {"dataset"}  # the training data is a register kind and stays


def test_sync_with_the_registry_removes_what_it_no_longer_holds(registry: str) -> None:
    store = catalog_store()
    load([], store, extra=[parse(registry)])
    client = mlflow.MlflowClient(tracking_uri=registry, registry_uri=registry)
    run_id = client.get_model_version("credit-scorer", "1").run_id
    client.create_model_version("credit-scorer", source=f"runs:/{run_id}/model2", run_id=run_id)
    client.delete_model_version("credit-scorer", "1")
    # Without --sync the registry's deletion is not seen: version 1 stays beside version 2.
    load([], store, extra=[parse(registry)])
    both = {v["id"] for v in list_entities(store, "model-versions")}
    assert both == {"credit-scorer/1", "credit-scorer/2"}
    dry = load([], store, dry_run=True, extra=[parse(registry)], sync=True)
    assert ("model-version", "credit-scorer/1") in {(r.kind, r.id) for r in dry.removed}
    load([], store, extra=[parse(registry)], sync=True)
    versions = {v["id"] for v in list_entities(store, "model-versions")}
    assert versions == {"credit-scorer/2"}
