"""The EU AI Act register columns: bad input is a located error and nothing is stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from inventory_support import all_quads, catalog_store

from aimstrace.loaders.errors import InventoryLoadError
from aimstrace.loaders.load import load

DATA = Path(__file__).resolve().parent.parent / "data" / "eu_ai_act"


def test_bad_classification_input_is_located_and_stores_nothing() -> None:
    store = catalog_store()
    before = all_quads(store)
    with pytest.raises(InventoryLoadError) as caught:
        load([DATA / "errors"], store)
    found = {(Path(i.file).name, i.row, i.column): i for i in caught.value.issues}
    assert set(found) == {
        ("systems.csv", 2, "annex_i_act"),
        ("systems.csv", 3, "annex_iii_point"),
        ("systems.csv", 4, "eu_ai_act_role"),
        ("systems.csv", 5, "derogation_reasoning"),
        ("systems.csv", 6, "annex_i_act"),
        ("systems.csv", 6, "transparency"),
    }
    assert found[("systems.csv", 2, "annex_i_act")].value == "Annex I.22"
    assert "Annex I act" in found[("systems.csv", 2, "annex_i_act")].message
    assert "Annex III.4(c)" in found[("systems.csv", 3, "annex_iii_point")].message
    role = found[("systems.csv", 4, "eu_ai_act_role")]
    assert role.value == "manufacturer" and "product-manufacturer" in role.message
    assert "art_6_3_derogation" in found[("systems.csv", 5, "derogation_reasoning")].message
    assert "not an EU AI Act Annex I act" in found[("systems.csv", 6, "annex_i_act")].message
    assert all_quads(store) == before


def test_the_fixture_loads_and_derives() -> None:
    store = catalog_store()
    load([DATA / "organisation.yaml"], store)
    obliged = "<https://w3id.org/aimstrace/ns#obligedSystem>"
    rows = store.select(f"SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {{ ?a {obliged} ?system }}")
    assert int(rows[0]["n"].value) > 100
