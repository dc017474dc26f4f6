"""`aimstrace load` and `aimstrace list` through the real CLI on a real on-disk store."""

from __future__ import annotations

import gc
import json
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner
from inventory_support import DATA

from aimstrace.api.cli import main
from aimstrace.graph.engine import Engine
from aimstrace.loaders.ml.source import SourceNames


def _store(tmp_path: Path) -> str:
    engine = Engine.open(tmp_path / "store")
    engine.load_vocabulary()
    engine.load_catalogs()
    engine.store.flush()
    del engine
    gc.collect()
    return str(tmp_path / "store")


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str


def _run(store: str, *args: str) -> Outcome:
    result = CliRunner().invoke(main, ["--store", store, *args])
    outcome = Outcome(result.exit_code, result.stdout, result.stderr)
    # The finished command's engine (and a failed one's traceback) keeps the store open.
    del result
    gc.collect()
    return outcome


def test_load_then_list_as_json(tmp_path: Path) -> None:
    store = _store(tmp_path)
    loaded = _run(store, "load", "--json", str(DATA / "valid_csv"))
    assert loaded.exit_code == 0, loaded.stderr
    report = json.loads(loaded.stdout)
    assert report["ok"] and report["triples_added"] > 0
    listed = _run(store, "list", "systems", "--json")
    assert listed.exit_code == 0
    (system,) = json.loads(listed.stdout)
    assert system["id"] == "SYS-1" and system["label"] == "CV screening"
    assert system["owner"] == "P-1" and system["lifecycle_stage"] == "deployment"
    assert system["annex_iii_point"] == "Annex III.4(a)"
    assert system["datasets"] == ["DS-1", "DS-2"] and system["requires_fria"] is False
    for kind in ("models", "datasets", "vendors", "people", "risks", "controls", "evidence"):
        rows = json.loads(_run(store, "list", kind, "--json").stdout)
        assert rows and all({"id", "label"} <= set(r) for r in rows), kind


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    store = _store(tmp_path)
    dry = _run(store, "load", "--dry-run", str(DATA / "valid_csv"))
    assert dry.exit_code == 0 and "dry run" in dry.stdout
    assert json.loads(_run(store, "list", "systems", "--json").stdout) == []
    real = _run(store, "load", str(DATA / "valid_csv"))
    assert real.exit_code == 0
    again = _run(store, "load", "--json", str(DATA / "valid_csv"))
    assert json.loads(again.stdout)["triples_added"] == 0


def test_errors_go_to_stderr_one_per_line_with_exit_1(tmp_path: Path) -> None:
    store = _store(tmp_path)
    result = _run(store, "load", str(DATA / "errors"))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    systems = str(DATA / "errors" / "systems.csv")
    assert f"{systems}:3:lifecycle_stage: unknown LifecycleStage" in result.stderr
    assert any(
        line.startswith(f"{systems}:4:owner: ") and line.endswith("(value 'P-404')")
        for line in lines
    )
    assert len(lines) == 16  # 15 located errors and the summary line
    assert json.loads(_run(store, "list", "people", "--json").stdout) == []


def test_list_unknown_kind_is_a_usage_error(tmp_path: Path) -> None:
    result = _run(_store(tmp_path), "list", "spaceships")
    assert result.exit_code == 2 and "spaceships" in result.stderr


def test_list_offers_the_kinds_only_imports_create(tmp_path: Path) -> None:
    store = _store(tmp_path)
    ml = DATA.parent / "ml"
    card = ml / "hf-card" / "sample_simple_model_index.md"
    loaded = _run(store, "load", str(card), str(ml / "openlineage" / "test-complete.json"))
    assert loaded.exit_code == 0, loaded.stderr
    results = json.loads(_run(store, "list", "evaluation-results", "--json").stdout)
    assert [(r["id"], r["model"], r["metric"], r["value"], r["dataset"]) for r in results] == [
        ("my-cool-model/0-accuracy", "my-cool-model", "accuracy", "0.9", "beans"),
        ("my-cool-model/1-f1", "my-cool-model", "f1", "0.66", "beans"),
    ]
    assert results[1]["split"] == "test" and results[0]["source_file"] == [SourceNames().name(card)]
    (job,) = json.loads(_run(store, "list", "lineage-jobs", "--json").stdout)
    assert (job["id"], job["used"], job["produced"]) == (
        "my-namespace/my-job",
        ["my-namespace/my-input"],
        ["my-namespace/my-output"],
    )
    for kind in ("model-versions", "training-runs"):
        listed = _run(store, "list", kind, "--json")
        assert listed.exit_code == 0 and json.loads(listed.stdout) == []
    table = _run(store, "list", "evaluation-results")
    assert "my-cool-model/1-f1" in table.stdout and "f1" in table.stdout
    mistyped = _run(store, "list", "evaluations")
    assert mistyped.exit_code == 2
    assert "unknown kind 'evaluations'; did you mean 'evaluation-results'?" in mistyped.stderr
    removal = _run(store, "remove", "--dry-run", "evaluation-result", "x")
    assert removal.exit_code == 2 and "did you mean 'evaluation-results'?" in removal.stderr
