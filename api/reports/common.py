"""What every report shares: link cells, the report context, gap rows and groupings."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

from aimstrace.api.reports.document import Cell, CellValue, Document, Section, Table
from aimstrace.api.reports.gapview import (
    groups,
    label_id,
    severity_counts,
)
from aimstrace.graph.engine import Engine
from aimstrace.graph.validation.gaps import SEVERITIES, GapRecord, GapReport, OpenSince

FRAMEWORK_NAMES = {
    "iso42001": "ISO/IEC 42001",
    "iso27001": "ISO/IEC 27001",
    "nist-ai-rmf": "NIST AI RMF",
    "nist-ai-600-1": "NIST AI 600-1",
    "eu-ai-act": "EU AI Act",
}
GROUP_TITLES = {"requirement": "By requirement", "system": "By AI system", "owner": "By owner"}
COLLECTION_OF = {
    "system": "systems", "dataset": "datasets", "model": "models", "vendor": "vendors",
    "person": "people", "risk": "risks", "control": "controls", "treatment": "treatments",
    "evidence": "evidence", "incident": "incidents",
}  # fmt: skip


def entity(collection: str, identifier: str | None, label: str | None = None) -> CellValue:
    """A cell naming an entity and linking to its workbench page."""
    if not identifier:
        return ""
    text = f"{identifier} {label}".strip() if label and label != identifier else identifier
    return Cell(text, f"/ui/{collection}/{quote(identifier, safe='')}")


def requirement_cell(framework: str | None, notation: str | None, title: str | None) -> CellValue:
    """`ISO/IEC 42001 6.1.3 AI risk treatment`, linked to the requirement's page."""
    if not notation or not framework:
        return "(no requirement)"
    name = FRAMEWORK_NAMES.get(framework, framework)
    text = f"{name} {notation}" + (f" {title}" if title else "")
    return Cell(text, f"/ui/requirements/{quote(framework, safe='')}/{quote(notation, safe='')}")


def focus_cell(record: GapRecord) -> CellValue:
    """The entity a gap is about, linked when it is one of the served registers."""
    parts = record.focus.split("/")
    collection = COLLECTION_OF.get(parts[-2], "") if len(parts) >= 2 else ""
    if collection:
        return Cell(record.focus_label, f"/ui/{collection}/{quote(parts[-1], safe='')}")
    return record.focus_label


@dataclass
class Context:
    """What every report needs once: the engine, the date and requirement titles."""

    engine: Engine
    as_of: date
    _titles: dict[tuple[str, str], str] | None = None
    _gaps: GapReport | None = None
    # When each gap was first seen (from history); set by the reports that show it.
    since: OpenSince | None = None

    def title(self, framework: str | None, notation: str | None) -> str | None:
        """A requirement's official short title, from the catalog."""
        if self._titles is None:
            self._titles = {
                (f.id, r.notation): r.title or ""
                for f in self.engine.frameworks()
                for r in self.engine.requirements(f.id)
            }
        if framework is None or notation is None:
            return None
        return self._titles.get((framework, notation)) or None

    def gaps(self) -> GapReport:
        """The gap report on the date (validated once per report)."""
        if self._gaps is None:
            self._gaps = self.engine.validate(self.as_of)
        return self._gaps

    def entities(self, kind: str, columns: list[str] | None = None) -> list[dict[str, Any]]:
        """One register's entries; with `columns`, only `id`, `label` and those fields (a
        report reads what it shows, not every field of thousands of entries)."""
        return self.engine.list_entities(kind, columns)

    def count(self, kind: str) -> int:
        """How many entries one register holds, counted in the store."""
        return self.engine.count_entities(kind)

    def organisation(self) -> str:
        """The organisation's name, or a placeholder."""
        found = self.entities("organisation")
        return (
            str(found[0].get("label") or found[0].get("id")) if found else "(organisation not set)"
        )


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def new_document(ctx: Context, kind: str, title: str) -> Document:
    return Document(
        kind=kind,
        title=title,
        as_of=ctx.as_of,
        organisation=ctx.organisation(),
        generated=now_text(),
    )


def counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts[s]} {s.lower()}{'s' if counts[s] != 1 else ''}" for s in SEVERITIES)


GAP_COLUMNS = ["severity", "entity", "AI system", "owner", "property", "offending value", "finding"]


def gap_row(record: GapRecord) -> list[CellValue]:
    """One gap as a table row: the entity, its system and owner, the value at fault, the finding."""
    return [
        record.severity,
        focus_cell(record),
        entity("systems", label_id(record.system), _rest(record.system)) if record.system else "",
        entity("people", label_id(record.owner), _rest(record.owner)) if record.owner else "",
        record.path or "",
        record.shown_value
        if record.shown_value is not None
        else ("(none recorded)" if record.path else ""),
        record.message,
    ]


def _rest(label: str | None) -> str | None:
    return label.split(" ", 1)[1] if label and " " in label else None


def gap_sections(ctx: Context, records: list[GapRecord], dims: tuple[str, ...]) -> list[Section]:
    """The gaps grouped each way in dims, one sub-section per group with its requirement title."""
    sections: list[Section] = []
    for dimension in dims:
        parent = Section(GROUP_TITLES[dimension], anchor=f"by-{dimension}")
        if not records:
            parent.paragraphs.append("No gaps.")
        for key, members in groups(records, dimension):
            if dimension == "requirement" and key.framework:
                cell = requirement_cell(
                    key.framework, key.value, ctx.title(key.framework, key.value)
                )
                heading = str(cell)
            else:
                heading = key.label
            heading += f" ({counts_text(severity_counts(members))})"
            since = ctx.since
            if since is None:
                table = Table(GAP_COLUMNS, [gap_row(r) for r in members], name=heading)
            else:
                rows = [[*gap_row(r), _since_cell(since, r)] for r in members]
                table = Table([*GAP_COLUMNS, "open since"], rows, name=heading)
            parent.sections.append(Section(heading, tables=[table]))
        sections.append(parent)
    return sections


def _since_cell(since: OpenSince, record: GapRecord) -> CellValue:
    found = since.of(record)
    return found.text() if found else ""


def with_titles(ctx: Context, records: list[GapRecord]) -> list[GapRecord]:
    """Records with their requirement's title filled in from the catalog."""

    return [
        r
        if r.requirement_title or not r.requirement
        else replace(r, requirement_title=ctx.title(r.framework, r.requirement))
        for r in records
    ]


def short_id(iri: object) -> str:
    return str(iri).rstrip("/").rsplit("/", 1)[-1]


def latest(rows: list[dict[str, Any]], field: str = "date") -> dict[str, Any] | None:
    dated = [r for r in rows if r.get(field)]
    return max(dated, key=lambda r: str(r[field])) if dated else None


def age(ctx: Context, when: object) -> str:
    if not when:
        return "never"
    days = (ctx.as_of - date.fromisoformat(str(when)[:10])).days
    return f"{when} ({days} days before {ctx.as_of.isoformat()})"


def register_table(
    rows: list[dict[str, Any]], columns: list[str], collection: str | None = None, name: str = ""
) -> Table:
    def value(row: dict[str, Any], column: str) -> CellValue:
        v = row.get(column)
        if column == "id" and collection and v:
            return entity(collection, str(v))
        if isinstance(v, list):
            return ", ".join(str(x) for x in v)
        return v if isinstance(v, str | int | float | bool) or v is None else str(v)

    return Table(columns, [[value(r, c) for c in columns] for r in rows], name=name)
