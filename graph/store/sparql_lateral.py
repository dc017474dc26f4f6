"""SPARQL 1.2 LATERAL for engines that lack it, by splicing the lateral group into its parent.

Oxigraph plans a query before it substitutes parameters, so a left join or a join after a
lineage walk (`prov:wasDerivedFrom*`) is planned as if nothing were bound and evaluated as a
hash join over the whole graph (about 0.5 s per query at 1M triples). `LATERAL { ... }` makes
Oxigraph evaluate the group once per solution on its left, with that solution's values bound,
which is a handful of index lookups. rdflib does not parse LATERAL; its joins already evaluate
the right side per left solution, so for rdflib the keyword and its braces are removed and the
group's content becomes part of the enclosing group.

The two readings agree when every variable the lateral group shares with its left is bound in
every left solution and the group's top level holds only patterns, OPTIONALs, UNIONs and
FILTERs over those variables (no BIND or sub-SELECT that reads them from inside a nested
group). The named queries use it only that way; the conformance tests run every query on both
engines and compare the rows.
"""

from __future__ import annotations

import re

_KEYWORD = re.compile(r"LATERAL\s*\{", re.IGNORECASE)


class LateralSpliceError(ValueError):
    """The query text has a LATERAL whose group cannot be found (unbalanced braces)."""


def _code_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of the text outside comments, strings and IRIs."""
    spans: list[tuple[int, int]] = []
    start, index, length = 0, 0, len(text)
    while index < length:
        char = text[index]
        if char == "#" or char in "\"'" or (char == "<" and _opens_iri(text, index)):
            spans.append((start, index))
            index = _skip_token(text, index)
            start = index
        else:
            index += 1
    spans.append((start, length))
    return spans


def _opens_iri(text: str, index: int) -> bool:
    """Whether '<' at index opens an IRI rather than being the less-than operator."""
    match = re.match(r"<[^<>\"{}|^`\\\s]*>", text[index:])
    return match is not None


def _skip_token(text: str, index: int) -> int:
    """The index just after the comment, string or IRI starting at index."""
    char = text[index]
    if char == "#":
        newline = text.find("\n", index)
        return len(text) if newline < 0 else newline + 1
    if char == "<":
        return text.index(">", index) + 1
    quote = text[index : index + 3] if text[index : index + 3] in ('"""', "'''") else char
    position = index + len(quote)
    while position < len(text):
        if text[position] == "\\":
            position += 2
            continue
        if text.startswith(quote, position):
            return position + len(quote)
        position += 1
    raise LateralSpliceError(f"unterminated string starting at offset {index}")


def splice_lateral(sparql: str) -> str:
    """The query with each `LATERAL { G }` replaced by G's content (for engines without LATERAL)."""
    spans = _code_spans(sparql)
    in_code = bytearray(len(sparql))
    for start, end in spans:
        in_code[start:end] = b"\x01" * (end - start)
    removals: list[tuple[int, int]] = []
    for match in _KEYWORD.finditer(sparql):
        if not in_code[match.start()] or (match.start() and sparql[match.start() - 1].isalnum()):
            continue
        depth, position = 1, match.end()
        while position < len(sparql) and depth:
            if in_code[position]:
                depth += {"{": 1, "}": -1}.get(sparql[position], 0)
            position += 1
        if depth:
            raise LateralSpliceError(f"LATERAL at offset {match.start()} has no closing brace")
        removals += [(match.start(), match.end()), (position - 1, position)]
    text = sparql
    for start, end in sorted(removals, reverse=True):
        text = text[:start] + " " + text[end:]
    return text
