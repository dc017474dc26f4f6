"""Reference frameworks and their requirements."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.concurrency import run_in_threadpool

from aimstrace.api.deps import EditorDep, EngineDep, GateDep, LiveEngineDep, ReaderDep, SettingsDep
from aimstrace.api.errors import ApiProblem, InvalidParam, not_found
from aimstrace.api.models import Framework, FrameworkRemovalReport, Page, Requirement
from aimstrace.api.paging import CursorParam, LimitParam, page_of
from aimstrace.graph.catalog import RequirementInfo
from aimstrace.graph.engine import Engine
from aimstrace.graph.store.history import writing_as
from aimstrace.graph.suggest import did_you_mean
from aimstrace.loaders.errors import InventoryLoadError
from aimstrace.loaders.remove import remove_external_framework
from aimstrace.ontology import FRAMEWORK_IDS

router = APIRouter(tags=["frameworks"])

FrameworkId = Annotated[
    str, Path(description=f"one of {', '.join(FRAMEWORK_IDS)}, or an external framework's id")
]


def _known(engine: Engine, framework: str) -> str:
    if framework not in FRAMEWORK_IDS and framework not in engine.framework_ids():
        problem = not_found("framework", framework, field="path.framework")
        problem.detail += did_you_mean(framework, engine.framework_ids())
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
    _known(engine, framework)
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


@router.delete(
    "/frameworks/{framework}",
    response_model=FrameworkRemovalReport,
    summary="Remove an imported external framework (editor role)",
    responses={
        404: {"description": "no external framework with this id"},
        409: {"description": "mapping sets still use it; every reference listed, nothing removed"},
    },
)
async def remove_framework(
    editor: EditorDep,
    engine: LiveEngineDep,
    framework: FrameworkId,
    with_mapping_sets: Annotated[
        bool, Query(description="also remove the mapping sets that use it")
    ] = False,
    dry_run: Annotated[bool, Query(description="check and report, remove nothing")] = False,
) -> FrameworkRemovalReport:
    """Remove an external framework and, if asked, the mapping sets that use it; all or nothing."""

    def run() -> FrameworkRemovalReport:
        report = remove_external_framework(engine.store, framework, with_mapping_sets, dry_run)
        if not dry_run:
            engine.derive_mappings()
            engine.store.flush()
        return FrameworkRemovalReport(**asdict(report))

    command = f"DELETE /frameworks/{framework}" + (
        " with_mapping_sets" if with_mapping_sets else ""
    )
    try:
        with writing_as(command, actor=editor.name):
            return await run_in_threadpool(run)
    except InventoryLoadError as exc:
        first = exc.issues[0]
        unknown = first.column == "framework"
        problem = ApiProblem(
            404 if unknown else 409,
            f"{len(exc.issues)} problem(s), nothing was removed; first: {first}",
            kind="not-found" if unknown else "conflict",
            field="path.framework" if unknown else "query.with_mapping_sets",
            reason=first.message,
        )
        problem.invalid = [InvalidParam(field=i.file, reason=str(i)) for i in exc.issues]
        raise problem from None
