"""What a reference in an input may point to: entities of this run, entities already in the
store's organisation graph, and requirements of the catalogs loaded in the store."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import pyoxigraph as ox

from aimstrace.graph.store import Store
from aimstrace.ontology import FRAMEWORK_IDS
from aimstrace.ontology.iris import AIMS, CATALOG_BASE, graph_iri, requirement_iri
from aimstrace.ontology.registers import DCTERMS, REGISTER_BY_CLASS, REGISTER_BY_KIND

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ORG_GRAPH = ox.NamedNode(str(graph_iri("org")))

_CATALOG_CLASSES = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?req ?cls WHERE { ?req skos:inScheme ?scheme ; a ?cls . }
"""

_CLASS_WORDS = {
    "ReferenceControl": "an Annex A control (e.g. A.7.5)",
    "RiskSourceCategory": "an Annex C risk source (C.3.1 to C.3.7)",
    "AnnexPoint": "an EU AI Act Annex III point (e.g. Annex III.4(a))",
    "AnnexArea": "an EU AI Act Annex III area (e.g. Annex III.4)",
    "AnnexIAct": "an EU AI Act Annex I act (Annex I.1 to Annex I.21, e.g. Annex I.11)",
}
_NIST_FUNCTIONS = ("GOVERN", "MAP", "MEASURE", "MANAGE")

AnyTerm = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def text_of(term: AnyTerm) -> str:
    """The lexical value of a term (quoted triples, which inventories never hold, give "")."""
    return "" if isinstance(term, ox.Triple) else term.value


def framework_of_notation(notation: str, default: str) -> tuple[str, str]:
    """(framework id, notation): an explicit `fw:` prefix wins, else the notation's shape."""
    head, sep, rest = notation.partition(":")
    if sep and head.strip() in FRAMEWORK_IDS:
        return head.strip(), rest.strip()
    text = notation.strip()
    if text.startswith(("Annex ", "Art.", "Art ", "Article ")):
        return "eu-ai-act", text
    if text.split(" ")[0].split(".")[0] in _NIST_FUNCTIONS:
        return "nist-ai-rmf", text
    return default, text


