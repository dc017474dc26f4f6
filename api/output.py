"""Terminal output: JSON for machines, aligned tables for people."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any


def print_json(data: Any) -> None:
    """Print data as pretty JSON on stdout."""
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def print_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> None:
    """Print rows as a plain aligned table with a header line."""
    cells = [[_cell(row.get(col)) for col in columns] for row in rows]
    widths = [
        min(60, max([len(col), *(len(r[i]) for r in cells)])) for i, col in enumerate(columns)
    ]
    line = "  ".join(col.ljust(widths[i]) for i, col in enumerate(columns))
    print(line.rstrip())
    print("  ".join("-" * w for w in widths))
    for r in cells:
        print("  ".join(_clip(v, widths[i]).ljust(widths[i]) for i, v in enumerate(r)).rstrip())
    print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        return ", ".join(str(v) for v in value)
    return str(value)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
