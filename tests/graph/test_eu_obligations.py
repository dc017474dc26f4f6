"""EU AI Act obligations derived by the rules, hand-checked per route and role, on three dates.

The fixture (tests/data/eu_ai_act/organisation.yaml) is a private hospital group providing
public services. Dates: 2026-06-01 reads the 2024 text, 2026-12-02 the text as amended by
Regulation (EU) 2026/1744 (in force 27 July 2026), 2028-09-01 is after both deferred dates.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aimstrace.graph.engine import Engine
from aimstrace.graph.eu_obligations import OBLIGATIONS_GRAPH, fria_check
from aimstrace.loaders.load import load

FIXTURE = Path(__file__).resolve().parent.parent / "data" / "eu_ai_act" / "organisation.yaml"
BEFORE, BETWEEN, AFTER = "2026-06-01", "2026-12-02", "2028-09-01"
EVERY_SYSTEM = {"Art. 4", "Art. 5(1)", "Art. 5(1)(ba)", "Art. 5(1)(bb)"}
PROVIDER_HIGH_RISK = {
    "Art. 9", "Art. 10", "Art. 11", "Art. 12", "Art. 13", "Art. 14", "Art. 15", "Art. 17",
    "Art. 18", "Art. 19", "Art. 20", "Art. 43", "Art. 47", "Art. 48", "Art. 72", "Art. 73",
}  # fmt: skip


@pytest.fixture(scope="module")
def engine() -> Engine:
    engine = Engine.open(None)
    engine.load_vocabulary()
    engine.load_catalogs()
    load([FIXTURE], engine.store)
    return engine


def rows(engine: Engine, system: str, as_of: str) -> list[dict[str, object]]:
    result = engine.run_query("eu-obligations", {"system": system, "as_of": as_of})
    return [dict(zip(result.columns, r, strict=True)) for r in result.rows]


def specific(engine: Engine, system: str, as_of: str) -> set[tuple[object, ...]]:
    """(provision, role, applies_from, status) beyond the Art. 4 and Art. 5 rows of every system."""
    return {
        (r["provision"], r["role"], r["applies_from"], r["status"])
        for r in rows(engine, system, as_of)
        if r["provision"] not in EVERY_SYSTEM
    }


def test_the_cv_ranking_deployer_gives_the_three_answers_the_law_gives(engine: Engine) -> None:
    # 2024 text: Annex III duties from 2 Aug 2026; as amended: from 2 Dec 2027 (Art. 113(c)(i)).
    assert specific(engine, "SYS-CV", BEFORE) == {
        ("Art. 26", "deployer", "2026-08-02", "upcoming"),
        ("Art. 27", "deployer", "2026-08-02", "upcoming"),
    }
    assert specific(engine, "SYS-CV", BETWEEN) == {
        ("Art. 26", "deployer", "2027-12-02", "upcoming"),
        ("Art. 27", "deployer", "2027-12-02", "upcoming"),
    }
    assert specific(engine, "SYS-CV", AFTER) == {
        ("Art. 26", "deployer", "2027-12-02", "in-force"),
        ("Art. 27", "deployer", "2027-12-02", "in-force"),
    }


def test_the_new_prohibitions_exist_only_in_the_amended_text(engine: Engine) -> None:
    before = {r["provision"] for r in rows(engine, "SYS-MIN", BEFORE)}
    assert before == {"Art. 4", "Art. 5(1)"}
    between = {
        (r["provision"], r["status"], r["version"]) for r in rows(engine, "SYS-MIN", BETWEEN)
    }
    assert ("Art. 5(1)(ba)", "in-force", "2026") in between
    assert ("Art. 5(1)(bb)", "in-force", "2026") in between
    titles = {r["title"] for r in rows(engine, "SYS-MIN", BETWEEN) if r["provision"] == "Art. 4"}
    assert titles == {
        "Take measures to support the AI literacy of staff (no level guaranteed per person)"
    }


def test_annex_i_medical_device_provider_moves_from_2027_to_2028(engine: Engine) -> None:
    assert specific(engine, "SYS-MD1", BEFORE) == {
        (p, "provider", "2027-08-02", "upcoming") for p in PROVIDER_HIGH_RISK
    }
    assert specific(engine, "SYS-MD1", BETWEEN) == {
        (p, "provider", "2028-08-02", "upcoming") for p in PROVIDER_HIGH_RISK
    }
    assert specific(engine, "SYS-MD1", AFTER) == {
        (p, "provider", "2028-08-02", "in-force") for p in PROVIDER_HIGH_RISK
    }


def test_a_product_manufacturer_is_the_provider_and_a_legacy_device_is_not_covered(
    engine: Engine,
) -> None:
    # Art. 25(3) makes the product manufacturer the provider; placed on the market on 1 May 2025,
    # before the Annex I date and not changed since: Art. 111(2) keeps the duties from applying.
    found = rows(engine, "SYS-MD2", AFTER)
    high_risk = [r for r in found if r["provision"] in PROVIDER_HIGH_RISK]
    assert {r["role_basis"] for r in high_risk} == {"Art. 25(3)"}
    assert {r["status"] for r in high_risk} == {"not-applicable"}
    assert all(str(r["reason"]).startswith("Art. 111(2)") for r in high_risk)


def test_a_distributor_that_substantially_modifies_becomes_the_provider(engine: Engine) -> None:
    found = specific(engine, "SYS-DIST", BETWEEN)
    assert ("Art. 24", "distributor", "2027-12-02", "upcoming") in found
    assert ("Art. 49(1)", "provider", "2027-12-02", "upcoming") in found
    bases = {r["role_basis"] for r in rows(engine, "SYS-DIST", BETWEEN) if r["role"] == "provider"}
    assert bases == {"Art. 25(1)(b)"}


def test_importer_and_authorised_representative(engine: Engine) -> None:
    assert specific(engine, "SYS-IMP", BETWEEN) == {
        ("Art. 23", "importer", "2027-12-02", "upcoming")
    }
    assert specific(engine, "SYS-AR", AFTER) == {
        ("Art. 22", "authorised-representative", "2027-12-02", "in-force")
    }
    # Art. 4 and Art. 5 bind providers and deployers only.
    assert rows(engine, "SYS-IMP", BETWEEN) == [
        r for r in rows(engine, "SYS-IMP", BETWEEN) if r["provision"] == "Art. 23"
    ]


def test_derogation_and_the_profiling_override(engine: Engine) -> None:
    assert specific(engine, "SYS-DER", BETWEEN) == {
        ("Art. 6(4)", "provider", "2027-12-02", "upcoming"),
        ("Art. 49(2)", "provider", "2027-12-02", "upcoming"),
    }
    # Art. 6(3) last subparagraph: a profiling Annex III system is always high-risk.
    profiling = specific(engine, "SYS-PROF", BETWEEN)
    assert ("Art. 9", "provider", "2027-12-02", "upcoming") in profiling
    assert not {p for p, *_ in profiling} & {"Art. 6(4)", "Art. 49(2)"}


def test_transparency_with_the_article_111_4_grace_period(engine: Engine) -> None:
    # Placed on the market on 1 March 2026: Art. 50(2) by 2 Dec 2026 (Art. 111(4), as amended).
    assert specific(engine, "SYS-BOT", BEFORE) == {
        ("Art. 50(1)", "provider", "2026-08-02", "upcoming"),
        ("Art. 50(2)", "provider", "2026-08-02", "upcoming"),
    }
    assert specific(engine, "SYS-BOT", BETWEEN) == {
        ("Art. 50(1)", "provider", "2026-08-02", "in-force"),
        ("Art. 50(2)", "provider", "2026-12-02", "in-force"),
    }


def test_systemic_risk_model_placed_before_august_2025(engine: Engine) -> None:
    # Art. 111(3): a model placed on the market before 2 Aug 2025 complies by 2 Aug 2027.
    assert specific(engine, "SYS-GPAI", BETWEEN) == {
        ("Art. 53", "provider", "2027-08-02", "upcoming"),
        ("Art. 55", "provider", "2027-08-02", "upcoming"),
    }


def test_annex_i_section_b_and_the_deleted_machinery_entry(engine: Engine) -> None:
    assert specific(engine, "SYS-VEH", BETWEEN) == {
        ("Art. 2(2)", "provider", "2028-08-02", "upcoming")
    }
    # Directive 2006/42/EC (Annex I point 1) is listed in the 2024 text only (Art. 1(41)(a)).
    assert ("Art. 9", "provider", "2027-08-02", "upcoming") in specific(engine, "SYS-MACH", BEFORE)
    assert specific(engine, "SYS-MACH", BETWEEN) == set()


def test_no_version_before_the_act_entered_into_force(engine: Engine) -> None:
    assert rows(engine, "SYS-CV", "2024-07-31") == []


def test_fria_is_derived_and_a_contradicting_stated_value_is_reported(engine: Engine) -> None:
    cv = fria_check(engine.store, "https://w3id.org/aimstrace/data/system/SYS-CV")
    assert cv["derived"] is True and cv["stated"] is False and cv["contradiction"] is True
    assert "Art. 27(1)" in str(cv["message"])
    importer = fria_check(engine.store, "https://w3id.org/aimstrace/data/system/SYS-IMP")
    assert importer == {"stated": None, "derived": False, "contradiction": False, "message": None}


def test_rederiving_unchanged_data_writes_nothing_net(engine: Engine) -> None:
    before = engine.store.count(OBLIGATIONS_GRAPH)
    report = engine.derive_obligations()
    assert (report.written.added, report.written.removed) == (0, 0)
    assert engine.store.count(OBLIGATIONS_GRAPH) == before == report.triples


def test_timeline_says_what_the_amendment_changed(engine: Engine) -> None:
    found = {
        (r["system"], r["provision"], r["role"]): r
        for r in engine.eu_timeline()
        if r["role_basis"] in ("Art. 3(3)", "Art. 3(4)")
    }
    assert found[("SYS-CV", "Art. 26", "deployer")]["change"] == (
        "moved from 2026-08-02 by Regulation (EU) 2026/1744"
    )
    assert found[("SYS-CV", "Art. 5(1)(ba)", "deployer")]["change"] == (
        "inserted by Regulation (EU) 2026/1744"
    )
    assert (
        found[("SYS-MACH", "Art. 9", "provider")]["change"]
        == "removed by Regulation (EU) 2026/1744"
    )


def _sized(size: str, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    folder = tmp_path_factory.mktemp(f"size-{size}")
    text = FIXTURE.read_text("utf-8").replace("enterprise_size: large", f"enterprise_size: {size}")
    (folder / "organisation.yaml").write_text(text, "utf-8")
    engine = Engine.open(None)
    engine.load_vocabulary()
    engine.load_catalogs()
    load([folder / "organisation.yaml"], engine.store)
    return engine


def reliefs(engine: Engine, system: str, as_of: str) -> dict[str, set[str]]:
    """Relief provisions per obligation provision, and under "organisation" the fine caps."""
    found = engine.eu_obligations(system, as_of)
    out: dict[str, set[str]] = {
        "organisation": {str(r["provision"]) for r in found["organisation_relief"]}
    }
    for row in found["obligations"]:
        if row["relief"]:
            out.setdefault(str(row["provision"]), set()).update(
                str(r["provision"]) for r in row["relief"]
            )
    return out


@pytest.mark.parametrize(
    ("size", "as_of", "expected"),
    [
        # 2024 text: SMEs Art. 11(1), Art. 99(6); Art. 63(1) for microenterprises only.
        (
            "sme",
            BEFORE,
            {
                "Art. 11": {"Art. 11(1) second subparagraph"},
                "Art. 17": {"Art. 63(1)"},
                "organisation": {"Art. 99(6)"},
            },
        ),
        # As amended: Art. 17(2) names SMEs; Art. 63(1) extends to every SME.
        (
            "sme",
            BETWEEN,
            {
                "Art. 11": {"Art. 11(1) second subparagraph"},
                "Art. 17": {"Art. 17(2)", "Art. 63(1)"},
                "organisation": {"Art. 99(6)"},
            },
        ),
        # Small mid-caps exist only in the amended text: Art. 11(1), 17(2), and the 99(6a) cap.
        ("small-mid-cap", BEFORE, {"organisation": set()}),
        (
            "small-mid-cap",
            AFTER,
            {
                "Art. 11": {"Art. 11(1) second subparagraph"},
                "Art. 17": {"Art. 17(2)"},
                "organisation": {"Art. 99(6a)"},
            },
        ),
    ],
)
def test_sme_and_small_mid_cap_relief_per_version(
    size: str,
    as_of: str,
    expected: dict[str, set[str]],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    assert reliefs(_sized(size, tmp_path_factory), "SYS-MD1", as_of) == expected


def test_a_large_organisation_gets_no_relief(engine: Engine) -> None:
    assert reliefs(engine, "SYS-MD1", BETWEEN) == {"organisation": set()}


def test_a_relief_the_register_cannot_decide_states_its_condition(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # 2024 text, Art. 63(1): microenterprises only, which enterprise_size does not distinguish.
    found = _sized("sme", tmp_path_factory).eu_obligations("SYS-MD1", BEFORE)["obligations"]
    conditions = {
        (str(relief["provision"]), str(relief["condition"]))
        for row in found
        for relief in row["relief"]
    }
    assert conditions == {
        ("Art. 11(1) second subparagraph", "None"),
        (
            "Art. 63(1)",
            "only a microenterprise (Recommendation 2003/361/EC) without partner or linked "
            "enterprises",
        ),
    }
