"""The EU AI Act obligations as they stand on one evaluation date, for the validation shapes.

The derived graph (graph/eu_obligations.py) holds every obligation of every system in every
version of the Act with its dates; the shapes need only which duties apply on the date D and which
will apply within the planning horizon. Joining the whole derived graph again for every system
and check grew superlinearly, so this view is computed once per validation for all systems:
one SELECT over the derived graph on D, and one SELECT per check of what is present (risk
records, evidence, controls), so each upcoming obligation's Info message can say what will be
missing on its date. The shapes (ontology/shapes/eu-ai-act.ttl) read only the view's triples.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import pyoxigraph as ox

from aimstrace.graph.store import Store
from aimstrace.ontology.iris import graph_iri

_AIMS = "https://w3id.org/aimstrace/ns#"
_EU = "https://w3id.org/aimstrace/catalog/eu-ai-act/"
_ISO = "https://w3id.org/aimstrace/catalog/iso42001/"
DUTY_IN_FORCE = ox.NamedNode(_AIMS + "dutyInForce")
# The systems with a duty in force that a shape checks (CHECKS): the duty shapes' target, so on a
# date before the high-risk duties apply they have no focus node instead of every system.
CHECKED_DUTY_IN_FORCE = ox.NamedNode(_AIMS + "checkedDutyInForce")
UPCOMING_FOR = ox.NamedNode(_AIMS + "upcomingFor")
UPCOMING_MESSAGE = ox.NamedNode(_AIMS + "upcomingMessage")
DERIVED_GRAPH = ox.NamedNode(str(graph_iri("derived", "eu-obligations")))
# Derived facts the classification checks read as they are (routes, roles, the Art. 27(1) need).
COPIED = tuple(
    ox.NamedNode(_AIMS + local) for local in ("euRoute", "roleOf", "role", "derivedRequiresFRIA")
)
#: What the view gives the shapes, as N-Triples tokens (compared with ShapeSet.read_predicates()).
VIEW_TERMS = frozenset(
    f"<{term.value}>".encode()
    for term in (DUTY_IN_FORCE, CHECKED_DUTY_IN_FORCE, UPCOMING_FOR, UPCOMING_MESSAGE, *COPIED)
)

# The obligation definitions (catalog, about 125): provision, title, article, date and version.
_DEFINITIONS = """
PREFIX aims: <https://w3id.org/aimstrace/ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?definition ?article ?provision ?title ?defined ?validFrom ?validUntil WHERE {
  ?definition a aims:ObligationDefinition ; aims:createdBy ?article ;
    aims:provisionNotation ?provision ; skos:prefLabel ?title ; aims:appliesFrom ?defined ;
    aims:inVersion ?version .
  ?version aims:validFrom ?validFrom .
  OPTIONAL { ?version aims:validUntil ?validUntil }
}"""
_P_OBLIGED = ox.NamedNode(_AIMS + "obligedSystem")
_P_DEFINITION = ox.NamedNode(_AIMS + "definition")
_P_OVERRIDE = ox.NamedNode(_AIMS + "appliesFromOverride")
_P_REASON = ox.NamedNode(_AIMS + "notApplicableReason")


@dataclass(frozen=True)
class Check:
    """What a shape of eu-ai-act.ttl looks for, as a pattern binding ?system where it is present
    (or, with `lacking`, where it is not), and what is missing when it is not."""

    missing: str
    pattern: str
    lacking: bool = False


# Keep in step with the shapes of ontology/shapes/eu-ai-act.ttl (tests/graph/test_eu_view.py
# checks that a system the Info message calls complete gets no result once the date comes).
CHECKS: dict[str, Check] = {
    "Art._9": Check(
        "a risk recorded against it (aims:affectsSystem)", "?risk aims:affectsSystem ?system"
    ),
    "Art._10": Check(
        "a quality check and provenance record for every data set it uses",
        "?system aims:usesDataset ?dataset ."
        " FILTER (NOT EXISTS { ?dataset aims:qualityCheck ?check }"
        " || NOT EXISTS { ?dataset aims:provenance ?record })",
        lacking=True,
    ),
    "Art._11": Check(
        "technical documentation evidence (Annex IV)",
        "?evidence aims:supports ?system ; aims:evidenceType aims:evidence-technical-documentation",
    ),
    "Art._12": Check(
        "event-log evidence",
        "?evidence aims:supports ?system ; aims:evidenceType aims:evidence-event-log",
    ),
    "Art._13": Check("its intended use (instructions for use)", "?system aims:intendedUse ?use"),
    "Art._14": Check(
        "an implemented human-oversight control (ISO/IEC 42001 A.9.2, A.9.3) or Art. 14 evidence",
        "{ ?system ^aims:affectsSystem/^aims:treatsRisk/aims:usesControl ?control ."
        " ?control aims:controlStatus aims:status-implemented ;"
        " aims:implementsRequirement ?oversight ."
        f" FILTER (?oversight IN (<{_ISO}A.9.2>, <{_ISO}A.9.3>)) }}"
        f" UNION {{ ?evidence aims:supports ?system , <{_EU}Art._14> }}",
    ),
    "Art._15": Check(
        "verification and validation evidence",
        "?evidence aims:supports ?system ; aims:evidenceType aims:evidence-verification-validation",
    ),
    "Art._26": Check(
        "monitoring or event-log evidence",
        "?evidence aims:supports ?system ; aims:evidenceType ?kind ."
        " FILTER (?kind IN (aims:evidence-monitoring, aims:evidence-event-log))",
    ),
    "Art._27": Check(
        "a fundamental rights impact assessment (aims:isFRIA true)",
        "?assessment aims:assessesSystem ?system ; aims:isFRIA true",
    ),
    "Art._49": Check(
        "evidence of its registration in the EU database",
        f"?evidence aims:supports ?system , <{_EU}Art._49>",
    ),
    "Art._72": Check(
        "a post-market monitoring plan (monitoring evidence)",
        "?evidence aims:supports ?system ; aims:evidenceType aims:evidence-monitoring",
    ),
}  # fmt: skip


def _systems_with(store: Store, check: Check) -> set[ox.NamedNode]:
    """The systems the check's pattern binds (the pattern is packaged text, no user value)."""
    query = f"PREFIX aims: <{_AIMS}>\nSELECT DISTINCT ?system WHERE {{ {check.pattern} }}"
    return {_node(row, "system") for row in store.select(query)}


