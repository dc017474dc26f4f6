"""Reading JSON and JSON-LD metadata without ever fetching anything.

A JSON-LD `@context` given by URL is never fetched: the SPDX 3 contexts are known (their terms are
fixed by the specification, so the importer reads the compact names directly), every other
remote context is a located error. Inline contexts (as every published Croissant file has) are
used to expand keys to IRIs, so a file that renames a prefix is still understood.
"""

from __future__ import annotations

import json
from typing import Any

from aimstrace.loaders.ml.model import Parsed

SPDX_CONTEXTS = frozenset(
    {
        "https://spdx.org/rdf/3.0.0/spdx-context.jsonld",
        "https://spdx.org/rdf/3.0.1/spdx-context.jsonld",
    }
)


def load_json(text: str, parsed: Parsed) -> Any:
    """Parse JSON text; a syntax error is reported at its line and column (None returned)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        parsed.problem(f"not valid JSON: {exc.msg} at column {exc.colno}", line=exc.lineno)
        return None


def load_json_lines(text: str, parsed: Parsed) -> list[tuple[int, Any]]:
    """Parse NDJSON (one JSON value per line, blank lines allowed) with line numbers."""
    values: list[tuple[int, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            values.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            parsed.problem(f"not valid JSON: {exc.msg} at column {exc.colno}", line=number)
    return values


def inline_context(document: dict[str, Any], parsed: Parsed) -> dict[str, Any] | None:
    """The document's inline @context merged into one mapping; remote contexts are errors."""
    context = document.get("@context")
    items = context if isinstance(context, list) else [context]
    merged: dict[str, Any] = {}
    for item in items:
        if isinstance(item, str):
            parsed.problem(
                "remote JSON-LD @context is never fetched; give the context inline "
                "(only the SPDX 3.0 contexts are known without it)",
                item,
                pointer="@context",
            )
            return None
        if not isinstance(item, dict):
            parsed.problem("expected a JSON-LD @context object", item, pointer="@context")
            return None
        merged.update(item)
    return merged


def expand(term: str, context: dict[str, Any]) -> str:
    """The IRI a key or value stands for under an inline context (no remote lookups)."""
    seen: set[str] = set()
    while term in context and term not in seen:
        seen.add(term)
        definition = context[term]
        if isinstance(definition, dict):
            definition = definition.get("@id", term)
        if not isinstance(definition, str) or definition == term:
            break
        term = definition
    prefix, sep, rest = term.partition(":")
    if sep and not rest.startswith("//"):
        base = context.get(prefix)
        if isinstance(base, dict):
            base = base.get("@id")
        if isinstance(base, str):
            return base + rest
        return term
    if sep:
        return term
    vocab = context.get("@vocab")
    return vocab + term if isinstance(vocab, str) else term


def expanded_keys(node: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    """A node's values keyed by full IRIs (http://schema.org/ folded into https://)."""
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key.startswith("@"):
            result[key] = value
            continue
        iri = expand(key, context).replace("http://schema.org/", "https://schema.org/")
        result[iri] = value
    return result
