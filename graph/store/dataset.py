"""Which RDF dataset a SPARQL query runs on (SPARQL 1.1 Query 13.2, Protocol 2.1.4).

A dataset given by the protocol (``default-graph-uri``, ``named-graph-uri``) replaces one named
in the query (``FROM``, ``FROM NAMED``); when neither names one, the service picks its own, which
for aimstrace is the union of all graphs as the default graph plus every named graph. So the
union applies only when the query names no dataset: ``FROM <urn:none>`` sees an empty graph.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

# Comments, strings and IRI references are blanked before looking for the FROM keyword, so
# `"FROM <x>"` in a literal or `<http://ex/FROM>` never counts.
_SKIP = re.compile(
    r"""
      \#[^\n]*
    | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
    | '''(?:[^'\\]|\\.|'(?!''))*'''
    | "(?:[^"\\\n]|\\.)*"
    | '(?:[^'\\\n]|\\.)*'
    | <[^<>"{}|^`\\\s]*>
    """,
    re.VERBOSE,
)
# FROM as a keyword: not part of a variable (?from), a prefixed name (from:x, ex:FROM) or a word.
_FROM = re.compile(r"(?<![\w:?$])FROM(?![\w:\-])", re.IGNORECASE)


@lru_cache(maxsize=2048)
def names_dataset(query: str) -> bool:
    """True when the query has a dataset clause (FROM or FROM NAMED) outside any group."""
    text = _SKIP.sub(" ", query)
    depth = 0
    start = 0
    for i, char in enumerate(text):
        if char == "{":
            if depth == 0 and _FROM.search(text, start, i):
                return True
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                start = i + 1
    return depth <= 0 and _FROM.search(text, start) is not None


@dataclass(frozen=True)
class ProtocolDataset:
    """The graphs a request names with default-graph-uri and named-graph-uri."""

    default_graphs: Sequence[str] = ()
    named_graphs: Sequence[str] = ()

    def __bool__(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)
