"""Gap records and the gap report: grouping, JSON, Markdown, self-contained HTML, write-back.

A gap record is one SHACL validation result made readable: the severity, the entity where the
gap shows (focus node and its label), the property path, the message, and the requirement the
shape enforces (notation and framework id), plus the accountable owner and the AI system it
belongs to, so the report can be grouped the way a compliance lead reads it.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date

import pyoxigraph as ox

from aimstrace.graph.store import Store, WriteSummary
from aimstrace.ontology.iris import AIMS, DATA_BASE, graph_iri

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
    # The value at fault (sh:value, else what the focus holds at the path; None when it holds
    # nothing there) and the requirement's official short title, so reports can show both.
    value: str | None = None
    requirement_title: str | None = None

    def contract_dict(self) -> dict[str, object]:
        """The fields of the `validate --json` contract, in its order."""
        return {
            "severity": self.severity,
            "focus": self.focus,
            "focus_label": self.focus_label,
            "path": self.path,
            "message": self.message,
            "requirement": self.requirement,
            "framework": self.framework,
        }

    def sort_key(self) -> tuple[int, str, str, str, str]:
        """Violations first, then by requirement, focus and message."""
        return (
            SEVERITIES.index(self.severity),
            self.framework or "",
            self.requirement or "",
            self.focus,
            self.message,
        )


@dataclass
class GapReport:
    """Every gap found on one evaluation date."""

    as_of: date
    records: list[GapRecord] = field(default_factory=list)
    engine: str = "pyshacl"

    @property
    def conforms(self) -> bool:
        """True when no result has severity Violation."""
        return not any(r.severity == "Violation" for r in self.records)

    def counts(self) -> dict[str, int]:
        """Number of results per severity (every severity present, zero when none)."""
        found = Counter(r.severity for r in self.records)
        return {s: found.get(s, 0) for s in SEVERITIES}

    def contract(self) -> dict[str, object]:
        """Exactly the `aimstrace validate --json` document."""
        return {
            "conforms": self.conforms,
            "counts": self.counts(),
            "results": [r.contract_dict() for r in sorted(self.records, key=GapRecord.sort_key)],
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


def to_json(report: GapReport, full: bool = False) -> str:
    """The JSON contract; with full=True also the groupings and the owner/system of each gap."""
    document: dict[str, object] = report.contract()
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


def to_markdown(report: GapReport) -> str:
    """A Markdown gap report: summary, then the gaps grouped three ways."""
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
                "| severity | focus | path | message |",
                "|---|---|---|---|",
            ]
            lines += [
                f"| {r.severity} | {_md_cell(r.focus_label)} | {_md_cell(r.path)} "
                f"| {_md_cell(r.message)} |"
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


def to_html(report: GapReport) -> str:
    """A self-contained HTML gap report (inline CSS, no scripts, no external resources)."""
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
                "<table><tr><th>severity</th><th>focus</th><th>path</th><th>message</th></tr>"
            )
            for r in group.records:
                parts.append(
                    f'<tr><td class="{esc(r.severity)}">{esc(r.severity)}</td>'
                    f'<td title="{esc(r.focus)}">{esc(r.focus_label)}</td>'
                    f"<td>{esc(r.path or '')}</td><td>{esc(r.message)}</td></tr>"
                )
            parts.append("</table></details>")
    parts.append("</body></html>")
    return "\n".join(parts)


# ----- write-back --------------------------------------------------------------------------------


def nonconformity_iri(record: GapRecord) -> str:
    """Deterministic IRI of the nonconformity a gap becomes (same gap, same IRI)."""
    key = f"{record.requirement_iri}|{record.focus}|{record.path}|{record.message}"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return f"{DATA_BASE}nonconformity/gap-{digest}"


def nonconformity_triples(report: GapReport) -> list[ox.Triple]:
    """The gaps as aims:Nonconformity nodes linked to their requirement and focus entity."""
    triples: list[ox.Triple] = []
    xsd_date = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
    for record in report.records:
        node = ox.NamedNode(nonconformity_iri(record))
        triples += [
            ox.Triple(node, RDF_TYPE, ox.NamedNode(str(AIMS["Nonconformity"]))),
            ox.Triple(node, RDFS_LABEL, ox.Literal(f"{record.severity}: {record.focus_label}")),
            ox.Triple(node, ox.NamedNode(DCTERMS + "description"), ox.Literal(record.message)),
            ox.Triple(node, ox.NamedNode(DCTERMS + "subject"), ox.NamedNode(record.focus)),
            ox.Triple(node, ox.NamedNode(DCTERMS + "type"), ox.Literal(record.severity)),
            ox.Triple(
                node,
                ox.NamedNode(DCTERMS + "date"),
                ox.Literal(report.as_of.isoformat(), datatype=xsd_date),
            ),
        ]
        if record.requirement_iri:
            triples.append(
                ox.Triple(
                    node,
                    ox.NamedNode(str(AIMS["concernsRequirement"])),
                    ox.NamedNode(record.requirement_iri),
                )
            )
    return triples


def write_back(store: Store, report: GapReport) -> WriteSummary:
    """Replace the gaps graph with this report's nonconformities, in one transaction."""
    return store.replace_graph(GAPS_GRAPH, nonconformity_triples(report))
