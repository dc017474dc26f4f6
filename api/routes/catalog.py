"""Reference frameworks and their requirements."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path, Query

from aimstrace.api.deps import EngineDep, GateDep, ReaderDep, SettingsDep
from aimstrace.api.errors import not_found
from aimstrace.api.models import Framework, Page, Requirement
from aimstrace.api.paging import CursorParam, LimitParam, page_of
from aimstrace.graph.catalog import RequirementInfo, did_you_mean
from aimstrace.ontology import FRAMEWORK_IDS

router = APIRouter(tags=["frameworks"])

FrameworkId = Annotated[str, Path(description=f"one of {', '.join(FRAMEWORK_IDS)}")]


def _known(framework: str) -> str:
    if framework not in FRAMEWORK_IDS:
        problem = not_found("framework", framework, field="path.framework")
        problem.detail += did_you_mean(framework, FRAMEWORK_IDS)
        raise problem
    return framework


@router.get("/frameworks", response_model=list[Framework], summary="Reference frameworks")
async def frameworks(_: ReaderDep, engine: EngineDep, gate: GateDep) -> list[Framework]:
    """The frameworks in the store with their requirement counts."""
    found = await gate.run(lambda _deadline: engine.frameworks())
    return [Framework(**asdict(f)) for f in found]


@router.get(
    "/frameworks/{framework}/requirements",
    response_model=Page[Requirement],
    summary="Requirements of a framework",
)
async def requirements(
    _: ReaderDep,
    engine: EngineDep,
    gate: GateDep,
    settings: SettingsDep,
    framework: FrameworkId,
    limit: LimitParam = 100,
    cursor: CursorParam = None,
    kind: Annotated[str | None, Query(description="only this kind, e.g. `control`")] = None,
    parent: Annotated[str | None, Query(description="only children of this notation")] = None,
) -> Page[Requirement]:
    """One page of a framework's requirements in natural notation order, optionally filtered."""
    _known(framework)
    found: list[RequirementInfo] = await gate.run(lambda _d: engine.requirements(framework))
    chosen = [
        r
        for r in found
        if (kind is None or r.kind == kind) and (parent is None or r.parent == parent)
    ]
    size = min(limit, settings.max_page_size)
    items, next_cursor = page_of(chosen, lambda r: r.notation, size, cursor)
    return Page[Requirement](
        items=[Requirement(**asdict(r)) for r in items],
        limit=size,
        total=len(chosen),
        next_cursor=next_cursor,
    )
