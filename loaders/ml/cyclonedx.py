"""CycloneDX ML-BOMs (JSON, spec 1.5 to 1.7): models, datasets, suppliers and model cards.

`machine-learning-model` components become models and `data` components datasets; a model card's
datasets, performance metrics and considerations (users, use cases, technical limitations,
trade-offs, ethical considerations, fairness assessments, environmental considerations with the
energy of each activity in kWh) are kept. `metadata.component` is "the component that the BOM
describes" (CycloneDX 1.6 metadata): a model or dataset there is read like any component; any
other (an application, a service) is the product every model and dataset of the BOM is part of
(`aims:partOfProduct`). `metadata.manufacturer` is who made the BOM, not a supplier of its models,
so it is not read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aimstrace.loaders.ml.jsonld import load_json
from aimstrace.loaders.ml.model import (
    CHECKSUM,
    DESCRIPTION,
    ENERGY_KWH,
    ENVIRONMENTAL,
    INTENDED_USE,
    KEYWORD,
    LANDING_PAGE,
    LICENSE,
    MODEL_DATASET,
    PART_OF_PRODUCT,
    PUBLISHER,
    SUPPLIED_BY,
    VERSION,
    Found,
    Link,
    Parsed,
    aims,
    decimal_of,
)

FORMAT = "cyclonedx"
SPEC_VERSIONS = ("1.5", "1.6", "1.7")
# CycloneDX energyConsumptions activities with an energy term of their own (the rest as text).
_ENERGY_ACTIVITIES = {"training": "training", "fine-tuning": "finetuning", "inference": "inference"}
_CONSIDERATIONS = {
    "users": aims("intendedUser"),
    "useCases": INTENDED_USE,
    "technicalLimitations": aims("limitation"),
    "performanceTradeoffs": aims("performanceTradeoff"),
}


def looks_like(document: Any) -> bool:
    """True for a CycloneDX BOM object."""
    return isinstance(document, dict) and document.get("bomFormat") == "CycloneDX"


def parse(path: Path, text: str, shown: str) -> Parsed:
    """Read one ML-BOM; every problem is located by its JSON pointer."""
    result = Parsed(shown, FORMAT)
    document = load_json(text, result)
    if document is None:
        return result
    if not looks_like(document):
        result.problem('expected a CycloneDX BOM ("bomFormat": "CycloneDX")', pointer="bomFormat")
        return result
    version = document.get("specVersion")
    if version not in SPEC_VERSIONS:
        expected = ", ".join(SPEC_VERSIONS)
        result.problem(
            f"unsupported CycloneDX specVersion; ML-BOMs need one of {expected}",
            version,
            pointer="specVersion",
        )
        return result
    refs: dict[str, Link] = {}
    pending: list[tuple[Found, list[Any], str]] = []
    components = document.get("components", [])
    if not isinstance(components, list):
        result.problem("components must be a list", pointer="components")
        return result
    product = _described_component(result, document.get("metadata"), refs, pending)
    _components(result, components, "components", refs, pending)
    if product is not None:
        for found in result.entities:
            if found.kind in ("model", "dataset") and not found.stub:
                found.add(PART_OF_PRODUCT, product)
    for model, datasets, pointer in pending:
        for number, item in enumerate(datasets):
            _model_dataset(result, model, item, f"{pointer}/{number}", refs)
    for dependency in document.get("dependencies") or []:
        if not isinstance(dependency, dict):
            continue
        source = refs.get(str(dependency.get("ref")))
        if source is None or source.kind != "model":
            continue
        model = result.get(source.kind, source.id)
        for target_ref in dependency.get("dependsOn") or []:
            target = refs.get(str(target_ref))
            if target is not None and target.kind == "dataset":
                model.add(MODEL_DATASET, target)
    return result


def _described_component(
    result: Parsed,
    metadata: Any,
    refs: dict[str, Link],
    pending: list[tuple[Found, list[Any], str]],
) -> str | None:
    """Read metadata.component: a model or dataset like a component; else the product's name."""
    component = metadata.get("component") if isinstance(metadata, dict) else None
    if not isinstance(component, dict):
        return None
    if component.get("type") in ("machine-learning-model", "data"):
        _components(result, [component], "metadata/component", refs, pending)
        return None
    name = component.get("name")
    if not isinstance(name, str) or not name.strip():
        return None
    version = component.get("version")
    return f"{name.strip()} {version}" if version else name.strip()


