"""Mapping records (DESIGN section 4): the model, its RDF form, and reading it back.

A record says "subject RELATIONSHIP object" in the strict STRM sense. Records are written into
one named graph per mapping set (``graph/crosswalk/{set}``), derived ones into ``graph/derived``;
each graph is replaced as a whole in one transaction, so reloading is idempotent.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

import pyoxigraph as ox

from aimstrace.graph.store import Changeset, Store, WriteSummary
from aimstrace.ontology.iris import (
    AIMS,
    CATALOG_BASE,
    PROV,
    graph_iri,
    mapping_iri,
    mapping_set_iri,
)

RELATIONSHIPS: tuple[str, ...] = (
    "equal",
    "subset-of",
    "superset-of",
    "intersects-with",
    "no-relationship",
)
RATIONALES: tuple[str, ...] = ("syntactic", "semantic", "functional")
STATUSES: tuple[str, ...] = ("asserted", "derived")

#: The relation read the other way round ("A subset-of B" is "B superset-of A").
INVERSE: dict[str, str] = {
    "equal": "equal",
    "subset-of": "superset-of",
    "superset-of": "subset-of",
    "intersects-with": "intersects-with",
    "no-relationship": "no-relationship",
}

SKOS = "http://www.w3.org/2004/02/skos/core#"
#: The direct SKOS edge each asserted record yields (none for no-relationship).
SKOS_EDGE: dict[str, str] = {
    "equal": SKOS + "exactMatch",
    "subset-of": SKOS + "broadMatch",
    "superset-of": SKOS + "narrowMatch",
    "intersects-with": SKOS + "relatedMatch",
}

DERIVED_SET = "derived"
# A mapping set's name: also the API's pattern for it, so its schema says what is accepted.
SET_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
_SET_NAME = re.compile(SET_NAME_PATTERN)

_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_DCT = "http://purl.org/dc/terms/"
_OWL_VERSION = ox.NamedNode("http://www.w3.org/2002/07/owl#versionInfo")
_XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
_XSD_DECIMAL = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")


def _aims(local: str) -> ox.NamedNode:
    return ox.NamedNode(str(AIMS) + local)


def _dct(local: str) -> ox.NamedNode:
    return ox.NamedNode(_DCT + local)


@dataclass(frozen=True)
class MappingSetInfo:
    """A mapping set: one crosswalk file, one imported source, or the derived set."""

    name: str
    title: str
    source: str
    version: str
    licence: str
    #: The set's own SSSOM header (JSON object) as loaded, so an export keeps its metadata.
    metadata: str = ""

    @property
    def iri(self) -> str:
        """IRI of the set node."""
        return str(mapping_set_iri(self.name))

    @property
    def graph(self) -> ox.NamedNode:
        """The named graph the set's records live in."""
        return mapping_set_graph(self.name)


@dataclass(frozen=True)
class MappingRecord:
    """One typed mapping: subject RELATIONSHIP object, with its reasons and provenance."""

    subject: str
    object: str | None
    relationship: str
    rationale: str | None
    strength: int | None
    confidence: float | None
    justification: str
    author: str | None
    mapping_set: str
    status: str = "asserted"
    derived_from: tuple[str, ...] = ()

    @property
    def iri(self) -> str:
        """Deterministic IRI: the same row in the same set always gets the same IRI."""
        target = self.object or "sssom:NoTermFound"
        return str(mapping_iri(self.mapping_set, self.subject, self.relationship, target))

    def inverted(self) -> MappingRecord:
        """The same record read from the object's side (only for records with an object)."""
        if self.object is None:
            raise ValueError(f"mapping {self.iri} has no object and cannot be inverted")
        return replace(
            self,
            subject=self.object,
            object=self.subject,
            relationship=INVERSE[self.relationship],
        )


@dataclass(frozen=True)
class RequirementRef:
    """Where a requirement IRI sits: its framework id, notation and kind."""

    iri: str
    framework: str
    notation: str
    kind: str | None
    parent: str | None
    title: str | None = None


@dataclass
class StoredMappings:
    """Every mapping record in the store, with the sets they belong to."""

    records: list[MappingRecord] = field(default_factory=list)
    sets: dict[str, MappingSetInfo] = field(default_factory=dict)
    iris: dict[str, MappingRecord] = field(default_factory=dict)


def check_set_name(name: str) -> str:
    """Return name if it is usable as a mapping-set name (letters, digits, . _ -), else raise."""
    if not _SET_NAME.match(name):
        raise ValueError(
            f"mapping set name {name!r} must start with a letter or digit and use only "
            "letters, digits, '.', '_' and '-'"
        )
    return name


def mapping_set_graph(name: str) -> ox.NamedNode:
    """The named graph of one mapping set (`derived` has its own graph)."""
    if name == DERIVED_SET:
        return ox.NamedNode(graph_iri("derived"))
    return ox.NamedNode(graph_iri("crosswalk", check_set_name(name)))


# ----- writing ---------------------------------------------------------------------------------


