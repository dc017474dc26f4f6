"""The pillars report: gaps and controls under transparency, accountability and fairness."""

from __future__ import annotations

from typing import Any

from aimstrace.api.reports.common import (
    FRAMEWORK_NAMES,
    GAP_COLUMNS,
    Context,
    entity,
    gap_row,
    new_document,
    requirement_cell,
    with_titles,
)
from aimstrace.api.reports.document import Document, Section, Table
from aimstrace.api.reports.gapview import (
    natural_key,
)
from aimstrace.api.reports.pillars import ASSIGNMENTS, PILLARS, pillar_of
from aimstrace.graph.validation.gaps import GapRecord


def pillars_report(ctx: Context) -> Document:
    """Gaps and controls under transparency, accountability and fairness, with each reason."""
    doc = new_document(
        ctx, "pillars", "Gaps and controls by pillar: transparency, accountability, fairness"
    )
    doc.summary.append(
        "Each ISO/IEC 42001 requirement is assigned to the pillar it mainly serves "
        "(aimstrace's own editorial assignment with a one-line reason, not part of the "
        "standard); an implemented control takes the pillar of the Annex A control it "
        "implements, a gap that of the requirement it enforces."
    )
    controls = ctx.entities("controls")
    records = with_titles(ctx, ctx.gaps().records)
    mapped = _iso_targets(ctx)
    for pillar, meaning in PILLARS.items():
        section = Section(pillar.capitalize(), paragraphs=[meaning], anchor=pillar)
        rows = []
        for control in controls:
            notation = control.get("annex_a_control")
            assigned = pillar_of(str(notation)) if notation else None
            if assigned and assigned.pillar == pillar:
                rows.append(
                    [
                        entity("controls", control["id"], control.get("label")),
                        requirement_cell("iso42001", notation, ctx.title("iso42001", notation)),
                        control.get("status") or "",
                        assigned.reason,
                    ]
                )
        section.sections.append(
            Section(
                f"Controls ({len(rows)})",
                tables=[
                    Table(
                        ["control", "implements", "status", "why this pillar"],
                        rows,
                        name=f"{pillar} controls",
                    )
                ],
            )
        )
        gap_rows = []
        for record in records:
            assigned, via = _gap_pillar(record, mapped)
            if assigned and assigned.pillar == pillar:
                gap_rows.append(
                    [
                        requirement_cell(
                            record.framework, record.requirement, record.requirement_title
                        ),
                        via,
                        *gap_row(record),
                    ]
                )
        section.sections.append(
            Section(
                f"Gaps ({len(gap_rows)})",
                tables=[
                    Table(
                        ["requirement", "pillar through", *GAP_COLUMNS],
                        gap_rows,
                        name=f"{pillar} gaps",
                    )
                ],
            )
        )
        doc.sections.append(section)
    unassigned = [r for r in records if _gap_pillar(r, mapped)[0] is None]
    doc.sections.append(
        Section(
            f"Gaps with no pillar ({len(unassigned)})",
            paragraphs=[
                "Gaps against a requirement that has no ISO/IEC 42001 counterpart with a pillar."
            ],
            tables=[
                Table(
                    ["requirement", *GAP_COLUMNS],
                    [
                        [
                            requirement_cell(r.framework, r.requirement, r.requirement_title),
                            *gap_row(r),
                        ]
                        for r in unassigned
                    ],
                    name="unassigned gaps",
                )
            ],
        )
    )
    doc.sections.append(
        Section(
            "Assignments",
            paragraphs=["The pillar of every ISO/IEC 42001 requirement that has one, and why."],
            tables=[
                Table(
                    ["requirement", "pillar", "reason"],
                    [
                        [
                            requirement_cell("iso42001", n, ctx.title("iso42001", n)),
                            a.pillar,
                            a.reason,
                        ]
                        for n, a in _all_assignments()
                    ],
                    name="assignments",
                )
            ],
        )
    )
    return doc


def _all_assignments() -> list[tuple[str, Any]]:

    return sorted(ASSIGNMENTS.items(), key=lambda i: natural_key(i[0]))


def _iso_targets(ctx: Context) -> dict[tuple[str, str], list[str]]:
    """For requirements of other frameworks, the ISO/IEC 42001 requirements mapped to them."""
    out: dict[tuple[str, str], list[str]] = {}
    for framework in FRAMEWORK_NAMES:
        if framework == "iso42001":
            continue
        for m in ctx.engine.mappings("iso42001", framework):
            if m.object is not None:
                out.setdefault((framework, m.object), []).append(m.subject)
    return out


def _gap_pillar(record: GapRecord, mapped: dict[tuple[str, str], list[str]]) -> tuple[Any, str]:
    if not record.requirement or not record.framework:
        return None, ""
    if record.framework == "iso42001":
        return pillar_of(record.requirement), "own requirement"
    for notation in sorted(mapped.get((record.framework, record.requirement), [])):
        found = pillar_of(notation)
        if found:
            return found, f"mapped to ISO/IEC 42001 {notation}"
    return None, ""
