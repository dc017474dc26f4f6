"""Every resource endpoint over the demo data plus tests/data/api/inventory.yaml."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pyoxigraph as ox
import pytest
from api_support import (  # type: ignore[import-not-found]
    auth_headers,
    key_entries,
    post_import,
)
from fastapi.testclient import TestClient

from aimstrace.api.app import create_app
from aimstrace.api.settings import Settings
from aimstrace.graph.engine import Engine

PROBLEM = "application/problem+json"


# ----- frameworks and requirements ----------------------------------------------------------------


def test_frameworks_match_the_engine(client: TestClient, engine: Engine) -> None:
    answer = client.get("/frameworks")
    assert answer.status_code == 200
    assert [f["id"] for f in answer.json()] == [f.id for f in engine.frameworks()]
    assert all(f["requirements"] > 0 for f in answer.json())


def test_requirements_page_through_every_item_once(client: TestClient, engine: Engine) -> None:
    expected = [r.notation for r in engine.requirements("iso42001")]
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 40}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/frameworks/iso42001/requirements", params=params).json()
        assert page["total"] == len(expected)
        seen.extend(item["notation"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == expected


def test_requirement_filters(client: TestClient) -> None:
    page = client.get(
        "/frameworks/iso42001/requirements", params={"parent": "A.7", "limit": 500}
    ).json()
    assert {item["notation"] for item in page["items"]} >= {"A.7.2", "A.7.5"}
    assert all(item["parent"] == "A.7" for item in page["items"])
    kinds = client.get("/frameworks/nist-ai-rmf/requirements", params={"kind": "function"}).json()
    assert {i["notation"] for i in kinds["items"]} == {"GOVERN", "MAP", "MEASURE", "MANAGE"}


def test_bad_cursor_is_422_naming_it(client: TestClient) -> None:
    answer = client.get("/frameworks/iso42001/requirements", params={"cursor": "%%%"})
    assert answer.status_code == 422
    assert answer.json()["field"] == "query.cursor"


def test_unknown_framework_is_404(client: TestClient) -> None:
    answer = client.get("/frameworks/iso9001/requirements")
    assert answer.status_code == 404
    assert answer.json()["field"] == "path.framework"


def test_requirement_detail_has_mappings_both_ways(client: TestClient, engine: Engine) -> None:
    detail = client.get("/frameworks/iso42001/requirements/A.7.5").json()
    assert detail["notation"] == "A.7.5" and detail["parent"] == "A.7"
    assert detail["mappings_out"], "A.7.5 is the subject of packaged mappings"
    assert all(m["subject"] == "A.7.5" and not m["inverted"] for m in detail["mappings_out"])
    # Art. 10 is only ever an object in the packaged crosswalks: its mappings come in.
    article = client.get("/frameworks/eu-ai-act/requirements/Art. 10").json()
    assert article["mappings_in"] and not article["mappings_out"]
    assert all(m["inverted"] and m["subject"] == "Art. 10" for m in article["mappings_in"])
    expected = engine.mappings("eu-ai-act", "iso42001", True, "Art. 10")
    assert {m["object"] for m in article["mappings_in"] if m["object_framework"] == "iso42001"} == {
        v.object for v in expected
    }


def test_unknown_requirement_is_404(client: TestClient) -> None:
    answer = client.get("/frameworks/iso42001/requirements/Z.99")
    assert answer.status_code == 404
    assert answer.json()["field"] == "path.notation"


# ----- inventory collections ---------------------------------------------------------------------


def test_collection_lists_paging_and_filters(client: TestClient, engine: Engine) -> None:
    every = engine.list_entities("systems")
    first = client.get("/systems", params={"limit": 1}).json()
    assert first["total"] == len(every)
    assert first["items"][0]["id"] == every[0]["id"]
    second = client.get("/systems", params={"limit": 1, "cursor": first["next_cursor"]}).json()
    assert second["items"][0]["id"] == every[1]["id"]
    owned = client.get("/systems", params={"owner": "P-002"}).json()
    assert [s["id"] for s in owned["items"]] == [s["id"] for s in every if s["owner"] == "P-002"]
    by_dataset = client.get("/systems", params={"datasets": "DS-001"}).json()
    assert "SYS-001" in {s["id"] for s in by_dataset["items"]}
    text = client.get("/systems", params={"q": "chatbot"}).json()
    assert {s["id"] for s in text["items"]} == {
        s["id"] for s in every if "chatbot" in (s["label"] or "").lower()
    }


@pytest.mark.parametrize(
    ("collection", "known"),
    [
        ("systems", "SYS-001"),
        ("datasets", "DS-001"),
        ("models", None),
        ("vendors", "VEN-001"),
        ("people", "P-001"),
        ("risks", "R-001"),
        ("controls", "C-001"),
        ("treatments", "T-001"),
    ],
)
def test_each_collection_and_its_items(
    client: TestClient, engine: Engine, collection: str, known: str | None
) -> None:
    listing = client.get(f"/{collection}", params={"limit": 500})
    assert listing.status_code == 200
    every = engine.list_entities(collection)
    assert listing.json()["total"] == len(every)
    wanted = known or (every[0]["id"] if every else None)
    if wanted is not None:
        item = client.get(f"/{collection}/{wanted}")
        assert item.status_code == 200
        assert item.json() == next(e for e in every if e["id"] == wanted)
    missing = client.get(f"/{collection}/NO-SUCH-ID")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM


# ----- traceability -----------------------------------------------------------------------------


def test_system_trace_matches_the_engine(client: TestClient, engine: Engine) -> None:
    answer = client.get("/systems/SYS-001/trace").json()
    expected = engine.trace("SYS-001")
    assert answer["columns"] == list(expected.columns)
    assert answer["rows"] == expected.as_dicts()
    assert {"dataset", "risk", "control"} <= {row["category"] for row in answer["rows"]}
    assert client.get("/systems/SYS-404/trace").status_code == 404


def test_a_repeated_trace_is_cached_until_an_import(client: TestClient) -> None:
    first = client.get("/systems/SYS-001/trace").json()
    again = client.get("/systems/SYS-001/trace").json()
    assert (first["cached"], again["cached"]) == (False, True)
    assert again["rows"] == first["rows"]
    change = b"datasets:\n  - id: DS-777\n    name: Late addition\n    used_by: SYS-001\n"
    imported = post_import(client, "more.yaml", change)
    assert imported.status_code == 200, imported.text
    after = client.get("/systems/SYS-001/trace").json()
    assert after["cached"] is False
    assert "DS-777" in {row["identifier"] for row in after["rows"]}


@pytest.mark.parametrize(("kind", "entity"), [("datasets", "DS-001"), ("vendors", "VEN-001")])
def test_impact(client: TestClient, engine: Engine, kind: str, entity: str) -> None:
    answer = client.get(f"/{kind}/{entity}/impact")
    assert answer.status_code == 200
    body = answer.json()
    radius = engine.impact(kind.rstrip("s"), entity)
    assert body["row_count"] == len(radius.rows)
    assert set(body["reached"]["system"]) == set(radius.reached["system"])
    assert client.get(f"/{kind}/NOPE/impact").status_code == 404
    # The same rows as the named query, on every interface.
    named = client.post(
        f"/queries/{kind.rstrip('s')}-impact", json={"parameters": {kind.rstrip("s"): entity}}
    ).json()
    assert named["rows"] == body["rows"]
    summary = body["summary"]
    assert summary["rows"] == len(radius.rows)
    assert summary["by_category"] == {c: len(found) for c, found in sorted(radius.reached.items())}


@pytest.mark.parametrize(("kind", "entity"), [("datasets", "DS-001"), ("vendors", "V-001")])
def test_impact_pages(client: TestClient, kind: str, entity: str) -> None:
    whole = client.get(f"/{kind}/{entity}/impact").json()
    assert whole["next_cursor"] is None and whole["rows"]
    rows, cursor, pages = [], None, 0
    while True:
        params: dict[str, object] = {"limit": 7, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"/{kind}/{entity}/impact", params=params).json()
        assert page["summary"] == whole["summary"] and page["row_count"] <= 7
        rows += page["rows"]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert rows == whole["rows"] and pages == -(-len(rows) // 7)
    bad = client.get(f"/{kind}/{entity}/impact", params={"cursor": "zz"})
    assert bad.status_code == 422


def test_named_query_pages(client: TestClient) -> None:
    body = {"parameters": {"dataset": "DS-001"}}
    whole = client.post("/queries/dataset-impact", json=body).json()
    rows, cursor = [], None
    while True:
        page = client.post(
            "/queries/dataset-impact", json={**body, "limit": 10, "cursor": cursor}
        ).json()
        assert page["total_rows"] == len(whole["rows"]) and page["row_count"] <= 10
        rows += page["rows"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert rows == whole["rows"]
    refused = client.post("/queries/dataset-impact", json={**body, "limit": 0})
    assert refused.status_code == 422


def test_accountability(client: TestClient) -> None:
    answer = client.get("/people/P-001/accountability").json()
    identifiers = {row["identifier"] for row in answer["rows"]}
    assert {"SYS-001", "R-001", "C-001"} <= identifiers
    assert client.get("/people/NOPE/accountability").status_code == 404


def test_paths(client: TestClient) -> None:
    answer = client.get("/paths", params={"from": "system:SYS-001", "to": "dataset:DS-001"})
    assert answer.status_code == 200
    steps = answer.json()
    assert steps[0]["source"].endswith("/system/SYS-001")
    assert steps[-1]["target"].endswith("/dataset/DS-001")
    bad = client.get("/paths", params={"from": "nonsense", "to": "dataset:DS-001"})
    assert bad.status_code == 422 and bad.json()["field"] == "query.from"
    gone = client.get("/paths", params={"from": "system:NOPE", "to": "dataset:DS-001"})
    assert gone.status_code == 404


# ----- crosswalks --------------------------------------------------------------------------------


def test_mappings_and_derived_flag(client: TestClient, engine: Engine) -> None:
    # No crosswalk joins ISO 27001 and the EU AI Act directly; derivation through ISO 42001 does.
    asserted = client.get("/mappings", params={"from": "eu-ai-act", "to": "iso27001"}).json()
    derived = client.get(
        "/mappings", params={"from": "eu-ai-act", "to": "iso27001", "derived": "true"}
    ).json()
    assert asserted["total"] == len(engine.mappings("eu-ai-act", "iso27001"))
    assert derived["total"] == len(engine.mappings("eu-ai-act", "iso27001", True))
    assert derived["total"] > asserted["total"]
    assert {m["status"] for m in derived["items"]} <= {"asserted", "derived"}
    # framework ids are data now (external frameworks): one that names nothing is a 404
    bad = client.get("/mappings", params={"from": "iso9001", "to": "eu-ai-act"})
    assert bad.status_code == 404 and bad.json()["field"] == "query.from"
    malformed = client.get("/mappings", params={"from": "ISO 9001", "to": "eu-ai-act"})
    assert malformed.status_code == 422


def test_coverage(client: TestClient, engine: Engine) -> None:
    body = client.get("/coverage", params={"framework": "nist-ai-rmf", "limit": 500}).json()
    entries = engine.coverage("nist-ai-rmf")
    assert body["total"] == len(entries)
    assert sum(body["summary"].values()) == len(entries)
    partial = client.get("/coverage", params={"framework": "nist-ai-rmf", "level": "partial"})
    assert all(i["coverage"] == "partial" for i in partial.json()["items"])
    assert client.get("/coverage", params={"framework": "x"}).status_code == 404
    assert client.get("/coverage", params={"framework": "X Y"}).status_code == 422


# ----- validation --------------------------------------------------------------------------------


def test_gaps_follow_the_evaluation_date(client: TestClient, engine: Engine) -> None:
    body = client.get("/gaps", params={"as_of": "2026-01-01", "limit": 500}).json()
    report = engine.validate("2026-01-01")
    assert body["as_of"] == "2026-01-01"
    assert body["conforms"] == report.conforms
    assert body["counts"] == report.counts()
    assert body["total"] == len(report.records)
    violations = client.get("/gaps", params={"as_of": "2026-01-01", "severity": "Violation"})
    assert all(g["severity"] == "Violation" for g in violations.json()["items"])
    bad = client.get("/gaps", params={"as_of": "yesterday"})
    assert bad.status_code == 422 and bad.json()["field"] == "query.as_of"


def test_statement_of_applicability(client: TestClient, engine: Engine) -> None:
    body = client.get("/soa").json()
    assert body["rows"] == engine.run_query("statement-of-applicability").as_dicts()
    assert body["row_count"] >= 1


def test_soa_summary_is_the_named_query_once_per_control(
    client: TestClient, engine: Engine
) -> None:
    from aimstrace.graph.catalog import natural_key
    from aimstrace.graph.soa import soa_summary

    rows = engine.run_query("statement-of-applicability").as_dicts()
    summary = client.get("/soa/summary").json()
    notations = sorted({r["notation"] for r in rows}, key=natural_key)  # A.2.2 before A.10.2
    assert [e["notation"] for e in summary] == notations
    for entry in summary:
        mine = [r for r in rows if r["notation"] == entry["notation"]]
        implemented = sorted({r["implemented_by"] for r in mine if r["implemented_by"]})
        evidence = sorted({r["evidence"] for r in mine if r["evidence"]})
        assert entry["implemented_total"] == len(implemented) == sum(entry["statuses"].values())
        assert entry["implemented_by"] == implemented[:10]
        assert (entry["evidence_total"], entry["evidence"]) == (len(evidence), evidence[:10])
        assert entry["applicable"] == mine[0]["applicable"]
        assert entry["justification"] == mine[0]["justification"]
        if entry["status"] is not None and entry["implemented_total"] <= 1:
            assert entry["status"] == mine[0]["status"]
    assert any(e["implemented_total"] > 1 for e in summary), "the fixture implements some twice"
    # The first n by IRI when there are more.
    wide = max(summary, key=lambda e: e["implemented_total"])
    small = {e.notation: e for e in soa_summary(engine.store, sample=1)}[wide["notation"]]
    assert small.implemented_by == wide["implemented_by"][:1]
    assert small.implemented_total == wide["implemented_total"]


# ----- named queries -----------------------------------------------------------------------------


def test_query_catalogue(client: TestClient) -> None:
    listed = client.get("/queries").json()
    names = {q["name"] for q in listed}
    assert {"system-trace", "dataset-impact", "statement-of-applicability"} <= names
    one = client.get("/queries/system-trace").json()
    assert one["parameters"][0]["name"] == "system"
    assert client.get("/queries/nope").status_code == 404


def test_run_named_query_with_typed_parameters(engine: Engine) -> None:
    # The trace lists obligations of all seven frameworks; rdflib, the slow reference backend,
    # needs about 10 s for it on a busy 2-core machine, so this equality check gets more time.
    settings = Settings(api_keys=key_entries(), query_timeout_seconds=120)
    app = create_app(settings, engine)
    with TestClient(
        app,
        base_url="http://127.0.0.1",  # a loopback host name: the server refuses others
        headers=auth_headers("reader"),
        raise_server_exceptions=False,
    ) as client:
        _run_on_both_backends(client, engine)


def _run_on_both_backends(client: TestClient, engine: Engine) -> None:
    ran = client.post("/queries/system-trace", json={"parameters": {"system": "SYS-001"}})
    assert ran.status_code == 200
    assert ran.json()["rows"] == engine.trace("SYS-001").as_dicts()
    rdflib = client.post(
        "/queries/system-trace", json={"parameters": {"system": "SYS-001"}, "backend": "rdflib"}
    )
    assert rdflib.status_code == 200 and rdflib.json()["backend"] == "rdflib"
    assert sorted(map(str, rdflib.json()["rows"])) == sorted(map(str, ran.json()["rows"]))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"parameters": {"system": 5}}, "body.parameters.system"),
        ({"parameters": {}}, "body.parameters.system"),
        ({"parameters": {"system": "SYS-001", "colour": "red"}}, "body.parameters.colour"),
        ({"parameters": {"system": "SYS-001"}, "backend": "nope"}, "body.backend"),
        ({"parameters": {"system": "SYS-001"}, "surprise": 1}, "body.surprise"),
    ],
)
def test_bad_query_input_names_the_field(client: TestClient, body: dict, field: str) -> None:
    answer = client.post("/queries/system-trace", json=body)
    assert answer.status_code == 422
    assert answer.json()["field"] == field


# ----- exports -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "rdf_format"),
    [
        ("turtle", ox.RdfFormat.TURTLE),
        ("ntriples", ox.RdfFormat.N_TRIPLES),
        ("jsonld", ox.RdfFormat.JSON_LD),
        ("nquads", ox.RdfFormat.N_QUADS),
        ("trig", ox.RdfFormat.TRIG),
    ],
)
def test_rdf_exports_hold_every_triple(
    client: TestClient, engine: Engine, fmt: str, rdf_format: ox.RdfFormat
) -> None:
    with client.stream("GET", f"/exports/{fmt}") as answer:
        assert answer.status_code == 200
        chunks = list(answer.iter_bytes())
    body = b"".join(chunks)
    parsed = ox.Store()
    if rdf_format.supports_datasets:
        parsed.load(body, format=rdf_format)
        expected = {(q.subject, q.predicate, q.object, q.graph_name) for q in engine.store.quads()}
        got = {(q.subject, q.predicate, q.object, q.graph_name) for q in parsed}
    else:
        parsed.load(body, format=rdf_format, to_graph=ox.DefaultGraph())
        expected = {(q.subject, q.predicate, q.object) for q in engine.store.quads()}
        got = {(q.subject, q.predicate, q.object) for q in parsed}
    # The demo data has no blank nodes, so comparing sets of terms is comparing graphs.
    assert got == expected


def test_export_of_one_named_graph(client: TestClient, engine: Engine) -> None:
    body = client.get("/exports/ntriples", params={"graph": "org"}).content
    parsed = ox.parse(body, format=ox.RdfFormat.N_TRIPLES)
    org = ox.NamedNode("https://w3id.org/aimstrace/graph/org")
    assert {q.triple for q in parsed} == {q.triple for q in engine.store.quads(org)}
    assert client.get("/exports/turtle", params={"graph": "nope"}).status_code == 404


def test_mapping_exports(client: TestClient, engine: Engine) -> None:
    sssom = client.get("/exports/sssom")
    assert sssom.status_code == 200
    assert sssom.text == engine.export_mappings("sssom")
    oscal = client.get("/exports/oscal")
    assert oscal.json()["mapping-collection"]["metadata"]["title"]
    assert client.get("/exports/sssom", params={"mapping_set": "nope"}).status_code == 404


def test_a_mapping_set_name_outside_the_schema_is_refused_on_every_format(
    client: TestClient,
) -> None:
    # Schemathesis's negative mode found an RDF export answering 200 to a private-use
    # character as mapping_set: the set names' pattern is in the schema and enforced.
    for fmt in ("ntriples", "sssom"):
        answer = client.get(f"/exports/{fmt}", params={"mapping_set": "\U000f4088"})
        assert answer.status_code == 422, (fmt, answer.text)
        assert "mapping_set" in answer.text


def test_register_csv_export_reimports_unchanged(
    client: TestClient, auth: Callable[[str], dict[str, str]], engine: Engine
) -> None:
    exported = client.get("/exports/csv", params={"register": "systems"})
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert {r["id"] for r in rows} == {s["id"] for s in engine.list_entities("systems")}
    again = client.post(
        "/imports",
        headers=auth("editor"),
        files=[("files", ("systems.csv", exported.content, "text/csv"))],
        data={"dry_run": "true"},
    )
    assert again.status_code == 200
    assert again.json()["triples_added"] == 0 and again.json()["triples_removed"] == 0
    assert client.get("/exports/csv").status_code == 422


# ----- imports -----------------------------------------------------------------------------------

NEW_SYSTEM = (
    b"systems:\n  - id: SYS-900\n    name: New system\n    owner: P-001\n"
    b"    lifecycle_stage: inception\n"
)


def test_import_dry_run_writes_nothing(
    client: TestClient, auth: Callable[[str], dict[str, str]], engine: Engine
) -> None:
    before = engine.store.count()
    answer = client.post(
        "/imports",
        headers=auth("editor"),
        files=[("files", ("more.yaml", NEW_SYSTEM, "application/yaml"))],
        data={"dry_run": "true"},
    )
    assert answer.status_code == 200
    assert answer.json()["dry_run"] is True
    assert answer.json()["triples_added"] > 0
    assert engine.store.count() == before
    assert client.get("/systems/SYS-900").status_code == 404


def test_import_writes_and_is_readable(
    client: TestClient, auth: Callable[[str], dict[str, str]]
) -> None:
    answer = client.post(
        "/imports",
        headers=auth("editor"),
        files=[("files", ("more.yaml", NEW_SYSTEM, "application/yaml"))],
    )
    assert answer.status_code == 200
    assert answer.json()["files"] == ["more.yaml"]
    assert client.get("/systems/SYS-900").json()["label"] == "New system"


def test_bad_import_changes_nothing_and_says_where(
    client: TestClient, auth: Callable[[str], dict[str, str]], engine: Engine
) -> None:
    before = engine.store.count()
    bad = (
        b"systems:\n  - id: SYS-901\n    name: Broken\n    owner: P-001\n"
        b"    lifecycle_stage: flying\n"
    )
    answer = client.post(
        "/imports",
        headers=auth("editor"),
        files=[
            ("files", ("good.yaml", NEW_SYSTEM, "application/yaml")),
            ("files", ("bad.yaml", bad, "application/yaml")),
        ],
    )
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["field"] == "bad.yaml:5:lifecycle_stage"
    assert "flying" in problem["reason"]
    assert engine.store.count() == before
    assert client.get("/systems/SYS-900").status_code == 404


def test_import_needs_a_file_name_and_a_known_format(
    client: TestClient, auth: Callable[[str], dict[str, str]]
) -> None:
    nameless = client.post(
        "/imports", headers=auth("editor"), files=[("files", ("", b"x", "text/plain"))]
    )
    assert nameless.status_code == 422
    odd = client.post(
        "/imports", headers=auth("editor"), files=[("files", ("notes.docx", b"x", "text/plain"))]
    )
    assert odd.status_code == 422
    assert "notes.docx" in odd.json()["field"]


def test_mapping_file_import(
    client: TestClient, auth: Callable[[str], dict[str, str]], engine: Engine
) -> None:
    sssom = engine.export_mappings("sssom", ["iso42001--iso27001"])
    answer = client.post(
        "/imports",
        headers=auth("editor"),
        files=[("files", ("copy.sssom.tsv", sssom.encode(), "text/tab-separated-values"))],
        data={"format": "sssom"},
    )
    assert answer.status_code == 200, answer.text
    assert sum(answer.json()["records"].values()) > 0
    refused = client.post(
        "/imports",
        headers=auth("editor"),
        files=[("files", ("copy.sssom.tsv", sssom.encode(), "text/tab-separated-values"))],
        data={"format": "sssom", "dry_run": "true"},
    )
    assert refused.status_code == 422 and refused.json()["field"] == "body.dry_run"
