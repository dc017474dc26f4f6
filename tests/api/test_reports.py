"""Auditor reports on the example organisation: each kind has its sections, the requirement titles
and the offending values, in every format (PDF printed by Debian's headless Chromium)."""

from __future__ import annotations

import gc
import io
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from aimstrace.api.cli import main
from aimstrace.api.reports import build, render
from aimstrace.api.reports.pillars import ASSIGNMENTS, PILLARS, pillar_of
from aimstrace.api.reports.render import to_markdown
from aimstrace.graph.engine import Engine
from aimstrace.loaders.pipeline import demo

AS_OF = date(2026, 11, 1)


@pytest.fixture(scope="module")
def engine() -> Engine:
    engine = Engine.open(None)
    demo(engine)
    return engine


def titles(document: object) -> list[str]:
    return [s.title for _d, s in document.walk()]  # type: ignore[attr-defined]


def test_gap_report_headings_carry_requirement_titles_and_values(engine: Engine) -> None:
    doc = build(engine, "gaps", AS_OF)
    assert doc.title == "AIMS gap report" and doc.as_of == AS_OF
    heads = titles(doc)
    assert {"By requirement", "By AI system", "By owner"} <= set(heads)
    assert any(
        h.startswith("ISO/IEC 42001 10.2 Nonconformity and corrective action (") for h in heads
    )
    assert any(
        h.startswith("EU AI Act Art. 27 Fundamental rights impact assessment") for h in heads
    )
    # Gaps about a vendor or a control say what they are about instead of one catch-all group.
    assert any("not tied to one AI system: vendor" in h for h in heads)
    text = to_markdown(doc)
    # CA-003 is overdue in the example data: its due date is the offending value.
    overdue = next(
        line for line in text.splitlines() if "CA-003" in line and "aims:dueDate" in line
    )
    assert "| 2026-09-30 |" in overdue
    assert "aims:lastAssessmentDate | 2025-06-15" in text


def test_soa_report_lists_every_annex_a_control(engine: Engine) -> None:
    doc = build(engine, "soa", AS_OF)
    table = doc.sections[0].tables[0]
    assert table.columns == [
        "control",
        "applicable",
        "justification",
        "status",
        "implemented by",
        "evidence",
    ]
    controls = [str(row[0]) for row in table.rows]
    assert len(controls) == 38 and controls[0].startswith("ISO/IEC 42001 A.2.2 AI policy")
    a104 = next(row for row in table.rows if str(row[0]).startswith("ISO/IEC 42001 A.10.4"))
    assert a104[1] is False and "not applicable" in str(a104[2])


def test_stage1_pack_has_every_section(engine: Engine) -> None:
    doc = build(engine, "stage1", AS_OF)
    top = [s.title for s in doc.sections]
    assert top == [
        "Scope of the AI management system",
        "AI policy",
        "Roles, responsibilities and authorities",
        "Risk and impact assessment method",
        "Statement of Applicability",
        "Internal audit",
        "Management review",
        "Open gaps by clause",
    ]
    facts = {k: str(v) for s in doc.sections for k, v in s.facts}
    assert facts["risk appetite"] == "medium"
    assert facts["last internal audit"].startswith("2026-05-12 (173 days before 2026-11-01)")
    assert facts["AI systems in scope"] == "12 of 13 registered"
    clauses = [s.title for s in doc.sections[-1].sections]
    assert any(c.startswith("Clause 10 Improvement (") for c in clauses)
    assert any(c.startswith("Annex A (") for c in clauses)


def test_management_review_follows_the_9_3_2_inputs(engine: Engine) -> None:
    doc = build(engine, "management-review", AS_OF)
    assert [s.title[:3] for s in doc.sections] == ["a) ", "b) ", "c) ", "d) ", "e) "]
    assert "MR-2025-02" not in doc.summary[0] or "2025-12-10" in doc.summary[0]
    performance = doc.sections[3]
    assert {s.title for s in performance.sections} == {
        "Nonconformities and corrective actions",
        "Monitoring and measurement results",
        "Audit results",
    }


def test_pillars_assign_every_control_with_a_reason(engine: Engine) -> None:
    assert set(PILLARS) == {"transparency", "accountability", "fairness"}
    assert all(a.reason and a.pillar in PILLARS for a in ASSIGNMENTS.values())
    # every Annex A control and clause 4-10 requirement with a coverage entry has a pillar
    for entry in engine.coverage("iso42001"):
        assert pillar_of(entry.notation) is not None, entry.notation
    doc = build(engine, "pillars", AS_OF)
    assert [s.title for s in doc.sections][:3] == ["Transparency", "Accountability", "Fairness"]
    placed = sum(len(s.sections[0].tables[0].rows) for s in doc.sections[:3])
    assigned = [c for c in engine.list_entities("controls") if c.get("annex_a_control")]
    assert placed == len(assigned)
    gaps = sum(len(s.sections[1].tables[0].rows) for s in doc.sections[:3])
    unassigned = len(doc.sections[3].tables[0].rows)
    assert gaps + unassigned == len(engine.validate(AS_OF).records)