def set_triples(info: MappingSetInfo) -> list[ox.Triple]:
    """The RDF describing a mapping set."""
    node = ox.NamedNode(info.iri)
    return [
        ox.Triple(node, _RDF_TYPE, _aims("MappingSet")),
        ox.Triple(node, _dct("identifier"), ox.Literal(info.name)),
        ox.Triple(node, _dct("title"), ox.Literal(info.title)),
        ox.Triple(node, _dct("source"), ox.Literal(info.source)),
        ox.Triple(node, _OWL_VERSION, ox.Literal(info.version)),
        ox.Triple(node, _aims("licenceNote"), ox.Literal(info.licence)),
        *(
            [ox.Triple(node, _aims("sssomMetadata"), ox.Literal(info.metadata))]
            if info.metadata
            else []
        ),
    ]


def record_triples(record: MappingRecord) -> list[ox.Triple]:
    """The RDF of one record, plus its direct SKOS edge when it is asserted."""
    node = ox.NamedNode(record.iri)
    subject = ox.NamedNode(record.subject)
    triples = [
        ox.Triple(node, _RDF_TYPE, _aims("Mapping")),
        ox.Triple(node, _aims("mappingSubject"), subject),
        ox.Triple(node, _aims("relationship"), _aims(record.relationship)),
        ox.Triple(
            node, _aims("inMappingSet"), ox.NamedNode(str(mapping_set_iri(record.mapping_set)))
        ),
        ox.Triple(node, _aims("mappingStatus"), _aims(record.status)),
    ]
    if record.justification:
        triples.append(ox.Triple(node, _aims("justification"), ox.Literal(record.justification)))
    if record.object is not None:
        triples.append(ox.Triple(node, _aims("mappingObject"), ox.NamedNode(record.object)))
    if record.rationale is not None:
        triples.append(ox.Triple(node, _aims("rationale"), _aims(record.rationale)))
    if record.strength is not None:
        strength = ox.Literal(str(record.strength), datatype=_XSD_INTEGER)
        triples.append(ox.Triple(node, _aims("strength"), strength))
    if record.confidence is not None:
        confidence = ox.Literal(_decimal_text(record.confidence), datatype=_XSD_DECIMAL)
        triples.append(ox.Triple(node, _aims("confidence"), confidence))
    if record.author:
        triples.append(ox.Triple(node, _dct("creator"), ox.Literal(record.author)))
    for source in record.derived_from:
        triples.append(
            ox.Triple(node, ox.NamedNode(str(PROV) + "wasDerivedFrom"), ox.NamedNode(source))
        )
    edge = SKOS_EDGE.get(record.relationship)
    if record.status == "asserted" and edge and record.object is not None:
        triples.append(ox.Triple(subject, ox.NamedNode(edge), ox.NamedNode(record.object)))
    return triples


def _decimal_text(value: float) -> str:
    text = format(Decimal(str(value)).normalize(), "f")
    return text if "." in text else text + ".0"


def replace_graphs(
    store: Store,
    contents: Mapping[ox.NamedNode, Iterable[ox.Triple]],
    also_remove: Iterable[ox.Quad] = (),
) -> WriteSummary:
    """Make several named graphs hold exactly the given triples, all in one transaction
    (with also_remove: quads of other graphs that go in the same one)."""
    # The old content is read from the store below, after this generation; quads the caller
    # read before (also_remove) cannot claim it, so then every quad is checked.
    against = None if also_remove else store.stable_generation()
    remove: set[ox.Quad] = set(also_remove)
    add: set[ox.Quad] = set()
    for graph, triples in contents.items():
        new = {ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples}
        old = set(store.quads(graph))
        remove |= old - new
        add |= new - old
    return store.apply(Changeset(remove=tuple(remove), add=tuple(add), against=against))


def mapping_set_contents(
    info: MappingSetInfo, records: Iterable[MappingRecord]
) -> tuple[ox.NamedNode, list[ox.Triple]]:
    """The graph and triples that hold one mapping set and its records."""
    triples = set_triples(info)
    for record in records:
        if record.mapping_set != info.name:
            raise ValueError(f"record {record.iri} belongs to set {record.mapping_set!r}")
        triples.extend(record_triples(record))
    return info.graph, triples


def write_mapping_sets(
    store: Store,
    sets: Iterable[tuple[MappingSetInfo, list[MappingRecord]]],
    also_remove: Iterable[ox.Quad] = (),
) -> WriteSummary:
    """Replace the graphs of these mapping sets atomically (idempotent)."""
    contents = dict(mapping_set_contents(info, records) for info, records in sets)
    return replace_graphs(store, contents, also_remove)


# ----- reading ---------------------------------------------------------------------------------

_PREFIXES = """
PREFIX aims: <https://w3id.org/aimstrace/ns#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

_RECORDS = (
    _PREFIXES
    + """
