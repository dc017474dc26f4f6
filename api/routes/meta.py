"""Health of the service."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter, Request

from aimstrace.api.deps import GateDep, LiveEngineDep
from aimstrace.api.models import Health

router = APIRouter(tags=["service"])


def _version() -> str:
    try:
        return version("aimstrace")
    except PackageNotFoundError:
        return "unknown"


@router.get("/health", response_model=Health, summary="Liveness and store size")
async def health(request: Request, engine: LiveEngineDep, gate: GateDep) -> Health:
    """Answer `ok` with the number of triples; needs no API key (for load balancers)."""
    # len() is counted inside Oxigraph, far cheaper than iterating quads in Python.
    triples = await gate.run(lambda _deadline: len(engine.store.oxigraph))
    auth = "local" if request.app.state.keyring.local_mode else "api-keys"
    return Health(
        status="ok",
        version=_version(),
        triples=triples,
        auth=auth,
        read_replica=engine.store.has_read_replica,
    )
