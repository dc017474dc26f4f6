"""Register fixes: an owner is optional at load (the shapes report it), the appetite rule is
"above the appetite", and near-miss columns, enumeration values and ids get a suggestion."""

from __future__ import annotations

from pathlib import Path

import pytest

from aimstrace.graph.engine import Engine
from aimstrace.loaders.errors import InventoryLoadError
from aimstrace.loaders.load import load
from tests.loaders.inventory_support import catalog_store

AS_OF = "2026-06-30"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def issues_of(paths: list[Path]) -> list[str]:
    with pytest.raises(InventoryLoadError) as caught:
        load(paths, catalog_store())
    return [str(i) for i in caught.value.issues]


def test_near_misses_get_a_suggestion(tmp_path: Path) -> None:
    people = write(tmp_path, "people.csv", "id,name\nP-001,Ada\n")
    systems = write(
        tmp_path,
        "systems.csv",
        "id,name,owner,lifecycle_stag\nS-1,Scoring,P-01,deployment\n",
    )
    shown = issues_of([people, systems])
    assert any("did you mean 'lifecycle_stage'?" in line for line in shown), shown
    assert any("unknown person id" in line and "did you mean 'P-001'?" in line for line in shown)
    systems.write_text(
        "id,name,owner,lifecycle_stage\nS-1,Scoring,P-001,deploymnt\n", encoding="utf-8"
    )
    shown = issues_of([people, systems])
    assert any("unknown LifecycleStage; did you mean 'deployment'?" in line for line in shown)


def _risk_gaps(tmp_path: Path, level: str) -> set[str]:
    folder = tmp_path / level
    folder.mkdir()
    write(folder, "organisation.csv", "id,name,risk_appetite\nORG,Org,medium\n")
    write(folder, "people.csv", "id,name\nP-1,Ada\n")
    write(folder, "systems.csv", "id,name,lifecycle_stage\nS-1,Scoring,deployment\n")
    write(
        folder,
        "risks.csv",
        "id,title,risk_source,likelihood,severity,level,owner,systems\n"
        f"R-1,Bias,C.3.4,3,4,{level},P-1,S-1\n",
    )
    engine = Engine(catalog_store())
    load([folder], engine.store)
    report = engine.validate(AS_OF)
    return {f"{r.requirement} {r.focus_label} {r.path}" for r in report.records}


def test_owner_is_optional_and_reported_by_the_shapes(tmp_path: Path) -> None:
    gaps = _risk_gaps(tmp_path, "medium")
    owner_gaps = [g for g in gaps if g.startswith("A.3.2 ") and g.endswith("aims:accountableOwner")]
    assert any("S-1" in g for g in owner_gaps), sorted(gaps)


def test_only_risks_above_the_appetite_must_be_treated(tmp_path: Path) -> None:
    at_appetite = [
        g for g in _risk_gaps(tmp_path, "medium") if g.startswith("6.1.3") and "Bias" in g
    ]
    above = [g for g in _risk_gaps(tmp_path, "high") if g.startswith("6.1.3") and "Bias" in g]
    assert at_appetite == []
    assert above
