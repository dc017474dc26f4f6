"""The named-query commands through the real CLI: `queries`, `query`, `trace`, `impact`."""

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

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "queries" / "fixture.ttl"
DATA = "https://w3id.org/aimstrace/data/"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("queries") / "store"
    store = Store(folder)
    # The CLI reads initialised stores only; the fixture already holds the terms it needs.
    mark_initialised(store)
    store.load_file(
        FIXTURE, ox.RdfFormat.TURTLE, ox.NamedNode("https://w3id.org/aimstrace/graph/org")
    )
    store.flush()
    del store
    gc.collect()
    return str(folder)


def run(store_dir: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--store", store_dir, *args])
    outcome = result.exit_code, result.stdout, result.stderr
    del result  # a failed command's traceback keeps its store open
    gc.collect()
    return outcome


def test_queries_lists_every_named_query(store_dir: str) -> None:
    code, out, _ = run(store_dir, "queries", "--json")
    assert code == 0
    listed = {q["name"]: q for q in json.loads(out)}
    assert "system-trace" in listed and "explain-path" in listed
    assert listed["untreated-risks"]["parameters"][0]["name"] == "min_level"
    assert listed["explain-path"]["requires"] == ["shortest-path"]
    code, out, _ = run(store_dir, "queries")
    assert code == 0 and "framework-coverage" in out and "min_frameworks:integer" in out


def test_query_json_is_objects_keyed_by_the_declared_columns(store_dir: str) -> None:
    code, out, _ = run(
        store_dir, "query", "untreated-risks", "--param", "min_level=medium", "--json"
    )
    assert code == 0
    rows = json.loads(out)
    assert [r["identifier"] for r in rows] == ["RSK-2", "RSK-3"]
    assert list(rows[0]) == ["risk", "identifier", "label", "level", "system", "owner", "reason"]


def test_query_on_the_rdflib_backend(store_dir: str) -> None:
    code, out, _ = run(
        store_dir,
        "query",
        "control-overlap",
        "--param",
        "min_frameworks=3",
        "--backend",
        "rdflib",
        "--json",
    )
    assert code == 0
    assert {r["identifier"] for r in json.loads(out)} == {"CTL-1"}


def test_query_table_output(store_dir: str) -> None:
    code, out, _ = run(store_dir, "query", "orphans")
    assert code == 0 and "unused-dataset" in out and "(3 rows)" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", "no-such"], "unknown query 'no-such'"),
        (["query", "untreated-risks"], "parameter 'min_level': missing required"),
        (
            ["query", "untreated-risks", "--param", "min_level=high", "--param", "x=1"],
            "'x': unknown",
        ),
        (["query", "control-overlap", "--param", "min_frameworks=many"], "expected an integer"),
        (["query", "system-trace", "--param", "system=> } ; DROP ALL"], "'system'"),
        # An id that names nothing is the same error from the trace and from a named query.
        (["trace", "SYS-404"], "no system with id 'SYS-404'"),
        (["query", "system-trace", "--param", "system=SYS-404"], "no system with id 'SYS-404'"),
        (["query", "dataset-impact", "--param", "dataset=DS-404"], "no dataset with id 'DS-404'"),
        (["impact", "vendor", "VEN-404"], "no vendor with id 'VEN-404'"),
    ],
)
def test_bad_input_is_one_clear_error_line(store_dir: str, args: list[str], message: str) -> None:
    code, _, err = run(store_dir, *args)
    assert code == 2
    assert message in err and err.startswith("aimstrace: error:")


def test_param_without_equals_is_a_usage_error(store_dir: str) -> None:
    code, _, err = run(store_dir, "query", "orphans", "--param", "oops")
    assert code == 2 and "expected KEY=VALUE" in err


def test_trace_and_impact(store_dir: str) -> None:
    code, out, _ = run(store_dir, "trace", "SYS-1", "--json")
    assert code == 0
    categories = {r["category"] for r in json.loads(out)}
    assert {"owner", "dataset", "vendor", "risk", "control", "evidence", "obligation"} <= categories
    code, out, _ = run(store_dir, "impact", "dataset", "DS-1", "--json")
    assert code == 0
    systems = {r["entity"] for r in json.loads(out) if r["category"] == "system"}
    assert systems == {f"{DATA}system/SYS-1"}
    code, out, _ = run(store_dir, "impact", "person", "PER-3")
    assert code == 0 and "SYS-3" in out


def test_impact_gives_the_named_query_rows_with_a_summary_first(store_dir: str) -> None:
    code, out, _ = run(store_dir, "impact", "dataset", "DS-1", "--json")
    assert code == 0
    rows = json.loads(out)
    code, out, _ = run(store_dir, "query", "dataset-impact", "--param", "dataset=DS-1", "--json")
    assert code == 0 and json.loads(out) == rows
    code, out, _ = run(store_dir, "impact", "dataset", "DS-1", "--summary", "--json")
    summary = json.loads(out)
    assert summary["rows"] == len(rows)
    assert summary["by_category"]["system"] == len(
        {r["entity"] for r in rows if r["category"] == "system"}
    )
    code, out, _ = run(store_dir, "impact", "vendor", "VEN-1")
    assert code == 0
    assert out.index("Reached, by category") < out.index("Requirements, by framework")
    assert out.index("Accountable owners") < out.index("identifier"), out
    assert out.rstrip().endswith("rows)")
    code, _, err = run(store_dir, "impact", "dataset", "DS-404")
    assert code == 2 and "no dataset with id 'DS-404'" in err
