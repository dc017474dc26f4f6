"""EU AI Act obligations derived from classification and roles, by rules kept as data.

The rules are SPARQL CONSTRUCT files in ``ontology/shapes/rules/eu-ai-act/``, run in file-name
order; each reads the store (organisation, catalog, and what the earlier rules derived) and
adds its triples to the graph ``derived/eu-obligations``, which is rebuilt from nothing on every
run so that nothing stale feeds a rule. The catalog's obligation definitions carry the dates and
the provision that creates each obligation; the rules only decide which definitions reach which
system in which role. Reading an obligation "on date D" selects the version of the Act in force
on D (queries/eu-obligations.rq).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

from aimstrace.graph.store import Changeset, Store, StoreError, WriteSummary
from aimstrace.ontology import data_path
from aimstrace.ontology.iris import graph_iri

OBLIGATIONS_GRAPH = ox.NamedNode(str(graph_iri("derived", "eu-obligations")))
RULES_FOLDER = ("shapes", "rules", "eu-ai-act")


@dataclass
class DerivationReport:
    """What one derivation run produced, rule by rule."""

    triples: int
    applications: int
    per_rule: dict[str, int]
    seconds: float
    # The net change to the derived graph (a re-run over unchanged data writes nothing net).
    written: WriteSummary


@lru_cache(maxsize=1)
def rules() -> tuple[tuple[str, str], ...]:
    """The packaged rules as (file name, SPARQL text), in the order they run."""
    folder = data_path(*RULES_FOLDER)
    found = [(r.name, r.read_text(encoding="utf-8")) for r in folder.iterdir()]
    return tuple(sorted((name, text) for name, text in found if name.endswith(".rq")))


VOCABULARY = ox.NamedNode(str(graph_iri("vocabulary")))
CATALOG = ox.NamedNode(str(graph_iri("catalog", "eu-ai-act")))
ORG = ox.NamedNode(str(graph_iri("org")))
_AIMS = "https://w3id.org/aimstrace/ns#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
#: The organisation predicates the rules read; only these are copied for a derivation.
READ_PREDICATES = tuple(
    ox.NamedNode(_AIMS + local)
    for local in (
        "excludedFromScope", "lifecycleStage", "annexIIIPoint", "claimsDerogation",
        "performsProfiling", "annexIAct", "transparencyCase", "gpaiClass", "euAIActRole",
        "roleChange", "placedOnMarket", "significantChange", "publicBody",
        "publicServiceProvider", "enterpriseSize",
    )
)  # fmt: skip
READ_TYPES = (ox.NamedNode(_AIMS + "AISystem"), ox.NamedNode(_AIMS + "Organization"))


def _relevant(quad: ox.Quad) -> bool:
    if quad.predicate == RDF_TYPE:
        return quad.object in READ_TYPES
    return quad.predicate in READ_PREDICATES


def _inputs(store: Store, pending: Changeset | None) -> list[ox.Quad]:
    """What the rules read: vocabulary, the EU AI Act catalog, and the organisation predicates
    they use, as the store will hold them once `pending` is applied."""
    reader = store.oxigraph
    quads = [*reader.quads_for_pattern(None, None, None, VOCABULARY)]
    quads += reader.quads_for_pattern(None, None, None, CATALOG)
    removed = set(pending.remove) if pending else set()
    for predicate in READ_PREDICATES:
        quads += (
            q for q in reader.quads_for_pattern(None, predicate, None, ORG) if q not in removed
        )
    for cls in READ_TYPES:
        quads += (q for q in reader.quads_for_pattern(None, RDF_TYPE, cls, ORG) if q not in removed)
    if pending:
        quads += (q for q in pending.add if _relevant(q))
    return quads


def derive_changes(
    store: Store, pending: Changeset | None = None
) -> tuple[Changeset, DerivationReport]:
    """The change that makes the derived graph hold exactly the rules' output over the store as
    it will be after `pending`: computed in a scratch store, so it can be written in the same
    transaction as `pending` and no reader sees the organisation without its obligations."""
    started = time.perf_counter()
    against = store.stable_generation()
    scratch = ox.Store()
    scratch.extend(_inputs(store, pending))
    # Quads of the derived graph from the start: each derived triple becomes one ox.Quad, once.
    derived: set[ox.Quad] = set()
    per_rule: dict[str, int] = {}
    names = [name for name, _ in rules()]
    for name, text in rules():
        result = scratch.query(text, use_default_graph_as_union=True)
        if not isinstance(result, ox.QueryTriples):
            raise StoreError(f"{name}: a derivation rule must be a CONSTRUCT query")
        new = {ox.Quad(t.subject, t.predicate, t.object, OBLIGATIONS_GRAPH) for t in result}
        new -= derived
        per_rule[name] = len(new)
        derived |= new
        if name != names[-1]:  # the last rule's output is read by no later rule
            scratch.extend(new)
    before = set(store.quads(OBLIGATIONS_GRAPH))
    changes = Changeset(
        remove=tuple(before - derived), add=tuple(derived - before), against=against
    )
    written = WriteSummary(
        added=len(changes.add), removed=len(changes.remove), graphs={OBLIGATIONS_GRAPH.value}
    )
    # Rule 40's template writes three triples per application (system, definition, role).
    applications = per_rule.get("40-obligations.rq", 0) // 3
    seconds = time.perf_counter() - started
    return changes, DerivationReport(len(derived), applications, per_rule, seconds, written)


def derive_obligations(store: Store) -> DerivationReport:
    """Re-derive every system's obligations and write the net change in one transaction."""
    changes, report = derive_changes(store)
    store.apply(changes)
    store.flush()
    return report


