"""Write-back of validation findings on the example organisation (real shapes, real data)."""

from __future__ import annotations

import pytest

from aimstrace.graph.engine import Engine
from aimstrace.graph.inventory import list_entities
from aimstrace.graph.validation.gaps import GapReport
from aimstrace.graph.validation.writeback import nonconformity_id
from aimstrace.loaders.pipeline import load_example

AS_OF = "2026-06-01"


@pytest.fixture
def example() -> Engine:
    """A fresh in-memory engine with the example organisation (each test writes back its own)."""
    engine = Engine.open(None)
    engine.load_vocabulary()
    engine.load_catalogs()
    load_example(engine)
    return engine


def _written(engine: Engine) -> list[dict[str, object]]:
    rows = list_entities(engine.store, "nonconformities")
    return [r for r in rows if r["source"] == "validation"]


def test_by_default_only_violations_are_written_each_with_an_id(example: Engine) -> None:
    report = example.validate(AS_OF)
    violations = {nonconformity_id(r) for r in report.records if r.severity == "Violation"}
    assert any(r.severity == "Warning" for r in report.records)
    summary = example.write_back(report)
    assert summary.added == len(violations) >= 1
    written = _written(example)
    assert {r["id"] for r in written} == violations
    assert {r["severity"] for r in written} == {"Violation"}
    assert all(r["status"] == "open" and r["found"] == AS_OF for r in written)
    assert all(r["requirement"] and r["focus"] for r in written)
    audit = [r for r in list_entities(example.store, "nonconformities") if r["source"] == "audit"]
    assert audit and all(r["id"] and r.get("status") is None for r in audit)


def test_a_later_run_keeps_adds_and_closes_by_id(example: Engine) -> None:
    before = example.validate(AS_OF)
    later = example.validate("2027-06-01")  # a year on: reviews fall due, other gaps appear

    def violations(report: GapReport) -> set[str]:
        return {nonconformity_id(r) for r in report.records if r.severity == "Violation"}

    old, new = violations(before), violations(later)
    example.write_back(before)
    summary = example.write_back(later)
    assert (summary.added, summary.kept, summary.closed) == (
        len(new - old),
        len(new & old),
        len(old - new),
    )
    assert summary.kept >= 1
    rows = {r["id"]: r for r in _written(example)}
    assert set(rows) == old | new  # no duplicates: one node per id
    assert all(
        rows[i]["found"] == AS_OF and rows[i]["evaluated"] == "2027-06-01" for i in old & new
    )
    assert all(
        rows[i]["status"] == "closed" and rows[i]["closed"] == "2027-06-01" for i in old - new
    )


def test_a_violations_run_leaves_earlier_warnings_alone(example: Engine) -> None:
    report = example.validate(AS_OF)
    example.write_back(report, ("Violation", "Warning"))
    warnings = {r["id"] for r in _written(example) if r["severity"] == "Warning"}
    assert warnings
    again = example.write_back(example.validate(AS_OF))
    assert again.closed == 0
    still = {r["id"] for r in _written(example) if r["severity"] == "Warning"}
    assert still == warnings


def test_an_unknown_severity_is_refused_and_writes_nothing(example: Engine) -> None:
    report = example.validate(AS_OF)
    with pytest.raises(ValueError, match="severity"):
        example.write_back(report, ("Critical",))
    assert _written(example) == []
