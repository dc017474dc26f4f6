"""Traceability: system trace, dataset and vendor impact, accountability, explanation paths."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from aimstrace.api.deps import EngineDep, GateDep, ReaderDep, SettingsDep
from aimstrace.api.errors import ApiProblem, not_found
from aimstrace.api.models import ENTITY_ID_PATTERN, Impact, ImpactSummary, PathLink, QueryAnswer
from aimstrace.api.paging import CursorParam, LimitParam, page_of
from aimstrace.api.routes.queries import answer
from aimstrace.graph.engine import Engine
from aimstrace.ontology import FRAMEWORK_IDS
from aimstrace.queries.registry import ENTITY_KINDS

router = APIRouter(tags=["traceability"])
# The forms registry.resolve_node accepts, so a value the schema admits is not refused as a
# reference (an unknown prefix such as `A:0` used to pass the schema and get 422).
NODE_PATTERN = (
    r"^(?:(?:https?://|urn:)[^\s<>\"{}|\\^`]+"
    rf"|(?:{'|'.join(sorted(ENTITY_KINDS))}):[A-Za-z0-9][A-Za-z0-9._~-]*"
    rf"|(?:{'|'.join(FRAMEWORK_IDS)}):[A-Za-z0-9][^\x00-\x1f\x7f-\x9f]*)$"
)

EntityId = Annotated[
    str, Path(alias="id", pattern=ENTITY_ID_PATTERN, description="register id, e.g. SYS-001")
]


@router.get(
    "/systems/{id}/trace",
    response_model=QueryAnswer,
    summary="Everything behind an AI system",
    responses={404: {"description": "no such system"}},
)
async def system_trace(
    _: ReaderDep, engine: EngineDep, gate: GateDep, system_id: EntityId
) -> QueryAnswer:
    """Owner, datasets, models, vendors, risks, treatments, controls, evidence, obligations."""
    from aimstrace.graph.analytics.core import UnknownEntity

    try:
        result = await gate.run(lambda _d: engine.trace(system_id))
    except UnknownEntity:
        raise not_found("system", system_id) from None
    return answer(result, gate.max_rows)


def _row_key(row: Sequence[object]) -> str:
    """A row's paging key: its values in order (rows of an impact answer are distinct)."""
    return json.dumps(list(row), separators=(",", ":"))


def _impact(engine: Engine, kind: str, entity_id: str, limit: int, cursor: str | None) -> Impact:
    from aimstrace.graph.analytics.core import UnknownEntity

    try:
        radius = engine.impact(kind, entity_id)
    except UnknownEntity:
        raise not_found(kind, entity_id) from None
    columns = list(radius.columns())
    page, next_cursor = page_of(radius.rows, _row_key, limit, cursor)
    rows: list[dict[str, Any]] = [dict(zip(columns, row, strict=True)) for row in page]
    reached: dict[str, set[str]] = {}
    for row in page:
        reached.setdefault(row[0], set()).add(row[1])
    summary = radius.summary
    assert summary is not None
    return Impact(
        kind=radius.kind,
        entity=radius.entity,
        summary=ImpactSummary(**asdict(summary)),
        reached={category: sorted(found) for category, found in reached.items()},
        columns=columns,
        rows=rows,
        row_count=len(rows),
        limit=limit,
        next_cursor=next_cursor,
    )


@router.get(
    "/datasets/{id}/impact",
    response_model=Impact,
    summary="What a dataset problem reaches",
    responses={404: {"description": "no such dataset"}},
)
async def dataset_impact(
    _: ReaderDep,
    engine: EngineDep,
    gate: GateDep,
    settings: SettingsDep,
    dataset_id: EntityId,
    limit: LimitParam = 500,
    cursor: CursorParam = None,
) -> Impact:
    """Systems, owners, risks and obligations hit if this dataset turns out bad, paged.

    The summary (counts by category, framework and owner) covers the whole answer; the rows
    come a page at a time in the named query's order.
    """
    size = min(limit, settings.max_page_size, gate.max_rows)
    return await gate.run(lambda _d: _impact(engine, "dataset", dataset_id, size, cursor))


@router.get(
    "/vendors/{id}/impact",
    response_model=Impact,
    summary="What a vendor failure reaches",
    responses={404: {"description": "no such vendor"}},
)
async def vendor_impact(
    _: ReaderDep,
    engine: EngineDep,
    gate: GateDep,
    settings: SettingsDep,
    vendor_id: EntityId,
    limit: LimitParam = 500,
    cursor: CursorParam = None,
) -> Impact:
    """Datasets, models, systems, owners, risks and obligations hit if this vendor fails, paged.

    The summary covers the whole answer; the rows come a page at a time.
    """
    size = min(limit, settings.max_page_size, gate.max_rows)
    return await gate.run(lambda _d: _impact(engine, "vendor", vendor_id, size, cursor))


@router.get(
    "/people/{id}/accountability",
    response_model=QueryAnswer,
    summary="What a person answers for",
    responses={404: {"description": "no such person"}},
)
async def accountability(
    _: ReaderDep, engine: EngineDep, gate: GateDep, person_id: EntityId
) -> QueryAnswer:
    """Systems, risks, controls, actions and policies the person owns, approved or reviewed."""

    def run(_deadline: object) -> Any:
        from aimstrace.graph.analytics.core import UnknownEntity

        try:
            result = engine.run_query("owner-accountability", {"person": person_id})
        except UnknownEntity:
            raise not_found("person", person_id) from None
        if not result.rows and not any(
            p["id"] == person_id for p in engine.list_entities("people")
        ):
            raise not_found("person", person_id)
        return result

    return answer(await gate.run(run), gate.max_rows)


@router.get(
    "/paths",
    response_model=list[PathLink],
    summary="Why two things are related",
    responses={404: {"description": "an end is not in the graph"}},
)
async def paths(
    _: ReaderDep,
    engine: EngineDep,
    gate: GateDep,
    from_: Annotated[
        str,
        Query(
            alias="from",
            pattern=NODE_PATTERN,
            description="IRI, KIND:ID (system:SYS-001) or FRAMEWORK:NOTATION (iso42001:A.7.5)",
        ),
    ],
    to: Annotated[str, Query(pattern=NODE_PATTERN, description="the other end, in the same forms")],
) -> list[PathLink]:
    """The shortest chain of links between two nodes (empty when they are not connected)."""
    from aimstrace.graph.analytics.core import UnknownEntity

    def run(_deadline: object) -> list[PathLink]:
        try:
            steps = engine.explain_path(from_, to)
        except UnknownEntity as exc:
            raise ApiProblem(
                404, str(exc), kind="not-found", field="query", reason="not in the graph"
            ) from None
        except ValueError as exc:
            field = "query.from" if repr(from_) in str(exc) else "query.to"
            raise ApiProblem(
                422, str(exc), kind="invalid-input", field=field, reason="not a node reference"
            ) from None
        return [PathLink(**asdict(step)) for step in steps]

    return await gate.run(run)
