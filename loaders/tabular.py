"""Reading registers from CSV, XLSX, YAML and JSON into rows that remember where they came from.

Which register a table holds is decided by the file name stem (`systems.csv`), the sheet name
(one sheet per register in a workbook) or the top-level key of a YAML/JSON document
(`systems:`). Values stay raw here (strings from CSV, typed cells from XLSX and YAML); checking
and typing them is loaders.inventory's job.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from aimstrace.loaders.errors import InputIssue
from aimstrace.loaders.limits import LoadLimits
from aimstrace.ontology.registers import Register, register_for

TABULAR_SUFFIXES = {".csv", ".xlsx", ".yaml", ".yml", ".json"}
# Columns people keep for themselves; they are read past, not loaded.
IGNORED_COLUMNS = {"notes", "note", "comment", "comments"}


@dataclass(slots=True)
class SourceRow:
    """One record: its row (CSV/XLSX row, YAML line, JSON record number) and raw values."""

    row: int
    values: dict[str, Any]
    # Only YAML records know a line per field; None (not an empty dict per row) elsewhere.
    lines: dict[str, int] | None = None

    def line_of(self, column: str) -> int:
        """The most precise row/line known for one column of this record."""
        return self.row if self.lines is None else self.lines.get(column, self.row)


@dataclass(slots=True)
class Table:
    """The rows of one register from one file (or one sheet, or one YAML/JSON key)."""

    register: Register
    source: str
    rows: list[SourceRow]
    # Column names of a header row; None for YAML/JSON, where each record names its own fields.
    header: list[str] | None = None
    header_row: int = 1


def normalise_column(name: object) -> str:
    """`Lifecycle Stage` and `lifecycle-stage` both mean `lifecycle_stage`."""
    return str(name).strip().lower().replace("-", "_").replace(" ", "_")


def read_tables(
    path: Path, limits: LoadLimits | None = None
) -> tuple[list[Table], list[InputIssue]]:
    """Read every register table in one tabular file; problems come back located, not raised."""
    limits = limits or LoadLimits()
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            tables, issues = _read_csv(path, limits)
        elif suffix == ".xlsx":
            tables, issues = _read_xlsx(path, limits)
        elif suffix in (".yaml", ".yml"):
            tables, issues = _read_yaml(path)
        elif suffix == ".json":
            tables, issues = _read_json(path)
        else:
            return [], [InputIssue(str(path), None, None, f"unsupported file type {suffix!r}")]
    except OSError as exc:
        return [], [InputIssue(str(path), None, None, f"cannot read file: {exc.strerror}")]
    except RecursionError:
        message = "nested too deeply: a register is a list of flat records"
        return [], [InputIssue(str(path), None, None, message)]
    return tables, issues + _value_issues(tables, limits)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MAX_VALUE_ISSUES = 100


def _value_issues(tables: list[Table], limits: LoadLimits) -> list[InputIssue]:
    """Control characters (with their position) and values over the cell size, per cell."""
    issues: list[InputIssue] = []
    rows = 0
    for table in tables:
        rows += len(table.rows)
        if rows > limits.max_rows:
            message = f"more than {limits.max_rows} rows in one load (AIMSTRACE_LOAD_MAX_ROWS)"
            return [InputIssue(table.source, None, None, message)]
        for record in table.rows:
            for column, value in record.values.items():
                for text in _texts(value):
                    issue = _text_issue(table.source, record.line_of(column), column, text, limits)
                    if issue is not None:
                        issues.append(issue)
                        if len(issues) >= _MAX_VALUE_ISSUES:
                            return issues
    return issues


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _texts(item)


def _text_issue(
    source: str, row: int, column: str, text: str, limits: LoadLimits
) -> InputIssue | None:
    if len(text) > limits.max_cell_chars:
        message = (
            f"the value has {len(text)} characters, more than the limit of "
            f"{limits.max_cell_chars} (AIMSTRACE_LOAD_MAX_CELL_CHARS)"
        )
        return InputIssue(source, row, column or None, message, text[:40])
    found = _CONTROL.search(text)
    if found is None:
        return None
    message = (
        f"control character U+{ord(found.group()):04X} at position {found.start() + 1} "
        "of the value; remove it"
    )
    return InputIssue(source, row, column or None, message, _CONTROL.sub("?", text[:80]))


def _register_from_stem(path: Path) -> tuple[Register | None, list[InputIssue]]:
    register = register_for(path.stem)
    if register is None:
        message = "file name does not name a register (e.g. systems.csv, datasets.csv)"
        return None, [InputIssue(str(path), None, None, message, path.stem)]
    return register, []


# ----- CSV -----------------------------------------------------------------------------------


def _read_csv(path: Path, limits: LoadLimits) -> tuple[list[Table], list[InputIssue]]:
    register, issues = _register_from_stem(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = (
            f"not valid UTF-8 at byte offset {exc.start} (line {line}); save the file as UTF-8 CSV"
        )
        bad = data[exc.start : exc.start + 4].hex(" ")
        return [], [*issues, InputIssue(str(path), line, None, message, f"bytes {bad}")]
    if register is None:
        return [], issues
    # Python's csv module refuses fields over its own limit (128 KiB) with a clear error.
    csv.field_size_limit(max(limits.max_cell_chars + 1, 1024))
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[SourceRow] = []
    header_row = 1
    start = 1
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                start = reader.line_num + 1
                continue
            if header is None:
                header = [normalise_column(c) for c in record]
                header_row = start
                separator = next(
                    (sep for sep in (";", "\t") if len(record) == 1 and sep in record[0]), None
                )
                if separator is not None:
                    # Saved with a regional list separator: say so, not "unknown column".
                    message = (
                        f"the header uses {separator!r} between columns; "
                        "save the file as comma-separated CSV"
                    )
                    return [], [*issues, InputIssue(str(path), start, None, message, record[0])]
            else:
                if len(record) > len(header):
                    message = f"{len(record)} cells but the header has {len(header)} columns"
                    issues.append(InputIssue(str(path), start, None, message))
                if len(rows) >= limits.max_rows:
                    message = f"more than {limits.max_rows} rows (AIMSTRACE_LOAD_MAX_ROWS)"
                    issues.append(InputIssue(str(path), start, None, message))
                    break
                values = {h: v for h, v in zip(header, record, strict=False) if h}
                rows.append(SourceRow(start, values))
            start = reader.line_num + 1
    except csv.Error as exc:
        issues.append(InputIssue(str(path), reader.line_num, None, f"malformed CSV: {exc}"))
    if header is None:
        issues.append(InputIssue(str(path), 1, None, "empty file: expected a header row"))
        return [], issues
    return [Table(register, str(path), rows, header, header_row)], issues


# ----- XLSX ----------------------------------------------------------------------------------

_SKIPPED_SHEETS = ("readme", "instructions", "help")


def _read_xlsx(path: Path, limits: LoadLimits) -> tuple[list[Table], list[InputIssue]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    tables: list[Table] = []
    issues: list[InputIssue] = []
    try:
        with zipfile.ZipFile(path) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
        if expanded > limits.max_xlsx_bytes:
            message = (
                f"the workbook expands to {expanded} bytes, more than the limit of "
                f"{limits.max_xlsx_bytes} (AIMSTRACE_LOAD_MAX_XLSX_BYTES)"
            )
            return [], [InputIssue(str(path), None, None, message)]
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            sheets = list(workbook.worksheets)
            for sheet in sheets:
                register = register_for(sheet.title)
                if register is None and len(sheets) == 1:
                    register = register_for(path.stem)
                source = f"{path}[{sheet.title}]"
                if register is None:
                    if not sheet.title.lower().startswith((*_SKIPPED_SHEETS, "_")):
                        message = "sheet name does not name a register (e.g. systems, datasets)"
                        issues.append(InputIssue(source, None, None, message, sheet.title))
                    continue
                cells = sheet.iter_rows(values_only=True)
                table = _sheet_table(register, source, cells, limits)
                if table is not None:
                    tables.append(table)
        finally:
            workbook.close()
    except (zipfile.BadZipFile, InvalidFileException, KeyError, EOFError, ValueError) as exc:
        # The exception's text may name the file by its full (server) path: say what, not where.
        message = f"not a readable XLSX workbook (truncated or corrupt?): {type(exc).__name__}"
        return [], [InputIssue(str(path), None, None, message)]
    except Exception as exc:  # a damaged sheet XML surfaces as a parser error
        if isinstance(exc, OSError):
            raise
        message = f"not a readable XLSX workbook (truncated or corrupt?): {type(exc).__name__}"
        return [], [
            InputIssue(str(path), None, None, message, str(exc).replace(str(path), path.name))
        ]
    return tables, issues


def _sheet_table(
    register: Register, source: str, cells: Iterator[tuple[Any, ...]], limits: LoadLimits
) -> Table | None:
    header: list[str] | None = None
    header_row = 1
    rows: list[SourceRow] = []
    for number, record in enumerate(cells, start=1):
        values = [_cell_value(v) for v in record]
        if not any(v not in (None, "") for v in values):
            continue
        if header is None:
            header = [normalise_column(v) if v is not None else "" for v in values]
            header_row = number
            continue
        if len(rows) >= limits.max_rows:
            break  # reported by read_tables: more rows than the limit
        rows.append(SourceRow(number, {h: v for h, v in zip(header, values, strict=False) if h}))
    if header is None:
        return None
    return Table(register, source, rows, header, header_row)


def _cell_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return value


# ----- YAML and JSON -------------------------------------------------------------------------


def _read_yaml(path: Path) -> tuple[list[Table], list[InputIssue]]:
    text, issue = _read_text(path)
    if issue is not None:
        return [], [issue]
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        return [], [InputIssue(str(path), line, None, f"invalid YAML: {exc.problem}")]
    except yaml.YAMLError as exc:
        return [], [InputIssue(str(path), None, None, f"invalid YAML: {exc}")]
    finally:
        loader.dispose()
    if root is None:
        return [], [InputIssue(str(path), None, None, "empty document")]
    return _constructed(path, root, loader)


def _constructed(
    path: Path, root: yaml.Node, loader: yaml.SafeLoader
) -> tuple[list[Table], list[InputIssue]]:
    """Tables from a composed document; a tag the safe loader refuses is a located error."""
    try:
        return _tables_from_node(path, root, loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or "cannot be read"
        if "python/" in problem or "could not determine a constructor" in problem:
            problem = "this YAML tag is not allowed; write plain values"
        return [], [InputIssue(str(path), line, None, f"invalid YAML: {problem}")]


def _read_json(path: Path) -> tuple[list[Table], list[InputIssue]]:
    text, issue = _read_text(path)
    if issue is not None:
        return [], [issue]
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [InputIssue(str(path), exc.lineno, None, f"invalid JSON: {exc.msg}")]
    # JSON is (nearly) YAML, and the YAML parser keeps line numbers; fall back to record numbers.
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError:
        root = None
    if root is not None:
        return _constructed(path, root, loader)
    return _tables_from_data(path, json.loads(text))


def _read_text(path: Path) -> tuple[str, InputIssue | None]:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = f"not valid UTF-8 at byte offset {exc.start} (line {line})"
        return "", InputIssue(str(path), line, None, message)


def _tables_from_node(
    path: Path, root: yaml.Node, loader: yaml.SafeLoader
) -> tuple[list[Table], list[InputIssue]]:
    tables: list[Table] = []
    issues: list[InputIssue] = []
    if isinstance(root, yaml.SequenceNode):
        register, issues = _register_from_stem(path)
        if register is not None:
            tables.append(_node_table(register, str(path), root, loader))
        return tables, issues
    if not isinstance(root, yaml.MappingNode):
        message = "expected a mapping of register names to lists of records"
        return [], [InputIssue(str(path), root.start_mark.line + 1, None, message)]
    for key_node, value_node in root.value:
        key = str(key_node.value)
        register = register_for(key)
        if register is None:
            message = "top-level key does not name a register (e.g. systems, datasets)"
            issues.append(InputIssue(str(path), key_node.start_mark.line + 1, None, message, key))
            continue
        tables.append(_node_table(register, str(path), value_node, loader))
    return tables, issues


def _node_table(register: Register, source: str, node: yaml.Node, loader: yaml.SafeLoader) -> Table:
    records = node.value if isinstance(node, yaml.SequenceNode) else [node]
    rows: list[SourceRow] = []
    for record in records:
        line = record.start_mark.line + 1
        if not isinstance(record, yaml.MappingNode):
            rows.append(SourceRow(line, {"": loader.construct_object(record, deep=True)}))
            continue
        values: dict[str, Any] = {}
        lines: dict[str, int] = {}
        for key_node, value_node in record.value:
            column = normalise_column(key_node.value)
            values[column] = loader.construct_object(value_node, deep=True)
            lines[column] = value_node.start_mark.line + 1
        rows.append(SourceRow(line, values, lines))
    return Table(register, source, rows)


def _tables_from_data(path: Path, data: Any) -> tuple[list[Table], list[InputIssue]]:
    if isinstance(data, list):
        register, issues = _register_from_stem(path)
        return ([_data_table(register, str(path), data)] if register else []), issues
    if not isinstance(data, dict):
        return [], [InputIssue(str(path), None, None, "expected an object of registers")]
    tables: list[Table] = []
    issues = []
    for key, records in data.items():
        register = register_for(str(key))
        if register is None:
            message = "top-level key does not name a register"
            issues.append(InputIssue(str(path), None, None, message, str(key)))
            continue
        tables.append(_data_table(register, f"{path}#{key}", records))
    return tables, issues


def _data_table(register: Register, source: str, records: Any) -> Table:
    listed = records if isinstance(records, list) else [records]
    rows = []
    for number, record in enumerate(listed, start=1):
        values = (
            {normalise_column(k): v for k, v in record.items()}
            if isinstance(record, dict)
            else {"": record}
        )
        rows.append(SourceRow(number, values))
    return Table(register, source, rows)


def is_date_like(value: object) -> bool:
    """True for values the date columns accept without parsing."""
    return isinstance(value, date) and not isinstance(value, datetime)
