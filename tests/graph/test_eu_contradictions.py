"""Contradictions in an EU AI Act classification, reported against the provision (each shape's
first violating case is in tests/data/validation/cases.yaml; here the other branches and the
cases that must stay silent)."""

from __future__ import annotations

import pytest
from test_validation import AS_OF, SHAPES_NS, _with_org, patched_org

from aimstrace.graph.engine import Engine
from aimstrace.graph.validation.runner import validate

SYSTEM = "https://w3id.org/aimstrace/data/system/"
CLASSIFICATION_SHAPES = {
    "AISystem-Art5-prohibitedInOperation",
    "AISystem-Art5-minimalRiskContradiction",
    "AISystem-Art6-minimalRiskContradiction",
    "AISystem-Art6-derogationContradiction",
    "AISystem-Art50-minimalRiskContradiction",
    "AISystem-Art50-roleContradiction",
}


def results(
    engine: Engine, add: str, as_of: str = AS_OF, drop: tuple[str, ...] = ()
) -> set[tuple[str, str, str]]:
    """(shape, system id, requirement) of the contradiction shapes after dropping `drop` from
    the conforming fixture and adding `add`."""
    graph = patched_org({"add": add, "drop": list(drop)})
    report = validate(_with_org(engine, graph), as_of, engine="turbo")
    return {
        (shape, r.focus[len(SYSTEM) :], str(r.requirement))
        for r in report.records
        if (shape := str(r.shape)[len(SHAPES_NS) :]) in CLASSIFICATION_SHAPES
    }


def test_a_derogation_without_an_annex_iii_point(engine: Engine) -> None:
    found = results(
        engine,
        'system:SYS-4 a aims:AISystem ; rdfs:label "Roster" ; aims:accountableOwner person:P-2 ;'
        ' aims:lifecycleStage aims:stage-design-development ; aims:intendedUse "rosters" ;'
        " aims:euAIActRole aims:role-provider ; aims:claimsDerogation true ;"
        ' aims:derogationReasoning "narrow procedural task" .'
        " scope:SC-1 aims:includesSystem system:SYS-4 .",
    )
    assert ("AISystem-Art6-derogationContradiction", "SYS-4", "Art. 6") in found


def test_a_derogation_with_an_annex_iii_point_and_no_profiling_is_silent(engine: Engine) -> None:
    found = results(
        engine,
        'system:SYS-1 aims:claimsDerogation true ; aims:derogationReasoning "preparatory task" .',
    )
    assert not {f for f in found if f[1] == "SYS-1"}


def test_a_deployer_transparency_case_without_the_deployer_role(engine: Engine) -> None:
    # SYS-2 is a deployer only: Art. 50(3) binds deployers (silent), Art. 50(2) providers.
    assert not results(engine, "system:SYS-2 aims:transparencyCase aims:transparency-art50-3 .")
    found = results(engine, "system:SYS-2 aims:transparencyCase aims:transparency-art50-2 .")
    assert found == {("AISystem-Art50-roleContradiction", "SYS-2", "Art. 50")}


def test_a_role_change_gives_the_provider_role_art_50_needs(engine: Engine) -> None:
    # Art. 25(1)(c): a deployer that changes the intended purpose of a high-risk system becomes
    # its provider, so the Art. 50(1) case binds a role the organisation holds.
    found = results(
        engine,
        "system:SYS-2 aims:transparencyCase aims:transparency-art50-1 ;"
        " aims:roleChange aims:change-intended-purpose-change .",
    )
    assert not found


@pytest.mark.parametrize(
    ("add", "shape"),
    [
        ("system:SYS-2 aims:minimalRisk true .", "AISystem-Art6-minimalRiskContradiction"),
        (
            "system:SYS-2 aims:minimalRisk true ;"
            " aims:prohibitedScreening aims:screening-prohibited .",
            "AISystem-Art5-minimalRiskContradiction",
        ),
    ],
)
def test_minimal_risk_beside_a_high_risk_route_or_a_prohibited_screening(
    engine: Engine, add: str, shape: str
) -> None:
    assert shape in {s for s, *_ in results(engine, add)}


def test_minimal_risk_alone_is_silent(engine: Engine) -> None:
    # SYS-3 with its exclusion lifted: no route beyond any, no screening, no transparency case.
    lifted = results(
        engine,
        "system:SYS-3 aims:excludedFromScope false ; aims:minimalRisk true .",
        drop=("system:SYS-3 aims:excludedFromScope",),
    )
    assert not lifted


def test_a_prohibited_practice_before_art_5_applies_or_not_in_use(engine: Engine) -> None:
    prohibited = "system:SYS-2 aims:prohibitedScreening aims:screening-prohibited ."
    # Art. 5 applies from 2 February 2025 (Art. 113(a)).
    assert ("AISystem-Art5-prohibitedInOperation", "SYS-2", "Art. 5") in results(engine, prohibited)
    assert not results(engine, prohibited, as_of="2025-01-31")
    in_design = results(
        engine,
        "system:SYS-1 aims:prohibitedScreening aims:screening-prohibited ;"
        " aims:lifecycleStage aims:stage-design-development .",
        drop=("system:SYS-1 aims:lifecycleStage",),
    )
    assert not in_design
