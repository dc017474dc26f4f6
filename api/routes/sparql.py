"""The SPARQL 1.1 Protocol, read-only: queries by GET or POST, updates refused with 403."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request, Response

from aimstrace.api.deps import EngineDep, GateDep, ReaderDep
from aimstrace.api.errors import ApiProblem
from aimstrace.api.limits import Deadline, bounded
from aimstrace.api.sparql_pool import SparqlPool
from aimstrace.api.sparql_results import (
    BOOLEAN_TYPES,
    GRAPH_TYPES,
    JSON_RESULTS,
    RESULT_TYPES,
    Solution,
    boolean_to_bytes,
    negotiate,
    solutions_to_bytes,
)
from aimstrace.graph.engine import Engine
from aimstrace.graph.store.sparql import looks_like_update
from aimstrace.graph.store.sparql_guard import QueryLimits, QueryRefused, check_query

router = APIRouter(tags=["sparql"])

_SPARQL_JSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["head"],
    "properties": {
        "head": {"type": "object"},
        "results": {"type": "object"},
        "boolean": {"type": "boolean"},
    },
}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "SELECT/ASK results (JSON, XML, CSV, TSV) or CONSTRUCT/DESCRIBE RDF",
        "content": {
            JSON_RESULTS: {"schema": _SPARQL_JSON_SCHEMA},
            "application/sparql-results+xml": {"schema": {"type": "string"}},
            "text/csv": {"schema": {"type": "string"}},
            "text/tab-separated-values": {"schema": {"type": "string"}},
            "text/turtle": {"schema": {"type": "string"}},
            "application/n-triples": {"schema": {"type": "string"}},
        },
    },
    403: {"description": "the request was a SPARQL update; this endpoint is read-only"},
    406: {"description": "no acceptable result format"},
    422: {"description": "bad input, or more result rows than the server's cap"},
    504: {"description": "the query ran past the time limit"},
}
_POST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["query"],
                    "properties": {
                        "query": {"type": "string", "minLength": 1, "description": "SPARQL query"}
                    },
                }
            },
            "application/sparql-query": {"schema": {"type": "string", "minLength": 1}},
        },
    }
}


def _refuse_update() -> ApiProblem:
    return ApiProblem(
        403,
        "SPARQL updates are refused: this endpoint is read-only",
        kind="update-refused",
        field="update",
        reason="SPARQL update",
    )


def _dataset(default_graphs: list[str], named_graphs: list[str]) -> tuple[list[str], list[str]]:
    """The protocol's dataset parameters, each checked to be an absolute IRI."""
    for field, values in (("default-graph-uri", default_graphs), ("named-graph-uri", named_graphs)):
        for value in values:
            try:
                ox.NamedNode(value)
                absolute = ":" in value
            except ValueError:
                absolute = False
            if not absolute:
                raise ApiProblem(
                    400,
                    f"{field} must be an absolute IRI, not {value!r}",
                    kind="invalid-input",
                    field=field,
                    reason="not an IRI",
                )
    return default_graphs, named_graphs


def _missing_query(field: str) -> ApiProblem:
    # SPARQL 1.1 Protocol 2.1.1: a request without a query string is a 400, not a 422.
    return ApiProblem(
        400, "the request has no `query`", kind="invalid-input", field=field, reason="missing"
    )


def _not_acceptable(accept: str | None, offered: list[str]) -> ApiProblem:
    return ApiProblem(
        406,
        f"cannot answer in any type of Accept: {accept}; offered: {', '.join(offered)}",
        kind="not-acceptable",
        field="header.accept",
        reason="no acceptable media type",
    )


def _evaluate(
    engine: Engine,
    text: str,
    accept: str | None,
    max_rows: int,
    deadline: Deadline,
    dataset: tuple[list[str], list[str]],
    limits: QueryLimits | None = None,
) -> tuple[bytes, str]:
    """Run the query and serialize its answer, honouring the deadline and row cap."""
    result = engine.sparql(text, *dataset, limits=limits)
    if isinstance(result, ox.QueryBoolean):
        media = negotiate(accept, list(BOOLEAN_TYPES))
        if media is None:
            raise _not_acceptable(accept, list(BOOLEAN_TYPES))
        return boolean_to_bytes(BOOLEAN_TYPES[media], bool(result)), BOOLEAN_TYPES[media]
    if isinstance(result, ox.QuerySolutions):
        media = negotiate(accept, list(RESULT_TYPES))
        if media is None:
            raise _not_acceptable(accept, list(RESULT_TYPES))
        variables = [v.value for v in result.variables]
        rows: list[Solution] = []
        for solution in bounded(result, deadline, max_rows, "query"):
            rows.append({name: solution[name] for name in variables if solution[name] is not None})
        return solutions_to_bytes(RESULT_TYPES[media], variables, rows), RESULT_TYPES[media]
    media = negotiate(accept, list(GRAPH_TYPES))
    if media is None:
        raise _not_acceptable(accept, list(GRAPH_TYPES))
    triples = bounded(result, deadline, max_rows, "query")
    fmt = GRAPH_TYPES[media]
    return ox.serialize(triples, format=fmt) or b"", fmt.media_type


