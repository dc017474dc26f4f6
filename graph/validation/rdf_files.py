"""RDF files read as written: every literal keeps its lexical form and datatype.

rdflib's parsers normalise literals (`"01"^^xsd:integer` becomes `"1"`, `"1"^^xsd:boolean`
becomes `"true"`) and the Oxigraph store canonicalises numbers (`"300"^^xsd:byte` is stored as
an integer). SHACL tests the terms as written, so a data or shapes file that is validated is
parsed by Oxigraph's parser (which keeps terms) and handed on as N-Triples text, and, where an
rdflib graph is needed (pySHACL), converted term by term without normalisation.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SH_REPORT = URIRef("http://www.w3.org/ns/shacl#ValidationReport")
SH_RESULT = URIRef("http://www.w3.org/ns/shacl#ValidationResult")
# Graph formats only: a dataset's named graphs have no place in one SHACL data graph.
_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".n3": ox.RdfFormat.N3,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
}


_NAMES = {
    ox.RdfFormat.TURTLE: "Turtle",
    ox.RdfFormat.N_TRIPLES: "N-Triples",
    ox.RdfFormat.N3: "N3",
    ox.RdfFormat.RDF_XML: "RDF/XML",
    ox.RdfFormat.JSON_LD: "JSON-LD",
}


class _IllTypedLiterals(logging.Filter):
    """Drops rdflib's traceback for each ill-typed literal it meets (`"c"^^xsd:byte`): such a
    literal is data that SHACL judges (sh:datatype reports it), not a fault to log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Failed to convert Literal lexical form")


logging.getLogger("rdflib.term").addFilter(_IllTypedLiterals())


class RdfFileError(ValueError):
    """An RDF file cannot be read; the message names the file, line and column."""


@dataclass
class RdfFiles:
    """The triples of one or more files as N-Triples text, with the prefixes they declare."""

    ntriples: bytes
    files: list[Path]
    prefixes: dict[str, str] = field(default_factory=dict)

    @property
    def source(self) -> str:
        """The files, comma-separated, for messages."""
        return ", ".join(str(f) for f in self.files)

    def graph(self) -> Graph:
        """The triples as an rdflib graph, literals unnormalised, prefixes bound."""
        graph = lossless_graph(ox.parse(self.ntriples, format=ox.RdfFormat.N_TRIPLES))
        for prefix, namespace in self.prefixes.items():
            graph.bind(prefix, namespace, override=False)
        return graph


def rdf_format(path: Path, option: str) -> ox.RdfFormat:
    """The graph format a file's extension names, or a located error listing the accepted ones."""
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        accepted = ", ".join(sorted(_FORMATS))
        raise RdfFileError(
            f"{option}: {path}: unknown RDF file extension {path.suffix!r}; expected {accepted}"
        )
    return fmt


def expand(paths: Sequence[Path], option: str, pattern: str = "*.ttl") -> list[Path]:
    """Files as given and, for a folder, its `.ttl` files (`pattern`), in name order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(path.glob(pattern))
        elif path.is_file():
            files.append(path)
        else:
            raise RdfFileError(f"{option}: {path} does not exist")
    if not files:
        raise RdfFileError(f"{option}: no RDF files found in {', '.join(map(str, paths))}")
    return files


def read_rdf_files(paths: Sequence[Path], option: str) -> RdfFiles:
    """Parse the files (base IRI: each file's own URL, blank nodes kept apart per file)."""
    files = expand(paths, option)
    chunks: list[bytes] = []
    prefixes: dict[str, str] = {}
    for file in files:
        fmt = rdf_format(file, option)
        try:
            parser = ox.parse(
                path=str(file),
                format=fmt,
                base_iri=file.resolve().as_uri(),
                rename_blank_nodes=True,
            )
            quads = list(parser)
        except SyntaxError as exc:
            # Oxigraph's message starts with the line and column of the problem.
            raise RdfFileError(f"{option}: {file}: not valid {_NAMES[fmt]}: {exc.msg}") from None
        except OSError as exc:
            raise RdfFileError(f"{option}: {file}: cannot read ({exc.strerror})") from None
        for prefix, namespace in parser.prefixes.items():
            prefixes.setdefault(prefix, namespace)
        chunks.append(ox.serialize(quads, format=ox.RdfFormat.N_TRIPLES) or b"")
    return RdfFiles(b"".join(chunks), files, prefixes)


def rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
    """An Oxigraph term as the rdflib term with the same lexical form (no normalisation)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language, normalize=False)
        datatype = term.datatype.value
        # RDF 1.1: a simple literal is an xsd:string; rdflib writes it without a datatype.
        return Literal(
            term.value,
            datatype=None if datatype == XSD_STRING else URIRef(datatype),
            normalize=False,
        )
    raise RdfFileError(f"RDF-star triple terms are not supported in SHACL graphs: {term}")


def lossless_graph(quads: Iterable[ox.Quad | ox.Triple]) -> Graph:
    """An rdflib graph of the quads' triples, every literal as written."""
    graph = Graph()
    with warnings.catch_warnings():
        # rdflib warns about literals it cannot read as Python values ("none"^^xsd:boolean);
        # they are data for SHACL to judge.
        warnings.simplefilter("ignore", UserWarning)
        add = graph.add
        for quad in quads:
            subject, predicate = rdflib_term(quad.subject), rdflib_term(quad.predicate)
            add((subject, predicate, rdflib_term(quad.object)))
    return graph


def oxigraph_term(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as the Oxigraph term with the same lexical form."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        datatype = ox.NamedNode(str(term.datatype)) if term.datatype is not None else None
        return ox.Literal(str(term), datatype=datatype)
    raise RdfFileError(f"not an RDF term: {term!r}")


def to_turtle(graph: Graph, prefixes: dict[str, str]) -> str:
    """A graph as Turtle written by Oxigraph: every literal as it is held (rdflib's writer
    prints an ill-typed boolean such as "none"^^xsd:boolean as a bare `none`, which no parser
    reads back)."""
    # Sorted, so each subject's triples are consecutive (Oxigraph then writes them with `;`)
    # and the same graph is always written the same way.
    ordered = sorted(graph, key=lambda t: (_rank(graph, t[0]), str(t[0]), str(t[1]), str(t[2])))
    triples = [
        ox.Triple(oxigraph_term(s), oxigraph_term(p), oxigraph_term(o))  # type: ignore[arg-type]
        for s, p, o in ordered
    ]
    iris = {str(term) for triple in graph for term in triple if isinstance(term, URIRef)}
    iris |= {str(t.datatype) for t in graph.objects() if isinstance(t, Literal) and t.datatype}
    used = {p: ns for p, ns in prefixes.items() if any(iri.startswith(ns) for iri in iris)}
    text = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=used) or b""
    return text.decode("utf-8")


def _rank(graph: Graph, subject: Node) -> int:
    """The report first, then its results, then the rest (paths, copied shapes)."""
    if (subject, RDF_TYPE, SH_REPORT) in graph:
        return 0
    return 1 if (subject, RDF_TYPE, SH_RESULT) in graph else 2
