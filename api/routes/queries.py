"""Named queries: the catalogue, and running one with typed parameters on a chosen backend."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Path

from aimstrace.api.deps import EngineDep, GateDep, ReaderDep
from aimstrace.api.errors import ApiProblem
from aimstrace.api.models import QueryAnswer, QueryColumn, QueryInfo, QueryParameter, QueryRequest
from aimstrace.api.paging import page_of
from aimstrace.graph.analytics.core import UnknownEntity
from aimstrace.graph.backend import BackendError, BackendUnavailable, QueryResult, ResultRow
from aimstrace.queries.registry import NamedQuery, ParameterError, default_registry

router = APIRouter(tags=["queries"])

QueryName = Annotated[str, Path(description="a name from GET /queries, e.g. `system-trace`")]


def _info(query: NamedQuery) -> QueryInfo:
    return QueryInfo(
        name=query.name,
        title=query.title,
        description=query.description,
        audience=list(query.audience),
        iso_clauses=list(query.iso_clauses),
        parameters=[
            QueryParameter(
                name=p.name,
                type=p.type,
                description=p.description,
                example=p.example,
                required=p.required,
                kind=p.kind,
            )
            for p in query.parameters
        ],
        columns=[QueryColumn(name=c.name, description=c.description) for c in query.columns],
    )


def _named(name: str) -> NamedQuery:
    registry = default_registry()
    if name not in registry:
        raise ApiProblem(
            404,
            f"no named query {name!r}; GET /queries lists them",
            kind="not-found",
            field="path.name",
            reason="unknown query",
        )
    return registry[name]


def answer(
    result: QueryResult, max_rows: int, limit: int | None = None, cursor: str | None = None
) -> QueryAnswer:
    """A named query's result as the API returns it: whole (refused over the row cap) or a page.

    With a limit, one page of at most min(limit, max_rows) rows and the cursor of the next.
    """
    total: int | None = None
    next_cursor: str | None = None
    chosen: Sequence[ResultRow] = result.rows
    if limit is not None:
        total = len(result.rows)
        chosen, next_cursor = page_of(result.rows, _row_key, min(limit, max_rows), cursor)
    elif len(result.rows) > max_rows:
        from aimstrace.api.limits import too_many_rows

        raise too_many_rows(max_rows, "body.parameters")
    rows: list[dict[str, Any]] = [dict(zip(result.columns, r, strict=True)) for r in chosen]
    return QueryAnswer(
        query=result.query,
        backend=result.backend,
        columns=list(result.columns),
        rows=rows,
        row_count=len(rows),
        elapsed_ms=round(result.elapsed_ms, 3),
        cached=result.cached,
        total_rows=total,
        next_cursor=next_cursor,
    )


def _row_key(row: Sequence[object]) -> str:
    """A row's paging key: its values in order."""
    return json.dumps(list(row), separators=(",", ":"))


def parameter_problem(exc: ParameterError, prefix: str = "body.parameters") -> ApiProblem:
    """The 422 for a parameter that is unknown, missing or of the wrong type."""
    return ApiProblem(
        422,
        str(exc),
        kind="invalid-input",
        field=f"{prefix}.{exc.parameter}",
        reason=str(exc).split(": ", 2)[-1],
    )


@router.get("/queries", response_model=list[QueryInfo], summary="The named queries")
def list_queries(_: ReaderDep) -> list[QueryInfo]:
    """Every named query with its parameters (name, type, example) and result columns."""
    return [_info(query) for query in default_registry().values()]


@router.get("/queries/{name}", response_model=QueryInfo, summary="One named query")
def get_query(_: ReaderDep, name: QueryName) -> QueryInfo:
    """A named query's description, parameters and columns."""
    return _info(_named(name))


@router.post(
    "/queries/{name}",
    response_model=QueryAnswer,
    summary="Run a named query",
    responses={
        404: {"description": "no such query, or an id parameter names nothing"},
        422: {"description": "a parameter is unknown, missing or ill-typed; or too many rows"},
        503: {"description": "the chosen backend is not available"},
        504: {"description": "the query ran past the time limit"},
    },
)
async def run_query(
    _: ReaderDep,
    engine: EngineDep,
    gate: GateDep,
    name: QueryName,
    request: QueryRequest | None = None,
) -> QueryAnswer:
    """Run a named query; parameters are checked against the declared types before it runs."""
    query = _named(name)
    request = request or QueryRequest()
    try:
        query.bind(request.parameters)
    except ParameterError as exc:
        raise parameter_problem(exc) from None
    try:
        result = await gate.run(
            lambda _d: engine.run_query(query.name, request.parameters, request.backend)
        )
    except ParameterError as exc:
        raise parameter_problem(exc) from None
    except UnknownEntity as exc:
        raise ApiProblem(
            404,
            str(exc),
            kind="not-found",
            field=f"body.parameters.{exc.parameter}" if exc.parameter else "body.parameters",
            reason="unknown id",
        ) from None
    except BackendUnavailable as exc:
        unknown = "unknown backend" in str(exc)
        raise ApiProblem(
            422 if unknown else 503,
            str(exc),
            kind="invalid-input" if unknown else "backend-unavailable",
            field="body.backend",
            reason="unknown backend" if unknown else "backend not available",
        ) from None
    except BackendError as exc:
        raise ApiProblem(
            503, str(exc), kind="backend-error", field="body.backend", reason="backend failed"
        ) from None
    return answer(result, gate.max_rows, request.limit, request.cursor)