SELECT ?m ?s ?o ?rel ?rat ?strength ?conf ?just ?creator ?setname ?status WHERE {
  ?m a aims:Mapping ; aims:mappingSubject ?s ; aims:relationship ?rel ;
     aims:mappingStatus ?status ; aims:inMappingSet ?set .
  ?set dcterms:identifier ?setname .
  OPTIONAL { ?m aims:mappingObject ?o }
  OPTIONAL { ?m aims:rationale ?rat }
  OPTIONAL { ?m aims:strength ?strength }
  OPTIONAL { ?m aims:confidence ?conf }
  OPTIONAL { ?m aims:justification ?just }
  OPTIONAL { ?m dcterms:creator ?creator }
}
"""
)

_INPUTS = _PREFIXES + "SELECT ?m ?input WHERE { ?m a aims:Mapping ; prov:wasDerivedFrom ?input }"

_SETS = (
    _PREFIXES
    + """
SELECT ?name ?title ?source ?version ?licence ?metadata WHERE {
  ?set a aims:MappingSet ; dcterms:identifier ?name .
  OPTIONAL { ?set aims:sssomMetadata ?metadata }
  OPTIONAL { ?set dcterms:title ?title }
  OPTIONAL { ?set dcterms:source ?source }
  OPTIONAL { ?set owl:versionInfo ?version }
  OPTIONAL { ?set aims:licenceNote ?licence }
}
"""
)

_REQUIREMENTS = (
    _PREFIXES
    + """
SELECT ?req ?fid ?notation ?kind ?parent ?title WHERE {
  ?req a aims:Requirement ; skos:notation ?notation ; skos:inScheme ?framework .
  ?framework dcterms:identifier ?fid .
  OPTIONAL { ?req aims:kind ?kind }
  OPTIONAL { ?req skos:prefLabel ?title }
  OPTIONAL { ?req skos:broader ?parent }
}
"""
)


def _local(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str | None:
    if term is None:
        return None
    return term.value.rsplit("#", 1)[-1]


def requirement_index(store: Store) -> dict[str, RequirementRef]:
    """Every requirement in the store's catalogs, by IRI."""
    index: dict[str, RequirementRef] = {}
    for row in store.select(_REQUIREMENTS):
        iri = row["req"].value
        index[iri] = RequirementRef(
            iri=iri,
            framework=row["fid"].value,
            notation=row["notation"].value,
            kind=row["kind"].value if "kind" in row else None,
            parent=row["parent"].value if "parent" in row else None,
            title=row["title"].value if "title" in row else None,
        )
    return index


def framework_of_iri(iri: str) -> str | None:
    """The framework id encoded in a catalog IRI (used when the catalog is not loaded)."""
    if not iri.startswith(CATALOG_BASE):
        return None
    return iri[len(CATALOG_BASE) :].split("/", 1)[0] or None


def read_mappings(store: Store) -> StoredMappings:
    """Read every mapping record and mapping set back from the store."""
    inputs: dict[str, list[str]] = {}
    for row in store.select(_INPUTS):
        inputs.setdefault(row["m"].value, []).append(row["input"].value)
    result = StoredMappings()
    for row in store.select(_SETS):
        name = row["name"].value
        result.sets[name] = MappingSetInfo(
            name=name,
            title=row["title"].value if "title" in row else name,
            source=row["source"].value if "source" in row else "",
            version=row["version"].value if "version" in row else "",
            licence=row["licence"].value if "licence" in row else "",
            metadata=row["metadata"].value if "metadata" in row else "",
        )
    for row in store.select(_RECORDS):
        strength = row.get("strength")
        confidence = row.get("conf")
        record = MappingRecord(
            subject=row["s"].value,
            object=row["o"].value if "o" in row else None,
            relationship=_local(row["rel"]) or "",
            rationale=_local(row.get("rat")),
            strength=int(strength.value) if strength is not None else None,
            confidence=float(confidence.value) if confidence is not None else None,
            justification=row["just"].value if "just" in row else "",
            author=row["creator"].value if "creator" in row else None,
            mapping_set=row["setname"].value,
            status=_local(row["status"]) or "asserted",
            derived_from=tuple(sorted(inputs.get(row["m"].value, ()))),
        )
        result.records.append(record)
        result.iris[row["m"].value] = record
    result.records.sort(key=lambda r: (r.mapping_set, r.subject, r.object or "", r.relationship))
    return result


def set_object_frameworks(
    records: Iterable[MappingRecord], index: Mapping[str, RequirementRef]
) -> dict[str, str]:
    """Per mapping set, the framework most of its objects belong to.

    A no-relationship row whose object is ``sssom:NoTermFound`` names no requirement; its
    "other side" is taken to be the framework the rest of its set maps into.
    """
    counts: dict[str, Counter[str]] = {}
    for record in records:
        if record.object is None:
            continue
        ref = index.get(record.object)
        framework = ref.framework if ref else framework_of_iri(record.object)
        if framework:
            counts.setdefault(record.mapping_set, Counter())[framework] += 1
    return {name: c.most_common(1)[0][0] for name, c in counts.items()}
