"""The one place where aimstrace IRIs are built (see docs/CONVENTIONS.md)."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote

from rdflib import Namespace, URIRef

AIMS = Namespace("https://w3id.org/aimstrace/ns#")
CATALOG_BASE = "https://w3id.org/aimstrace/catalog/"
MAPPING_BASE = "https://w3id.org/aimstrace/mapping/"
DATA_BASE = "https://w3id.org/aimstrace/data/"
GRAPH_BASE = "https://w3id.org/aimstrace/graph/"

DPV = Namespace("https://w3id.org/dpv#")
DPV_RISK = Namespace("https://w3id.org/dpv/risk#")
DPV_AI = Namespace("https://w3id.org/dpv/ai#")
DPV_TECH = Namespace("https://w3id.org/dpv/tech#")
DPV_AIACT = Namespace("https://w3id.org/dpv/legal/eu/aiact#")
PROV = Namespace("http://www.w3.org/ns/prov#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
ORG = Namespace("http://www.w3.org/ns/org#")

#: An imported (external) framework's id: a lower-case letter, then letters, digits, . _ -.
EXTERNAL_FRAMEWORK_ID = re.compile(r"^[a-z][a-z0-9._-]*$")

_UNSAFE = re.compile(r"[^A-Za-z0-9.]+")
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._~-]+")


def notation_slug(notation: str) -> str:
    """Turn a notation such as ``Annex III.4(a)`` into its IRI local part ``Annex_III.4_a``."""
    slug = _UNSAFE.sub("_", notation.strip()).strip("_")
    if not slug:
        raise ValueError(f"notation {notation!r} has no usable characters")
    return slug


def framework_iri(framework: str) -> URIRef:
    """IRI of a framework (a SKOS concept scheme)."""
    return URIRef(f"{CATALOG_BASE}{framework}")


def requirement_iri(framework: str, notation: str) -> URIRef:
    """IRI of one requirement of a framework, from its notation."""
    return URIRef(f"{CATALOG_BASE}{framework}/{notation_slug(notation)}")


def external_node_iri(framework: str, identifier: str) -> str:
    """``catalog/{framework}/{identifier}`` with the identifier percent-encoded: reversible
    (an exported CURIE ``{framework}:{local}`` gives the identifier back), so two identifiers
    never share a node."""
    text = identifier.strip()
    if not text:
        raise ValueError("the identifier is empty")
    return f"{CATALOG_BASE}{framework}/{quote(text, safe='-._~')}"


def milestone_iri(framework: str, key: str) -> URIRef:
    """IRI of a dated application milestone of a framework (``2025-02-02-prohibitions``)."""
    # "milestone/" cannot clash with a requirement: requirement local parts never contain "/".
    return URIRef(f"{CATALOG_BASE}{framework}/milestone/{notation_slug(key)}")


def entity_iri(kind: str, identifier: str, base: str = DATA_BASE) -> URIRef:
    """IRI of an organisation entity (system, dataset, ...) from its register id."""
    local = _ID_UNSAFE.sub("_", identifier.strip()).strip("_")
    if not local:
        raise ValueError(f"identifier {identifier!r} has no usable characters")
    return URIRef(f"{base}{kind}/{local}")


def mapping_set_iri(name: str) -> URIRef:
    """IRI of a mapping set (one crosswalk file or one imported source)."""
    return URIRef(f"{MAPPING_BASE}set/{notation_slug(name)}")


def mapping_iri(mapping_set: str, subject: str, relationship: str, obj: str) -> URIRef:
    """Deterministic IRI of one mapping record, so reloading a crosswalk is idempotent."""
    digest = hashlib.sha256(f"{subject}|{relationship}|{obj}".encode()).hexdigest()[:16]
    return URIRef(f"{MAPPING_BASE}{notation_slug(mapping_set)}/{digest}")


def graph_iri(*parts: str) -> URIRef:
    """IRI of a named graph in the store (``vocabulary``, ``catalog/iso42001``, ``org`` ...)."""
    return URIRef(GRAPH_BASE + "/".join(parts))
