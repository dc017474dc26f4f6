"""Dependencies shared by the routes, as Annotated aliases (EngineDep, GateDep, ReaderDep...).

They are coroutines although none of them waits on anything: FastAPI runs a plain `def`
dependency in its thread pool, a thread hop per dependency per request (six on every read),
which cost more than the work itself.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from aimstrace.api.errors import ApiProblem
from aimstrace.api.limits import QueryGate
from aimstrace.api.security import LOCAL_PRINCIPAL_NAME, LOOPBACK_CLIENTS, KeyRing, Principal, Role
from aimstrace.api.settings import Settings
from aimstrace.graph.engine import Engine
from aimstrace.graph.store.history import HistoryError

_bearer = HTTPBearer(auto_error=False, description="API key as a bearer token")
_api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="API key (alternative to the bearer token)"
)


async def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_live_engine(request: Request) -> Engine:
    """The engine opened once per process in the app's lifespan (the store as it is now)."""
    engine: Engine = request.app.state.engine
    return engine


async def get_engine(
    request: Request,
    at: Annotated[
        str | None,
        Query(
            description="Answer from the store as it was after a revision (`r12`) or at a "
            "time (ISO 8601, e.g. `2026-11-30T12:00:00Z`); see `GET /history`",
            max_length=64,
            pattern=r"^[0-9A-Za-z:.+\-]+$",
        ),
    ] = None,
) -> Engine:
    """The engine over the store now, or over its past state when `at` is given (read-only)."""
    engine: Engine = request.app.state.engine
    if at is None:
        return engine
    try:
        # Building a past state copies the store in memory: off the event loop.
        return await run_in_threadpool(engine.at, at)
    except HistoryError as exc:
        raise ApiProblem(
            404, str(exc), kind="unknown-revision", field="query.at", reason=str(exc)
        ) from None


async def get_gate(request: Request) -> QueryGate:
    """The query worker pool with its time and row limits."""
    gate: QueryGate = request.app.state.gate
    return gate


async def get_keyring(request: Request) -> KeyRing:
    """The configured API keys."""
    keys: KeyRing = request.app.state.keyring
    return keys


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
LiveEngineDep = Annotated[Engine, Depends(get_live_engine)]
GateDep = Annotated[QueryGate, Depends(get_gate)]


async def get_principal(
    request: Request,
    keys: Annotated[KeyRing, Depends(get_keyring)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    header_key: Annotated[str | None, Security(_api_key_header)],
) -> Principal:
    """Who is calling: the owner of a valid key, or the local user in local mode."""
    presented = bearer.credentials if bearer is not None else header_key
    if keys.local_mode:
        client = request.client.host if request.client else None
        if client not in LOOPBACK_CLIENTS:
            raise ApiProblem(
                403,
                "no API keys are configured, so only loopback clients are served",
                kind="forbidden",
                reason="local mode",
            )
        principal = Principal(LOCAL_PRINCIPAL_NAME, Role.admin)
    else:
        found = keys.identify(presented) if presented else None
        if found is None:
            raise ApiProblem(
                401,
                "a valid API key is required (Authorization: Bearer <key> or X-API-Key)",
                kind="unauthorized",
                field="header.authorization",
                reason="missing API key" if not presented else "unknown API key",
                headers={"WWW-Authenticate": "Bearer"},
            )
        principal = found
    request.state.principal = principal.name
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def _requires(role: Role) -> object:
    async def check(principal: PrincipalDep) -> Principal:
        if principal.role < role:
            raise ApiProblem(
                403,
                f"this needs the {role.name} role; "
                f"key {principal.name!r} has {principal.role.name}",
                kind="forbidden",
                reason="insufficient role",
            )
        return principal

    check.__name__ = f"require_{role.name}"
    return Depends(check)


ReaderDep = Annotated[Principal, _requires(Role.reader)]
EditorDep = Annotated[Principal, _requires(Role.editor)]
AdminDep = Annotated[Principal, _requires(Role.admin)]
