"""The pillar (transparency, accountability, fairness) of each ISO/IEC 42001 requirement."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import yaml


@dataclass(frozen=True)
class Assignment:
    """One requirement's pillar and the one-line reason for it."""

    pillar: str
    reason: str


def _load() -> tuple[dict[str, str], dict[str, Assignment]]:
    text = (
        resources.files("aimstrace.api.reports")
        .joinpath("pillars.yaml")
        .read_text(encoding="utf-8")
    )
    data = yaml.safe_load(text)
    pillars = {str(k): str(v) for k, v in data["pillars"].items()}
    assignments: dict[str, Assignment] = {}
    for notation, (pillar, reason) in data["assignments"].items():
        if pillar not in pillars:
            raise ValueError(f"pillars.yaml: {notation}: unknown pillar {pillar!r}")
        assignments[str(notation)] = Assignment(str(pillar), str(reason))
    return pillars, assignments


PILLARS, ASSIGNMENTS = _load()


def pillar_of(notation: str) -> Assignment | None:
    """The assignment of an ISO/IEC 42001 requirement, or of its nearest assigned parent."""
    probe = notation
    while probe:
        if probe in ASSIGNMENTS:
            return ASSIGNMENTS[probe]
        probe = probe.rsplit(".", 1)[0] if "." in probe else ""
    return None
