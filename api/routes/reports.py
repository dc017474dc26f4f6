"""Auditor reports over HTTP: GET /reports/{kind} as HTML, Markdown, XLSX or PDF (gaps also CSV
and JSON), built by the same code as `aimstrace report`."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from aimstrace.api.deps import EngineDep, GateDep, ReaderDep
from aimstrace.api.errors import ApiProblem
from aimstrace.api.models import DATE_PATTERN, FrameworkId
from aimstrace.api.reports import KINDS, MEDIA_TYPES, build, render
from aimstrace.api.reports.gapview import GapFilter, select
from aimstrace.api.reports.render import RendererMissing

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
        503: {"description": "PDF asked for and no headless Chromium installed"},
    },
)
async def report(
    request: Request,
    _: ReaderDep,
    engine: EngineDep,
    gate: GateDep,
    kind: Annotated[
        ReportKind, Path(description="gaps, soa, stage1, management-review or pillars")
    ],
    as_of: Annotated[
        str | None,
        Query(
            pattern=DATE_PATTERN,
            description="evaluation date, YYYY-MM-DD (default: today)",
            json_schema_extra={"format": "date"},
        ),
    ] = None,
    format: Annotated[
        Literal["html", "md", "xlsx", "pdf", "csv", "json"],
        Query(description="html, md, xlsx, pdf, csv or json (for gaps: one row per finding)"),
    ] = "html",
    severity: Annotated[str | None, Query(pattern="^(Violation|Warning|Info)$")] = None,
    framework: FrameworkId | None = None,
    requirement: str | None = None,
    system: str | None = None,
    owner: str | None = None,
    q: str | None = None,
) -> Response:
    """The report, titled and dated, with requirement titles and the values at fault."""
    when = _date(as_of)
    gap_filter = GapFilter(
        severity, framework.value if framework else None, requirement, system, owner, q
    )
    if format in ("csv", "json") and kind == "gaps":
        report_ = await gate.run(lambda _d: engine.validate(when))
        records = select(report_.records, gap_filter)
        body = _gaps_csv(records) if format == "csv" else _gaps_json(report_, records)
        name = f"gaps-{report_.as_of.isoformat()}.{format}"
        return Response(body, media_type=MEDIA_TYPES[format], headers=_disposition(name))
    document = await gate.run(lambda _d: build(engine, kind, when, gap_filter))
    base = str(request.base_url).rstrip("/")
    try:
        # Rendering (Chromium for PDF) is not a store query: it runs outside the query gate.
        data = await run_in_threadpool(render, document, format, base)
    except RendererMissing as exc:
        raise ApiProblem(
            503, str(exc), kind="renderer-missing", field="query.format", reason="no renderer"
        ) from None
    name = f"{kind}-{document.as_of.isoformat()}.{format}"
    return Response(data, media_type=MEDIA_TYPES[format], headers=_disposition(name, format))


def _disposition(name: str, fmt: str = "csv") -> dict[str, str]:
    kind = "inline" if fmt in ("html", "pdf") else "attachment"
    return {"Content-Disposition": f'{kind}; filename="{name}"'}


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ApiProblem(
            422,
            f"as_of {text!r} is not a calendar date (YYYY-MM-DD)",
            kind="invalid-input",
            field="query.as_of",
            reason="not a date",
        ) from None


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


def _gaps_csv(records: list) -> bytes:  # type: ignore[type-arg]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    for r in records:
        writer.writerow([getattr(r, f) or "" for f in CSV_FIELDS])
    return out.getvalue().encode("utf-8")


def _gaps_json(report: object, records: list) -> bytes:  # type: ignore[type-arg]
    return json.dumps(
        {
            "as_of": report.as_of.isoformat(),  # type: ignore[attr-defined]
            "conforms": report.conforms,  # type: ignore[attr-defined]
            "total": len(records),
            "records": [asdict(r) for r in records],
        },
        indent=2,
        ensure_ascii=False,
    ).encode("utf-8")
