"""Generate ontology/catalogs/<framework>.ttl from the reference lists in ontology/reference/.

Run ``python -m aimstrace.ontology.build_catalogs`` after changing a reference list or paraphrase,
and commit the result; ``--check`` exits non-zero when a committed catalog is out of date. Output is
deterministic, so regenerating unchanged inputs gives no diff.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import OWL, RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from aimstrace.ontology import FRAMEWORK_IDS
from aimstrace.ontology.catalog_sources import (
    REFERENCE_DIR,
    CatalogNode,
    dpdp_nodes,
    eu_ai_act_nodes,
    iso27001_nodes,
    iso27701_nodes,
    iso42001_nodes,
    nist_ai_600_1_nodes,
    nist_ai_rmf_nodes,
)
from aimstrace.ontology.catalog_turtle import write_turtle
from aimstrace.ontology.eu_ai_act_time import add_time
from aimstrace.ontology.iris import AIMS, framework_iri, milestone_iri, requirement_iri

CATALOG_DIR = Path(__file__).resolve().parent / "catalogs"

KIND_CLASS: dict[str, URIRef] = {
    "clause": AIMS.Clause,
    "objective-group": AIMS.ControlObjective,
    "control-objective": AIMS.ControlObjective,
    "control": AIMS.ReferenceControl,
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
    "annex-i-act": AIMS.AnnexIAct,
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

PREFIXES = {
    "aims": str(AIMS),
    "dcterms": str(DCTERMS),
    "owl": str(OWL),
    "rdfs": str(RDFS),
    "skos": str(SKOS),
    "xsd": str(XSD),
}

_ISO_LICENCE = (
    "Identifiers and official short titles only; definitions are aimstrace's own paraphrases. "
    "The text of {std} is copyright ISO/IEC and is not reproduced; obtain it from ISO."
)


@dataclass(frozen=True)
class Milestone:
    """A dated step in a framework's application."""

    key: str
    date: str
    label: str
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class FrameworkInfo:
    """Framework-level metadata written on the concept scheme node."""

    identifier: str
    title: str
    version: str
    publisher: str
    licence_note: str
    source: str
    nodes: Callable[[Path], list[CatalogNode]]
    text_version: str | None = None
    milestones: tuple[Milestone, ...] = field(default=())


EU_AI_ACT_MILESTONES = (
    Milestone(
        "2024-08-01 entry into force",
        "2024-08-01",
        "Regulation (EU) 2024/1689 enters into force (Art. 113)",
        ("Art. 113",),
    ),
    Milestone(
        "2025-02-02 prohibitions",
        "2025-02-02",
        "Chapters I and II apply: general provisions, AI literacy and prohibited AI "
        "practices (Art. 113(a))",
        ("Chapter I", "Chapter II", "Art. 5"),
    ),
    Milestone(
        "2025-08-02 general-purpose AI",
        "2025-08-02",
        "Obligations for general-purpose AI models, notified bodies, governance and "
        "penalties apply (Art. 113(b))",
        ("Chapter III Section 4", "Chapter V", "Chapter VII", "Chapter XII"),
    ),
    Milestone(
        "2026-07-27 amendment in force",
        "2026-07-27",
        "Regulation (EU) 2026/1744 amending Regulation (EU) 2024/1689 enters into force",
    ),
    Milestone(
        "2026-07-27 Art. 25 replaced",
        "2026-07-27",
        "Art. 25(2) and (4) replaced by Regulation (EU) 2026/1744",
        ("Art. 25",),
    ),
    Milestone(
        "2026-08-02 general application",
        "2026-08-02",
        "General date of application under Art. 113 for provisions not deferred by "
        "Regulation (EU) 2026/1744",
        ("Art. 113",),
    ),
    Milestone(
        "2026-12-02 new prohibitions",
        "2026-12-02",
        "Prohibitions added to Art. 5 by Regulation (EU) 2026/1744 apply",
        ("Art. 5",),
    ),
    Milestone(
        "2027-12-02 Annex III high-risk",
        "2027-12-02",
        "Obligations for high-risk AI systems listed in Annex III apply (deferred by "
        "Regulation (EU) 2026/1744)",
        ("Annex III", "Chapter III"),
    ),
    Milestone(
        "2028-08-02 Annex I high-risk",
        "2028-08-02",
        "Obligations for high-risk AI systems covered by Annex I legislation apply "
        "(deferred by Regulation (EU) 2026/1744)",
        ("Annex I", "Art. 6"),
    ),
)

