"""Health, problem documents, authentication and authorisation, limits, CORS and logging."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from aimstrace.api.app import create_app
from aimstrace.api.logging import JsonFormatter
from aimstrace.api.security import KeyConfigError, KeyRing, hash_key
from aimstrace.api.settings import Settings, SettingsError
from aimstrace.graph.engine import Engine

PROBLEM = "application/problem+json"


def test_health_needs_no_key_and_counts_triples(engine: Engine, settings: Settings) -> None:
    with TestClient(base_url="http://127.0.0.1", app=create_app(settings, engine)) as anonymous:
        answer = anonymous.get("/health")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ok"
    assert body["triples"] == engine.store.count()
    assert body["auth"] == "api-keys"


def test_unknown_route_is_a_problem_document(client: TestClient) -> None:
    answer = client.get("/no-such-thing")
    assert answer.status_code == 404
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["status"] == 404


def test_bad_parameter_names_the_field_and_reason(client: TestClient) -> None:
    answer = client.get("/frameworks/iso42001/requirements", params={"limit": "many"})
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["field"] == "query.limit"
    assert "integer" in problem["reason"]
    assert problem["invalid_params"][0]["field"] == "query.limit"


def test_every_answer_carries_a_request_id(client: TestClient) -> None:
    chosen = client.get("/health", headers={"X-Request-ID": "trace-42"})
    assert chosen.headers["x-request-id"] == "trace-42"
    minted = client.get("/health", headers={"X-Request-ID": "bad id with spaces"})
    assert minted.headers["x-request-id"] != "bad id with spaces"
    assert len(minted.headers["x-request-id"]) == 32


def test_unexpected_error_hides_the_stack_trace(
    client: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode() -> list[object]:
        raise RuntimeError("secret internal detail at /srv/aimstrace/graph/catalog.py:42")

    monkeypatch.setattr(engine, "frameworks", explode)
    answer = client.get("/frameworks")
    assert answer.status_code == 500
    assert answer.headers["content-type"] == PROBLEM
    assert "secret internal detail" not in answer.text
    assert "Traceback" not in answer.text
    assert answer.json()["request_id"] == answer.headers["x-request-id"]


# ----- authentication and roles -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "read", "import_"),
    [("reader", 200, 403), ("editor", 200, None), ("admin", 200, None)],
)
def test_role_matrix(
    client: TestClient,
    auth: Callable[[str], dict[str, str]],
    role: str,
    read: int,
    import_: int | None,
) -> None:
    assert client.get("/frameworks", headers=auth(role)).status_code == read
    assert client.get("/sparql", params={"query": "ASK {}"}, headers=auth(role)).status_code == read
    answer = client.post(
        "/imports",
        headers=auth(role),
        files={"files": ("x.ttl", b"", "text/turtle")},
        data={"dry_run": "true"},
    )
    if import_ is not None:
        assert answer.status_code == import_
        assert answer.json()["reason"] == "insufficient role"
    else:
        assert answer.status_code != 403


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"X-API-Key": "wrong"}, {"Authorization": "Basic x"}],
)
def test_missing_or_wrong_key_is_401(engine: Engine, settings: Settings, headers: dict) -> None:
    with TestClient(base_url="http://127.0.0.1", app=create_app(settings, engine)) as anonymous:
        answer = anonymous.get("/frameworks", headers=headers)
    assert answer.status_code == 401
    assert answer.headers["content-type"] == PROBLEM
    assert answer.headers["www-authenticate"] == "Bearer"


def test_x_api_key_header_works_too(engine: Engine, settings: Settings) -> None:
    with TestClient(base_url="http://127.0.0.1", app=create_app(settings, engine)) as anonymous:
        answer = anonymous.get("/frameworks", headers={"X-API-Key": "reader-key-0123456789"})
    assert answer.status_code == 200


def test_local_mode_serves_loopback_without_key(local_client: TestClient) -> None:
    assert local_client.get("/frameworks").status_code == 200
    assert local_client.get("/health").json()["auth"] == "local"


def test_local_mode_refuses_other_clients(engine: Engine) -> None:
    with TestClient(
        base_url="http://127.0.0.1",
        app=create_app(Settings(), engine),
        client=("203.0.113.9", 4000),
    ) as remote:
        answer = remote.get("/frameworks")
    assert answer.status_code == 403
    assert answer.json()["reason"] == "local mode"


def test_keys_are_read_from_a_file(tmp_path, engine: Engine) -> None:
    key_file = tmp_path / "keys"
    key_file.write_text(f"# ci\nci-bot:editor:{hash_key('file-key')}\n", encoding="utf-8")
    settings = Settings(api_keys_file=key_file)
    with TestClient(base_url="http://127.0.0.1", app=create_app(settings, engine)) as client:
        assert client.get("/frameworks", headers={"X-API-Key": "file-key"}).status_code == 200
        assert client.get("/frameworks", headers={"X-API-Key": "other"}).status_code == 401


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("bot:reader", "expected name:role:sha256hex"),
        ("bot:owner:" + "0" * 64, "role 'owner'"),
        ("bot:reader:plain-secret-key", "64-digit SHA-256"),
        ("b ot:reader:" + "0" * 64, "key name"),
        (f"a:reader:{'0' * 64},a:admin:{'1' * 64}", "repeated: a"),
    ],
)
def test_bad_key_entries_are_refused_clearly(entry: str, message: str) -> None:
    with pytest.raises(KeyConfigError, match=message) as caught:
        KeyRing.from_config(entry, None)
    assert "plain-secret-key" not in str(caught.value)


def test_key_file_errors_name_the_line(tmp_path) -> None:
    key_file = tmp_path / "keys"
    key_file.write_text(f"ok:reader:{'a' * 64}\nbroken\n", encoding="utf-8")
    with pytest.raises(KeyConfigError, match=r"keys:2"):
        KeyRing.from_config(None, key_file)


def test_settings_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {"AIMSTRACE_QUERY_TIMEOUT_SECONDS": "2.5", "AIMSTRACE_CORS_ORIGINS": "https://a, https://b"}
    )
    assert settings.query_timeout_seconds == 2.5
    assert settings.cors_origins == ["https://a", "https://b"]
    with pytest.raises(SettingsError, match="AIMSTRACE_MAX_RESULT_ROWS"):
        Settings.from_env({"AIMSTRACE_MAX_RESULT_ROWS": "lots"})


# ----- limits -----------------------------------------------------------------------------------


def test_body_over_the_cap_is_413(engine: Engine) -> None:
    settings = Settings(max_body_bytes=2048)
    with TestClient(
        base_url="http://127.0.0.1", app=create_app(settings, engine), client=("127.0.0.1", 1)
    ) as client:
        declared = client.post(
            "/sparql",
            content=b"ASK {}" + b" " * 4096,
            headers={"content-type": "application/sparql-query"},
        )
        streamed = client.post(
            "/sparql",
            content=iter([b"ASK {}", b" " * 4096]),
            headers={"content-type": "application/sparql-query"},
        )
    for answer in (declared, streamed):
        assert answer.status_code == 413
        assert answer.json()["field"] == "body"


def test_row_cap_is_reported_not_truncated(engine: Engine) -> None:
    settings = Settings(max_result_rows=3)
    with TestClient(
        base_url="http://127.0.0.1", app=create_app(settings, engine), client=("127.0.0.1", 1)
    ) as client:
        over = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
        under = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"})
    assert over.status_code == 422
    assert over.json()["reason"] == "more than 3 result rows"
    assert under.status_code == 200
    assert len(under.json()["results"]["bindings"]) == 3


def test_slow_query_is_stopped_at_the_time_limit(engine: Engine) -> None:
    settings = Settings(query_timeout_seconds=0.3)
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f . ?g ?s ?h . ?i ?t ?j }"
    with TestClient(
        base_url="http://127.0.0.1", app=create_app(settings, engine), client=("127.0.0.1", 1)
    ) as client:
        answer = client.get("/sparql", params={"query": slow})
    assert answer.status_code == 504
    assert answer.json()["reason"] == "time limit exceeded"


# ----- CORS and logs ----------------------------------------------------------------------------


def test_cors_is_off_by_default(client: TestClient) -> None:
    answer = client.get("/health", headers={"Origin": "https://dashboard.example"})
    assert "access-control-allow-origin" not in answer.headers


def test_cors_can_be_enabled(engine: Engine) -> None:
    settings = Settings(cors_origins=["https://dashboard.example"])
    with TestClient(base_url="http://127.0.0.1", app=create_app(settings, engine)) as client:
        answer = client.get("/health", headers={"Origin": "https://dashboard.example"})
    assert answer.headers["access-control-allow-origin"] == "https://dashboard.example"


def test_logs_are_json_with_request_id_and_no_key(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="aimstrace.access"):
        client.get(
            "/sparql",
            params={"query": "ASK {}", "api_key": "leaky"},
            headers={"X-Request-ID": "req-7"},
        )
    records = [r for r in caplog.records if r.name == "aimstrace.access"]
    assert records
    line = JsonFormatter().format(records[-1])
    entry = json.loads(line)
    assert entry["request_id"] == "req-7"
    assert entry["principal"] == "reader-bot"
    assert entry["path"] == "/sparql"
    assert "reader-key-0123456789" not in line
    assert "leaky" not in line


def test_framework_enum_matches_the_ontology() -> None:
    from aimstrace.api.models import FrameworkId
    from aimstrace.ontology import FRAMEWORK_IDS

    assert tuple(f.value for f in FrameworkId) == FRAMEWORK_IDS


def test_405_names_every_method_of_the_path(client: TestClient) -> None:
    answer = client.request("DELETE", "/sparql")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, POST"
    assert answer.headers["content-type"] == PROBLEM
