"""`load --sync` with ML files: what a file no longer lists goes, all or nothing, with a dry run,
refused while something points at it; entities other files name only lose this file."""

from __future__ import annotations

import gc
import json
import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib.compare import isomorphic

from aimstrace.api.cli import main
from aimstrace.loaders.errors import InventoryLoadError
from aimstrace.loaders.load import load
from aimstrace.loaders.ml.source import SourceNames
from aimstrace.ontology.iris import entity_iri
from tests.loaders.inventory_support import ORG, all_quads, catalog_store, org_graph

ML = Path(__file__).parents[1] / "data" / "ml"
SOURCE_FILE = ox.NamedNode("https://w3id.org/aimstrace/ns#sourceFile")


def node(kind: str, identifier: str) -> ox.NamedNode:
    return ox.NamedNode(str(entity_iri(kind, identifier)))


def exists(store: object, subject: ox.NamedNode) -> bool:
    return any(True for _ in store.oxigraph.quads_for_pattern(subject, None, None, ORG))  # type: ignore[attr-defined]


@pytest.fixture
def card(tmp_path: Path) -> Path:
    target = tmp_path / "sample_simple_model_index.md"
    shutil.copy(ML / "hf-card" / "sample_simple_model_index.md", target)
    return target


def _drop_results(card: Path) -> None:
    """The card without its model-index results and with another training dataset."""
    text = card.read_text("utf-8")
    head, _, rest = text.partition("model-index:")
    body = rest[rest.index("\n---\n") :]
    card.write_text(
        head.replace("- beans", "- beans-v2")
        + "model-index:\n- name: my-cool-model\n  results: []"
        + body,
        "utf-8",
    )


def test_what_a_file_no_longer_lists_goes_after_a_dry_run(card: Path) -> None:
    store = catalog_store()
    bom = ML / "cyclonedx" / "model-card-with-dataset.bom.json"
    load([card, bom], store)
    _drop_results(card)
    before = all_quads(store)
    dry = load([card], store, dry_run=True, sync=True)
    assert all_quads(store) == before
    gone = {(r.kind, r.id) for r in dry.removed}
    assert gone == {
        ("dataset", "beans"),
        ("evaluation", "my-cool-model/0-accuracy"),
        ("evaluation", "my-cool-model/1-f1"),
    }
    report = load([card], store, sync=True)
    assert {(r.kind, r.id) for r in report.removed} == gone
    assert not exists(store, node("dataset", "beans"))
    assert not exists(store, node("evaluation", "my-cool-model/1-f1"))
    assert exists(store, node("dataset", "beans-v2"))
    # Another file's entities are not this file's to remove.
    assert exists(store, node("model", "support-ticket-classifier"))
    # The store now equals a fresh load of what the files say.
    fresh = catalog_store()
    load([bom, card], fresh)
    assert isomorphic(org_graph(store), org_graph(fresh))


def test_without_sync_what_a_file_dropped_stays(card: Path) -> None:
    store = catalog_store()
    load([card], store)
    _drop_results(card)
    report = load([card], store)
    assert report.removed == []
    assert exists(store, node("evaluation", "my-cool-model/1-f1"))


def test_an_entity_other_files_name_loses_only_this_file(tmp_path: Path) -> None:
    start = tmp_path / "test-start.json"
    complete = ML / "openlineage" / "test-complete.json"
    shutil.copy(ML / "openlineage" / "test-start.json", start)
    store = catalog_store()
    load([start, complete], store)
    my_input = node("dataset", "my-namespace/my-input")
    assert len(list(store.oxigraph.quads_for_pattern(my_input, SOURCE_FILE, None, ORG))) == 2
    start.write_text(
        start.read_text("utf-8").replace('"my-input"', '"other-input"'), encoding="utf-8"
    )
    report = load([start], store, sync=True)
    assert ("dataset", "my-namespace/my-input") not in {(r.kind, r.id) for r in report.removed}
    assert {
        q.object.value for q in store.oxigraph.quads_for_pattern(my_input, SOURCE_FILE, None, ORG)
    } == {SourceNames().name(complete)}


def test_refused_while_a_register_row_points_at_it(card: Path, tmp_path: Path) -> None:
    store = catalog_store()
    systems = tmp_path / "systems.csv"
    systems.write_text(
        "id,name,intended_use,owner,lifecycle_stage,models\n"
        "SYS-1,Classifier,sorts images,,operation-monitoring,my-cool-model\n",
        "utf-8",
    )
    load([card, systems], store)
    before = all_quads(store)
    text = card.read_text("utf-8").replace("- name: my-cool-model", "- name: my-new-model")
    card.write_text(text, "utf-8")
    with pytest.raises(InventoryLoadError) as caught:
        load([card], store, sync=True)
    (issue,) = [i for i in caught.value.issues if i.value == "my-cool-model"]
    assert issue.file == str(card) and issue.column == "id"
    assert "system SYS-1 still points at it" in issue.message
    assert all_quads(store) == before
    # Loading the register's change in the same load lets it go.
    systems.write_text(systems.read_text("utf-8").replace("my-cool-model", "my-new-model"), "utf-8")
    report = load([card, systems], store, sync=True)
    assert ("model", "my-cool-model") in {(r.kind, r.id) for r in report.removed}


def _cli(store_dir: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--store", str(store_dir), *args])
    outcome = (result.exit_code, result.output)
    # The finished command's engine keeps the store open until it is collected.
    del result
    gc.collect()
    return outcome


def test_cli_sync_dry_run_lists_what_goes(card: Path, tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    assert _cli(store_dir, "init")[0] == 0
    assert _cli(store_dir, "load", str(card))[0] == 0
    _drop_results(card)
    code, output = _cli(store_dir, "load", "--sync", "--dry-run", str(card))
    assert code == 0, output
    assert re.search(r"removed +3 entities +beans, my-cool-model/0-accuracy", output), output
    code, output = _cli(store_dir, "load", "--sync", "--json", str(card))
    assert code == 0, output
    removed = json.loads(output)["removed"]
    assert {r["id"] for r in removed} == {"beans", "my-cool-model/0-accuracy", "my-cool-model/1-f1"}
