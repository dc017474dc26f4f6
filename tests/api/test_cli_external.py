"""External frameworks through the real CLI: import, read, remove (tests/data/interop)."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from aimstrace.api.cli import main
from aimstrace.graph.engine import Engine

CISO = Path(__file__).resolve().parents[1] / "data" / "interop" / "ciso"
MAPPING = CISO / "mapping-iso27001-2013-to-iso27001-2022.yaml"
SET = "mapping-iso27001-2013-to-iso27001-2022"


@pytest.fixture(scope="module")
def catalogs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store folder with the vocabulary and our catalogs (copied per test)."""
    folder = tmp_path_factory.mktemp("catalogs") / "store"
    engine = Engine.open(folder)
    engine.load_vocabulary()
    engine.load_catalogs()
    engine.store.flush()
    del engine
    gc.collect()
    return folder


@pytest.fixture
def store_dir(catalogs: Path, tmp_path: Path) -> str:
    import shutil

    target = tmp_path / "store"
    shutil.copytree(catalogs, target)
    return str(target)


def run(store_dir: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--store", store_dir, *args])
    outcome = result.exit_code, result.stdout, result.stderr
    del result
    gc.collect()
    return outcome


def _frameworks(store_dir: str) -> dict[str, dict[str, object]]:
    code, out, _ = run(store_dir, "frameworks", "--json")
    assert code == 0
    return {f["id"]: f for f in json.loads(out)}


def test_import_read_and_remove_an_external_framework(store_dir: str) -> None:
    code, out, err = run(store_dir, "crosswalk", "import", str(MAPPING), "--format", "ciso")
    assert code == 0, err
    assert "external framework iso27001-2013" in out
    framework = _frameworks(store_dir)["iso27001-2013"]
    assert framework["external"] is True and framework["requirements"] == 131
    assert _frameworks(store_dir)["iso27001"]["external"] is False

    code, out, _ = run(store_dir, "requirements", "iso27001-2013", "--json")
    assert code == 0 and "a.8.1.4" in {r["notation"] for r in json.loads(out)}
    code, out, _ = run(
        store_dir, "mappings", "--from", "iso27001-2013", "--to", "iso27001", "--json"
    )
    rows = {(m["subject"], m["object"]): m["relationship"] for m in json.loads(out)}
    assert code == 0 and rows[("a.8.1.4", "A.5.11")] == "equal"
    # the other way round: the 2022 control read against the 2013 one
    code, out, _ = run(
        store_dir, "mappings", "--from", "iso27001", "--to", "iso27001-2013", "--json"
    )
    back = {(m["subject"], m["object"]): m["relationship"] for m in json.loads(out)}
    assert back[("9.2.1", "9.2")] == "subset-of"
    code, out, _ = run(store_dir, "coverage", "--framework", "iso27001-2013", "--json")
    entries = json.loads(out)
    assert code == 0 and len(entries) == 131 and {e["coverage"] for e in entries} == {"none"}

    # refused while the mapping set uses it: every record located, nothing removed
    code, _, err = run(store_dir, "crosswalk", "remove-framework", "iso27001-2013")
    assert code == 1
    lines = [line for line in err.splitlines() if line.startswith(f"mapping set {SET}")]
    assert len(lines) == 134
    assert any("iso27001-2013 a.8.1.4;" in line for line in lines)
    assert "nothing was removed" in err
    assert "iso27001-2013" in _frameworks(store_dir)

    code, out, err = run(
        store_dir, "crosswalk", "remove-framework", "iso27001-2013", "--with-mapping-sets"
    )
    assert code == 0, err
    assert f"mapping sets {SET}" in out
    assert "iso27001-2013" not in _frameworks(store_dir)
    code, _, err = run(store_dir, "crosswalk", "export", "--format", "sssom", "--set", SET)
    assert code != 0 and "no mapping set" in err


def test_our_catalogs_and_unknown_ids_are_refused(store_dir: str) -> None:
    code, _, err = run(store_dir, "crosswalk", "remove-framework", "iso27001")
    assert code == 1 and "own catalogs" in err
    run(store_dir, "crosswalk", "import", str(MAPPING), "--format", "ciso")
    code, _, err = run(store_dir, "crosswalk", "remove-framework", "iso27001-2031")
    assert code == 1 and "did you mean 'iso27001-2013'" in err
    code, _, err = run(store_dir, "mappings", "--from", "iso9001", "--to", "iso27001")
    assert code == 2 and "unknown framework id 'iso9001'" in err


def test_a_framework_library_alone_can_be_removed(store_dir: str) -> None:
    library = CISO / "iso27001-2013.cut.yaml"
    code, _, err = run(store_dir, "crosswalk", "import", str(library), "--format", "ciso")
    assert code == 0, err
    code, out, _ = run(store_dir, "crosswalk", "remove-framework", "iso27001-2013", "--dry-run")
    assert code == 0 and "would remove" in out and "(8 requirements)" in out
    assert "iso27001-2013" in _frameworks(store_dir)
    code, _, _ = run(store_dir, "crosswalk", "remove-framework", "iso27001-2013")
    assert code == 0 and "iso27001-2013" not in _frameworks(store_dir)