DPDP_MILESTONES = (
    Milestone(
        "2023-08-11 Act published", "2023-08-11", "DPDP Act 2023 receives assent and is published"
    ),
    Milestone(
        "2025-11-13 Rules in force on publication",
        "2025-11-13",
        "DPDP Rules 2025 notified; rules 1, 2 and 17 to 21 (the Board) commence on publication",
        ("Rule 1", "Rule 2", "Rule 17", "Rule 18", "Rule 19", "Rule 20", "Rule 21"),
    ),
    Milestone(
        "2026-11-13 Consent Managers",
        "2026-11-13",
        "Rule 4 (registration and obligations of Consent Managers) commences one year after "
        "publication",
        ("Rule 4",),
    ),
    Milestone(
        "2027-05-13 remaining Rules",
        "2027-05-13",
        "Rules 3, 5 to 16, 22 and 23 commence eighteen months after publication (one source "
        "gives 14 May 2027)",
        tuple(f"Rule {n}" for n in (3, *range(5, 17), 22, 23)),
    ),
)

FRAMEWORKS: dict[str, FrameworkInfo] = {
    "iso42001": FrameworkInfo(
        "iso42001",
        "ISO/IEC 42001:2023 Information technology - Artificial intelligence - Management system",
        "2023",
        "ISO/IEC",
        _ISO_LICENCE.format(std="ISO/IEC 42001:2023"),
        "https://www.iso.org/standard/81230.html",
        iso42001_nodes,
    ),
    "iso27001": FrameworkInfo(
        "iso27001",
        "ISO/IEC 27001:2022 Information security, cybersecurity and privacy protection - "
        "Information security management systems - Requirements",
        "2022",
        "ISO/IEC",
        _ISO_LICENCE.format(std="ISO/IEC 27001:2022"),
        "https://www.iso.org/standard/82875.html",
        iso27001_nodes,
    ),
    "nist-ai-rmf": FrameworkInfo(
        "nist-ai-rmf",
        "Artificial Intelligence Risk Management Framework (AI RMF 1.0), NIST AI 100-1",
        "1.0",
        "National Institute of Standards and Technology (NIST)",
        "Core text reproduced from NIST AI 100-1 (January 2023), a work of the US Government "
        "not subject to copyright protection in the United States.",
        "https://doi.org/10.6028/NIST.AI.100-1",
        nist_ai_rmf_nodes,
    ),
    "nist-ai-600-1": FrameworkInfo(
        "nist-ai-600-1",
        "Artificial Intelligence Risk Management Framework: Generative Artificial Intelligence "
        "Profile, NIST AI 600-1",
        "July 2024",
        "National Institute of Standards and Technology (NIST)",
        "Risk names from NIST AI 600-1 (July 2024), a work of the US Government not subject to "
        "copyright protection in the United States.",
        "https://doi.org/10.6028/NIST.AI.600-1",
        nist_ai_600_1_nodes,
    ),
    "eu-ai-act": FrameworkInfo(
        "eu-ai-act",
        "Regulation (EU) 2024/1689 laying down harmonised rules on artificial intelligence "
        "(Artificial Intelligence Act)",
        "2024/1689 (OJ 2024-07-12)",
        "European Parliament and Council of the European Union",
        "EU legislation from EUR-Lex; reuse is authorised under Commission Decision 2011/833/EU. "
        "Only the text of Annex III and Annex IV is included.",
        "https://eur-lex.europa.eu/eli/reg/2024/1689/oj",
        eu_ai_act_nodes,
        text_version=(
            "Regulation (EU) 2024/1689 as published in the Official Journal on 12 July 2024 "
            "(structure, titles, Annex III and IV text), held in two versions for its dated "
            "obligations: the 2024 text and the text as amended by Regulation (EU) 2026/1744 "
            "(in force 27 July 2026; aims:hasVersion, aims:ObligationDefinition). The "
            "amendment's wording is paraphrased in the obligation titles, not merged in."
        ),
        milestones=EU_AI_ACT_MILESTONES,
    ),
    "iso27701": FrameworkInfo(
        "iso27701",
        "ISO/IEC 27701:2025 Information security, cybersecurity and privacy protection - Privacy "
        "information management systems - Requirements and guidance",
        "2025",
        "ISO/IEC",
        _ISO_LICENCE.format(std="ISO/IEC 27701:2025"),
        "https://www.iso.org/obp/ui/en/#iso:std:iso-iec:27701:ed-2:v1:en",
        iso27701_nodes,
    ),
    "dpdp": FrameworkInfo(
        "dpdp",
        "India: The Digital Personal Data Protection Act, 2023 (No. 22 of 2023) and the Digital "
        "Personal Data Protection Rules, 2025",
        "Act 2023-08-11; Rules 2025-11-13",
        "Government of India (Parliament; Ministry of Electronics and Information Technology)",
        "Chapter, section and rule headings of Indian legislation, which may be reproduced with "
        "commentary (Copyright Act 1957, s. 52(1)(q)); sub-section labels and all definitions are "
        "aimstrace's own paraphrases, not the text of the Act or the Rules.",
        "https://www.indiacode.nic.in/",
        dpdp_nodes,
        text_version=(
            "The Act as published in the Gazette of India on 11 August 2023 and the Rules as "
            "notified on 13 November 2025; headings only, paraphrased content."
        ),
        milestones=DPDP_MILESTONES,
    ),
}


