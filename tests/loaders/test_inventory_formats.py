"""The same inventory in CSV, XLSX, YAML and JSON gives the same organisation graph."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import openpyxl
import pyoxigraph as ox
from inventory_support import DATA, ORG, catalog_store, org_graph
from rdflib.compare import isomorphic

from aimstrace.loaders.load import load
from aimstrace.ontology.iris import entity_iri

AIMS = "https://w3id.org/aimstrace/ns#"


def _csv_graph():  # type: ignore[no-untyped-def]
    store = catalog_store()
    load([DATA / "valid_csv"], store)
    return org_graph(store)


def test_csv_folder_loads_every_register() -> None:
    store = catalog_store()
    report = load([DATA / "valid_csv"], store)
    assert report.entities == 12
    assert {r.kind for r in report.added} >= {"person", "system", "dataset", "risk", "evidence"}
    system = ox.NamedNode(str(entity_iri("system", "SYS-1")))
    owner = ox.NamedNode(str(entity_iri("person", "P-1")))
    assert ox.Quad(system, ox.NamedNode(AIMS + "accountableOwner"), owner, ORG) in set(
        store.quads(ORG)
    )
    # `used_by` on the dataset row becomes the system's usesDataset link.
    uses = ox.NamedNode(AIMS + "usesDataset")
    dataset = ox.NamedNode(str(entity_iri("dataset", "DS-2")))
    assert ox.Quad(system, uses, dataset, ORG) in set(store.quads(ORG))
    stage = ox.NamedNode(AIMS + "stage-deployment")
    assert ox.Quad(system, ox.NamedNode(AIMS + "lifecycleStage"), stage, ORG) in set(
        store.quads(ORG)
    )


def test_yaml_gives_the_same_graph_as_csv() -> None:
    store = catalog_store()
    load([DATA / "valid.yaml"], store)
    assert isomorphic(org_graph(store), _csv_graph())


def test_json_gives_the_same_graph_as_csv() -> None:
    store = catalog_store()
    load([DATA / "valid.json"], store)
    assert isomorphic(org_graph(store), _csv_graph())


def _workbook_from_csv(folder: Path, target: Path) -> None:
    """One sheet per register, cells typed the way Excel users type them (numbers, dates)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for path in sorted(folder.glob("*.csv")):
        sheet = book.create_sheet(path.stem)
        with path.open(encoding="utf-8") as fh:
            for row in csv.reader(fh):
                sheet.append([int(v) if v.isdigit() else v for v in row])
    book.create_sheet("README").append(["free text for people; skipped by the loader"])
    book.save(target)


def test_xlsx_workbook_with_one_sheet_per_register(tmp_path: Path) -> None:
    workbook = tmp_path / "inventory.xlsx"
    _workbook_from_csv(DATA / "valid_csv", workbook)
    store = catalog_store()
    load([workbook], store)
    assert isomorphic(org_graph(store), _csv_graph())


def test_single_sheet_workbook_named_by_file_stem(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(["id", "name", "email"])
    sheet.append(["P-7", "Eve", "eve@example.com"])
    book.save(tmp_path / "people.xlsx")
    store = catalog_store()
    report = load([tmp_path / "people.xlsx"], store)
    assert [r.id for r in report.added] == ["P-7"]


def test_folder_mixing_formats_is_one_load(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    shutil.copytree(DATA / "valid_csv", folder)
    (folder / "people.csv").unlink()
    (folder / "more.yaml").write_text(
        "people:\n  - {id: P-1, name: Ana Ruiz, email: ana@example.com,"
        " roles: [aims-owner, ROLE-1]}\n  - {id: P-2, name: Bo Chen, email: bo@example.com}\n",
        encoding="utf-8",
    )
    (folder / "NOTES.md").write_text("not an inventory file", encoding="utf-8")
    store = catalog_store()
    report = load([folder], store)
    assert report.skipped == [str(folder / "NOTES.md")]
    assert isomorphic(org_graph(store), _csv_graph())
