"""Suggestions for mistyped framework ids and requirement notations (graph/catalog.py)."""

from __future__ import annotations

import pytest

from aimstrace.graph.catalog import list_requirements, notation_hint
from aimstrace.graph.engine import Engine
from aimstrace.graph.store import StoreError
from aimstrace.graph.suggest import did_you_mean


@pytest.fixture(scope="module")
def catalogs() -> Engine:
    engine = Engine.open(None)
    engine.load_catalogs()
    return engine


def test_did_you_mean_names_the_closest_choices_or_nothing() -> None:
    assert did_you_mean("iso4200", ["iso42001", "iso27001", "dpdp"]).startswith(
        "; did you mean 'iso42001'"
    )
    # A difference of case only is that choice alone.
    assert did_you_mean("a.6.2.2", ["A.6.2.2", "B.6.2.2"]) == "; did you mean 'A.6.2.2'?"
    assert did_you_mean("zzz", ["A.6.2.2", "Art. 10"]) == ""
    assert did_you_mean("A.1", ["A.2", "A.3", "A.4", "A.5"]).count("'") == 6  # three at most


def test_an_unknown_notation_suggests_real_ones(catalogs: Engine) -> None:
    hint = notation_hint(catalogs.store, "A.6.2.99", ["iso42001"])
    known = {r.notation for r in list_requirements(catalogs.store, "iso42001")}
    suggested = hint.removeprefix("; did you mean ").rstrip("?").replace(" or ", ", ").split(", ")
    assert suggested and {s.strip("'") for s in suggested} <= known
    assert notation_hint(catalogs.store, "Art 10", ["eu-ai-act"]).startswith(
        "; did you mean 'Art. 10'"
    )


def test_an_unknown_framework_is_an_error_with_a_suggestion(catalogs: Engine) -> None:
    with pytest.raises(
        StoreError, match=r"unknown framework id 'iso4200'; did you mean 'iso42001'"
    ):
        list_requirements(catalogs.store, "iso4200")
    with pytest.raises(StoreError, match="expected one of iso42001"):
        list_requirements(catalogs.store, "zzz")