@dataclass(frozen=True)
class Upcoming:
    """One obligation that applies after the evaluation date, within the planning horizon."""

    application: ox.NamedNode
    system: ox.NamedNode
    article: str  # catalog local name, e.g. Art._9
    provision: str
    title: str
    applies_from: str


def _node(row: Mapping[str, object], name: str) -> ox.NamedNode:
    term = row[name]
    assert isinstance(term, ox.NamedNode)
    return term


def _text(row: Mapping[str, object], name: str) -> str:
    return str(getattr(row[name], "value", row[name]))


def _by_subject(store: Store, predicate: ox.NamedNode) -> dict[object, object]:
    return {
        q.subject: q.object for q in store.quads_for_pattern(None, predicate, None, DERIVED_GRAPH)
    }


def on_date_view(store: Store, as_of: date, horizon_end: date) -> list[ox.Triple]:
    """The duties in force on `as_of` (system aims:dutyInForce article), the obligations applying
    after it up to `horizon_end` with what will be missing then, and the derived routes, roles
    and FRIA need."""
    # One pass over each predicate of the derived graph, joined in Python: a SPARQL join of the
    # applications with the catalog took 1.6 s CPU at 100k triples, this 0.1 s.
    day, end = as_of.isoformat(), horizon_end.isoformat()
    definitions: dict[object, Mapping[str, object]] = {}
    for row in store.select(_DEFINITIONS):
        until = row.get("validUntil")
        if _text(row, "validFrom") <= day and (until is None or day <= _text(row, "validUntil")):
            definitions[row["definition"]] = row
    applied = _by_subject(store, _P_DEFINITION)
    overrides = _by_subject(store, _P_OVERRIDE)
    excused = _by_subject(store, _P_REASON)
    triples: set[ox.Triple] = set()
    upcoming: list[Upcoming] = []
    for quad in store.quads_for_pattern(None, _P_OBLIGED, None, DERIVED_GRAPH):
        application, system = quad.subject, quad.object
        definition = definitions.get(applied.get(application))
        if definition is None or application in excused:
            continue
        override = overrides.get(application)
        applies_from = str(getattr(override, "value", None) or _text(definition, "defined"))
        if applies_from > end:
            continue
        assert isinstance(application, ox.NamedNode) and isinstance(system, ox.NamedNode)
        article = _node(definition, "article")
        name = article.value[len(_EU) :]
        if applies_from <= day:
            triples.add(ox.Triple(system, DUTY_IN_FORCE, article))
            if name in CHECKS:
                triples.add(ox.Triple(system, CHECKED_DUTY_IN_FORCE, article))
            continue
        upcoming.append(
            Upcoming(
                application,
                system,
                name,
                _text(definition, "provision"),
                _text(definition, "title"),
                applies_from,
            )
        )
    present = {
        name: _systems_with(store, CHECKS[name])
        for name in sorted({u.article for u in upcoming} & set(CHECKS))
    }
    for item in upcoming:
        check = CHECKS.get(item.article)
        if check is None:
            what = "no check reads it yet"
        else:
            found = item.system in present[item.article]
            lacks = found if check.lacking else not found
            what = (
                f"missing on that date: {check.missing}"
                if lacks
                else "nothing it checks is missing"
            )
        message = f"{item.provision} applies from {item.applies_from}: {item.title}; {what}"
        triples.add(ox.Triple(item.application, UPCOMING_FOR, item.system))
        triples.add(ox.Triple(item.application, UPCOMING_MESSAGE, ox.Literal(message)))
    triples.update(_copied(store))
    return sorted(triples, key=str)


def _copied(store: Store) -> Iterable[ox.Triple]:
    for predicate in COPIED:
        for quad in store.quads_for_pattern(None, predicate, None, DERIVED_GRAPH):
            yield quad.triple


def view_ntriples(store: Store, as_of: date, horizon_end: date) -> bytes:
    """The view as N-Triples, serialized by Oxigraph."""
    triples = on_date_view(store, as_of, horizon_end)
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
