"""Auditor reports over HTTP: GET /reports/{kind} as HTML, Markdown, XLSX or PDF (gaps also CSV
and JSON), built by the same code as `aimstrace report`."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from aimstrace.api.deps import EngineDep, GateDep, ReaderDep, SettingsDep
from aimstrace.api.errors import ApiProblem
from aimstrace.api.models import DATE_PATTERN, AsOfParam, FrameworkId, as_of_date
from aimstrace.api.reports import KINDS, MEDIA_TYPES, build, render
from aimstrace.api.reports.gapview import GapFilter, select
from aimstrace.api.reports.render import RendererMissing
from aimstrace.api.routes.validation import check_gap_filter
from aimstrace.graph.history import GapLifecycle
from aimstrace.graph.validation.gaps import GapRecord, GapReport, OpenSince

router = APIRouter(tags=["reports"])
ReportKind = Literal["gaps", "soa", "stage1", "management-review", "pillars"]
assert set(KINDS) == set(ReportKind.__args__)  # type: ignore[attr-defined]


@router.get(
    "/reports/{kind}",
    summary="Auditor report",
    response_class=Response,
    responses={
        200: {"content": {MEDIA_TYPES[f].split(";")[0]: {} for f in MEDIA_TYPES}},
        422: {"description": "bad kind, date, format or filter"},
        503: {
            "description": "PDF asked for and no headless Chromium installed, or every PDF "
            "renderer busy past the query time limit"
        },
    },
)
async def report(
    request: Request,
    _: ReaderDep,
    engine: EngineDep,
    gate: GateDep,
    settings: SettingsDep,
    kind: Annotated[
        ReportKind, Path(description="gaps, soa, stage1, management-review or pillars")
    ],
    as_of: AsOfParam = None,
    format: Annotated[
        Literal["html", "md", "xlsx", "pdf", "csv", "json"],
        Query(description="html, md, xlsx, pdf, csv or json (for gaps: one row per finding)"),
    ] = "html",
    severity: Annotated[str | None, Query(pattern="^(Violation|Warning|Info)$")] = None,
    framework: FrameworkId | None = None,
    requirement: Annotated[str | None, Query(max_length=100)] = None,
    system: Annotated[str | None, Query(max_length=200)] = None,
    owner: Annotated[str | None, Query(max_length=200)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    closed_since: Annotated[
        str | None,
        Query(
            pattern=DATE_PATTERN,
            description="gaps: also list the gaps closed on or after this date (YYYY-MM-DD)",
            json_schema_extra={"format": "date"},
        ),
    ] = None,
) -> Response:
    """The report, titled and dated, with requirement titles and the values at fault; `at=`
    gives it as the store was after a revision (or at a time)."""
    when = as_of_date(as_of)
    since_day = as_of_date(closed_since, "closed_since")
    if since_day is not None and kind != "gaps":
        raise ApiProblem(
            422,
            "closed_since applies to the gaps report only",
            kind="invalid-input",
            field="query.closed_since",
            reason="not a gaps report",
        )
    gap_filter = GapFilter(
        severity, framework.value if framework else None, requirement, system, owner, q
    )
    await check_gap_filter(engine, gate, gap_filter)
    if format in ("csv", "json") and kind == "gaps":
        report_ = await gate.run(lambda _d: engine.validate(when))
        since = await run_in_threadpool(engine.open_since, when)
        records = select(report_.records, gap_filter)
        if format == "csv":
            body = _gaps_csv(records, since)
        else:
            closed = None
            if since_day is not None:
                day = since_day
                closed = await run_in_threadpool(engine.closed_since, day, when)
                closed = [g for g in closed if gap_filter.keeps(g.record)]
            body = _gaps_json(report_, records, since, closed)
        name = f"gaps-{report_.as_of.isoformat()}.{format}"
        return Response(body, media_type=MEDIA_TYPES[format], headers=_disposition(name))
    document = await gate.run(lambda _d: build(engine, kind, when, gap_filter, since_day))
    base = str(request.base_url).rstrip("/")
    try:
        # Rendering (Chromium for PDF) is not a store query: it runs outside the query gate,
        # but each PDF starts a browser, so only a few run at once (a client asking for forty
        # at a time would otherwise start forty Chromiums).
        if format == "pdf":
            async with _pdf_slot(request, settings.max_pdf_renders, settings.query_timeout_seconds):
                data = await run_in_threadpool(render, document, format, base)
        else:
            data = await run_in_threadpool(render, document, format, base)
    except RendererMissing as exc:
        raise ApiProblem(
            503, str(exc), kind="renderer-missing", field="query.format", reason="no renderer"
        ) from None
    name = f"{kind}-{document.as_of.isoformat()}.{format}"
    return Response(data, media_type=MEDIA_TYPES[format], headers=_disposition(name, format))


class _PdfSlot:
    """One of the app's PDF renderer slots, waited for up to a time limit (then 503)."""

    def __init__(self, slots: asyncio.Semaphore, wait_seconds: float) -> None:
        self.slots = slots
        self.wait_seconds = wait_seconds

    async def __aenter__(self) -> None:
        try:
            await asyncio.wait_for(self.slots.acquire(), self.wait_seconds)
        except TimeoutError:
            raise ApiProblem(
                503,
                f"every PDF renderer was busy for {self.wait_seconds:g} s; try again later or "
                "ask for html",
                kind="busy",
                field="query.format",
                reason="renderers busy",
                headers={"Retry-After": str(max(1, round(self.wait_seconds)))},
            ) from None

    async def __aexit__(self, *_: object) -> None:
        self.slots.release()


def _pdf_slot(request: Request, renders: int, wait_seconds: float) -> _PdfSlot:
    state = request.app.state
    slots = getattr(state, "pdf_slots", None)
    if slots is None:
        slots = state.pdf_slots = asyncio.Semaphore(renders)
    return _PdfSlot(slots, wait_seconds)


def _disposition(name: str, fmt: str = "csv") -> dict[str, str]:
    kind = "inline" if fmt in ("html", "pdf") else "attachment"
    return {"Content-Disposition": f'{kind}; filename="{name}"'}


CSV_FIELDS = (
    "severity",
    "framework",
    "requirement",
    "requirement_title",
    "focus",
    "focus_label",
    "system",
    "owner",
    "path",
    "value",
    "message",
)


def _gaps_csv(records: list[GapRecord], since: OpenSince) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*CSV_FIELDS, "open_since", "open_since_time"])
    for r in records:
        dated = since.fields(r)
        writer.writerow(
            [
                *(getattr(r, f) or "" for f in CSV_FIELDS),
                dated["open_since"] or "",
                dated["open_since_time"] or "",
            ]
        )
    return out.getvalue().encode("utf-8")


def _gaps_json(
    report: GapReport,
    records: list[GapRecord],
    since: OpenSince,
    closed: list[GapLifecycle] | None,
) -> bytes:
    document: dict[str, object] = {
        "as_of": report.as_of.isoformat(),
        "conforms": report.conforms,
        "total": len(records),
        "records": [{**asdict(r), **since.fields(r)} for r in records],
    }
    if closed is not None:
        document["closed"] = [g.as_dict() for g in closed]
    return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")
