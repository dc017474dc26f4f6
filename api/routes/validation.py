"""The gap report (SHACL validation on an evaluation date) and the Statement of Applicability."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from aimstrace.api.deps import EngineDep, GateDep, ReaderDep, SettingsDep
from aimstrace.api.errors import ApiProblem
from aimstrace.api.models import AsOfParam, FrameworkId, Gap, GapPage, QueryAnswer
from aimstrace.api.paging import CursorParam, LimitParam, page_of
from aimstrace.api.routes.queries import answer

router = APIRouter(tags=["validation"])


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ApiProblem(
            422,
            f"as_of {text!r} is not a calendar date (YYYY-MM-DD)",
            kind="invalid-input",
            field="query.as_of",
            reason="not a date",
        ) from None


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
    limit: LimitParam = 100,
    cursor: CursorParam = None,
) -> GapPage:
    """Every gap the completeness shapes find on the date: violations first, then warnings."""
    when = _date(as_of)
    report = await gate.run(lambda _d: engine.validate(when))
    ordered = sorted(report.records, key=lambda r: r.sort_key())
    chosen = [
        r
        for r in ordered
        if (severity is None or r.severity == severity)
        and (framework is None or r.framework == framework)
    ]
    keyed = [(f"{i:09d}", r) for i, r in enumerate(chosen)]
    size = min(limit, settings.max_page_size)
    page, next_cursor = page_of(keyed, lambda pair: pair[0], size, cursor)
    return GapPage(
        as_of=report.as_of.isoformat(),
        conforms=report.conforms,
        counts=report.counts(),
        items=[Gap(**asdict(record)) for _key, record in page],
        limit=size,
        total=len(chosen),
        next_cursor=next_cursor,
    )


@router.get("/soa", response_model=QueryAnswer, summary="Statement of Applicability")
async def statement_of_applicability(_: ReaderDep, engine: EngineDep, gate: GateDep) -> QueryAnswer:
    """Every Annex A control: applicable or not, why, status, implementing controls, evidence."""
    result = await gate.run(lambda _d: engine.run_query("statement-of-applicability"))
    return answer(result, gate.max_rows)
