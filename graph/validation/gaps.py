"""Gap records and the gap report: grouping, JSON, Markdown, self-contained HTML, write-back.

A gap record is one SHACL validation result made readable: the severity, the entity where the
gap shows (focus node and its label), the property path, the message, and the requirement the
shape enforces (notation and framework id), plus the accountable owner and the AI system it
belongs to, so the report can be grouped the way a compliance lead reads it.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date

import pyoxigraph as ox
from rdflib import Graph

from aimstrace.graph.validation import rdf_files
from aimstrace.ontology.iris import graph_iri

SEVERITIES: tuple[str, ...] = ("Violation", "Warning", "Info")
GAPS_GRAPH = ox.NamedNode(str(graph_iri("gaps")))
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
DCTERMS = "http://purl.org/dc/terms/"
NO_REQUIREMENT = "(no requirement)"
NO_SYSTEM = "(not tied to one AI system)"
NO_OWNER = "(no accountable owner)"


@dataclass(frozen=True)
class GapRecord:
    """One validation result, typed and labelled."""

    severity: str
    focus: str
    focus_label: str
    path: str | None
    message: str
    requirement: str | None
    framework: str | None
    owner: str | None = None
    system: str | None = None
    requirement_iri: str | None = None
    shape: str | None = None
    # The file an imported entity came from (aims:sourceFile), so a gap points at it.
    source_file: str | None = None
    # The result as SHACL states it: the value (Turtle, lexical form and datatype as written),
    # the constraint component and the source shape (compact names), the nested sh:detail results.
    value: str | None = None
    component: str | None = None
    source_shape: str | None = None
    details: tuple[GapRecord, ...] = ()
    # For people reading reports: the value at fault as shown (sh:value, else what the focus
    # holds at the path, IRIs as labels; None when it holds nothing there) and the
    # requirement's official short title.
    shown_value: str | None = None
    requirement_title: str | None = None

    def contract_dict(self) -> dict[str, object]:
        """The fields of the `validate --json` contract, in its order."""
        contract: dict[str, object] = {
            "severity": self.severity,
            "focus": self.focus,
            "focus_label": self.focus_label,
            "path": self.path,
            "message": self.message,
            "requirement": self.requirement,
            "framework": self.framework,
        }
        if self.source_file:
            contract["source_file"] = self.source_file
        return contract

    def result_dict(self) -> dict[str, object]:
        """The contract fields plus the SHACL result's own: value, component, source shape,
        and the nested details (each as a result_dict)."""
        return {
            **self.contract_dict(),
            "value": self.value,
            "component": self.component,
            "source_shape": self.source_shape,
            "details": [d.result_dict() for d in self.details],
        }

    def identity(self) -> tuple[str, str, str | None, str | None, str | None, str | None]:
        """What identifies a gap across revisions: its severity and rule, entity, requirement."""
        return (
            self.severity,
            self.focus,
            self.path,
            self.requirement,
            self.framework,
            self.shape,
        )

    def sort_key(self) -> tuple[int, str, str, str, str, str, str]:
        """Violations first, then by requirement, focus and message (path, value: ties)."""
        return (
            SEVERITIES.index(self.severity) if self.severity in SEVERITIES else len(SEVERITIES),
            self.framework or "",
            self.requirement or "",
            self.focus,
            self.message,
            self.path or "",
            self.value or "",
        )


@dataclass
class GapReport:
    """Every gap found on one evaluation date."""

    as_of: date
    records: list[GapRecord] = field(default_factory=list)
    engine: str = "pyshacl"
    # What the run reported besides results: SHACL-SHACL findings, an engine fallback taken.
    notes: list[str] = field(default_factory=list)
    # The SHACL validation report graph the records were read from (for `--format shacl`),
    # and the prefixes to write it with (the shapes files' own over the defaults).
    report: Graph | None = field(default=None, repr=False, compare=False)
    prefixes: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def conforms(self) -> bool:
        """SHACL's sh:conforms: true when there is no result at all, whatever its severity."""
        return not self.records

    @property
    def has_violations(self) -> bool:
        """True when a result has severity Violation (what makes `validate` exit 1)."""
        return any(r.severity == "Violation" for r in self.records)

    def counts(self) -> dict[str, int]:
        """Number of results per severity (the three of SHACL always, zero when none; a
        severity of a shapes graph's own, such as `ex:Minor`, when a result has it)."""
        found = Counter(r.severity for r in self.records)
        counts = {s: found.get(s, 0) for s in SEVERITIES}
        counts.update(sorted((s, n) for s, n in found.items() if s not in SEVERITIES))
        return counts

    def contract(self) -> dict[str, object]:
        """Exactly the `aimstrace validate --json` document."""
        return {
            "conforms": self.conforms,
            "counts": self.counts(),
            "results": [r.contract_dict() for r in sorted(self.records, key=GapRecord.sort_key)],
        }


