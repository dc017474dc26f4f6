"""Crosswalks: mappings between frameworks, coverage, and one requirement with its mappings."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from aimstrace.api.deps import EngineDep, GateDep, ReaderDep, SettingsDep
from aimstrace.api.errors import ApiProblem, not_found
from aimstrace.api.models import (
    CoverageItem,
    CoveragePage,
    Mapping,
    Page,
    Requirement,
    RequirementDetail,
)
from aimstrace.api.paging import CursorParam, LimitParam, page_of
from aimstrace.graph.engine import Engine
from aimstrace.graph.suggest import did_you_mean, unknown_framework
from aimstrace.ontology import FRAMEWORK_IDS

router = APIRouter(tags=["crosswalks"])

_IDS = ", ".join(FRAMEWORK_IDS)
COVERAGE_LEVELS = ("full", "partial", "none")


#: Ours (ontology.FRAMEWORK_IDS) or an external framework's id (graph.crosswalk.external).
FrameworkParam = Annotated[
    str,
    Query(
        pattern=r"^[a-z][a-z0-9._-]*$",
        description=f"one of {_IDS}, or the id of an imported external framework",
    ),
]


def _framework(engine: Engine, value: str, field: str) -> str:
    known = engine.framework_ids()
    if value not in known:
        raise ApiProblem(
            404,
            unknown_framework(value, known),
            kind="not-found",
            field=field,
            reason="unknown framework",
        )
    return value


def _positional(items: list[Any]) -> list[tuple[str, Any]]:
    """Pair items with a stable position key, for lists that have no natural id."""
    return [(f"{index:09d}", item) for index, item in enumerate(items)]


@router.get("/mappings", response_model=Page[Mapping], summary="Mappings between two frameworks")
async def mappings(
    _: ReaderDep,
    engine: EngineDep,
    gate: GateDep,
    settings: SettingsDep,
    from_: Annotated[
        str,
        Query(
            alias="from",
            pattern=r"^[a-z][a-z0-9._-]*$",
            description=f"framework read from: one of {_IDS}, or an external framework's id",
        ),
    ],
    to: Annotated[
        str,
        Query(
            pattern=r"^[a-z][a-z0-9._-]*$",
            description=f"framework read to: one of {_IDS}, or an external framework's id",
        ),
    ],
    derived: Annotated[bool, Query(description="include derived mappings")] = False,
    requirement: Annotated[
        str | None, Query(min_length=1, description="only mappings touching this notation")
    ] = None,
    limit: LimitParam = 100,
    cursor: CursorParam = None,
) -> Page[Mapping]:
    """Every mapping between the two frameworks, read from `from` to `to`."""
    _framework(engine, from_, "query.from")
    _framework(engine, to, "query.to")
    try:
        found = await gate.run(lambda _d: engine.mappings(from_, to, derived, requirement))
    except ValueError as exc:
        # The only value left unchecked by the schema is the requirement's notation.
        raise ApiProblem(
            404, str(exc), kind="not-found", field="query.requirement", reason="unknown notation"
        ) from None
    size = min(limit, settings.max_page_size)
    page, next_cursor = page_of(_positional(found), lambda pair: pair[0], size, cursor)
    return Page[Mapping](
        items=[Mapping(**asdict(view)) for _key, view in page],
        limit=size,
        total=len(found),
        next_cursor=next_cursor,
    )


@router.get("/coverage", response_model=CoveragePage, summary="Coverage of a framework")
async def coverage(
    _: ReaderDep,
    engine: EngineDep,
    gate: GateDep,
    settings: SettingsDep,
    framework: FrameworkParam,
    level: Annotated[
        str | None,
        Query(description="only `full`, `partial` or `none`", pattern="^(full|partial|none)$"),
    ] = None,
    limit: LimitParam = 100,
    cursor: CursorParam = None,
) -> CoveragePage:
    """How far the implemented controls cover each requirement of the framework."""
    _framework(engine, framework, "query.framework")
    entries = await gate.run(lambda _d: engine.coverage(framework))
    summary = Counter(e.coverage for e in entries)
    chosen = [e for e in entries if level is None or e.coverage == level]
    size = min(limit, settings.max_page_size)
    page, next_cursor = page_of(chosen, lambda e: e.notation, size, cursor)
    return CoveragePage(
        framework=framework,
        summary={name: summary.get(name, 0) for name in COVERAGE_LEVELS},
        items=[CoverageItem(**e.as_dict()) for e in page],
        limit=size,
        total=len(chosen),
        next_cursor=next_cursor,
    )


@router.get(
    "/frameworks/{framework}/requirements/{notation}",
    response_model=RequirementDetail,
    summary="One requirement with its mappings both ways",
    tags=["frameworks"],
)
async def requirement_detail(
    _: ReaderDep,
    engine: EngineDep,
    gate: GateDep,
    framework: Annotated[str, Path(description=f"one of {_IDS}")],
    notation: Annotated[str, Path(description="as in the catalog, e.g. `A.7.5` or `Art. 9`")],
) -> RequirementDetail:
    """The requirement and every mapping that touches it, asserted or derived."""
    _framework(engine, framework, "path.framework")

    def read(_deadline: object) -> tuple[Any, list[Any], str]:
        requirements = engine.requirements(framework)
        found = next((r for r in requirements if r.notation == notation), None)
        if found is None:
            return None, [], did_you_mean(notation, [r.notation for r in requirements])
        views = []
        for other in engine.framework_ids():
            if other != framework:
                views.extend(engine.mappings(framework, other, True, notation))
        return found, views, ""

    found, views, hint = await gate.run(read)
    if found is None:
        problem = not_found(f"{framework} requirement", notation, field="path.notation")
        problem.detail = f"{problem.detail}{hint}"
        raise problem
    return RequirementDetail(
        **Requirement(**asdict(found)).model_dump(),
        framework=framework,
        mappings_out=[Mapping(**asdict(v)) for v in views if not v.inverted],
        mappings_in=[Mapping(**asdict(v)) for v in views if v.inverted],
    )
