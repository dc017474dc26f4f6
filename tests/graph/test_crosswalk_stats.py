"""Density and balance of the mapping sets, and the promise that every subject has a decision."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aimstrace.graph.crosswalk.stats import SCOPES, crosswalk_stats
from aimstrace.graph.engine import Engine
from aimstrace.loaders.pipeline import load_crosswalks

CROSSWALKS = Path(__file__).resolve().parents[2] / "ontology" / "crosswalks"


def _engine(crosswalk_dir: Path | None = None) -> Engine:
    engine = Engine.open(None)
    engine.load_vocabulary()
    engine.load_catalogs()
    load_crosswalks(engine.store, crosswalk_dir)
    return engine


@pytest.fixture(scope="module")
def stats() -> dict[str, dict[str, object]]:
    return {s.name: s.as_dict() for s in crosswalk_stats(_engine().store)}


def test_every_shipped_set_is_scoped(stats: dict[str, dict[str, object]]) -> None:
    assert set(stats) == set(SCOPES) == {p.name.split(".")[0] for p in CROSSWALKS.glob("*.tsv")}


@pytest.mark.parametrize("name", sorted(SCOPES))
def test_every_subject_has_a_decision(stats: dict[str, dict[str, object]], name: str) -> None:
    assert stats[name]["subjects_without_decision"] == []


def test_figures_of_the_nist_set(stats: dict[str, dict[str, object]]) -> None:
    nist = stats["nist-ai-rmf--iso42001"]
    assert nist["subjects"] == 72 and nist["candidates"] == 70
    assert nist["pairs_considered"] == 72 * 70
    by_rel = nist["mappings_by_relationship"]
    assert isinstance(by_rel, dict) and sum(by_rel.values()) == nist["rows"]
    targets = nist["targets_per_subject"]
    assert isinstance(targets, dict) and targets["median"] >= 3
    # MEASURE 2.2 is recorded as no-relationship: a decision, but no target
    assert nist["subjects_never_mapped"] == ["MEASURE 2.2"]


def test_iso42001_to_iso27001_weighs_every_clause_leaf_and_control(
    stats: dict[str, dict[str, object]],
) -> None:
    figures = stats["iso42001--iso27001"]
    assert figures["subjects"] == 32 + 38 and figures["candidates"] == 30 + 93
    by_rel = figures["mappings_by_relationship"]
    assert isinstance(by_rel, dict) and by_rel["no-relationship"] >= 10
    # 6.1.4, 8.4, A.5.5 and A.7.4 are decided (no-relationship) but have no target
    assert figures["subjects_never_mapped"] == ["6.1.4", "8.4", "A.5.5", "A.7.4"]


def test_dpdp_sets_count_only_obligations(stats: dict[str, dict[str, object]]) -> None:
    for name in ("dpdp--iso27701", "dpdp--iso42001"):
        assert stats[name]["subjects"] == 46, name
    assert "Rule 4" in stats["dpdp--iso42001"]["subjects_never_mapped"]  # type: ignore[operator]


def test_a_subject_without_any_row_is_reported(tmp_path: Path) -> None:
    """Dropping every row of one subject makes the check fail for exactly that subject."""
    for source in CROSSWALKS.glob("*.sssom.tsv"):
        shutil.copy(source, tmp_path / source.name)
    target = tmp_path / "dpdp--iso27701.sssom.tsv"
    lines = target.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith("dpdp:Section_8_5\t")]
    assert len(kept) < len(lines)
    target.write_text("".join(kept), encoding="utf-8")
    figures = {s.name: s for s in crosswalk_stats(_engine(tmp_path).store)}
    assert figures["dpdp--iso27701"].without_decision == ["Section 8(5)"]
    assert figures["dpdp--iso42001"].without_decision == []


def test_an_imported_set_without_scope_uses_its_own_subjects(tmp_path: Path) -> None:
    shutil.copy(CROSSWALKS / "dpdp--iso42001.sssom.tsv", tmp_path / "my-own-set.sssom.tsv")
    (figures,) = crosswalk_stats(_engine(tmp_path).store)
    assert figures.name == "my-own-set" and not figures.scoped
    assert figures.subject_framework == "dpdp" and figures.object_framework == "iso42001"
    assert figures.subjects == 46 and figures.without_decision == []
