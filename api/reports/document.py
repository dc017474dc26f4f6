"""The report document: a title, a date and sections of text and tables, rendered four ways.

Every report (gaps, soa, stage1, management-review, pillars) is built as one `Document`; the
renderers in `render.py` turn the same document into HTML, Markdown, XLSX and PDF, so the
formats cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Cell:
    """A table cell: its text and, optionally, the workbench page it links to."""

    text: str
    href: str | None = None

    def __str__(self) -> str:
        return self.text


CellValue = Cell | str | int | float | bool | None


@dataclass
class Table:
    """Rows under named columns; a cell is plain text, a number or a linked `Cell`."""

    columns: list[str]
    rows: list[list[CellValue]] = field(default_factory=list)
    name: str = ""


@dataclass
class Section:
    """A heading with paragraphs, optional key facts, tables and sub-sections."""

    title: str
    paragraphs: list[str] = field(default_factory=list)
    facts: list[tuple[str, CellValue]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    anchor: str = ""


@dataclass
class Document:
    """One report: what it is, on which date, for whom, and its sections."""

    kind: str
    title: str
    as_of: date
    organisation: str
    generated: str
    summary: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)

    def walk(self) -> list[tuple[int, Section]]:
        """Every section with its depth (1 for top level), in reading order."""
        found: list[tuple[int, Section]] = []

        def visit(sections: list[Section], depth: int) -> None:
            for section in sections:
                found.append((depth, section))
                visit(section.sections, depth + 1)

        visit(self.sections, 1)
        return found


def cell_text(value: CellValue) -> str:
    """The plain text of a cell value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