def _components(
    result: Parsed,
    components: list[Any],
    pointer: str,
    refs: dict[str, Link],
    pending: list[tuple[Found, list[Any], str]],
) -> None:
    for number, component in enumerate(components):
        where = f"{pointer}/{number}"
        if not isinstance(component, dict):
            result.problem("expected a component object", pointer=where)
            continue
        kind = {"machine-learning-model": "model", "data": "dataset"}.get(
            str(component.get("type"))
        )
        nested = component.get("components")
        if isinstance(nested, list):
            _components(result, nested, f"{where}/components", refs, pending)
        if kind is None:
            continue
        name = component.get("name")
        if not isinstance(name, str) or not name.strip():
            result.problem("a component needs a name", pointer=f"{where}/name")
            continue
        source_id = str(component.get("bom-ref") or component.get("purl") or name)
        found = result.entity(Found(kind, name, source_id, name, pointer=where))
        if component.get("bom-ref"):
            refs[str(component["bom-ref"])] = Link(kind, name)
        _component_fields(result, found, component)
        if kind == "model":
            card = component.get("modelCard")
            if isinstance(card, dict):
                datasets = _model_card(result, found, card, f"{where}/modelCard")
                pending.append((found, datasets, f"{where}/modelCard/modelParameters/datasets"))
        else:
            for item in component.get("data") or []:
                if isinstance(item, dict):
                    _data_fields(found, item)


def _component_fields(result: Parsed, found: Found, component: dict[str, Any]) -> None:
    found.add(DESCRIPTION, component.get("description"))
    found.add(VERSION, component.get("version"))
    found.add(PUBLISHER, component.get("publisher"))
    found.add(KEYWORD, *[str(t) for t in component.get("tags") or []])
    for role in ("supplier", "manufacturer"):
        agent = component.get(role)
        if isinstance(agent, dict) and agent.get("name"):
            found.add(SUPPLIED_BY, result.stub("vendor", str(agent["name"])))
    for entry in component.get("licenses") or []:
        if not isinstance(entry, dict):
            continue
        licence = entry.get("license")
        if isinstance(licence, dict):
            found.add(LICENSE, licence.get("id") or licence.get("name"))
        found.add(LICENSE, entry.get("expression"))
    for reference in component.get("externalReferences") or []:
        if isinstance(reference, dict) and reference.get("type") == "website":
            found.add(LANDING_PAGE, reference.get("url"))
    for digest in component.get("hashes") or []:
        if isinstance(digest, dict) and digest.get("content"):
            found.add(CHECKSUM, f"{digest.get('alg')}:{digest['content']}")


def _model_card(result: Parsed, model: Found, card: dict[str, Any], pointer: str) -> list[Any]:
    parameters = card.get("modelParameters") or {}
    approach = parameters.get("approach") or {}
    if isinstance(approach, dict):
        model.add(aims("learningApproach"), approach.get("type"))
    model.add(aims("task"), parameters.get("task"))
    model.add(aims("architectureFamily"), parameters.get("architectureFamily"))
    model.add(aims("modelType"), parameters.get("modelArchitecture"))
    for key, predicate in (("inputs", "inputFormat"), ("outputs", "outputFormat")):
        for item in parameters.get(key) or []:
            if isinstance(item, dict):
                model.add(aims(predicate), item.get("format"))
    analysis = card.get("quantitativeAnalysis") or {}
    for number, metric in enumerate(analysis.get("performanceMetrics") or []):
        if not isinstance(metric, dict) or not metric.get("type"):
            result.problem(
                "a performance metric needs a type",
                pointer=f"{pointer}/quantitativeAnalysis/performanceMetrics/{number}",
            )
            continue
        identifier = f"{model.id}/{number}-{metric['type']}"
        evaluation = result.entity(
            Found("evaluation", identifier, identifier, f"{metric['type']} of {model.id}")
        )
        evaluation.add(aims("evaluatesModel"), Link("model", model.id))
        evaluation.add(aims("metricType"), str(metric["type"]))
        evaluation.add(aims("metricValue"), metric.get("value"))
        evaluation.add(aims("dataSlice"), metric.get("slice"))
    considerations = card.get("considerations") or {}
    for key, predicate in _CONSIDERATIONS.items():
        model.add(predicate, *[str(v) for v in considerations.get(key) or []])
    for item in considerations.get("ethicalConsiderations") or []:
        if isinstance(item, dict):
            text = str(item.get("name", ""))
            if item.get("mitigationStrategy"):
                text += f" (mitigation: {item['mitigationStrategy']})"
            model.add(aims("ethicalConsideration"), text)
    for item in considerations.get("fairnessAssessments") or []:
        if isinstance(item, dict):
            parts = [
                f"{k}: {item[k]}"
                for k in ("groupAtRisk", "benefits", "harms", "mitigationStrategy")
                if item.get(k)
            ]
            model.add(aims("fairnessAssessment"), "; ".join(parts))
    _environment(result, model, considerations.get("environmentalConsiderations"), pointer)
    datasets = parameters.get("datasets") or []
    return datasets if isinstance(datasets, list) else []


