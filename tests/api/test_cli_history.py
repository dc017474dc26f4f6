"""`aimstrace history`, `diff` and `--at` through the real CLI on a real on-disk store."""

from __future__ import annotations

import gc
import getpass
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from aimstrace.api.cli import main

HISTORY = Path(__file__).resolve().parents[1] / "data" / "history"
AS_OF = "2026-06-30"


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str


def _run(store: Path, *args: str) -> Outcome:
    result = CliRunner().invoke(main, ["--store", str(store), *args])
    outcome = Outcome(result.exit_code, result.stdout, result.stderr)
    del result
    gc.collect()  # the finished command's engine keeps the store open until collected
    return outcome


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """The demo, then the three loads of tests/data/history, each with a message."""
    path = tmp_path / "store"
    assert _run(path, "demo").exit_code == 0
    for number in (1, 2, 3):
        outcome = _run(path, "load", "-m", f"load {number}", str(HISTORY / f"load{number}.yaml"))
        assert outcome.exit_code == 0, outcome.stderr
    return path


def _loads(store: Path) -> list[str]:
    revisions = json.loads(_run(store, "history", "--json").stdout)
    return [
        r["revision"] for r in reversed(revisions) if r["message"] in ("load 1", "load 2", "load 3")
    ]


def test_history_lists_the_os_user_command_message_and_sources(store: Path) -> None:
    revisions = json.loads(_run(store, "history", "--json").stdout)
    newest = revisions[0]
    assert newest["actor"] == getpass.getuser()
    assert newest["message"] == "load 3" and newest["command"].startswith("aimstrace --store ")
    assert "load load3.yaml" not in newest["command"] and " load -m " in newest["command"]
    assert [s["path"] for s in newest["sources"]] == [str(HISTORY / "load3.yaml")]
    table = _run(store, "history").stdout
    assert "load 3" in table and newest["revision"] in table
    verified = _run(store, "history", "--verify")
    assert verified.exit_code == 0 and "the chain holds" in verified.stdout


def test_at_on_list_trace_query_and_validate(store: Path) -> None:
    load1, load2, _ = _loads(store)
    then = json.loads(_run(store, "list", "systems", "--json", "--at", load1).stdout)
    assert [s["label"] for s in then if s["id"] == "SYS-H1"] == ["Claims triage"]
    now = json.loads(_run(store, "list", "systems", "--json").stdout)
    assert [s["label"] for s in now if s["id"] == "SYS-H1"] == ["Claims triage v2"]
    trace = _run(store, "trace", "SYS-H1", "--json", "--at", load1).stdout
    assert "DS-H1" not in trace and "DS-H1" in _run(store, "trace", "SYS-H1", "--json").stdout
    query = _run(
        store, "query", "system-trace", "--param", "system=SYS-H1", "--json", "--at", load2
    )
    assert "DS-H1" in query.stdout
    report_then = _run(store, "validate", "--as-of", AS_OF, "--json", "--at", load2)
    report_now = _run(store, "validate", "--as-of", AS_OF, "--json")
    focus_then = {
        (r["requirement"], r["focus_label"]) for r in json.loads(report_then.stdout)["results"]
    }
    focus_now = {
        (r["requirement"], r["focus_label"]) for r in json.loads(report_now.stdout)["results"]
    }
    assert ("A.7.5", "DS-H1 Claims archive") in focus_then - focus_now
    refused = _run(store, "validate", "--at", load1, "--write-back")
    assert refused.exit_code == 2 and "read-only" in refused.stderr


def test_diff_and_gap_history(store: Path) -> None:
    load1, load2, load3 = _loads(store)
    body = json.loads(_run(store, "diff", load1, load2, "--as-of", AS_OF, "--json").stdout)
    assert body["entities"]["systems"]["changed"] == ["SYS-H1"]
    # With the example organisation's risk appetite, the untreated high risk is a 6.1.3 gap too.
    opened = {(g["requirement"], g["focus_label"]) for g in body["gaps_opened"]}
    assert opened == {(f"A.7.{n}", "DS-H1 Claims archive") for n in (3, 4, 5)} | {
        ("6.1.3", "R-H1 Unfair claim rejections")
    }
    text = _run(store, "diff", load2, load3, "--as-of", AS_OF).stdout
    assert "4 closed" in text
    gaps = json.loads(_run(store, "history", "gaps", "--as-of", AS_OF, "--json").stdout)
    closed = {
        (g["requirement"], g["focus_label"], g["closed"])
        for g in gaps
        if g["closed"] and g["first_seen"] == load2
    }
    assert closed == {(f"A.7.{n}", "DS-H1 Claims archive", load3) for n in (3, 4, 5)} | {
        ("6.1.3", "R-H1 Unfair claim rejections", load3)
    }

    # The Statement of Applicability gaps of the bare catalog closed when the demo's SoA loaded.
    def number(revision: str) -> int:
        return int(revision.removeprefix("r"))

    soa = [
        g
        for g in gaps
        if g["requirement"] == "6.1.3" and g["closed"] and number(g["first_seen"]) < number(load1)
    ]
    assert soa and all(number(g["closed"]) < number(load1) for g in soa)


