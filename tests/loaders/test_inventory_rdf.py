"""RDF inputs (Turtle, JSON-LD, N-Triples): skolemized blank nodes, idempotent reloads, checks."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from inventory_support import DATA, ORG, all_quads, catalog_store

from aimstrace.loaders.errors import InventoryLoadError
from aimstrace.loaders.load import load, plan
from aimstrace.loaders.rdf import SKOLEM_BASE, read_rdf


def test_turtle_blank_nodes_become_stable_skolem_iris() -> None:
    triples, issues = read_rdf(DATA / "rdf" / "org.ttl")
    assert issues == []
    terms = [t for triple in triples for t in (triple.subject, triple.object)]
    assert not any(isinstance(t, ox.BlankNode) for t in terms)
    skolems = {
        t.value for t in terms if isinstance(t, ox.NamedNode) and t.value.startswith(SKOLEM_BASE)
    }
    assert len(skolems) == 2
    again, _ = read_rdf(DATA / "rdf" / "org.ttl")
    assert set(again) == set(triples)


def test_turtle_and_jsonld_reload_changes_nothing() -> None:
    store = catalog_store()
    files = [DATA / "rdf" / "org.ttl", DATA / "rdf" / "org.jsonld"]
    first = load(files, store)
    assert {r.id for r in first.added} >= {"SYS-9", "P-9", "V-9"}
    snapshot = all_quads(store)
    second = load(files, store)
    assert (second.triples_added, second.triples_removed) == (0, 0)
    assert all_quads(store) == snapshot


def test_tabular_rows_may_reference_rdf_entities(tmp_path) -> None:  # type: ignore[no-untyped-def]
    risks = tmp_path / "risks.csv"
    risks.write_text(
        "id,title,risk_source,likelihood,severity,level,owner,systems\n"
        "R-9,Imported risk,C.3.1,1,2,low,P-9,SYS-9\n",
        encoding="utf-8",
    )
    store = catalog_store()
    report = load([DATA / "rdf" / "org.ttl", risks], store)
    assert "R-9" in {r.id for r in report.added}


def test_dangling_rdf_references_and_unknown_requirements_are_errors() -> None:
    store = catalog_store()
    before = all_quads(store)
    with pytest.raises(InventoryLoadError) as caught:
        load([DATA / "rdf" / "dangling.nt"], store)
    values = sorted(i.value or "" for i in caught.value.issues)
    assert values == [
        "https://w3id.org/aimstrace/catalog/iso42001/C.3.99",
        "https://w3id.org/aimstrace/data/system/SYS-404",
    ]
    assert all_quads(store) == before


def test_rdf_syntax_error_reports_the_line() -> None:
    issues = plan([DATA / "rdf" / "broken.nt"], catalog_store()).issues
    assert len(issues) == 1 and issues[0].row == 2
    assert "invalid N-Triples" in issues[0].message


def test_rdf_lands_in_the_org_graph_only() -> None:
    store = catalog_store()
    before = all_quads(store)
    load([DATA / "rdf" / "org.jsonld"], store)
    new = all_quads(store) - before
    assert new and all(q.graph_name == ORG for q in new)
