"""The validation runner: one violating case per constraint, engines agree, example org, CLI."""

from __future__ import annotations

import gc
import json
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from rdflib import Graph, URIRef

from aimstrace.api.cli import main
from aimstrace.graph.engine import Engine
from aimstrace.graph.store import Changeset, Store
from aimstrace.graph.validation.gaps import SEVERITIES
from aimstrace.graph.validation.incremental import affected_focus_nodes, validate_changes
from aimstrace.graph.validation.runner import ORG_GRAPH, load_shape_files, parse_as_of, validate
from aimstrace.graph.validation.shapes import ValidationError, packaged_shapes
from aimstrace.graph.validation.writeback import GAPS_GRAPH, nonconformity_id
from aimstrace.loaders.pipeline import load_example

DATA = Path(__file__).resolve().parents[1] / "data" / "validation"
REPO = Path(__file__).resolve().parents[2]
SHAPES_NS = "https://w3id.org/aimstrace/shapes#"
AS_OF = "2026-11-01"
EU_AS_OF = "2028-09-01"  # after both deferred EU AI Act high-risk dates
CASES: dict[str, dict[str, object]] = yaml.safe_load((DATA / "cases.yaml").read_text("utf-8"))
ORG = ox.NamedNode(ORG_GRAPH)


def _prefixes() -> str:
    header = [
        line
        for line in (DATA / "conforming.ttl").read_text("utf-8").splitlines()
        if line.startswith("@prefix")
    ]
    return "\n".join([*header, "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> ."])


PREFIXES = _prefixes()


def _expand(graph: Graph, curie: str) -> URIRef:
    prefix, local = curie.split(":", 1)
    namespace = dict(graph.namespaces())[prefix]
    return URIRef(str(namespace) + local)


def patched_org(case: dict[str, object] | None) -> Graph:
    """conforming.ttl with one case's drops and additions applied."""
    graph = Graph().parse(data=PREFIXES + "\n" + (DATA / "conforming.ttl").read_text("utf-8"))
    graph.bind("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#", override=True)
    if case is None:
        return graph
    for pattern in case.get("drop", []):  # type: ignore[attr-defined]
        terms = [_expand(graph, t) for t in str(pattern).split()]
        graph.remove((terms[0], terms[1], terms[2] if len(terms) > 2 else None))
    if case.get("add"):
        graph.parse(data=PREFIXES + "\n" + str(case["add"]), format="turtle")
    return graph


def _as_triples(graph: Graph) -> list[ox.Triple]:
    text = graph.serialize(format="nt")
    return [q.triple for q in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)]


def _with_org(engine: Engine, graph: Graph) -> Store:
    engine.store.replace_graph(ORG, _as_triples(graph))
    engine.derive_obligations()  # as a load does: the EU shapes read the derived obligations
    return engine.store


def test_conforming_fixture_has_no_results(engine: Engine) -> None:
    report = validate(_with_org(engine, patched_org(None)), AS_OF, engine="turbo")
    assert report.records == []
    assert report.conforms


def test_every_shape_and_constraint_has_a_violating_case() -> None:
    carriers = {str(k)[len(SHAPES_NS) :] for k in packaged_shapes().enforces}
    assert sorted(carriers) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_violating_case(engine: Engine, name: str) -> None:
    case = CASES[name]
    graph = patched_org(case)
    focus = str(_expand(graph, str(case["focus"])))
    report = validate(_with_org(engine, graph), str(case.get("as_of", AS_OF)), engine="turbo")
    hits = [r for r in report.records if r.shape == SHAPES_NS + name and r.focus == focus]
    assert hits, f"{name} found nothing on {focus}: {[(r.shape, r.focus) for r in report.records]}"
    assert all(r.requirement and r.framework for r in hits)


def _all_cases_at_once() -> Graph:
    graph = patched_org(None)
    for case in CASES.values():
        if case is CASES.get("AISystem-EU-upcoming"):
            continue  # its drop would hide nothing else; kept apart so the others stay comparable
        for pattern in case.get("drop", []):  # type: ignore[attr-defined]
            terms = [_expand(graph, t) for t in str(pattern).split()]
            graph.remove((terms[0], terms[1], terms[2] if len(terms) > 2 else None))
    for case in CASES.values():
        if case.get("add"):
            graph.parse(data=PREFIXES + "\n" + str(case["add"]), format="turtle")
    return graph


