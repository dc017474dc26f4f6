"""A mistyped framework id or requirement notation answers 404 with a "did you mean"."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_unknown_notation_of_a_requirement_page(client: TestClient) -> None:
    answer = client.get("/frameworks/iso42001/requirements/A.6.2.99")
    assert answer.status_code == 404
    problem = answer.json()
    assert problem["field"] == "path.notation"
    assert "no iso42001 requirement with id 'A.6.2.99'; did you mean 'A.6.2." in problem["detail"]
    assert client.get("/frameworks/iso42001/requirements/A.6.2.2").status_code == 200


def test_unknown_framework_suggests_the_id(client: TestClient) -> None:
    answer = client.get("/frameworks/iso4200/requirements")
    assert answer.status_code in (404, 422)
    detail = client.get("/frameworks/iso4200/requirements/A.1").json()["detail"]
    assert "did you mean 'iso42001'" in detail
    coverage = client.get("/coverage", params={"framework": "nist-ai-rm"})
    assert coverage.status_code == 404
    assert "did you mean 'nist-ai-rmf'" in coverage.json()["detail"]


def test_unknown_notation_filter_of_mappings(client: TestClient) -> None:
    answer = client.get(
        "/mappings", params={"from": "iso42001", "to": "eu-ai-act", "requirement": "a.7.5"}
    )
    assert answer.status_code == 404
    assert answer.json()["detail"].endswith("did you mean 'A.7.5'?")


def test_unknown_requirement_parameter_of_a_named_query(client: TestClient) -> None:
    answer = client.post(
        "/queries/crosswalk", json={"parameters": {"requirement": "iso42001:A.7.55"}}
    )
    assert answer.status_code == 404, answer.text
    problem = answer.json()
    assert problem["field"] == "body.parameters.requirement"
    assert problem["detail"].startswith(
        "no iso42001 requirement with notation 'A.7.55'; did you mean"
    )
    found = client.post(
        "/queries/crosswalk", json={"parameters": {"requirement": "iso42001:A.7.5"}}
    )
    assert found.status_code == 200 and found.json()["rows"]


def test_unknown_notation_filter_of_gaps(client: TestClient) -> None:
    params = {"as_of": "2026-11-01", "requirement": "A.6.2.99"}
    answer = client.get("/gaps", params=params)
    assert answer.status_code == 404, answer.text
    problem = answer.json()
    assert problem["field"] == "query.requirement"
    assert problem["detail"].startswith(
        "no requirement of any framework with notation 'A.6.2.99'; did you mean 'A.6.2."
    )
    # Scoped to a framework, the notation must be one of that framework's.
    scoped_params = {**params, "framework": "iso42001", "requirement": "Art. 9"}
    scoped = client.get("/gaps", params=scoped_params)
    assert scoped.status_code == 404
    assert scoped.json()["detail"].startswith("no iso42001 requirement with notation 'Art. 9'")
    report = client.get("/reports/gaps", params={**params, "format": "json"})
    assert report.status_code == 404 and report.json()["field"] == "query.requirement"


def test_every_gap_requirement_is_a_known_filter(client: TestClient) -> None:
    # A real notation with gaps, one without (none open on the date), and gaps without a
    # requirement all answer 200: only a notation no catalog has is refused.
    body = client.get("/gaps", params={"as_of": "2026-11-01", "group_by": "requirement"}).json()
    for group in body["groups"]:
        params = {"as_of": "2026-11-01", "requirement": group["value"]}
        if group["framework"]:
            params["framework"] = group["framework"]
        picked = client.get("/gaps", params=params)
        assert picked.status_code == 200, (group, picked.text)
        assert picked.json()["total"] == group["total"]
    quiet = client.get("/gaps", params={"as_of": "2026-11-01", "requirement": "B.7.5"})
    assert quiet.status_code == 200 and quiet.json()["total"] == 0
