"""Render a report `Document` as self-contained HTML, Markdown, XLSX, or PDF (headless Chromium)."""

from __future__ import annotations

import html
import io
import os
import re
import shutil
from collections.abc import Iterable

from aimstrace.api.reports.document import Cell, CellValue, Document, Section, Table, cell_text

FORMATS = ("html", "md", "xlsx", "pdf")
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}

_CSS = """
:root{--ink:#1b1f2a;--muted:#4b5466;--line:#c9ced8}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);margin:2rem auto;
max-width:1100px;padding:0 1rem}
h1{font-size:1.6rem;margin:0 0 .2rem}h2{font-size:1.25rem;margin:1.6rem 0 .4rem;
border-bottom:1px solid var(--line);padding-bottom:.2rem}h3{font-size:1.05rem;margin:1.1rem 0 .3rem}
h4{font-size:.95rem;margin:.9rem 0 .3rem}.meta{color:var(--muted);margin:0 0 1rem}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem;font-size:13px}
th,td{border:1px solid var(--line);padding:.25rem .45rem;text-align:left;vertical-align:top;
overflow-wrap:break-word}th{background:#eceff5}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.3rem 0 .8rem}
dt{color:var(--muted)}dd{margin:0}
a{color:#1f4fc2}nav ol{columns:2;margin:.3rem 0 1rem}
@media print{body{margin:0;max-width:none}a{color:inherit;text-decoration:none}
h2,h3{break-after:avoid}tr{break-inside:avoid}nav{display:none}}
"""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def _anchors(doc: Document) -> dict[int, str]:
    seen: dict[str, int] = {}
    out: dict[int, str] = {}
    for _depth, section in doc.walk():
        base = section.anchor or _slug(section.title)
        seen[base] = seen.get(base, 0) + 1
        out[id(section)] = base if seen[base] == 1 else f"{base}-{seen[base]}"
    return out


# ----- HTML ------------------------------------------------------------------------------------


def _html_cell(value: CellValue, base_url: str) -> str:
    if isinstance(value, Cell) and value.href:
        return f'<a href="{html.escape(base_url + value.href)}">{html.escape(value.text)}</a>'
    return html.escape(cell_text(value))


def _html_table(table: Table, base_url: str) -> str:
    head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in table.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_html_cell(v, base_url)}</td>" for v in row) + "</tr>"
        for row in table.rows
    )
    if not table.rows:
        body = f'<tr><td colspan="{len(table.columns)}">None.</td></tr>'
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html_section(section: Section, depth: int, anchors: dict[int, str], base_url: str) -> str:
    level = min(depth + 1, 6)
    parts = [f'<h{level} id="{anchors[id(section)]}">{html.escape(section.title)}</h{level}>']
    parts += [f"<p>{html.escape(p)}</p>" for p in section.paragraphs]
    if section.facts:
        parts.append(
            "<dl>"
            + "".join(
                f"<dt>{html.escape(k)}</dt><dd>{_html_cell(v, base_url)}</dd>"
                for k, v in section.facts
            )
            + "</dl>"
        )
    parts += [_html_table(t, base_url) for t in section.tables]
    parts += [_html_section(s, depth + 1, anchors, base_url) for s in section.sections]
    return "\n".join(parts)


def to_html(doc: Document, base_url: str = "") -> str:
    """A self-contained HTML page (inline CSS, no scripts, links to the workbench's pages)."""
    esc = html.escape
    anchors = _anchors(doc)
    toc = "".join(f'<li><a href="#{anchors[id(s)]}">{esc(s.title)}</a></li>' for s in doc.sections)
    body = "\n".join(_html_section(s, 1, anchors, base_url) for s in doc.sections)
    summary = "".join(f"<p>{esc(line)}</p>" for line in doc.summary)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(doc.title)} ({esc(doc.as_of.isoformat())})</title><style>{_CSS}</style>"
        f'</head><body><header><h1>{esc(doc.title)}</h1><p class="meta">{esc(doc.organisation)}'
        f" · as of {esc(doc.as_of.isoformat())} · generated {esc(doc.generated)} by aimstrace</p>"
        f"{summary}</header>"
        f'<nav aria-label="Contents"><ol>{toc}</ol></nav><main>{body}</main></body></html>\n'
    )


