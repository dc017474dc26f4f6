"""Terminal output: JSON for machines; for people, tables that fit the terminal and wrap (rich),
short ids instead of IRIs with the framework shown, colour only on a terminal, and a spinner on
stderr for work that takes a while."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

CATALOG = "https://w3id.org/aimstrace/catalog/"
DATA = "https://w3id.org/aimstrace/data/"
NS = "https://w3id.org/aimstrace/ns#"
# Width when the output is not a terminal (a pipe or a file): wide enough not to wrap most rows.
PIPE_WIDTH = 160
SEVERITY_STYLES = {"Violation": "bold red", "Warning": "yellow", "Info": "cyan"}


def print_json(data: Any) -> None:
    """Print data as pretty JSON on stdout."""
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def _console(stream: Any) -> Console:
    tty = stream.isatty()
    width = None if tty else int(os.environ.get("COLUMNS") or PIPE_WIDTH)
    # Colour only on a terminal, and never with NO_COLOR set (rich reads NO_COLOR itself).
    return Console(
        file=stream,
        width=width,
        force_terminal=tty,
        color_system="auto" if tty else None,
        highlight=False,
        soft_wrap=False,
    )


def stdout_console() -> Console:
    """A console on stdout (a new one each call, so tests capturing stdout see the output)."""
    return _console(sys.stdout)


def stderr_console() -> Console:
    """A console on stderr, for messages and progress."""
    return _console(sys.stderr)


def short(value: Any) -> str:
    """A cell's text: IRIs shortened (`SYS-001`, `eu-ai-act Art. 10`, `aims:x`), lists joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple | set):
        return ", ".join(short(v) for v in value)
    text = str(value)
    if text.startswith(CATALOG):
        framework, _, rest = text[len(CATALOG) :].partition("/")
        return f"{framework} {rest.replace('_', ' ')}".strip()
    if text.startswith(DATA):
        return text.rstrip("/").rsplit("/", 1)[-1]
    if text.startswith(NS):
        return "aims:" + text[len(NS) :]
    return text


def print_table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    title: str | None = None,
    styles: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """Print rows as a table that fits the width: long cells wrap onto more lines, never cut.

    styles: per column, a value -> rich style map (e.g. severity colours; shown on a TTY only).
    """
    console = stdout_console()
    table = Table(
        title=title,
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        expand=False,
        title_justify="left",
    )
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        cells = []
        for col in columns:
            text = short(row.get(col))
            style = (styles or {}).get(col, {}).get(text)
            cells.append(f"[{style}]{_escape(text)}[/]" if style else _escape(text))
        table.add_row(*cells)
    _emit(console, table)
    console.print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")


def stream_table(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], chunk: int = 500
) -> None:
    """Print many rows as one table, a chunk at a time, so output starts at once.

    Column widths are fixed from the longest cell (shared out to fit the width), so chunks line
    up; long cells wrap as in print_table.
    """
    console = stdout_console()
    widths = [len(col) for col in columns]
    for row in rows:
        for i, col in enumerate(columns):
            widths[i] = max(widths[i], len(short(row.get(col))))
    available = max(len(columns) * 8, console.width - 2 * (len(columns) - 1))
    while sum(widths) > available:  # shrink the widest column until the table fits
        widest = widths.index(max(widths))
        widths[widest] = max(8, widths[widest] - max(1, (sum(widths) - available) // 2))
        if all(w <= 8 for w in widths):
            break
    for start in range(0, max(1, len(rows)), chunk):
        table = Table(
            box=box.SIMPLE_HEAD if start == 0 else None,
            show_header=start == 0,
            show_edge=False,
            pad_edge=False,
            expand=False,
        )
        for col, width in zip(columns, widths, strict=True):
            table.add_column(col, overflow="fold", width=width)
        texts = [[short(row.get(col)) for col in columns] for row in rows[start : start + chunk]]
        for cells in texts:
            table.add_row(*(_escape(t) for t in cells))
        _emit(console, table)
        console.file.flush()
    console.print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")


def stream_json_rows(rows: Sequence[Mapping[str, Any]]) -> None:
    """Print a JSON array of row objects (print_json's layout), one row at a time."""
    out = sys.stdout
    if not rows:
        out.write("[]\n")
        return
    out.write("[\n")
    last = len(rows) - 1
    for i, row in enumerate(rows):
        text = json.dumps(row, indent=2, ensure_ascii=False, default=str)
        out.write("  " + text.replace("\n", "\n  ") + (",\n" if i < last else "\n"))
    out.write("]\n")


def _emit(console: Console, renderable: Any) -> None:
    if console.is_terminal:
        console.print(renderable)
        return
    # In a pipe or file: no padding at line ends (rich pads every cell to the column width).
    with console.capture() as captured:
        console.print(renderable)
    console.file.write("\n".join(line.rstrip() for line in captured.get().splitlines()) + "\n")


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


@contextmanager
def progress(message: str) -> Iterator[None]:
    """A spinner with message on stderr while the block runs, when stderr is a terminal."""
    console = stderr_console()
    if not sys.stderr.isatty():
        yield
        return
    with console.status(message, spinner="dots"):
        yield


def error(message: str) -> None:
    """Print `aimstrace: error: message` on stderr (the one error format of the CLI)."""
    stderr_console().print(
        f"aimstrace: error: {_escape(message)}", style="red" if sys.stderr.isatty() else None
    )
