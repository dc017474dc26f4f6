"""Build each report's `Document` from the engine: gaps, soa, stage1, management-review, pillars."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from aimstrace.api.reports.audit import management_review_report, stage1_report
from aimstrace.api.reports.common import (
    Context,
    counts_text,
    gap_sections,
    new_document,
    with_titles,
)
from aimstrace.api.reports.document import Document
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


def gaps_report(ctx: Context, gap_filter: GapFilter | None = None) -> Document:
    """Every gap on the date, grouped by requirement, AI system and owner."""
    gap_filter = gap_filter or GapFilter()
    report = ctx.gaps()
    records = with_titles(ctx, select(report.records, gap_filter))
    doc = new_document(ctx, "gaps", "AIMS gap report")
    counts = severity_counts(records)
    doc.summary.append(
        f"Conforms: {'yes' if report.conforms else 'no'}. {len(records)} findings"
        + (f" matching {gap_filter.describe()}" if gap_filter.describe() else "")
        + f": {counts_text(counts)}."
    )
    doc.sections += gap_sections(ctx, records, GROUPINGS)
    return doc


BUILDERS: dict[str, Callable[[Context], Document]] = {
    "gaps": gaps_report,
    "soa": soa_report,
    "stage1": stage1_report,
    "management-review": management_review_report,
    "pillars": pillars_report,
}


def build(
    engine: Engine, kind: str, as_of: date | None = None, gap_filter: GapFilter | None = None
) -> Document:
    """The report of one kind on a date (default today); unknown kinds are a ValueError."""
    if kind not in BUILDERS:
        raise ValueError(f"unknown report {kind!r}; expected one of {', '.join(KINDS)}")
    ctx = Context(engine, as_of or date.today())
    if kind == "gaps":
        return gaps_report(ctx, gap_filter)
    return BUILDERS[kind](ctx)