_FRIA = """
PREFIX aims: <https://w3id.org/aimstrace/ns#>
SELECT $system ?stated ?derived WHERE {
  OPTIONAL { $system aims:requiresFRIA ?stated }
  OPTIONAL { $system aims:derivedRequiresFRIA ?derived }
}"""

_SUPPORT = """
PREFIX aims: <https://w3id.org/aimstrace/ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT $system ?notation ?control ?evidence WHERE {
  ?application aims:obligedSystem $system ; aims:definition/aims:createdBy ?article .
  ?article skos:notation ?notation .
  {
    ?evidence aims:supports $system , ?article .
  } UNION {
    { ?mapping aims:mappingSubject ?requirement ; aims:mappingObject ?article }
    UNION { ?mapping aims:mappingObject ?requirement ; aims:mappingSubject ?article }
    ?mapping aims:relationship ?relationship .
    FILTER (?relationship != aims:no-relationship)
    ?control aims:implementsRequirement ?requirement ; aims:controlStatus aims:status-implemented .
  }
}"""

_TIMELINE = """
PREFIX aims: <https://w3id.org/aimstrace/ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?system ?id ?key ?provision ?title ?role ?basis ?version ?from ?override ?reason ?source
WHERE {
  ?application aims:obligedSystem ?system ; aims:definition ?definition ; aims:asRole ?assignment .
  ?system dcterms:identifier ?id .
  ?definition skos:notation ?key ; aims:provisionNotation ?provision ; skos:prefLabel ?title ;
    aims:inVersion/skos:notation ?version ; aims:appliesFrom ?from ; dcterms:source ?source .
  ?assignment aims:role ?roleNode ; aims:roleBasis ?basis .
  BIND(STRAFTER(STR(?roleNode), "#role-") AS ?role)
  OPTIONAL { ?application aims:appliesFromOverride ?override }
  OPTIONAL { ?application aims:notApplicableReason ?reason }
}"""


_RELIEF = """
PREFIX aims: <https://w3id.org/aimstrace/ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT $system ?scope ?version ?article ?provision ?relief ?condition ?from ?source
WHERE {
  { $system ^aims:obligedSystem ?holder . BIND("obligation" AS ?scope) }
  UNION { ?holder a aims:Organization . BIND("organisation" AS ?scope) }
  ?holder aims:sizeRelief ?node .
  ?node aims:inVersion/skos:notation ?version ; aims:relievesArticle/skos:notation ?article ;
    aims:reliefProvision ?provision ; skos:prefLabel ?relief ; dcterms:source ?source .
  OPTIONAL { ?node aims:reliefCondition ?condition }
  OPTIONAL { ?node aims:reliefFrom ?from }
}"""


def _value(row: Mapping[str, object], name: str) -> str | None:
    term = row.get(name)
    return None if term is None else str(getattr(term, "value", term))


