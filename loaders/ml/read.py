"""Finding the format of an ML metadata file from its content, and parsing it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from aimstrace.loaders.ml import croissant, cyclonedx, hf_card, openlineage, spdx3
from aimstrace.loaders.ml.model import Parsed

FORMATS: dict[str, Callable[[Path, str, str], Parsed]] = {
    hf_card.FORMAT: hf_card.parse,
    croissant.FORMAT: croissant.parse,
    spdx3.FORMAT: spdx3.parse,
    cyclonedx.FORMAT: cyclonedx.parse,
    openlineage.FORMAT: openlineage.parse,
}
_MARKERS = (
    ('"bomFormat"', cyclonedx.FORMAT),
    ("spdx.org/rdf/3", spdx3.FORMAT),
    ("mlcommons.org/croissant", croissant.FORMAT),
)
# Suffixes whose content is sniffed for an ML format (others are registers or RDF).
ML_SUFFIXES = frozenset({".md", ".json", ".jsonld", ".ndjson", ".jsonl"})


ML_FORMATS = (*FORMATS, "mlflow")


def has_front_matter(path: Path) -> bool:
    """True when a file starts with a YAML front matter line (---)."""
    try:
        with path.open(encoding="utf-8") as handle:
            return handle.readline().strip() == "---"
    except (OSError, UnicodeDecodeError):
        return False


def detect(path: Path, text: str) -> str | None:
    """The ML metadata format of a file from its content, or None when it is none of them."""
    if path.suffix.lower() == ".md" or text.lstrip("\ufeff").startswith("---"):
        return hf_card.FORMAT
    stripped = text.lstrip()
    if not stripped.startswith(("{", "[")):
        return None
    try:
        document = json.loads(stripped)
    except RecursionError:
        # Nested past Python's limit: not ML metadata; the register reader reports where.
        return None
    except json.JSONDecodeError:
        if openlineage.looks_like_lines(stripped):
            return openlineage.FORMAT
        # Broken JSON that names its format: read it as that format, to say where it breaks.
        for marker, fmt in _MARKERS:
            if marker in stripped[:4096]:
                return fmt
        return None
    for module in (cyclonedx, spdx3, croissant, openlineage):
        if module.looks_like(document):
            return str(module.FORMAT)
    return None


def read_ml(path: Path, fmt: str | None = None) -> Parsed | None:
    """Read one file as fmt (or the format its content shows); None when it is not ML metadata."""
    if fmt is None and path.suffix.lower() not in ML_SUFFIXES:
        return None
    if fmt == "mlflow":
        raise ValueError("MLflow is read from a tracking URI: use --mlflow URI, not a file")
    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        result = Parsed(shown, fmt or "unknown")
        result.problem(f"not UTF-8 text: {exc.reason} at byte {exc.start}")
        return result
    found = fmt or detect(path, text)
    if found is None:
        return None
    return FORMATS[found](path, text, shown)