@pytest.mark.parametrize("kind", ["gaps", "soa", "stage1", "management-review", "pillars"])
def test_every_format_renders(engine: Engine, kind: str) -> None:
    doc = build(engine, kind, AS_OF)
    page = render(doc, "html").decode()
    assert page.startswith("<!DOCTYPE html>") and f"<h1>{doc.title}</h1>" in page
    assert "<script" not in page and "http" not in page.split("<body>")[0].replace("w3.org", "")
    assert render(doc, "md").decode().startswith(f"# {doc.title}\n")
    book = load_workbook(io.BytesIO(render(doc, "xlsx")))
    assert book.worksheets[0]["A1"].value == doc.title
    tables = [t for _d, s in doc.walk() for t in s.tables]
    assert len(book.worksheets) == 1 + len(tables)


def test_pdf_is_printed_by_chromium(engine: Engine) -> None:
    from pypdf import PdfReader

    doc = build(engine, "stage1", AS_OF)
    pdf = render(doc, "pdf")
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 3
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "Stage 1 readiness review pack" in text and "Open gaps by clause" in text
    assert "page 1 of" in text


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    outcome = result.exit_code, result.stderr
    del result  # a finished command's traceback would keep its store open
    gc.collect()
    return outcome


def test_report_command_writes_each_format(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    assert cli("--store", store, "demo")[0] == 0
    for suffix in ("html", "md", "xlsx"):
        out = tmp_path / f"soa.{suffix}"
        code, err = cli("--store", store, "report", "soa", "--as-of", "2026-11-01", "-o", str(out))
        assert code == 0, err
        assert out.stat().st_size > 1000
    code, err = cli("--store", store, "report", "soa", "--format", "pdf")
    assert code == 2 and "give -o FILE" in err
    code, err = cli("--store", store, "report", "gaps", "--as-of", "someday")
    assert code == 2 and "--as-of" in err
    # A mistyped notation is an error with a suggestion, never an empty report.
    code, err = cli("--store", store, "report", "gaps", "--requirement", "6.1.33")
    assert code == 2 and "no requirement of any framework with notation '6.1.33'" in err
    assert "did you mean '6.1.3'" in err
    code, err = cli("--store", store, "report", "soa", "--requirement", "6.1.3")
    assert code == 2 and "--requirement applies to the gaps report only" in err
    out = tmp_path / "gaps-613.md"
    args = ("report", "gaps", "--framework", "iso42001", "--requirement", "6.1.3", "-o", str(out))
    code, err = cli("--store", store, *args)
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    assert "matching framework iso42001, requirement 6.1.3" in text


def test_report_route_serves_each_format(client: object) -> None:
    from fastapi.testclient import TestClient

    assert isinstance(client, TestClient)
    for fmt, kind in (
        ("html", "text/html"),
        ("md", "text/markdown"),
        ("csv", "text/csv"),
        ("json", "application/json"),
    ):
        answer = client.get(
            "/reports/gaps", params={"as_of": "2026-11-01", "format": fmt, "severity": "Violation"}
        )
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(kind)
    assert "Violation" in answer.text and "Warning" not in answer.text
    soa_csv = client.get("/reports/soa", params={"format": "csv"})
    assert soa_csv.status_code == 200 and soa_csv.text.startswith("section,table,control,")
    soa_json = client.get("/reports/soa", params={"format": "json"}).json()
    assert soa_json["title"] == "Statement of Applicability" and soa_json["sections"]
    assert client.get("/reports/nope").status_code == 422
    xlsx = client.get("/reports/stage1", params={"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_pdf_renders_are_bounded_and_the_rest_get_503(engine: Engine) -> None:
    # A hostile client asking for many PDFs at once must not start a Chromium per request:
    # one renderer slot and a short wait, three at once -> one PDF, the others 503 "busy".
    import asyncio

    import httpx

    from aimstrace.api.app import create_app
    from aimstrace.api.settings import Settings

    app = create_app(Settings(max_pdf_renders=1, query_timeout_seconds=0.2), engine)

    async def three_at_once() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            asks = [
                http.get("/reports/soa", params={"format": "pdf"}, timeout=120) for _ in range(3)
            ]
            return list(await asyncio.gather(*asks))

    answers = asyncio.run(three_at_once())
    statuses = sorted(a.status_code for a in answers)
    assert statuses[0] == 200 and 503 in statuses, statuses
    for answer in answers:
        if answer.status_code == 200:
            assert answer.content.startswith(b"%PDF-")
        else:
            problem = answer.json()
            assert problem["type"].endswith("busy") and problem["field"] == "query.format"
            assert answer.headers["retry-after"] == "1"


def test_report_filters_have_size_bounds(client: object) -> None:
    from fastapi.testclient import TestClient

    assert isinstance(client, TestClient)
    answer = client.get("/reports/gaps", params={"format": "json", "q": "x" * 5000})
    assert answer.status_code == 422 and answer.json()["field"] == "query.q", answer.text
