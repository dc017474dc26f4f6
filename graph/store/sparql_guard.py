"""A cheap check of user SPARQL text before Oxigraph sees it: size, nesting, operators, SERVICE.

Oxigraph's parser and evaluator recurse over the query's syntax tree. A 6 KB query of nested
groups, and just as well a flat chain of ~600 OPTIONALs or ~750 property-path steps (each one
more level of the algebra tree), overflows the native stack and the process dies (pyoxigraph
0.5.13, 8 MB stack; figures in the issue-14 notes). This scan bounds what makes the tree deep,
on the text with strings and comments blanked out, so query text inside a literal is not
counted. Cost: about 3 us for a one-line lookup, 150 us for a 6 KB query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aimstrace.graph.store.core import StoreError

_LONG_STRING = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'')
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')
_IRI = re.compile(r"<[^<>\"{}|^`\\\s]*>")
_COMMENT = re.compile(r"#[^\n]*")
_NOT_BRACKET = re.compile(r"[^{}()\[\]]+")
_SERVICE = re.compile(r"\bSERVICE\b(?:\s+SILENT\b)?\s*(<[^>\s]*>|\S+)?", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_OPERATOR_CHARS = "!/|^&*+-<>=,"
# Counted as plain substrings: an over-count only makes the bound stricter.
_KEYWORDS = ("union", "optional", "minus", "filter", "bind", "service")


@dataclass(frozen=True)
class QueryLimits:
    """Bounds on a user's query text, far above the named queries (<= 213 operators, depth 8)."""

    max_bytes: int = 256 * 1024
    max_depth: int = 64
    max_operators: int = 2000
    service_allow: tuple[str, ...] = ()


class QueryRefused(StoreError):
    """The query text is over a bound or uses SERVICE; `reason` names which."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def check_query(text: str, limits: QueryLimits | None = None) -> None:
    """Raise QueryRefused when the text is too long, too deep, too complex or calls SERVICE."""
    limits = limits or QueryLimits()
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limits.max_bytes:
        raise QueryRefused(
            f"the query is {size} bytes, more than the limit of {limits.max_bytes}", "too long"
        )
    control = _CONTROL.search(text)
    if control is not None:
        line = text.count("\n", 0, control.start()) + 1
        column = control.start() - (text.rfind("\n", 0, control.start()) + 1) + 1
        raise QueryRefused(
            f"control character U+{ord(control.group()):04X} at line {line}, column {column} "
            "of the query",
            "control character",
        )
    no_strings = _COMMENT.sub("", _STRING.sub('""', _LONG_STRING.sub('""', text)))
    lowered = no_strings.lower()
    if "service" in lowered:
        for match in _SERVICE.finditer(no_strings):
            target = match.group(1) or ""
            if target.startswith("<") and target[1:-1] in limits.service_allow:
                continue
            raise QueryRefused(
                f"SERVICE {target} is refused: this server calls no other endpoint unless the "
                "operator allows it (AIMSTRACE_SPARQL_SERVICE_ALLOW)",
                "SERVICE refused",
            )
    blank = _IRI.sub("I", no_strings)
    brackets = _NOT_BRACKET.sub("", blank)
    if len(brackets) > limits.max_depth:
        depth = deepest = 0
        for char in brackets:
            if char in "{([":
                depth += 1
                deepest = max(deepest, depth)
            else:
                depth -= 1
        if deepest > limits.max_depth:
            raise QueryRefused(
                f"the query nests {deepest} levels deep, more than the limit of {limits.max_depth}",
                "too deep",
            )
    operators = sum(map(blank.count, _OPERATOR_CHARS)) + sum(map(lowered.count, _KEYWORDS))
    if operators > limits.max_operators:
        raise QueryRefused(
            f"the query has {operators} operators, more than the limit of "
            f"{limits.max_operators}; split it",
            "too complex",
        )
