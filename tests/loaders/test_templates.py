"""The shipped register templates copied out: every one, byte for byte, or none."""

from __future__ import annotations

from pathlib import Path

import pytest

from aimstrace.loaders.templates import template_names, write_templates, written_name

ROOT = Path(__file__).resolve().parents[2]


def test_every_shipped_template_is_written_byte_for_byte(tmp_path: Path) -> None:
    written = write_templates(tmp_path / "regs")
    shipped = sorted(p.name for p in (ROOT / "ontology" / "templates").iterdir() if p.is_file())
    assert template_names() == shipped
    assert sorted(p.name for p in written) == sorted(written_name(n) for n in shipped)
    for name in shipped:
        expected = (ROOT / "ontology" / "templates" / name).read_bytes()
        assert (tmp_path / "regs" / written_name(name)).read_bytes() == expected
    assert "organisation.yaml.example" in {p.name for p in written}


def test_an_existing_file_stops_the_copy_before_anything_is_written(tmp_path: Path) -> None:
    (tmp_path / "systems.csv").write_text("mine\n", encoding="utf-8")
    with pytest.raises(FileExistsError, match=r"systems\.csv"):
        write_templates(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["systems.csv"]
    assert (tmp_path / "systems.csv").read_text(encoding="utf-8") == "mine\n"