def test_turbo_reports_equal_pyshacl_on_fixtures(engine: Engine) -> None:
    store = _with_org(engine, _all_cases_at_once())
    for when in (AS_OF, EU_AS_OF):
        turbo = validate(store, when, engine="turbo")
        baseline = validate(store, when, engine="pyshacl")
        assert len(turbo.records) > 60
        assert set(turbo.records) == set(baseline.records)


# ----- the example organisation ----------------------------------------------------------------


@pytest.fixture(scope="module")
def example() -> Engine:
    engine = Engine.open(None)
    engine.load_vocabulary()
    engine.load_catalogs()
    load_example(engine)
    return engine


def _known_gaps() -> list[tuple[str, str]]:
    text = (REPO / "ontology" / "example" / "KNOWN_GAPS.md").read_text("utf-8")
    assert f"**As-of date: {AS_OF}.**" in text
    rows = re.findall(r"^\| ([^|]+?) \| ([^|]+?) \| .+\|$", text, flags=re.M)
    return [(req, focus) for req, focus in rows if req not in ("requirement", "---")]


def _identifier(store: Store, iri: str) -> str:
    rows = store.select(
        "SELECT ?s ?id WHERE { ?s <http://purl.org/dc/terms/identifier> ?id }",
        {"s": ox.NamedNode(iri)},
    )
    return rows[0]["id"].value if rows else iri


def test_every_known_gap_of_the_example_is_found_and_no_other_violation(example: Engine) -> None:
    report = validate(example.store, AS_OF)
    known = _known_gaps()
    assert len(known) == 9
    found = {(r.requirement, _identifier(example.store, r.focus)) for r in report.records}
    missing = [gap for gap in known if gap not in found]
    assert missing == []
    violations = {
        (r.requirement, _identifier(example.store, r.focus))
        for r in report.records
        if r.severity == "Violation"
    }
    assert violations - set(known) == set()
    # EU AI Act high-risk duties are not in force on 2026-11-01 (as amended by 2026/1744): the
    # FRIA of SYS-008 is no violation yet; the Annex III duties are Info "applies from 2027-12-02".
    assert ("Art. 27", "SYS-008") not in violations
    upcoming = [r for r in report.records if r.severity == "Info" and "2027-12-02" in r.message]
    assert upcoming and all(r.requirement == "Art. 113" for r in upcoming)
    later = validate(example.store, "2028-09-01")
    assert any(r.requirement == "Art. 26" for r in later.records)
    assert not any(r.requirement == "Art. 26" for r in report.records)


def test_turbo_reports_equal_pyshacl_on_the_example(example: Engine) -> None:
    turbo = validate(example.store, AS_OF, engine="turbo")
    baseline = validate(example.store, AS_OF, engine="pyshacl")
    assert set(turbo.records) == set(baseline.records)


def test_a_later_evaluation_date_finds_more_date_gaps(example: Engine) -> None:
    now = validate(example.store, AS_OF)
    later = validate(example.store, "2027-12-31")
    assert later.counts()["Violation"] > now.counts()["Violation"]


D = "https://w3id.org/aimstrace/data/"
NS = "https://w3id.org/aimstrace/ns#"
XSD_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
# (subject, predicate, new object or None to only remove): one write each.
CHANGES = {
    "system out of scope, owner dropped, new dataset": [
        (D + "system/SYS-002", NS + "accountableOwner", None),
        (D + "system/SYS-002", NS + "excludedFromScope", ox.Literal("true", datatype=XSD_BOOLEAN)),
        (D + "system/SYS-002", NS + "usesDataset", ox.NamedNode(D + "dataset/DS-014")),
    ],
    "control no longer implemented": [
        (D + "control/CTL-033", NS + "controlStatus", ox.NamedNode(NS + "status-planned")),
    ],
    "treatment becomes acceptance": [
        (D + "treatment/TRT-001", NS + "treatmentOption", ox.NamedNode(NS + "option-accept")),
    ],
    "upstream dataset loses provenance": [(D + "dataset/DS-001", NS + "provenance", None)],
    "retired system back in operation": [
        (
            D + "system/SYS-013",
            NS + "lifecycleStage",
            ox.NamedNode(NS + "stage-operation-monitoring"),
        ),
    ],
}


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_incremental_validation_equals_a_full_run(name: str) -> None:
    engine = Engine.open(None)
    engine.load_vocabulary()
    engine.load_catalogs()
    load_example(engine)
    store = engine.store
    before = validate(store, AS_OF)
    remove: tuple[ox.Quad, ...] = ()
    add: tuple[ox.Quad, ...] = ()
    for subject, predicate, value in CHANGES[name]:
        s, p = ox.NamedNode(subject), ox.NamedNode(predicate)
        if predicate != NS + "usesDataset":
            remove += tuple(store.oxigraph.quads_for_pattern(s, p, None, ORG))
        if value is not None:
            add += (ox.Quad(s, p, value, ORG),)
    changes = Changeset(remove=remove, add=add)
    store.apply(changes)
    assert ox.NamedNode(CHANGES[name][0][0]) in affected_focus_nodes(store, changes)
    incremental = validate_changes(store, changes, before)
    full = validate(store, AS_OF)
    assert set(incremental.records) == set(full.records)
    assert set(full.records) != set(before.records)


