"""A small deterministic Turtle writer, so regenerated catalogs give no diff."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.term import Node

_PLAIN_LOCAL = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def _term_text(term: Node, prefixes: Mapping[str, str]) -> str:
    """Turtle text of one term: a prefixed name where that is safe, else a full IRI or literal."""
    if isinstance(term, URIRef):
        iri = str(term)
        for prefix, namespace in prefixes.items():
            local = iri[len(namespace) :]
            if iri.startswith(namespace) and _PLAIN_LOCAL.match(local):
                return f"{prefix}:{local}"
        return f"<{iri}>"
    if isinstance(term, Literal):
        if term.datatype is not None:
            return f"{Literal(str(term)).n3()}^^{_term_text(term.datatype, prefixes)}"
        return term.n3()
    if isinstance(term, BNode):
        raise ValueError("blank nodes are not supported: catalogs must use IRIs only")
    raise TypeError(f"unexpected RDF term {term!r}")


def write_turtle(graph: Graph, subject_order: Iterable[URIRef], prefixes: Mapping[str, str]) -> str:
    """Serialise ``graph`` with subjects in ``subject_order`` and sorted predicates and objects.

    Subjects missing from ``subject_order`` follow in IRI order, so nothing is ever dropped.
    """
    ordered = list(dict.fromkeys(subject_order))
    seen = set(ordered)
    remaining = sorted({s for s in graph.subjects() if s not in seen}, key=str)
    lines = [f"@prefix {p}: <{ns}> ." for p, ns in sorted(prefixes.items())]
    for subject in [*ordered, *remaining]:
        if not isinstance(subject, URIRef):
            raise ValueError(f"subject {subject!r} is not an IRI")
        predicates = sorted(
            set(graph.predicates(subject)),
            key=lambda p: (p != RDF.type, _term_text(p, prefixes)),
        )
        if not predicates:
            continue
        parts = []
        for predicate in predicates:
            objects = sorted(
                (_term_text(o, prefixes) for o in graph.objects(subject, predicate)),
            )
            name = "a" if predicate == RDF.type else _term_text(predicate, prefixes)
            parts.append(f"    {name} " + ",\n        ".join(objects))
        lines.append("")
        lines.append(_term_text(subject, prefixes))
        lines.append(" ;\n".join(parts) + " .")
    return "\n".join(lines) + "\n"
