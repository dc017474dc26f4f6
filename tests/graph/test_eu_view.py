"""The on-date view of the EU AI Act obligations the shapes read (graph/eu_view.py): the Info
"applies from" messages say what will be missing on that date, and agree with the shapes then."""

from __future__ import annotations

import re
from datetime import date

from test_validation import AS_OF, SHAPES_NS, _with_org, patched_org

from aimstrace.graph.engine import Engine
from aimstrace.graph.validation.runner import build_data, validate

SYSTEM = "https://w3id.org/aimstrace/data/system/"
HORIZON = "organization:ORG-1 aims:planningHorizonMonths"
# The shapes of one article's duty (not the classification checks beside them).
DUTY_SHAPE = re.compile(r"^AISystem-Art\d+-(?!.*Contradiction)(?!prohibited)")
UPCOMING = re.compile(
    r"Within the planning horizon: (?P<provision>Art\. \d+)\S* applies from (?P<date>[\d-]{10}): "
    r"[^;]+; (?P<what>.+); it is not checked before that date\.$"
)


def upcoming(engine: Engine, graph_case: dict[str, object] | None) -> dict[tuple[str, str], str]:
    """(system id, provision) -> what the Info message says will be missing."""
    case = dict(graph_case or {})
    # conforming.ttl's short horizon keeps it free of Info; the default 18 months reaches the
    # Annex III date (2 December 2027).
    case["drop"] = [*case.get("drop", []), HORIZON]  # type: ignore[misc]
    report = validate(_with_org(engine, patched_org(case)), AS_OF, engine="turbo")
    found = {}
    for record in report.records:
        if record.shape == SHAPES_NS + "AISystem-EU-upcoming":
            match = UPCOMING.search(record.message)
            assert match, record.message
            found[(record.focus[len(SYSTEM) :], match["provision"])] = match["what"]
    return found


def test_the_message_says_what_will_be_missing(engine: Engine) -> None:
    complete = upcoming(engine, None)
    assert complete[("SYS-1", "Art. 9")] == "nothing it checks is missing"
    assert complete[("SYS-1", "Art. 17")] == "no check reads it yet"
    no_risk = upcoming(
        engine,
        {"drop": ["risk:RSK-1 aims:affectsSystem system:SYS-1", "risk:RSK-2 aims:affectsSystem"]},
    )
    assert no_risk[("SYS-1", "Art. 9")] == (
        "missing on that date: a risk recorded against it (aims:affectsSystem)"
    )
    no_docs = upcoming(engine, {"drop": ["evidence:EV-TD aims:supports system:SYS-1"]})
    assert no_docs[("SYS-1", "Art. 11")].startswith("missing on that date: technical documentation")


def test_what_the_message_says_is_what_the_shapes_find_on_that_date(engine: Engine) -> None:
    # Some of the duties' records gone, the others kept.
    drop = [
        HORIZON,
        "risk:RSK-1 aims:affectsSystem system:SYS-1",
        "risk:RSK-2 aims:affectsSystem",
        "evidence:EV-TD aims:supports system:SYS-1",
        "evidence:EV-LOG aims:supports system:SYS-2",
        "evidence:EV-MON aims:supports system:SYS-2",
        "dataset:DS-1 aims:qualityCheck",
    ]
    store = _with_org(engine, patched_org({"drop": drop}))
    now = validate(store, AS_OF, engine="turbo")
    said: dict[tuple[str, str, str], bool] = {}
    for record in now.records:
        match = UPCOMING.search(record.message) if "Within the planning" in record.message else None
        if match and not match["what"].startswith("no check"):
            key = (record.focus, match["provision"], match["date"])
            said[key] = match["what"].startswith("missing")
    assert any(said.values()) and not all(said.values())
    for when in sorted({d for _, _, d in said}):
        later = validate(store, when, engine="turbo")
        found = {
            (r.focus, r.requirement)
            for r in later.records
            if r.shape and DUTY_SHAPE.match(r.shape[len(SHAPES_NS) :])
        }
        for (focus, provision, day), missing in said.items():
            if day == when:
                assert ((focus, provision) in found) == missing, (focus, provision, day)


def test_the_shapes_get_the_view_not_the_derived_graph(engine: Engine) -> None:
    store = _with_org(engine, patched_org({"drop": [HORIZON]}))
    data = build_data(store, date.fromisoformat(AS_OF))
    art9 = b"#dutyInForce> <https://w3id.org/aimstrace/catalog/eu-ai-act/Art._9>"
    assert b" <https://w3id.org/aimstrace/ns#obligedSystem> " not in data.ntriples
    assert art9 not in data.ntriples  # Annex III duties apply from 2 December 2027
    assert b"#upcomingMessage>" in data.ntriples
    later = build_data(store, date(2028, 9, 1)).ntriples
    assert art9 in later
    # The duty shapes' target: only duties a shape checks (Art. 9 does, Art. 4 literacy does not).
    checked = b"#checkedDutyInForce> <https://w3id.org/aimstrace/catalog/eu-ai-act/Art._"
    assert checked + b"9>" in later and checked + b"4>" not in later
    assert b"#dutyInForce> <https://w3id.org/aimstrace/catalog/eu-ai-act/Art._4>" in later
    assert checked not in data.ntriples
