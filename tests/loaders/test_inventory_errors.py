"""Bad input: every error located (file, row, column, value), all reported, store unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from inventory_support import DATA, all_quads, catalog_store

from aimstrace.loaders.errors import InputIssue, InventoryLoadError
from aimstrace.loaders.load import load, plan


def _located(issues: list[InputIssue]) -> set[tuple[str, int | None, str | None]]:
    return {(Path(i.file).name, i.row, i.column) for i in issues}


def _issue(issues: list[InputIssue], file: str, row: int, column: str) -> InputIssue:
    found = [i for i in issues if Path(i.file).name == file and i.row == row and i.column == column]
    assert found, f"no issue at {file}:{row}:{column}; got {[str(i) for i in issues]}"
    return found[0]


def test_every_error_of_a_run_is_reported_with_its_location() -> None:
    store = catalog_store()
    before = all_quads(store)
    with pytest.raises(InventoryLoadError) as caught:
        load([DATA / "errors"], store)
    issues = caught.value.issues
    expected = {
        ("people.csv", 3, "id"),  # duplicate id
        ("people.csv", 4, "email"),  # not an e-mail address
        ("people.csv", 4, "roles"),  # role nobody declared
        ("systems.csv", 3, "lifecycle_stage"),  # unknown enumeration value
        ("systems.csv", 3, "requires_fria"),  # not a boolean
        ("systems.csv", 4, "owner"),  # owner nobody declared
        ("systems.csv", 5, "id"),  # missing id
        ("risks.csv", 2, "likelihood"),  # not a number
        ("risks.csv", 2, "severity"),  # out of range
        ("risks.csv", 2, "level"),  # unknown risk level
        ("risks.csv", 3, "risk_source"),  # not in Annex C
        ("risks.csv", 3, "systems"),  # missing system
        ("controls.csv", 2, "annex_a_control"),  # an objective, not a control
        ("controls.csv", 3, "annex_a_control"),  # not in Annex A
        ("vendors.csv", 2, "last_assessment"),  # not ISO 8601
    }
    assert _located(issues) == expected
    assert all_quads(store) == before


def test_messages_name_the_value_and_what_was_expected() -> None:
    issues = plan([DATA / "errors"], catalog_store()).issues
    stage = _issue(issues, "systems.csv", 3, "lifecycle_stage")
    assert stage.value == "deploy" and "operation-monitoring" in stage.message
    duplicate = _issue(issues, "people.csv", 3, "id")
    assert duplicate.value == "P-1" and "people.csv:2" in duplicate.message
    owner = _issue(issues, "systems.csv", 4, "owner")
    assert owner.value == "P-404" and "person" in owner.message
    objective = _issue(issues, "controls.csv", 2, "annex_a_control")
    assert "not an Annex A control" in objective.message
    missing = _issue(issues, "controls.csv", 3, "annex_a_control")
    assert missing.value == "A.11.1" and "iso42001 catalog" in missing.message
    text = str(_issue(issues, "risks.csv", 2, "severity"))
    assert text.endswith(
        "risks.csv:2:severity: out of range: expected a whole number from 1 to 5 (value '9')"
    )


def test_missing_required_column_is_reported_at_the_header() -> None:
    issues = plan([DATA / "errors_missing_column"], catalog_store()).issues
    # The rows are still checked: this file alone names a person and a system nobody declared.
    assert _located(issues) == {
        ("risks.csv", 1, "level"),
        ("risks.csv", 2, "owner"),
        ("risks.csv", 2, "systems"),
    }
    assert "missing required column 'level'" in issues[0].message


def test_csv_in_the_wrong_encoding_reports_byte_offset_and_line() -> None:
    store = catalog_store()
    before = all_quads(store)
    issues = plan([DATA / "errors_encoding" / "people.csv"], store).issues
    raw = (DATA / "errors_encoding" / "people.csv").read_bytes()
    offset = raw.index(b"\xfc")
    assert len(issues) == 1
    assert issues[0].row == 3
    assert f"byte offset {offset}" in issues[0].message and "UTF-8" in issues[0].message
    assert all_quads(store) == before


def test_truncated_xlsx_is_a_located_error(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "systems"
    book.active.append(["id", "name"])
    whole = tmp_path / "whole.xlsx"
    book.save(whole)
    truncated = tmp_path / "inventory.xlsx"
    data = whole.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    store = catalog_store()
    before = all_quads(store)
    with pytest.raises(InventoryLoadError) as caught:
        load([truncated], store)
    (issue,) = caught.value.issues
    assert issue.file == str(truncated)
    assert "truncated or corrupt" in issue.message
    assert all_quads(store) == before


def test_one_bad_file_stops_the_whole_folder(tmp_path: Path) -> None:
    folder = tmp_path / "inventory"
    shutil.copytree(DATA / "valid_csv", folder)
    (folder / "vendors.csv").write_text(
        "id,name,last_assessment\nV-1,Acme,2026-02-30\n", encoding="utf-8"
    )
    store = catalog_store()
    before = all_quads(store)
    with pytest.raises(InventoryLoadError) as caught:
        load([folder], store)
    assert _located(caught.value.issues) == {("vendors.csv", 2, "last_assessment")}
    assert all_quads(store) == before


def test_unknown_column_file_and_path_are_errors(tmp_path: Path) -> None:
    (tmp_path / "systems.csv").write_text(
        "id,name,owner,lifecycle_stge\nSYS-1,X,P-1,inception\n", encoding="utf-8"
    )
    (tmp_path / "stuff.csv").write_text("id,name\n1,x\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    issues = plan(
        [
            tmp_path / "systems.csv",
            tmp_path / "stuff.csv",
            tmp_path / "notes.txt",
            tmp_path / "nope",
        ],
        catalog_store(),
    ).issues
    located = _located(issues)
    assert ("systems.csv", 1, "lifecycle_stge") in located
    assert ("systems.csv", 1, "lifecycle_stage") in located  # required column now missing
    assert ("stuff.csv", None, None) in located
    assert ("notes.txt", None, None) in located
    assert ("nope", None, None) in located


def test_yaml_errors_carry_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "inventory.yaml"
    path.write_text(
        "people:\n"
        "  - id: P-1\n"
        "    name: Ana\n"
        "systems:\n"
        "  - id: SYS-1\n"
        "    name: X\n"
        "    owner: P-1\n"
        "    lifecycle_stage: launched\n"
        "    requires_fria: 3\n",
        encoding="utf-8",
    )
    issues = plan([path], catalog_store()).issues
    assert _located(issues) == {
        ("inventory.yaml", 8, "lifecycle_stage"),
        ("inventory.yaml", 9, "requires_fria"),
    }


def test_yaml_and_json_syntax_errors_are_located(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("systems:\n  - id: [unclosed\n", encoding="utf-8")
    (tmp_path / "b.json").write_text('{"systems": [\n  {"id": "S"\n]}\n', encoding="utf-8")
    issues = plan([tmp_path / "a.yaml", tmp_path / "b.json"], catalog_store()).issues
    rows = {Path(i.file).name: i.row for i in issues}
    assert rows["a.yaml"] is not None and rows["b.json"] == 3


def test_xlsx_errors_name_sheet_row_and_column(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "systems"
    sheet.append(["id", "name", "owner", "lifecycle_stage"])
    sheet.append(["SYS-1", "Good", "P-1", "inception"])
    sheet.append(["SYS-2", "Bad", "P-1", "launched"])
    people = book.create_sheet("people")
    people.append(["id", "name"])
    people.append(["P-1", "Ana"])
    path = tmp_path / "inventory.xlsx"
    book.save(path)
    issues = plan([path], catalog_store()).issues
    assert [(i.file, i.row, i.column, i.value) for i in issues] == [
        (f"{path}[systems]", 3, "lifecycle_stage", "launched")
    ]


def test_json_errors_carry_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "inventory.json"
    path.write_text(
        '{"people": [\n  {"id": "P-1", "name": "Ana"}\n],\n'
        ' "systems": [\n  {"id": "S-1", "name": "X", "owner": "P-1",\n'
        '   "lifecycle_stage": "inception", "requires_fria": "perhaps"}\n]}\n',
        encoding="utf-8",
    )
    issues = plan([path], catalog_store()).issues
    assert _located(issues) == {("inventory.json", 6, "requires_fria")}


def test_missing_column_does_not_cascade_into_dangling_references(tmp_path: Path) -> None:
    shutil.copytree(DATA / "valid_csv", tmp_path / "inv")
    risks = tmp_path / "inv" / "risks.csv"
    risks.write_text(
        "id,title,risk_source,likelihood,severity,owner,systems\n"
        "R-1,Ranking bias,C.3.4,4,4,P-1,SYS-1\n",
        encoding="utf-8",
    )
    issues = plan([tmp_path / "inv"], catalog_store()).issues
    assert _located(issues) == {("risks.csv", 1, "level")}


def test_semicolon_separated_csv_gets_a_clear_hint(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("id;name;email\nP-1;Ana;ana@example.com\n", encoding="utf-8")
    (issue,) = plan([path], catalog_store()).issues
    assert (issue.row, issue.value) == (1, "id;name;email")
    assert "comma-separated" in issue.message
