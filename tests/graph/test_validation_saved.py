"""A gap report is kept beside an on-disk store for the state it was computed on, and reused
by another engine (another command, a restarted server) until the next write."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from aimstrace.graph.engine import Engine
from aimstrace.graph.validation import runner
from aimstrace.loaders.pipeline import demo

AS_OF = "2026-11-01"


def test_a_saved_report_is_reused_until_the_store_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = Engine.open(tmp_path / "store")
    demo(first)
    report = first.validate(AS_OF)
    assert report.records and list((tmp_path / "store" / "gap-reports").glob("*.json"))
    calls: list[object] = []
    real = runner.validate

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "validate", counted)
    again = Engine(first.store).validate(AS_OF)  # a fresh engine: nothing in its memory
    assert calls == []
    assert again.records == report.records and again.counts() == report.counts()
    assert (again.as_of, again.engine, again.notes) == (report.as_of, report.engine, report.notes)
    assert again.report is None  # the SHACL graph is not kept...
    with_graph = Engine(first.store).validate(AS_OF, report_graph=True)
    assert with_graph.report is not None and len(calls) == 1  # ...so asking for it validates
    assert Engine(first.store).validate("2026-11-02") is not None and len(calls) == 2
    # A write makes the saved reports stale.
    first.store.replace_graph(
        ox.NamedNode("urn:aimstrace:test"),
        [ox.Triple(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.Literal("c"))],
    )
    Engine(first.store).validate(AS_OF)
    assert len(calls) == 3


def test_a_damaged_saved_report_is_computed_again(tmp_path: Path) -> None:
    engine = Engine.open(tmp_path / "store")
    demo(engine)
    report = engine.validate(AS_OF)
    for saved in (tmp_path / "store" / "gap-reports").glob("*.json"):
        saved.write_text("{ not json", encoding="utf-8")
    assert Engine(engine.store).validate(AS_OF).records == report.records


def test_a_child_process_validates_an_on_disk_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = Engine.open(tmp_path / "store")
    demo(engine)
    here = Engine(engine.store).validate(AS_OF, report_graph=True)  # in this process
    calls: list[object] = []
    real = runner.validate
    monkeypatch.setattr(runner, "validate", lambda *a, **k: calls.append(a) or real(*a, **k))
    for saved in (tmp_path / "store" / "gap-reports").glob("*.json"):
        saved.unlink()  # nothing to reuse: the child has to validate
    child = engine.validate_in_child(AS_OF)
    assert calls == []  # not validated in this process
    assert child.records == here.records and child.counts() == here.counts()
    assert engine.cached_gap_report(AS_OF) is child  # kept like validate's
    assert Engine(engine.store).validate(AS_OF).records == here.records and calls == []


def test_an_in_memory_store_validates_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = Engine.open(None)
    demo(engine)
    calls: list[object] = []
    real = runner.validate
    monkeypatch.setattr(runner, "validate", lambda *a, **k: calls.append(a) or real(*a, **k))
    assert engine.validate_in_child(AS_OF).records and len(calls) == 1
