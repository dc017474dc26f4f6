"""The routes the workbench needs: gap filters, facets and groups, unknown ids in named queries,
and the register metadata the pages link entities with."""

from __future__ import annotations

from fastapi.testclient import TestClient

from aimstrace.graph.engine import Engine

AS_OF = "2026-11-01"


def gaps(client: TestClient, **params: object) -> dict:  # type: ignore[type-arg]
    answer = client.get("/gaps", params={"as_of": AS_OF, "limit": 500, **params})
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_gap_filters_match_the_engine_report(client: TestClient, engine: Engine) -> None:
    records = engine.validate(AS_OF).records
    everything = gaps(client)
    assert everything["total"] == len(records)
    system = next(r.system for r in records if r.system)
    assert system is not None
    system_id = system.split(" ")[0]
    by_system = gaps(client, system=system_id)
    assert 0 < by_system["total"] < everything["total"]
    assert {g["system"] for g in by_system["items"]} == {system}
    assert by_system["total"] == sum(1 for r in records if r.system == system)
    # counts and conforms stay those of the whole report
    assert by_system["counts"] == everything["counts"]
    req = next(r for r in records if r.framework == "iso42001" and r.requirement)
    by_req = gaps(client, framework="iso42001", requirement=req.requirement)
    assert by_req["total"] == sum(
        1 for r in records if r.framework == "iso42001" and r.requirement == req.requirement
    )
    assert all(g["requirement_title"] for g in by_req["items"])
    owner = next(r.owner for r in records if r.owner)
    assert owner is not None
    assert {g["owner"] for g in gaps(client, owner=owner.split(" ")[0])["items"]} == {owner}
    assert gaps(client, q="no-such-text-anywhere")["total"] == 0


def test_gap_facets_and_groups_add_up(client: TestClient) -> None:
    body = gaps(client, facets="true", group_by="requirement")
    facets = body["facets"]
    assert sum(f["count"] for f in facets["severity"]) == body["total"]
    assert sum(f["count"] for f in facets["framework"]) <= body["total"]
    assert sum(g["total"] for g in body["groups"]) == body["total"]
    first = body["groups"][0]
    picked = gaps(client, framework=first["framework"], requirement=first["value"])
    assert picked["total"] == first["total"]
    systems = gaps(client, group_by="system")["groups"]
    loose = [g for g in systems if g["value"].startswith("(none)")]
    # Gaps on a vendor or control are labelled by what they are about, not lumped together.
    assert all("not tied to one AI system: " in g["label"] for g in loose)
    for group in systems:
        assert gaps(client, system=group["value"])["total"] == group["total"], group


def test_a_facet_limit_keeps_the_values_with_most_gaps_and_says_how_many_there_are(
    client: TestClient,
) -> None:
    every = gaps(client, facets="true")
    assert every["facet_totals"] == {k: len(v) for k, v in every["facets"].items()}
    limited = gaps(client, facets="true", facet_limit=2)
    assert limited["facet_totals"] == every["facet_totals"]
    for name, values in every["facets"].items():
        kept = limited["facets"][name]
        assert kept == [v for v in values if v in kept]  # the facet's own order
        assert len(kept) == min(2, len(values))
        counts = sorted((v["count"] for v in values), reverse=True)
        assert sorted((v["count"] for v in kept), reverse=True) == counts[:2]
    assert client.get("/gaps", params={"facets": "true", "facet_limit": 0}).status_code == 422


def test_gaps_carry_the_offending_value(client: TestClient) -> None:
    items = gaps(client)["items"]
    dated = [g for g in items if g["path"] == "aims:dueDate"]
    assert dated and all(g["shown_value"] and g["shown_value"][:4].isdigit() for g in dated)


def test_bad_gap_filters_are_422(client: TestClient) -> None:
    for params, field in (
        ({"severity": "Fatal"}, "query.severity"),
        ({"framework": "iso9001"}, "query.framework"),
        ({"group_by": "colour"}, "query.group_by"),
    ):
        answer = client.get("/gaps", params=params)
        assert answer.status_code == 422 and answer.json()["field"] == field, answer.text


def test_a_named_query_with_an_unknown_id_is_404(client: TestClient) -> None:
    answer = client.post(
        "/queries/system-trace", json={"parameters": {"system": "SYS-404"}, "backend": "rdf"}
    )
    assert answer.status_code == 404
    body = answer.json()
    assert body["detail"] == "no system with id 'SYS-404'"
    assert body["field"] == "body.parameters.system"
    trace = client.get("/systems/SYS-404/trace").json()
    assert trace["detail"] == "no system with id 'SYS-404'"


def test_register_metadata_names_the_referenced_register(client: TestClient) -> None:
    meta = client.get("/ui/meta.json").json()
    columns = {c["name"]: c for c in meta["collections"]["systems"]["columns"]}
    assert columns["owner"]["refers_to"] == "people"
    assert columns["datasets"]["refers_to"] == "datasets" and columns["datasets"]["multi"]
    # The documented routes, so the page looks a panel's route up without /openapi.json.
    documented = set(client.get("/openapi.json").json()["paths"])
    assert set(meta["routes"]) == documented
    assert "/systems/{id}/obligations" in meta["routes"] and "/ui/meta.json" not in meta["routes"]