def test_bad_revisions_exit_2_and_a_tampered_history_exits_1(store: Path) -> None:
    for args in (
        ("list", "systems", "--at", "r999"),
        ("diff", "r999"),
        ("trace", "SYS-H1", "--at", "1999-01-01"),
    ):
        outcome = _run(store, *args)
        assert outcome.exit_code == 2, outcome
        assert outcome.stderr.startswith("aimstrace: error: ") and "Traceback" not in outcome.stderr
    with sqlite3.connect(store / "history.sqlite") as db:
        db.execute("UPDATE revisions SET actor = 'mallory' WHERE id = 3")
    tampered = _run(store, "history", "--verify")
    assert tampered.exit_code == 1 and "r3" in tampered.stderr


def test_history_as_prov_o(store: Path) -> None:
    from rdflib import Graph, Literal, Namespace, URIRef
    from rdflib.namespace import RDF

    prov = Namespace("http://www.w3.org/ns/prov#")
    graph = Graph().parse(data=_run(store, "history", "--turtle").stdout, format="turtle")
    activities = set(graph.subjects(RDF.type, prov.Activity))
    revisions = json.loads(_run(store, "history", "--json").stdout)
    assert len(activities) == len(revisions)
    newest = revisions[0]
    node = next(a for a in activities if str(a).endswith("/" + newest["revision"]))
    used = set(graph.objects(node, prov.used))
    assert used == {URIRef(f"urn:sha256:{newest['sources'][0]['sha256']}")}
    assert Literal(newest["hash"]) in set(graph.objects(node, None))
    assert (node, prov.wasInformedBy, None) in graph


def test_the_gap_report_says_since_when_each_gap_is_open(store: Path) -> None:
    load1, load2, load3 = _loads(store)
    results = json.loads(_run(store, "validate", "--as-of", AS_OF, "--json").stdout)["results"]
    since = {(r["requirement"], r["focus_label"]): r["open_since"] for r in results}
    assert since[("7.5", "C-H1 Fairness review of triage outcomes")] == load3
    assert since[("A.9.4", "SYS-H1 Claims triage v2")] == load1
    assert all(r["open_since_time"] for r in results)
    then = _run(store, "validate", "--as-of", AS_OF, "--format", "json", "--at", load2)
    dated = {
        (r["requirement"], r["focus_label"]): r["open_since"]
        for r in json.loads(then.stdout)["results"]
    }
    assert dated[("A.7.3", "DS-H1 Claims archive")] == load2
    markdown = _run(store, "validate", "--as-of", AS_OF, "--format", "md").stdout
    assert "| open since |" in markdown and f"| {load3} (" in markdown
    html = _run(store, "validate", "--as-of", AS_OF, "--format", "html").stdout
    assert "<th>open since</th>" in html
    plain = _run(store, "validate", "--as-of", AS_OF, "--json", "--no-open-since").stdout
    assert "open_since" not in plain


def test_report_at_a_revision_and_gaps_closed_since_a_date(store: Path) -> None:
    load1, load2, load3 = _loads(store)
    then = _run(store, "report", "gaps", "--as-of", AS_OF, "--at", load2, "--format", "md")
    now = _run(store, "report", "gaps", "--as-of", AS_OF, "--format", "md")
    assert then.exit_code == 0 and now.exit_code == 0, then.stderr
    assert "A.7.3" in then.stdout and "A.7.3" not in now.stdout
    assert "open since" in now.stdout and f"{load3} (" in now.stdout
    closed = _run(
        store, "report", "gaps", "--as-of", AS_OF, "--closed-since", "2000-01-01", "--format", "md"
    ).stdout
    section = closed.split("Closed since 2000-01-01", 1)[1]
    assert "A.7.3" in section and f"{load2} (" in section and f"{load3} (" in section
    later = _run(
        store, "report", "gaps", "--as-of", AS_OF, "--closed-since", "2999-01-01", "--format", "md"
    ).stdout
    assert "No gap was closed on or after 2999-01-01." in later
    soa_then = _run(store, "report", "soa", "--at", load1, "--format", "md")
    assert soa_then.exit_code == 0
    for args in (
        ("report", "gaps", "--at", "r999", "--format", "md"),
        ("report", "gaps", "--at", "1999-01-01", "--format", "md"),
        ("report", "gaps", "--closed-since", "yesterday", "--format", "md"),
        ("report", "soa", "--closed-since", "2020-01-01", "--format", "md"),
    ):
        outcome = _run(store, *args)
        assert outcome.exit_code == 2, (args, outcome)
        assert "Traceback" not in outcome.stderr
