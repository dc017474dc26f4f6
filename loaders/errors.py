"""Located input errors: every problem of a load, reported together, nothing written."""

from __future__ import annotations

from dataclasses import dataclass

MAX_SHOWN = 500


@dataclass(frozen=True)
class InputIssue:
    """One problem in an input file: where (file, row or line, column), the value, what is wrong."""

    file: str
    row: int | None
    column: str | None
    message: str
    value: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None or self.column is not None:
            where += f":{self.row if self.row is not None else '-'}"
        if self.column is not None:
            where += f":{self.column}"
        shown = "" if self.value is None else f" (value {_clip(self.value)!r})"
        return f"{where}: {self.message}{shown}"

    def as_dict(self) -> dict[str, object]:
        """A JSON-friendly form."""
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "value": self.value,
        }


class InventoryLoadError(ValueError):
    """The input had errors; every one is listed and nothing was written."""

    def __init__(self, issues: list[InputIssue]) -> None:
        self.issues = issues
        shown = [str(i) for i in issues[:MAX_SHOWN]]
        if len(issues) > MAX_SHOWN:
            shown.append(f"... and {len(issues) - MAX_SHOWN} more")
        noun = "error" if len(issues) == 1 else "errors"
        super().__init__(f"{len(issues)} {noun}, nothing loaded:\n  " + "\n  ".join(shown))


def _clip(value: str, width: int = 80) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"
