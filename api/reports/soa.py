"""The Statement of Applicability as a report section and a report."""

from __future__ import annotations

from aimstrace.api.reports.common import (
    Context,
    new_document,
    requirement_cell,
    short_id,
)
from aimstrace.api.reports.document import Document, Section, Table
from aimstrace.graph.soa import SoaEntry


def soa_rows(ctx: Context) -> list[SoaEntry]:
    """The Statement of Applicability, one entry per Annex A control (graph/soa.py: counts and
    the first ten implementing controls and evidence; at scale a control has hundreds)."""
    return ctx.engine.soa_summary()


def _listed(iris: list[str], total: int) -> str:
    shown = ", ".join(short_id(i) for i in iris)
    return f"{shown} and {total - len(iris)} more" if total > len(iris) else shown


def _status(entry: SoaEntry) -> str:
    counted = " · ".join(f"{status} {n}" for status, n in entry.statuses.items())
    if entry.status is None:
        return counted
    return f"{entry.status} (controls: {counted})" if len(entry.statuses) > 1 else entry.status


def soa_section(ctx: Context) -> Section:
    """The SoA table with a one-line summary."""
    rows = soa_rows(ctx)
    applicable = sum(1 for r in rows if r.applicable is True)
    table = Table(
        ["control", "applicable", "justification", "status", "implemented by", "evidence"],
        [
            [
                requirement_cell("iso42001", r.notation, r.title),
                r.applicable if r.applicable is not None else "not stated",
                r.justification or "",
                _status(r),
                _listed(r.implemented_by, r.implemented_total),
                _listed(r.evidence, r.evidence_total),
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
