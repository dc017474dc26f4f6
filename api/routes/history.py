"""History: the store's revisions, their hash chain, and what changed between two of them.

Read-only by design: no route edits or removes a revision. Every read route also takes
`at=REV|TIMESTAMP` (``aimstrace.api.deps.get_engine``) to answer from the store as it was.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from aimstrace.api.deps import LiveEngineDep, ReaderDep
from aimstrace.api.errors import ApiProblem
from aimstrace.api.models import AsOfParam, as_of_date
from aimstrace.api.routes.workbench import StartParam, jobs_of
from aimstrace.graph.audit_history import SinceAudit
from aimstrace.graph.engine import Engine
from aimstrace.graph.store.history import HistoryError

router = APIRouter(tags=["history"])


class SourceOut(BaseModel):
    """A file a revision read."""

    path: str
    sha256: str


class RevisionOut(BaseModel):
    """One write to the store."""

    revision: str = Field(description="r1, r2, ...")
    id: int
    time: str = Field(description="UTC, ISO 8601")
    actor: str = Field(description="the OS user (CLI) or the API key's name (API)")
    command: str
    message: str | None
    sources: list[SourceOut]
    graphs: list[str]
    added: int
    removed: int
    changes_sha256: str
    previous_hash: str
    hash: str = Field(description="SHA-256 over the content and the previous revision's hash")


class HistoryPage(BaseModel):
    """Revisions, newest first."""

    revisions: list[RevisionOut]
    total: int
    next_before: str | None = Field(description="pass as `before` for the next page")


class VerificationOut(BaseModel):
    """The hash chain recomputed."""

    ok: bool
    revisions: int
    first_bad: str | None
    reason: str | None


def _bad_date(exc: ValueError) -> ApiProblem:
    return ApiProblem(422, str(exc), kind="invalid-input", field="query.as_of", reason=str(exc))


def _not_found(exc: HistoryError, field: str) -> ApiProblem:
    return ApiProblem(404, str(exc), kind="unknown-revision", field=field, reason=str(exc))


@router.get("/history", response_model=HistoryPage, summary="The store's revisions, newest first")
async def history(
    _: ReaderDep,
    engine: LiveEngineDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    before: Annotated[str | None, Query(max_length=16, pattern=r"^r?[0-9]+$")] = None,
) -> HistoryPage:
    """Who wrote what and when; page with `before=` the `next_before` of the last page."""
    revisions = engine.history()
    if before is not None:
        cutoff = int(before.removeprefix("r"))
        revisions = [r for r in revisions if r.id < cutoff]
    page = revisions[:limit]
    more = len(revisions) > limit
    return HistoryPage(
        revisions=[RevisionOut.model_validate(r.as_dict()) for r in page],
        total=len(engine.store.history),
        next_before=page[-1].name if more and page else None,
    )


@router.get("/history/verify", response_model=VerificationOut, summary="Recompute the hash chain")
async def verify(_: ReaderDep, engine: LiveEngineDep) -> VerificationOut:
    """`ok` is false when any revision's content or chain hash does not match; names the first."""
    result = await run_in_threadpool(engine.verify_history)
    return VerificationOut(
        ok=result.ok,
        revisions=result.revisions,
        first_bad=f"r{result.first_bad}" if result.first_bad else None,
        reason=result.reason,
    )


@router.get(
    "/history/gaps",
    summary="When each gap was first seen and closed",
    response_model=list[dict[str, Any]],
)
async def gap_history(
    _: ReaderDep,
    engine: LiveEngineDep,
    as_of: AsOfParam = None,
) -> list[dict[str, Any]]:
    """Every gap of the history on one evaluation date, with `first_seen` and `closed`."""
    try:
        lifecycles = await run_in_threadpool(engine.gap_lifecycles, as_of)
    except ValueError as exc:
        raise _bad_date(exc) from None
    return [g.as_dict() for g in lifecycles]


