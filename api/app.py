"""The FastAPI application factory: settings, store, keys and limits wired in one place."""

from __future__ import annotations

import gc
import importlib
import logging
import pkgutil
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from aimstrace.api import routes
from aimstrace.api.background import BackgroundJobs
from aimstrace.api.browser import BrowserGuardMiddleware
from aimstrace.api.errors import Problem, install_problem_handlers
from aimstrace.api.http_cache import GenerationETagMiddleware
from aimstrace.api.limits import (
    BodySizeLimitMiddleware,
    DaemonExecutor,
    QueryGate,
    RepeatedQueryParameterMiddleware,
    list_query_parameters,
)
from aimstrace.api.logging import RequestContextMiddleware
from aimstrace.api.security import KeyRing
from aimstrace.api.served import remove_server_file, write_server_file
from aimstrace.api.settings import Settings
from aimstrace.api.sparql_pool import PastStatePools, SparqlPool
from aimstrace.graph.engine import Engine
from aimstrace.graph.store import Store, resolve_store_dir
from aimstrace.graph.store.answer_cache import AnswerCache
from aimstrace.graph.store.sparql_guard import QueryLimits

log = logging.getLogger("aimstrace.api")

DESCRIPTION = """\
Traceability for an ISO/IEC 42001 AI management system: frameworks and crosswalks, the
organisation's AI inventory, traces, impact, coverage, gaps, named queries, SPARQL, imports
and exports. Errors are RFC 9457 `application/problem+json`.

**Authentication**: send an API key as `Authorization: Bearer <key>` or `X-API-Key: <key>`.
Roles: `reader` (every GET, SPARQL, named queries), `editor` (also imports), `admin`.
When the server has no keys configured it runs in *local mode*: it listens on loopback only
and serves loopback clients without a key.
"""


# Modules the routes and the engine import inside functions (to keep `import api.app` light).
LAZILY_IMPORTED = (
    "aimstrace.graph.rdf_backend",
    "aimstrace.graph.neo4j.backend",
    "aimstrace.graph.analytics.core",
    "aimstrace.graph.crosswalk.sets",
    "aimstrace.graph.crosswalk.coverage",
    "aimstrace.graph.crosswalk.derivation",
    "aimstrace.graph.validation.gaps",
    "aimstrace.graph.inventory",
    "aimstrace.graph.store.sparql",
    "aimstrace.graph.validation.runner",
    "aimstrace.loaders.load",
)


