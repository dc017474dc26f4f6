"""`POST /imports` with the ML metadata files of tests/data/ml (real published files), a forced
format, and `sync`: one transaction, located errors, uploaded names kept as provenance."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
from fastapi.testclient import TestClient

from aimstrace.graph.engine import Engine
from aimstrace.loaders.ml.read import FORMATS
from aimstrace.ontology.iris import entity_iri, graph_iri

ML = Path(__file__).resolve().parents[1] / "data" / "ml"
EXAMPLE = Path(__file__).resolve().parents[2] / "ontology" / "example"
ORG = ox.NamedNode(str(graph_iri("org")))
SOURCE_FILE = ox.NamedNode("https://w3id.org/aimstrace/ns#sourceFile")
Auth = Callable[[str], dict[str, str]]


def _files(*paths: Path) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("files", (p.name, p.read_bytes(), "application/octet-stream")) for p in paths]


def _source_files(engine: Engine, kind: str, identifier: str) -> set[str]:
    node = ox.NamedNode(str(entity_iri(kind, identifier)))
    return {
        q.object.value
        for q in engine.store.oxigraph.quads_for_pattern(node, SOURCE_FILE, None, ORG)
    }


def test_ml_files_import_in_one_call_and_keep_the_uploaded_names(
    client: TestClient, auth: Auth, engine: Engine
) -> None:
    card = ML / "hf-card" / "sample_simple_model_index.md"
    bom = ML / "cyclonedx" / "model-card-with-dataset.bom.json"
    croissant = ML / "croissant" / "dices-350.json"
    answer = client.post("/imports", headers=auth("editor"), files=_files(card, bom, croissant))
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["files"] == [card.name, bom.name, croissant.name]
    assert ("model", "my-cool-model") in {(e["kind"], e["id"]) for e in report["added"]}
    assert client.get("/models/my-cool-model").status_code == 200
    # The provenance names the file as uploaded, never the server's temporary copy.
    assert _source_files(engine, "model", "my-cool-model") == {card.name}
    answer = client.get("/gaps", params={"limit": 2000, "requirement": "A.6.2.2"})
    assert answer.status_code == 200, answer.text
    gaps = answer.json()["items"]
    assert any(
        g["focus_label"].startswith("my-cool-model") and g["source_file"] == card.name for g in gaps
    ), [g["focus_label"] for g in gaps]


def test_ml_dry_run_writes_nothing(client: TestClient, auth: Auth, engine: Engine) -> None:
    before = engine.store.count()
    events = ML / "openlineage" / "test-complete.json"
    answer = client.post(
        "/imports", headers=auth("editor"), files=_files(events), data={"dry_run": "true"}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["dry_run"] is True and answer.json()["triples_added"] > 0
    assert engine.store.count() == before


def test_a_bad_ml_file_is_located_and_nothing_is_stored(
    client: TestClient, auth: Auth, engine: Engine
) -> None:
    before = engine.store.count()
    good = ML / "spdx3" / "ai-example02.spdx3.json"
    bad = ML / "cyclonedx" / "open-source-model-trailing-comma.bom.json"
    answer = client.post("/imports", headers=auth("editor"), files=_files(good, bad))
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["field"] == f"{bad.name}:9"
    assert "not valid JSON" in problem["reason"]
    assert "/tmp" not in answer.text
    assert engine.store.count() == before


def test_a_forced_format_reads_every_file_as_it(
    client: TestClient, auth: Auth, engine: Engine
) -> None:
    card = ML / "hf-card" / "sample_simple_model_index.md"
    refused = client.post(
        "/imports", headers=auth("editor"), files=_files(card), data={"format": "croissant"}
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"].startswith(card.name)
    forced = client.post(
        "/imports", headers=auth("editor"), files=_files(card), data={"format": "hf-card"}
    )
    assert forced.status_code == 200, forced.text


def test_the_format_field_offers_every_ml_format(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    bodies = schema["components"]["schemas"]
    body = next(v for k, v in bodies.items() if k.startswith("Body_import_files"))
    offered = set(body["properties"]["format"]["enum"])
    assert set(FORMATS) <= offered


def test_sync_removes_what_a_register_no_longer_lists(
    client: TestClient, auth: Auth, engine: Engine
) -> None:
    # Every vendor the store holds (the example's and the test organisation's), as a register.
    vendors = client.get("/vendors", params={"limit": 500}).json()["items"]
    rows = io.StringIO()
    csv.writer(rows, lineterminator="\n").writerows(
        [("id", "name")] + [(v["id"], v["label"]) for v in vendors]
    )
    text = rows.getvalue()
    more = text + "V-950,Vendor V-950\n"
    added = client.post(
        "/imports",
        headers=auth("editor"),
        files=[("files", ("vendors.csv", more.encode(), "text/csv"))],
    )
    assert added.status_code == 200, added.text
    assert client.get("/vendors/V-950").status_code == 200
    dry = client.post(
        "/imports",
        headers=auth("editor"),
        files=[("files", ("vendors.csv", text.encode(), "text/csv"))],
        data={"sync": "true", "dry_run": "true"},
    )
    assert dry.status_code == 200, dry.text
    assert [(e["kind"], e["id"]) for e in dry.json()["removed"]] == [("vendor", "V-950")]
    assert client.get("/vendors/V-950").status_code == 200
    synced = client.post(
        "/imports",
        headers=auth("editor"),
        files=[("files", ("vendors.csv", text.encode(), "text/csv"))],
        data={"sync": "true"},
    )
    assert synced.status_code == 200, synced.text
    assert client.get("/vendors/V-950").status_code == 404


def test_sync_is_refused_while_something_points_at_the_entity(
    client: TestClient, auth: Auth, engine: Engine
) -> None:
    before = engine.store.count()
    lines = (EXAMPLE / "vendors.csv").read_text(encoding="utf-8").splitlines()
    fewer = "\n".join(lines[:1] + lines[2:]) + "\n"  # the first vendor, which systems use
    gone = lines[1].split(",")[0]
    answer = client.post(
        "/imports",
        headers=auth("editor"),
        files=[("files", ("vendors.csv", fewer.encode(), "text/csv"))],
        data={"sync": "true"},
    )
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["field"] == "vendors.csv:-:id"
    assert f"vendor {gone} is no longer listed" in problem["reason"]
    assert engine.store.count() == before


def test_sync_removes_what_an_ml_file_no_longer_lists(
    client: TestClient, auth: Auth, engine: Engine
) -> None:
    card = (ML / "hf-card" / "sample_simple_model_index.md").read_text(encoding="utf-8")
    name = "sync-card.md"
    first = card.replace("my-cool-model", "sync-model")
    posted = client.post(
        "/imports",
        headers=auth("editor"),
        files=[("files", (name, first.encode(), "text/markdown"))],
    )
    assert posted.status_code == 200, posted.text
    # The same file (by its uploaded name) without its second result.
    head, _, _ = first.partition(
        "  - task:\n      type: image-classification\n    dataset:\n"
        "      type: beans\n      name: Beans\n      config"
    )
    fewer = head.rstrip() + "\n---\n\n# sync-model\n"
    before = engine.store.count()
    dry = client.post(
        "/imports",
        headers=auth("editor"),
        files=[("files", (name, fewer.encode(), "text/markdown"))],
        data={"sync": "true", "dry_run": "true"},
    )
    assert dry.status_code == 200, dry.text
    assert [(e["kind"], e["id"]) for e in dry.json()["removed"]] == [
        ("evaluation", "sync-model/1-f1")
    ]
    assert engine.store.count() == before
    synced = client.post(
        "/imports",
        headers=auth("editor"),
        files=[("files", (name, fewer.encode(), "text/markdown"))],
        data={"sync": "true"},
    )
    assert synced.status_code == 200, synced.text
    node = ox.NamedNode(str(entity_iri("evaluation", "sync-model/1-f1")))
    assert not list(engine.store.oxigraph.quads_for_pattern(node, None, None, ORG))
    kept = ox.NamedNode(str(entity_iri("evaluation", "sync-model/0-accuracy")))
    assert list(engine.store.oxigraph.quads_for_pattern(kept, None, None, ORG))
