"""Hugging Face model cards and dataset cards: README.md with YAML front matter.

The metadata keys are those of the Hub's card specification (huggingface/hub-docs modelcard.md
and datasetcard.md): license, datasets, base_model, model-index, ... for models; pretty_name,
task_categories, source_datasets, annotations_creators, ... for datasets. The Markdown body adds
what the Hub's card templates (huggingface_hub templates/modelcard_template.md and
datasetcard_template.md) ask for under their section titles: intended and out-of-scope use,
limitations, training data, environmental impact; for datasets also data collection, source
data producers, annotation process, personal and sensitive information, biases and social impact
(the latter under their Croissant RAI terms). A template's "[More Information Needed]" is no
documentation and is skipped. `co2_eq_emissions` (the Hub's carbon-emissions metadata: grams of
CO2 equivalent, with source, training type, location and hardware) is kept.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from aimstrace.loaders.ml.model import (
    ACQUISITION,
    BASE_MODEL,
    CO2_GRAMS,
    CREATOR,
    DERIVED_FROM,
    DESCRIPTION,
    ENVIRONMENTAL,
    INTENDED_USE,
    KEYWORD,
    LANGUAGE,
    LICENSE,
    LIMITATION,
    OUT_OF_SCOPE_USE,
    PROVENANCE,
    RAI,
    TRAINED_ON,
    TRAINING_INFORMATION,
    Found,
    Link,
    Parsed,
    aims,
    decimal_of,
)

FORMAT = "hf-card"
# libyaml's safe loader when PyYAML was built with it: about 10x faster on 10,000 cards.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Keys only a dataset card has; a card with one of them and none of MODEL_KEYS is a dataset card.
DATASET_KEYS = frozenset(
    {
        "pretty_name",
        "task_categories",
        "task_ids",
        "size_categories",
        "annotations_creators",
        "language_creators",
        "multilinguality",
        "source_datasets",
        "configs",
        "dataset_info",
    }
)
MODEL_KEYS = frozenset({"model-index", "base_model", "library_name", "pipeline_tag", "datasets"})
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
RAI_SENSITIVE = RAI + "personalSensitiveInformation"
# Section title -> (property on a model card, property on a dataset card); the first match wins,
# so the specific titles come before the general "uses" and "limitations".
_SECTIONS: tuple[tuple[re.Pattern[str], str | None, str | None], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), model, dataset)
    for pattern, model, dataset in (
        (r"out[- ]of[- ]scope|misuse", OUT_OF_SCOPE_USE, OUT_OF_SCOPE_USE),
        (r"personal and sensitive|sensitive information", None, RAI_SENSITIVE),
        (r"discussion of biases", LIMITATION, RAI + "dataBiases"),
        (r"social impact", None, RAI + "dataSocialImpact"),
        (r"data collection", None, ACQUISITION),
        (r"source (data|language) producers", None, PROVENANCE),
        (r"annotation process", None, RAI + "dataAnnotationProtocol"),
        (r"preprocessing", aims("dataPreprocessing"), RAI + "dataPreprocessingProtocol"),
        (r"training (data|procedure|details)", TRAINING_INFORMATION, None),
        (r"environmental impact", ENVIRONMENTAL, None),
        (r"\b(intended uses?|uses|direct use)\b", INTENDED_USE, INTENDED_USE),
        (r"\b(limitations?|bias|risks?)\b", LIMITATION, LIMITATION),
    )
)
_PLACEHOLDER = re.compile(r"^\s*\[more information needed\]\s*$", re.IGNORECASE)


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, line where the body starts) or None without front matter."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    for number, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return "\n".join(lines[1:number]), "\n".join(lines[number + 1 :]), number + 2
    return None


def parse(path: Path, text: str, shown: str) -> Parsed:
    """Read one card; every problem is located by line."""
    result = Parsed(shown, FORMAT)
    parts = split_front_matter(text)
    if parts is None:
        result.problem("expected YAML front matter between two lines of ---", line=1)
        return result
    front, body, _ = parts
    try:
        data = yaml.load(front, Loader=_LOADER) if front.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc)
        result.problem(f"malformed YAML front matter: {reason}", line=line)
        return result
    if not isinstance(data, dict):
        kind = type(data).__name__
        result.problem(f"front matter must be a mapping of keys, got a {kind}", line=2)
        return result
    lines = _key_lines(front)
    is_dataset = bool(DATASET_KEYS & data.keys()) and not (MODEL_KEYS & data.keys())
    identifier = _card_id(path, data)
    body_title, description, sections = _read_body(body)
    if is_dataset:
        _dataset_card(result, data, identifier, body_title, lines)
    else:
        _model_card(result, data, identifier, body_title, lines)
    main = result.entities[0]
    main.add(DESCRIPTION, description)
    for title, content in sections:
        if _PLACEHOLDER.match(content):
            continue
        for pattern, on_model, on_dataset in _SECTIONS:
            if pattern.search(title):
                predicate = on_dataset if is_dataset else on_model
                if predicate is not None:
                    main.add(predicate, content)
                break
    return result


def _card_id(path: Path, data: dict[str, Any]) -> str:
    index = data.get("model-index")
    if isinstance(index, list) and index and isinstance(index[0], dict) and index[0].get("name"):
        return str(index[0]["name"])
    # A card is the README.md of its repository: the folder names the model.
    if path.name.lower() == "readme.md" and path.parent.name:
        return path.parent.name
    return path.stem


def _key_lines(front: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for number, line in enumerate(front.splitlines(), start=2):
        match = re.match(r"^([A-Za-z_][\w-]*)\s*:", line)
        if match:
            found.setdefault(match.group(1), number)
    return found


def _texts(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value if v is not None and str(v).strip()]
    return [str(value)] if str(value).strip() else []


def _common(found: Found, data: dict[str, Any]) -> None:
    found.add(LICENSE, *_texts(data.get("license")))
    found.add(aims("licenseName"), *_texts(data.get("license_name")))
    found.add(aims("licenseLink"), *_texts(data.get("license_link")))
    found.add(LANGUAGE, *_texts(data.get("language")))
    found.add(KEYWORD, *_texts(data.get("tags")))


def _model_card(
    result: Parsed, data: dict[str, Any], identifier: str, title: str | None, lines: dict[str, int]
) -> None:
    model = result.entity(Found("model", identifier, identifier, title or identifier, line=1))
    _common(model, data)
    model.add(aims("libraryName"), *_texts(data.get("library_name")))
    model.add(aims("task"), *_texts(data.get("pipeline_tag")))
    model.add(aims("reportedMetric"), *_texts(data.get("metrics")))
    for name in _texts(data.get("datasets")):
        model.add(TRAINED_ON, result.stub("dataset", name))
    for name in _texts(data.get("base_model")):
        model.add(BASE_MODEL, result.stub("model", name))
    model.add(aims("baseModelRelation"), *_texts(data.get("base_model_relation")))
    _emissions(result, model, data.get("co2_eq_emissions"), lines.get("co2_eq_emissions"))
    index = data.get("model-index")
    if index is None:
        return
    line = lines.get("model-index")
    if not isinstance(index, list):
        result.problem("model-index must be a list of models with results", line=line)
        return
    for entry in index:
        results = entry.get("results") if isinstance(entry, dict) else None
        if not isinstance(results, list):
            result.problem("each model-index entry needs a list of results", line=line)
            continue
        for number, item in enumerate(results):
            _evaluation(result, model, item, number, line)


def _emissions(result: Parsed, model: Found, value: Any, line: int | None) -> None:
    """co2_eq_emissions: a number of grams, or a mapping with `emissions` and its context."""
    if value is None:
        return
    details = value if isinstance(value, dict) else {"emissions": value}
    grams = decimal_of(details.get("emissions"))
    if grams is None:
        shown = details.get("emissions")
        result.problem("co2_eq_emissions: emissions must be a number of grams", shown, line=line)
        return
    model.add(CO2_GRAMS, grams)
    for key in ("source", "training_type", "geographical_location", "hardware_used"):
        if details.get(key) is not None:
            model.add(ENVIRONMENTAL, f"CO2 emissions {key.replace('_', ' ')}: {details[key]}")


def _evaluation(result: Parsed, model: Found, item: Any, number: int, line: int | None) -> None:
    where = f"model-index results[{number}]"
    if not isinstance(item, dict):
        result.problem(f"{where}: expected a mapping with task, dataset and metrics", line=line)
        return
    task, dataset, metrics = item.get("task"), item.get("dataset"), item.get("metrics")
    if not isinstance(dataset, dict) or not dataset.get("type"):
        result.problem(
            f"{where}: an evaluation result needs dataset.type (the Hub dataset id)", line=line
        )
        return
    if not isinstance(metrics, list) or not metrics:
        result.problem(f"{where}: an evaluation result needs a list of metrics", line=line)
        return
    target = result.stub(
        "dataset", str(dataset["type"]), str(dataset.get("name") or dataset["type"])
    )
    for metric_number, metric in enumerate(metrics):
        if not isinstance(metric, dict) or "type" not in metric or "value" not in metric:
            result.problem(f"{where}: metrics[{metric_number}] needs type and value", line=line)
            continue
        identifier = f"{model.id}/{number}-{metric['type']}"
        found = result.entity(
            Found(
                "evaluation", identifier, identifier, f"{metric['type']} of {model.id}", line=line
            )
        )
        found.add(aims("evaluatesModel"), Link("model", model.id))
        found.add(aims("evaluatedOn"), target)
        found.add(aims("metricType"), str(metric["type"]))
        value = metric["value"]
        found.add(aims("metricValue"), value if isinstance(value, int | float) else str(value))
        found.add(aims("dataSplit"), *_texts(dataset.get("split")))
        found.add(aims("datasetRevision"), *_texts(dataset.get("revision")))
        if isinstance(task, dict):
            found.add(aims("task"), *_texts(task.get("type")))
        found.add(aims("verified"), metric.get("verified"))


def _dataset_card(
    result: Parsed, data: dict[str, Any], identifier: str, title: str | None, lines: dict[str, int]
) -> None:
    label = _texts(data.get("pretty_name")) or [title or identifier]
    dataset = result.entity(Found("dataset", identifier, identifier, label[0], line=1))
    _common(dataset, data)
    dataset.add(aims("task"), *_texts(data.get("task_categories")), *_texts(data.get("task_ids")))
    dataset.add(aims("sizeCategory"), *_texts(data.get("size_categories")))
    dataset.add(aims("annotationCreator"), *_texts(data.get("annotations_creators")))
    dataset.add(CREATOR, *_texts(data.get("language_creators")))
    dataset.add(aims("multilinguality"), *_texts(data.get("multilinguality")))
    for source in _texts(data.get("source_datasets")):
        # The Hub writes `original` for data collected for this dataset: not a derivation.
        if source.lower() != "original":
            name = source.removeprefix("extended|")
            dataset.add(DERIVED_FROM, result.stub("dataset", name))


def _read_body(body: str) -> tuple[str | None, str | None, list[tuple[str, str]]]:
    """The first heading, the first paragraph and (section title, text) of every section."""
    title: str | None = None
    paragraph: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    in_code = paragraph_done = False
    for line in body.splitlines():
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            in_code = not in_code
        heading = None if in_code else _HEADING.match(line)
        if heading:
            if title is None and not sections and heading.group(1) == "#":
                title = heading.group(2)
            else:
                sections.append((heading.group(2), []))
            continue
        if sections:
            sections[-1][1].append(line)
        elif not paragraph_done:
            if stripped:
                paragraph.append(stripped)
            elif paragraph:
                paragraph_done = True
    kept = [(t, "\n".join(c).strip()) for t, c in sections]
    return title, " ".join(paragraph) or None, [(t, c) for t, c in kept if c]
