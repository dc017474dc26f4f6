"""Named queries over an imported (external) framework, in SPARQL and in Cypher on real Neo4j.

The framework is CISO Assistant's ISO 27001:2013 library (tests/data/interop/ciso), which maps
onto our ISO 27001:2022 catalog; the expected values are rows of that file read by hand.
"""

from __future__ import annotations

from pathlib import Path

import neo4j
import pytest

from aimstrace.graph.analytics.core import UnknownEntity
from aimstrace.graph.engine import Engine
from aimstrace.graph.neo4j.backend import Neo4jBackend
from aimstrace.graph.rdf_backend import OxigraphBackend
from aimstrace.loaders.pipeline import demo, import_mappings
from aimstrace.queries.registry import ParameterError, default_registry

CISO = Path(__file__).parents[1] / "data" / "interop" / "ciso"
EXTERNAL = "iso27001-2013"
CATALOG = "https://w3id.org/aimstrace/catalog/"


@pytest.fixture(scope="module")
def engine() -> Engine:
    engine = Engine.open(None)
    demo(engine)
    import_mappings(engine.store, CISO / "mapping-iso27001-2013-to-iso27001-2022.yaml", "ciso")
    engine.derive_mappings()  # as `crosswalk import` does: chains into the imported framework
    return engine


def test_a_requirement_of_an_imported_framework_is_named_by_its_identifier(engine: Engine) -> None:
    rows = engine.run_query("crosswalk", {"requirement": f"{EXTERNAL}:a.8.1.4"}).rows
    # mapping file: a.8.1.4 (return of assets) equal A.5.11 of ISO 27001:2022
    targets = {(row[2], row[3]) for row in rows}
    assert ("A.5.11", "equal") in targets


def test_coverage_of_an_imported_framework_runs_as_a_named_query(engine: Engine) -> None:
    rows = engine.run_query("framework-coverage", {"framework": EXTERNAL}).rows
    assert len(rows) == 131  # the library's requirements (test_api_external.py reads the same)
    by_requirement = {row[1]: row[4] for row in rows}
    # The example implements ISO 42001 controls only; 2022's 5.3 equals 2013's 5.3 (the file):
    # the derived chain A.3.2 ... 5.3 reaches it, so some 2013 items are partly covered.
    assert "partial" in by_requirement.values()
    # The same answer as the engine's own coverage (graph/crosswalk/coverage.py, not SPARQL).
    assert by_requirement == {c.notation: c.coverage for c in engine.coverage(EXTERNAL)}


def test_an_unknown_framework_id_is_an_error_with_the_ids_it_could_be(engine: Engine) -> None:
    with pytest.raises(UnknownEntity, match=r"unknown framework id 'iso27001-2031'.*2013"):
        engine.run_query("framework-coverage", {"framework": "iso27001-2031"})
    with pytest.raises(UnknownEntity, match=r"no iso27001-2013 requirement with notation 'z.9'"):
        engine.run_query("crosswalk", {"requirement": f"{EXTERNAL}:z.9"})


def test_a_framework_id_that_no_import_could_give_is_refused_before_any_query() -> None:
    query = default_registry()["framework-coverage"]
    with pytest.raises(ParameterError, match="imported framework"):
        query.bind({"framework": "ISO 27001"})


@pytest.mark.neo4j
def test_cypher_gives_the_same_rows_over_the_imported_framework(
    engine: Engine, _neo4j_session_driver: neo4j.Driver
) -> None:
    _neo4j_session_driver.execute_query("MATCH (n) DETACH DELETE n")
    neo = Neo4jBackend(engine.store, _neo4j_session_driver)
    neo.sync.sync(full=True)
    oxigraph = OxigraphBackend(engine.store)
    cases = [
        ("framework-coverage", {"framework": EXTERNAL}),
        ("crosswalk", {"requirement": f"{EXTERNAL}:a.8.1.4"}),
        ("crosswalk", {"requirement": "iso27001:A.5.11", "target_framework": EXTERNAL}),
    ]
    for name, params in cases:
        query = default_registry()[name]
        bound = query.bind(params)
        expected, answered = oxigraph.run(query, bound), neo.run(query, bound)
        assert expected.rows, (name, params)
        assert answered.normalised() == expected.normalised(), (name, params)
