"""GET /systems/{id}/obligations?as_of= and GET /timeline on the EU AI Act fixture."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import auth_headers, key_entries
from fastapi.testclient import TestClient

from aimstrace.api.app import create_app
from aimstrace.api.settings import Settings
from aimstrace.graph.engine import Engine
from aimstrace.loaders.load import load

FIXTURE = Path(__file__).resolve().parent.parent / "data" / "eu_ai_act" / "organisation.yaml"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    engine = Engine.open(None)
    engine.load_vocabulary()
    engine.load_catalogs()
    load([FIXTURE], engine.store)
    app = create_app(Settings(api_keys=key_entries()), engine)
    with TestClient(
        app,
        base_url="http://127.0.0.1",  # a loopback host name: the server refuses others
        headers=auth_headers("reader"),
        raise_server_exceptions=False,
    ) as c:
        yield c


def test_obligations_on_three_dates(client: TestClient) -> None:
    def art26(as_of: str) -> tuple[str, str, str]:
        answer = client.get("/systems/SYS-CV/obligations", params={"as_of": as_of}).json()
        (row,) = [r for r in answer["obligations"] if r["provision"] == "Art. 26"]
        return row["applies_from"], row["status"], row["version"]

    assert art26("2026-06-01") == ("2026-08-02", "upcoming", "2024")
    assert art26("2026-12-02") == ("2027-12-02", "upcoming", "2026")
    assert art26("2028-09-01") == ("2027-12-02", "in-force", "2026")


def test_the_fria_contradiction_is_in_the_answer(client: TestClient) -> None:
    fria = client.get("/systems/SYS-CV/obligations").json()["fria"]
    assert fria["contradiction"] is True and fria["derived"] is True


def test_bad_dates_and_unknown_systems(client: TestClient) -> None:
    bad = client.get("/systems/SYS-CV/obligations", params={"as_of": "2026-02-30"})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert bad.json()["field"] == "query.as_of"
    assert client.get("/systems/SYS-CV/obligations", params={"as_of": "soon"}).status_code == 422
    assert client.get("/systems/SYS-404/obligations").status_code == 404


def test_timeline(client: TestClient) -> None:
    rows = client.get("/timeline").json()
    moved = [r for r in rows if r["system"] == "SYS-MD1" and r["provision"] == "Art. 9"]
    assert [(r["date"], r["date_2024_text"]) for r in moved] == [("2028-08-02", "2027-08-02")]
