"""Filtering, facets and grouping of gap records: one implementation for the API, the workbench
and the reports, so a filter means the same thing everywhere."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast

from aimstrace.graph.store import Store
from aimstrace.graph.validation.gaps import SEVERITIES, GapRecord

GROUPINGS = ("requirement", "system", "owner")
NO_REQUIREMENT = "(no requirement)"
NO_OWNER = "(no accountable owner)"
NONE = "(none)"  # the filter value that picks gaps without a requirement, system or owner


@dataclass(frozen=True)
class GapFilter:
    """Which gaps to keep; None keeps all. system/owner match the id (`SYS-001`) or full label."""

    severity: str | None = None
    framework: str | None = None
    requirement: str | None = None
    system: str | None = None
    owner: str | None = None
    text: str | None = None

    def keeps(self, record: GapRecord) -> bool:
        """True when the record passes every filter that is set."""
        if self.severity is not None and record.severity != self.severity:
            return False
        if self.framework is not None and record.framework != self.framework:
            return False
        if self.requirement is not None and (record.requirement or NONE) != self.requirement:
            return False
        if self.system is not None and not _system_matches(record, self.system):
            return False
        if self.owner is not None and not _names(record.owner, self.owner):
            return False
        if self.text is not None:
            needle = self.text.casefold()
            haystack = " ".join(
                v or ""
                for v in (
                    record.focus_label,
                    record.message,
                    record.system,
                    record.owner,
                    record.requirement,
                    record.shown_value,
                )
            ).casefold()
            if needle not in haystack:
                return False
        return True

    def describe(self) -> str:
        """The filters that are set, as text ('' when none)."""
        parts = [
            f"{name} {value}"
            for name, value in (
                ("severity", self.severity),
                ("framework", self.framework),
                ("requirement", self.requirement),
                ("system", self.system),
                ("owner", self.owner),
                ("text", self.text),
            )
            if value is not None
        ]
        return ", ".join(parts)


def requirement_problem(store: Store, gap_filter: GapFilter) -> str | None:
    """Why the filter's requirement names no requirement (with a "did you mean"), else None: a
    mistyped notation must not read as "no gaps"."""
    if gap_filter.requirement is None or gap_filter.requirement == NONE:
        return None
    from aimstrace.graph.catalog import unknown_notation

    return unknown_notation(store, gap_filter.requirement, gap_filter.framework)


def _names(label: str | None, wanted: str) -> bool:
    if label is None:
        return wanted == NONE
    return label == wanted or label.split(" ", 1)[0] == wanted


def _system_matches(record: GapRecord, wanted: str) -> bool:
    # "(none):vendor" picks the gaps tied to no AI system whose entity is a vendor.
    if wanted.startswith(NONE + ":") and record.system is None:
        return focus_kind(record) == wanted[len(NONE) + 1 :]
    return _names(record.system, wanted)


def focus_kind(record: GapRecord) -> str:
    """The kind segment of the focus IRI (`vendor`, `control`, ...), '' when there is none."""
    parts = record.focus.rstrip("/").split("/")
    return parts[-2] if len(parts) >= 2 else ""


def label_id(label: str | None) -> str | None:
    """The register id at the start of an `ID label` text (`SYS-001 Retail credit` -> SYS-001)."""
    return label.split(" ", 1)[0] if label else None


def select(records: Iterable[GapRecord], gap_filter: GapFilter) -> list[GapRecord]:
    """The records the filter keeps, in report order (violations first)."""
    return sorted((r for r in records if gap_filter.keeps(r)), key=GapRecord.sort_key)


def scope_of(record: GapRecord) -> str:
    """Where a gap not tied to one AI system sits: the kind of its focus (vendor, control, ...)."""
    if record.system:
        return record.system
    return f"(not tied to one AI system: {focus_kind(record).replace('-', ' ') or 'other'})"


@dataclass(frozen=True)
class GroupKey:
    """One group of a grouping: the filter value that selects it and how to show it."""

    value: str
    label: str
    framework: str | None = None


def key_of(record: GapRecord, grouping: str) -> GroupKey:
    """The group a record falls in for one grouping."""
    if grouping == "requirement":
        if record.requirement is None:
            return GroupKey(NONE, NO_REQUIREMENT)
        return GroupKey(record.requirement, record.requirement, record.framework)
    if grouping == "system":
        if record.system is None:
            return GroupKey(f"{NONE}:{focus_kind(record)}", scope_of(record))
        return GroupKey(label_id(record.system) or "", record.system)
    if grouping == "owner":
        if record.owner is None:
            return GroupKey(NONE, NO_OWNER)
        return GroupKey(label_id(record.owner) or "", record.owner)
    raise ValueError(f"unknown grouping {grouping!r}; expected one of {', '.join(GROUPINGS)}")


def severity_counts(records: Iterable[GapRecord]) -> dict[str, int]:
    """Records per severity, every severity present."""
    found = Counter(r.severity for r in records)
    return {s: found.get(s, 0) for s in SEVERITIES}


def groups(records: Sequence[GapRecord], grouping: str) -> list[tuple[GroupKey, list[GapRecord]]]:
    """Records grouped one way, the group with the most violations (then warnings) first."""
    found: dict[GroupKey, list[GapRecord]] = {}
    for record in sorted(records, key=GapRecord.sort_key):
        found.setdefault(key_of(record, grouping), []).append(record)
    return sorted(
        found.items(),
        key=lambda item: (
            *(-severity_counts(item[1])[s] for s in SEVERITIES),
            item[0].framework or "",
            item[0].label,
        ),
    )


def facets_of(records: Sequence[GapRecord]) -> dict[str, list[dict[str, object]]]:
    """For each filter, the values present and how many records have each."""
    out: dict[str, list[dict[str, object]]] = {
        "severity": [{"value": s, "count": c} for s, c in severity_counts(records).items() if c],
        "framework": [
            {"value": f, "count": c}
            for f, c in sorted(Counter(r.framework for r in records if r.framework).items())
        ],
    }
    requirement = Counter(
        (r.framework, r.requirement, r.requirement_title) for r in records if r.requirement
    )
    out["requirement"] = [
        {"value": n, "framework": f, "title": t, "count": c}
        for (f, n, t), c in sorted(
            requirement.items(), key=lambda i: (i[0][0] or "", natural_key(i[0][1]))
        )
    ]
    for name in ("system", "owner"):
        labels = Counter(getattr(r, name) for r in records if getattr(r, name))
        out[name] = [
            {"value": label_id(label), "label": label, "count": c}
            for label, c in sorted(labels.items())
        ]
    return out


def top_facets(
    facets: dict[str, list[dict[str, object]]], limit: int | None
) -> dict[str, list[dict[str, object]]]:
    """Each facet's `limit` values with most records (all when None), in the facet's order."""
    if limit is None:
        return facets
    out = {}
    for name, values in facets.items():
        ranked = sorted(range(len(values)), key=lambda i: -cast(int, values[i]["count"]))
        kept = set(ranked[:limit])
        out[name] = [v for i, v in enumerate(values) if i in kept]
    return out


def natural_key(text: str | None) -> tuple[object, ...]:
    import re

    return tuple(
        (0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", text or "") if p
    )
