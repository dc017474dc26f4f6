"""Store life cycle through the real CLI: init, missing stores, one organisation, removal,
and the completeness report of an import tied to its files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from api_support import run_cli as run  # type: ignore[import-not-found]

from aimstrace.loaders.ml.source import SourceNames

ML = Path(__file__).resolve().parents[1] / "data" / "ml"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = str(tmp_path_factory.mktemp("cli") / "store")
    code, out, err = run("--store", folder, "init")
    assert code == 0, err
    assert "organisation" not in out  # no example data
    return folder


@pytest.mark.parametrize("command", [["validate"], ["frameworks"], ["list", "systems"]])
def test_a_missing_store_is_an_error_and_never_created(tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "typo"
    code, _, err = run("--store", str(missing), *command)
    assert code == 2 and "no aimstrace store at" in err
    assert not missing.exists()


def test_an_empty_store_was_never_initialised(tmp_path: Path) -> None:
    code, _, err = run("--in-memory", "validate")
    assert code == 2 and "never initialised" in err


def test_init_is_idempotent_and_loads_no_example(store: str) -> None:
    code, out, _ = run("--store", store, "init", "--json")
    assert code == 0 and json.loads(out)["changed"] == 0
    code, out, _ = run("--store", store, "list", "systems", "--json")
    assert code == 0 and json.loads(out) == []


def test_second_organisation_is_refused(tmp_path: Path) -> None:
    folder = str(tmp_path / "store")
    first, second = tmp_path / "organisation.csv", tmp_path / "org2" / "organisation.csv"
    second.parent.mkdir()
    first.write_text("id,name,risk_appetite\nORG-A,Alpha Ltd,medium\n", encoding="utf-8")
    second.write_text("id,name,risk_appetite\nORG-B,Beta Ltd,low\n", encoding="utf-8")
    assert run("--store", folder, "init", "--organisation", str(first))[0] == 0
    code, _, err = run("--store", folder, "load", str(second))
    assert code == 1
    assert "organisation.csv:2:id: a store holds one organisation" in err
    assert "(value 'ORG-B')" in err
    assert run("--store", folder, "load", str(first))[0] == 0  # the same one again is fine


def test_import_then_validate_names_the_source_file(store: str) -> None:
    card = ML / "hf-card" / "sample_simple_model_index.md"
    code, out, err = run("--store", store, "load", "--dry-run", str(card))
    assert code == 0 and "my-cool-model" in out, err
    assert run("--store", store, "load", str(card))[0] == 0
    code, out, _ = run("--store", store, "validate", "--json")
    # The report names the file by its canonical source name (loaders/ml/source.py): relative to
    # the folder holding the git work tree in a checkout, the absolute path elsewhere.
    source_name = SourceNames().name(card)
    gaps = [r for r in json.loads(out)["results"] if r.get("source_file") == source_name]
    requirements = {(r["focus_label"].split(" ")[0], r["requirement"]) for r in gaps}
    assert ("my-cool-model", "A.6.2.2") in requirements  # no intended use in the card
    assert ("beans", "A.7.5") in requirements  # a dataset named without provenance


def test_remove_is_refused_while_referenced_then_done_together(store: str) -> None:
    events = ML / "openlineage" / "test-complete.json"
    assert run("--store", store, "load", str(events))[0] == 0
    code, _, err = run("--store", store, "remove", "datasets", "my-namespace/my-input")
    assert code == 1 and "still referenced by dataset my-namespace/my-output" in err
    code, _, _ = run(
        "--store", store, "remove", "datasets", "my-namespace/my-output", "my-namespace/my-input"
    )
    assert code == 1  # the job that used and wrote them still points at both
    assert run("--store", store, "list", "datasets", "--json")[0] == 0


def test_remove_with_dependants_takes_the_lineage_job_too(store: str) -> None:
    datasets = ["my-namespace/my-output", "my-namespace/my-input"]
    args = ["--store", store, "remove", "--with-dependants", "datasets", *datasets]
    code, out, err = run(*args[:3], "--dry-run", *args[3:])
    assert code == 0, err
    assert "would remove 2 datasets" in out and "with 1 dependants: job " in out
    code, out, err = run(*args)
    assert code == 0 and "removed 2 datasets" in out, err
    code, out, _ = run("--store", store, "list", "datasets", "--json")
    assert not {row["id"] for row in json.loads(out)} & set(datasets)


def test_crosswalk_remove_and_a_near_miss(store: str) -> None:
    code, _, err = run("--store", store, "crosswalk", "remove", "iso42001--iso2700")
    assert code == 2 and "did you mean 'iso42001--iso27001'" in err
    code, out, _ = run("--store", store, "crosswalk", "remove", "iso42001--iso27001")
    assert code == 0 and "removed iso42001--iso27001" in out
    code, out, _ = run("--store", store, "mappings", "--from", "iso42001", "--to", "iso27001")
    assert code == 0 and "A.7.5" not in out