async def _answer(
    request: Request,
    engine: Engine,
    gate: GateDep,
    text: str,
    accept: str | None,
    dataset: tuple[list[str], list[str]] = ([], []),
) -> Response:
    if not text.strip():
        raise ApiProblem(
            400, "the query is empty", kind="invalid-input", field="query", reason="empty"
        )
    state = request.app.state
    settings = state.settings
    try:
        # Checked here, before any worker or Oxigraph sees the text (graph/store/sparql_guard).
        check_query(text, state.query_limits)
    except QueryRefused as exc:
        raise ApiProblem(
            400, str(exc), kind="query-refused", field="query", reason=exc.reason
        ) from None
    # A past state (`at=`) built on disk has a worker of its own over its folder (this request
    # holds the state, so the folder stays); one built in memory lives only in this process.
    pool: SparqlPool | None = state.sparql_pool
    if engine.store.revision is not None:
        folder = engine.store.past_folder
        past_pools = state.past_sparql_pools
        has_folder = past_pools is not None and folder is not None
        pool = past_pools.for_folder(folder) if has_folder else None
    if pool is not None:
        answer = await pool.run(
            {
                "query": text,
                "accept": accept,
                "default_graphs": dataset[0],
                "named_graphs": dataset[1],
                "generation": engine.store.generation,
                "max_rows": gate.max_rows,
                "max_value_chars": settings.max_value_chars,
                "max_response_bytes": settings.max_response_bytes,
            }
        )
        if not answer["ok"]:
            if answer["kind"] == "invalid-query" and looks_like_update(text):
                raise _refuse_update()
            raise ApiProblem(
                answer["status"],
                answer["message"],
                kind=answer["kind"],
                field="query",
                reason=answer["reason"],
            )
        body, media = answer["body"], answer["media"]
    else:
        body, media = await gate.run(
            lambda deadline: _evaluate(
                engine, text, accept, gate.max_rows, deadline, dataset, state.query_limits
            )
        )
        if len(body) > settings.max_response_bytes:
            raise ApiProblem(
                422,
                f"the answer is larger than the server's cap of {settings.max_response_bytes} "
                "bytes (AIMSTRACE_MAX_RESPONSE_BYTES); add a LIMIT or select fewer values",
                kind="result-too-large",
                field="query",
                reason="response too large",
            )
    charset = "; charset=utf-8" if media.startswith(("text/", "application/sparql")) else ""
    return Response(body, media_type=media + charset, headers={"Vary": "Accept"})


# `query` is required, but a request without it is a 400 (Protocol 2.1.1), not FastAPI's 422:
# so it is read from the request and declared here.
_GET_QUERY: dict[str, Any] = {
    "parameters": [
        {
            "name": "query",
            "in": "query",
            "required": True,
            "description": "the SPARQL query",
            "schema": {"type": "string", "minLength": 1},
        }
    ]
}


@router.get("/sparql", responses=_RESPONSES, openapi_extra=_GET_QUERY, summary="SPARQL query (GET)")
async def sparql_get(
    request: Request,
    _: ReaderDep,
    engine: EngineDep,
    gate: GateDep,
    default_graph_uri: Annotated[list[str], Query(alias="default-graph-uri")] = [],  # noqa: B006
    named_graph_uri: Annotated[list[str], Query(alias="named-graph-uri")] = [],  # noqa: B006
) -> Response:
    """Run a read-only query given as the `query` parameter; the answer format follows Accept."""
    query = request.query_params.get("query")
    if query is None:
        raise _missing_query("query")
    dataset = _dataset(default_graph_uri, named_graph_uri)
    return await _answer(request, engine, gate, query, request.headers.get("accept"), dataset)


@router.post(
    "/sparql", responses=_RESPONSES, openapi_extra=_POST_BODY, summary="SPARQL query (POST)"
)
async def sparql_post(request: Request, _: ReaderDep, engine: EngineDep, gate: GateDep) -> Response:
    """Run a read-only query sent form-encoded or as application/sparql-query; updates get 403."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiProblem(
            400, "the body is not UTF-8", kind="invalid-input", field="body", reason="encoding"
        ) from None
    if content_type == "application/sparql-update":
        raise _refuse_update()
    if content_type == "application/x-www-form-urlencoded":
        form = parse_qs(text, keep_blank_values=True)
        if "update" in form:
            raise _refuse_update()
        dataset = _dataset(form.get("default-graph-uri", []), form.get("named-graph-uri", []))
        if "query" not in form:
            raise _missing_query("body.query")
        text = form["query"][0]
    elif content_type == "application/sparql-query":
        dataset = _dataset(
            request.query_params.getlist("default-graph-uri"),
            request.query_params.getlist("named-graph-uri"),
        )
    else:
        raise ApiProblem(
            415,
            f"send the query as application/x-www-form-urlencoded or application/sparql-query, "
            f"not {content_type or 'no content type'}",
            kind="unsupported-media-type",
            field="header.content-type",
            reason="unsupported media type",
        )
    return await _answer(request, engine, gate, text, request.headers.get("accept"), dataset)
