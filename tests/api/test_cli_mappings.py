"""The mapping commands: `mappings`, `coverage` and `crosswalk ...` through the real CLI."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from aimstrace.api.cli import main
from aimstrace.graph.store import Store
from tests.store_support import mark_initialised

DATA = Path(__file__).resolve().parents[1] / "data" / "crosswalks"


@pytest.fixture
def store_dir(tmp_path: Path) -> str:
    folder = tmp_path / "store"
    store = Store(folder)
    for name, graph in (("mini-catalog.ttl", "catalog/test"), ("mini-org.ttl", "org")):
        node = ox.NamedNode(f"https://w3id.org/aimstrace/graph/{graph}")
        store.load_file(DATA / name, ox.RdfFormat.TURTLE, node)
    mark_initialised(store)
    store.flush()
    del store
    gc.collect()
    return str(folder)


def run(store_dir: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--store", store_dir, *args])
    outcome = result.exit_code, result.stdout, result.stderr
    # A failed command's traceback keeps its store open; drop it before the next command.
    del result
    gc.collect()
    return outcome


def test_mappings_json_contract(store_dir: str) -> None:
    code, out, _ = run(store_dir, "crosswalk", "load", "--dir", str(DATA))
    assert code == 0 and "nist-ai-rmf--iso42001" in out
    code, out, _ = run(store_dir, "mappings", "--from", "iso42001", "--to", "nist-ai-rmf", "--json")
    assert code == 0
    rows = json.loads(out)
    row = next(r for r in rows if r["object"] == "GOVERN 1.2")
    assert {
        k: row[k]
        for k in ("subject", "subject_framework", "object_framework", "relationship", "status")
    } == {
        "subject": "A.2.2",
        "subject_framework": "iso42001",
        "object_framework": "nist-ai-rmf",
        "relationship": "superset-of",  # stored as GOVERN 1.2 subset-of A.2.2
        "status": "asserted",
    }
    assert {"rationale", "strength", "justification"} <= set(row)
    code, out, _ = run(
        store_dir,
        "mappings",
        "--from",
        "nist-ai-rmf",
        "--to",
        "eu-ai-act",
        "--derived",
        "--requirement",
        "GOVERN 1.2",
        "--json",
    )
    assert code == 0
    assert [(r["object"], r["relationship"], r["status"]) for r in json.loads(out)] == [
        ("Art. 9", "subset-of", "derived")
    ]


def test_coverage_json(store_dir: str) -> None:
    run(store_dir, "crosswalk", "load", "--dir", str(DATA))
    code, out, _ = run(store_dir, "coverage", "--framework", "nist-ai-rmf", "--json")
    assert code == 0
    entries = {e["notation"]: e for e in json.loads(out)}
    assert entries["GOVERN 1.2"]["coverage"] == "full"
    assert entries["GOVERN 1.2"]["path"]["control"] == "CTL-001"
    assert entries["MEASURE 2.1"]["coverage"] == "none" and entries["MEASURE 2.1"]["path"] is None


def test_import_errors_are_listed_and_nothing_is_loaded(store_dir: str) -> None:
    code, _, err = run(
        store_dir,
        "crosswalk",
        "import",
        str(DATA / "olir-bad.csv"),
        "--format",
        "olir",
        "--focal",
        "nist-ai-rmf",
        "--reference",
        "iso42001",
    )
    assert code == 2
    assert "4 errors, nothing loaded" in err and "olir-bad.csv:3: column relationship" in err
    code, out, _ = run(store_dir, "mappings", "--from", "nist-ai-rmf", "--to", "iso42001", "--json")
    assert code == 0 and json.loads(out) == []


def test_import_then_export_oscal(store_dir: str, tmp_path: Path) -> None:
    code, out, _ = run(
        store_dir, "crosswalk", "import", str(DATA / "ciso-sample.yaml"), "--format", "ciso"
    )
    assert code == 0 and "imported 3 records" in out
    target = tmp_path / "out.json"
    code, _, _ = run(store_dir, "crosswalk", "export", "--format", "oscal", "-o", str(target))
    assert code == 0
    document = json.loads(target.read_text())
    assert document["mapping-collection"]["metadata"]["oscal-version"].startswith("1.2")


def test_derive_reports_candidates(store_dir: str) -> None:
    run(store_dir, "crosswalk", "load", "--dir", str(DATA))
    code, out, _ = run(store_dir, "crosswalk", "derive", "--candidates", "--json")
    assert code == 0
    summary = json.loads(out)
    assert summary["derived"] == 3 and summary["review_candidates"] == 1
    assert summary["candidates"][0]["subject"] == "MEASURE 2.1"


def test_mistyped_notation_and_framework_get_a_suggestion(store_dir: str) -> None:
    assert run(store_dir, "crosswalk", "load", "--dir", str(DATA))[0] == 0
    code, _, err = run(
        store_dir, "mappings", "--from", "iso42001", "--to", "nist-ai-rmf", "--requirement", "a.2.2"
    )
    assert code == 2
    assert "'a.2.2' is not a notation of iso42001 or nist-ai-rmf; did you mean 'A.2.2'?" in err
    code, _, err = run(store_dir, "requirements", "iso4200")
    assert code == 2 and "did you mean 'iso42001'" in err
    code, _, err = run(store_dir, "coverage", "--framework", "nist-ai-rm")
    assert code == 2 and "did you mean 'nist-ai-rmf'" in err
    code, _, err = run(store_dir, "query", "crosswalk", "--param", "requirement=iso42001:A.2.22")
    assert code == 2 and "no iso42001 requirement with notation 'A.2.22'; did you mean" in err
