"""Oxigraph terms and typed literals as the JSON values of query answers.

Shared by the RDF backend and the impact index so both give the same cells; imports only
pyoxigraph and aimstrace.graph.backend's types.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from aimstrace.graph.backend import JsonValue

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER_TYPES = frozenset(
    XSD + t
    for t in [
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    ]
)
_XSD_STRING = XSD + "string"
_FLOAT_TYPES = frozenset((XSD + "decimal", XSD + "double", XSD + "float"))


def literal_to_json(lexical: str, datatype: str) -> JsonValue:
    """A typed literal as a JSON value: integers, floats, booleans; dates stay ISO text."""
    try:
        if datatype in _INTEGER_TYPES:
            return int(lexical)
        if datatype in _FLOAT_TYPES:
            return float(Decimal(lexical))
        if datatype == XSD + "boolean":
            return lexical.strip() in ("true", "1")
    except (ValueError, InvalidOperation):
        return lexical
    return lexical


def ox_term_to_json(term: object) -> JsonValue:
    """An Oxigraph term as the JSON value a query answer holds (IRIs and strings as text)."""
    # Called for every cell of every answer: the commonest kinds are tested first.
    if isinstance(term, ox.NamedNode):
        return term.value
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return term.value
        return literal_to_json(term.value, datatype)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)