def _environment(result: Parsed, model: Found, environment: Any, pointer: str) -> None:
    """energyConsumptions: kWh per activity (training, fine-tuning, inference), the rest as text."""
    if isinstance(environment, str):
        model.add(ENVIRONMENTAL, environment)
        return
    if not isinstance(environment, dict):
        return
    where = f"{pointer}/considerations/environmentalConsiderations"
    for number, item in enumerate(environment.get("energyConsumptions") or []):
        if not isinstance(item, dict):
            continue
        activity = str(item.get("activity") or "other")
        cost = item.get("activityEnergyCost")
        if isinstance(cost, dict):
            value = decimal_of(cost.get("value"))
            if value is None:
                result.problem(
                    "activityEnergyCost.value must be a number",
                    cost.get("value"),
                    pointer=f"{where}/energyConsumptions/{number}/activityEnergyCost/value",
                )
            elif cost.get("unit", "kWh") == "kWh" and activity in _ENERGY_ACTIVITIES:
                model.add(ENERGY_KWH[_ENERGY_ACTIVITIES[activity]], value)
            else:
                model.add(ENVIRONMENTAL, f"{activity} energy: {value} {cost.get('unit', 'kWh')}")
        for key in ("co2CostEquivalent", "co2CostOffset"):
            co2 = item.get(key)
            if isinstance(co2, dict) and co2.get("value") is not None:
                text = f"{activity} {key}: {co2['value']} {co2.get('unit', 'tCO2eq')}"
                model.add(ENVIRONMENTAL, text)
    for entry in environment.get("properties") or []:
        if isinstance(entry, dict) and entry.get("name"):
            model.add(ENVIRONMENTAL, f"{entry['name']}={entry.get('value', '')}")


def _model_dataset(
    result: Parsed, model: Found, item: Any, pointer: str, refs: dict[str, Link]
) -> None:
    if isinstance(item, dict) and "ref" in item:
        target = refs.get(str(item["ref"]))
        if target is None:
            result.problem(
                "dataset ref names no component of this BOM", item["ref"], pointer=pointer
            )
            return
        model.add(MODEL_DATASET, target)
    elif isinstance(item, dict) and item.get("name"):
        name = str(item["name"])
        dataset = result.entity(
            Found("dataset", name, str(item.get("bom-ref") or name), name, pointer=pointer)
        )
        _data_fields(dataset, item)
        model.add(MODEL_DATASET, Link("dataset", name))
    else:
        result.problem("a model card dataset needs a ref or a name", pointer=pointer)


def _data_fields(found: Found, item: dict[str, Any]) -> None:
    found.add(DESCRIPTION, item.get("description"))
    found.add(aims("confidentialityLevel"), item.get("classification"))
    contents = item.get("contents")
    if isinstance(contents, dict):
        found.add(aims("downloadLocation"), contents.get("url"))
    found.add(
        aims("sensitivePersonalInformation"), *[str(s) for s in item.get("sensitiveData") or []]
    )
    governance = item.get("governance")
    if isinstance(governance, dict):
        for role in ("owners", "custodians", "stewards"):
            for party in governance.get(role) or []:
                if isinstance(party, dict):
                    org = party.get("organization") or party.get("contact") or {}
                    if isinstance(org, dict):
                        found.add(aims("dataGovernance"), f"{role}: {org.get('name', '')}")
