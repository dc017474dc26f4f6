"""graph.inventory.list_entities: register-shaped, JSON-friendly reads of the organisation graph."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aimstrace.graph.engine import Engine
from aimstrace.graph.inventory import INVENTORY_KINDS, list_entities
from aimstrace.graph.store import Store, StoreError
from aimstrace.loaders.load import load

DATA = Path(__file__).parents[1] / "data" / "inventory"


@pytest.fixture(scope="module")
def store() -> Store:
    engine = Engine(Store.in_memory())
    engine.load_vocabulary()
    engine.load_catalogs()
    load([DATA / "valid_csv"], engine.store)
    return engine.store


def test_fields_are_the_register_columns_with_plain_values(store: Store) -> None:
    (dataset,) = [d for d in list_entities(store, "datasets") if d["id"] == "DS-2"]
    assert dataset == {
        "id": "DS-2",
        "label": "Training set",
        "source": "lake",
        "acquisition": None,
        "provenance": "pipeline v1",
        "quality_checks": ["leakage"],
        "personal_data": True,
        "derived_from": ["DS-1"],
        "vendor": ["V-1"],
        "used_by": ["SYS-1"],
    }


def test_numbers_enumerations_and_requirements_read_back_as_typed(store: Store) -> None:
    (risk,) = list_entities(store, "risks")
    assert (risk["likelihood"], risk["severity"], risk["level"]) == (4, 4, "critical")
    assert risk["risk_source"] == "C.3.4" and risk["systems"] == ["SYS-1"]
    (evidence,) = list_entities(store, "evidence")
    assert evidence["supports"] == ["A.5.4", "Art. 10", "C-1"]
    assert evidence["date"] == "2026-04-01"


def test_people_show_the_aims_owner_role_word(store: Store) -> None:
    people = {p["id"]: p for p in list_entities(store, "people")}
    assert people["P-1"]["roles"] == ["ROLE-1", "aims-owner"]
    assert people["P-2"]["roles"] == []


def test_every_kind_is_json_serialisable(store: Store) -> None:
    for kind in INVENTORY_KINDS:
        json.dumps(list_entities(store, kind))


def test_unknown_kind_names_the_choices(store: Store) -> None:
    with pytest.raises(StoreError, match="systems"):
        list_entities(store, "spaceships")


def test_chosen_columns_read_only_those_fields_with_the_same_values(store: Store) -> None:
    full = {d["id"]: d for d in list_entities(store, "datasets")}
    chosen = list_entities(store, "datasets", ["used_by", "vendor"])
    assert {d["id"] for d in chosen} == set(full)
    for entry in chosen:
        assert set(entry) == {"id", "label", "used_by", "vendor"}
        assert entry == {k: full[entry["id"]][k] for k in entry}
    assert any(entry["used_by"] for entry in chosen)  # an inverse column among them


def test_counts_are_the_number_of_entries_listed(store: Store) -> None:
    from aimstrace.graph.inventory import count_entities

    counts = {kind: count_entities(store, kind) for kind in INVENTORY_KINDS}
    assert counts == {kind: len(list_entities(store, kind)) for kind in INVENTORY_KINDS}
    assert counts["datasets"] >= 2 and counts["risks"] >= 1
