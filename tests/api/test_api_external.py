"""External frameworks through the API: import (CISO, OLIR with focal/reference), read, remove."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from httpx import Response

CISO = Path(__file__).resolve().parents[1] / "data" / "interop" / "ciso"
SET = "mapping-iso27001-2013-to-iso27001-2022"


def _upload(
    client: TestClient,
    auth: Callable[[str], dict[str, str]],
    path: Path | tuple[str, bytes],
    **form: str,
) -> Response:
    name, content = (path.name, path.read_bytes()) if isinstance(path, Path) else path
    return client.post(
        "/imports",
        headers=auth("editor"),
        files=[("files", (name, content, "application/octet-stream"))],
        data=form,
    )


def test_ciso_2013_library_imports_and_reads_as_an_external_framework(
    client: TestClient, auth: Callable[[str], dict[str, str]]
) -> None:
    answer = _upload(client, auth, CISO / f"{SET}.yaml", format="ciso")
    assert answer.status_code == 200, answer.text
    assert answer.json()["external_frameworks"] == {"iso27001-2013": 131}
    frameworks = {f["id"]: f for f in client.get("/frameworks").json()}
    assert frameworks["iso27001-2013"]["external"] is True
    assert frameworks["iso27001"]["external"] is False
    page = client.get("/frameworks/iso27001-2013/requirements", params={"limit": 500}).json()
    assert page["total"] == 131
    mappings = client.get(
        "/mappings", params={"from": "iso27001-2013", "to": "iso27001", "limit": 500}
    ).json()
    rows = {(m["subject"], m["object"]): m["relationship"] for m in mappings["items"]}
    assert rows[("a.8.1.4", "A.5.11")] == "equal" and len(rows) == 134
    detail = client.get("/frameworks/iso27001-2013/requirements/a.8.1.4").json()
    assert [(m["object_framework"], m["object"]) for m in detail["mappings_out"]] == [
        ("iso27001", "A.5.11")
    ]
    coverage = client.get("/coverage", params={"framework": "iso27001-2013", "limit": 500}).json()
    assert sum(coverage["summary"].values()) == 131 and coverage["summary"]["partial"] > 0
    # the test organisation's CTL-004 implements 42001 A.3.2, which intersects 2022's 5.3,
    # which their library says equals 2013's 5.3: a derived path into the external framework
    entry = next(i for i in coverage["items"] if i["notation"] == "5.3")
    path = entry["paths"][0]
    assert (path["control"], path["implements"], entry["coverage"]) == (
        "CTL-004",
        "A.3.2",
        "partial",
    )
    assert [m["mapping_set"] for m in path["derived_via"]] == [
        "iso42001--iso27001",
        SET,
    ]
    dashboard = client.get("/dashboard", params={"start": "false"}).json()
    assert "iso27001-2013" in {c["framework"] for c in dashboard["coverage"]}


def test_olir_import_takes_focal_and_reference(
    client: TestClient, auth: Callable[[str], dict[str, str]]
) -> None:
    # ours: an OLIR CSV from a made-up reference document beside the AI RMF as focal document
    csv = (
        b"Focal Document Element,Relationship,Reference Document Element\n"
        b"GOVERN 1.1,superset of,ACME-1\n"
    )
    missing = _upload(client, auth, ("acme.csv", csv), format="olir", focal="nist-ai-rmf")
    assert missing.status_code == 422 and missing.json()["field"] == "body.reference"
    wrong = _upload(client, auth, ("acme.csv", csv), format="sssom", focal="nist-ai-rmf")
    assert wrong.status_code == 422 and wrong.json()["field"] == "body.focal"
    answer = _upload(
        client,
        auth,
        ("acme.csv", csv),
        format="olir",
        focal="nist-ai-rmf",
        reference="acme-controls",
        mapping_set="acme",
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["records"] == {"acme": 1}
    rows = client.get("/mappings", params={"from": "acme-controls", "to": "nist-ai-rmf"}).json()
    # IR 8278A r1: the reference element ACME-1 is a superset of the focal GOVERN 1.1
    assert [(m["subject"], m["relationship"], m["object"]) for m in rows["items"]] == [
        ("ACME-1", "superset-of", "GOVERN 1.1")
    ]


def test_delete_an_external_framework(
    client: TestClient, auth: Callable[[str], dict[str, str]]
) -> None:
    assert _upload(client, auth, CISO / f"{SET}.yaml", format="ciso").status_code == 200
    assert client.delete("/frameworks/iso27001-2013").status_code == 403  # reader
    refused = client.delete("/frameworks/iso27001-2013", headers=auth("editor"))
    assert refused.status_code == 409
    body = refused.json()
    assert len(body["invalid_params"]) == 134
    assert all(i["field"] == f"mapping set {SET}" for i in body["invalid_params"])
    assert client.get("/frameworks/iso27001-2013/requirements").status_code == 200
    ours = client.delete("/frameworks/iso27001", headers=auth("editor"))
    assert ours.status_code == 404 and "own catalogs" in ours.json()["detail"]
    done = client.delete(
        "/frameworks/iso27001-2013",
        params={"with_mapping_sets": "true"},
        headers=auth("editor"),
    )
    assert done.status_code == 200, done.text
    assert done.json()["mapping_sets"] == [SET] and done.json()["requirements"] == 131
    assert client.get("/frameworks/iso27001-2013/requirements").status_code == 404
    gone = client.get("/mappings", params={"from": "iso27001-2013", "to": "iso27001"})
    assert gone.status_code == 404
    assert client.delete("/frameworks/iso27001-2013", headers=auth("editor")).status_code == 404
