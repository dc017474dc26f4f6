"""The inventory registers: their columns, value types and the RDF each column becomes.

This module is the single source of the input schemas documented in docs/input-schemas.md; the
tabular loader, `aimstrace list` and the synthetic generator all read it, so they cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ontology.iris import AIMS, PROV

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
    "EUAIActRole": ("role", ("provider", "deployer", "importer", "distributor", "not-applicable")),
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

    def column(self, name: str) -> Column | None:
        """The column called name, or None."""
        for col in self.columns:
            if col.name == name:
                return col
        return None


def _a(local: str) -> str:
    return str(AIMS[local])


def _ref(name: str, local: str, kind: str, doc: str, **kw: object) -> Column:
    return Column(name, _a(local), "ref", doc, ref_kinds=(kind,), **kw)  # type: ignore[arg-type]


def _text(name: str, predicate: str, doc: str, **kw: object) -> Column:
    return Column(name, predicate, "text", doc, **kw)  # type: ignore[arg-type]


def _date(name: str, local: str, doc: str, **kw: object) -> Column:
    return Column(name, _a(local), "date", doc, **kw)  # type: ignore[arg-type]


def _enum(name: str, local: str, enumeration: str, doc: str, **kw: object) -> Column:
    return Column(name, _a(local), "enum", doc, enum=enumeration, **kw)  # type: ignore[arg-type]


def _bool(name: str, local: str, doc: str, **kw: object) -> Column:
    return Column(name, _a(local), "boolean", doc, **kw)  # type: ignore[arg-type]


_DESCRIPTION = _text("description", DCTERMS + "description", "free-text description")
_OWNER = _ref("owner", "accountableOwner", "person", "accountable person (A.3.2)", required=True)

REGISTERS: tuple[Register, ...] = (
    Register(
        "organisation",
        "organization",
        _a("Organization"),
        "name",
        "4.1, 4.2, 6.1.2",
        "the organisation and its AIMS settings",
        (
            _enum("risk_appetite", "riskAppetite", "RiskLevel", "highest accepted risk level"),
            Column(
                "risk_assessment_interval_days",
                _a("riskAssessmentIntervalDays"),
                "integer",
                "days between risk assessments (8.2)",
                minimum=1,
            ),
            Column(
                "policy_review_interval_days",
                _a("policyReviewIntervalDays"),
                "integer",
                "days between AI policy reviews (A.2.4)",
                minimum=1,
            ),
            Column(
                "vendor_assessment_interval_days",
                _a("vendorAssessmentIntervalDays"),
                "integer",
                "days between supplier assessments (A.10.3)",
                minimum=1,
            ),
            _ref(
                "interested_parties",
                "hasInterestedParty",
                "party",
                "interested party ids",
                multi=True,
            ),
        ),
    ),
    Register(
        "interested_parties",
        "party",
        _a("InterestedParty"),
        "name",
        "4.2",
        "interested parties and what they expect",
        (_text("expectation", _a("expectation"), "what the party expects", multi=True),),
    ),
    Register(
        "scope",
        "scope",
        _a("AIMSScope"),
        "name",
        "4.3",
        "the AIMS scope",
        (
            _ref("organisation", "scopeOf", "organization", "organisation id", required=True),
            _text("description", DCTERMS + "description", "scope statement"),
            _ref("systems", "includesSystem", "system", "AI systems in scope", multi=True),
        ),
    ),
    Register(
        "roles",
        "role",
        _a("Role"),
        "name",
        "5.3, A.3.2",
        "AIMS roles",
        (_DESCRIPTION,),
    ),
    Register(
        "people",
        "person",
        _a("Person"),
        "name",
        "5.3, 7.2, A.3.2",
        "people and their roles",
        (
            Column("email", _a("email"), "email", "e-mail address"),
            Column(
                "roles",
                _a("holdsRole"),
                "ref",
                f"role ids, or `{AIMS_OWNER_ROLE_WORD}`",
                multi=True,
                ref_kinds=("role",),
            ),
        ),
    ),
    Register(
        "policies",
        "policy",
        _a("AIPolicy"),
        "title",
        "5.2, A.2.2",
        "the AI policy",
        (
            _OWNER,
            _ref("approved_by", "approvedBy", "person", "who approved it (top management)"),
            _date("approval_date", "approvalDate", "approval date"),
        ),
    ),
    Register(
        "policy_reviews",
        "policy-review",
        _a("PolicyReview"),
        "title",
        "5.2, A.2.4",
        "reviews of the AI policy",
        (
            _ref("policy", "reviewOf", "policy", "policy id", required=True),
            _date("review_date", "reviewDate", "review date", required=True),
            _ref("reviewed_by", "reviewedBy", "person", "reviewers", multi=True),
        ),
        label_required=False,
    ),
    Register(
        "systems",
        "system",
        _a("AISystem"),
        "name",
        "4.3, A.4.2, A.6.2, A.9.4",
        "AI system register",
        (
            _OWNER,
            _enum(
                "lifecycle_stage",
                "lifecycleStage",
                "LifecycleStage",
                "lifecycle stage (A.6.2)",
                required=True,
            ),
            _text("intended_use", _a("intendedUse"), "intended use (A.9.4)"),
            _text("deployment", _a("deployment"), "where and how it is deployed"),
            _enum("eu_ai_act_role", "euAIActRole", "EUAIActRole", "EU AI Act role"),
            Column(
                "annex_iii_point",
                _a("annexIIIPoint"),
                "requirement",
                "EU AI Act Annex III area or point, e.g. `Annex III.4(a)`",
                requirement_classes=("AnnexPoint", "AnnexArea"),
                framework="eu-ai-act",
            ),
            _ref("models", "usesModel", "model", "model ids", multi=True),
            _ref("datasets", "usesDataset", "dataset", "dataset ids", multi=True),
            _ref("vendors", "suppliedBy", "vendor", "vendor ids (A.10.3)", multi=True),
            _bool("excluded_from_scope", "excludedFromScope", "true when outside the AIMS scope"),
            _text(
                "exclusion_justification", _a("exclusionJustification"), "why it is excluded (4.3)"
            ),
            _bool("requires_fria", "requiresFRIA", "EU AI Act Art. 27 FRIA needed"),
        ),
    ),
    Register(
        "models",
        "model",
        _a("Model"),
        "name",
        "A.4.2, A.6.2.3",
        "model register",
        (
            _ref("owner", "accountableOwner", "person", "accountable person"),
            _ref("trained_on", "trainedOn", "dataset", "training datasets", multi=True),
            _ref("vendor", "suppliedBy", "vendor", "supplier, for third-party models"),
        ),
    ),
    Register(
        "datasets",
        "dataset",
        _a("Dataset"),
        "name",
        "A.4.3, A.7.2-A.7.6",
        "dataset register",
        (
            _text("source", DCTERMS + "source", "where the data comes from"),
            _text("acquisition", _a("acquisition"), "how it was acquired (A.7.3)"),
            _text("provenance", _a("provenance"), "provenance record (A.7.5)"),
            _text("quality_checks", _a("qualityCheck"), "quality checks (A.7.4)", multi=True),
            _bool("personal_data", "containsPersonalData", "holds personal data"),
            Column(
                "derived_from",
                str(PROV["wasDerivedFrom"]),
                "ref",
                "upstream dataset ids",
                multi=True,
                ref_kinds=("dataset",),
            ),
            _ref("vendor", "suppliedBy", "vendor", "supplier ids", multi=True),
            _ref(
                "used_by", "usesDataset", "system", "systems that use it", multi=True, inverse=True
            ),
        ),
    ),
    Register(
        "vendors",
        "vendor",
        _a("Vendor"),
        "name",
        "A.10.3",
        "vendor register",
        (
            _text("supplies", _a("supplies"), "what it supplies"),
            _date("last_assessment", "lastAssessmentDate", "last supplier assessment"),
        ),
    ),
    Register(
        "risk_assessments",
        "risk-assessment",
        _a("RiskAssessment"),
        "title",
        "6.1.2, 8.2",
        "risk assessments",
        (
            _ref("systems", "assessesSystem", "system", "assessed systems", multi=True),
            _date("date", "assessmentDate", "assessment date", required=True),
        ),
    ),
    Register(
        "risks",
        "risk",
        _a("Risk"),
        "title",
        "6.1.2, 8.2, Annex C",
        "risk register",
        (
            _DESCRIPTION,
            Column(
                "risk_source",
                _a("riskSource"),
                "requirement",
                "Annex C risk source (C.3.x)",
                required=True,
                requirement_classes=("RiskSourceCategory",),
            ),
            Column(
                "likelihood",
                _a("likelihood"),
                "integer",
                "1-5",
                required=True,
                minimum=1,
                maximum=5,
            ),
            Column(
                "severity", _a("severity"), "integer", "1-5", required=True, minimum=1, maximum=5
            ),
            _enum("level", "riskLevel", "RiskLevel", "risk level", required=True),
            _OWNER,
            _ref(
                "systems", "affectsSystem", "system", "affected systems", multi=True, required=True
            ),
            _ref("assessment", "assessedIn", "risk-assessment", "risk assessment id"),
        ),
    ),
    Register(
        "treatments",
        "treatment",
        _a("RiskTreatment"),
        "title",
        "6.1.3, 8.3",
        "risk treatments",
        (
            _ref("risks", "treatsRisk", "risk", "treated risks", multi=True, required=True),
            _enum(
                "option", "treatmentOption", "TreatmentOption", "treatment option", required=True
            ),
            _ref("controls", "usesControl", "control", "implemented control ids", multi=True),
        ),
    ),
    Register(
        "controls",
        "control",
        _a("ImplementedControl"),
        "title",
        "6.1.3, 8.3, Annex A",
        "implemented controls",
        (
            Column(
                "annex_a_control",
                _a("implementsRequirement"),
                "requirement",
                "Annex A control implemented, e.g. `A.7.5` (empty for an additional control)",
                requirement_classes=("ReferenceControl",),
            ),
            _text(
                "additional_justification",
                _a("additionalControlJustification"),
                "why an additional (non-Annex A) control is needed",
            ),
            _enum("status", "controlStatus", "ControlStatus", "status", required=True),
            _OWNER,
            _ref("evidence", "hasEvidence", "evidence", "evidence ids", multi=True),
        ),
    ),
    Register(
        "statement_of_applicability",
        "applicability",
        _a("ApplicabilityDecision"),
        "title",
        "6.1.3 d-f",
        "Statement of Applicability: one row per Annex A control",
        (
            Column(
                "control",
                _a("decisionFor"),
                "requirement",
                "Annex A control, e.g. `A.2.2`",
                required=True,
                requirement_classes=("ReferenceControl",),
            ),
            _bool("applicable", "applicable", "true or false", required=True),
            _text("justification", _a("justification"), "why included or excluded", required=True),
            _enum("status", "controlStatus", "ControlStatus", "implementation status"),
        ),
        label_required=False,
        id_from="control",
    ),
    Register(
        "impact_assessments",
        "impact-assessment",
        _a("ImpactAssessment"),
        "title",
        "6.1.4, 8.4, A.5",
        "AI system impact assessments",
        (
            _ref("system", "assessesSystem", "system", "assessed system", required=True),
            _text(
                "affected_parties", _a("affectedParty"), "individuals, groups, society", multi=True
            ),
            _text("impacts", _a("impact"), "impacts found", multi=True),
            _date("date", "assessmentDate", "assessment date", required=True),
            _bool("fria", "isFRIA", "is an EU AI Act Art. 27 FRIA"),
        ),
    ),
    Register(
        "evidence",
        "evidence",
        _a("Evidence"),
        "title",
        "7.5",
        "evidence index",
        (
            _text("location", _a("location"), "where it is kept (URL, path)", required=True),
            _date("date", "evidenceDate", "date of the evidence"),
            Column(
                "supports",
                _a("supports"),
                "target",
                "entity ids or requirement notations it supports",
                multi=True,
            ),
            _enum("type", "evidenceType", "EvidenceType", "kind of evidence"),
        ),
    ),
    Register(
        "audits",
        "audit",
        _a("InternalAudit"),
        "title",
        "9.2",
        "internal audits",
        (
            _date("date", "auditDate", "audit date", required=True),
            _text("scope", _a("auditScope"), "what was audited"),
        ),
    ),
    Register(
        "nonconformities",
        "nonconformity",
        _a("Nonconformity"),
        "title",
        "10.2",
        "nonconformities (audit findings)",
        (
            _ref("audit", "hasFinding", "audit", "audit that found it", inverse=True),
            Column(
                "requirement",
                _a("concernsRequirement"),
                "requirement",
                "requirement not met, e.g. `8.2` or `A.7.5`",
            ),
            _DESCRIPTION,
        ),
    ),
    Register(
        "corrective_actions",
        "corrective-action",
        _a("CorrectiveAction"),
        "title",
        "10.2",
        "corrective actions",
        (
            _ref(
                "nonconformity",
                "correctedBy",
                "nonconformity",
                "nonconformity it corrects",
                inverse=True,
                multi=True,
            ),
            _OWNER,
            _date("due_date", "dueDate", "due date", required=True),
            _enum("status", "actionStatus", "ActionStatus", "status", required=True),
        ),
    ),
    Register(
        "management_reviews",
        "management-review",
        _a("ManagementReview"),
        "title",
        "9.3",
        "management reviews",
        (
            _date("date", "reviewDate", "review date", required=True),
            _ref("attendees", "attendee", "person", "attendees", multi=True),
        ),
    ),
    Register(
        "incidents",
        "incident",
        _a("Incident"),
        "title",
        "A.8.4, EU AI Act Art. 73",
        "AI incidents",
        (
            _ref("system", "incidentSystem", "system", "system involved", required=True),
            _date("date", "incidentDate", "date it happened", required=True),
            _bool("serious", "seriousIncident", "serious incident (EU AI Act Art. 3(49))"),
            _bool("communicated", "communicated", "communicated to interested parties (A.8.4)"),
            _date("reported_to_authority", "reportedToAuthority", "date reported (Art. 73)"),
            _DESCRIPTION,
        ),
    ),
)

REGISTER_BY_NAME: dict[str, Register] = {r.name: r for r in REGISTERS}
REGISTER_BY_KIND: dict[str, Register] = {r.kind: r for r in REGISTERS}
REGISTER_BY_CLASS: dict[str, Register] = {r.cls: r for r in REGISTERS}

# Other spellings people use for file names and sheet names.
REGISTER_ALIASES: dict[str, str] = {
    "organization": "organisation",
    "soa": "statement_of_applicability",
    "ai_systems": "systems",
    "parties": "interested_parties",
    "controls_implemented": "controls",
}

# `aimstrace list KIND` names (plural, as the CLI contract has them) -> register.
LIST_KINDS: dict[str, str] = {r.name: r.name for r in REGISTERS}


def register_for(name: str) -> Register | None:
    """The register a file stem, sheet name or YAML key names, or None."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    key = REGISTER_ALIASES.get(key, key)
    return REGISTER_BY_NAME.get(key)
