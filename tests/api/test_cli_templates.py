"""`aimstrace templates`: a wheel user's way to the templates, loadable once filled in."""

from __future__ import annotations

from pathlib import Path

from api_support import run_cli as run  # type: ignore[import-not-found]


def test_templates_filled_in_load_into_an_initialised_store(tmp_path: Path) -> None:
    regs, store = tmp_path / "regs", str(tmp_path / "store")
    result = run("templates", str(regs))
    assert result[0] == 0, result[2]
    with (regs / "organisation.csv").open("a", encoding="utf-8") as out:
        out.write("ORG-T,Tiny Co,low\n")
    with (regs / "systems.csv").open("a", encoding="utf-8") as out:
        out.write("SYS-1,Scorer,,design-development,Score loan applicants\n")
    organisation = str(regs / "organisation.csv")
    initialised = run("--store", store, "init", "--organisation", organisation)
    assert initialised[0] == 0, initialised[2]
    loaded = run("--store", store, "load", str(regs))
    assert loaded[0] == 0, loaded[2]
    listed = run("--store", store, "list", "systems", "--json")
    assert "SYS-1" in listed[1]
    again = run("templates", str(regs))
    assert again[0] == 2 and "would overwrite" in again[2]
