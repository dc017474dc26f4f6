"""EU AI Act in time: a system's obligations on a date, and the organisation's timeline."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from aimstrace.api.deps import EngineDep, GateDep, ReaderDep
from aimstrace.api.errors import not_found
from aimstrace.api.models import DATE_PATTERN, ENTITY_ID_PATTERN, as_of_date
from aimstrace.graph.analytics.core import UnknownEntity

router = APIRouter(tags=["eu-ai-act"])


@router.get(
    "/systems/{id}/obligations",
    summary="EU AI Act obligations of an AI system on a date",
    responses={404: {"description": "no such system"}, 422: {"description": "bad as_of"}},
)
async def system_obligations(
    _: ReaderDep,
    engine: EngineDep,
    gate: GateDep,
    system_id: Annotated[
        str, Path(alias="id", pattern=ENTITY_ID_PATTERN, description="register id, e.g. SYS-001")
    ],
    as_of: Annotated[
        str | None,
        Query(
            pattern=DATE_PATTERN,
            description="date to read the obligations on, YYYY-MM-DD (default: today)",
            json_schema_extra={"format": "date"},
        ),
    ] = None,
) -> dict[str, Any]:
    """Each obligation: provision, title, role, route, applies_from, status, controls, evidence."""
    when = as_of_date(as_of)
    try:
        answer: dict[str, Any] = await gate.run(lambda _d: engine.eu_obligations(system_id, when))
    except UnknownEntity:
        raise not_found("system", system_id) from None
    return answer


@router.get("/timeline", summary="Every dated EU AI Act obligation change, by system")
async def eu_timeline(_: ReaderDep, engine: EngineDep, gate: GateDep) -> list[dict[str, Any]]:
    """Each system's obligations as amended, with the date the 2024 text gave and the change."""
    rows: list[dict[str, Any]] = await gate.run(lambda _d: engine.eu_timeline())
    return rows
