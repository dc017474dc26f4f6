"""The input schemas page and the templates cover every register and column the loader knows."""

from __future__ import annotations

import csv
from pathlib import Path

from aimstrace.ontology.registers import REGISTERS

ROOT = Path(__file__).parents[2]


def test_every_register_and_column_is_documented() -> None:
    page = (ROOT / "docs" / "input-schemas.md").read_text(encoding="utf-8")
    for register in REGISTERS:
        section = page.split(f"### `{register.name}`", 1)
        assert len(section) == 2, f"register {register.name} not documented"
        body = section[1].split("\n### ", 1)[0]
        for column in register.columns:
            assert f"| `{column.name}` |" in body, f"{register.name}.{column.name} not documented"


def test_every_register_has_a_csv_template_with_its_columns() -> None:
    for register in REGISTERS:
        path = ROOT / "ontology" / "templates" / f"{register.name}.csv"
        with path.open(encoding="utf-8") as fh:
            header = next(csv.reader(fh))
        expected = {c.name for c in register.columns} | {register.label_column}
        assert set(header) - {"id"} == expected, register.name


def test_readme_links_the_input_schemas() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/input-schemas.md" in readme and "Loading your inventory" in readme
