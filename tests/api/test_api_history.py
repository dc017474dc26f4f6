"""The history routes and `at=` on the read routes, with imports through the API itself."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import auth_headers, key_entries  # type: ignore[import-not-found]
from fastapi.testclient import TestClient

from aimstrace.api.app import create_app
from aimstrace.api.settings import Settings
from aimstrace.graph.engine import Engine

HISTORY = Path(__file__).resolve().parents[1] / "data" / "history"


def _import(client: TestClient, name: str) -> None:
    response = client.post(
        "/imports",
        headers=auth_headers("editor"),
        files=[("files", (name, (HISTORY / name).read_bytes(), "application/yaml"))],
    )
    assert response.status_code == 200, response.text


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """A server on a disk store with the reference data, then the three loads as API imports."""
    engine = Engine.open(tmp_path / "store")
    engine.load_vocabulary()
    engine.load_catalogs()
    # A validation on a loaded machine can take past the default 10 s query limit.
    app = create_app(Settings(api_keys=key_entries(), query_timeout_seconds=120), engine)
    with TestClient(
        app,
        base_url="http://127.0.0.1",
        headers=auth_headers("reader"),
        raise_server_exceptions=False,
    ) as test:
        for number in (1, 2, 3):
            _import(test, f"load{number}.yaml")
        yield test


def _revisions(client: TestClient) -> list[dict[str, object]]:
    response = client.get("/history", params={"limit": 1000})
    assert response.status_code == 200
    revisions: list[dict[str, object]] = response.json()["revisions"]
    return revisions


def test_history_names_the_key_and_the_uploaded_files(client: TestClient) -> None:
    newest = _revisions(client)[0]
    assert newest["actor"] == "editor-bot"
    assert newest["command"] == "POST /imports format=inventory"
    assert [s["path"] for s in newest["sources"]] == ["load3.yaml"]  # type: ignore[union-attr]
    one = client.get(f"/history/{newest['revision']}")
    assert one.status_code == 200 and one.json() == newest
    assert client.get("/history/verify").json()["ok"] is True


def test_at_on_read_routes_answers_as_it_was(client: TestClient) -> None:
    imports = [r["revision"] for r in _revisions(client) if r["actor"] == "editor-bot"]
    load1, load2 = imports[-1], imports[-2]
    then = client.get("/systems/SYS-H1", params={"at": load1}).json()
    later = client.get("/systems/SYS-H1", params={"at": load2}).json()
    assert (then["label"], later["label"]) == ("Claims triage", "Claims triage v2")
    assert client.get("/datasets", params={"at": load1}).json()["items"] == []
    trace = client.get("/systems/SYS-H1/trace", params={"at": load1}).json()
    assert "DS-H1" not in str(trace["rows"])
    assert "DS-H1" in str(client.get("/systems/SYS-H1/trace").json()["rows"])


def test_diff_and_gap_history(client: TestClient) -> None:
    imports = [r["revision"] for r in _revisions(client) if r["actor"] == "editor-bot"]
    load1, load2, load3 = imports[-1], imports[-2], imports[-3]
    body = client.get("/diff", params={"from": load1, "to": load2, "as_of": "2026-06-30"}).json()
    assert body["entities"]["datasets"]["added"] == ["DS-H1"]
    assert {g["requirement"] for g in body["gaps_opened"]} == {"A.7.3", "A.7.4", "A.7.5"}
    gaps = client.get("/history/gaps", params={"as_of": "2026-06-30"}).json()
    closed = {(g["requirement"], g["first_seen"], g["closed"]) for g in gaps if g["closed"]}
    assert closed == {(f"A.7.{n}", load2, load3) for n in (3, 4, 5)}


def test_gaps_say_since_when_and_reports_answer_as_they_were(client: TestClient) -> None:
    imports = [r["revision"] for r in _revisions(client) if r["actor"] == "editor-bot"]
    load1, load2, load3 = imports[-1], imports[-2], imports[-3]
    when = {"as_of": "2026-06-30"}
    dated = {**when, "open_since": "true"}
    answer = client.get("/gaps", params={**dated, "limit": 500})
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    since = {(g["requirement"], g["focus_label"]): g["open_since"] for g in items}
    assert since[("7.5", "C-H1 Fairness review of triage outcomes")] == load3
    assert since[("A.9.4", "SYS-H1 Claims triage v2")] == load1
    then = client.get("/gaps", params={**dated, "at": load2, "limit": 500}).json()["items"]
    assert {g["open_since"] for g in then if g["requirement"] == "A.7.3"} == {load2}
    plain = client.get("/gaps", params=when).json()["items"]
    assert all(g["open_since"] is None for g in plain)
    past = client.get("/reports/gaps", params={**when, "at": load2, "format": "md"})
    assert past.status_code == 200 and "DS-H1 Claims archive" in past.text
    now = client.get("/reports/gaps", params={**when, "format": "md"}).text
    assert "DS-H1 Claims archive" not in now and f"| {load3} (" in now
    body = client.get(
        "/reports/gaps", params={**when, "format": "json", "closed_since": "2000-01-01"}
    ).json()
    assert {(g["requirement"], g["closed"]) for g in body["closed"]} == {
        (f"A.7.{n}", load3) for n in (3, 4, 5)
    }
    assert all("open_since" in r for r in body["records"])
    page = client.get("/reports/gaps", params={**when, "closed_since": "2000-01-01"}).text
    assert "Closed since 2000-01-01" in page
    assert client.get("/reports/gaps", params={"at": "r999"}).status_code == 404
    refused = client.get("/reports/soa", params={"closed_since": "2000-01-01"})
    assert refused.status_code == 422 and "closed_since" in refused.text
    assert client.get("/reports/gaps", params={"closed_since": "soon"}).status_code == 422


def test_an_entity_history_and_no_audit_to_compare_with(client: TestClient) -> None:
    imports = [r["revision"] for r in _revisions(client) if r["actor"] == "editor-bot"]
    load1, load2 = imports[-1], imports[-2]
    revisions = client.get("/systems/SYS-H1/history").json()
    assert [r["revision"] for r in revisions] == [load2, load1]
    renamed = {(c["change"], c["value"]) for c in revisions[0]["changes"]}
    assert {("added", "Claims triage v2"), ("removed", "Claims triage")} <= renamed
    assert revisions[0]["actor"] == "editor-bot" and revisions[0]["removed"] == 1
    missing = client.get("/systems/SYS-NONE/history")
    assert missing.status_code == 404 and "SYS-NONE" in missing.text
    since = client.get("/since-last-audit").json()
    assert since["audit"] is None and "no internal audit" in since["note"]
    assert client.get("/since-last-audit", params={"as_of": "soon"}).status_code == 422


def test_since_last_audit_runs_in_the_background_and_is_then_answered_from_it(
    client: TestClient,
) -> None:
    dated = {"as_of": "2026-05-20"}
    assert client.get("/since-last-audit/status", params=dated).json()["state"] == "not-run"
    started = client.get("/since-last-audit/status", params={**dated, "start": "true"}).json()
    assert started["state"] in {"running", "ready"} and started["as_of"] == "2026-05-20"
    deadline = time.monotonic() + 120
    status = started
    while status["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.2)
        status = client.get("/since-last-audit/status", params=dated).json()
    assert status["state"] == "ready", status
    # A job's state changes without a write: never answered 304 from an earlier "running".
    assert "etag" not in client.get("/since-last-audit/status", params=dated).headers
    assert status["seconds"] is not None and status["last_seconds"] is not None
    jobs = client.app.state.jobs  # type: ignore[attr-defined]
    [key] = [k for k in jobs._jobs if k[0] == "since-audit"]
    answered = client.get("/since-last-audit", params=dated).json()
    assert answered == jobs.job(key).result.as_dict()  # the job's answer, not a new one
    assert answered["audit"] is None and "no internal audit" in answered["note"]
    bad = client.get("/since-last-audit/status", params={"as_of": "soon"})
    assert bad.status_code == 422 and "as_of" in bad.text


def test_unknown_revisions_answer_404_and_history_cannot_be_written(client: TestClient) -> None:
    for response in (
        client.get("/history/r999"),
        client.get("/systems", params={"at": "r999"}),
        client.get("/systems", params={"at": "1990-01-01T00:00:00Z"}),
        client.get("/diff", params={"from": "r999"}),
    ):
        assert response.status_code == 404, response.text
        assert response.json()["type"].endswith("/unknown-revision")
    assert client.get("/systems", params={"at": "not a time"}).status_code == 422
    for method in ("post", "put", "delete", "patch"):
        response = client.request(method, "/history/r1", headers=auth_headers("admin"))
        assert response.status_code == 405
    assert (
        client.post(
            "/imports?at=r1",
            headers=auth_headers("editor"),
            files=[
                ("files", ("load1.yaml", (HISTORY / "load1.yaml").read_bytes(), "application/yaml"))
            ],
        ).status_code
        == 200
    )  # `at` is not a parameter of writes: it never reaches the past


def test_concurrent_imports_get_distinct_ordered_revisions(client: TestClient) -> None:
    before = len(_revisions(client))
    errors: list[str] = []

    def one(index: int) -> None:
        content = f"people:\n  - id: P-C{index}\n    name: Person {index}\n".encode()
        response = client.post(
            "/imports",
            headers=auth_headers("editor"),
            files=[("files", (f"people{index}.yaml", content, "application/yaml"))],
        )
        if response.status_code != 200:
            errors.append(response.text)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # Racing RocksDB flushes once hung three of these imports forever (Store._flush_lock).
    assert not [t for t in threads if t.is_alive()], "an import did not finish within 60 s"
    assert errors == []
    revisions = _revisions(client)
    assert len(revisions) == before + 8
    ids = [r["id"] for r in revisions]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
    times = [r["time"] for r in revisions]
    assert times == sorted(times, reverse=True)
    assert client.get("/history/verify").json()["ok"] is True


def test_a_hand_edited_history_is_reported(client: TestClient, tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "store" / "history.sqlite") as db:
        db.execute("UPDATE revisions SET message = 'edited' WHERE id = 2")
    body = client.get("/history/verify").json()
    assert (body["ok"], body["first_bad"]) == (False, "r2")
