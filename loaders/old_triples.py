"""The organisation graph's current triples around the entities of a load (read for its diff)."""

from __future__ import annotations

import pyoxigraph as ox

from aimstrace.graph.store import Store
from aimstrace.loaders.references import ORG_GRAPH

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


class OldTriples:
    """The organisation graph's current triples around the entities of a load.

    A big load reads the graph once into memory; a small one asks the store per entity, so
    loading one file into a large store stays fast too. An empty graph needs no reads at all.
    """

    SCAN_RATIO = 20

    def __init__(self, store: Store, entities: int, inverse: set[ox.NamedNode]) -> None:
        self._ox = store.oxigraph
        self._by_subject: dict[Term, list[ox.Quad]] | None = None
        self._by_object: dict[Term, list[ox.Quad]] = {}
        limit = max(1, entities) * self.SCAN_RATIO
        quads = self._ox.quads_for_pattern(None, None, None, ORG_GRAPH)
        sample = list(zip(range(limit), quads, strict=False))
        if len(sample) < limit:
            # The whole graph was small enough to read: index it.
            by_subject: dict[Term, list[ox.Quad]] = {}
            for _, triple in sample:
                by_subject.setdefault(triple.subject, []).append(triple)
                if triple.predicate in inverse:
                    self._by_object.setdefault(triple.object, []).append(triple)
            self._by_subject = by_subject

    def of_subject(self, node: ox.NamedNode) -> set[ox.Quad]:
        """Triples whose subject is node."""
        if self._by_subject is not None:
            return set(self._by_subject.get(node, ()))
        return set(self._ox.quads_for_pattern(node, None, None, ORG_GRAPH))

    def pointing_at(self, node: ox.NamedNode, predicate: ox.NamedNode) -> set[ox.Quad]:
        """Triples (anything, predicate, node)."""
        if self._by_subject is not None:
            return {t for t in self._by_object.get(node, ()) if t.predicate == predicate}
        return set(self._ox.quads_for_pattern(None, predicate, node, ORG_GRAPH))
