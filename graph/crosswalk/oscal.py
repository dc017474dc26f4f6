"""OSCAL 1.2 catalogs of our frameworks, and the control-id tokens mapping-collections cite.

OSCAL ids are tokens (``^(\\p{L}|_)(\\p{L}|\\p{N}|[.\\-_])*$``); our notations are not ("4.1",
"GOVERN 1.1", "Art. 9"). Each notation gets one token, the same in the catalog and in every
mapping-collection: the framework's CURIE prefix, ``_``, and the notation in lower case with
every run of other characters as ``-`` ("iso42001_a.2.2", "nistairmf_govern-1.1",
"euaiact_art-9"). The notation itself stays the control's ``label`` property.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aimstrace.graph.crosswalk.model import RequirementRef
from aimstrace.ontology import FRAMEWORK_PREFIXES

OSCAL_VERSION = "1.2.1"
PROPERTY_NS = "https://w3id.org/aimstrace/ns/oscal"
_UUID_NS = uuid.UUID("6f1c2b52-3f0e-4f43-9a51-6d0f2c1e9a10")
_OTHER = re.compile(r"[^a-z0-9._]+")


def control_token(framework: str, notation: str) -> str:
    """The OSCAL token of a requirement: framework prefix, ``_``, folded notation."""
    prefix = FRAMEWORK_PREFIXES.get(framework, _OTHER.sub("-", framework.lower()))
    # "Art. 9": an abbreviation's full stop before a space is not part of the number
    text = re.sub(r"\.(?=\s)", "", notation.strip().lower())
    body = _OTHER.sub("-", text).strip("-")
    return f"{prefix}_{body}"


def catalog_href(framework: str) -> str:
    """Where a mapping-collection finds the catalog: the file this module writes for it."""
    return f"{framework}.oscal-catalog.json"


def export_oscal_catalog(
    framework: str, index: Mapping[str, RequirementRef], title: str, version: str
) -> str:
    """An OSCAL 1.2 catalog of one framework: every requirement a control, nested by parent."""
    refs = sorted((r for r in index.values() if r.framework == framework), key=lambda r: r.iri)
    if not refs:
        raise ValueError(f"no requirements of {framework!r} in the store")
    tokens: dict[str, str] = {}
    for ref in refs:
        token = control_token(framework, ref.notation)
        if token in tokens.values():
            raise ValueError(f"two {framework} notations fold to the OSCAL id {token!r}")
        tokens[ref.iri] = token
    children: dict[str | None, list[RequirementRef]] = {}
    for ref in refs:
        parent = ref.parent if ref.parent in tokens else None
        children.setdefault(parent, []).append(ref)

    def control(ref: RequirementRef) -> dict[str, Any]:
        item: dict[str, Any] = {
            "id": tokens[ref.iri],
            "title": " ".join(p for p in (ref.notation, ref.title) if p),
            "props": [
                {"name": "label", "value": ref.notation},
                {"name": "iri", "ns": PROPERTY_NS, "value": ref.iri},
            ],
        }
        if ref.kind:
            item["class"] = _OTHER.sub("-", ref.kind.lower()).strip("-") or "requirement"
        nested = [control(child) for child in children.get(ref.iri, [])]
        if nested:
            item["controls"] = nested
        return item

    document = {
        "catalog": {
            "uuid": str(uuid.uuid5(_UUID_NS, f"catalog|{framework}|{version}")),
            "metadata": {
                "title": title,
                "last-modified": datetime.now(UTC).isoformat(timespec="seconds"),
                "version": version or "unversioned",
                "oscal-version": OSCAL_VERSION,
                "remarks": (
                    "Identifiers and short titles only, exported by aimstrace; no text of the "
                    "standard. Control ids are OSCAL tokens; the notation is the label."
                ),
            },
            "controls": [control(ref) for ref in children.get(None, [])],
        }
    }
    return json.dumps(document, indent=2, ensure_ascii=False)
