"""The Statement of Applicability summarised: one entry per ISO/IEC 42001 Annex A control.

The `statement-of-applicability` named query has a row per (control, implementing control,
evidence); at a million triples that is about 20,000 rows (over the API's row cap, seconds to
read). A page or a report shows one line per Annex A control: the decision, how many of the
organisation's controls implement it and in which status, how much evidence they hold, and the
first few of each. Three aggregate queries and one LATERAL sample give that from the store's
indexes; the counts are the named query's, de-duplicated (tests/api/test_api_routes.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aimstrace.graph.catalog import natural_key
from aimstrace.graph.store import Store

_PREFIXES = """PREFIX aims: <https://w3id.org/aimstrace/ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
_ANNEX_A = """?requirement a aims:ReferenceControl ;
    skos:inScheme <https://w3id.org/aimstrace/catalog/iso42001> ;
    skos:notation ?notation ."""

_DECISIONS = (
    _PREFIXES
    + f"""SELECT ?requirement ?notation ?title ?applicable ?justification ?status WHERE {{
  {_ANNEX_A}
  OPTIONAL {{ ?requirement skos:prefLabel ?prefLabel }}
  BIND(STR(?prefLabel) AS ?title)
  OPTIONAL {{
    ?decision aims:decisionFor ?requirement .
    OPTIONAL {{ ?decision aims:applicable ?applicable }}
    OPTIONAL {{ ?decision aims:justification ?justificationText }}
    OPTIONAL {{ ?decision aims:controlStatus ?decisionStatus }}
  }}
  BIND(STR(?justificationText) AS ?justification)
  BIND(STRAFTER(STR(?decisionStatus), "#status-") AS ?status)
}}"""
)
_STATUSES = (
    _PREFIXES
    + f"""SELECT ?requirement ?status (COUNT(DISTINCT ?control) AS ?controls) WHERE {{
  {_ANNEX_A}
  ?control aims:implementsRequirement ?requirement .
  OPTIONAL {{ ?control aims:controlStatus ?controlStatus }}
  BIND(COALESCE(STRAFTER(STR(?controlStatus), "#status-"), "") AS ?status)
}} GROUP BY ?requirement ?status"""
)
_TOTALS = (
    _PREFIXES
    + f"""SELECT ?requirement (COUNT(DISTINCT ?control) AS ?controls)
    (COUNT(DISTINCT ?evidence) AS ?evidence_count) WHERE {{
  {_ANNEX_A}
  ?control aims:implementsRequirement ?requirement .
  OPTIONAL {{ ?control aims:hasEvidence ?evidence }}
}} GROUP BY ?requirement"""
)


def _sample(column: str, pattern: str, size: int) -> str:
    # The first `size` by IRI, per Annex A control (LATERAL: evaluated with ?requirement bound;
    # the sub-SELECT projects it, or it would be a variable of its own).
    return (
        _PREFIXES
        + f"""SELECT ?requirement ?{column} WHERE {{
  {_ANNEX_A}
  LATERAL {{
    SELECT DISTINCT ?requirement ?{column} WHERE {{ {pattern} }} ORDER BY ?{column} LIMIT {size}
  }}
}}"""
    )


@dataclass
class SoaEntry:
    """One Annex A control: the decision, and what implements it (counted, and the first few)."""

    requirement: str
    notation: str
    title: str | None = None
    applicable: bool | None = None
    justification: str | None = None
    # The decision's status; else the one status every implementing control has; else None.
    status: str | None = None
    statuses: dict[str, int] = field(default_factory=dict)
    implemented_total: int = 0
    evidence_total: int = 0
    implemented_by: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)


def _value(row: dict[str, Any], name: str) -> Any:
    term = row.get(name)
    return None if term is None else term.value


def soa_summary(store: Store, sample: int = 10) -> list[SoaEntry]:
    """Every Annex A control once, in notation order, with counts and the first `sample`
    implementing controls and evidence (IRIs)."""
    entries: dict[str, SoaEntry] = {}
    for row in store.select(_DECISIONS):
        iri = row["requirement"].value
        entry = entries.setdefault(iri, SoaEntry(requirement=iri, notation=_value(row, "notation")))
        entry.title = entry.title or _value(row, "title")
        if row.get("applicable") is not None and entry.applicable is None:
            entry.applicable = row["applicable"].value == "true"
        entry.justification = entry.justification or _value(row, "justification")
        entry.status = entry.status or _value(row, "status") or None
    for row in store.select(_STATUSES):
        entry = entries[row["requirement"].value]
        entry.statuses[_value(row, "status") or "not stated"] = int(row["controls"].value)
    for row in store.select(_TOTALS):
        entry = entries[row["requirement"].value]
        entry.implemented_total = int(row["controls"].value)
        entry.evidence_total = int(row["evidence_count"].value)
    controls = "?implemented aims:implementsRequirement ?requirement"
    for row in store.select(_sample("implemented", controls, sample)):
        entries[row["requirement"].value].implemented_by.append(row["implemented"].value)
    evidence = f"{controls} . ?implemented aims:hasEvidence ?evidence"
    for row in store.select(_sample("evidence", evidence, sample)):
        entries[row["requirement"].value].evidence.append(row["evidence"].value)
    for entry in entries.values():
        entry.implemented_by.sort()
        entry.evidence.sort()
        if entry.status is None and len(entry.statuses) == 1:
            only = next(iter(entry.statuses))
            entry.status = None if only == "not stated" else only
    return sorted(entries.values(), key=lambda e: natural_key(e.notation))