def _routers() -> list[APIRouter]:
    found: list[APIRouter] = []
    for info in sorted(pkgutil.iter_modules(routes.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{routes.__name__}.{info.name}")
        router = getattr(module, "router", None)
        if isinstance(router, APIRouter):
            found.append(router)
    return found


def _warm_impact_index(store: Store, after: threading.Thread | None) -> None:
    """Build the impact index in the background (from the replica once it is ready).

    At 1M triples it takes several seconds; the first dataset-impact would wait for it.
    """
    from aimstrace.graph.impact_index import impact_index_for

    index = impact_index_for(store)

    def build() -> None:
        if after is not None:
            after.join()
        try:
            index.warm()
        except Exception as exc:  # the first query builds it then, and reports what fails
            log.warning("impact index not built at start: %s", exc)

    threading.Thread(target=build, name="aimstrace-impact-index", daemon=True).start()


def create_app(
    settings: Settings | None = None, engine: Engine | None = None, freeze_heap: bool = False
) -> FastAPI:
    """Build the API; with no engine given, the store is opened once in the lifespan.

    freeze_heap (for `aimstrace serve`): once started, move every object alive into the garbage
    collector's permanent generation.
    """
    settings = settings or Settings.from_env()
    keyring = KeyRing.from_config(settings.api_keys, settings.api_keys_file)

    def new_gate() -> QueryGate:
        return QueryGate(
            settings.query_workers, settings.query_timeout_seconds, settings.max_result_rows
        )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.gate = new_gate()
        app.state.health_pool = DaemonExecutor(1, "aimstrace-health")
        app.state.jobs = BackgroundJobs()
        if engine is None:
            # Opened here, once per process, so importing the app never touches the disk.
            store = Store(resolve_store_dir(settings.store))
            copying = None
            if settings.read_replica:
                # Built in the background: the service answers from disk until it is ready.
                copying = store.enable_read_replica(background=True)
            _warm_impact_index(store, copying)
            app.state.engine = Engine(store, AnswerCache(max_rows=settings.answer_cache_rows))
            if store.path is not None and settings.port:
                # Tells the CLI where to send writes while this process holds the store.
                write_server_file(store.path, settings.host, settings.port)
        # A server is asked again and again about a past revision: keep it in memory then.
        app.state.engine.store.past_in_memory = settings.read_replica
        store_dir = app.state.engine.store.path
        if settings.query_processes and store_dir is not None:
            app.state.sparql_pool = SparqlPool(
                store_dir,
                settings.query_workers,
                settings.query_timeout_seconds,
                settings.query_worker_memory_mb * 1024 * 1024,
            )
            app.state.past_sparql_pools = PastStatePools(
                settings.query_timeout_seconds, settings.query_worker_memory_mb * 1024 * 1024
            )
        if freeze_heap:
            # A full collection scans every tracked object; after start that is mostly the
            # imported libraries (the routes import theirs on first use, so they are imported
            # here first), which never become garbage. Scanning them took 80-90 ms per full
            # collection under load, a pause every request waited out (the p99 of traces).
            # Frozen, they are skipped. Not for tests: objects alive now are never freed, and
            # test engines come and go in one process.
            for module in LAZILY_IMPORTED:
                importlib.import_module(module)
            from aimstrace.queries.registry import default_registry

            default_registry()
            # Built now, not by the first request with a query string (the repeated-parameter
            # check reads it), which held the event loop for 0.5-1.5 s on a cold server.
            app.openapi()
            gc.collect()
            gc.freeze()
        log.info(
            "api ready",
            extra={
                "store": str(app.state.engine.store.path or "memory"),
                "auth": "local (loopback only, no key needed)"
                if keyring.local_mode
                else f"{len(keyring)} API key(s)",
            },
        )
        try:
            yield
        finally:
            app.state.gate.close()
            app.state.jobs.close()
            app.state.health_pool.shutdown(wait=False, cancel_futures=True)
            if app.state.sparql_pool is not None:
                app.state.sparql_pool.close()
                app.state.sparql_pool = None
            if app.state.past_sparql_pools is not None:
                app.state.past_sparql_pools.close()
                app.state.past_sparql_pools = None
            if engine is None:
                app.state.engine.store.flush()
                if app.state.engine.store.path is not None:
                    remove_server_file(app.state.engine.store.path)
            log.info("api stopped")

    app = FastAPI(
        title="aimstrace",
        summary="ISO/IEC 42001 AIMS traceability API",
        description=DESCRIPTION,
        version="0.1.0",
        lifespan=lifespan,
        # /docs and /redoc are served by routes/web.py from bundled assets (no CDN, offline).
        docs_url=None,
        redoc_url=None,
        responses={
            "4XX": {"model": Problem, "content": {"application/problem+json": {}}},
            "5XX": {"model": Problem, "content": {"application/problem+json": {}}},
        },
    )
    app.state.settings = settings
    app.state.keyring = keyring
    # Also usable without a lifespan (e.g. under a bare ASGI transport); replaced at startup.
    app.state.gate = new_gate()
    # /health has its own thread: it never waits behind queries.
    app.state.health_pool = DaemonExecutor(1, "aimstrace-health")
    app.state.health_count = None
    app.state.jobs = BackgroundJobs()
    app.state.sparql_pool = None
    app.state.past_sparql_pools = None
    app.state.query_limits = QueryLimits(
        max_bytes=settings.max_query_bytes, service_allow=tuple(settings.sparql_service_allow)
    )
    if engine is not None:
        app.state.engine = engine
    install_problem_handlers(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type", "Accept"],
        )
    # Innermost: a 304 passes the browser guard, the body limit and the request log first.
    app.add_middleware(GenerationETagMiddleware)
    hosts = [*settings.allowed_hosts, settings.host]
    app.add_middleware(BrowserGuardMiddleware, hosts=hosts, origins=settings.cors_origins)
    app.add_middleware(
        RepeatedQueryParameterMiddleware, repeatable=lambda: list_query_parameters(app.openapi())
    )
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware)
    for router in _routers():
        app.include_router(router)
    return app
