"""The gap report (SHACL validation on an evaluation date) and the Statement of Applicability."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from aimstrace.api.deps import EngineDep, GateDep, ReaderDep, SettingsDep
from aimstrace.api.errors import ApiProblem
from aimstrace.api.models import (
    AsOfParam,
    FrameworkId,
    Gap,
    GapGroupCount,
    GapPage,
    QueryAnswer,
    as_of_date,
)
from aimstrace.api.paging import CursorParam, LimitParam, page_of
from aimstrace.api.reports.gapview import GapFilter, requirement_problem
from aimstrace.api.routes.queries import answer
from aimstrace.graph.validation.gaps import GapRecord, OpenSince

if TYPE_CHECKING:
    from aimstrace.api.limits import QueryGate
    from aimstrace.graph.engine import Engine

router = APIRouter(tags=["validation"])


async def check_gap_filter(engine: Engine, gate: QueryGate, gap_filter: GapFilter) -> None:
    """Answer 404 with a "did you mean" when the filter's requirement is no known notation."""
    problem = await gate.run(lambda _d: requirement_problem(engine.store, gap_filter))
    if problem is not None:
        raise ApiProblem(
            404, problem, kind="not-found", field="query.requirement", reason="unknown notation"
        )


@router.get("/gaps", response_model=GapPage, summary="Gap report")
async def gaps(
    _: ReaderDep,
    engine: EngineDep,
    gate: GateDep,
    settings: SettingsDep,
    as_of: AsOfParam = None,
    severity: Annotated[
        str | None, Query(pattern="^(Violation|Warning|Info)$", description="only this severity")
    ] = None,
    framework: Annotated[
        FrameworkId | None, Query(description="only gaps against this framework")
    ] = None,
    requirement: Annotated[
        str | None, Query(max_length=100, description="only gaps against this notation, e.g. 6.1.3")
    ] = None,
    system: Annotated[
        str | None,
        Query(max_length=200, description="only gaps of this AI system (id, e.g. SYS-001)"),
    ] = None,
    owner: Annotated[
        str | None, Query(max_length=200, description="only gaps whose owner is this person (id)")
    ] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="text in the entity, message or value")
    ] = None,
    facets: Annotated[
        bool, Query(description="also list each filter's values with their counts")
    ] = False,
    facet_limit: Annotated[
        int | None,
        Query(
            ge=1,
            le=100_000,
            description="list at most this many values per facet: those with most gaps (an AI "
            "system facet at scale has thousands)",
        ),
    ] = None,
    group_by: Annotated[
        Literal["requirement", "system", "owner"] | None,
        Query(description="also count the chosen gaps per requirement, system or owner"),
    ] = None,
    open_since: Annotated[
        bool,
        Query(
            description="give each gap the revision it was first seen in (computed from "
            "history: the first time on a date validates every revision that changed what the "
            "shapes read, later only the new ones)"
        ),
    ] = False,
    limit: LimitParam = 100,
    cursor: CursorParam = None,
) -> GapPage:
    """Every gap the completeness shapes find on the date: violations first, then warnings.

    The filters combine; `counts` and `conforms` are always for the whole report, `total` for
    the chosen gaps. Reports on one date are kept until the store changes, so paging is cheap.
    """
    from aimstrace.api.reports.gapview import (
        facets_of,
        groups,
        select,
        severity_counts,
        top_facets,
    )

    when = as_of_date(as_of)
    chosen_filter = GapFilter(
        severity, framework.value if framework else None, requirement, system, owner, q
    )
    await check_gap_filter(engine, gate, chosen_filter)
    report = await gate.run(lambda _d: engine.validate(when))
    chosen = select(report.records, chosen_filter)
    keyed = [(f"{i:09d}", r) for i, r in enumerate(chosen)]
    size = min(limit, settings.max_page_size)
    page, next_cursor = page_of(keyed, lambda pair: pair[0], size, cursor)
    # Validating the revisions is not one store query (like /history/gaps): outside the gate.
    since = await run_in_threadpool(engine.open_since, when) if open_since else None
    grouped = None
    if group_by is not None:
        grouped = [
            GapGroupCount(
                key=key.label,
                value=key.value,
                label=key.label,
                framework=key.framework,
                title=members[0].requirement_title if group_by == "requirement" else None,
                counts=severity_counts(members),
                total=len(members),
            )
            for key, members in groups(chosen, group_by)
        ]
    every_facet = facets_of(report.records) if facets else None
    return GapPage(
        as_of=report.as_of.isoformat(),
        conforms=report.conforms,
        counts=report.counts(),
        items=[_gap(record, since) for _key, record in page],
        limit=size,
        total=len(chosen),
        next_cursor=next_cursor,
        facets=top_facets(every_facet, facet_limit) if every_facet is not None else None,
        facet_totals={k: len(v) for k, v in every_facet.items()}
        if every_facet is not None
        else None,
        groups=grouped,
    )


def _gap(record: GapRecord, since: OpenSince | None) -> Gap:
    gap = Gap(**asdict(record))
    if since is not None:
        found = since.of(record)
        if found is not None:
            gap.open_since, gap.open_since_time = found.revision, found.time
    return gap


@router.get("/soa", response_model=QueryAnswer, summary="Statement of Applicability")
async def statement_of_applicability(_: ReaderDep, engine: EngineDep, gate: GateDep) -> QueryAnswer:
    """Every Annex A control: applicable or not, why, status, implementing controls, evidence."""
    result = await gate.run(lambda _d: engine.run_query("statement-of-applicability"))
    return answer(result, gate.max_rows)


class SoaControl(BaseModel):
    """One Annex A control of the Statement of Applicability, summarised."""

    requirement: str = Field(description="IRI of the Annex A control")
    notation: str
    title: str | None = None
    applicable: bool | None = Field(default=None, description="the decision; null: none")
    justification: str | None = None
    status: str | None = Field(
        default=None,
        description="the decision's status, else the one status all implementing controls have",
    )
    statuses: dict[str, int] = Field(description="implementing controls per status")
    implemented_total: int = Field(description="organisation controls implementing it")
    evidence_total: int = Field(description="evidence items of those controls")
    implemented_by: list[str] = Field(description="the first implementing controls (IRIs)")
    evidence: list[str] = Field(description="the first evidence items (IRIs)")


@router.get(
    "/soa/summary",
    response_model=list[SoaControl],
    summary="Statement of Applicability, one entry per control",
)
async def soa_summary(_: ReaderDep, engine: EngineDep, gate: GateDep) -> list[SoaControl]:
    """Every Annex A control once: the decision, how many controls implement it in which
    status, how much evidence, and the first ten of each (`/soa` lists every combination)."""
    entries = await gate.run(lambda _d: engine.soa_summary())
    return [SoaControl(**asdict(e)) for e in entries]
