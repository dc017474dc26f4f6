"""The audit packs: the stage 1 readiness review and the management review inputs."""

from __future__ import annotations

from typing import Any

from aimstrace.api.reports.common import (
    FRAMEWORK_NAMES,
    GAP_COLUMNS,
    Context,
    age,
    counts_text,
    gap_row,
    latest,
    new_document,
    register_table,
    requirement_cell,
    with_titles,
)
from aimstrace.api.reports.document import Document, Section, Table
from aimstrace.api.reports.gapview import (
    groups,
    severity_counts,
)
from aimstrace.api.reports.soa import soa_section
from aimstrace.graph.validation.gaps import SEVERITIES, GapRecord


def clause_of(record: GapRecord) -> str:
    """The ISO/IEC 42001 clause (4-10) or 'Annex A' a gap falls under; other frameworks by name."""
    if record.framework != "iso42001" or not record.requirement:
        return FRAMEWORK_NAMES.get(record.framework or "", record.framework or "other")
    head = record.requirement.split(".")[0]
    return "Annex A" if head == "A" else head


CLAUSE_ROWS = 50  # findings listed per clause in the stage 1 pack


def gaps_by_clause(ctx: Context) -> Section:
    """Open gaps under each ISO/IEC 42001 clause (then Annex A, then the other frameworks)."""
    records = with_titles(ctx, ctx.gaps().records)
    section = Section("Open gaps by clause", anchor="gaps-by-clause")
    order: dict[str, list[GapRecord]] = {}
    for record in sorted(records, key=GapRecord.sort_key):
        order.setdefault(clause_of(record), []).append(record)

    def rank(key: str) -> tuple[int, int, str]:
        return (0, int(key), "") if key.isdigit() else (1 if key == "Annex A" else 2, 0, key)

    summary = Table(["clause", "title", *SEVERITIES], name="Gaps by clause")
    for key in sorted(order, key=rank):
        members = order[key]
        title = ctx.title("iso42001", key) if key.isdigit() else ""
        counts = severity_counts(members)
        summary.rows.append([key, title or "", *(counts[s] for s in SEVERITIES)])
        heading = f"{'Clause ' + key if key.isdigit() else key}{' ' + title if title else ''}"
        table = Table(
            ["requirement", *GAP_COLUMNS],
            [
                [requirement_cell(r.framework, r.requirement, r.requirement_title), *gap_row(r)]
                for r in members[:CLAUSE_ROWS]
            ],
            name=heading,
        )
        notes = []
        if len(members) > CLAUSE_ROWS:
            # A readiness pack shows the pattern; the gap report has every finding.
            notes.append(
                f"The first {CLAUSE_ROWS} of {len(members)} findings, violations first; "
                "the gap report (aimstrace report gaps) lists them all."
            )
        section.sections.append(
            Section(f"{heading} ({counts_text(counts)})", paragraphs=notes, tables=[table])
        )
    section.tables.append(summary)
    return section


# The columns of each register the stage 1 pack shows (besides id and label).
POLICY_COLUMNS = ["owner", "approved_by", "approval_date"]
POLICY_REVIEW_COLUMNS = ["policy", "review_date", "reviewed_by"]
RISK_ASSESSMENT_COLUMNS = ["date", "systems"]
IMPACT_COLUMNS = ["system", "date", "fria", "affected_parties"]
AUDIT_COLUMNS = ["date", "scope"]
NONCONFORMITY_COLUMNS = ["audit", "requirement", "description"]
ACTION_COLUMNS = ["nonconformity", "owner", "due_date", "status"]


