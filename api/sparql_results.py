"""SPARQL 1.1 query results as JSON, XML, CSV or TSV, and content negotiation for them.

The rows are serialized here rather than by pyoxigraph's own writer because the API must stop
consuming a result at its deadline or row cap, and pyoxigraph's writer consumes all of it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"

JSON_RESULTS = "application/sparql-results+json"
XML_RESULTS = "application/sparql-results+xml"
CSV_RESULTS = "text/csv"
TSV_RESULTS = "text/tab-separated-values"

# Media types a client may ask for, mapped to the one we answer with.
RESULT_TYPES: dict[str, str] = {
    JSON_RESULTS: JSON_RESULTS,
    "application/json": JSON_RESULTS,
    XML_RESULTS: XML_RESULTS,
    "application/xml": XML_RESULTS,
    "text/xml": XML_RESULTS,
    CSV_RESULTS: CSV_RESULTS,
    TSV_RESULTS: TSV_RESULTS,
}
# The CSV/TSV results note defines no boolean form; like Oxigraph we answer the bare word, so
# clients that ask for CSV or TSV get an ASK answer instead of a 406.
BOOLEAN_TYPES = dict(RESULT_TYPES)
GRAPH_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "text/plain": ox.RdfFormat.N_TRIPLES,
}

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(frozen=True)
class Accepted:
    """One media range from an Accept header with its quality."""

    media_range: str
    quality: float


def parse_accept(header: str | None) -> list[Accepted]:
    """The media ranges of an Accept header, best first (absent header means anything)."""
    if not header:
        return [Accepted("*/*", 1.0)]
    ranges: list[Accepted] = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        quality = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append(Accepted(media, quality))
    return sorted((r for r in ranges if r.quality > 0), key=lambda r: -r.quality)


def negotiate(header: str | None, offered: Sequence[str]) -> str | None:
    """The first offered type the client accepts (offered[0] for wildcards), else None."""
    for accepted in parse_accept(header):
        if accepted.media_range in ("*/*", "*"):
            return offered[0]
        if accepted.media_range.endswith("/*"):
            prefix = accepted.media_range[:-1]
            for media in offered:
                if media.startswith(prefix):
                    return media
        elif accepted.media_range in offered:
            return accepted.media_range
    return None


def _json_term(term: Term) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        },
    }


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            attr = quoteattr(term.datatype.value)
            return f"<literal datatype={attr}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    parts = (("subject", term.subject), ("predicate", term.predicate), ("object", term.object))
    inner = "".join(f"<{name}>{_xml_term(t)}</{name}>" for name, t in parts)
    return f"<triple>{inner}</triple>"


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


Solution = dict[str, Term]


def solutions_to_bytes(media: str, variables: list[str], rows: list[Solution]) -> bytes:
    """Serialize SELECT results in one of the four SPARQL result formats."""
    if media == JSON_RESULTS:
        json_rows = [{name: _json_term(value) for name, value in row.items()} for row in rows]
        document = {"head": {"vars": variables}, "results": {"bindings": json_rows}}
        return json.dumps(document, ensure_ascii=False).encode("utf-8")
    if media == XML_RESULTS:
        head = "".join(f"<variable name={quoteattr(v)}/>" for v in variables)
        results = []
        for row in rows:
            bindings = "".join(
                f"<binding name={quoteattr(name)}>{_xml_term(value)}</binding>"
                for name, value in row.items()
            )
            results.append(f"<result>{bindings}</result>")
        body = "".join(results)
        return (
            f'<?xml version="1.0"?>\n<sparql xmlns="{SPARQL_RESULTS_NS}">'
            f"<head>{head}</head><results>{body}</results></sparql>\n"
        ).encode()
    if media == CSV_RESULTS:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow([_csv_value(row.get(v)) for v in variables])
        return buffer.getvalue().encode("utf-8")
    if media == TSV_RESULTS:
        lines = ["\t".join(f"?{v}" for v in variables)]
        for row in rows:
            lines.append("\t".join(str(row[v]) if v in row else "" for v in variables))
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(f"unsupported results media type {media!r}")


def boolean_to_bytes(media: str, value: bool) -> bytes:
    """Serialize an ASK answer as SPARQL JSON, XML, or the bare word for CSV and TSV."""
    if media == JSON_RESULTS:
        return json.dumps({"head": {}, "boolean": value}).encode()
    text = "true" if value else "false"
    if media in (CSV_RESULTS, TSV_RESULTS):
        return text.encode()
    return (
        f'<?xml version="1.0"?>\n<sparql xmlns="{SPARQL_RESULTS_NS}">'
        f"<head/><boolean>{text}</boolean></sparql>\n"
    ).encode()