def fria_check(store: Store, system: str) -> dict[str, object]:
    """The stated and the derived Art. 27(1) FRIA need of a system, and whether they contradict."""
    rows = store.select(_FRIA, {"system": ox.NamedNode(system)})
    stated = derived = None
    for row in rows:
        if row.get("stated") is not None:
            stated = _value(row, "stated") == "true"
        if row.get("derived") is not None:
            derived = True
    derived_value = bool(derived)
    contradiction = stated is not None and stated != derived_value
    message = None
    if contradiction:
        message = (
            f"[EU AI Act Art. 27(1)] requires_fria is stated {str(stated).lower()} but the "
            f"Art. 27(1) conditions give {str(derived_value).lower()}"
        )
    return {
        "stated": stated,
        "derived": derived_value,
        "contradiction": contradiction,
        "message": message,
    }


def support(store: Store, system: str) -> dict[str, tuple[list[str], list[str]]]:
    """Per article notation: implemented controls mapped to it, evidence supporting it here."""
    found: dict[str, tuple[set[str], set[str]]] = {}
    for row in store.select(_SUPPORT, {"system": ox.NamedNode(system)}):
        notation = _value(row, "notation") or ""
        controls, evidence = found.setdefault(notation, (set(), set()))
        if row.get("control") is not None:
            controls.add(_value(row, "control") or "")
        if row.get("evidence") is not None:
            evidence.add(_value(row, "evidence") or "")
    return {k: (sorted(c), sorted(e)) for k, (c, e) in found.items()}


def size_relief(
    store: Store, system: str
) -> tuple[
    dict[tuple[str, str], list[dict[str, str | None]]], dict[str, list[dict[str, str | None]]]
]:
    """The SME / small mid-cap reliefs rule 60-size-relief.rq derived: per (version, article) of
    the system's obligations, and per version on the organisation (fine caps)."""
    per_obligation: dict[tuple[str, str], list[dict[str, str | None]]] = {}
    per_version: dict[str, list[dict[str, str | None]]] = {}
    seen: set[tuple[str, ...]] = set()
    for row in store.select(_RELIEF, {"system": ox.NamedNode(system)}):
        version, article = _value(row, "version") or "", _value(row, "article") or ""
        entry = {
            "provision": _value(row, "provision"),
            "relief": _value(row, "relief"),
            "condition": _value(row, "condition"),
            "from": _value(row, "from"),
            "source": _value(row, "source"),
        }
        on_org = _value(row, "scope") == "organisation"
        key = (str(on_org), version, article, str(entry["provision"]))
        if key in seen:
            continue
        seen.add(key)
        if on_org:
            per_version.setdefault(version, []).append(entry)
        else:
            per_obligation.setdefault((version, article), []).append(entry)
    return per_obligation, per_version


def timeline(store: Store) -> list[dict[str, object]]:
    """Every dated obligation of every system as amended, with the 2024 date it replaced."""
    by_key: dict[tuple[str, str, str, str], dict[str, dict[str, str | None]]] = {}
    for row in store.select(_TIMELINE):
        key = (
            _value(row, "id") or "",
            _value(row, "key") or "",
            _value(row, "role") or "",
            _value(row, "basis") or "",
        )
        version = _value(row, "version") or ""
        by_key.setdefault(key, {})[version] = {
            "provision": _value(row, "provision"),
            "title": _value(row, "title"),
            "from": _value(row, "override") or _value(row, "from"),
            "reason": _value(row, "reason"),
            "source": _value(row, "source"),
        }
    out: list[dict[str, object]] = []
    for (system, definition_key, role, basis), versions in by_key.items():
        now, before = versions.get("2026"), versions.get("2024")
        current = now or before
        assert current is not None
        if now is None:
            change = "removed by Regulation (EU) 2026/1744"
        elif before is None:
            change = "inserted by Regulation (EU) 2026/1744"
        elif before["from"] != now["from"]:
            change = f"moved from {before['from']} by Regulation (EU) 2026/1744"
        else:
            change = "unchanged"
        out.append(
            {
                "system": system,
                "date": current["from"] if now else before["from"] if before else None,
                "provision": current["provision"],
                "title": current["title"],
                "role": role,
                "role_basis": basis,
                "change": change,
                "date_2024_text": before["from"] if before else None,
                "not_applicable": current["reason"],
                "source": current["source"],
                "key": definition_key,
            }
        )
    out.sort(key=lambda r: (str(r["system"]), str(r["date"]), str(r["provision"]), str(r["role"])))
    return out
