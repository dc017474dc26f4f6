"""The example organisation's KNOWN_GAPS.md is true: each gap rule finds exactly its listed focus.

Each rule is a plain SPARQL query over the loaded example, judged on the as-of date 2026-11-01.
They check the data (that the gaps are there and that no other entity has the same gap); the
SHACL shapes of the validation layer are tested on their own.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from inventory_support import catalog_store

from aimstrace.graph.engine import Engine
from aimstrace.graph.store import Store
from aimstrace.loaders.pipeline import load_example

GAPS_FILE = Path(__file__).parents[2] / "ontology" / "example" / "KNOWN_GAPS.md"
PREFIXES = """
PREFIX aims: <https://w3id.org/aimstrace/ns#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
AS_OF = '"2026-11-01"^^xsd:date'

RULES: dict[tuple[str, str], str] = {
    ("A.5.2", "system without impact assessment"): """
        SELECT ?id WHERE {
          ?s a aims:AISystem ; dcterms:identifier ?id ; aims:lifecycleStage ?stage .
          FILTER (?stage != aims:stage-retirement)
          FILTER NOT EXISTS { ?s aims:excludedFromScope true }
          FILTER NOT EXISTS { ?ia aims:assessesSystem ?s ; a aims:ImpactAssessment }
        }""",
    ("A.7.5", "dataset without provenance"): """
        SELECT ?id WHERE {
          ?s a aims:Dataset ; dcterms:identifier ?id .
          FILTER NOT EXISTS { ?s aims:provenance ?p }
        }""",
    ("6.1.3", "untreated risk above appetite"): """
        SELECT ?id WHERE {
          ?s a aims:Risk ; dcterms:identifier ?id ; aims:riskLevel/aims:rank ?rank .
          ?org a aims:Organization ; aims:riskAppetite/aims:rank ?appetite .
          FILTER (?rank > ?appetite)
          FILTER NOT EXISTS { ?t aims:treatsRisk ?s }
        }""",
    ("A.10.3", "vendor assessment overdue"): f"""
        SELECT ?id WHERE {{
          ?s a aims:Vendor ; dcterms:identifier ?id ; aims:lastAssessmentDate ?d .
          ?org a aims:Organization ; aims:vendorAssessmentIntervalDays ?days .
          BIND ((xsd:date({AS_OF}) - ?d) AS ?age)
          FILTER (?age > xsd:dayTimeDuration(CONCAT("P", STR(?days), "D")))
        }}""",
    ("10.2", "corrective action overdue"): f"""
        SELECT ?id WHERE {{
          ?s a aims:CorrectiveAction ; dcterms:identifier ?id ; aims:dueDate ?due ;
             aims:actionStatus ?status .
          FILTER (?status != aims:action-closed && ?due < {AS_OF})
        }}""",
    ("7.5", "implemented control without evidence"): """
        SELECT ?id WHERE {
          ?s a aims:ImplementedControl ; dcterms:identifier ?id ;
             aims:controlStatus aims:status-implemented .
          FILTER NOT EXISTS { ?s aims:hasEvidence ?e }
        }""",
    ("6.1.3", "excluded SoA control relied on"): """
        SELECT ?id WHERE {
          ?s a aims:ApplicabilityDecision ; dcterms:identifier ?id ; aims:applicable false ;
             aims:decisionFor ?control .
          ?c aims:implementsRequirement ?control . ?t aims:usesControl ?c .
        }""",
    ("Art. 73", "serious incident not reported"): """
        SELECT ?id WHERE {
          ?s a aims:Incident ; dcterms:identifier ?id ; aims:seriousIncident true .
          FILTER NOT EXISTS { ?s aims:reportedToAuthority ?d }
        }""",
    ("A.2.4", "policy review overdue"): f"""
        SELECT ?id WHERE {{
          ?s a aims:AIPolicy ; dcterms:identifier ?id .
          ?org a aims:Organization ; aims:policyReviewIntervalDays ?days .
          {{ SELECT ?s (MAX(?d) AS ?last) WHERE {{ ?r aims:reviewOf ?s ; aims:reviewDate ?d }}
             GROUP BY ?s }}
          FILTER ((xsd:date({AS_OF}) - ?last) > xsd:dayTimeDuration(CONCAT("P", STR(?days), "D")))
        }}""",
}


def _known_gaps() -> list[tuple[str, str]]:
    rows = []
    for line in GAPS_FILE.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 3 and cells[0] not in ("requirement", "---"):
            rows.append((cells[0], cells[1]))
    return rows


@pytest.fixture(scope="module")
def example() -> Store:
    engine = Engine(catalog_store())
    load_example(engine)
    return engine.store


@pytest.mark.parametrize("rule", list(RULES), ids=[name for _, name in RULES])
def test_each_gap_rule_finds_exactly_the_listed_focus(
    example: Store, rule: tuple[str, str]
) -> None:
    found = {row["id"].value for row in example.select(PREFIXES + RULES[rule])}
    listed = {focus for requirement, focus in _known_gaps() if requirement == rule[0]}
    assert found, f"rule {rule} finds nothing"
    assert found <= listed, f"{rule}: unlisted gaps {found - listed}"


def test_every_listed_gap_is_found_by_some_rule(example: Store) -> None:
    found: set[tuple[str, str]] = set()
    for (requirement, _), query in RULES.items():
        found |= {(requirement, row["id"].value) for row in example.select(PREFIXES + query)}
    assert set(_known_gaps()) == found