def test_one_entity_and_its_referrers_match_the_registers(
    client: TestClient, engine: Engine
) -> None:
    all_systems = engine.list_entities("systems")
    used = sorted({d for s in all_systems for d in s["datasets"]})
    assert used, "the fixture's systems name datasets"
    dataset = used[0]
    listed = {d["id"]: d for d in engine.list_entities("datasets")}
    assert client.get(f"/datasets/{dataset}").json() == listed[dataset]
    answer = client.get(f"/datasets/{dataset}/referrers", params={"limit": 500}).json()
    systems = [s for s in all_systems if dataset in s["datasets"]]
    named = [
        r for r in answer["items"] if (r["collection"], r["column"]) == ("systems", "datasets")
    ]
    assert [r["id"] for r in named] == sorted(s["id"] for s in systems)
    labels = {s["id"]: s["label"] for s in systems}
    assert all(r["label"] == labels[r["id"]] for r in named)
    assert answer["total"] == len(answer["items"]) == sum(g["total"] for g in answer["groups"])
    assert client.get("/datasets/DS-404/referrers").status_code == 404


def test_referrers_come_in_pages_with_the_counts_of_every_group(
    client: TestClient, engine: Engine
) -> None:
    # The person owning most things is named in several registers' owner columns.
    owners = [s["owner"] for s in engine.list_entities("systems") if s["owner"]]
    person = max(set(owners), key=owners.count)
    url = f"/people/{person}/referrers"
    everything = client.get(url, params={"limit": 500}).json()
    assert len(everything["groups"]) > 1, everything["groups"]
    pages, cursor = [], None
    while True:
        page = client.get(url, params={"limit": 2, **({"cursor": cursor} if cursor else {})})
        body = page.json()
        assert body["groups"] == everything["groups"] and len(body["items"]) <= 2
        pages.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == everything["items"]
    group = everything["groups"][-1]
    only = client.get(
        url, params={"collection": group["collection"], "column": group["column"], "limit": 500}
    ).json()
    assert only["total"] == group["total"] == len(only["items"])
    assert {(r["collection"], r["column"]) for r in only["items"]} == {
        (group["collection"], group["column"])
    }
    assert only["groups"] == everything["groups"]  # counts whatever the filter
    for params, field in (
        ({"collection": "planets"}, "query.collection"),
        ({"limit": 0}, "query.limit"),
    ):
        bad = client.get(url, params=params)
        assert bad.status_code == 422 and bad.json()["field"] == field, bad.text


def test_referrers_per_group_give_each_groups_first_page_and_where_it_goes_on(
    client: TestClient, engine: Engine
) -> None:
    owners = [s["owner"] for s in engine.list_entities("systems") if s["owner"]]
    url = f"/people/{max(set(owners), key=owners.count)}/referrers"
    everything = client.get(url, params={"limit": 500}).json()
    answer = client.get(url, params={"limit": 1, "per_group": "true"}).json()
    assert [(g["collection"], g["column"], g["total"]) for g in answer["groups"]] == [
        (g["collection"], g["column"], g["total"]) for g in everything["groups"]
    ]
    for group in answer["groups"]:
        key = (group["collection"], group["column"])
        rows = [r for r in everything["items"] if (r["collection"], r["column"]) == key]
        firsts = [r for r in answer["items"] if (r["collection"], r["column"]) == key]
        assert firsts == rows[:1]
        assert (group["next_cursor"] is None) == (group["total"] == 1)
        if group["next_cursor"] is not None:
            rest = client.get(
                url,
                params={"collection": key[0], "column": key[1], "limit": 500,
                        "cursor": group["next_cursor"]},
            ).json()  # fmt: skip
            assert firsts + rest["items"] == rows
    assert len(answer["items"]) == len(answer["groups"])
    # With a cursor: each group's first entries after it (the groups before it have none left).
    middle = everything["items"][len(everything["items"]) // 2]
    cursor = client.get(url, params={"limit": len(everything["items"]) // 2 + 1}).json()[
        "next_cursor"
    ]
    after = client.get(url, params={"limit": 1, "per_group": "true", "cursor": cursor}).json()
    rest = everything["items"][len(everything["items"]) // 2 + 1 :]
    assert after["items"] == [
        next(r for r in rest if (r["collection"], r["column"]) == key)
        for key in dict.fromkeys((r["collection"], r["column"]) for r in rest)
    ]
    assert middle not in after["items"]


def test_dashboard_counts_every_system_once(client: TestClient, engine: Engine) -> None:
    answer = client.get("/dashboard", params={"start": "false"}).json()
    systems = engine.list_entities("systems")
    assert answer["systems"] == len(systems) == sum(r["count"] for r in answer["by_route_stage"])
    stages = {r["lifecycle_stage"] for r in answer["by_route_stage"]}
    assert stages == {s["lifecycle_stage"] for s in systems}
    assert {c["state"] for c in answer["coverage"]} <= {"ready", "running", "not-run"}


def test_gap_status_starts_the_validation_and_reports_its_counts(
    client: TestClient, engine: Engine
) -> None:
    import time

    status = client.get("/gaps/status", params={"as_of": "2026-10-15", "start": "true"}).json()
    assert status["state"] in ("running", "ready")
    deadline = time.monotonic() + 120
    while status["state"] != "ready" and time.monotonic() < deadline:
        time.sleep(0.2)
        status = client.get("/gaps/status", params={"as_of": "2026-10-15"}).json()
    assert status["state"] == "ready", status
    assert status["counts"] == engine.validate("2026-10-15").counts()


def test_answers_and_page_files_are_revalidated_by_etag(client: TestClient) -> None:
    first = client.get("/systems/SYS-001")
    tag = first.headers["etag"]
    again = client.get("/systems/SYS-001", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert client.get("/systems/SYS-002", headers={"If-None-Match": tag}).status_code == 200
    script = client.get("/ui/assets/app.js")
    cached = client.get("/ui/assets/app.js", headers={"If-None-Match": script.headers["etag"]})
    assert cached.status_code == 304
    assert "cytoscape" not in client.get("/ui/").text  # loaded by graph.js only for a graph
