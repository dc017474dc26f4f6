"""SPDX 3.0 documents (JSON-LD) with the AI and Dataset profiles.

`ai_AIPackage` -> model, `dataset_DatasetPackage` -> dataset, the agents that supply or originate
them -> vendors and creators, and the relationships between them (trainedOn, testedOn,
hasDeclaredLicense, hasConcludedLicense, ancestorOf, descendantOf). Relationships between files
are lifted to the packages that contain the files. The SPDX 3.0 contexts are known terms, so the
compact names are read directly and nothing is fetched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aimstrace.loaders.ml.jsonld import SPDX_CONTEXTS, load_json
from aimstrace.loaders.ml.model import (
    ACQUISITION,
    BASE_MODEL,
    CHECKSUM,
    COMMENT,
    CONFORMS_TO,
    CREATED,
    CREATOR,
    DERIVED_FROM,
    DESCRIPTION,
    ENERGY_KWH,
    ENVIRONMENTAL,
    INTENDED_USE,
    ISSUED,
    LICENSE,
    MEGAJOULES_PER_KWH,
    PERSONAL_DATA,
    RAI,
    RIGHTS,
    SUPPLIED_BY,
    TESTED_ON,
    TRAINED_ON,
    VERSION,
    Found,
    Link,
    Parsed,
    aims,
    decimal_of,
)

FORMAT = "spdx3"
_CORE_TYPES = {
    "Agent",
    "Annotation",
    "AnonymousPayload",
    "Artifact",
    "Bom",
    "Bundle",
    "CreationInfo",
    "DictionaryEntry",
    "Element",
    "ElementCollection",
    "ExternalIdentifier",
    "ExternalMap",
    "ExternalRef",
    "Hash",
    "IndividualElement",
    "IntegrityMethod",
    "LifecycleScopedRelationship",
    "NamespaceMap",
    "Organization",
    "PackageVerificationCode",
    "PositiveIntegerRange",
    "Person",
    "Relationship",
    "SoftwareAgent",
    "SpdxDocument",
    "Tool",
}
_PROFILE_TYPES = {
    "software": {"File", "Package", "Sbom", "Snippet", "SoftwareArtifact", "ContentIdentifier"},
    "ai": {"AIPackage", "EnergyConsumption", "EnergyConsumptionDescription"},
    "dataset": {"DatasetPackage"},
    "simplelicensing": {"AnyLicenseInfo", "LicenseExpression", "SimpleLicensingText"},
    "expandedlicensing": {
        "ConjunctiveLicenseSet",
        "CustomLicense",
        "CustomLicenseAddition",
        "DisjunctiveLicenseSet",
        "ExtendableLicense",
        "IndividualLicensingInfo",
        "License",
        "LicenseAddition",
        "ListedLicense",
        "ListedLicenseException",
        "OrLaterOperator",
        "WithAdditionOperator",
    },
    "security": {
        "CvssV2VulnAssessmentRelationship",
        "CvssV3VulnAssessmentRelationship",
        "CvssV4VulnAssessmentRelationship",
        "EpssVulnAssessmentRelationship",
        "ExploitCatalogVulnAssessmentRelationship",
        "SsvcVulnAssessmentRelationship",
        "VexAffectedVulnAssessmentRelationship",
        "VexFixedVulnAssessmentRelationship",
        "VexNotAffectedVulnAssessmentRelationship",
        "VexUnderInvestigationVulnAssessmentRelationship",
        "VexVulnAssessmentRelationship",
        "VulnAssessmentRelationship",
        "Vulnerability",
    },
    "build": {"Build"},
    "extension": {"CdxPropertiesExtension", "CdxPropertyEntry", "Extension"},
}
KNOWN_TYPES = _CORE_TYPES | {f"{p}_{t}" for p, types in _PROFILE_TYPES.items() for t in types}

_AI_TEXT = {
    "ai_informationAboutApplication": INTENDED_USE,
    "ai_informationAboutTraining": aims("trainingInformation"),
    "ai_limitation": aims("limitation"),
    "ai_modelDataPreprocessing": aims("dataPreprocessing"),
    "ai_modelExplainability": aims("explainability"),
    "ai_typeOfModel": aims("modelType"),
    "ai_domain": aims("domain"),
    "ai_standardCompliance": CONFORMS_TO,
    "ai_autonomyType": aims("autonomyType"),
    "ai_safetyRiskAssessment": aims("safetyRiskAssessment"),
    "ai_useSensitivePersonalInformation": aims("usesSensitivePersonalInformation"),
}
_DATASET_TEXT = {
    "dataset_intendedUse": INTENDED_USE,
    "dataset_knownBias": RAI + "dataBiases",
    "dataset_dataCollectionProcess": ACQUISITION,
    "dataset_dataPreprocessing": RAI + "dataPreprocessingProtocol",
    "dataset_anonymizationMethodUsed": aims("anonymisationMethod"),
    "dataset_confidentialityLevel": aims("confidentialityLevel"),
    "dataset_datasetAvailability": aims("availability"),
    "dataset_datasetType": aims("datasetType"),
    "dataset_datasetUpdateMechanism": aims("updateMechanism"),
    "dataset_datasetNoise": aims("knownNoise"),
    "dataset_hasSensitivePersonalInformation": aims("sensitivePersonalInformation"),
}
_COMMON_TEXT = {
    "description": DESCRIPTION,
    "summary": DESCRIPTION,
    "software_packageVersion": VERSION,
    "software_downloadLocation": aims("downloadLocation"),
    "releaseTime": ISSUED,
    "builtTime": CREATED,
    "software_copyrightText": RIGHTS,
    "comment": COMMENT,
}
# ai_EnergyConsumption's three activities (SPDX 3.0.1 AI profile, EnergyConsumption class).
_ENERGY_ACTIVITIES = {
    "ai_trainingEnergyConsumption": "training",
    "ai_finetuningEnergyConsumption": "finetuning",
    "ai_inferenceEnergyConsumption": "inference",
}


def looks_like(document: Any) -> bool:
    """True for a JSON object whose @context is a known SPDX 3 context."""
    return (
        isinstance(document, dict) and str(document.get("@context", "")).find("spdx.org/rdf/3") >= 0
    )


def parse(path: Path, text: str, shown: str) -> Parsed:
    """Read one SPDX 3 document; every problem is located by its JSON pointer."""
    result = Parsed(shown, FORMAT)
    document = load_json(text, result)
    if document is None:
        return result
    if not isinstance(document, dict) or not isinstance(document.get("@graph"), list):
        result.problem("expected an SPDX 3 JSON-LD document with an @graph list", pointer="@graph")
        return result
    context = document.get("@context")
    if context not in SPDX_CONTEXTS:
        known = ", ".join(sorted(SPDX_CONTEXTS))
        result.problem(
            f"unknown SPDX @context (never fetched); expected one of {known}",
            context,
            pointer="@context",
        )
        return result
    elements: dict[str, tuple[int, dict[str, Any]]] = {}
    for number, element in enumerate(document["@graph"]):
        pointer = f"@graph/{number}"
        if not isinstance(element, dict):
            result.problem("expected an SPDX element object", pointer=pointer)
            continue
        kind = element.get("type") or element.get("@type")
        if kind not in KNOWN_TYPES:
            result.problem("unknown SPDX 3.0 element type", kind, pointer=f"{pointer}/type")
            continue
        identifier = element.get("spdxId") or element.get("@id")
        if isinstance(identifier, str):
            elements[identifier] = (number, element)
    if result.issues:
        return result
    packages = _packages(result, elements)
    _relationships(result, elements, packages)
    return result


def _texts(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [t for item in value for t in _texts(item)]
    if isinstance(value, dict):
        if "key" in value:
            return [f"{value['key']}={value.get('value', '')}"]
        return []
    return [str(value)] if str(value).strip() else []


def _agent_name(elements: dict[str, tuple[int, dict[str, Any]]], ref: str) -> str:
    found = elements.get(ref)
    return str(found[1].get("name") or ref) if found else ref


def _packages(result: Parsed, elements: dict[str, tuple[int, dict[str, Any]]]) -> dict[str, Link]:
    packages: dict[str, Link] = {}
    for identifier, (number, element) in elements.items():
        kind = element.get("type") or element.get("@type")
        if kind not in ("ai_AIPackage", "dataset_DatasetPackage"):
            continue
        entity_kind = "model" if kind == "ai_AIPackage" else "dataset"
        name = str(element.get("name") or identifier.rstrip("/").rsplit("/", 1)[-1])
        found = result.entity(
            Found(entity_kind, name, identifier, name, pointer=f"@graph/{number}")
        )
        for key, predicate in _COMMON_TEXT.items():
            found.add(predicate, *_texts(element.get(key)))
        table = _AI_TEXT if entity_kind == "model" else _DATASET_TEXT
        for key, predicate in table.items():
            found.add(predicate, *_texts(element.get(key)))
        found.add(aims("hyperparameter"), *_texts(element.get("ai_hyperparameter")))
        found.add(aims("reportedMetric"), *_texts(element.get("ai_metric")))
        found.add(aims("decisionThreshold"), *_texts(element.get("ai_metricDecisionThreshold")))
        size = element.get("dataset_datasetSize")
        if isinstance(size, int):
            found.add(aims("datasetSizeBytes"), size)
        for digest in element.get("verifiedUsing") or []:
            if isinstance(digest, dict) and digest.get("hashValue"):
                found.add(CHECKSUM, f"{digest.get('algorithm')}:{digest['hashValue']}")
        _energy(result, found, element.get("ai_energyConsumption"), f"@graph/{number}")
        sensitive = element.get("dataset_hasSensitivePersonalInformation")
        if sensitive in ("yes", "no"):
            found.add(PERSONAL_DATA, sensitive == "yes")
        for ref in _texts(element.get("suppliedBy")):
            found.add(SUPPLIED_BY, result.stub("vendor", _agent_name(elements, ref)))
        for ref in _texts(element.get("originatedBy")):
            found.add(CREATOR, _agent_name(elements, ref))
        packages[identifier] = Link(entity_kind, name)
    return packages


def _energy(result: Parsed, found: Found, energy: Any, pointer: str) -> None:
    """ai_energyConsumption -> kilowatt-hours per activity (megajoules converted; SPDX's
    `other` unit, which says nothing of its size, is kept as text)."""
    if not isinstance(energy, dict):
        return
    for key, activity in _ENERGY_ACTIVITIES.items():
        for number, item in enumerate(energy.get(key) or []):
            if not isinstance(item, dict):
                continue
            where = f"{pointer}/ai_energyConsumption/{key}/{number}"
            quantity = decimal_of(item.get("ai_energyQuantity"))
            unit = item.get("ai_energyUnit")
            if quantity is None:
                result.problem(
                    "ai_energyQuantity must be a number",
                    item.get("ai_energyQuantity"),
                    pointer=f"{where}/ai_energyQuantity",
                )
            elif unit == "kilowattHour":
                found.add(ENERGY_KWH[activity], quantity)
            elif unit == "megajoule":
                found.add(ENERGY_KWH[activity], quantity / MEGAJOULES_PER_KWH)
            else:
                found.add(ENVIRONMENTAL, f"{activity} energy: {quantity} ({unit or 'no unit'})")


def _relationships(
    result: Parsed,
    elements: dict[str, tuple[int, dict[str, Any]]],
    packages: dict[str, Link],
) -> None:
    container: dict[str, str] = {}
    relationships: list[tuple[int, dict[str, Any]]] = []
    for number, element in elements.values():
        if "relationshipType" not in element:
            continue
        relationships.append((number, element))
        if element["relationshipType"] == "contains":
            for contained in _texts(element.get("to")):
                container.setdefault(contained, str(element.get("from")))

    def owner(ref: str) -> Link | None:
        seen: set[str] = set()
        while ref not in packages and ref in container and ref not in seen:
            seen.add(ref)
            ref = container[ref]
        return packages.get(ref)

    by_link = {(f.kind, f.id): f for f in result.entities}
    for _number, element in sorted(relationships, key=lambda item: item[0]):
        kind = element["relationshipType"]
        source = owner(str(element.get("from")))
        if source is None:
            continue
        entity = by_link[(source.kind, source.id)]
        for ref in _texts(element.get("to")):
            if kind in ("hasDeclaredLicense", "hasConcludedLicense"):
                licence = elements.get(ref)
                expression = (
                    licence[1].get("simplelicensing_licenseExpression") if licence else None
                )
                entity.add(LICENSE, str(expression or ref.rsplit("/", 1)[-1]))
                continue
            target = owner(ref)
            if target is None or target == source:
                continue
            if (
                kind in ("trainedOn", "testedOn")
                and source.kind == "model"
                and target.kind == "dataset"
            ):
                entity.add(TRAINED_ON if kind == "trainedOn" else TESTED_ON, target)
            elif kind in ("ancestorOf", "descendantOf") and source.kind == target.kind:
                pair: tuple[Link, Link] = (
                    (target, source) if kind == "ancestorOf" else (source, target)
                )
                child, parent = pair
                predicate = BASE_MODEL if child.kind == "model" else DERIVED_FROM
                by_link[(child.kind, child.id)].add(predicate, parent)
