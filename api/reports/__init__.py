"""Auditor reports: one document model, built per kind from the engine, rendered per format."""

from __future__ import annotations

from aimstrace.api.reports.collect import KINDS, build
from aimstrace.api.reports.render import FORMATS, MEDIA_TYPES, render

__all__ = ["FORMATS", "KINDS", "MEDIA_TYPES", "build", "render"]