class ReferenceIndex:
    """Resolves ids and notations to IRIs, with a message a person can act on when it cannot."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._by_kind_id: dict[tuple[str, str], str] = {}
        self._kinds_by_id: dict[str, set[tuple[str, str]]] = {}
        self._run_iris: set[str] = set()
        self._requirements: dict[str, set[str]] | None = None
        self._frameworks_loaded: set[str] = set()
        self._index_store_entities()

    # ----- entities ------------------------------------------------------------------------------

    def _index_store_entities(self) -> None:
        oxs = self._store.oxigraph
        kinds: dict[str, str] = {}
        for quad in oxs.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), None, ORG_GRAPH):
            register = REGISTER_BY_CLASS.get(text_of(quad.object))
            if register is not None:
                kinds[text_of(quad.subject)] = register.kind
        for quad in oxs.quads_for_pattern(
            None, ox.NamedNode(DCTERMS + "identifier"), None, ORG_GRAPH
        ):
            kind = kinds.get(text_of(quad.subject))
            if kind is not None:
                self._add(kind, text_of(quad.object), text_of(quad.subject))

    def _add(self, kind: str, identifier: str, iri: str) -> None:
        self._by_kind_id[(kind, identifier)] = iri
        self._kinds_by_id.setdefault(identifier, set()).add((kind, iri))

    def add_run_entity(self, kind: str, identifier: str, iri: str) -> None:
        """Declare an entity defined by this run (it wins over the store's copy)."""
        self._add(kind, identifier, iri)
        self._run_iris.add(iri)

    def add_run_triples(self, triples: Iterable[ox.Triple]) -> None:
        """Declare the typed, identified entities of an RDF input of this run."""
        kinds: dict[str, str] = {}
        identifiers: dict[str, str] = {}
        for triple in triples:
            if text_of(triple.predicate) == RDF_TYPE:
                register = REGISTER_BY_CLASS.get(text_of(triple.object))
                if register is not None:
                    kinds[text_of(triple.subject)] = register.kind
            elif text_of(triple.predicate) == DCTERMS + "identifier":
                identifiers[text_of(triple.subject)] = text_of(triple.object)
            self._run_iris.add(text_of(triple.subject))
        for iri, kind in kinds.items():
            if iri in identifiers:
                self.add_run_entity(kind, identifiers[iri], iri)

    def entity(self, kind: str, identifier: str) -> tuple[str | None, str | None]:
        """The IRI of entity `identifier` of a kind, or an error message."""
        iri = self._by_kind_id.get((kind, identifier))
        if iri is not None:
            return iri, None
        register = REGISTER_BY_KIND[kind]
        others = sorted(k for k, _ in self._kinds_by_id.get(identifier, set()))
        hint = f" ({identifier} is a {', '.join(others)})" if others else ""
        if not others:
            same_kind = [i for k, i in self._by_kind_id if k == kind]
            close = difflib.get_close_matches(identifier, same_kind, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
        message = (
            f"unknown {kind} id: not in the {register.name} register of this load "
            f"nor in the store{hint}"
        )
        return None, message

    def is_known_subject(self, iri: str) -> bool:
        """True when an IRI is described by this run or by the store's organisation graph."""
        if iri in self._run_iris:
            return True
        found = self._store.oxigraph.quads_for_pattern(ox.NamedNode(iri), None, None, ORG_GRAPH)
        return next(iter(found), None) is not None

    def target(self, value: str) -> tuple[str | None, str | None]:
        """A requirement notation, or else an entity id of any register.

        Notations win: a Statement of Applicability row is identified by its control's notation
        (`A.2.2`), and evidence that supports `A.2.2` supports the control, not the SoA row.
        """
        iri, error = self.requirement(value, (), "iso42001")
        if iri is not None:
            return iri, None
        matches = self._kinds_by_id.get(value, set())
        if len(matches) == 1:
            return next(iter(matches))[1], None
        if len(matches) > 1:
            kinds = ", ".join(sorted(k for k, _ in matches))
            return None, f"ambiguous id: it names several entities ({kinds})"
        return None, f"neither an entity id of any register nor a known requirement ({error})"

    # ----- requirements --------------------------------------------------------------------------

    def _catalog(self) -> dict[str, set[str]]:
        if self._requirements is None:
            found: dict[str, set[str]] = {}
            for row in self._store.select(_CATALOG_CLASSES):
                req, cls = row["req"].value, row["cls"].value
                if cls.startswith(str(AIMS)):
                    found.setdefault(req, set()).add(cls[len(str(AIMS)) :])
                framework = req[len(CATALOG_BASE) :].split("/")[0]
                self._frameworks_loaded.add(framework)
            self._requirements = found
        return self._requirements

    def requirement(
        self, notation: str, classes: tuple[str, ...], default_framework: str
    ) -> tuple[str | None, str | None]:
        """The IRI of a requirement notation, checked against the catalogs in the store."""
        framework, text = framework_of_notation(notation, default_framework)
        try:
            iri = str(requirement_iri(framework, text))
        except ValueError:
            return None, "not a requirement notation"
        catalog = self._catalog()
        if framework not in self._frameworks_loaded:
            return None, (
                f"the {framework} catalog is not in the store; run `aimstrace demo` "
                "(or load the catalogs) first"
            )
        found = catalog.get(iri)
        wanted = " or ".join(_CLASS_WORDS.get(c, c) for c in classes)
        if found is None:
            expected = f"; expected {wanted}" if wanted else ""
            return None, f"no requirement {text!r} in the {framework} catalog{expected}"
        if classes and not found & set(classes):
            kinds = ", ".join(sorted(found - {"Requirement"}))
            return None, f"{text} is a {kinds}, not {wanted}"
        return iri, None

    def catalog_has(self, iri: str) -> bool:
        """True for a requirement or framework IRI present in the loaded catalogs."""
        catalog = self._catalog()
        local = iri[len(CATALOG_BASE) :]
        return iri in catalog or ("/" not in local and local in self._frameworks_loaded)