def stage1_report(ctx: Context) -> Document:
    """The readiness pack a certification body's stage 1 audit reviews."""
    doc = new_document(ctx, "stage1", "Stage 1 readiness review pack")
    org = (ctx.entities("organisation") or [{}])[0]
    scope = ctx.entities("scope")
    # Each register is read for the columns the pack shows (and counted where it only counts).
    system_columns = ["in_scope", "lifecycle_stage", "eu_ai_act_role", "annex_iii_point", "owner"]
    systems = ctx.entities("systems", [*system_columns[1:], "excluded_from_scope"])
    in_scope = {s for entry in scope for s in entry.get("systems") or []}
    counts = ctx.gaps().counts()
    doc.summary.append(
        f"Gaps on {ctx.as_of.isoformat()}: {counts_text(counts)}; "
        f"{'no violations' if ctx.gaps().conforms else 'violations to close before stage 2'}."
    )
    scope_section = Section(
        "Scope of the AI management system",
        paragraphs=[str(s.get("description") or s.get("label")) for s in scope]
        or ["No scope statement recorded."],
        facts=[
            ("organisation", str(org.get("label") or "(not set)")),
            ("AI systems in scope", f"{len(in_scope)} of {len(systems)} registered"),
            (
                "excluded from scope",
                ", ".join(s["id"] for s in systems if s.get("excluded_from_scope")) or "none",
            ),
        ],
        tables=[
            register_table(
                [{**s, "in_scope": s["id"] in in_scope} for s in systems],
                ["id", "label", *system_columns],
                "systems",
                name="Systems",
            )
        ],
    )
    policies = ctx.entities("policies", POLICY_COLUMNS)
    reviews = ctx.entities("policy_reviews", POLICY_REVIEW_COLUMNS)
    last_review = latest(reviews, "review_date")
    policy_section = Section(
        "AI policy",
        facts=[
            ("policies", ", ".join(f"{p['id']} {p.get('label', '')}" for p in policies) or "none"),
            ("last policy review", age(ctx, last_review and last_review.get("review_date"))),
            ("review interval", f"{org.get('policy_review_interval_days', '(not set)')} days"),
        ],
        tables=[
            register_table(policies, ["id", "label", *POLICY_COLUMNS], name="Policies"),
            register_table(reviews, ["id", "label", *POLICY_REVIEW_COLUMNS], name="Policy reviews"),
        ],
    )
    roles = ctx.entities("roles")
    roles_section = Section(
        "Roles, responsibilities and authorities",
        facts=[("roles", str(len(roles))), ("people", str(ctx.count("people")))],
        tables=[register_table(roles, ["label", "description"], name="Roles")],
    )
    risk_assessments = ctx.entities("risk_assessments", RISK_ASSESSMENT_COLUMNS)
    impact = ctx.entities("impact_assessments", IMPACT_COLUMNS)
    method = Section(
        "Risk and impact assessment method",
        facts=[
            ("risk appetite", str(org.get("risk_appetite") or "(not set)")),
            (
                "risk assessment interval",
                f"{org.get('risk_assessment_interval_days', '(not set)')} days",
            ),
            ("last risk assessment", age(ctx, (latest(risk_assessments) or {}).get("date"))),
            ("risks registered", str(ctx.count("risks"))),
            (
                "impact assessments",
                f"{len(impact)} ({sum(1 for i in impact if i.get('fria'))} FRIA)",
            ),
        ],
        tables=[
            register_table(
                risk_assessments, ["id", "label", *RISK_ASSESSMENT_COLUMNS], name="Risk assessments"
            ),
            register_table(impact, ["id", "label", *IMPACT_COLUMNS], name="Impact assessments"),
        ],
    )
    audits = ctx.entities("audits", AUDIT_COLUMNS)
    ncs = ctx.entities("nonconformities", NONCONFORMITY_COLUMNS)
    actions = ctx.entities("corrective_actions", ACTION_COLUMNS)
    open_actions = [a for a in actions if a.get("status") not in ("closed", "done", "verified")]
    audit = Section(
        "Internal audit",
        facts=[
            ("last internal audit", age(ctx, (latest(audits) or {}).get("date"))),
            ("nonconformities", str(len(ncs))),
            ("corrective actions open", f"{len(open_actions)} of {len(actions)}"),
        ],
        tables=[
            register_table(audits, ["id", "label", *AUDIT_COLUMNS], name="Audits"),
            register_table(ncs, ["id", "label", *NONCONFORMITY_COLUMNS], name="Nonconformities"),
            register_table(actions, ["id", "label", *ACTION_COLUMNS], name="Corrective actions"),
        ],
    )
    reviews_mr = ctx.entities("management_reviews")
    review = Section(
        "Management review",
        facts=[("last management review", age(ctx, (latest(reviews_mr) or {}).get("date")))],
        tables=[
            register_table(
                reviews_mr, ["id", "label", "date", "attendees"], name="Management reviews"
            )
        ],
    )
    doc.sections += [
        scope_section,
        policy_section,
        roles_section,
        method,
        soa_section(ctx),
        audit,
        review,
        gaps_by_clause(ctx),
    ]
    return doc


