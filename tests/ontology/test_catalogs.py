"""The reference catalogs (ontology/catalogs/*.ttl) against the verified lists in reference/.

The expected notations, kinds and parents are worked out here straight from the reference files,
independently of ontology/build_catalogs.py, so a mistake in the generator shows up as a failure.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS

from aimstrace.ontology import FRAMEWORK_IDS, catalog_path, vocabulary_path
from aimstrace.ontology.build_catalogs import build_graph, render
from aimstrace.ontology.catalog_sources import ReferenceError
from aimstrace.ontology.iris import AIMS, framework_iri, requirement_iri

XSD_NS = "http://www.w3.org/2001/XMLSchema#"  # a string: pytest probes rdflib's XSD object
REFERENCE = Path(__file__).resolve().parents[2] / "ontology" / "reference"

# kind -> class, as in the "Catalog model" table of docs/CONVENTIONS.md
KIND_CLASS = {
    "clause": AIMS.Clause,
    "objective-group": AIMS.ControlObjective,
    "control-objective": AIMS.ControlObjective,
    "control": AIMS.ReferenceControl,
    "annex-i-act": AIMS.AnnexIAct,
    "guidance": AIMS.ImplementationGuidance,
    "ai-objective": AIMS.AIObjective,
    "risk-source": AIMS.RiskSourceCategory,
    "theme": AIMS.ControlTheme,
    "function": AIMS.Function,
    "category": AIMS.Category,
    "subcategory": AIMS.Subcategory,
    "risk": AIMS.GenAIRisk,
    "chapter": AIMS.Chapter,
    "section": AIMS.Section,
    "article": AIMS.Article,
    "annex": AIMS.Annex,
    "annex-area": AIMS.AnnexArea,
    "annex-point": AIMS.AnnexPoint,
    "control-table": AIMS.ControlTable,
    "act-section": AIMS.LegalSection,
    "act-section-provision": AIMS.LegalSection,
    "sub-section": AIMS.SubSection,
    "sub-section-provision": AIMS.SubSection,
    "rule": AIMS.LegalRule,
    "rule-provision": AIMS.LegalRule,
    "sub-rule": AIMS.SubRule,
    "sub-rule-provision": AIMS.SubRule,
    "schedule": AIMS.Schedule,
}

Expected = dict[str, tuple[str, str | None]]  # notation -> (kind, parent notation)


def _csv(name: str) -> list[dict[str, str]]:
    with (REFERENCE / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def expected_iso42001() -> Expected:
    nodes: Expected = {
        r["id"]: ("clause", r["parent"] or None) for r in _csv("iso42001_2023_clauses.csv")
    }
    for r in _csv("iso42001_2023_annexA_controls.csv"):
        nodes[r["objective_group"]] = ("objective-group", None)
        if r["sub_objective"]:
            nodes[r["sub_objective"]] = ("control-objective", r["objective_group"])
        nodes[r["id"]] = ("control", r["sub_objective"] or r["objective_group"])
        nodes[r["annexB_guidance"]] = ("guidance", None)
    for r in _csv("iso42001_2023_annexC.csv"):
        nodes[r["id"]] = (
            {"objective": "ai-objective", "risk_source": "risk-source"}[r["kind"]],
            None,
        )
    return nodes


def expected_iso27001() -> Expected:
    nodes: Expected = {}
    for r in _csv("iso27001_2022_clauses_and_annexA.csv"):
        if not r["id"].startswith("A."):
            kind = "clause"
        else:
            kind = "theme" if r["id"].count(".") == 1 else "control"
        nodes[r["id"]] = (kind, r["parent"] or None)
    return nodes


def expected_nist_ai_rmf() -> Expected:
    return {r["id"]: (r["level"], r["parent"] or None) for r in _csv("nist_ai_rmf_1.0_core.csv")}


def expected_nist_ai_600_1() -> Expected:
    return {r["section"]: ("risk", None) for r in _csv("nist_ai_600_1_gai_risks.csv")}


def expected_eu_ai_act() -> Expected:
    nodes: Expected = {}
    for r in _csv("eu_ai_act_2024_1689_articles.csv"):
        chapter = f"Chapter {r['chapter']}"
        nodes[chapter] = ("chapter", None)
        parent = chapter
        if r["section"]:
            parent = f"{chapter} Section {r['section'].split()[1]}"
            nodes[parent] = ("section", chapter)
        nodes[f"Art. {r['article']}"] = ("article", parent)
    annexes = json.loads((REFERENCE / "eu_ai_act_annexes.json").read_text(encoding="utf-8"))
    for annex in annexes["annexes"]:
        nodes[f"Annex {annex['id']}"] = ("annex", None)
    for area in annexes["annex_III_areas"]:
        area_notation = f"Annex III.{area['point']}"
        nodes[area_notation] = ("annex-area", "Annex III")
        for letter in "abcdefghijklmnopqrstuvwxyz"[: area["sub_points"]]:
            nodes[f"{area_notation}({letter})"] = ("annex-point", area_notation)
    for point in annexes["annex_IV_points"]:
        nodes[f"Annex IV.{point['point']}"] = ("annex-point", "Annex IV")
    for row in _csv("eu_ai_act_annex_i.csv"):
        nodes[f"Annex I.{row['point']}"] = ("annex-i-act", "Annex I")
    return nodes


def expected_iso27701() -> Expected:
    kinds = {
        "annex": "annex",
        "clause": "clause",
        "table": "control-table",
        "objective": "objective-group",
    }
    return {
        r["id"]: (kinds.get(r["kind"], "control"), r["parent"] or None)
        for r in _csv("iso27701_2025_clauses_and_annexA.csv")
    }


def expected_dpdp() -> Expected:
    nodes: Expected = {}
    for r in _csv("dpdp_2023_act_and_2025_rules.csv"):
        notation = r["id"]
        if notation.startswith("Chapter"):
            level = "chapter"
        elif " Schedule" in notation:
            nodes[notation] = ("schedule", r["parent"] or None)
            continue
        elif notation.startswith("Rule"):
            level = "sub-rule" if "(" in notation else "rule"
        else:
            level = "sub-section" if "(" in notation else "act-section"
        kind = level if r["obligations"] in ("yes", "") else f"{level}-provision"
        nodes[notation] = (kind, r["parent"] or None)
    return nodes


EXPECTED = {
    "iso42001": expected_iso42001,
    "iso27001": expected_iso27001,
    "nist-ai-rmf": expected_nist_ai_rmf,
    "nist-ai-600-1": expected_nist_ai_600_1,
    "eu-ai-act": expected_eu_ai_act,
    "iso27701": expected_iso27701,
    "dpdp": expected_dpdp,
}

KIND_COUNTS = {
    "iso42001": {
        "clause": 43,
        "objective-group": 9,
        "control-objective": 2,
        "control": 38,
        "guidance": 38,
        "ai-objective": 11,
        "risk-source": 7,
    },
    "iso27001": {"clause": 41, "theme": 4, "control": 93},
    "nist-ai-rmf": {"function": 4, "category": 19, "subcategory": 72},
    "nist-ai-600-1": {"risk": 12},
    "eu-ai-act": {
        "chapter": 13,
        "section": 16,
        "article": 113,
        "annex": 13,
        "annex-area": 8,
        "annex-point": 34,
        "annex-i-act": 21,
    },
    # SOURCES-iso27701-dpdp.md: 41 clause nodes (30 leaves), Annexes A-F, 3 tables, 8 objectives,
    # 78 controls
    "iso27701": {"annex": 6, "clause": 41, "control-table": 3, "objective-group": 8, "control": 78},
    # 9 chapters and 44 sections; obligations in ss. 4-14 and 16 (33 sub-sections) and 13 rules
    "dpdp": {
        "chapter": 9,
        "act-section": 12,
        "act-section-provision": 32,
        "sub-section": 33,
        "sub-section-provision": 21,
        "rule": 13,
        "rule-provision": 10,
        # every sub-rule of the Rules (SOURCES-iso27701-dpdp.md, "Sub-rules")
        "sub-rule": 29,
        "sub-rule-provision": 39,
        # seven Schedules to the Rules and the two Parts of the First Schedule
        "schedule": 9,
    },
}


def test_iso27701_tables_hold_31_18_29_controls(catalogs: dict[str, Graph]) -> None:
    graph = catalogs["iso27701"]
    nodes = _requirements(graph, "iso27701")
    controls = [n for n, iri in nodes.items() if str(graph.value(iri, AIMS.kind)) == "control"]
    per_table = Counter(n[:3] for n in controls)
    assert per_table == {"A.1": 31, "A.2": 18, "A.3": 29}
    clause_leaves = [
        r["id"]
        for r in _csv("iso27701_2025_clauses_and_annexA.csv")
        if r["kind"] == "clause" and r["leaf"] == "True"
    ]
    assert len(clause_leaves) == 30
    for notation in controls:
        definition = graph.value(nodes[notation], SKOS.definition)
        assert definition is not None and len(str(definition)) < 200, notation


def test_reference_lists_name_their_sources() -> None:
    """Every row of the two new lists names at least one source key explained beside it."""
    text = (REFERENCE / "SOURCES-iso27701-dpdp.md").read_text(encoding="utf-8")
    for name in ("iso27701_2025_clauses_and_annexA.csv", "dpdp_2023_act_and_2025_rules.csv"):
        for row in _csv(name):
            keys = [k for k in row["sources"].split(";") if k]
            assert keys, f"{name}: {row['id']} has no source"
            for key in keys:
                assert f"| {key} |" in text, f"{name}: source key {key} is not explained"


def test_dpdp_rules_commence_in_three_phases(catalogs: dict[str, Graph]) -> None:
    rules = _csv("dpdp_2023_act_and_2025_rules.csv")
    rows = [r for r in rules if r["id"].startswith("Rule") and "(" not in r["id"]]
    assert len(rows) == 23
    # a sub-rule commences with its rule and carries no date of its own
    assert all(
        not r["commencement"] for r in rules if r["id"].startswith("Rule") and "(" in r["id"]
    )
    phases = Counter(r["commencement"] for r in rows)
    assert phases == {"2025-11-13": 7, "2026-11-13": 1, "2027-05-13": 15}
    graph = catalogs["dpdp"]
    nodes = _requirements(graph, "dpdp")
    dated: dict[str, str] = {}
    for milestone in graph.objects(framework_iri("dpdp"), AIMS.milestone):
        day = str(graph.value(milestone, AIMS.date))
        for requirement in graph.objects(milestone, DCTERMS.references):
            notation = str(graph.value(requirement, SKOS.notation))
            dated[notation] = day
    assert {r["id"]: r["commencement"] for r in rows} == dated
    assert set(dated) <= set(nodes)


@pytest.fixture(scope="module")
def catalogs() -> dict[str, Graph]:
    graphs = {}
    for framework in FRAMEWORK_IDS:
        graph = Graph()
        graph.parse(str(catalog_path(framework)), format="turtle")
        graphs[framework] = graph
    return graphs


def _requirements(graph: Graph, framework: str) -> dict[str, URIRef]:
    found = {}
    for node in graph.subjects(SKOS.inScheme, framework_iri(framework)):
        notation = str(graph.value(node, SKOS.notation))
        assert notation not in found, f"duplicate notation {notation}"
        assert isinstance(node, URIRef)
        found[notation] = node
    return found


@pytest.mark.parametrize("framework", FRAMEWORK_IDS)
def test_catalog_matches_reference_lists(catalogs: dict[str, Graph], framework: str) -> None:
    graph = catalogs[framework]
    nodes = _requirements(graph, framework)
    expected = EXPECTED[framework]()
    assert set(nodes) == set(expected)
    for notation, (kind, parent) in expected.items():
        node = nodes[notation]
        assert node == requirement_iri(framework, notation)
        assert str(graph.value(node, AIMS.kind)) == kind, notation
        assert {AIMS.Requirement, KIND_CLASS[kind]} <= set(graph.objects(node, RDF.type)), notation
        broader = [str(graph.value(b, SKOS.notation)) for b in graph.objects(node, SKOS.broader)]
        assert broader == ([parent] if parent else []), notation
        labels = list(graph.objects(node, SKOS.prefLabel))
        assert len(labels) == 1 and isinstance(labels[0], Literal), notation
        assert labels[0].language == "en" and str(labels[0]), notation
        assert str(labels[0]).strip() == str(labels[0]), notation


@pytest.mark.parametrize("framework", FRAMEWORK_IDS)
def test_kind_counts(catalogs: dict[str, Graph], framework: str) -> None:
    graph = catalogs[framework]
    kinds = Counter(
        str(graph.value(n, AIMS.kind)) for n in _requirements(graph, framework).values()
    )
    assert dict(kinds) == KIND_COUNTS[framework]


def test_eu_annex_point_breakdown(catalogs: dict[str, Graph]) -> None:
    nodes = _requirements(catalogs["eu-ai-act"], "eu-ai-act")
    assert sum(1 for n in nodes if n.startswith("Annex III.") and "(" in n) == 25
    assert sum(1 for n in nodes if n.startswith("Annex IV.")) == 9


@pytest.mark.parametrize("framework", FRAMEWORK_IDS)
def test_framework_node(catalogs: dict[str, Graph], framework: str) -> None:
    graph = catalogs[framework]
    scheme = framework_iri(framework)
    assert (scheme, RDF.type, AIMS.Framework) in graph
    assert str(graph.value(scheme, DCTERMS.identifier)) == framework
    for predicate in (DCTERMS.title, OWL.versionInfo, DCTERMS.publisher, AIMS.licenceNote):
        assert str(graph.value(scheme, predicate) or "").strip(), predicate


def test_iso42001_controls_link_guidance_and_paraphrases(catalogs: dict[str, Graph]) -> None:
    graph = catalogs["iso42001"]
    nodes = _requirements(graph, "iso42001")
    controls = _csv("iso42001_2023_annexA_controls.csv")
    for row in controls:
        control = nodes[row["id"]]
        assert list(graph.objects(control, AIMS.hasGuidance)) == [nodes[row["annexB_guidance"]]]
        assert row["annexB_guidance"] == "B" + row["id"][1:]
        assert str(graph.value(control, SKOS.definition) or "").strip(), row["id"]
    objectives = [
        r["objective_id"] for r in _csv("iso42001_2023_annexA_objectives_paraphrased.csv")
    ]
    assert len(objectives) == 10
    for objective in objectives:
        assert str(graph.value(nodes[objective], SKOS.definition) or "").strip(), objective
    definitions = [str(d) for d in graph.objects(None, SKOS.definition)]
    assert all("\n" not in d and len(d) < 200 for d in definitions), "ISO paraphrases are one line"
    assert len(set(definitions)) == len(definitions), "each paraphrase is specific to its node"


def test_nist_ai_rmf_text_is_the_official_core_text(catalogs: dict[str, Graph]) -> None:
    graph = catalogs["nist-ai-rmf"]
    nodes = _requirements(graph, "nist-ai-rmf")
    for row in _csv("nist_ai_rmf_1.0_core.csv"):
        if row["text"]:
            assert str(graph.value(nodes[row["id"]], SKOS.definition)) == " ".join(
                row["text"].split()
            )


def test_eu_annex_text_is_the_published_text(catalogs: dict[str, Graph]) -> None:
    graph = catalogs["eu-ai-act"]
    nodes = _requirements(graph, "eu-ai-act")
    text = json.loads((REFERENCE / "eu_ai_act_annex_III_IV_text.json").read_text(encoding="utf-8"))
    flat = " ".join(" ".join(text["ANNEX III"]).split())
    for notation, node in nodes.items():
        if notation.startswith("Annex III.") and "(" in notation:
            definition = str(graph.value(node, SKOS.definition))
            assert len(definition) > 30 and definition in flat, notation
    recruitment = str(graph.value(nodes["Annex III.4(a)"], SKOS.definition))
    assert recruitment.startswith("AI systems intended to be used for the recruitment")
    assert "biometric verification" in str(graph.value(nodes["Annex III.1(a)"], SKOS.definition))
    assert "post-market monitoring plan" in str(graph.value(nodes["Annex IV.9"], SKOS.definition))


def test_eu_ai_act_text_version_and_milestones(catalogs: dict[str, Graph]) -> None:
    graph = catalogs["eu-ai-act"]
    scheme = framework_iri("eu-ai-act")
    text_version = str(graph.value(scheme, AIMS.textVersion))
    assert "2024/1689" in text_version and "2026/1744" in text_version
    milestones: dict[str, list[str]] = {}
    for milestone in graph.objects(scheme, AIMS.milestone):
        assert (milestone, RDF.type, AIMS.Milestone) in graph
        when = graph.value(milestone, AIMS.date)
        assert isinstance(when, Literal) and when.datatype == URIRef(XSD_NS + "date")
        milestones.setdefault(str(when), []).append(str(graph.value(milestone, RDFS.label)))
    for date in (
        "2024-08-01",
        "2025-02-02",
        "2025-08-02",
        "2026-12-02",
        "2027-12-02",
        "2028-08-02",
    ):
        assert date in milestones, date
    assert any("2026/1744" in label for label in milestones["2026-12-02"])
    assert any("Art. 25(2) and (4)" in label for labels in milestones.values() for label in labels)
    assert any("Annex III" in label for label in milestones["2027-12-02"])


STANDARD_NAMESPACES = (str(RDF), str(RDFS), str(OWL), str(SKOS), str(DCTERMS), XSD_NS)


def test_every_term_used_by_catalogs_is_declared(catalogs: dict[str, Graph]) -> None:
    vocab = Graph().parse(str(vocabulary_path()), format="turtle")
    used = set()
    for graph in catalogs.values():
        used |= set(graph.predicates())
        used |= set(graph.objects(None, RDF.type))
    undeclared = [
        str(term)
        for term in used
        if not str(term).startswith(STANDARD_NAMESPACES) and vocab.value(term, RDF.type) is None
    ]
    assert used and undeclared == []


@pytest.mark.parametrize("framework", FRAMEWORK_IDS)
def test_regeneration_is_isomorphic_and_byte_identical(
    catalogs: dict[str, Graph], framework: str
) -> None:
    rebuilt, _ = build_graph(framework)
    assert isomorphic(rebuilt, catalogs[framework])
    committed = Path(str(catalog_path(framework))).read_text(encoding="utf-8")
    assert render(framework) == committed


@pytest.fixture()
def reference_copy(tmp_path: Path) -> Path:
    target = tmp_path / "reference"
    shutil.copytree(REFERENCE, target)
    for path in target.iterdir():
        path.chmod(0o644)  # the repo copy is read-only
    return target


def test_a_control_without_paraphrase_is_refused(reference_copy: Path) -> None:
    path = reference_copy / "iso42001_2023_annexA_controls.csv"
    path.write_text(path.read_text(encoding="utf-8") + "A.10.9,Invented control,A.10,x,,,B.10.9,\n")
    with pytest.raises(ReferenceError, match=r"A\.10\.9"):
        build_graph("iso42001", reference_copy)


def test_an_annex_point_count_mismatch_names_the_area(reference_copy: Path) -> None:
    path = reference_copy / "eu_ai_act_annexes.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["annex_III_areas"][3]["sub_points"] = 3
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ReferenceError, match="area 4: 2 lettered points, expected 3"):
        build_graph("eu-ai-act", reference_copy)


def test_an_unknown_parent_is_refused(reference_copy: Path) -> None:
    path = reference_copy / "nist_ai_rmf_1.0_core.csv"
    path.write_text(
        path.read_text(encoding="utf-8") + 'GOVERN 9.1,subcategory,GOVERN 9,"Invented."\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=re.escape("GOVERN 9.1 refers to unknown 'GOVERN 9'")):
        build_graph("nist-ai-rmf", reference_copy)


def test_a_missing_reference_file_is_named(reference_copy: Path) -> None:
    (reference_copy / "nist_ai_600_1_gai_risks.csv").unlink()
    with pytest.raises(ReferenceError, match=re.escape("nist_ai_600_1_gai_risks.csv")):
        build_graph("nist-ai-600-1", reference_copy)


def test_eu_ai_act_holds_two_versions_and_dated_obligations(catalogs: dict[str, Graph]) -> None:
    graph = catalogs["eu-ai-act"]
    versions = {
        str(graph.value(v, SKOS.notation)): (
            str(graph.value(v, AIMS.validFrom)),
            graph.value(v, AIMS.validUntil),
        )
        for v in graph.objects(framework_iri("eu-ai-act"), AIMS.hasVersion)
    }
    assert versions["2024"][0] == "2024-08-01" and str(versions["2024"][1]) == "2026-07-26"
    assert versions["2026"] == ("2026-07-27", None)
    rows = _csv("eu_ai_act_obligations.csv")
    assert len(set(graph.subjects(RDF.type, AIMS.ObligationDefinition))) == len(rows) == 125
    # The amendment's deferred dates (Art. 113(c) as replaced by 2026/1744 Art. 1(40)(b)).
    dates = {(r["route"], r["version"]) for r in rows if r["provision"] == "Art. 9"}
    assert dates == {("annex-iii", "2024"), ("annex-iii", "2026"), ("annex-i-a", "2024"),
                     ("annex-i-a", "2026")}  # fmt: skip
    by = {(r["key"], r["version"]): r["applies_from"] for r in rows}
    assert by[("annex-iii-9-provider", "2024")] == "2026-08-02"
    assert by[("annex-iii-9-provider", "2026")] == "2027-12-02"
    assert by[("annex-i-a-9-provider", "2024")] == "2027-08-02"
    assert by[("annex-i-a-9-provider", "2026")] == "2028-08-02"
    assert ("art5ba-provider", "2024") not in by and by[("art5ba-provider", "2026")] == "2026-12-02"
    assert all(r["source"].startswith("OJ L, 20") for r in rows)


def test_dpdp_sub_rules_hang_under_their_own_rule(catalogs: dict[str, Graph]) -> None:
    rows = [
        r
        for r in _csv("dpdp_2023_act_and_2025_rules.csv")
        if re.fullmatch(r"Rule \d+\(.+", r["id"])
    ]
    assert len(rows) == 68
    nodes = _requirements(catalogs["dpdp"], "dpdp")
    for row in rows:
        rule = row["id"].split("(")[0]
        assert row["parent"] == rule or row["parent"] == row["id"].rsplit("(", 1)[0], row["id"]
        assert row["parent"].startswith(rule) and row["parent"] in nodes, row["id"]
        assert row["paraphrase"] and row["sources"], row["id"]
