"""Health of the service."""

from __future__ import annotations

import asyncio
from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter, Request

from aimstrace.api.deps import LiveEngineDep
from aimstrace.api.models import Health

router = APIRouter(tags=["service"])


def _version() -> str:
    try:
        return version("aimstrace")
    except PackageNotFoundError:
        return "unknown"


@router.get("/health", response_model=Health, summary="Liveness and store size")
async def health(request: Request, engine: LiveEngineDep) -> Health:
    """Answer `ok` with the number of triples; needs no API key (for load balancers)."""
    state = request.app.state
    store = engine.store
    generation = store.generation
    cached: tuple[int, int] | None = state.health_count
    if cached is not None and cached[0] == generation:
        triples = cached[1]
    else:
        # Counted on its own thread (never the query pool) and given a short time: /health
        # must answer while queries run; past that it reports the last count it knew.
        future = asyncio.get_running_loop().run_in_executor(
            state.health_pool, lambda: len(store.oxigraph)
        )
        try:
            triples = await asyncio.wait_for(asyncio.shield(future), timeout=2.0)
            state.health_count = (generation, triples)
        except TimeoutError:
            triples = cached[1] if cached is not None else 0
    auth = "local" if request.app.state.keyring.local_mode else "api-keys"
    return Health(
        status="ok",
        version=_version(),
        triples=triples,
        auth=auth,
        read_replica=engine.store.has_read_replica,
    )