# ----- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2026-13-01", "01/11/2026", "2026-1-1", "today", ""])
def test_bad_as_of_is_an_error(text: str) -> None:
    with pytest.raises(ValidationError, match="--as-of"):
        parse_as_of(text)


def test_as_of_accepts_iso_dates() -> None:
    assert parse_as_of("2026-02-28").isoformat() == "2026-02-28"


def test_shacl_shacl_findings_are_reported_and_the_engines_say_why_they_cannot_run(
    engine: Engine, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <http://example.org/> .\n"
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ;\n"
        '  sh:property [ sh:path ex:p ; sh:minCount "one" ] .\n'
    )
    shapes = load_shape_files([bad])
    assert len(shapes.warnings) == 1
    assert re.search(r"bad\.ttl: SHACL-SHACL: .*sh:minCount", shapes.warnings[0])
    with pytest.raises(
        ValidationError, match=r"(?s)pyshacl-turbo cannot run.*minCount.*SHACL-SHACL"
    ):
        engine.validate(AS_OF, shapes=[bad], engine="turbo")
    # pySHACL builds a constraint only for a shape with focus nodes (no ex:C here): `auto`
    # falls back to it, and says both what SHACL-SHACL found and why.
    report = engine.validate(AS_OF, shapes=[bad])
    assert report.engine == "pyshacl" and report.records == []
    assert re.search(r"bad\.ttl: SHACL-SHACL: .*sh:minCount", report.notes[0])
    assert "validated with pySHACL instead" in report.notes[1]


def test_unparseable_and_unrunnable_shapes_are_errors(engine: Engine, tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("this is not turtle")
    with pytest.raises(ValidationError, match=r"broken\.ttl: not valid Turtle: .*line 1"):
        load_shape_files([broken])
    values = tmp_path / "values.ttl"
    values.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <http://example.org/> .\n"
        'ex:S a sh:NodeShape ; sh:targetNode ex:n ; sh:sparql [ sh:select """'
        'SELECT $this WHERE { VALUES ?x { 1 } }""" ] .\n'
    )
    assert load_shape_files([values]).warnings == []  # valid SHACL-SHACL, unrunnable SPARQL
    with pytest.raises(ValidationError, match=r"pyshacl-turbo cannot run these shapes: .*VALUES"):
        engine.validate(AS_OF, shapes=[values], engine="turbo")
    with pytest.raises(ValidationError, match=r"pyshacl-turbo: .*VALUES.*pySHACL: .*VALUES"):
        engine.validate(AS_OF, shapes=[values])
    with pytest.raises(ValidationError, match="does not exist"):
        load_shape_files([tmp_path / "missing.ttl"])


def test_user_shapes_replace_the_packaged_ones(engine: Engine, tmp_path: Path) -> None:
    own = tmp_path / "own.ttl"
    own.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix aims: <https://w3id.org/aimstrace/ns#> .\n"
        "<urn:x:S> a sh:NodeShape ; sh:targetClass aims:AISystem ; sh:property [\n"
        "  sh:path aims:deployment ; sh:minCount 1 ; sh:severity sh:Info ;\n"
        '  sh:message "[own] deployment recorded" ] .\n'
    )
    _with_org(engine, patched_org(None))
    report = engine.validate(AS_OF, shapes=[own])
    labels = {r.focus_label for r in report.records}
    assert labels == {"Code assistant", "CV screening", "Credit scoring"}
    assert report.counts() == {"Violation": 0, "Warning": 0, "Info": 3}
    assert report.records[0].requirement is None


# ----- write-back and CLI ----------------------------------------------------------------------


