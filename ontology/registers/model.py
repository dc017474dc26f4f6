"""What a register is: columns, value types, enumerations, and helpers to declare them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from aimstrace.ontology.iris import AIMS

DCTERMS = "http://purl.org/dc/terms/"

ValueType = Literal[
    "text", "integer", "boolean", "date", "enum", "ref", "requirement", "target", "email"
]

# Enumeration name -> (IRI stem, allowed notations); IRIs are aims:{stem}-{notation}.
ENUMERATIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "LifecycleStage": (
        "stage",
        (
            "inception",
            "design-development",
            "verification-validation",
            "deployment",
            "operation-monitoring",
            "re-evaluation",
            "retirement",
        ),
    ),
    "RiskLevel": ("level", ("low", "medium", "high", "critical")),
    "EUAIActRole": (
        "role",
        (
            "provider",
            "deployer",
            "importer",
            "distributor",
            "authorised-representative",
            "product-manufacturer",
            "not-applicable",
        ),
    ),
    "ProhibitedScreening": ("screening", ("not-prohibited", "prohibited")),
    "TransparencyCase": ("transparency", ("art50-1", "art50-2", "art50-3", "art50-4")),
    "GPAIClass": ("gpai", ("none", "gpai", "gpai-systemic-risk")),
    "RoleChange": ("change", ("own-name", "substantial-modification", "intended-purpose-change")),
    "EnterpriseSize": ("size", ("sme", "small-mid-cap", "large")),
    "TreatmentOption": ("option", ("mitigate", "avoid", "transfer", "accept")),
    "ControlStatus": ("status", ("planned", "in-progress", "implemented", "not-applicable")),
    "ActionStatus": ("action", ("open", "in-progress", "closed")),
    "EvidenceType": (
        "evidence",
        (
            "policy",
            "procedure",
            "record",
            "report",
            "verification-validation",
            "deployment",
            "monitoring",
            "technical-documentation",
            "event-log",
            "other",
        ),
    ),
}

# The word a person types in a `roles` cell for the AIMS owner role individual (5.3).
AIMS_OWNER_ROLE_WORD = "aims-owner"
AIMS_OWNER_ROLE_IRI = str(AIMS["AIMSOwnerRole"])


def enum_iri(enumeration: str, notation: str) -> str:
    """IRI of one enumeration individual, e.g. ('LifecycleStage', 'deployment')."""
    stem, _ = ENUMERATIONS[enumeration]
    return str(AIMS[f"{stem}-{notation}"])


@dataclass(frozen=True)
class Column:
    """One column of a register and the triple it yields."""

    name: str
    predicate: str
    type: ValueType
    doc: str
    required: bool = False
    multi: bool = False
    enum: str | None = None
    ref_kinds: tuple[str, ...] = ()
    requirement_classes: tuple[str, ...] = ()
    framework: str = "iso42001"
    minimum: int | None = None
    maximum: int | None = None
    # An inverse column writes (target, predicate, this entity): the natural direction for a
    # person filling in a spreadsheet is not always the direction of the vocabulary property.
    inverse: bool = False


@dataclass(frozen=True)
class Register:
    """One input register: a kind of entity, its class and its columns."""

    name: str
    kind: str
    cls: str
    label_column: str
    serves: str
    doc: str
    columns: tuple[Column, ...]
    label_required: bool = True
    # For the SoA the control notation is the natural id; `id` may be left out.
    id_from: str | None = None
    # (boolean column, column): when the first is true the second must have a value.
    required_when_true: tuple[tuple[str, str], ...] = ()

    def column(self, name: str) -> Column | None:
        """The column called name, or None."""
        for col in self.columns:
            if col.name == name:
                return col
        return None


def aims_iri(local: str) -> str:
    return str(AIMS[local])


def ref_column(name: str, local: str, kind: str, doc: str, **kw: object) -> Column:
    return Column(name, aims_iri(local), "ref", doc, ref_kinds=(kind,), **kw)  # type: ignore[arg-type]


def text_column(name: str, predicate: str, doc: str, **kw: object) -> Column:
    return Column(name, predicate, "text", doc, **kw)  # type: ignore[arg-type]


def date_column(name: str, local: str, doc: str, **kw: object) -> Column:
    return Column(name, aims_iri(local), "date", doc, **kw)  # type: ignore[arg-type]


def enum_column(name: str, local: str, enumeration: str, doc: str, **kw: object) -> Column:
    return Column(name, aims_iri(local), "enum", doc, enum=enumeration, **kw)  # type: ignore[arg-type]


def bool_column(name: str, local: str, doc: str, **kw: object) -> Column:
    return Column(name, aims_iri(local), "boolean", doc, **kw)  # type: ignore[arg-type]
