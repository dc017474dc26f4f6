"""Bounds on what one load may cost: settings with safe defaults, checked while reading.

A 1 MB workbook that expands to a 1 GiB cell loaded, and kept the server at a 5.9 GB peak; a
load now stops at the first bound it passes with a located error. Each bound is an environment
variable (``AIMSTRACE_LOAD_<NAME>``) so an operator with bigger registers can raise it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class LoadLimits:
    """The bounds of one load (CLI and API alike)."""

    # Sum of the sizes of the parts of a workbook once decompressed (the zip directory's sizes,
    # which Python's zipfile also holds each part to while reading it).
    max_xlsx_bytes: int = 200 * 1024 * 1024
    # Excel's own limit for one cell.
    max_cell_chars: int = 32_767
    max_rows: int = 1_000_000
    max_triples: int = 10_000_000

    @classmethod
    def from_env(cls) -> LoadLimits:
        """Defaults, overridden by AIMSTRACE_LOAD_MAX_XLSX_BYTES and the like."""
        values: dict[str, int] = {}
        for item in fields(cls):
            raw = os.environ.get(f"AIMSTRACE_LOAD_{item.name.upper()}")
            if raw and raw.strip().isdigit() and int(raw) > 0:
                values[item.name] = int(raw)
        return cls(**values)