def test_write_back_keeps_ids_closes_what_is_fixed_and_is_not_validated(engine: Engine) -> None:
    store = _with_org(engine, patched_org(CASES["Risk-treated"]))
    first = engine.validate(AS_OF)
    written = engine.write_back(first, SEVERITIES)  # every severity, so this case's gap is kept
    ids = {nonconformity_id(r) for r in first.records}
    assert written.added == len(ids) >= 1 and written.kept == written.closed == 0
    nodes = store.select(
        "SELECT ?g ?n ?r WHERE { GRAPH ?g { ?n a <https://w3id.org/aimstrace/ns#Nonconformity> ;"
        " <https://w3id.org/aimstrace/ns#concernsRequirement> ?r } }",
        {"g": GAPS_GRAPH},
    )
    assert len(nodes) == len(ids)
    assert {n["r"].value for n in nodes} == {r.requirement_iri for r in first.records}
    again = engine.validate(AS_OF)
    assert set(again.records) == set(first.records)  # the gaps graph is not validated
    rerun = engine.write_back(again, SEVERITIES)
    assert (rerun.added, rerun.kept, rerun.closed) == (0, len(ids), 0)
    _with_org(engine, patched_org(None))
    fixed = engine.write_back(engine.validate(AS_OF), SEVERITIES)  # the fixture conforms
    assert (fixed.added, fixed.kept, fixed.closed) == (0, 0, len(ids))
    closed = store.select(
        "SELECT ?g ?n ?on WHERE { GRAPH ?g { ?n <https://w3id.org/aimstrace/ns#findingStatus>"
        ' "closed" ; <https://w3id.org/aimstrace/ns#closedOn> ?on } }',
        {"g": GAPS_GRAPH},
    )
    assert len(closed) == len(ids) and {c["on"].value for c in closed} == {AS_OF}


class _Cli:
    """Runs `aimstrace` in a child process, as a user would (each run opens the store anew)."""

    def invoke(self, _main: object, args: list[str]) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-c", "from aimstrace.api.cli import main; main()", *args],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        done.exit_code = done.returncode  # type: ignore[attr-defined]
        done.output = done.stdout + done.stderr  # type: ignore[attr-defined]
        return done


def test_cli_exit_codes_and_json_contract(tmp_path: Path) -> None:
    runner = _Cli()
    store = str(tmp_path / "store")
    engine = Engine.open(store)
    engine.load_vocabulary()
    engine.load_catalogs()
    engine.store.replace_graph(ORG, _as_triples(patched_org(None)))
    engine.derive_obligations()
    del engine
    gc.collect()  # release the store's lock before the CLI opens it
    ok = runner.invoke(main, ["--store", store, "validate", "--as-of", AS_OF, "--json"])
    assert ok.exit_code == 0, ok.output
    document = json.loads(ok.stdout)
    assert document == {
        "conforms": True,
        "counts": {"Violation": 0, "Warning": 0, "Info": 0},
        "results": [],
    }
    bad = runner.invoke(main, ["--store", store, "validate", "--as-of", "1 Nov 2026"])
    assert bad.exit_code == 2
    assert "--as-of" in bad.output


def test_cli_reports_violations_with_exit_code_1(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    engine = Engine.open(store)
    engine.load_vocabulary()
    engine.load_catalogs()
    engine.store.replace_graph(ORG, _as_triples(patched_org(CASES["AISystem-owner"])))
    del engine
    gc.collect()  # release the store's lock before the CLI opens it
    runner = _Cli()
    result = runner.invoke(main, ["--store", store, "validate", "--as-of", AS_OF, "--json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["conforms"] is False
    assert list(document) == ["conforms", "counts", "results"]
    first = document["results"][0]
    assert list(first) == [
        "severity",
        "focus",
        "focus_label",
        "path",
        "message",
        "requirement",
        "framework",
        "open_since",
        "open_since_time",
    ]
    assert first["requirement"] == "A.3.2" and first["framework"] == "iso42001"
    # The gap opened with the organisation's load, the newest revision.
    del result
    gc.collect()
    newest = json.loads(runner.invoke(main, ["--store", store, "history", "--json"]).stdout)[0]
    assert (first["open_since"], first["open_since_time"]) == (newest["revision"], newest["time"])
    html_file = tmp_path / "gaps.html"
    result = runner.invoke(
        main,
        [
            "--store",
            store,
            "validate",
            "--as-of",
            AS_OF,
            "--format",
            "html",
            "--output",
            str(html_file),
        ],
    )
    assert result.exit_code == 1
    assert "A.3.2" in html_file.read_text("utf-8")
