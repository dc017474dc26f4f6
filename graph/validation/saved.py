"""Gap reports kept on disk beside the store, for the state of the store they were computed on.

A full validation at a million triples takes minutes; `report stage1`, `validate` and a server
started later ask the same question of the same data. A report is saved under the store's
change-log sequence (every write logs there first, across processes and restarts), the date,
the engine and a digest of what produces it (the packaged shapes and this package's validation
code), and reused only when all of those match. The SHACL report graph is not kept: a caller
that needs it (`validate --format shacl`) validates afresh.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from aimstrace.graph.store import Store
from aimstrace.graph.validation.gaps import GapRecord, GapReport

FOLDER = "gap-reports"
KEPT = 8  # files kept per store; the oldest go first


@lru_cache(maxsize=1)
def producer_digest() -> str:
    """A digest of the packaged shapes and the code that turns their results into records."""
    from aimstrace import __version__
    from aimstrace.graph.validation import shapes

    digest = hashlib.sha256(__version__.encode())
    for resource in shapes._shape_resources():
        digest.update(resource.read_bytes())
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def _file(store: Store, sequence: int, as_of: date, engine: str) -> Path | None:
    if store.path is None:
        return None
    name = f"{sequence}-{as_of.isoformat()}-{engine}-{producer_digest()}.json"
    return store.path / FOLDER / name


def _record(data: dict[str, Any]) -> GapRecord:
    details = tuple(_record(d) for d in data.pop("details", ()))
    return GapRecord(**data, details=details)


def to_dict(report: GapReport) -> dict[str, Any]:
    """The report as JSON-ready data (the SHACL report graph left out)."""
    return {
        "as_of": report.as_of.isoformat(),
        "engine": report.engine,
        "notes": report.notes,
        "prefixes": report.prefixes,
        "records": [asdict(r) for r in report.records],
    }


def from_dict(data: dict[str, Any]) -> GapReport:
    """A report from `to_dict`'s data."""
    return GapReport(
        as_of=date.fromisoformat(data["as_of"]),
        records=[_record(r) for r in data["records"]],
        engine=data["engine"],
        notes=list(data["notes"]),
        prefixes=dict(data["prefixes"]),
    )


def read(path: Path) -> GapReport | None:
    """The report in a file written by `write`; None when missing or damaged."""
    try:
        return from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # a damaged file is a cache miss, not an error


def write(path: Path, report: GapReport) -> None:
    """Write the report whole, then rename it into place (a reader never sees half of it)."""
    handle, name = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(to_dict(report), out, ensure_ascii=False)
    os.replace(name, path)


def load(store: Store, sequence: int, as_of: date, engine: str) -> GapReport | None:
    """The report saved for this state of the store, date and engine; None when there is none."""
    path = _file(store, sequence, as_of, engine)
    return read(path) if path is not None else None


def save(store: Store, sequence: int, as_of: date, engine: str, report: GapReport) -> None:
    """Keep the report for this state of the store; the oldest beyond KEPT go."""
    path = _file(store, sequence, as_of, engine)
    if path is None or store.read_only:
        return
    try:
        path.parent.mkdir(exist_ok=True)
        write(path, report)
        kept = sorted(path.parent.glob("*.json"), key=lambda p: p.stat().st_mtime)
        for old in kept[:-KEPT]:
            old.unlink(missing_ok=True)
    except OSError:
        return  # a full disk or a read-only folder: the report is still returned
