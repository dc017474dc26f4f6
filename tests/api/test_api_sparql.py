"""The SPARQL 1.1 Protocol endpoint: formats, negotiation, refusals, and a real SPARQL client."""

from __future__ import annotations

import csv
import io
import socket
import threading
import time
from collections.abc import Iterator
from urllib.error import HTTPError

import pyoxigraph as ox
import pytest
import uvicorn
from fastapi.testclient import TestClient
from SPARQLWrapper import CSV, JSON, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from aimstrace.api.app import create_app
from aimstrace.api.settings import Settings
from aimstrace.api.sparql_results import negotiate, parse_accept, solutions_to_bytes
from aimstrace.graph.engine import Engine

SYSTEMS = """
PREFIX aims: <https://w3id.org/aimstrace/ns#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?system ?id ?label WHERE {
  ?system a aims:AISystem ; dcterms:identifier ?id . OPTIONAL { ?system rdfs:label ?label }
} ORDER BY ?id
"""
RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}


def _solutions(data: bytes, fmt: ox.QueryResultsFormat) -> list[object]:
    if fmt == ox.QueryResultsFormat.CSV:
        # CSV is lossy and pyoxigraph will not parse it; compare the cells instead.
        return list(csv.reader(io.StringIO(data.decode("utf-8"))))
    parsed = ox.parse_query_results(data, format=fmt)
    assert isinstance(parsed, ox.QuerySolutions)
    names = [v.value for v in parsed.variables]
    return [{n: s[n] for n in names if s[n] is not None} for s in parsed]


@pytest.mark.parametrize("media", list(RESULT_FORMATS))
def test_select_results_read_back_equal_to_oxigraphs_own(
    client: TestClient, engine: Engine, media: str
) -> None:
    answer = client.get("/sparql", params={"query": SYSTEMS}, headers={"Accept": media})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(media)
    fmt = RESULT_FORMATS[media]
    reference = engine.store.oxigraph.query(SYSTEMS, use_default_graph_as_union=True)
    assert isinstance(reference, ox.QuerySolutions)
    expected = _solutions(reference.serialize(format=fmt) or b"", fmt)
    assert _solutions(answer.content, fmt) == expected
    assert len(expected) >= 2


