"""Plan/apply semantics: idempotent reloads, replacing changed rows, dry runs, store references."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from inventory_support import DATA, ORG, all_quads, catalog_store, org_graph
from rdflib.compare import isomorphic

from aimstrace.graph.engine import Engine
from aimstrace.loaders.errors import InventoryLoadError
from aimstrace.loaders.load import apply, load, plan
from aimstrace.loaders.pipeline import load_example
from aimstrace.ontology.iris import entity_iri

AIMS = "https://w3id.org/aimstrace/ns#"


def test_second_load_changes_nothing() -> None:
    store = catalog_store()
    first = load([DATA / "valid_csv"], store)
    after_first = all_quads(store)
    second = load([DATA / "valid_csv"], store)
    assert first.triples_added > 0
    assert (second.triples_added, second.triples_removed) == (0, 0)
    assert second.added == [] and second.changed == []
    assert second.unchanged == first.entities
    assert all_quads(store) == after_first


def test_changed_row_replaces_the_entity_triples(tmp_path: Path) -> None:
    folder = tmp_path / "inv"
    shutil.copytree(DATA / "valid_csv", folder)
    store = catalog_store()
    load([folder], store)
    systems = folder / "systems.csv"
    text = systems.read_text(encoding="utf-8")
    systems.write_text(
        text.replace(",deployment,", ",operation-monitoring,").replace(",DS-1,V-1,", ",,V-1,"),
        encoding="utf-8",
    )
    report = load([folder], store)
    # DS-1 changes too: its `used_by` (the inverse of usesDataset) loses SYS-1.
    assert [r.id for r in report.changed] == ["DS-1", "SYS-1"]
    # The stage is replaced and DS-1 dropped; DS-2 stays linked through the dataset's used_by.
    assert (report.triples_added, report.triples_removed) == (1, 2)
    system = ox.NamedNode(str(entity_iri("system", "SYS-1")))
    stages = list(
        store.oxigraph.quads_for_pattern(system, ox.NamedNode(AIMS + "lifecycleStage"), None, ORG)
    )
    assert [q.object.value for q in stages] == [AIMS + "stage-operation-monitoring"]
    used = {
        q.object.value
        for q in store.oxigraph.quads_for_pattern(
            system, ox.NamedNode(AIMS + "usesDataset"), None, ORG
        )
    }
    assert used == {str(entity_iri("dataset", "DS-2"))}


def test_dry_run_reports_what_the_load_then_does() -> None:
    store = catalog_store()
    before = all_quads(store)
    dry = load([DATA / "valid_csv"], store, dry_run=True)
    assert dry.dry_run
    assert all_quads(store) == before
    real = load([DATA / "valid_csv"], store)
    for field in (
        "entities",
        "added",
        "changed",
        "removed",
        "unchanged",
        "triples_added",
        "triples_removed",
    ):
        assert getattr(dry, field) == getattr(real, field), field
    derived = real.derived_added - real.derived_removed  # the EU AI Act obligations graph
    assert len(all_quads(store)) == len(before) + real.triples_added + derived


def test_plan_then_apply_writes_exactly_the_planned_changeset() -> None:
    store = catalog_store()
    planned = plan([DATA / "valid_csv"], store)
    assert planned.ok
    apply(planned, store)
    assert set(store.quads(ORG)) == set(planned.changeset.add)


def test_references_may_point_into_the_store() -> None:
    store = catalog_store()
    load([DATA / "valid_csv" / "people.csv", DATA / "valid_csv" / "roles.csv"], store)
    extra = DATA / "valid_csv"
    report = load(
        [
            extra / "vendors.csv",
            extra / "datasets.csv",
            extra / "systems.csv",
            extra / "models.csv",
        ],
        store,
    )
    assert {r.kind for r in report.added} == {"vendor", "dataset", "system", "model"}


def test_reference_to_nothing_in_run_or_store_is_refused() -> None:
    store = catalog_store()
    with pytest.raises(InventoryLoadError) as caught:
        load([DATA / "valid_csv" / "systems.csv"], store)
    columns = {i.column for i in caught.value.issues}
    assert columns == {"owner", "models", "datasets", "vendors"}


def test_failed_apply_of_a_bad_plan_writes_nothing() -> None:
    store = catalog_store()
    before = all_quads(store)
    bad = plan([DATA / "errors"], store)
    assert not bad.ok
    with pytest.raises(InventoryLoadError):
        apply(bad, store)
    assert all_quads(store) == before


def test_example_organisation_loads_cleanly_and_completely() -> None:
    engine = Engine(catalog_store())
    report = load_example(engine)
    assert report.triples_added > 2000
    assert len(engine.list_entities("systems")) >= 12
    assert len(engine.list_entities("datasets")) >= 25
    assert len(engine.list_entities("vendors")) >= 6
    assert len(engine.list_entities("people")) >= 15
    assert len(engine.list_entities("risks")) >= 30
    soa = engine.list_entities("statement_of_applicability")
    assert len(soa) == 38 and len({row["control"] for row in soa}) == 38
    owners = [p for p in engine.list_entities("people") if "aims-owner" in p["roles"]]
    assert len(owners) == 1
    again = load_example(engine)
    assert (again.triples_added, again.triples_removed) == (0, 0)


def test_known_gaps_name_entities_of_the_example() -> None:
    engine = Engine(catalog_store())
    load_example(engine)
    gaps = (Path(__file__).parents[2] / "ontology" / "example" / "KNOWN_GAPS.md").read_text(
        encoding="utf-8"
    )
    rows = [
        line.split("|")[1:4]
        for line in gaps.splitlines()
        if line.startswith("| ") and "---" not in line
    ]
    ids = {
        row["id"]
        for kind in (
            "systems",
            "datasets",
            "risks",
            "vendors",
            "corrective_actions",
            "controls",
            "statement_of_applicability",
            "incidents",
            "policies",
        )
        for row in engine.list_entities(kind)
    }
    body = [(req.strip(), focus.strip()) for req, focus, _ in rows if req.strip() != "requirement"]
    assert len(body) >= 8
    for _, focus in body:
        assert focus in ids


def test_csv_and_nt_inputs_give_isomorphic_graphs(tmp_path: Path) -> None:
    store = catalog_store()
    planned = plan([DATA / "valid_csv"], store)
    triples = [q.triple for q in planned.changeset.add]
    nt = tmp_path / "org.nt"
    nt.write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")
    from_csv = catalog_store()
    load([DATA / "valid_csv"], from_csv)
    from_nt = catalog_store()
    load([nt], from_nt)
    assert isomorphic(org_graph(from_csv), org_graph(from_nt))


def test_evidence_supporting_a_notation_points_at_the_requirement_not_the_soa_row() -> None:
    engine = Engine(catalog_store())
    load_example(engine)
    rows = engine.store.select(
        "SELECT ?o WHERE { ?e <http://purl.org/dc/terms/identifier> 'EV-001' ; "
        "<https://w3id.org/aimstrace/ns#supports> ?o }"
    )
    targets = {row["o"].value for row in rows}
    assert "https://w3id.org/aimstrace/catalog/iso42001/A.2.2" in targets
    assert not any("/applicability/" in t for t in targets)
