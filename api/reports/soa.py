"""The Statement of Applicability as a report section and a report."""

from __future__ import annotations

from typing import Any

from aimstrace.api.reports.common import (
    Context,
    new_document,
    requirement_cell,
    short_id,
)
from aimstrace.api.reports.document import Document, Section, Table
from aimstrace.api.reports.gapview import (
    natural_key,
)


def soa_rows(ctx: Context) -> list[dict[str, Any]]:
    """The Statement of Applicability, one entry per Annex A control (controls, evidence joined)."""
    result = ctx.engine.run_query("statement-of-applicability")
    merged: dict[str, dict[str, Any]] = {}
    for row in result.as_dicts():
        notation = str(row["notation"])
        entry = merged.setdefault(notation, {**row, "implemented_by": [], "evidence": []})
        for name in ("implemented_by", "evidence"):
            value = row.get(name)
            if value and value not in entry[name]:
                entry[name].append(value)

    return [merged[k] for k in sorted(merged, key=natural_key)]


def soa_section(ctx: Context) -> Section:
    """The SoA table with a one-line summary."""
    rows = soa_rows(ctx)
    applicable = sum(1 for r in rows if r.get("applicable") is True)
    table = Table(
        ["control", "applicable", "justification", "status", "implemented by", "evidence"],
        [
            [
                requirement_cell("iso42001", r["notation"], r.get("title")),
                r.get("applicable") if r.get("applicable") is not None else "not stated",
                r.get("justification") or "",
                r.get("status") or "",
                ", ".join(short_id(i) for i in r["implemented_by"]),
                ", ".join(short_id(i) for i in r["evidence"]),
            ]
            for r in rows
        ],
        name="Statement of Applicability",
    )
    return Section(
        "Statement of Applicability",
        paragraphs=[
            f"{len(rows)} Annex A controls: {applicable} applicable, "
            f"{len(rows) - applicable} not applicable or not stated (ISO/IEC 42001 6.1.3)."
        ],
        tables=[table],
    )


def soa_report(ctx: Context) -> Document:
    """The Statement of Applicability with justifications, statuses and evidence."""
    doc = new_document(ctx, "soa", "Statement of Applicability")
    section = soa_section(ctx)
    doc.summary += section.paragraphs
    section.paragraphs = []
    doc.sections.append(section)
    return doc
