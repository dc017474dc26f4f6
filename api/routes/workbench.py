"""What the workbench's pages need cheaply: the dashboard in one answer, and whether the gap
report on a date is ready, running or not yet run (started in the background on request).

A full validation of a large store takes minutes; pages ask here first and never wait for it.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from aimstrace.api.background import BackgroundJobs
from aimstrace.api.deps import EngineDep, GateDep, ReaderDep
from aimstrace.api.models import AsOfParam, as_of_date
from aimstrace.api.routes.crosswalks import COVERAGE_LEVELS
from aimstrace.graph.engine import Engine

router = APIRouter(tags=["workbench"])

# The systems register's columns the dashboard counts by (EU AI Act route x life-cycle stage).
ROUTE_COLUMNS = ["lifecycle_stage", "eu_ai_act_role", "annex_iii_point", "excluded_from_scope"]
StartParam = Annotated[
    bool, Query(description="start the computation in the background when it has not run")
]


class GapStatus(BaseModel):
    """Whether the gap report on a date is computed for the store as it is now."""

    as_of: str
    state: str = Field(description="`ready`, `running`, `not-run` or `failed`")
    seconds: float | None = Field(
        default=None, description="how long it took (ready) or has been running (running)"
    )
    last_seconds: float | None = Field(
        default=None, description="how long the last validation of this server took (a hint)"
    )
    error: str | None = None
    conforms: bool | None = None
    counts: dict[str, int] | None = Field(
        default=None, description="findings per severity, when ready"
    )


class CoverageSummary(BaseModel):
    """A framework's coverage counts, when computed for the store as it is now."""

    framework: str
    state: str = Field(description="`ready`, `running`, `not-run` or `failed`")
    total: int | None = None
    summary: dict[str, int] | None = None
    error: str | None = None


class RouteStageCount(BaseModel):
    """How many AI systems share a life-cycle stage, EU AI Act role, Annex III point, scope."""

    lifecycle_stage: str | None = None
    eu_ai_act_role: list[str] = Field(default=[], description="every role the system has")
    annex_iii_point: str | None = None
    excluded_from_scope: bool | None = None
    count: int


class Dashboard(BaseModel):
    """The dashboard: systems by route and stage, coverage per framework, the gaps' state."""

    systems: int
    by_route_stage: list[RouteStageCount]
    coverage: list[CoverageSummary]
    gaps: GapStatus


def jobs_of(request: Request) -> BackgroundJobs:
    """The app's background jobs."""
    jobs: BackgroundJobs = request.app.state.jobs
    return jobs


def gap_status(jobs: BackgroundJobs, engine: Engine, when: date, start: bool) -> GapStatus:
    """The state of the gap report on a date; starts its validation when asked and not run."""
    key = ("validation", engine.store.generation, engine.store.revision, when)
    report = engine.cached_gap_report(when)
    job = jobs.job(key)
    if report is None and start and (job is None or job.state == "failed"):
        # In a process of its own (on-disk stores): minutes of Python that would hold the lock
        # every request of the pages needs.
        job = jobs.start(key, "validation", lambda: engine.validate_in_child(when))
        report = engine.cached_gap_report(when)
    status = GapStatus(as_of=when.isoformat(), state="not-run")
    status.last_seconds = jobs.last_seconds("validation")
    if job is not None:
        status.state, status.seconds, status.error = job.state, job.elapsed(), job.error
    if report is not None:
        status.state, status.conforms, status.counts = "ready", report.conforms, report.counts()
    return status


def coverage_summary(
    jobs: BackgroundJobs, engine: Engine, framework: str, start: bool
) -> CoverageSummary:
    """A framework's coverage counts when computed; else its state (started when asked)."""
    key = ("coverage", engine.store.generation, engine.store.revision, framework)
    job = jobs.job(key)
    if job is None and start:
        job = jobs.start(key, "reads", lambda: engine.coverage(framework))
    if job is None or job.state != "ready":
        return CoverageSummary(
            framework=framework,
            state=job.state if job else "not-run",
            error=job.error if job else None,
        )
    entries = engine.coverage(framework)  # computed by the job: from the engine's cache
    counts = Counter(e.coverage for e in entries)
    return CoverageSummary(
        framework=framework,
        state="ready",
        total=len(entries),
        summary={name: counts.get(name, 0) for name in COVERAGE_LEVELS},
    )


@router.get("/gaps/status", response_model=GapStatus, summary="Is the gap report ready?")
async def gaps_status(
    request: Request,
    _: ReaderDep,
    engine: EngineDep,
    as_of: AsOfParam = None,
    start: StartParam = False,
) -> GapStatus:
    """`ready` (with the counts), `running`, `not-run` or `failed`; `start=true` starts it.

    The validation runs on its own thread, not in the query pool, and without the query time
    limit; `/gaps` on the same date then answers from it.
    """
    when = as_of_date(as_of) or date.today()
    return gap_status(jobs_of(request), engine, when, start)


@router.get("/dashboard", response_model=Dashboard, summary="The workbench's dashboard")
async def dashboard(
    request: Request,
    _: ReaderDep,
    engine: EngineDep,
    gate: GateDep,
    start: StartParam = True,
) -> Dashboard:
    """AI systems counted by EU AI Act route and life-cycle stage (one aggregate query),
    coverage per framework and the gap counts of today's report when they are computed.

    What is not computed yet is `running` (started in the background unless `start=false`);
    the answer never waits for a validation or a coverage computation.
    """
    jobs = jobs_of(request)
    rows: list[dict[str, Any]] = await gate.run(
        lambda _d: engine.register_counts("systems", ROUTE_COLUMNS)
    )
    return Dashboard(
        systems=sum(r["count"] for r in rows),
        by_route_stage=[RouteStageCount(**r) for r in rows],
        coverage=[coverage_summary(jobs, engine, f, start) for f in engine.framework_ids()],
        gaps=gap_status(jobs, engine, date.today(), start),
    )
