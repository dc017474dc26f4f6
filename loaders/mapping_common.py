"""What every mapping loader shares: collected errors and the checks on one row's fields.

Loaders never stop at the first problem: each check adds an issue (file, line, column, value,
what is wrong) and the loader raises one MappingLoadError with all of them before anything is
written to the store.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from aimstrace.graph.crosswalk.external import (
    ExternalFramework,
    ExternalRequirement,
    check_external_id,
)
from aimstrace.graph.crosswalk.model import (
    RATIONALES,
    RELATIONSHIPS,
    MappingRecord,
    MappingSetInfo,
    RequirementRef,
    framework_of_iri,
)

MAX_REPORTED = 200


@dataclass(frozen=True)
class LoadIssue:
    """One problem in an input file, located as precisely as the format allows."""

    file: str
    line: int | None
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        column = f" column {self.column}:" if self.column else ""
        value = f" (value {self.value!r})" if self.value is not None else ""
        return f"{where}:{column} {self.message}{value}"


class MappingLoadError(ValueError):
    """An input file had errors; every one is listed and nothing was loaded."""

    def __init__(self, issues: list[LoadIssue]) -> None:
        self.issues = issues
        shown = [str(i) for i in issues[:MAX_REPORTED]]
        more = len(issues) - len(shown)
        if more:
            shown.append(f"... and {more} more")
        noun = "error" if len(issues) == 1 else "errors"
        super().__init__(f"{len(issues)} {noun}, nothing loaded:\n  " + "\n  ".join(shown))


@dataclass
class IssueCollector:
    """Gathers the issues of one file."""

    file: str
    issues: list[LoadIssue] = field(default_factory=list)

    def add(self, line: int | None, column: str | None, value: str | None, message: str) -> None:
        """Record one problem."""
        self.issues.append(LoadIssue(self.file, line, column, value, message))

    def raise_if_any(self) -> None:
        """Raise MappingLoadError when anything was recorded."""
        if self.issues:
            raise MappingLoadError(self.issues)


@dataclass
class LoadedMappingSet:
    """A validated mapping set, ready to be written as one named graph."""

    info: MappingSetInfo
    records: list[MappingRecord]
    #: The external frameworks the set's records point into, with the nodes they name.
    externals: list[ExternalFramework] = field(default_factory=list)


@dataclass
class ExternalSides:
    """The external frameworks one file names, collected as its rows are read."""

    issues: IssueCollector
    imported_from: str
    frameworks: dict[str, ExternalFramework] = field(default_factory=dict)

    def framework(
        self,
        line: int | None,
        column: str | None,
        framework_id: str,
        title: str,
        source: str,
        licence: str = "",
        defining: bool = False,
    ) -> ExternalFramework | None:
        """The external framework with this id (made on first use); None if the id is unusable."""
        found = self.frameworks.get(framework_id)
        if found is not None:
            return found
        try:
            check_external_id(framework_id)
        except ValueError as exc:
            self.issues.add(line, column, framework_id, str(exc))
            return None
        found = ExternalFramework(
            framework_id, title, source, self.imported_from, licence, defining
        )
        self.frameworks[framework_id] = found
        return found

    def node(
        self,
        line: int | None,
        column: str | None,
        framework: ExternalFramework,
        identifier: str,
        notation: str,
        source_identifier: str,
        title: str | None = None,
        parent: str | None = None,
    ) -> str | None:
        """The IRI of the node an identifier names; an error when two identifiers share one."""
        try:
            iri = framework.node_iri(identifier)
        except ValueError as exc:
            self.issues.add(line, column, source_identifier, str(exc))
            return None
        label = " ".join(title.split()) if title else None
        kept = framework.add(
            ExternalRequirement(iri, notation, source_identifier, label or None, parent)
        )
        if kept.source_identifier != source_identifier:
            self.issues.add(
                line,
                column,
                source_identifier,
                f"names the same {framework.id} node as {kept.source_identifier!r} "
                "(identifiers that differ only in surrounding spaces)",
            )
            return None
        return iri

    def used(self, records: list[MappingRecord]) -> list[ExternalFramework]:
        """The frameworks (with only the nodes) these records use; a defining file keeps all."""
        ends = {r.subject for r in records} | {r.object for r in records if r.object}
        kept: list[ExternalFramework] = []
        for framework in self.frameworks.values():
            if not framework.defining:
                framework.requirements = {
                    iri: req for iri, req in framework.requirements.items() if iri in ends
                }
            if framework.requirements or framework.defining:
                kept.append(framework)
        return kept


@dataclass
class RowChecker:
    """Checks the fields of one row and records what is wrong with each."""

    issues: IssueCollector
    line: int | None

    def relationship(
        self, column: str, value: str, aliases: Mapping[str, str] | None = None
    ) -> str | None:
        """A STRM relationship word (after applying a format's own spellings)."""
        word = value.strip()
        if aliases is not None:
            word = aliases.get(_fold(word), word)
        if word in RELATIONSHIPS:
            return word
        expected = ", ".join(RELATIONSHIPS) if aliases is None else ", ".join(sorted(aliases))
        self.issues.add(
            self.line, column, value, f"unknown relationship; expected one of {expected}"
        )
        return None

    def rationale(
        self, column: str, value: str, *, required: bool, fold: bool = False
    ) -> str | None:
        """A rationale word: syntactic, semantic or functional."""
        word = value.strip().lower() if fold else value.strip()
        if not word and not required:
            return None
        if word in RATIONALES:
            return word
        self.issues.add(
            self.line, column, value, f"unknown rationale; expected one of {', '.join(RATIONALES)}"
        )
        return None

    def strength(self, column: str, value: str, relationship: str | None) -> int | None:
        """An integer strength 1-10 (may be blank only for no-relationship)."""
        text = value.strip()
        if not text:
            if relationship != "no-relationship":
                self.issues.add(self.line, column, value, "strength is required (an integer 1-10)")
            return None
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not number.is_integer() or not 1 <= number <= 10:
            self.issues.add(self.line, column, value, "strength must be an integer from 1 to 10")
            return None
        return int(number)

    def confidence(self, column: str, value: str) -> float | None:
        """An optional confidence 0-1."""
        text = value.strip()
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not 0.0 <= number <= 1.0:
            self.issues.add(self.line, column, value, "confidence must be a number from 0 to 1")
            return None
        return number

    def justification(self, column: str, value: str, *, required: bool) -> str:
        """The one-sentence justification in the author's words."""
        text = " ".join(value.split())
        if required and not text:
            self.issues.add(self.line, column, value, "justification is missing")
        return text

    def requirement(
        self, column: str, value: str, iri: str | None, index: Mapping[str, RequirementRef]
    ) -> str | None:
        """An IRI that names a requirement in one of the catalogs in the store."""
        if iri is None:
            return None
        if iri in index:
            return iri
        framework = framework_of_iri(iri)
        loaded = {ref.framework for ref in index.values()}
        if framework is None:
            message = f"{iri} is not a requirement of any catalog"
        elif framework not in loaded:
            message = f"the {framework} catalog is not loaded in the store (run `aimstrace demo`)"
        else:
            message = f"identifier not in the {framework} catalog"
        self.issues.add(self.line, column, value, message)
        return None


def _fold(word: str) -> str:
    return "-".join(word.strip().lower().replace("_", " ").split())


def check_duplicates(issues: IssueCollector, rows: list[tuple[int | None, MappingRecord]]) -> None:
    """The same subject, relationship and object twice in one set would collapse to one IRI."""
    first_line: dict[str, int | None] = {}
    for line, record in rows:
        if record.iri in first_line:
            where = first_line[record.iri]
            issues.add(line, None, None, f"duplicate of the mapping on line {where}")
        else:
            first_line[record.iri] = line
        if record.object is not None and record.subject == record.object:
            issues.add(line, None, record.subject, "a requirement cannot be mapped to itself")
