"""The SSSOM TSV form of a mapping set: columns, predicates, CURIE expansion.

Shared by the importer (``aimstrace.loaders.sssom``) and the exporter
(``aimstrace.graph.crosswalk.export``), so both read and write the same column set.
"""

from __future__ import annotations

from collections.abc import Mapping

from aimstrace.graph.crosswalk.model import SKOS

SSSOM_NS = "https://w3id.org/sssom/"
NO_TERM_FOUND = SSSOM_NS + "NoTermFound"
SUFFIX = ".sssom.tsv"

#: Prefixes every SSSOM file may use without declaring them (the SSSOM built-in prefixes).
BUILTIN_PREFIXES: dict[str, str] = {
    "sssom": SSSOM_NS,
    "skos": SKOS,
    "semapv": "https://w3id.org/semapv/vocab/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}

#: The SSSOM columns every file needs (SSSOM requires these four).
REQUIRED_COLUMNS: tuple[str, ...] = (
    "subject_id",
    "predicate_id",
    "object_id",
    "mapping_justification",
)
#: Our STRM columns: a file has all of them (our dialect) or none (plain SSSOM).
STRM_COLUMNS: tuple[str, ...] = ("relationship", "rationale", "strength", "comment")
COLUMNS: tuple[str, ...] = (
    "subject_id",
    "subject_label",
    "predicate_id",
    "predicate_modifier",
    "object_id",
    "object_label",
    "mapping_justification",
    "relationship",
    "rationale",
    "strength",
    "confidence",
    "comment",
    "author_id",
)

#: The predicate each relationship is written with. no-relationship is skos:relatedMatch with
#: ``predicate_modifier: Not`` (SSSOM: "subject_id is not a predicate_id match to object_id"),
#: and ``object_id: sssom:NoTermFound`` when there is no object at all.
PREDICATE_FOR: dict[str, str] = {
    "equal": SKOS + "exactMatch",
    "subset-of": SKOS + "broadMatch",
    "superset-of": SKOS + "narrowMatch",
    "intersects-with": SKOS + "relatedMatch",
    "no-relationship": SKOS + "relatedMatch",
}
NOT = "Not"
#: Older aimstrace files wrote no-relationship with this predicate; still read.
LEGACY_NO_RELATIONSHIP = NO_TERM_FOUND

#: Plain SSSOM: the relationship a predicate claims (docs/interchange.md "SSSOM"). broadMatch
#: says the object is broader, so the subject is a subset of it; close and related matches
#: claim overlap, never containment.
RELATIONSHIP_FOR_PREDICATE: dict[str, str] = {
    SKOS + "exactMatch": "equal",
    "http://www.w3.org/2002/07/owl#equivalentClass": "equal",
    SKOS + "broadMatch": "subset-of",
    SKOS + "narrowMatch": "superset-of",
    SKOS + "closeMatch": "intersects-with",
    SKOS + "relatedMatch": "intersects-with",
}

AIMSTRACE_NS = "https://w3id.org/aimstrace/"
XSD = "http://www.w3.org/2001/XMLSchema#"
#: SSSOM extension_definitions for our STRM columns (the same as the shipped crosswalks').
EXTENSION_DEFINITIONS: list[dict[str, str]] = [
    {
        "slot_name": slot,
        "property": f"https://w3id.org/aimstrace/ns#{slot}",
        "type_hint": XSD + ("integer" if slot == "strength" else "string"),
    }
    for slot in ("relationship", "rationale", "strength")
]


class CurieMap:
    """Expands CURIEs with a file's curie_map plus the SSSOM built-in prefixes."""

    def __init__(self, declared: Mapping[str, str]) -> None:
        self.prefixes = {**BUILTIN_PREFIXES, **declared}

    def expand(self, value: str) -> str | None:
        """The full IRI, or None when the prefix is unknown or the value is not a CURIE."""
        text = value.strip()
        if text.startswith(("http://", "https://")):
            return text
        prefix, sep, local = text.partition(":")
        if not sep or not local or prefix not in self.prefixes:
            return None
        return self.prefixes[prefix] + local

    def compact(self, iri: str) -> str:
        """The shortest CURIE for an IRI (the IRI itself when no prefix fits)."""
        best = iri
        for prefix, base in self.prefixes.items():
            if iri.startswith(base) and len(iri) - len(base) + len(prefix) + 1 < len(best):
                best = f"{prefix}:{iri[len(base) :]}"
        return best