@dataclass(frozen=True)
class Since:
    """The revision a gap was first seen in (in its current run), and that revision's time."""

    revision: str
    time: str

    def text(self) -> str:
        """As a report shows it: `r12 (2026-11-30)`."""
        return f"{self.revision} ({self.time[:10]})"


@dataclass(frozen=True)
class OpenSince:
    """For each open gap of a report, when it was first seen; computed from history."""

    by_identity: dict[tuple[str, str, str | None, str | None, str | None, str | None], Since]

    def of(self, record: GapRecord) -> Since | None:
        """When this gap was first seen (None when history does not know it)."""
        return self.by_identity.get(record.identity())

    def fields(self, record: GapRecord) -> dict[str, str | None]:
        """`open_since` and `open_since_time` for a JSON result."""
        since = self.of(record)
        return {
            "open_since": since.revision if since else None,
            "open_since_time": since.time if since else None,
        }


@dataclass
class GapGroup:
    """Records that share a requirement, a system or an owner, with severity counts."""

    key: str
    records: list[GapRecord]

    def counts(self) -> dict[str, int]:
        """Number of records per severity in this group."""
        found = Counter(r.severity for r in self.records)
        return {s: found.get(s, 0) for s in SEVERITIES}


def _requirement_key(record: GapRecord) -> str:
    if record.requirement is None:
        return NO_REQUIREMENT
    return f"{record.framework} {record.requirement}"


def group_by(records: Iterable[GapRecord], dimension: str) -> list[GapGroup]:
    """Group records by 'requirement', 'system' or 'owner', largest severity counts first."""
    keys: dict[str, Callable[[GapRecord], str]] = {
        "requirement": _requirement_key,
        "system": lambda r: r.system or NO_SYSTEM,
        "owner": lambda r: r.owner or NO_OWNER,
    }
    if dimension not in keys:
        raise ValueError(f"unknown grouping {dimension!r}; expected requirement, system or owner")
    key_of = keys[dimension]
    groups: dict[str, list[GapRecord]] = {}
    for record in sorted(records, key=GapRecord.sort_key):
        groups.setdefault(key_of(record), []).append(record)
    result = [GapGroup(key, items) for key, items in groups.items()]
    result.sort(key=lambda g: (*(-g.counts()[s] for s in SEVERITIES), g.key))
    return result


# ----- renderings ------------------------------------------------------------------------------

DIMENSIONS = (("requirement", "By requirement"), ("system", "By AI system"), ("owner", "By owner"))


