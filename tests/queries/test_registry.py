"""The registry: definitions are documented, agree with their query text, and check values."""

from __future__ import annotations

import datetime as dt

import pytest
from query_fixtures import DATA
from rdflib.plugins.sparql import prepareQuery

from aimstrace.graph.backend import Iri
from aimstrace.graph.store.sparql_lateral import splice_lateral
from aimstrace.queries.registry import (
    NamedQuery,
    Parameter,
    ParameterError,
    QueryDefinitionError,
    UnknownQuery,
    default_registry,
    definition_problems,
    load_definition,
    load_registry,
    sparql_parameter_names,
)

ALL = list(default_registry().values())


@pytest.mark.parametrize("query", ALL, ids=[q.name for q in ALL])
def test_definition_is_documented_and_agrees_with_its_text(query: NamedQuery) -> None:
    assert definition_problems(query) == []
    assert query.title and query.description and query.audience and query.columns
    for parameter in query.parameters:
        assert parameter.description and parameter.example


@pytest.mark.parametrize(
    "query", [q for q in ALL if q.sparql], ids=[q.name for q in ALL if q.sparql]
)
def test_parameters_and_columns_are_in_the_select_projection(query: NamedQuery) -> None:
    # Oxigraph substitutes only variables of the projection; columns are read from it too.
    assert query.sparql is not None
    projected = {str(v) for v in prepareQuery(splice_lateral(query.sparql)).algebra["PV"]}
    assert {p.name for p in query.parameters} <= projected
    assert set(query.column_names) <= projected


def test_parameter_names_are_read_from_the_text_not_from_strings_or_iris() -> None:
    text = 'SELECT $a ?b WHERE { ?b <http://x/$c> "$d" . ?b ?p $a } # $e'
    assert sparql_parameter_names(text) == {"a"}


def test_a_declared_parameter_missing_from_the_text_is_reported() -> None:
    with pytest.raises(QueryDefinitionError, match=r"mismatch\.rq.*\['dataset'\].*\['system'\]"):
        load_registry(DATA / "bad-params")


def test_a_query_without_description_or_example_is_reported() -> None:
    query = load_definition(DATA / "undocumented", "bare")
    problems = definition_problems(query)
    assert any("no description" in p for p in problems)
    assert any("'system' has no example" in p for p in problems)
    with pytest.raises(QueryDefinitionError):
        load_registry(DATA / "undocumented")


def test_unknown_query_names_the_known_ones() -> None:
    with pytest.raises(UnknownQuery, match="system-trace"):
        default_registry()["no-such-query"]


def test_unknown_parameter_is_an_error_naming_it() -> None:
    query = default_registry()["system-trace"]
    with pytest.raises(ParameterError, match="'colour': unknown parameter; expected system"):
        query.bind({"system": "SYS-1", "colour": "red"})


def test_missing_parameter_is_an_error_naming_it() -> None:
    query = default_registry()["dataset-impact"]
    with pytest.raises(ParameterError, match="'dataset': missing required") as caught:
        query.bind({})
    assert caught.value.parameter == "dataset"


def test_optional_parameter_may_be_left_out() -> None:
    query = default_registry()["crosswalk"]
    assert query.bind({"requirement": "iso42001:A.7.5"}) == {
        "requirement": "https://w3id.org/aimstrace/catalog/iso42001/A.7.5"
    }


@pytest.mark.parametrize(
    ("ptype", "extra", "raw", "expected"),
    [
        ("integer", {}, "3", 3),
        ("integer", {}, 4, 4),
        ("decimal", {}, "0.5", 0.5),
        ("boolean", {}, "true", True),
        ("date", {}, "2026-01-31", dt.date(2026, 1, 31)),
        ("string", {}, "} DROP", "} DROP"),
        ("iri", {}, "https://example.org/x", Iri("https://example.org/x")),
        ("framework", {}, "eu-ai-act", Iri("https://w3id.org/aimstrace/catalog/eu-ai-act")),
        (
            "requirement",
            {},
            "eu-ai-act:Annex III.4(a)",
            Iri("https://w3id.org/aimstrace/catalog/eu-ai-act/Annex_III.4_a"),
        ),
        (
            "notation",
            {"scheme": "risk-level"},
            "High",
            Iri("https://w3id.org/aimstrace/ns#level-high"),
        ),
        (
            "entity-id",
            {"kind": "system"},
            "SYS-001",
            Iri("https://w3id.org/aimstrace/data/system/SYS-001"),
        ),
        (
            "entity-id",
            {"kind": "system"},
            "https://w3id.org/aimstrace/data/system/SYS-001",
            Iri("https://w3id.org/aimstrace/data/system/SYS-001"),
        ),
        ("node", {}, "vendor:VEN-1", Iri("https://w3id.org/aimstrace/data/vendor/VEN-1")),
    ],
)
def test_values_are_coerced_by_type(
    ptype: str, extra: dict[str, str], raw: object, expected: object
) -> None:
    parameter = Parameter("value", ptype, "d", "e", **extra)  # type: ignore[arg-type]
    coerced = parameter.coerce("q", raw)
    assert coerced == expected and type(coerced) is type(expected)


@pytest.mark.parametrize(
    ("ptype", "extra", "raw", "message"),
    [
        ("integer", {}, "two", "expected an integer"),
        ("integer", {}, True, "expected an integer"),
        ("integer", {"minimum": 1}, "0", "expected an integer >= 1"),
        ("decimal", {}, "much", "expected a number"),
        ("boolean", {}, "maybe", "expected true or false"),
        ("date", {}, "31/01/2026", "expected a date"),
        ("string", {}, 5, "expected a string"),
        ("iri", {}, "not an iri", "expected an absolute IRI"),
        ("iri", {}, "http://x/> } ; DROP ALL", "expected an absolute IRI"),
        ("framework", {}, "ISO 9001", "expected a framework id"),
        ("framework", {}, "https://example.org/iso9001", "expected a framework id"),
        ("requirement", {}, "A.7.5", "FRAMEWORK:NOTATION"),
        ("notation", {"scheme": "risk-level"}, "severe", "expected one of low"),
        ("entity-id", {"kind": "system"}, "SYS 1; DROP", "register id"),
        (
            "entity-id",
            {"kind": "system"},
            "https://w3id.org/aimstrace/data/dataset/DS-1",
            "IRI of a system",
        ),
        ("node", {}, "SYS-1", "KIND:ID"),
    ],
)
def test_wrong_values_are_errors_naming_the_parameter(
    ptype: str, extra: dict[str, object], raw: object, message: str
) -> None:
    parameter = Parameter("value", ptype, "d", "e", **extra)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match=message) as caught:
        parameter.coerce("some-query", raw)
    assert caught.value.parameter == "value"
    assert "query some-query: parameter 'value'" in str(caught.value)


def test_definitions_are_frozen() -> None:
    query = default_registry()["orphans"]
    with pytest.raises(AttributeError):
        query.title = "changed"  # type: ignore[misc]