def build_graph(framework: str, reference_dir: Path = REFERENCE_DIR) -> tuple[Graph, list[URIRef]]:
    """Build one framework's catalog graph and the subject order to write it in."""
    if framework not in FRAMEWORKS:
        raise KeyError(
            f"unknown framework id {framework!r}; expected one of {', '.join(FRAMEWORK_IDS)}"
        )
    info = FRAMEWORKS[framework]
    graph = Graph()
    scheme = framework_iri(framework)
    order = [scheme]
    graph.add((scheme, RDF.type, AIMS.Framework))
    graph.add((scheme, DCTERMS.identifier, Literal(info.identifier)))
    graph.add((scheme, DCTERMS.title, Literal(info.title, lang="en")))
    graph.add((scheme, OWL.versionInfo, Literal(info.version)))
    graph.add((scheme, DCTERMS.publisher, Literal(info.publisher)))
    graph.add((scheme, DCTERMS.source, URIRef(info.source)))
    graph.add((scheme, AIMS.licenceNote, Literal(info.licence_note, lang="en")))
    if info.text_version:
        graph.add((scheme, AIMS.textVersion, Literal(info.text_version, lang="en")))

    nodes = info.nodes(reference_dir)
    notations = [node.notation for node in nodes]
    duplicates = sorted({n for n in notations if notations.count(n) > 1})
    if duplicates:
        raise ValueError(f"{framework}: duplicate notations {duplicates}")
    known = set(notations)
    for node in nodes:
        iri = requirement_iri(framework, node.notation)
        order.append(iri)
        graph.add((iri, RDF.type, AIMS.Requirement))
        graph.add((iri, RDF.type, KIND_CLASS[node.kind]))
        graph.add((iri, SKOS.notation, Literal(node.notation)))
        graph.add((iri, SKOS.prefLabel, Literal(node.label, lang="en")))
        graph.add((iri, AIMS.kind, Literal(node.kind)))
        graph.add((iri, SKOS.inScheme, scheme))
        for linked in (node.parent, node.guidance):
            if linked is not None and linked not in known:
                raise ValueError(f"{framework}: {node.notation} refers to unknown {linked!r}")
        if node.parent is None:
            graph.add((iri, SKOS.topConceptOf, scheme))
        else:
            graph.add((iri, SKOS.broader, requirement_iri(framework, node.parent)))
        if node.guidance is not None:
            graph.add((iri, AIMS.hasGuidance, requirement_iri(framework, node.guidance)))
        if node.definition:
            graph.add((iri, SKOS.definition, Literal(node.definition, lang="en")))

    if framework == "eu-ai-act":
        order.extend(add_time(graph, reference_dir, known))

    for milestone in info.milestones:
        iri = milestone_iri(framework, milestone.key)
        order.append(iri)
        graph.add((scheme, AIMS.milestone, iri))
        graph.add((iri, RDF.type, AIMS.Milestone))
        graph.add((iri, RDFS.label, Literal(milestone.label, lang="en")))
        graph.add((iri, AIMS.date, Literal(milestone.date, datatype=XSD.date)))
        for notation in milestone.references:
            if notation not in known:
                raise ValueError(
                    f"{framework}: milestone {milestone.key!r} refers to unknown {notation!r}"
                )
            graph.add((iri, DCTERMS.references, requirement_iri(framework, notation)))
    return graph, order


def render(framework: str, reference_dir: Path = REFERENCE_DIR) -> str:
    """The Turtle text of one framework's catalog."""
    graph, order = build_graph(framework, reference_dir)
    header = (
        f"# Reference catalog '{framework}' generated by ontology/build_catalogs.py from\n"
        "# ontology/reference/. Do not edit by hand: change the inputs and regenerate.\n"
    )
    return header + write_turtle(graph, order, PREFIXES)


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, verify) every catalog file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="fail if a catalog is out of date")
    parser.add_argument("--out", type=Path, default=CATALOG_DIR, help="output directory")
    args = parser.parse_args(argv)
    stale = []
    for framework in FRAMEWORK_IDS:
        text = render(framework)
        path = args.out / f"{framework}.ttl"
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if args.check:
            stale.append(str(path))
        else:
            args.out.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if stale:
        print(
            "out of date (run python -m aimstrace.ontology.build_catalogs): " + ", ".join(stale),
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
