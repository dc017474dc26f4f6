"""Gap records: grouping with severity counts, the JSON contract, Markdown and HTML renderings."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from aimstrace.graph.validation.gaps import (
    GapRecord,
    GapReport,
    group_by,
    to_html,
    to_json,
    to_markdown,
)

ISO = "https://w3id.org/aimstrace/catalog/iso42001/"


def _record(severity: str, focus: str, requirement: str, **extra: str) -> GapRecord:
    return GapRecord(
        severity=severity,
        focus=f"https://w3id.org/aimstrace/data/{focus}",
        focus_label=extra.pop("label", focus),
        path="aims:provenance",
        message=f"[ISO/IEC 42001 {requirement}] something is missing",
        requirement=requirement,
        framework="iso42001",
        requirement_iri=ISO + requirement,
        **extra,
    )


@pytest.fixture
def report() -> GapReport:
    return GapReport(
        as_of=date(2026, 11, 1),
        records=[
            _record("Warning", "dataset/DS-1", "A.7.5", owner="Ada", system="SYS-1 Scoring"),
            _record("Violation", "dataset/DS-2", "A.7.5", owner="Ada", system="SYS-1 Scoring"),
            _record("Violation", "vendor/V-1", "A.10.3", owner="Bo"),
            _record("Info", "evidence/EV-1", "7.5", label="<script>alert(1)</script>"),
        ],
    )


def test_counts_and_conformance(report: GapReport) -> None:
    assert report.counts() == {"Violation": 2, "Warning": 1, "Info": 1}
    assert not report.conforms and report.has_violations
    only_warnings = GapReport(
        date(2026, 11, 1), [r for r in report.records if r.severity != "Violation"]
    )
    # SHACL: any result, whatever its severity, means the data does not conform.
    assert not only_warnings.conforms and not only_warnings.has_violations
    assert GapReport(date(2026, 11, 1), []).conforms


def test_grouping_by_requirement_system_and_owner(report: GapReport) -> None:
    by_requirement = group_by(report.records, "requirement")
    # most violations first, then most warnings, then infos
    assert [g.key for g in by_requirement] == ["iso42001 A.7.5", "iso42001 A.10.3", "iso42001 7.5"]
    assert by_requirement[0].counts() == {"Violation": 1, "Warning": 1, "Info": 0}
    by_system = {g.key: len(g.records) for g in group_by(report.records, "system")}
    assert by_system == {"SYS-1 Scoring": 2, "(not tied to one AI system)": 2}
    by_owner = {g.key: g.counts()["Violation"] for g in group_by(report.records, "owner")}
    assert by_owner == {"Ada": 1, "Bo": 1, "(no accountable owner)": 0}
    with pytest.raises(ValueError, match="unknown grouping"):
        group_by(report.records, "colour")


def test_json_is_exactly_the_contract(report: GapReport) -> None:
    document = json.loads(to_json(report))
    assert list(document) == ["conforms", "counts", "results"]
    assert document["counts"] == {"Violation": 2, "Warning": 1, "Info": 1}
    assert [r["severity"] for r in document["results"]] == [
        "Violation",
        "Violation",
        "Warning",
        "Info",
    ]
    assert set(document["results"][0]) == {
        "severity",
        "focus",
        "focus_label",
        "path",
        "message",
        "requirement",
        "framework",
    }
    full = json.loads(to_json(report, full=True))
    assert full["as_of"] == "2026-11-01"
    assert {g["key"] for g in full["groups"]["owner"]} == {"Ada", "Bo", "(no accountable owner)"}


def test_markdown_has_the_three_groupings(report: GapReport) -> None:
    text = to_markdown(report)
    assert text.startswith("# AIMS gap report as of 2026-11-01")
    for heading in ("## By requirement", "## By AI system", "## By owner"):
        assert heading in text
    assert "### iso42001 A.7.5 (1 Violation, 1 Warning, 0 Info)" in text


def test_html_is_self_contained_and_escaped(report: GapReport) -> None:
    page = to_html(report)
    assert page.startswith("<!DOCTYPE html>")
    assert "<style>" in page
    assert not re.search(r"<(script|link|img)\b", page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<details>") == 3 + 2 + 3


def test_empty_report_renders() -> None:
    empty = GapReport(date(2026, 1, 1))
    assert empty.conforms
    assert "No gaps." in to_markdown(empty)
    assert "No gaps." in to_html(empty)
