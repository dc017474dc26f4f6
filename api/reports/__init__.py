"""Auditor reports: one document model (``document``), built per kind from the engine
(``collect``, ``soa``, ``audit``, ``pillar_report``) and rendered per format (``render``: HTML,
Markdown, XLSX, PDF through headless Chromium). Part of the interface layer: may import
``aimstrace.graph`` and ``aimstrace.ontology``; the CLI and the routes import it.
"""

from __future__ import annotations

from aimstrace.api.reports.collect import KINDS, build
from aimstrace.api.reports.render import FORMATS, MEDIA_TYPES, render

__all__ = ["FORMATS", "KINDS", "MEDIA_TYPES", "build", "render"]
