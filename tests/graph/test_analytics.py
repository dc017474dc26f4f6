"""networkx analytics on the fixture: impact radius, explain-path, single points of failure."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from aimstrace.graph.analytics.core import Analytics, UnknownEntity, analytics_for
from aimstrace.graph.engine import Engine
from aimstrace.graph.rdf_backend import OxigraphBackend
from aimstrace.graph.store import Changeset, Store
from aimstrace.queries.registry import default_registry

FIXTURE = Path(__file__).resolve().parent.parent / "data" / "queries" / "fixture.ttl"
DATA = "https://w3id.org/aimstrace/data/"
AIMS = "https://w3id.org/aimstrace/ns#"
ORG = ox.NamedNode("https://w3id.org/aimstrace/graph/org")


@pytest.fixture
def store() -> Store:
    loaded = Store.in_memory()
    loaded.load_file(FIXTURE, ox.RdfFormat.TURTLE, ORG)
    return loaded


def _ids(iris: frozenset[str]) -> set[str]:
    return {iri.rsplit("/", 1)[-1] for iri in iris}


@pytest.mark.parametrize(
    ("kind", "entity"),
    [("dataset", f"DS-{n}") for n in range(1, 6)] + [("vendor", "VEN-1"), ("vendor", "VEN-2")],
)
def test_impact_radius_agrees_with_the_named_impact_queries(
    store: Store, kind: str, entity: str
) -> None:
    query = default_registry()[f"{kind}-impact"]
    sparql = OxigraphBackend(store).run(query, query.bind({kind: entity}))
    radius = analytics_for(store).impact_radius(kind, f"{DATA}{kind}/{entity}")
    assert set(radius.rows) == set(sparql.rows)


def test_person_impact_radius(store: Store) -> None:
    radius = analytics_for(store).impact_radius("person", f"{DATA}person/PER-3")
    reached = {category: _ids(nodes) for category, nodes in radius.reached.items()}
    # PER-3 owns SYS-3, SYS-4 and CTL-1; CTL-1 treats RSK-1, which affects SYS-1.
    assert reached == {
        "system": {"SYS-1", "SYS-3", "SYS-4"},
        "owner": {"PER-1"},
        "risk": {"RSK-1", "RSK-2"},
        "requirement": {"A.6.2.4", "A.7.4", "A.7.5", "Annex_III.4_a", "Art._10", "MEASURE_2.11"},
    }


def test_impact_of_an_unknown_entity_is_an_error(store: Store) -> None:
    with pytest.raises(UnknownEntity, match="no vendor"):
        analytics_for(store).impact_radius("vendor", f"{DATA}vendor/VEN-404")
    with pytest.raises(ValueError, match="dataset, vendor or person"):
        analytics_for(store).impact_radius("system", f"{DATA}system/SYS-1")


def test_explain_path_is_shortest_and_deterministic(store: Store) -> None:
    steps = analytics_for(store).explain_path(f"{DATA}system/SYS-1", f"{DATA}system/SYS-2")
    assert [(s.source, s.relation, s.target, s.inverse) for s in steps] == [
        (f"{DATA}system/SYS-1", AIMS + "usesModel", f"{DATA}model/MOD-1", False),
        (f"{DATA}model/MOD-1", AIMS + "accountableOwner", f"{DATA}person/PER-2", False),
        (f"{DATA}person/PER-2", AIMS + "accountableOwner", f"{DATA}system/SYS-2", True),
    ]


def test_explain_path_ignores_enumeration_values(store: Store) -> None:
    # RSK-1 and RSK-3 share no entity, only level individuals and classes, which are not links.
    steps = analytics_for(store).explain_path(f"{DATA}risk/RSK-1", f"{DATA}risk/RSK-3")
    assert all(not s.target.startswith(AIMS) for s in steps)
    assert len(steps) >= 3


def test_explain_path_without_a_connection_is_empty(store: Store) -> None:
    assert analytics_for(store).explain_path(f"{DATA}dataset/DS-4", f"{DATA}system/SYS-1") == []


def test_single_points_of_failure_are_ranked(store: Store) -> None:
    ranked = analytics_for(store).single_points_of_failure()
    assert [(p.entity.rsplit("/", 1)[-1], len(p.systems), p.items_cut_off) for p in ranked] == [
        ("PER-3", 2, 2),  # the only link to Carol's competence record, for SYS-1 and SYS-3
        ("VEN-1", 2, 2),  # the only link to DataCorp's supplier assessment
        ("DS-2", 1, 2),  # carries the data quality record and the route to DS-1 and VEN-1
        ("DS-1", 1, 1),
        ("DS-5", 1, 1),
    ]
    assert analytics_for(store).single_points_of_failure(limit=1)[0].kind == "Person"


def test_projection_is_built_once_and_rebuilt_after_a_change(store: Store) -> None:
    analytics = Analytics(store)
    first = analytics.projection
    assert analytics.projection is first
    new_user = ox.NamedNode(f"{DATA}system/SYS-9")
    store.apply(
        Changeset(
            add=(
                ox.Quad(
                    new_user,
                    ox.NamedNode(AIMS + "usesDataset"),
                    ox.NamedNode(f"{DATA}dataset/DS-4"),
                    ORG,
                ),
            )
        )
    )
    second = analytics.projection
    assert second is not first
    assert [
        s.target for s in analytics.explain_path(f"{DATA}dataset/DS-4", str(new_user.value))
    ] == [new_user.value]


def test_engine_delegates(store: Store) -> None:
    engine = Engine(store)
    assert len(engine.trace("SYS-1").rows) == 26
    assert _ids(engine.impact("dataset", "DS-1").reached["system"]) == {"SYS-1"}
    assert len(engine.explain_path("system:SYS-1", "eu-ai-act:Art. 10")) == 5
    assert engine.single_points_of_failure(2)[1].entity == f"{DATA}vendor/VEN-1"
    assert engine.run_query("orphans", backend="rdflib").backend == "rdflib"
    with pytest.raises(UnknownEntity, match="no system with id 'SYS-404'"):
        engine.trace("SYS-404")
    with pytest.raises(UnknownEntity, match="no system with id 'SYS-404'") as raised:
        engine.run_query("system-trace", {"system": "SYS-404"})
    assert raised.value.parameter == "system"


def test_an_impact_asked_twice_at_once_is_computed_once(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    import time

    from aimstrace.graph.impact_index import ImpactIndex

    engine = Engine(store)
    calls: list[str] = []
    real = ImpactIndex.person_impact  # people are answered from the impact index

    def slow(self: ImpactIndex, entity: str) -> object:
        calls.append(entity)
        time.sleep(0.3)  # a popular entity at scale: seconds, past a request's time limit
        return real(self, entity)

    monkeypatch.setattr(ImpactIndex, "person_impact", slow)
    answers: list[object] = []
    threads = [
        threading.Thread(target=lambda: answers.append(engine.impact("person", "PER-3")))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and len(answers) == 3 and answers[0] is answers[1] is answers[2]
    written = ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.Literal("c"), ORG)
    store.apply(Changeset(add=(written,)))
    engine.impact("person", "PER-3")
    assert len(calls) == 2  # a write makes it stale
