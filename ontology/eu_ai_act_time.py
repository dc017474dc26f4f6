"""The EU AI Act in time: Annex I acts, the two versions of the Act and the dated obligation
definitions, read from ontology/reference/ (sources in eu_ai_act_sources.md).

Regulation (EU) 2024/1689 is held in two versions: its 2024 text (in force 1 August 2024) and the
text as amended by Regulation (EU) 2026/1744 (in force 27 July 2026). Each obligation definition
belongs to one version and says which provision creates it, for which operator role, on which
classification route and from which date it applies; the derivation rules
(ontology/shapes/rules/eu-ai-act/) join them with each AI system's classification.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from rdflib import RDF, SKOS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from aimstrace.ontology.catalog_sources import ANNEX_I_FILE, ReferenceError
from aimstrace.ontology.iris import AIMS, CATALOG_BASE, requirement_iri

FRAMEWORK = "eu-ai-act"
OBLIGATIONS_FILE = "eu_ai_act_obligations.csv"
SIZE_RELIEF_FILE = "eu_ai_act_size_relief.csv"
ENTERPRISE_SIZES = ("sme", "small-mid-cap", "large")
#: version notation -> (valid from, valid until or None, title, Official Journal source)
VERSIONS: dict[str, tuple[str, str | None, str, str]] = {
    "2024": (
        "2024-08-01",
        "2026-07-26",
        "Regulation (EU) 2024/1689 as published (2024 text)",
        "OJ L, 2024/1689, 12.7.2024, http://data.europa.eu/eli/reg/2024/1689/oj",
    ),
    "2026": (
        "2026-07-27",
        None,
        "Regulation (EU) 2024/1689 as amended by Regulation (EU) 2026/1744",
        "OJ L, 2026/1744, 24.7.2026, http://data.europa.eu/eli/reg/2026/1744/oj",
    ),
}
ROUTES = (
    "any",
    "annex-iii",
    "annex-i-a",
    "annex-i-b",
    "derogation",
    "art50-1",
    "art50-2",
    "art50-3",
    "art50-4",
    "gpai",
    "gpai-systemic",
)
ROLES = (
    "provider",
    "deployer",
    "importer",
    "distributor",
    "authorised-representative",
    "product-manufacturer",
    "any",
)


def version_iri(version: str) -> URIRef:
    """IRI of one version of the Act (``2024`` or ``2026``)."""
    return URIRef(f"{CATALOG_BASE}{FRAMEWORK}/version/{version}")


def obligation_iri(version: str, key: str) -> URIRef:
    """IRI of one obligation definition of a version."""
    return URIRef(f"{CATALOG_BASE}{FRAMEWORK}/obligation/{version}/{key}")


def size_relief_iri(version: str, key: str) -> URIRef:
    """IRI of one SME / small mid-cap relief of a version."""
    return URIRef(f"{CATALOG_BASE}{FRAMEWORK}/size-relief/{version}/{key}")


def _read(reference_dir: Path, name: str) -> list[dict[str, str]]:
    path = reference_dir / name
    if not path.exists():
        raise ReferenceError(f"{name}: missing from {reference_dir}")
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _article(provision: str) -> str:
    """`Art. 49(1)` -> `Art. 49`: the catalog article a provision belongs to."""
    return provision.split("(", 1)[0].strip()


def add_time(graph: Graph, reference_dir: Path, known: set[str]) -> list[URIRef]:
    """Add the versions, Annex I act facts and obligation definitions; return them in order."""
    order: list[URIRef] = []
    scheme = URIRef(f"{CATALOG_BASE}{FRAMEWORK}")
    for version, (start, until, title, source) in VERSIONS.items():
        iri = version_iri(version)
        order.append(iri)
        graph.add((scheme, AIMS.hasVersion, iri))
        graph.add((iri, RDF.type, AIMS.ActVersion))
        graph.add((iri, SKOS.notation, Literal(version)))
        graph.add((iri, SKOS.prefLabel, Literal(title, lang="en")))
        graph.add((iri, AIMS.validFrom, Literal(start, datatype=XSD.date)))
        if until:
            graph.add((iri, AIMS.validUntil, Literal(until, datatype=XSD.date)))
        graph.add((iri, DCTERMS.source, Literal(source)))
    for row in _read(reference_dir, ANNEX_I_FILE):
        act = requirement_iri(FRAMEWORK, f"Annex I.{row['point']}")
        graph.add((act, AIMS.annexISection, Literal(row["section"])))
        graph.add((act, DCTERMS.source, Literal(row["source"])))
        if row["in_2024_text"] == "yes":
            graph.add((act, AIMS.inVersion, version_iri("2024")))
        if row["as_amended"] == "yes":
            graph.add((act, AIMS.inVersion, version_iri("2026")))
    for number, row in enumerate(_read(reference_dir, OBLIGATIONS_FILE), start=2):
        where = f"{OBLIGATIONS_FILE}:{number}"
        version, route, role = row["version"], row["route"], row["role"]
        if version not in VERSIONS or route not in ROUTES or role not in ROLES:
            raise ReferenceError(f"{where}: unknown version, route or role in {row}")
        article = _article(row["provision"])
        if article not in known:
            raise ReferenceError(f"{where}: {article!r} is not in the catalog")
        iri = obligation_iri(version, row["key"])
        if iri in order:
            raise ReferenceError(f"{where}: duplicate key {row['key']!r} in version {version}")
        order.append(iri)
        graph.add((iri, RDF.type, AIMS.ObligationDefinition))
        graph.add((iri, SKOS.notation, Literal(row["key"])))
        graph.add((iri, SKOS.prefLabel, Literal(row["title"], lang="en")))
        graph.add((iri, AIMS.provisionNotation, Literal(row["provision"])))
        graph.add((iri, AIMS.createdBy, requirement_iri(FRAMEWORK, article)))
        graph.add((iri, AIMS.inVersion, version_iri(version)))
        graph.add((iri, AIMS.onRoute, AIMS[f"route-{route}"]))
        graph.add((iri, AIMS.forRole, AIMS[f"role-{role}"]))
        graph.add((iri, AIMS.appliesFrom, Literal(row["applies_from"], datatype=XSD.date)))
        graph.add((iri, DCTERMS.source, Literal(row["source"])))
        if row["needs_fria"] == "true":
            graph.add((iri, AIMS.needsFRIA, Literal(True)))
        if row["needs_public_body"] == "true":
            graph.add((iri, AIMS.needsPublicBody, Literal(True)))
        if row["except_annex_iii_area"]:
            graph.add((iri, AIMS.exceptAnnexIIIArea, Literal(row["except_annex_iii_area"])))
        for column, predicate in (
            ("placed_before", AIMS.placedBefore),
            ("placed_on_or_after", AIMS.placedOnOrAfter),
            ("legacy_cutoff", AIMS.legacyCutoff),
        ):
            if row[column]:
                graph.add((iri, predicate, Literal(row[column], datatype=XSD.date)))
    order.extend(_add_size_relief(graph, reference_dir, known))
    return order


def _add_size_relief(graph: Graph, reference_dir: Path, known: set[str]) -> list[URIRef]:
    """The reliefs the Act gives SMEs and small mid-caps, per version; rule 60-size-relief.rq
    attaches them to the organisation and to the obligations they relieve."""
    order: list[URIRef] = []
    for number, row in enumerate(_read(reference_dir, SIZE_RELIEF_FILE), start=2):
        where = f"{SIZE_RELIEF_FILE}:{number}"
        version, size = row["version"], row["enterprise_size"]
        if version not in VERSIONS or size not in ENTERPRISE_SIZES:
            raise ReferenceError(f"{where}: unknown version or enterprise size in {row}")
        for article in (_article(row["provision"]), row["relieves"]):
            if article not in known:
                raise ReferenceError(f"{where}: {article!r} is not in the catalog")
        iri = size_relief_iri(version, row["key"])
        if iri in order:
            raise ReferenceError(f"{where}: duplicate key {row['key']!r} in version {version}")
        order.append(iri)
        graph.add((iri, RDF.type, AIMS.SizeRelief))
        graph.add((iri, SKOS.notation, Literal(row["key"])))
        graph.add((iri, SKOS.prefLabel, Literal(row["relief"], lang="en")))
        graph.add((iri, AIMS.reliefProvision, Literal(row["provision"])))
        graph.add((iri, AIMS.relievesArticle, requirement_iri(FRAMEWORK, row["relieves"])))
        graph.add((iri, AIMS.inVersion, version_iri(version)))
        graph.add((iri, AIMS.forEnterpriseSize, AIMS[f"size-{size}"]))
        graph.add((iri, DCTERMS.source, Literal(row["source"])))
        if row["applies_from"]:
            graph.add((iri, AIMS.reliefFrom, Literal(row["applies_from"], datatype=XSD.date)))
        if row["condition"]:
            graph.add((iri, AIMS.reliefCondition, Literal(row["condition"])))
    return order
