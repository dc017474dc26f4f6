"""SHACL report terms as text: property paths of every kind, values, shapes, components."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from rdflib import RDF, SH, BNode, Literal, Node, URIRef

from aimstrace.graph.validation.report_index import ReportReads

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
# Operators of SHACL paths, rendered as in SPARQL property paths (SHACL 1.0, section 2.3.1).
_UNARY = ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?"))
_ALTERNATIVE, _SEQUENCE, _PRIMARY = 0, 1, 2
# A local name that needs no escaping in Turtle (a conservative subset of PN_LOCAL).
_LOCAL = re.compile(r"(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?)?")


class Names:
    """Compact IRIs (`ex:p`) from a prefix table; other IRIs in angle brackets."""

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        # Longest namespace first, so `ex:` does not shadow `ex-sub:` sharing its start.
        self._prefixes = sorted(prefixes.items(), key=lambda item: -len(item[1]))
        # A report names the same few IRIs thousands of times (components, severities, paths).
        self._seen: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        """`prefix:local` when a namespace matches and the rest is a plain local name."""
        known = self._seen.get(iri)
        if known is None:
            known = self._seen[iri] = self._compact(iri)
        return known

    def _compact(self, iri: str) -> str:
        for prefix, namespace in self._prefixes:
            if namespace and iri.startswith(namespace):
                local = iri[len(namespace) :]
                if _LOCAL.fullmatch(local):
                    return f"{prefix}:{local}"
        return f"<{iri}>"

    def term(self, term: Node | None) -> str | None:
        """An IRI, blank node or literal as Turtle text; literals keep lexical form and datatype."""
        if term is None:
            return None
        if isinstance(term, URIRef):
            return self.iri(str(term))
        if isinstance(term, BNode):
            return f"_:{term}"
        if isinstance(term, Literal):
            text = json.dumps(str(term), ensure_ascii=False)  # a valid Turtle string too
            if term.language:
                return f"{text}@{term.language}"
            if term.datatype is not None and str(term.datatype) != XSD_STRING:
                return f"{text}^^{self.iri(str(term.datatype))}"
            return text
        return str(term)

    def path(self, graph: ReportReads, path: Node | None) -> str | None:
        """A SHACL property path in SPARQL syntax: `ex:p`, `^ex:p`, `ex:a/ex:b`, `(ex:a|ex:b)*`."""
        if path is None:
            return None
        return self._path(graph, path, set())[0]

    def _path(self, graph: ReportReads, node: Node, seen: set[Node]) -> tuple[str, int]:
        if isinstance(node, URIRef):
            return self.iri(str(node)), _PRIMARY
        if not isinstance(node, BNode) or node in seen:
            # Not a well-formed path (a literal, or a cycle): show the term, do not loop.
            return self.term(node) or "", _PRIMARY
        seen = seen | {node}
        inverse = graph.value(node, SH.inversePath)
        if inverse is not None:
            return "^" + self._operand(graph, inverse, seen), _PRIMARY
        for predicate, operator in _UNARY:
            operand = graph.value(node, predicate)
            if operand is not None:
                return self._operand(graph, operand, seen) + operator, _PRIMARY
        alternatives = graph.value(node, SH.alternativePath)
        if alternatives is not None:
            parts = [self._path(graph, item, seen)[0] for item in graph.items(alternatives)]
            return "|".join(parts), _ALTERNATIVE
        if graph.value(node, RDF.first) is not None:
            parts = []
            for item in graph.items(node):
                text, level = self._path(graph, item, seen)
                parts.append(f"({text})" if level == _ALTERNATIVE else text)
            return "/".join(parts), _SEQUENCE
        return self.term(node) or "", _PRIMARY

    def _operand(self, graph: ReportReads, node: Node, seen: set[Node]) -> str:
        text, level = self._path(graph, node, seen)
        return text if level == _PRIMARY else f"({text})"