# ----- Markdown ----------------------------------------------------------------------------------


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _md_cell(value: CellValue, base_url: str) -> str:
    if isinstance(value, Cell) and value.href and base_url:
        return f"[{_md(value.text)}]({base_url}{value.href})"
    return _md(cell_text(value))


def _md_table(table: Table, base_url: str) -> list[str]:
    if not table.rows:
        return ["None.", ""]
    lines = [
        "| " + " | ".join(_md(c) for c in table.columns) + " |",
        "|" + "---|" * len(table.columns),
    ]
    lines += ["| " + " | ".join(_md_cell(v, base_url) for v in row) + " |" for row in table.rows]
    return [*lines, ""]


def to_markdown(doc: Document, base_url: str = "") -> str:
    """GitHub-flavoured Markdown: headings, paragraphs, key facts as a list, pipe tables."""
    lines = [
        f"# {doc.title}",
        "",
        f"{doc.organisation} · as of {doc.as_of.isoformat()} · "
        f"generated {doc.generated} by aimstrace",
        "",
    ]
    for line in doc.summary:
        lines += [line, ""]
    for depth, section in doc.walk():
        lines += [f"{'#' * min(depth + 1, 6)} {section.title}", ""]
        for paragraph in section.paragraphs:
            lines += [paragraph, ""]
        if section.facts:
            lines += [f"- **{_md(k)}**: {_md_cell(v, base_url)}" for k, v in section.facts]
            lines.append("")
        for table in section.tables:
            lines += _md_table(table, base_url)
    return "\n".join(lines).rstrip() + "\n"


# ----- XLSX --------------------------------------------------------------------------------------


