"""Reading the reference catalogs: frameworks and their requirements."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from aimstrace.graph.store import Store, StoreError
from aimstrace.graph.suggest import did_you_mean, unknown_framework
from aimstrace.ontology import FRAMEWORK_IDS
from aimstrace.ontology.iris import framework_iri

_FRAMEWORKS = """
PREFIX aims: <https://w3id.org/aimstrace/ns#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?framework ?id ?title ?version ?publisher ?external
  (COUNT(DISTINCT ?req) AS ?requirements)
WHERE {
  ?framework a aims:Framework ; dcterms:identifier ?id ; dcterms:title ?title .
  BIND(EXISTS { ?framework a aims:ExternalFramework } AS ?external)
  OPTIONAL { ?framework owl:versionInfo ?version }
  OPTIONAL { ?framework dcterms:publisher ?publisher }
  OPTIONAL { ?req skos:inScheme ?framework ; a aims:Requirement }
}
GROUP BY ?framework ?id ?title ?version ?publisher ?external
"""

_REQUIREMENTS = """
PREFIX aims: <https://w3id.org/aimstrace/ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?framework ?req ?notation ?title ?kind ?parent WHERE {
  ?req skos:inScheme ?framework ; a aims:Requirement ; skos:notation ?notation .
  OPTIONAL { ?req skos:prefLabel ?title }
  OPTIONAL { ?req aims:kind ?kind }
  OPTIONAL { ?req skos:broader ?broader . ?broader skos:notation ?parent }
}
"""


@dataclass(frozen=True)
class FrameworkInfo:
    """One reference framework and how many requirements its catalog holds."""

    id: str
    title: str
    version: str | None
    publisher: str | None
    requirements: int
    iri: str
    #: Imported from a mapping file or framework library (aimstrace ships no catalog of it).
    external: bool = False


@dataclass(frozen=True)
class RequirementInfo:
    """One requirement of a framework, as `aimstrace requirements` shows it."""

    iri: str
    notation: str
    title: str | None
    kind: str | None
    parent: str | None


def _text(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str | None:
    return None if term is None else term.value


def list_frameworks(store: Store) -> list[FrameworkInfo]:
    """All frameworks in the store, in the canonical order of FRAMEWORK_IDS."""
    found: list[FrameworkInfo] = []
    for row in store.select(_FRAMEWORKS):
        count = row.get("requirements")
        found.append(
            FrameworkInfo(
                id=row["id"].value,
                title=row["title"].value,
                version=_text(row.get("version")),
                publisher=_text(row.get("publisher")),
                requirements=int(count.value) if count is not None else 0,
                iri=row["framework"].value,
                external=row["external"].value == "true",
            )
        )
    order = {fid: i for i, fid in enumerate(FRAMEWORK_IDS)}
    return sorted(found, key=lambda f: (order.get(f.id, len(order)), f.id))


def notation_hint(store: Store, notation: str, frameworks: Iterable[str]) -> str:
    """The "did you mean" for a notation no requirement of these frameworks has."""
    known = [r.notation for f in frameworks for r in list_requirements(store, f)]
    return did_you_mean(notation, known)


_SKOS_NOTATION = ox.NamedNode("http://www.w3.org/2004/02/skos/core#notation")
_SKOS_IN_SCHEME = ox.NamedNode("http://www.w3.org/2004/02/skos/core#inScheme")


def unknown_notation(store: Store, notation: str, framework: str | None = None) -> str | None:
    """The message for a notation that no requirement of `framework` (any framework when None)
    has, with a "did you mean"; None when some requirement has it."""
    from aimstrace.graph.crosswalk.external import known_framework_ids

    frameworks = [framework] if framework is not None else list(known_framework_ids(store))
    schemes = {ox.NamedNode(framework_iri(f)) for f in frameworks}
    # An index lookup on the notation, not a scan of every catalog: this runs on every filter.
    for quad in store.oxigraph.quads_for_pattern(None, _SKOS_NOTATION, ox.Literal(notation)):
        for scheme in store.oxigraph.quads_for_pattern(quad.subject, _SKOS_IN_SCHEME, None):
            if scheme.object in schemes:
                return None
    where = f"{framework} requirement" if framework is not None else "requirement of any framework"
    return f"no {where} with notation {notation!r}{notation_hint(store, notation, frameworks)}"


def list_requirements(store: Store, framework: str) -> list[RequirementInfo]:
    """All requirements of one framework (ours or external), sorted by notation in natural
    order."""
    if framework not in FRAMEWORK_IDS:
        from aimstrace.graph.crosswalk.external import known_framework_ids

        known = known_framework_ids(store)
        if framework not in known:
            raise StoreError(unknown_framework(framework, known))
    scheme = ox.NamedNode(framework_iri(framework))
    rows = store.select(_REQUIREMENTS, {"framework": scheme})
    reqs = {
        row["req"].value: RequirementInfo(
            iri=row["req"].value,
            notation=row["notation"].value,
            title=_text(row.get("title")),
            kind=_text(row.get("kind")),
            parent=_text(row.get("parent")),
        )
        for row in rows
    }
    return sorted(reqs.values(), key=lambda r: natural_key(r.notation))


def natural_key(notation: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that puts 'A.2.10' after 'A.2.9' and 'Art. 10' after 'Art. 9'."""
    parts = re.split(r"(\d+)", notation)
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p)
