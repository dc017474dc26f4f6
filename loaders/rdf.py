"""Reading organisation data already in RDF: Turtle, N-Triples and JSON-LD files.

Blank nodes become skolem IRIs derived from the canonical form of the file's graph
(rdflib.compare.to_canonical_graph), so the same file always yields the same IRIs and a reload
changes nothing. References into our data and catalog namespaces are checked like tabular ones.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.term import Node

from aimstrace.loaders.errors import InputIssue
from aimstrace.loaders.references import ReferenceIndex, text_of
from aimstrace.ontology.iris import CATALOG_BASE, DATA_BASE, entity_iri

RDF_SUFFIXES: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
}
SKOLEM_KIND = "genid"
SKOLEM_BASE = str(entity_iri(SKOLEM_KIND, "x"))[:-1]


def read_rdf(path: Path) -> tuple[list[ox.Triple], list[InputIssue]]:
    """Parse one RDF file into triples without blank nodes; syntax errors come back located."""
    fmt = RDF_SUFFIXES[path.suffix.lower()]
    try:
        quads = list(ox.parse(path=str(path), format=fmt))
    except SyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) else None
        return [], [InputIssue(str(path), line, None, f"invalid {fmt.name}: {exc.msg}")]
    except OSError as exc:
        return [], [InputIssue(str(path), None, None, f"cannot read file: {exc.strerror}")]
    triples = [q.triple for q in quads]
    if any(
        isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples
    ):
        triples = skolemize(triples)
    return triples, []


def skolemize(triples: list[ox.Triple]) -> list[ox.Triple]:
    """Replace blank nodes by IRIs that depend only on the graph's content."""
    text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    graph = Graph()
    graph.parse(data=text.decode("utf-8"), format="nt")
    canonical = to_canonical_graph(graph)
    skolem = Graph()
    for s, p, o in canonical:
        skolem.add((_skolem(s), p, _skolem(o)))
    data = skolem.serialize(format="nt", encoding="utf-8")
    return [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]


def _skolem(term: Node) -> Node:
    if isinstance(term, BNode):
        return URIRef(entity_iri(SKOLEM_KIND, str(term)))
    return term


def check_rdf_references(
    path: Path, triples: list[ox.Triple], index: ReferenceIndex
) -> list[InputIssue]:
    """Objects in our data namespace must be described somewhere; catalog IRIs must exist."""
    issues: list[InputIssue] = []
    seen: set[str] = set()
    for triple in triples:
        obj = triple.object
        if not isinstance(obj, ox.NamedNode) or obj.value in seen:
            continue
        seen.add(obj.value)
        where = f"object of <{text_of(triple.subject)}> <{text_of(triple.predicate)}>"
        if obj.value.startswith(DATA_BASE) and not obj.value.startswith(SKOLEM_BASE):
            if not index.is_known_subject(obj.value):
                message = f"reference to an entity described nowhere ({where})"
                issues.append(InputIssue(str(path), None, None, message, obj.value))
        elif obj.value.startswith(CATALOG_BASE) and not index.catalog_has(obj.value):
            message = f"reference to a requirement not in the loaded catalogs ({where})"
            issues.append(InputIssue(str(path), None, None, message, obj.value))
    return issues
