"""What an ML metadata file states, before it becomes triples: entities, their values, links.

Every importer (Hugging Face cards, Croissant, SPDX 3, CycloneDX, OpenLineage, MLflow) reads its
format into `Found` entities; `aimstrace.loaders.ml.build` turns them into the organisation
graph's triples with the provenance of the file they came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from aimstrace.loaders.errors import InputIssue

AIMS = "https://w3id.org/aimstrace/ns#"
DCTERMS = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
PROV = "http://www.w3.org/ns/prov#"
RAI = "http://mlcommons.org/croissant/RAI/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"

# Entity kinds an import may create, and their classes.
KIND_CLASSES: dict[str, str] = {
    "model": AIMS + "Model",
    "dataset": AIMS + "Dataset",
    "vendor": AIMS + "Vendor",
    "evaluation": AIMS + "EvaluationResult",
    "job": AIMS + "LineageJob",
    "model-version": AIMS + "ModelVersion",
    "training-run": AIMS + "TrainingRun",
}


def aims(local: str) -> str:
    """An IRI in the aimstrace vocabulary."""
    return AIMS + local


# Properties the importers write (aligned terms are reused as they are).
DESCRIPTION = DCTERMS + "description"
LICENSE = DCTERMS + "license"
LANGUAGE = DCTERMS + "language"
CREATOR = DCTERMS + "creator"
PUBLISHER = DCTERMS + "publisher"
ISSUED = DCTERMS + "issued"
CONFORMS_TO = DCTERMS + "conformsTo"
SOURCE = DCTERMS + "source"
CITATION = DCTERMS + "bibliographicCitation"
RIGHTS = DCTERMS + "rights"
CREATED = DCTERMS + "created"
COMMENT = RDFS + "comment"
KEYWORD = DCAT + "keyword"
LANDING_PAGE = DCAT + "landingPage"
VERSION = DCAT + "version"
DERIVED_FROM = PROV + "wasDerivedFrom"
GENERATED_BY = PROV + "wasGeneratedBy"
USED = PROV + "used"

TRAINED_ON = aims("trainedOn")
TESTED_ON = aims("testedOn")
MODEL_DATASET = aims("modelDataset")
BASE_MODEL = aims("baseModel")
SUPPLIED_BY = aims("suppliedBy")
INTENDED_USE = aims("intendedUse")
ACQUISITION = aims("acquisition")
PROVENANCE = aims("provenance")
PERSONAL_DATA = aims("containsPersonalData")
LIMITATION = aims("limitation")
OUT_OF_SCOPE_USE = aims("outOfScopeUse")
TRAINING_INFORMATION = aims("trainingInformation")
ENVIRONMENTAL = aims("environmentalConsideration")
CO2_GRAMS = aims("co2EqEmissionsGrams")
PART_OF_PRODUCT = aims("partOfProduct")
CHECKSUM = aims("checksum")
# Energy a model's life-cycle activity took, in kilowatt-hours (SPDX 3 ai_energyConsumption,
# CycloneDX environmentalConsiderations.energyConsumptions).
ENERGY_KWH = {
    "training": aims("trainingEnergyConsumption"),
    "finetuning": aims("finetuningEnergyConsumption"),
    "inference": aims("inferenceEnergyConsumption"),
}
# 1 kWh = 3.6 MJ (SI: 1 W = 1 J/s, 1 h = 3600 s).
MEGAJOULES_PER_KWH = Decimal("3.6")


@dataclass(frozen=True)
class Link:
    """A reference from one entity to another, by kind and id."""

    kind: str
    id: str


Value = str | int | float | Decimal | bool | Link


def decimal_of(value: object) -> Decimal | None:
    """A finite decimal from a JSON number or numeric string, else None (never via float)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


@dataclass
class Found:
    """One entity an ML metadata file describes (or only names, when `stub`)."""

    kind: str
    id: str
    source_id: str
    label: str | None = None
    values: dict[str, list[Value]] = field(default_factory=dict)
    # Only named by the file (a card's training dataset): created when missing, never changed.
    stub: bool = False
    # Where in the file it was stated: a line number, or a JSON pointer as the column.
    line: int | None = None
    pointer: str | None = None

    def add(self, predicate: str, *values: Value | None) -> None:
        """Add values of one property, skipping empty ones."""
        for value in values:
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            bucket = self.values.setdefault(predicate, [])
            item = value.strip() if isinstance(value, str) else value
            if item not in bucket:
                bucket.append(item)


@dataclass
class Parsed:
    """What one file gave: its format, the entities and every problem found."""

    file: str
    format: str
    entities: list[Found] = field(default_factory=list)
    issues: list[InputIssue] = field(default_factory=list)
    _by_key: dict[tuple[str, str], Found] = field(default_factory=dict, repr=False)

    def problem(
        self,
        message: str,
        value: object = None,
        line: int | None = None,
        pointer: str | None = None,
    ) -> None:
        """Record a located problem."""
        shown = None if value is None else str(value)
        self.issues.append(InputIssue(self.file, line, pointer, message, shown))

    def entity(self, found: Found) -> Found:
        """Keep an entity; a second statement of the same entity merges into the first."""
        earlier = self._by_key.get((found.kind, found.id))
        if earlier is not None:
            if earlier.stub and not found.stub:
                earlier.stub = False
                earlier.label = found.label or earlier.label
                earlier.source_id = found.source_id
            for predicate, values in found.values.items():
                earlier.add(predicate, *values)
            return earlier
        self.entities.append(found)
        self._by_key[(found.kind, found.id)] = found
        return found

    def get(self, kind: str, identifier: str) -> Found:
        """An entity this file already stated."""
        return self._by_key[(kind, identifier)]

    def stub(self, kind: str, identifier: str, label: str | None = None) -> Link:
        """Name an entity the file refers to without describing it; return the link to it."""
        self.entity(Found(kind, identifier, identifier, label or identifier, stub=True))
        return Link(kind, identifier)
