"""Croissant 1.0/1.1 dataset metadata (JSON-LD), including the Responsible-AI vocabulary.

schema.org dataset properties map to DCAT/Dublin Core; every `rai:` property is kept under its
own Croissant RAI IRI (http://mlcommons.org/croissant/RAI/...), and the ones ISO/IEC 42001 A.7
asks about also fill our properties: data collection -> aims:acquisition (A.7.3), raw data ->
dcterms:source (A.7.5), use cases -> aims:intendedUse, limitations -> aims:limitation,
prov:wasDerivedFrom -> lineage. Distributions and record sets describe
the data layout, not its governance, and are not imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aimstrace.loaders.ml.jsonld import expanded_keys, inline_context, load_json
from aimstrace.loaders.ml.model import (
    ACQUISITION,
    CITATION,
    CONFORMS_TO,
    CREATOR,
    DERIVED_FROM,
    DESCRIPTION,
    INTENDED_USE,
    ISSUED,
    KEYWORD,
    LANDING_PAGE,
    LANGUAGE,
    LICENSE,
    LIMITATION,
    PUBLISHER,
    RAI,
    SOURCE,
    VERSION,
    Found,
    Parsed,
)

FORMAT = "croissant"
SCHEMA = "https://schema.org/"
CR = "http://mlcommons.org/croissant/"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
DCT_CONFORMS = "http://purl.org/dc/terms/conformsTo"

_SIMPLE = {
    SCHEMA + "description": DESCRIPTION,
    SCHEMA + "license": LICENSE,
    SCHEMA + "url": LANDING_PAGE,
    SCHEMA + "version": VERSION,
    SCHEMA + "datePublished": ISSUED,
    SCHEMA + "inLanguage": LANGUAGE,
    SCHEMA + "keywords": KEYWORD,
    SCHEMA + "sameAs": LANDING_PAGE,
    CR + "citeAs": CITATION,
    SCHEMA + "citation": CITATION,
    DCT_CONFORMS: CONFORMS_TO,
    SCHEMA + "conformsTo": CONFORMS_TO,
}


def looks_like(document: Any) -> bool:
    """True for a JSON object that declares the Croissant vocabulary."""
    if not isinstance(document, dict):
        return False
    # The context, or what the file says it conforms to (a remote context still says that).
    declared = [document.get(k) for k in ("@context", "conformsTo", "dct:conformsTo")]
    return "mlcommons.org/croissant" in str(declared) or "recordSet" in document


def parse(path: Path, text: str, shown: str) -> Parsed:
    """Read one Croissant file; every problem is located by its JSON key."""
    result = Parsed(shown, FORMAT)
    document = load_json(text, result)
    if document is None:
        return result
    if not isinstance(document, dict):
        result.problem("expected a Croissant JSON-LD object", pointer="")
        return result
    context = inline_context(document, result)
    if context is None:
        return result
    node = expanded_keys(document, context)
    types = _texts(node.get("@type"))
    if not any(
        t in ("sc:Dataset", "Dataset", SCHEMA + "Dataset") or t.endswith("/Dataset") for t in types
    ):
        result.problem(
            "expected a schema.org Dataset (@type sc:Dataset)", ", ".join(types), pointer="@type"
        )
        return result
    names = _texts(node.get(SCHEMA + "name"))
    if not names:
        result.problem("a Croissant dataset needs a name", pointer="name")
        return result
    source_id = str(node.get("@id") or (_texts(node.get(SCHEMA + "url")) or names)[0])
    dataset = result.entity(Found("dataset", names[0], source_id, names[0], pointer=""))
    for key, predicate in _SIMPLE.items():
        dataset.add(predicate, *_texts(node.get(key)))
    dataset.add(CREATOR, *_agents(node.get(SCHEMA + "creator")))
    dataset.add(PUBLISHER, *_agents(node.get(SCHEMA + "publisher")))
    live = node.get(CR + "isLiveDataset")
    if isinstance(live, bool):
        dataset.add("https://w3id.org/aimstrace/ns#isLiveDataset", live)
    for key, value in node.items():
        if key.startswith(RAI):
            dataset.add(key, *_texts(value))
    dataset.add(ACQUISITION, *_texts(node.get(RAI + "dataCollection")))
    dataset.add(SOURCE, *_texts(node.get(RAI + "dataCollectionRawData")))
    dataset.add(INTENDED_USE, *_texts(node.get(RAI + "dataUseCases")))
    dataset.add(LIMITATION, *_texts(node.get(RAI + "dataLimitations")))
    for upstream in _as_list(node.get(PROV_DERIVED)):
        name = _reference_name(upstream)
        if name is None:
            result.problem(
                "prov:wasDerivedFrom needs a name, url or @id",
                upstream,
                pointer="prov:wasDerivedFrom",
            )
            continue
        dataset.add(DERIVED_FROM, result.stub("dataset", name))
    return result


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _texts(value: Any) -> list[str]:
    """Plain strings of a JSON-LD value: strings, @value objects, lists of either."""
    found: list[str] = []
    for item in _as_list(value):
        if isinstance(item, dict):
            inner = item.get("@value", item.get("@id", item.get("url", item.get("name"))))
            found.extend(_texts(inner))
        elif isinstance(item, bool | int | float):
            found.append(str(item).lower() if isinstance(item, bool) else str(item))
        elif item is not None and str(item).strip():
            found.append(str(item).strip())
    return found


def _agents(value: Any) -> list[str]:
    names: list[str] = []
    for item in _as_list(value):
        if isinstance(item, dict):
            names.extend(_texts(item.get("name") or item.get("sc:name") or item.get("url")))
        else:
            names.extend(_texts(item))
    return names


def _reference_name(value: Any) -> str | None:
    texts = _texts(value)
    return texts[0] if texts else None