# ISO/IEC 42001:2023 9.3.2 lists what a management review considers; the list follows the ISO
# harmonized structure (Annex SL) shared with ISO/IEC 27001:2022 9.3.2. Our paraphrase.
REVIEW_INPUTS = (
    ("a", "Status of actions from previous management reviews"),
    ("b", "Changes in external and internal issues relevant to the AI management system"),
    ("c", "Changes in the needs and expectations of interested parties"),
    ("d", "Information on the performance of the AI management system"),
    ("e", "Opportunities for continual improvement"),
)


def management_review_report(ctx: Context) -> Document:
    """The inputs ISO/IEC 42001 9.3.2 asks a management review to consider, from the registers."""
    doc = new_document(ctx, "management-review", "Management review inputs (ISO/IEC 42001 9.3.2)")
    reviews = ctx.entities("management_reviews")
    last = latest(reviews)
    since = str(last["date"]) if last else None
    doc.summary.append(
        f"Previous management review: {age(ctx, since)}. Items dated after it are marked as new."
    )
    actions = ctx.entities("corrective_actions")
    a = Section(
        f"{REVIEW_INPUTS[0][0]}) {REVIEW_INPUTS[0][1]}",
        tables=[
            register_table(reviews, ["id", "label", "date", "attendees"], name="Previous reviews"),
            register_table(
                actions,
                ["id", "label", "nonconformity", "owner", "due_date", "status"],
                name="Actions",
            ),
        ],
    )
    scope = ctx.entities("scope")
    b = Section(
        f"{REVIEW_INPUTS[1][0]}) {REVIEW_INPUTS[1][1]}",
        paragraphs=[str(s.get("description") or "") for s in scope if s.get("description")],
        tables=[
            register_table(
                [s for s in ctx.entities("systems")],
                ["id", "label", "lifecycle_stage", "eu_ai_act_role", "annex_iii_point"],
                "systems",
                name="AI systems",
            )
        ],
    )
    parties = ctx.entities("interested_parties")
    c = Section(
        f"{REVIEW_INPUTS[2][0]}) {REVIEW_INPUTS[2][1]}",
        tables=[register_table(parties, ["id", "label", "expectation"], name="Interested parties")],
    )
    report = ctx.gaps()
    ncs = ctx.entities("nonconformities")
    incidents = ctx.entities("incidents")
    audits = ctx.entities("audits")

    def new(rows: list[dict[str, Any]]) -> int:
        return sum(1 for r in rows if since is None or str(r.get("date") or "") > since)

    d = Section(
        f"{REVIEW_INPUTS[3][0]}) {REVIEW_INPUTS[3][1]}",
        facts=[
            ("gaps on the evaluation date", counts_text(report.counts())),
            ("nonconformities", f"{len(ncs)} recorded"),
            (
                "corrective actions open",
                str(
                    sum(1 for x in actions if x.get("status") not in ("closed", "done", "verified"))
                ),
            ),
            ("incidents", f"{len(incidents)} recorded, {new(incidents)} since the previous review"),
            ("audits", f"{len(audits)} recorded, {new(audits)} since the previous review"),
        ],
        sections=[
            Section(
                "Nonconformities and corrective actions",
                tables=[
                    register_table(
                        ncs,
                        ["id", "label", "audit", "requirement", "description"],
                        name="Nonconformities",
                    )
                ],
            ),
            Section(
                "Monitoring and measurement results",
                tables=[
                    register_table(
                        incidents,
                        ["id", "label", "system", "date", "serious", "reported_to_authority"],
                        "incidents",
                        name="Incidents",
                    )
                ],
            ),
            Section(
                "Audit results",
                tables=[register_table(audits, ["id", "label", "date", "scope"], name="Audits")],
            ),
        ],
    )
    top = groups(with_titles(ctx, report.records), "requirement")[:15]
    e = Section(
        f"{REVIEW_INPUTS[4][0]}) {REVIEW_INPUTS[4][1]}",
        paragraphs=["The requirements with the most open gaps on the evaluation date."],
        tables=[
            Table(
                ["requirement", *SEVERITIES],
                [
                    [
                        requirement_cell(k.framework, k.value, ctx.title(k.framework, k.value))
                        if k.framework
                        else k.label,
                        *(severity_counts(m)[s] for s in SEVERITIES),
                    ]
                    for k, m in top
                ],
                name="Improvement",
            )
        ],
    )
    doc.sections += [a, b, c, d, e]
    return doc
