"""One source name per ML file, however its path is spelt: re-loads through a relative or an
absolute path, from another folder, or of a moved repository change nothing; `--sync` matches
either spelling; stores that recorded the typed path are migrated by their next load."""

from __future__ import annotations

import gc
import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from aimstrace.api.cli import main
from aimstrace.loaders.errors import InventoryLoadError
from aimstrace.loaders.load import load
from aimstrace.loaders.ml.source import SourceNames
from aimstrace.ontology.iris import entity_iri
from tests.loaders.inventory_support import ORG, all_quads, catalog_store

ML = Path(__file__).parents[1] / "data" / "ml"
CARD = ML / "hf-card" / "sample_simple_model_index.md"
SOURCE_FILE = ox.NamedNode("https://w3id.org/aimstrace/ns#sourceFile")
MODEL = ox.NamedNode(str(entity_iri("model", "my-cool-model")))


def sources(store: object) -> set[str]:
    quads = store.oxigraph.quads_for_pattern(None, SOURCE_FILE, None, ORG)  # type: ignore[attr-defined]
    return {q.object.value for q in quads}


def unchanged(report: object) -> bool:
    return (
        report.triples_added == 0  # type: ignore[attr-defined]
        and report.triples_removed == 0  # type: ignore[attr-defined]
        and not report.changed  # type: ignore[attr-defined]
        and not report.added  # type: ignore[attr-defined]
    )


def test_relative_and_absolute_spellings_are_one_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = tmp_path / "cards" / "README.md"
    card.parent.mkdir()
    shutil.copy(CARD, card)
    store = catalog_store()
    load([card], store)
    assert sources(store) == {card.resolve().as_posix()}  # no git work tree here
    first = all_quads(store)
    monkeypatch.chdir(tmp_path)
    for spelling in ("cards/README.md", "./cards/../cards/README.md", "cards"):
        assert unchanged(load([spelling], store)), spelling
    assert all_quads(store) == first
    # --sync through the other spelling sees what the file no longer lists.
    text = card.read_text(encoding="utf-8")
    card.write_text(text.replace("my-cool-model", "my-other-model"), encoding="utf-8")
    report = load(["cards/README.md"], store, sync=True)
    assert ("model", "my-cool-model") in {(r.kind, r.id) for r in report.removed}
    assert not any(True for _ in store.oxigraph.quads_for_pattern(MODEL, None, None, ORG))


def test_a_repository_keeps_its_names_when_moved(tmp_path: Path) -> None:
    # The Hugging Face layout: each model is a repository with its card at README.md.
    for name in ("bert-tiny", "bert-small"):
        repo = tmp_path / "here" / name
        (repo / ".git").mkdir(parents=True)
        text = CARD.read_text(encoding="utf-8").replace("my-cool-model", name)
        (repo / "README.md").write_text(text, encoding="utf-8")
    store = catalog_store()
    load([tmp_path / "here"], store)
    assert sources(store) == {"bert-tiny/README.md", "bert-small/README.md"}
    first = all_quads(store)
    shutil.move(tmp_path / "here", tmp_path / "there")
    assert unchanged(load([tmp_path / "there" / "bert-tiny" / "README.md"], store))
    assert all_quads(store) == first
    # A linked work tree or submodule has a `.git` file: the same rule.
    sub = tmp_path / "mono" / "ml" / "card"
    sub.mkdir(parents=True)
    (tmp_path / "mono" / ".git").write_text("gitdir: elsewhere\n", encoding="utf-8")
    assert SourceNames().name(sub / "README.md") == "mono/ml/card/README.md"


def test_a_stated_base_names_files_relative_to_it(tmp_path: Path) -> None:
    card = tmp_path / "ml" / "cards" / "README.md"
    card.parent.mkdir(parents=True)
    shutil.copy(CARD, card)
    store = catalog_store()
    load([card], store, source_base=tmp_path / "ml")
    assert sources(store) == {"cards/README.md"}
    outside = tmp_path / "elsewhere.md"
    shutil.copy(CARD, outside)
    before = all_quads(store)
    with pytest.raises(InventoryLoadError) as caught:
        load([card, outside], store, source_base=tmp_path / "ml")
    (issue,) = caught.value.issues
    assert issue.file == str(outside) and "not under the source base" in issue.message
    assert all_quads(store) == before


def test_a_store_with_typed_paths_is_migrated_by_its_next_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = tmp_path / "cards" / "README.md"
    card.parent.mkdir()
    shutil.copy(CARD, card)
    monkeypatch.chdir(tmp_path)
    store = catalog_store()
    # What a load before canonical names wrote: the path as typed, relative to where it ran.
    load(["cards/README.md"], store, source_name=lambda typed: typed)
    assert sources(store) == {"cards/README.md"}
    canonical = card.resolve().as_posix()
    report = load([card], store)
    assert sources(store) == {canonical}
    assert ("model", "my-cool-model") in {(r.kind, r.id) for r in report.changed}
    assert unchanged(load(["cards/README.md"], store))
    # A legacy name is this file for --sync too.
    legacy = catalog_store()
    load(["cards/README.md"], legacy, source_name=lambda typed: typed)
    text = card.read_text(encoding="utf-8")
    card.write_text(text.replace("my-cool-model", "my-other-model"), encoding="utf-8")
    dry = load([card], legacy, sync=True, dry_run=True)
    assert ("model", "my-cool-model") in {(r.kind, r.id) for r in dry.removed}
    load([card], legacy, sync=True)
    assert not any(True for _ in legacy.oxigraph.quads_for_pattern(MODEL, None, None, ORG))
    assert sources(legacy) == {canonical}


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    outcome = result.exit_code, result.stdout, result.stderr
    del result  # a finished command's traceback would keep its store open
    gc.collect()
    return outcome


def test_cli_load_takes_a_source_base(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    assert cli("--store", store, "init")[0] == 0
    card = tmp_path / "ml" / "README.md"
    card.parent.mkdir()
    shutil.copy(CARD, card)
    code, _, err = cli("--store", store, "load", "--source-base", str(tmp_path), str(card))
    assert code == 0, err
    code, out, err = cli("--store", store, "list", "evaluation-results", "--json")
    assert code == 0, err
    assert {tuple(r["source_file"]) for r in json.loads(out)} == {("ml/README.md",)}
