"""Registers of risk and assurance: risks, treatments, controls, SoA, evidence, audits."""

from __future__ import annotations

from aimstrace.ontology.registers.model import DCTERMS, Column, Register
from aimstrace.ontology.registers.model import aims_iri as _a
from aimstrace.ontology.registers.model import bool_column as _bool
from aimstrace.ontology.registers.model import date_column as _date
from aimstrace.ontology.registers.model import enum_column as _enum
from aimstrace.ontology.registers.model import ref_column as _ref
from aimstrace.ontology.registers.model import text_column as _text

_DESCRIPTION = _text("description", DCTERMS + "description", "free-text description")
# Optional at load: a missing owner is a gap the shapes report (A.3.2, 6.1.2, A.2.2, 10.2).
_OWNER = _ref("owner", "accountableOwner", "person", "accountable person (A.3.2)")

ASSURANCE_REGISTERS: tuple[Register, ...] = (
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