def test_literal_kinds_survive_json_and_xml() -> None:
    row = {
        "plain": ox.Literal('say "hi" <&>'),
        "lang": ox.Literal("Daten", language="de"),
        "typed": ox.Literal("4", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        "node": ox.BlankNode("b0"),
        "iri": ox.NamedNode("https://example.org/a?b=c&d"),
    }
    names = list(row)
    for media, fmt in RESULT_FORMATS.items():
        if fmt == ox.QueryResultsFormat.CSV:
            continue  # CSV drops datatypes and languages by design
        data = solutions_to_bytes(media, names, [row])
        back = _solutions(data, fmt)[0]
        assert {k: v for k, v in back.items() if k != "node"} == {
            k: v for k, v in row.items() if k != "node"
        }
        assert isinstance(back["node"], ox.BlankNode)


def test_ask_and_construct(client: TestClient) -> None:
    ask = client.post(
        "/sparql",
        content="ASK { ?s a <https://w3id.org/aimstrace/ns#AISystem> }",
        headers={"content-type": "application/sparql-query"},
    )
    assert ask.json() == {"head": {}, "boolean": True}
    construct = client.get(
        "/sparql",
        params={"query": "CONSTRUCT WHERE { ?s a <https://w3id.org/aimstrace/ns#AISystem> }"},
        headers={"Accept": "application/n-triples"},
    )
    assert construct.headers["content-type"].startswith("application/n-triples")
    triples = list(ox.parse(construct.content, format=ox.RdfFormat.N_TRIPLES))
    assert triples and all(q.object.value.endswith("#AISystem") for q in triples)


def test_form_encoded_post(client: TestClient) -> None:
    answer = client.post("/sparql", data={"query": SYSTEMS}, headers={"Accept": "text/csv"})
    assert answer.status_code == 200
    assert answer.text.splitlines()[0] == "system,id,label"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"data": {"update": "INSERT DATA { <a:b> <a:c> <a:d> }"}}, "update"),
        (
            {
                "content": "DROP ALL",
                "headers": {"content-type": "application/sparql-update"},
            },
            "update",
        ),
        ({"data": {"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}}, "query"),
        ({"data": {"query": "DELETE WHERE { ?s ?p ?o }"}}, "query"),
    ],
)
def test_updates_are_refused_and_nothing_changes(
    client: TestClient, engine: Engine, kwargs: dict, field: str
) -> None:
    before = engine.store.count()
    answer = client.post("/sparql", **kwargs)
    assert answer.status_code == 403
    assert answer.json()["field"] == field
    assert engine.store.count() == before


def test_get_update_is_refused(client: TestClient) -> None:
    answer = client.get("/sparql", params={"query": "CLEAR ALL"})
    assert answer.status_code == 403


@pytest.mark.parametrize(
    ("request_kwargs", "status", "field"),
    [
        ({"params": {"query": "SELEKT *"}}, 400, None),
        ({"params": {}}, 400, "query"),
        (
            {"params": {"query": "ASK {}", "default-graph-uri": "not an iri"}},
            400,
            "default-graph-uri",
        ),
        ({"params": {"query": "ASK {}"}, "headers": {"Accept": "image/png"}}, 406, "header.accept"),
    ],
)
def test_bad_protocol_requests(
    client: TestClient, request_kwargs: dict, status: int, field: str | None
) -> None:
    answer = client.get("/sparql", **request_kwargs)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"
    if field:
        assert answer.json()["field"] == field


def test_wrong_post_content_type_is_415(client: TestClient) -> None:
    answer = client.post("/sparql", content="ASK {}", headers={"content-type": "text/plain"})
    assert answer.status_code == 415


def test_accept_negotiation() -> None:
    offered = ["application/sparql-results+json", "text/csv"]
    assert negotiate(None, offered) == offered[0]
    assert negotiate("text/csv;q=0.9, application/sparql-results+json;q=0.1", offered) == "text/csv"
    assert negotiate("text/*", offered) == "text/csv"
    assert negotiate("image/png", offered) is None
    assert negotiate("text/csv;q=0", offered) is None
    assert parse_accept("a/b;q=x") == []  # a malformed quality counts as q=0
    assert [a.media_range for a in parse_accept("a/b;q=0.2, c/d")] == ["c/d", "a/b"]


# ----- a real SPARQL client against a real server ------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_url(engine: Engine) -> Iterator[str]:
    """A uvicorn server on a free loopback port, in local mode (no key needed from loopback)."""
    port = _free_port()
    config = uvicorn.Config(
        create_app(Settings(), engine), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_reads_json_xml_and_csv(live_url: str, engine: Engine, method: str) -> None:
    expected = [row["id"].value for row in engine.store.select(SYSTEMS)]
    client = SPARQLWrapper(f"{live_url}/sparql")
    client.setMethod(method)
    client.setQuery(SYSTEMS)
    client.setReturnFormat(JSON)
    as_json = client.query().convert()
    assert [b["id"]["value"] for b in as_json["results"]["bindings"]] == expected
    client.setReturnFormat(XML)
    as_xml = client.query().convert()
    ids = [
        node.getElementsByTagName("literal")[0].firstChild.data
        for node in as_xml.getElementsByTagName("binding")
        if node.getAttribute("name") == "id"
    ]
    assert ids == expected
    client.setReturnFormat(CSV)
    as_csv = client.query().convert().decode("utf-8").splitlines()
    assert [line.split(",")[1] for line in as_csv[1:]] == expected


def test_sparqlwrapper_sees_refusals(live_url: str) -> None:
    client = SPARQLWrapper(f"{live_url}/sparql")
    client.setQuery("SELEKT nothing")
    with pytest.raises(QueryBadFormed):
        client.query()
    updater = SPARQLWrapper(f"{live_url}/sparql")
    updater.setMethod("POST")
    updater.setQuery("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises(HTTPError) as caught:
        updater.query()
    assert caught.value.code == 403


# ----- the dataset: FROM, FROM NAMED, default-graph-uri, named-graph-uri --------------------------

COUNT = "SELECT (COUNT(*) AS ?n) {dataset} WHERE {{ ?s ?p ?o }}"
COUNT_NAMED = "SELECT (COUNT(*) AS ?n) {dataset} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"


def _count(client: TestClient, query: str, **params: object) -> int:
    answer = client.get("/sparql", params={"query": query, **params})
    assert answer.status_code == 200, answer.text
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def _two_graphs(engine: Engine) -> tuple[str, str]:
    graphs = [g.value for g in engine.store.named_graphs() if engine.store.count(g) > 0]
    assert len(graphs) >= 2
    return graphs[0], graphs[1]


def test_the_union_is_the_default_only_when_the_query_names_no_dataset(
    client: TestClient, engine: Engine
) -> None:
    first, second = _two_graphs(engine)
    in_first = engine.store.count(ox.NamedNode(first))
    in_second = engine.store.count(ox.NamedNode(second))
    assert _count(client, COUNT.format(dataset="")) == engine.store.count()
    assert _count(client, COUNT.format(dataset="FROM <urn:nonexistent>")) == 0
    assert _count(client, COUNT.format(dataset=f"FROM <{first}>")) == in_first
    both = f"FROM <{first}> FROM <{second}>"
    assert _count(client, COUNT.format(dataset=both)) == in_first + in_second
    # FROM NAMED alone: the named graphs are those, the default graph is empty.
    assert _count(client, COUNT_NAMED.format(dataset=f"FROM NAMED <{second}>")) == in_second
    assert _count(client, COUNT.format(dataset=f"FROM NAMED <{second}>")) == 0


def test_protocol_graphs_replace_the_querys_dataset(client: TestClient, engine: Engine) -> None:
    first, second = _two_graphs(engine)
    in_first = engine.store.count(ox.NamedNode(first))
    in_second = engine.store.count(ox.NamedNode(second))
    query = COUNT.format(dataset=f"FROM <{second}>")
    assert _count(client, query, **{"default-graph-uri": first}) == in_first
    # named-graph-uri alone: an empty default graph, only that named graph for GRAPH.
    named = {"named-graph-uri": second}
    assert _count(client, COUNT.format(dataset=""), **named) == 0
    assert _count(client, COUNT_NAMED.format(dataset=""), **named) == in_second
    form = client.post(
        "/sparql",
        data={"query": COUNT.format(dataset=""), "default-graph-uri": [first, second]},
    )
    assert int(form.json()["results"]["bindings"][0]["n"]["value"]) == in_first + in_second
    direct = client.post(
        "/sparql",
        params={"default-graph-uri": "urn:nonexistent"},
        content=COUNT.format(dataset=""),
        headers={"content-type": "application/sparql-query"},
    )
    assert int(direct.json()["results"]["bindings"][0]["n"]["value"]) == 0


@pytest.mark.parametrize("media", ["text/csv", "text/tab-separated-values"])
def test_ask_answers_in_csv_and_tsv_as_oxigraph_does(client: TestClient, media: str) -> None:
    answer = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": media})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(media)
    fmt = RESULT_FORMATS[media]
    assert answer.content == ox.Store().query("ASK {}").serialize(format=fmt)


def test_sparqlwrapper_names_graphs(live_url: str, engine: Engine) -> None:
    first, second = _two_graphs(engine)
    client = SPARQLWrapper(f"{live_url}/sparql")
    client.setReturnFormat(JSON)
    client.setQuery(COUNT.format(dataset=""))
    client.addDefaultGraph(first)
    as_json = client.query().convert()
    n = int(as_json["results"]["bindings"][0]["n"]["value"])
    assert n == engine.store.count(ox.NamedNode(first))
    named = SPARQLWrapper(f"{live_url}/sparql")
    named.setReturnFormat(JSON)
    named.setQuery(COUNT_NAMED.format(dataset=""))
    named.addNamedGraph(second)
    as_json = named.query().convert()
    n = int(as_json["results"]["bindings"][0]["n"]["value"])
    assert n == engine.store.count(ox.NamedNode(second))


def test_rdflib_sparqlstore_reads_a_named_graph(live_url: str, engine: Engine) -> None:
    from rdflib import Graph, URIRef
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    first, _ = _two_graphs(engine)
    store = SPARQLStore(query_endpoint=f"{live_url}/sparql", returnFormat="json")
    graph = Graph(store, identifier=URIRef(first))
    assert len(graph) == engine.store.count(ox.NamedNode(first))
    expected = {
        (q.subject.value, q.predicate.value)
        for q in engine.store.quads(ox.NamedNode(first))
        if isinstance(q.subject, ox.NamedNode)
    }
    seen = {(str(s), str(p)) for s, p, _ in graph.triples((None, None, None))}
    assert expected <= seen
    assert len(seen) <= engine.store.count(ox.NamedNode(first))
