"""Registers of the organisation and its AI inventory: context, people, policy, systems, data."""

from __future__ import annotations

from aimstrace.ontology.iris import PROV
from aimstrace.ontology.registers.model import AIMS_OWNER_ROLE_WORD, DCTERMS, Column, Register
from aimstrace.ontology.registers.model import aims_iri as _a
from aimstrace.ontology.registers.model import bool_column as _bool
from aimstrace.ontology.registers.model import date_column as _date
from aimstrace.ontology.registers.model import enum_column as _enum
from aimstrace.ontology.registers.model import ref_column as _ref
from aimstrace.ontology.registers.model import text_column as _text

_DESCRIPTION = _text("description", DCTERMS + "description", "free-text description")
# Optional at load: a missing owner is a gap the shapes report (A.3.2, 6.1.2, A.2.2, 10.2).
_OWNER = _ref("owner", "accountableOwner", "person", "accountable person (A.3.2)")

CONTEXT_REGISTERS: tuple[Register, ...] = (
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
            _bool("public_body", "publicBody", "a body governed by public law (Art. 27(1))"),
            _bool(
                "public_service_provider",
                "publicServiceProvider",
                "a private entity providing public services (Art. 27(1))",
            ),
            _enum(
                "enterprise_size", "enterpriseSize", "EnterpriseSize", "SME, small mid-cap or large"
            ),
            Column(
                "planning_horizon_months",
                _a("planningHorizonMonths"),
                "integer",
                "months ahead that validation reports upcoming EU AI Act obligations (18)",
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
            _enum(
                "eu_ai_act_role",
                "euAIActRole",
                "EUAIActRole",
                "EU AI Act operator roles the organisation holds for it (Art. 3, 25)",
                multi=True,
            ),
            _enum(
                "role_change",
                "roleChange",
                "RoleChange",
                "Art. 25(1) circumstance that makes the organisation its provider",
            ),
            Column(
                "annex_iii_point",
                _a("annexIIIPoint"),
                "requirement",
                "EU AI Act Annex III area or point, e.g. `Annex III.4(a)`",
                requirement_classes=("AnnexPoint", "AnnexArea"),
                framework="eu-ai-act",
            ),
            Column(
                "annex_i_act",
                _a("annexIAct"),
                "requirement",
                "EU AI Act Annex I act it is a product or safety component under (Art. 6(1)), "
                "e.g. `Annex I.11` (Regulation (EU) 2017/745)",
                requirement_classes=("AnnexIAct",),
                framework="eu-ai-act",
            ),
            _enum(
                "prohibited_screening",
                "prohibitedScreening",
                "ProhibitedScreening",
                "result of screening against Art. 5",
            ),
            _bool(
                "art_6_3_derogation",
                "claimsDerogation",
                "Art. 6(3): provider concludes not high-risk",
            ),
            _text(
                "derogation_reasoning",
                _a("derogationReasoning"),
                "the documented Art. 6(3) assessment (Art. 6(4)); required with a derogation",
            ),
            _bool(
                "performs_profiling", "performsProfiling", "profiles natural persons (Art. 6(3))"
            ),
            _enum(
                "transparency",
                "transparencyCase",
                "TransparencyCase",
                "Art. 50 transparency cases",
                multi=True,
            ),
            _enum("gpai", "gpaiClass", "GPAIClass", "general-purpose AI model (Art. 53, 55)"),
            _bool("minimal_risk", "minimalRisk", "classified minimal risk"),
            _ref(
                "classification_decided_by",
                "classificationDecidedBy",
                "person",
                "who decided the EU AI Act classification",
            ),
            _date(
                "classification_decided_on",
                "classificationDecidedOn",
                "when the classification was decided",
            ),
            _text(
                "classification_basis",
                _a("classificationBasis"),
                "on what basis the classification was decided",
            ),
            _date(
                "placed_on_market",
                "placedOnMarket",
                "placed on the market or put into service (Art. 111)",
            ),
            _bool(
                "significant_change",
                "significantChange",
                "design changed significantly since its high-risk date (Art. 111(2))",
            ),
            _ref("models", "usesModel", "model", "model ids", multi=True),
            _ref("datasets", "usesDataset", "dataset", "dataset ids", multi=True),
            _ref("vendors", "suppliedBy", "vendor", "vendor ids (A.10.3)", multi=True),
            _bool("excluded_from_scope", "excludedFromScope", "true when outside the AIMS scope"),
            _text(
                "exclusion_justification", _a("exclusionJustification"), "why it is excluded (4.3)"
            ),
            _bool(
                "requires_fria",
                "requiresFRIA",
                "EU AI Act Art. 27 FRIA needed, as stated; compared with the derived value",
            ),
        ),
        required_when_true=(("art_6_3_derogation", "derogation_reasoning"),),
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
)