def _sheet_name(wanted: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", wanted).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _xlsx_value(value: CellValue) -> str | int | float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    return cell_text(value)


def to_xlsx(doc: Document) -> bytes:
    """A workbook: a cover sheet (title, date, summary, facts), then one sheet per table."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    cover = book.active
    used: set[str] = set()
    cover.title = _sheet_name("Report", used)
    cover.append([doc.title])
    cover["A1"].font = Font(bold=True, size=14)
    cover.append([f"{doc.organisation}, as of {doc.as_of.isoformat()}, generated {doc.generated}"])
    for line in doc.summary:
        cover.append([line])
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="ECEFF5")
    for depth, section in doc.walk():
        cover.append([])
        cover.append([("  " * (depth - 1)) + section.title])
        cover.cell(cover.max_row, 1).font = bold
        for paragraph in section.paragraphs:
            cover.append([paragraph])
        for key, value in section.facts:
            cover.append([key, _xlsx_value(value)])
        for table in section.tables:
            sheet = book.create_sheet(_sheet_name(table.name or section.title, used))
            sheet.append(table.columns)
            for cell in sheet[1]:
                cell.font = bold
                cell.fill = header_fill
            for row in table.rows:
                sheet.append([_xlsx_value(v) for v in row])
            sheet.freeze_panes = "A2"
            if table.rows:
                sheet.auto_filter.ref = sheet.dimensions
            for i, column in enumerate(table.columns, start=1):
                longest = max([len(column), *(len(cell_text(r[i - 1])) for r in table.rows)])
                sheet.column_dimensions[get_column_letter(i)].width = min(60, max(8, longest + 2))
            for row_cells in sheet.iter_rows(min_row=2):
                for cell in row_cells:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            cover.append(["table", f"sheet '{sheet.title}' ({len(table.rows)} rows)"])
    cover.column_dimensions["A"].width = 48
    cover.column_dimensions["B"].width = 80
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ----- PDF ---------------------------------------------------------------------------------------


class RendererMissing(RuntimeError):
    """Headless Chromium (for PDF) is not installed."""


def chromium_path() -> str:
    """The Chromium binary: $AIMSTRACE_CHROMIUM, else `chromium` on PATH."""
    found = os.environ.get("AIMSTRACE_CHROMIUM") or shutil.which("chromium")
    if not found or not os.path.exists(found):
        raise RendererMissing(
            "PDF needs headless Chromium: install Debian's `chromium` (apt-get install -y "
            "chromium) or set AIMSTRACE_CHROMIUM to its path; html, md and xlsx need nothing"
        )
    return found


def html_to_pdf(page_html: str, title: str) -> bytes:
    """Print an HTML page to A4 PDF with headless Chromium (through Playwright)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise RendererMissing(
            "PDF needs the `playwright` package (pip install playwright) and Debian's chromium"
        ) from exc
    executable = chromium_path()
    footer = (
        '<div style="font-size:8px;width:100%;padding:0 12mm;color:#555;display:flex;'
        f'justify-content:space-between"><span>{html.escape(title)}</span><span>page '
        '<span class="pageNumber"></span> of <span class="totalPages"></span></span></div>'
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic"],
        )
        try:
            page = browser.new_page()
            # Offline by construction: the report has inline CSS and no external resources.
            page.route("**/*", lambda route: route.abort())
            page.set_content(page_html, wait_until="load")
            pdf: bytes = page.pdf(
                format="A4",
                print_background=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=footer,
                margin={"top": "14mm", "bottom": "16mm", "left": "12mm", "right": "12mm"},
            )
        finally:
            browser.close()
    return pdf


def to_pdf(doc: Document) -> bytes:
    """The HTML rendering printed to PDF by headless Chromium."""
    return html_to_pdf(to_html(doc), f"{doc.title}, as of {doc.as_of.isoformat()}")


def to_json(doc: Document) -> str:
    """The document as JSON: title, date, summary, and each section with its facts and tables."""
    import json

    def section(s: Section) -> dict[str, object]:
        return {
            "title": s.title,
            "paragraphs": s.paragraphs,
            "facts": {k: cell_text(v) for k, v in s.facts},
            "tables": [
                {
                    "name": t.name,
                    "columns": t.columns,
                    "rows": [[cell_text(v) for v in r] for r in t.rows],
                }
                for t in s.tables
            ],
            "sections": [section(c) for c in s.sections],
        }

    body = {
        "kind": doc.kind,
        "title": doc.title,
        "as_of": doc.as_of.isoformat(),
        "organisation": doc.organisation,
        "generated": doc.generated,
        "summary": doc.summary,
        "sections": [section(s) for s in doc.sections],
    }
    return json.dumps(body, indent=2, ensure_ascii=False)


def to_csv(doc: Document) -> str:
    """Every table of the document in one CSV: the section and table name, then its columns."""
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    for _depth, section in doc.walk():
        for table in section.tables:
            writer.writerow(["section", "table", *table.columns])
            for row in table.rows:
                writer.writerow([section.title, table.name, *(cell_text(v) for v in row)])
    return out.getvalue()


def render(doc: Document, fmt: str, base_url: str = "") -> bytes:
    """The document in one of FORMATS (or csv, json), as bytes."""
    if fmt == "json":
        return to_json(doc).encode("utf-8")
    if fmt == "csv":
        return to_csv(doc).encode("utf-8")
    if fmt == "html":
        return to_html(doc, base_url).encode("utf-8")
    if fmt == "md":
        return to_markdown(doc, base_url).encode("utf-8")
    if fmt == "xlsx":
        return to_xlsx(doc)
    if fmt == "pdf":
        return to_pdf(doc)
    raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")


def lines(values: Iterable[str]) -> str:
    """Join non-empty values with '; '."""
    return "; ".join(v for v in values if v)
