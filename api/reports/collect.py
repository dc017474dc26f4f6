"""Build each report's `Document` from the engine: gaps, soa, stage1, management-review, pillars."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from aimstrace.api.reports.audit import management_review_report, stage1_report
from aimstrace.api.reports.common import (
    Context,
    counts_text,
    focus_cell,
    gap_sections,
    new_document,
    requirement_cell,
    with_titles,
)
from aimstrace.api.reports.document import CellValue, Document, Section, Table
from aimstrace.api.reports.gapview import (
    GROUPINGS,
    GapFilter,
    select,
    severity_counts,
)
from aimstrace.api.reports.pillar_report import pillars_report
from aimstrace.api.reports.soa import soa_report
from aimstrace.graph.engine import Engine

KINDS = ("gaps", "soa", "stage1", "management-review", "pillars")

# ----- the reports -------------------------------------------------------------------------------


def gaps_report(
    ctx: Context, gap_filter: GapFilter | None = None, closed_since: date | None = None
) -> Document:
    """Every gap on the date with the revision it was first seen in, grouped by requirement,
    AI system and owner; with `closed_since`, also the gaps closed since that date."""
    gap_filter = gap_filter or GapFilter()
    report = ctx.gaps()
    ctx.since = ctx.engine.open_since(ctx.as_of)
    records = with_titles(ctx, select(report.records, gap_filter))
    doc = new_document(ctx, "gaps", "AIMS gap report")
    counts = severity_counts(records)
    doc.summary.append(
        f"Conforms: {'yes' if report.conforms else 'no'}. {len(records)} findings"
        + (f" matching {gap_filter.describe()}" if gap_filter.describe() else "")
        + f": {counts_text(counts)}."
    )
    doc.sections += gap_sections(ctx, records, GROUPINGS)
    if closed_since is not None:
        doc.sections.append(closed_section(ctx, closed_since, gap_filter))
    return doc


CLOSED_COLUMNS = ["severity", "requirement", "entity", "finding", "first seen", "closed"]


def closed_section(ctx: Context, since: date, gap_filter: GapFilter) -> Section:
    """The gaps that revisions made on or after a date closed, with when each was first seen."""
    closed = [g for g in ctx.engine.closed_since(since, ctx.as_of) if gap_filter.keeps(g.record)]
    section = Section(f"Closed since {since.isoformat()}", anchor="closed-since")
    if not closed:
        section.paragraphs.append(f"No gap was closed on or after {since.isoformat()}.")
        return section
    section.paragraphs.append(
        f"{len(closed)} gaps closed on or after {since.isoformat()}, computed from the store's "
        "revisions (the revision that first showed each gap, and the one after which the "
        "shapes no longer found it)."
    )
    records = with_titles(ctx, [g.record for g in closed])
    rows: list[list[CellValue]] = [
        [
            record.severity,
            requirement_cell(record.framework, record.requirement, record.requirement_title)
            if record.requirement
            else "",
            focus_cell(record),
            record.message,
            f"{g.first_seen} ({g.first_seen_time[:10]})",
            f"{g.closed} ({(g.closed_time or '')[:10]})",
        ]
        for g, record in zip(closed, records, strict=True)
    ]
    section.tables.append(Table(CLOSED_COLUMNS, rows, name="Closed gaps"))
    return section


BUILDERS: dict[str, Callable[[Context], Document]] = {
    "gaps": gaps_report,
    "soa": soa_report,
    "stage1": stage1_report,
    "management-review": management_review_report,
    "pillars": pillars_report,
}


def build(
    engine: Engine,
    kind: str,
    as_of: date | None = None,
    gap_filter: GapFilter | None = None,
    closed_since: date | None = None,
) -> Document:
    """The report of one kind on a date (default today); unknown kinds are a ValueError.

    `closed_since` (gaps only) adds the gaps closed on or after that date.
    """
    if kind not in BUILDERS:
        raise ValueError(f"unknown report {kind!r}; expected one of {', '.join(KINDS)}")
    if closed_since is not None and kind != "gaps":
        raise ValueError("closed_since applies to the gaps report only")
    ctx = Context(engine, as_of or date.today())
    if kind == "gaps":
        return gaps_report(ctx, gap_filter, closed_since)
    return BUILDERS[kind](ctx)
