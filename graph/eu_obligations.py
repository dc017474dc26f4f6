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


def derive_obligations(store: Store) -> DerivationReport:
    """Run every rule over the store and make the derived graph hold exactly their output."""
    started = time.perf_counter()
    before = {q.triple for q in store.quads(OBLIGATIONS_GRAPH)}
    store.replace_graph(OBLIGATIONS_GRAPH, ())
    derived: set[ox.Triple] = set()
    per_rule: dict[str, int] = {}
    for name, text in rules():
        result = store.query(text)
        if not isinstance(result, ox.QueryTriples):
            raise StoreError(f"{name}: a derivation rule must be a CONSTRUCT query")
        new = {t for t in result if t not in derived}
        per_rule[name] = len(new)
        if new:
            derived |= new
            quads = tuple(ox.Quad(t.subject, t.predicate, t.object, OBLIGATIONS_GRAPH) for t in new)
            store.apply(Changeset(add=quads))
    store.flush()
    applications = per_rule.get("40-obligations.rq", 0) // 4
    written = WriteSummary(
        added=len(derived - before), removed=len(before - derived), graphs={OBLIGATIONS_GRAPH.value}
    )
    seconds = time.perf_counter() - started
    return DerivationReport(len(derived), applications, per_rule, seconds, written)
