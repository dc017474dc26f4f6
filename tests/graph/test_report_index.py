"""pyshacl-turbo's report read without rdflib (graph/validation/report_index.py) gives the same
gap records as its public rdflib path, on every violating fixture case and the example."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rdflib import RDF, SH, BNode, Literal, URIRef

from aimstrace.graph.engine import Engine
from aimstrace.graph.validation import engines, runner
from aimstrace.graph.validation.report_index import ReportIndex
from aimstrace.graph.validation.runner import validate
from aimstrace.graph.validation.shapes import packaged_shapes, shape_roots
from aimstrace.loaders.pipeline import load_example
from tests.graph.test_validation import AS_OF, EU_AS_OF, _all_cases_at_once, _with_org

INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


@pytest.fixture(scope="module")
def example() -> Engine:
    engine = Engine.open(None)
    engine.load_vocabulary()
    engine.load_catalogs()
    load_example(engine)
    return engine


def _both_paths(store: object, when: str) -> tuple[list[object], list[object], object]:
    fast = validate(store, when, report_graph=False)  # type: ignore[arg-type]
    graph = validate(store, when, report_graph=True)  # type: ignore[arg-type]
    return fast.records, graph.records, fast  # type: ignore[return-value]


def test_the_index_path_gives_the_graph_paths_records_on_every_fixture_case(engine: Engine) -> None:
    store = _with_org(engine, _all_cases_at_once())
    for when in (AS_OF, EU_AS_OF):
        fast, graph, report = _both_paths(store, when)
        assert len(fast) > 60
        assert fast == graph  # same records, same order, details and values included
        assert report.report is None  # type: ignore[attr-defined]  # no graph kept unasked


def test_the_index_path_gives_the_graph_paths_records_on_the_example(example: Engine) -> None:
    fast, graph, _ = _both_paths(example.store, AS_OF)
    assert fast and fast == graph
    # The SHACL report graph is there when asked for (validate --format shacl).
    assert validate(example.store, AS_OF, report_graph=True).report is not None


def test_without_the_engines_native_call_the_public_path_is_taken(
    example: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = validate(example.store, AS_OF).records
    monkeypatch.setattr(engines, "_turbo_report_text", lambda *_: None)
    assert validate(example.store, AS_OF).records == expected


def test_literals_keep_their_lexical_form_and_shape_nodes_are_the_shapes_own() -> None:
    shape = BNode("shape-node")
    text = (
        f'_:r <http://www.w3.org/ns/shacl#value> "01"^^<{INTEGER}> .\n'
        '_:r <http://www.w3.org/ns/shacl#resultMessage> "plain" .\n'
        '_:r <http://www.w3.org/ns/shacl#resultMessage> "mot"@fr .\n'
        "_:r <http://www.w3.org/ns/shacl#sourceShape> _:s1 .\n"
        "_:r <http://www.w3.org/ns/shacl#sourceShape> _:s1 .\n"
    )
    index = ReportIndex.parse(text, {"s1": shape})
    result = BNode("r")
    value = index.value(result, SH.value)
    assert isinstance(value, Literal) and str(value) == "01" and value.datatype == URIRef(INTEGER)
    assert set(index.objects(result, SH.resultMessage)) == {Literal("plain"), Literal("mot", "fr")}
    assert index.value(result, SH.sourceShape) == shape
    assert len(index) == 4  # the repeated triple kept once
    assert list(index.subjects(SH.sourceShape, shape)) == [result]


def test_lists_are_read_in_order_and_a_cycle_ends_them() -> None:
    index = ReportIndex()
    a, b = BNode("a"), BNode("b")
    index.add(a, RDF.first, URIRef("urn:x:1"))
    index.add(a, RDF.rest, b)
    index.add(b, RDF.first, URIRef("urn:x:2"))
    index.add(b, RDF.rest, a)  # a cycle: not a well-formed list, ends where it repeats
    assert list(index.items(a)) == [URIRef("urn:x:1"), URIRef("urn:x:2")]
    index.add(b, RDF.rest, RDF.nil)
    assert list(index.items(BNode("none"))) == []


def test_a_report_that_is_not_rdf_is_an_error() -> None:
    with pytest.raises(SyntaxError):
        ReportIndex.parse("<urn:a> <urn:b> .\n")


def test_the_packaged_shapes_in_two_parts_give_one_runs_records(
    engine: Engine, example: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    shapes = packaged_shapes()
    parts = shapes.parts()
    assert len(parts) == 2
    roots = set(shape_roots(shapes.graph))
    assert len(roots) > 30 and any("EU-upcoming" in root for root in roots)
    in_parts = [set(shape_roots(part.graph)) for part in parts]
    assert set().union(*in_parts) == roots  # every shape with a target is in a part
    assert set.intersection(*in_parts) == set()  # no packaged shape reaches the other part's
    fixtures = _with_org(engine, _all_cases_at_once())
    cases = ((fixtures, AS_OF), (fixtures, EU_AS_OF), (example.store, AS_OF))
    whole = [validate(store, when).records for store, when in cases]
    monkeypatch.setattr(runner, "PARTS_FROM_BYTES", 0)  # the size from which parts are used
    calls: list[int] = []
    monkeypatch.setattr(
        runner, "_validate_parts", _counting(runner._validate_parts, calls), raising=True
    )
    in_two = [validate(store, when).records for store, when in cases]
    assert len(calls) == 3
    assert in_two == whole and all(len(records) > 5 for records in whole)


def _counting(function: Callable[..., object], calls: list[int]) -> Callable[..., object]:
    def counted(*args: object) -> object:
        calls.append(1)
        return function(*args)

    return counted
