"""The AIMS vocabulary (ontology/aims.ttl): complete against CONVENTIONS.md, labelled, aligned."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, URIRef
from rdflib.namespace import DCTERMS

from aimstrace.ontology import vocabulary_path
from aimstrace.ontology.iris import AIMS, DCAT, DPV, DPV_AI, DPV_RISK, ORG, PROV

REPO = Path(__file__).resolve().parents[2]
CONVENTIONS = (REPO / "docs" / "CONVENTIONS.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def vocab() -> Graph:
    graph = Graph()
    graph.parse(str(vocabulary_path()), format="turtle")
    return graph


def _aims_subjects(graph: Graph) -> set[URIRef]:
    return {s for s in graph.subjects() if isinstance(s, URIRef) and s.startswith(str(AIMS))}


def test_ontology_header(vocab: Graph) -> None:
    ontology = URIRef("https://w3id.org/aimstrace/ns")
    assert (ontology, RDF.type, OWL.Ontology) in vocab
    for predicate in (OWL.versionInfo, DCTERMS.title, DCTERMS.license):
        assert vocab.value(ontology, predicate) is not None, predicate


def test_every_aims_term_has_one_label_and_a_one_line_definition(vocab: Graph) -> None:
    problems = []
    for term in sorted(_aims_subjects(vocab)):
        labels = list(vocab.objects(term, RDFS.label))
        definitions = list(vocab.objects(term, SKOS.definition)) + list(
            vocab.objects(term, RDFS.comment)
        )
        if len(labels) != 1:
            problems.append(f"{term}: {len(labels)} labels")
        if not definitions:
            problems.append(f"{term}: no definition")
        if any("\n" in str(d) or len(str(d)) < 10 for d in definitions):
            problems.append(f"{term}: definition is not one line of text")
        if vocab.value(term, RDF.type) is None:
            problems.append(f"{term}: no rdf:type")
    assert not problems, "\n".join(problems)


def test_every_term_named_in_conventions_is_declared(vocab: Graph) -> None:
    named = set(re.findall(r"`?aims:([A-Za-z][A-Za-z0-9-]*[A-Za-z0-9])", CONVENTIONS))
    assert len(named) > 100  # the organisation model alone names well over a hundred terms
    declared = {str(t)[len(str(AIMS)) :] for t in _aims_subjects(vocab)}
    assert sorted(named - declared) == []


def test_properties_and_classes_are_typed(vocab: Graph) -> None:
    untyped = []
    for term in _aims_subjects(vocab):
        types = set(vocab.objects(term, RDF.type))
        if types & {OWL.NamedIndividual, SKOS.ConceptScheme}:
            continue  # enumeration values, the AIMS owner role and their schemes
        local = str(term)[len(str(AIMS)) :]
        expected = {OWL.ObjectProperty, OWL.DatatypeProperty} if local[0].islower() else {OWL.Class}
        if not types & expected:
            untyped.append(local)
    assert untyped == []


def _enumerations() -> dict[str, list[str]]:
    """``aims:LifecycleStage`` -> its notations, from the Enumerations list in CONVENTIONS.md."""
    found = {}
    for name, values in re.findall(
        r"^- `aims:(\w+)`(?: \([^)]*\))?: (.+)$", CONVENTIONS, flags=re.M
    ):
        found[name] = re.findall(r"`([a-z0-9-]+)`", values)
    return found


STEMS = {
    "LifecycleStage": "stage",
    "RiskLevel": "level",
    "EUAIActRole": "role",
    "TreatmentOption": "option",
    "ControlStatus": "status",
    "ActionStatus": "action",
    "EvidenceType": "evidence",
    "ProhibitedScreening": "screening",
    "TransparencyCase": "transparency",
    "GPAIClass": "gpai",
    "RoleChange": "change",
    "EnterpriseSize": "size",
}


def test_enumerations_match_conventions(vocab: Graph) -> None:
    enumerations = _enumerations()
    assert set(enumerations) == set(STEMS)
    for name, notations in enumerations.items():
        cls = AIMS[name]
        assert (cls, RDFS.subClassOf, SKOS.Concept) in vocab
        members = set(vocab.subjects(RDF.type, cls))
        assert {str(vocab.value(m, SKOS.notation)) for m in members} == set(notations), name
        for notation in notations:
            individual = AIMS[f"{STEMS[name]}-{notation}"]
            assert (individual, RDF.type, cls) in vocab
            assert str(vocab.value(individual, SKOS.notation)) == notation
            scheme = vocab.value(individual, SKOS.inScheme)
            assert (scheme, RDF.type, SKOS.ConceptScheme) in vocab, individual


def test_risk_levels_are_ranked_in_order(vocab: Graph) -> None:
    ranks = {
        notation: int(str(vocab.value(AIMS[f"level-{notation}"], AIMS.rank)))
        for notation in ("low", "medium", "high", "critical")
    }
    assert ranks == {"low": 1, "medium": 2, "high": 3, "critical": 4}


def test_mapping_values_are_skos_concepts_in_schemes(vocab: Graph) -> None:
    expected = {
        AIMS.MappingRelationship: {
            "equal",
            "subset-of",
            "superset-of",
            "intersects-with",
            "no-relationship",
        },
        AIMS.MappingRationale: {"syntactic", "semantic", "functional"},
        AIMS.MappingStatus: {"asserted", "derived"},
    }
    for cls, notations in expected.items():
        for notation in notations:
            individual = AIMS[notation]
            assert (individual, RDF.type, cls) in vocab
            assert str(vocab.value(individual, SKOS.notation)) == notation
            assert vocab.value(individual, SKOS.inScheme) is not None
    assert (AIMS.AIMSOwnerRole, RDF.type, AIMS.Role) in vocab


ALIGNMENTS = [
    (AIMS.Framework, RDFS.subClassOf, SKOS.ConceptScheme),
    (AIMS.Requirement, RDFS.subClassOf, SKOS.Concept),
    (AIMS.Organization, RDFS.subClassOf, ORG.Organization),
    (AIMS.Person, RDFS.subClassOf, PROV.Person),
    (AIMS.Role, RDFS.subClassOf, ORG.Role),
    (AIMS.AISystem, RDFS.subClassOf, DPV_AI.AISystem),
    (AIMS.Model, RDFS.subClassOf, DPV_AI.Model),
    (AIMS.Dataset, RDFS.subClassOf, DCAT.Dataset),
    (AIMS.Vendor, RDFS.subClassOf, ORG.Organization),
    (AIMS.Risk, RDFS.subClassOf, DPV.Risk),
    (AIMS.RiskAssessment, RDFS.subClassOf, DPV_RISK.RiskAssessment),
    (AIMS.RiskTreatment, RDFS.subClassOf, DPV_RISK.RiskTreatment),
    (AIMS.ImplementedControl, RDFS.subClassOf, DPV.TechnicalOrganisationalMeasure),
    (AIMS.ImpactAssessment, RDFS.subClassOf, DPV.ImpactAssessment),
    (AIMS.Evidence, RDFS.subClassOf, PROV.Entity),
    (AIMS.Incident, RDFS.subClassOf, DPV_RISK.Incident),
    (AIMS.implementsRequirement, RDFS.subPropertyOf, DPV.supportsComplianceWith),
    (AIMS.usesModel, RDFS.subPropertyOf, DPV_AI.hasModel),
]


@pytest.mark.parametrize("triple", ALIGNMENTS, ids=lambda t: str(t[0]).split("#")[-1])
def test_alignment(vocab: Graph, triple: tuple[URIRef, URIRef, URIRef]) -> None:
    assert triple in vocab


def test_external_alignment_targets_are_declared(vocab: Graph) -> None:
    targets = {
        o
        for p in (RDFS.subClassOf, RDFS.subPropertyOf)
        for o in vocab.objects(None, p)
        if not str(o).startswith(str(AIMS))
    }
    assert targets
    undeclared = [
        str(t)
        for t in targets
        if vocab.value(t, RDFS.label) is None or vocab.value(t, RDFS.isDefinedBy) is None
    ]
    assert undeclared == []


def test_domains_and_ranges_name_declared_classes(vocab: Graph) -> None:
    missing = []
    for predicate in (RDFS.domain, RDFS.range):
        for term, cls in vocab.subject_objects(predicate):
            is_datatype = str(cls).startswith(("http://www.w3.org/2001/XMLSchema#", str(RDFS)))
            if not is_datatype and vocab.value(cls, RDF.type) is None:
                missing.append(f"{term} {predicate} {cls}")
    assert missing == []