def to_result_json(report: GapReport, since: OpenSince | None = None) -> str:
    """Every result as SHACL states it (`validate --format json`): the contract's fields plus
    value, constraint component, source shape and nested details; the engine and the notes;
    with `since`, each result's `open_since` revision and time."""
    document = {
        "conforms": report.conforms,
        "counts": report.counts(),
        "engine": report.engine,
        "notes": report.notes,
        "results": [
            {**r.result_dict(), **(since.fields(r) if since is not None else {})}
            for r in sorted(report.records, key=GapRecord.sort_key)
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def to_turtle(report: GapReport) -> str:
    """The SHACL validation report graph as Turtle (`validate --format shacl`)."""
    if report.report is None:
        raise ValueError("this gap report keeps no SHACL report graph (an incremental run)")
    return rdf_files.to_turtle(report.report, report.prefixes).rstrip("\n")


def to_json(report: GapReport, full: bool = False, since: OpenSince | None = None) -> str:
    """The JSON contract; with full=True also the groupings and the owner/system of each gap;
    with `since`, each result's `open_since` revision and time."""
    document: dict[str, object] = report.contract()
    if since is not None:
        document["results"] = [
            {**r.contract_dict(), **since.fields(r)}
            for r in sorted(report.records, key=GapRecord.sort_key)
        ]
    if full:
        document["as_of"] = report.as_of.isoformat()
        document["records"] = [asdict(r) for r in sorted(report.records, key=GapRecord.sort_key)]
        document["groups"] = {
            dimension: [
                {"key": g.key, "counts": g.counts(), "results": len(g.records)}
                for g in group_by(report.records, dimension)
            ]
            for dimension, _ in DIMENSIONS
        }
    return json.dumps(document, indent=2, ensure_ascii=False)


def _md_cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def _since_text(since: OpenSince | None, record: GapRecord) -> str:
    found = since.of(record) if since is not None else None
    return found.text() if found else ""


def to_markdown(report: GapReport, since: OpenSince | None = None) -> str:
    """A Markdown gap report: summary, then the gaps grouped three ways (with `since`, when
    each gap was first seen)."""
    counts = report.counts()
    lines = [
        f"# AIMS gap report as of {report.as_of.isoformat()}",
        "",
        f"Conforms: **{'yes' if report.conforms else 'no'}** — "
        + ", ".join(f"{counts[s]} {s}" for s in SEVERITIES),
        "",
    ]
    for dimension, title in DIMENSIONS:
        lines += [f"## {title}", ""]
        groups = group_by(report.records, dimension)
        if not groups:
            lines += ["No gaps.", ""]
        for group in groups:
            c = group.counts()
            lines += [
                f"### {_md_cell(group.key)} ({', '.join(f'{c[s]} {s}' for s in SEVERITIES)})",
                "",
                "| severity | focus | path | message |" + (" open since |" if since else ""),
                "|---|---|---|---|" + ("---|" if since else ""),
            ]
            lines += [
                f"| {r.severity} | {_md_cell(r.focus_label)} | {_md_cell(r.path)} "
                f"| {_md_cell(r.message)} |"
                + (f" {_md_cell(_since_text(since, r))} |" if since else "")
                for r in group.records
            ]
            lines.append("")
    return "\n".join(lines)


_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1b1b;max-width:1200px}
table{border-collapse:collapse;width:100%;margin-bottom:1.5rem}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}.Violation{color:#a00;font-weight:bold}.Warning{color:#a60}
.Info{color:#06a}details{margin:.4rem 0}summary{cursor:pointer;font-weight:600}
.counts span{margin-right:1rem}
"""


def to_html(report: GapReport, since: OpenSince | None = None) -> str:
    """A self-contained HTML gap report (inline CSS, no scripts, no external resources); with
    `since`, when each gap was first seen."""
    esc = html.escape
    counts = report.counts()
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>AIMS gap report {esc(report.as_of.isoformat())}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>AIMS gap report as of {esc(report.as_of.isoformat())}</h1>",
        f"<p>Conforms: <strong>{'yes' if report.conforms else 'no'}</strong></p>",
        '<p class="counts">'
        + "".join(f'<span class="{s}">{counts[s]} {s}</span>' for s in SEVERITIES)
        + "</p>",
    ]
    for dimension, title in DIMENSIONS:
        parts.append(f"<h2>{esc(title)}</h2>")
        groups = group_by(report.records, dimension)
        if not groups:
            parts.append("<p>No gaps.</p>")
        for group in groups:
            c = group.counts()
            summary = ", ".join(f"{c[s]} {s}" for s in SEVERITIES)
            parts.append(f"<details><summary>{esc(group.key)} ({esc(summary)})</summary>")
            parts.append(
                "<table><tr><th>severity</th><th>focus</th><th>path</th><th>message</th>"
                + ("<th>open since</th>" if since else "")
                + "</tr>"
            )
            for r in group.records:
                parts.append(
                    f'<tr><td class="{esc(r.severity)}">{esc(r.severity)}</td>'
                    f'<td title="{esc(r.focus)}">{esc(r.focus_label)}</td>'
                    f"<td>{esc(r.path or '')}</td><td>{esc(r.message)}</td>"
                    + (f"<td>{esc(_since_text(since, r))}</td>" if since else "")
                    + "</tr>"
                )
            parts.append("</table></details>")
    parts.append("</body></html>")
    return "\n".join(parts)
