"""An MLflow model registry, read through MLflow's own client from a tracking URI.

Registered models -> models; their versions -> model versions (stage, aliases, source) linked to
the model and to the run that trained them; runs -> training runs (parameters, metrics, status,
times) that used their input datasets; a dataset logged with context `training` is what the model
was trained on, `eval`/`evaluation`/`test` what it was tested on. Nothing is written to MLflow.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aimstrace.loaders.ml.model import (
    DESCRIPTION,
    KEYWORD,
    SOURCE,
    TESTED_ON,
    TRAINED_ON,
    USED,
    Found,
    Link,
    Parsed,
    aims,
)

FORMAT = "mlflow"
PAGE = 1000
_EVAL_CONTEXTS = ("eval", "evaluation", "test", "validation")


def parse(uri: str) -> Parsed:
    """Read the registry at uri; a client that cannot reach it is one located error."""
    result = Parsed(uri, FORMAT)
    try:
        from mlflow import MlflowClient
        from mlflow.exceptions import MlflowException
    except ImportError:
        result.problem(
            "reading MLflow needs the mlflow package: python -m pip install 'aimstrace[mlflow]'"
        )
        return result
    try:
        client = MlflowClient(tracking_uri=uri, registry_uri=uri)
        models = _all(client.search_registered_models)
        versions = _all(client.search_model_versions)
        runs = {v.run_id: client.get_run(v.run_id) for v in versions if v.run_id}
    except MlflowException as exc:
        result.problem(f"MLflow could not read the registry: {exc.message}")
        return result
    except OSError as exc:
        result.problem(f"MLflow could not read the registry: {exc}")
        return result
    except ImportError as exc:
        # mlflow-skinny reads file stores; SQL stores need MLflow's database extras.
        result.problem(
            f"MLflow needs the {exc.name or 'missing'} package to read this kind of registry: "
            "python -m pip install mlflow"
        )
        return result
    for registered in models:
        model = result.entity(Found("model", registered.name, registered.name, registered.name))
        model.add(DESCRIPTION, registered.description)
        model.add(KEYWORD, *[f"{k}={v}" for k, v in sorted((registered.tags or {}).items())])
    for version in versions:
        _version(result, version, runs.get(version.run_id))
    return result


def _all(search: Any) -> list[Any]:
    found: list[Any] = []
    token = None
    while True:
        page = search(max_results=PAGE, page_token=token)
        found.extend(page)
        token = getattr(page, "token", None)
        if not token:
            return found


def _version(result: Parsed, version: Any, run: Any) -> None:
    identifier = f"{version.name}/{version.version}"
    model_link = result.stub("model", version.name)
    found = result.entity(
        Found("model-version", identifier, identifier, f"{version.name} v{version.version}")
    )
    found.add(aims("versionOf"), model_link)
    found.add(aims("versionNumber"), str(version.version))
    if version.current_stage and version.current_stage != "None":
        found.add(aims("stage"), version.current_stage)
    found.add(aims("alias"), *(version.aliases or []))
    found.add(aims("downloadLocation"), version.source)
    found.add(DESCRIPTION, version.description)
    if run is None:
        return
    run_link = Link("training-run", run.info.run_id)
    found.add(aims("trainingRun"), run_link)
    training = result.entity(
        Found(
            "training-run", run.info.run_id, run.info.run_id, run.info.run_name or run.info.run_id
        )
    )
    training.add(aims("runStatus"), run.info.status)
    for key, stamp in (("startedAtTime", run.info.start_time), ("endedAtTime", run.info.end_time)):
        if stamp:
            moment = datetime.fromtimestamp(stamp / 1000, tz=UTC).isoformat()
            training.add("http://www.w3.org/ns/prov#" + key, moment)
    training.add(aims("hyperparameter"), *[f"{k}={v}" for k, v in sorted(run.data.params.items())])
    training.add(aims("reportedMetric"), *[f"{k}={v}" for k, v in sorted(run.data.metrics.items())])
    model = result.get("model", version.name)
    for item in run.inputs.dataset_inputs if run.inputs else []:
        dataset = item.dataset
        context = next((t.value for t in item.tags if t.key == "mlflow.data.context"), "")
        found_dataset = result.entity(
            Found("dataset", dataset.name, dataset.digest or dataset.name, dataset.name)
        )
        found_dataset.add(aims("datasetDigest"), dataset.digest)
        found_dataset.add(SOURCE, dataset.source)
        link = Link("dataset", dataset.name)
        training.add(USED, link)
        if context.lower() in _EVAL_CONTEXTS:
            model.add(TESTED_ON, link)
        else:
            model.add(TRAINED_ON, link)
