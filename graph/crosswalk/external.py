"""External frameworks: the side of an imported mapping file that is not one of our catalogs.

An SSSOM, NIST OLIR / STRM or CISO Assistant file often maps into a framework aimstrace has no
catalog of (IBM's AI risk atlas, SCF, ISO/IEC 27001:2013). Such a side is stored as an
*external framework*: a framework node typed ``aims:ExternalFramework``, in its own named
graph (``graph/external/{id}``), whose requirements are exactly the identifiers the imported
files name, with the labels those files give (none is invented). Each requirement keeps the
identifier as the file wrote it (``aims:sourceIdentifier``: a CURIE, a URN or a cell's text).

Several files may name the same external framework. What they say is merged so that the
order of imports does not matter: a *defining* import (a CISO Assistant framework library,
which lists the framework's nodes with their ``ref_id`` and names) sets the framework's title
and its nodes' notations; a mapping file only adds the nodes it names that are not there yet.
A node's IRI comes from its identifier in the file (never from a notation a later file may
change), so records written before a defining import still point at the same node.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote

import pyoxigraph as ox

from aimstrace.graph.store import Store
from aimstrace.graph.suggest import unknown_framework
from aimstrace.ontology import FRAMEWORK_IDS
from aimstrace.ontology.iris import (
    AIMS,
    EXTERNAL_FRAMEWORK_ID,
    external_node_iri,
    framework_iri,
    graph_iri,
)

_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_DCT = "http://purl.org/dc/terms/"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_IDENTIFIER = ox.NamedNode(_DCT + "identifier")
_TITLE = ox.NamedNode(_DCT + "title")
_SOURCE = ox.NamedNode(_DCT + "source")
_IN_SCHEME = ox.NamedNode(_SKOS + "inScheme")
_NOTATION = ox.NamedNode(_SKOS + "notation")
_PREF_LABEL = ox.NamedNode(_SKOS + "prefLabel")
_BROADER = ox.NamedNode(_SKOS + "broader")


def _aims(local: str) -> ox.NamedNode:
    return ox.NamedNode(str(AIMS) + local)


_FRAMEWORK = _aims("Framework")
_EXTERNAL = _aims("ExternalFramework")
_REQUIREMENT = _aims("Requirement")
_IMPORTED_FROM = _aims("importedFrom")
_SOURCE_IDENTIFIER = _aims("sourceIdentifier")
_LICENCE = _aims("licenceNote")
_DEFINED_BY = _aims("definedBy")


def identifier_of(local: str) -> str:
    """The identifier an external node IRI's local part (or a CURIE's) encodes."""
    return unquote(local)


def external_graph(framework: str) -> ox.NamedNode:
    """The named graph that holds one external framework."""
    return ox.NamedNode(graph_iri("external", framework))


def check_external_id(framework: str) -> str:
    """Return the id if it can name an external framework, else raise ValueError."""
    if framework in FRAMEWORK_IDS:
        raise ValueError(
            f"{framework!r} is one of aimstrace's own catalogs, not an external framework"
        )
    if not EXTERNAL_FRAMEWORK_ID.match(framework):
        raise ValueError(
            f"external framework id {framework!r} must start with a lower-case letter and use "
            "only lower-case letters, digits, '.', '_' and '-'"
        )
    return framework


@dataclass(frozen=True)
class ExternalRequirement:
    """One node of an external framework, as an imported file names it."""

    iri: str
    notation: str
    #: The identifier exactly as the file gives it (CURIE, URN, cell text).
    source_identifier: str
    title: str | None = None
    #: IRI of the parent node, when the file says (CISO Assistant's ``parent_urn``).
    parent: str | None = None


@dataclass
class ExternalFramework:
    """An external framework and the nodes one import names."""

    id: str
    title: str
    #: Where the framework's identifiers come from: a URN, a namespace IRI, a file name.
    source: str
    imported_from: str
    licence: str = ""
    #: True for a file that defines the framework (a CISO Assistant framework library).
    defining: bool = False
    requirements: dict[str, ExternalRequirement] = field(default_factory=dict)

    @property
    def iri(self) -> str:
        """IRI of the framework node."""
        return str(framework_iri(self.id))

    def node_iri(self, identifier: str) -> str:
        """The IRI of the node an identifier names (deterministic, independent of notation)."""
        return external_node_iri(self.id, identifier)

    def add(self, requirement: ExternalRequirement) -> ExternalRequirement:
        """Add a node (the first mention of an IRI wins within one import); return the kept one."""
        return self.requirements.setdefault(requirement.iri, requirement)


def merge_imports(frameworks: Iterable[ExternalFramework]) -> list[ExternalFramework]:
    """One ExternalFramework per id for one import (several sets may name the same one)."""
    merged: dict[str, ExternalFramework] = {}
    for framework in frameworks:
        kept = merged.get(framework.id)
        if kept is None:
            merged[framework.id] = ExternalFramework(
                framework.id,
                framework.title,
                framework.source,
                framework.imported_from,
                framework.licence,
                framework.defining,
                dict(framework.requirements),
            )
            continue
        if framework.defining and not kept.defining:
            kept.title, kept.source, kept.licence = (
                framework.title,
                framework.source,
                framework.licence,
            )
            kept.defining = True
            kept.requirements.update(framework.requirements)
        else:
            for requirement in framework.requirements.values():
                kept.add(requirement)
    return list(merged.values())


def _framework_triples(framework: ExternalFramework) -> list[ox.Triple]:
    node = ox.NamedNode(framework.iri)
    triples = [
        ox.Triple(node, _RDF_TYPE, _FRAMEWORK),
        ox.Triple(node, _RDF_TYPE, _EXTERNAL),
        ox.Triple(node, _IDENTIFIER, ox.Literal(framework.id)),
        ox.Triple(node, _TITLE, ox.Literal(framework.title)),
        ox.Triple(node, _SOURCE, ox.Literal(framework.source)),
    ]
    if framework.licence:
        triples.append(ox.Triple(node, _LICENCE, ox.Literal(framework.licence)))
    if framework.defining:
        triples.append(ox.Triple(node, _DEFINED_BY, ox.Literal(framework.imported_from)))
    return triples


def _requirement_triples(framework: ExternalFramework, req: ExternalRequirement) -> list[ox.Triple]:
    node = ox.NamedNode(req.iri)
    triples = [
        ox.Triple(node, _RDF_TYPE, _REQUIREMENT),
        ox.Triple(node, _IN_SCHEME, ox.NamedNode(framework.iri)),
        ox.Triple(node, _NOTATION, ox.Literal(req.notation)),
        ox.Triple(node, _SOURCE_IDENTIFIER, ox.Literal(req.source_identifier)),
    ]
    if req.title:
        triples.append(ox.Triple(node, _PREF_LABEL, ox.Literal(req.title)))
    if req.parent:
        triples.append(ox.Triple(node, _BROADER, ox.NamedNode(req.parent)))
    return triples


def external_contents(
    store: Store, frameworks: Iterable[ExternalFramework]
) -> dict[ox.NamedNode, list[ox.Triple]]:
    """The full new content of each external framework's graph: what is stored, merged with
    this import (a defining import replaces the framework's metadata and its own nodes; any
    other import only adds nodes and its file name)."""
    contents: dict[ox.NamedNode, list[ox.Triple]] = {}
    for incoming in merge_imports(frameworks):
        graph = external_graph(check_external_id(incoming.id))
        by_subject: dict[str, list[ox.Triple]] = {}
        for quad in store.quads(graph):
            if isinstance(quad.subject, ox.NamedNode):
                by_subject.setdefault(quad.subject.value, []).append(quad.triple)
        framework_node = incoming.iri
        stored = by_subject.pop(framework_node, [])
        sources = {incoming.imported_from} | {
            t.object.value
            for t in stored
            if t.predicate == _IMPORTED_FROM and isinstance(t.object, ox.Literal)
        }
        replace_metadata = incoming.defining or not stored
        if replace_metadata:
            head = _framework_triples(incoming)
            # A defining file stays the definition after a later mapping file, and the later
            # of two defining files wins (re-importing an updated library).
        else:
            head = [t for t in stored if t.predicate != _IMPORTED_FROM]
        node = ox.NamedNode(framework_node)
        triples = head + [ox.Triple(node, _IMPORTED_FROM, ox.Literal(s)) for s in sorted(sources)]
        for iri in sorted(set(by_subject) | set(incoming.requirements)):
            req = incoming.requirements.get(iri)
            if req is not None and (incoming.defining or iri not in by_subject):
                triples.extend(_requirement_triples(incoming, req))
            else:
                triples.extend(by_subject[iri])
        contents[graph] = triples
    return contents


_EXTERNALS = """
PREFIX aims: <https://w3id.org/aimstrace/ns#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?id WHERE { ?f a aims:ExternalFramework ; dcterms:identifier ?id }
"""


def external_framework_ids(store: Store) -> list[str]:
    """The ids of the external frameworks in the store, sorted."""
    return sorted({row["id"].value for row in store.select(_EXTERNALS)})


def known_framework_ids(store: Store) -> tuple[str, ...]:
    """Our frameworks, then the external ones the store holds."""
    return FRAMEWORK_IDS + tuple(external_framework_ids(store))


def check_framework(store: Store, framework: str) -> str:
    """Return framework if it is ours or an external framework in the store, else raise."""
    known = known_framework_ids(store)
    if framework not in known:
        raise ValueError(unknown_framework(framework, known))
    return framework