@router.get(
    "/since-last-audit",
    summary="What changed since the last internal audit",
    response_model=dict[str, Any],
)
async def since_last_audit(
    request: Request,
    _: ReaderDep,
    engine: LiveEngineDep,
    as_of: AsOfParam = None,
) -> dict[str, Any]:
    """The newest internal audit on or before `as_of` (default today), and the diff from the
    store at the end of its day to now: entities per register, mappings, gaps opened and closed
    (both states validated on `as_of`). `audit` is null when no audit is recorded.

    Answered at once when `/since-last-audit/status` has computed it for the store as it is
    now; otherwise computed here (two full validations: minutes at a million triples)."""
    when = _as_of(as_of)
    job = jobs_of(request).job(_since_audit_key(engine, when))
    if job is not None and job.state == "ready" and job.result is not None:
        done: SinceAudit = job.result
        return done.as_dict()
    try:
        # Two validations, like /diff: not a store query, so outside the query gate's limit.
        found = await run_in_threadpool(engine.since_last_audit, when)
    except ValueError as exc:
        raise _bad_date(exc) from None
    return found.as_dict()


class SinceAuditStatus(BaseModel):
    """Whether "since the last audit" is computed for the store as it is now."""

    as_of: str
    state: str = Field(description="`ready`, `running`, `not-run` or `failed`")
    seconds: float | None = Field(
        default=None, description="how long it took (ready) or has been running (running)"
    )
    last_seconds: float | None = Field(
        default=None, description="how long the last such computation of this server took"
    )
    error: str | None = None


@router.get(
    "/since-last-audit/status",
    response_model=SinceAuditStatus,
    summary='Is "since the last audit" computed?',
)
async def since_last_audit_status(
    request: Request,
    _: ReaderDep,
    engine: LiveEngineDep,
    as_of: AsOfParam = None,
    start: StartParam = False,
) -> SinceAuditStatus:
    """`ready`, `running`, `not-run` or `failed`; `start=true` starts it in the background.

    It runs on the validation lane's thread (two full validations), never in the query pool,
    so neither the API nor the page waits for it; `/since-last-audit` then answers from it.
    """
    when = _as_of(as_of)
    jobs = jobs_of(request)
    key = _since_audit_key(engine, when)
    job = jobs.job(key)
    if start and (job is None or job.state == "failed"):
        job = jobs.start(key, "validation", lambda: engine.since_last_audit(when))
    status = SinceAuditStatus(as_of=when.isoformat(), state="not-run")
    status.last_seconds = jobs.last_seconds("since-audit")
    if job is not None:
        status.state, status.seconds, status.error = job.state, job.elapsed(), job.error
    return status


def _as_of(as_of: str | None) -> date:
    return as_of_date(as_of) or date.today()  # not a date: 422 on query.as_of


def _since_audit_key(engine: Engine, when: date) -> tuple[Any, ...]:
    # The store's generation: a write makes the answer stale (and the job is replaced).
    return ("since-audit", engine.store.generation, engine.store.revision, when)


@router.get("/history/{rev}", response_model=RevisionOut, summary="One revision")
async def revision(
    _: ReaderDep,
    engine: LiveEngineDep,
    rev: Annotated[str, Path(max_length=64, pattern=r"^[0-9A-Za-z:.+\-]+$")],
) -> RevisionOut:
    """One revision by id (`r12`) or by time (the last revision at or before it)."""
    try:
        found = engine.revision(rev)
    except HistoryError as exc:
        raise _not_found(exc, "path.rev") from None
    return RevisionOut.model_validate(found.as_dict())


@router.get("/diff", summary="What changed between two revisions", response_model=dict[str, Any])
async def diff(
    _: ReaderDep,
    engine: LiveEngineDep,
    base: Annotated[str, Query(alias="from", max_length=64, pattern=r"^[0-9A-Za-z:.+\-]+$")],
    to: Annotated[str | None, Query(max_length=64, pattern=r"^[0-9A-Za-z:.+\-]+$")] = None,
    as_of: AsOfParam = None,
) -> dict[str, Any]:
    """Entities added, changed and removed per register, mappings per set, gaps opened/closed."""
    try:
        result = await run_in_threadpool(_diff, engine, base, to, as_of)
    except HistoryError as exc:
        raise _not_found(exc, "query.from" if base in str(exc) else "query.to") from None
    except ValueError as exc:
        raise _bad_date(exc) from None
    return result


def _diff(engine: Engine, base: str, to: str | None, as_of: str | None) -> dict[str, Any]:
    return engine.diff(base, to, as_of).as_dict()
