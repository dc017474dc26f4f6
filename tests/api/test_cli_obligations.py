"""`aimstrace obligations` and `aimstrace timeline` on a store holding the EU AI Act fixture."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from aimstrace.api.cli import main

FIXTURE = Path(__file__).resolve().parent.parent / "data" / "eu_ai_act" / "organisation.yaml"


def run(store_dir: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--store", store_dir, *args])
    outcome = result.exit_code, result.stdout, result.stderr
    del result
    gc.collect()
    return outcome


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = str(tmp_path_factory.mktemp("eu") / "store")
    assert run(folder, "init")[0] == 0  # one organisation per store: no example here
    assert run(folder, "load", str(FIXTURE))[0] == 0
    return folder


def test_obligations_json_and_table(store_dir: str) -> None:
    code, out, _ = run(store_dir, "obligations", "SYS-BOT", "--as-of", "2026-12-02", "--json")
    assert code == 0
    answer = json.loads(out)
    found = {(r["provision"], r["applies_from"], r["status"]) for r in answer["obligations"]}
    assert ("Art. 50(2)", "2026-12-02", "in-force") in found
    code, out, _ = run(store_dir, "obligations", "SYS-CV", "--as-of", "2026-12-02")
    assert code == 0 and "Art. 27" in out and "contradiction: [EU AI Act Art. 27(1)]" in out


def test_bad_as_of_and_unknown_system(store_dir: str) -> None:
    code, _, err = run(store_dir, "obligations", "SYS-CV", "--as-of", "02/12/2026")
    assert code == 2 and "02/12/2026" in err and "Traceback" not in err
    code, _, err = run(store_dir, "obligations", "SYS-404")
    assert code == 2 and "SYS-404" in err


def test_timeline_json(store_dir: str) -> None:
    code, out, _ = run(store_dir, "timeline", "--json")
    assert code == 0
    rows = json.loads(out)
    assert any(r["change"].startswith("inserted") for r in rows)
    assert {r["system"] for r in rows} >= {"SYS-CV"}


def test_obligations_table_lists_the_size_relief(tmp_path: Path) -> None:
    registers = tmp_path / "organisation.yaml"
    text = FIXTURE.read_text("utf-8").replace("enterprise_size: large", "enterprise_size: sme")
    registers.write_text(text, "utf-8")
    folder = str(tmp_path / "store")
    assert run(folder, "init")[0] == 0
    assert run(folder, "load", str(registers))[0] == 0
    code, out, _ = run(folder, "obligations", "SYS-MD1", "--as-of", "2028-09-01")
    assert code == 0
    assert "size relief, Art. 11: Art. 11(1) second subparagraph: Technical documentation" in out
    assert "size relief, fines: Art. 99(6): Each fine of Art. 99(3), (4) and (5)" in out
