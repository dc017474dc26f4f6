"""Loading an inventory: `plan` checks everything and computes the change, `apply` writes it.

A load is all or nothing. `plan` reads every file (a folder means every file in it), collects
every problem of the run, and computes one Changeset for the organisation graph: for each entity
in the input, the triples it owns in the store (subject = the entity, plus the inverse links its
register states) are replaced by the new ones, so a changed row replaces and an identical row
changes nothing. `apply` writes that Changeset in one store transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox

from aimstrace.graph.eu_obligations import derive_changes
from aimstrace.graph.store import Changeset, Store
from aimstrace.loaders.errors import InputIssue, InventoryLoadError
from aimstrace.loaders.inventory import (
    IDENTIFIER,
    EntityTriples,
    Record,
    build_entities,
    check_table,
)
from aimstrace.loaders.limits import LoadLimits
from aimstrace.loaders.ml import plan as ml_plan
from aimstrace.loaders.ml.build import SOURCE_FILE, MlEntity
from aimstrace.loaders.ml.model import Parsed
from aimstrace.loaders.ml.read import ML_FORMATS, ML_SUFFIXES, has_front_matter, read_ml
from aimstrace.loaders.ml.source import SourceNames, SourceOutsideBase, legacy_names
from aimstrace.loaders.ml.sync import ml_sync_removals
from aimstrace.loaders.old_triples import OldTriples
from aimstrace.loaders.organisation import one_organisation
from aimstrace.loaders.rdf import RDF_SUFFIXES, check_rdf_references, read_rdf
from aimstrace.loaders.references import ORG_GRAPH, ReferenceIndex, text_of
from aimstrace.loaders.sync import sync_removals
from aimstrace.loaders.tabular import TABULAR_SUFFIXES, Table, read_tables

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass
class EntityRef:
    """An entity named in a report."""

    kind: str
    id: str
    iri: str


@dataclass
class LoadReport:
    """What a load did (or, for a dry run, would do)."""

    files: list[str]
    dry_run: bool
    entities: int = 0
    added: list[EntityRef] = field(default_factory=list)
    changed: list[EntityRef] = field(default_factory=list)
    removed: list[EntityRef] = field(default_factory=list)
    unchanged: int = 0
    triples_added: int = 0
    triples_removed: int = 0
    skipped: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    # Net change to the derived EU AI Act obligations graph after a (non-dry) load.
    derived_added: int = 0
    derived_removed: int = 0

    def as_dict(self) -> dict[str, object]:
        """A JSON-friendly form."""
        return asdict(self)


@dataclass
class LoadPlan:
    """A checked load: the problems found, or the change to write."""

    report: LoadReport
    issues: list[InputIssue]
    changeset: Changeset = field(default_factory=Changeset)

    @property
    def ok(self) -> bool:
        """True when nothing is wrong and the plan may be applied."""
        return not self.issues


def expand_paths(paths: Iterable[Path]) -> tuple[list[Path], list[str], list[InputIssue]]:
    """Files to load, files skipped in folders, and paths that cannot be loaded."""
    supported = TABULAR_SUFFIXES | set(RDF_SUFFIXES) | ML_SUFFIXES
    files: list[Path] = []
    skipped: list[str] = []
    issues: list[InputIssue] = []
    for path in paths:
        if path.is_dir():
            # Sorted by parts (Path's own order) without Path comparisons: 10,000 cards.
            for child in sorted(path.rglob("*"), key=lambda p: p.parts):
                if not child.is_file() or any(p.startswith(".") for p in child.parts[-1:]):
                    continue
                if child.suffix.lower() == ".md" and not has_front_matter(child):
                    skipped.append(str(child))  # a folder's README is not a model card
                elif child.suffix.lower() in supported:
                    files.append(child)
                else:
                    skipped.append(str(child))
        elif path.is_file():
            if path.suffix.lower() in supported:
                files.append(path)
            else:
                expected = ", ".join(sorted(supported))
                message = f"unsupported file type; expected one of {expected}"
                issues.append(InputIssue(str(path), None, None, message, path.suffix))
        else:
            issues.append(InputIssue(str(path), None, None, "no such file or folder"))
    return files, skipped, issues


def plan(
    paths: Sequence[Path | str],
    store: Store,
    dry_run: bool = True,
    fmt: str | None = None,
    extra: Sequence[Parsed] = (),
    sync: bool = False,
    source_name: Callable[[str], str] | None = None,
    source_base: Path | str | None = None,
) -> LoadPlan:
    """Read and check every input; compute the change to the organisation graph.

    fmt forces an ML metadata format for every file (else it is found from the content);
    extra holds ML sources already read (an MLflow registry); sync removes the entities of each
    register given that it no longer lists (aimstrace.loaders.sync); source_name gives the name
    an ML file is recorded under (`aims:sourceFile`) when the path read is a temporary copy,
    else that name is the file's canonical name (aimstrace.loaders.ml.source), relative to
    source_base when one is given.
    """
    started = time.perf_counter()
    against = store.stable_generation()  # the change is computed from reads made after this
    if fmt is not None and fmt not in ML_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(ML_FORMATS)}")
    limits = LoadLimits.from_env()
    files, skipped, issues = expand_paths(Path(p) for p in paths)
    report = LoadReport([str(f) for f in files] + [p.file for p in extra], dry_run, skipped=skipped)
    tables = []
    rdf_inputs: list[tuple[Path, list[ox.Triple]]] = []
    ml_inputs: list[Parsed] = list(extra)
    names = SourceNames(source_base)
    ml_files: dict[str, Path] = {}
    for file in files:
        parsed_ml = read_ml(file, fmt)
        if parsed_ml is not None:
            # Problems keep the path as typed (the user finds the file by it); the provenance
            # gets the one name every spelling of the file shares.
            if source_name is not None:
                parsed_ml.file = source_name(parsed_ml.file)
            else:
                try:
                    parsed_ml.file = names.name(file)
                except SourceOutsideBase as exc:
                    issues.append(InputIssue(str(file), None, None, str(exc)))
                ml_files[parsed_ml.file] = file
            ml_inputs.append(parsed_ml)
            continue
        if file.suffix.lower() in RDF_SUFFIXES:
            triples, found = read_rdf(file)
            rdf_inputs.append((file, triples))
        else:
            file_tables, found = read_tables(file, limits)
            tables.extend(file_tables)
        issues.extend(found)
    parsed = time.perf_counter()

    records: list[Record] = []
    for table in tables:
        checked, found = check_table(table)
        records.extend(checked)
        issues.extend(found)
        # The raw rows are checked into records: later steps need only the table's register and
        # source, so a large file's rows need not live until the write.
        table.rows = []
    records = _drop_duplicates(records, issues)
    ml_entities, found = ml_plan.check(ml_inputs, store)
    issues.extend(found)
    index = ReferenceIndex(store)
    for entity in ml_entities:
        if entity.kind in ml_plan.REGISTER_KINDS:
            index.add_run_entity(entity.kind, entity.id, entity.iri)
    for record in records:
        index.add_run_entity(record.register.kind, record.id, record.iri)
    for _, triples in rdf_inputs:
        index.add_run_triples(triples)
    built = build_entities(records, index, issues)
    for file, triples in rdf_inputs:
        issues.extend(check_rdf_references(file, triples, index))
    issues.extend(one_organisation(store, records, rdf_inputs))
    checked_at = time.perf_counter()
    report.seconds = {"parse": parsed - started, "check": checked_at - parsed}
    if issues:
        return LoadPlan(report, issues)

    kinds = {r.iri: (r.register.kind, r.id) for r in records}
    legacy = legacy_names(store, ml_files)
    changeset = _changeset(store, built + _rdf_entities(rdf_inputs), kinds, report)
    if ml_entities:
        changeset = _with_ml(store, changeset, ml_entities, report)
    if sync:
        changeset, found = _with_sync(
            store,
            changeset,
            tables,
            records,
            built,
            rdf_inputs,
            ml_inputs,
            ml_entities,
            report,
            legacy,
        )
        if found:
            return LoadPlan(report, found)
    if legacy:
        changeset = _renamed_sources(store, changeset, legacy, report)
    if len(changeset.add) > limits.max_triples:
        message = (
            f"the load would add {len(changeset.add)} triples, more than the limit of "
            f"{limits.max_triples} (AIMSTRACE_LOAD_MAX_TRIPLES); load the registers in parts"
        )
        where = files[0] if len(files) == 1 else Path(", ".join(f.name for f in files))
        return LoadPlan(report, [InputIssue(str(where), None, None, message)])
    report.seconds["diff"] = time.perf_counter() - checked_at
    return LoadPlan(report, [], replace(changeset, against=against))


def apply(load_plan: LoadPlan, store: Store) -> LoadReport:
    """Write a checked plan in one transaction; raise with every problem if it has any."""
    if load_plan.issues:
        raise InventoryLoadError(load_plan.issues)
    started = time.perf_counter()
    # The EU AI Act obligations follow from the registers: derived against the store as the load
    # leaves it and written in the same transaction, so no reader sees one without the other.
    extra, derived = derive_changes(store, load_plan.changeset)
    changes = load_plan.changeset
    # Both parts were computed from the store (the organisation and the derived graph): net,
    # unless a write came between the plan and now, which `Store.apply` then checks for.
    against = changes.against if changes.against == extra.against else None
    store.apply(
        Changeset(
            remove=changes.remove + extra.remove, add=changes.add + extra.add, against=against
        )
    )
    store.flush()
    report = load_plan.report
    report.derived_added = derived.written.added
    report.derived_removed = derived.written.removed
    report.dry_run = False
    report.seconds["write"] = time.perf_counter() - started
    return report


def load(
    paths: Sequence[Path | str],
    store: Store,
    dry_run: bool = False,
    fmt: str | None = None,
    extra: Sequence[Parsed] = (),
    sync: bool = False,
    source_name: Callable[[str], str] | None = None,
    source_base: Path | str | None = None,
) -> LoadReport:
    """Plan, then apply unless dry_run; raise InventoryLoadError listing every problem."""
    load_plan = plan(
        paths,
        store,
        dry_run=dry_run,
        fmt=fmt,
        extra=extra,
        sync=sync,
        source_name=source_name,
        source_base=source_base,
    )
    if load_plan.issues:
        raise InventoryLoadError(load_plan.issues)
    return load_plan.report if dry_run else apply(load_plan, store)


def _drop_duplicates(records: list[Record], issues: list[InputIssue]) -> list[Record]:
    first: dict[str, Record] = {}
    kept: list[Record] = []
    for record in records:
        earlier = first.get(record.iri)
        if earlier is not None:
            message = (
                f"duplicate id in register {record.register.name}: "
                f"already defined at {earlier.where}"
            )
            issues.append(InputIssue(record.source, record.row, "id", message, record.id))
            continue
        first[record.iri] = record
        kept.append(record)
    return kept


def _rdf_entities(rdf_inputs: list[tuple[Path, list[ox.Triple]]]) -> list[EntityTriples]:
    by_subject: dict[str, set[ox.Quad]] = {}
    for _, triples in rdf_inputs:
        for triple in triples:
            quad = ox.Quad(triple.subject, triple.predicate, triple.object, ORG_GRAPH)
            by_subject.setdefault(text_of(triple.subject), set()).add(quad)
    return [EntityTriples(iri, found, set(), []) for iri, found in by_subject.items()]


def _changeset(
    store: Store,
    entities: list[EntityTriples],
    kinds: dict[str, tuple[str, str]],
    report: LoadReport,
) -> Changeset:
    inverse_predicates = {ox.NamedNode(p) for e in entities for p in e.inverse_predicates}
    old_triples = OldTriples(store, len(entities), inverse_predicates)
    new_total: set[ox.Quad] = set()
    # Sets only where there is something to hold: an empty set is 216 bytes, and a large load is
    # mostly new entities without inverse links (605,185 people: two empty sets each).
    nodes: dict[ox.NamedNode, None] = {}  # every entity once, in input order
    old_by_entity: dict[ox.NamedNode, set[ox.Quad]] = {}
    inverse_of: dict[ox.NamedNode, set[ox.NamedNode]] = {}
    for entity in entities:
        node = ox.NamedNode(entity.iri)
        if node not in nodes:
            nodes[node] = None
            old = old_triples.of_subject(node)
            if old:
                old_by_entity[node] = old
        if entity.inverse_predicates:
            stated = inverse_of.setdefault(node, set())
            for predicate in {ox.NamedNode(p) for p in entity.inverse_predicates} - stated:
                found = old_triples.pointing_at(node, predicate)
                if found:
                    old_by_entity.setdefault(node, set()).update(found)
                stated.add(predicate)
        new_total |= entity.forward
        new_total |= entity.inverse
    # What an entity owns after the load: its own triples and the inverse links it states,
    # wherever in the input they came from (a system row or a dataset's `used_by`).
    new_by_subject: dict[Term, set[ox.Quad]] = {}
    new_by_object: dict[Term, set[ox.Quad]] = {}
    for triple in new_total:
        new_by_subject.setdefault(triple.subject, set()).add(triple)
        if triple.predicate in inverse_predicates:
            new_by_object.setdefault(triple.object, set()).add(triple)
    old_total: set[ox.Quad] = set()
    nothing: set[ox.Quad] = set()
    for node in nodes:
        old = old_by_entity.get(node, nothing)
        old_total |= old
        owned = new_by_subject.get(node, nothing)
        inverse_predicates_of = inverse_of.get(node)
        if inverse_predicates_of:
            linked = new_by_object.get(node, nothing)
            owned = owned | {t for t in linked if t.predicate in inverse_predicates_of}
        kind, identifier = kinds.get(node.value) or _kind_and_id(node.value, owned)
        ref = EntityRef(kind, identifier, node.value)
        if not any(t.subject == node for t in old):
            report.added.append(ref)
        elif old == owned:
            report.unchanged += 1
        else:
            report.changed.append(ref)
    report.entities = len(nodes)
    remove = old_total - new_total
    add = new_total - old_total
    report.triples_added = len(add)
    report.triples_removed = len(remove)
    report.removed = _emptied_subjects(store, remove, new_by_subject)
    for listed in (report.added, report.changed):
        listed.sort(key=lambda r: (r.kind, r.id))
    return Changeset(
        remove=tuple(remove),
        add=tuple(add),
    )


def _emptied_subjects(
    store: Store, remove: set[ox.Quad], new_by_subject: dict[Term, set[ox.Quad]]
) -> list[EntityRef]:
    """Subjects the change leaves with no triples at all in the organisation graph."""
    removed_by_subject: dict[Term, set[ox.Quad]] = {}
    for triple in remove:
        if triple.subject not in new_by_subject:
            removed_by_subject.setdefault(triple.subject, set()).add(triple)
    emptied: list[EntityRef] = []
    for subject, triples in removed_by_subject.items():
        if not isinstance(subject, ox.NamedNode):
            continue
        pattern = store.oxigraph.quads_for_pattern(subject, None, None, ORG_GRAPH)
        if set(pattern) <= triples:
            kind, identifier = _kind_and_id(subject.value, triples)
            emptied.append(EntityRef(kind, identifier, subject.value))
    return sorted(emptied, key=lambda r: (r.kind, r.id))


def _kind_and_id(iri: str, triples: set[ox.Quad]) -> tuple[str, str]:
    """For RDF inputs: the kind from the IRI path and the dcterms:identifier if there is one."""
    identifier = next((text_of(t.object) for t in triples if t.predicate == IDENTIFIER), None)
    parts = iri.rstrip("/").split("/")
    kind = parts[-2] if len(parts) > 1 else "resource"
    return kind, identifier or parts[-1]


def _with_ml(
    store: Store, changeset: Changeset, entities: list[MlEntity], report: LoadReport
) -> Changeset:
    """The register change plus what the ML files add and remove (one transaction)."""
    register_add = set(changeset.add)
    change = ml_plan.changes(store, entities, register_add)
    for listed, found in ((report.added, change.added), (report.changed, change.changed)):
        listed.extend(EntityRef(e.kind, e.id, e.iri) for e in found)
        listed.sort(key=lambda r: (r.kind, r.id))
    report.unchanged += change.unchanged
    report.entities += len(entities)
    add = register_add | change.add
    remove = (set(changeset.remove) - change.add) | change.remove
    report.triples_added = len(add)
    report.triples_removed = len(remove)
    return Changeset(remove=tuple(remove), add=tuple(add))


def _with_sync(
    store: Store,
    changeset: Changeset,
    tables: list[Table],
    records: list[Record],
    built: list[EntityTriples],
    rdf_inputs: list[tuple[Path, list[ox.Triple]]],
    ml_inputs: list[Parsed],
    ml_entities: list[MlEntity],
    report: LoadReport,
    legacy: dict[str, set[str]],
) -> tuple[Changeset, list[InputIssue]]:
    """The load's change plus the removal of what the given registers and ML files no longer
    list (aimstrace.loaders.sync, aimstrace.loaders.ml.sync)."""
    listed = {r.iri for r in records} | {e.iri for e in ml_entities}
    listed |= {text_of(t.subject) for _, triples in rdf_inputs for t in triples}
    stated = {q for e in built for q in e.forward | e.inverse}
    stated |= {q for e in ml_entities for q in e.quads}
    stated |= {
        ox.Quad(t.subject, t.predicate, t.object, ORG_GRAPH) for _, ts in rdf_inputs for t in ts
    }
    given = [(t.register, t.source) for t in tables]
    synced = sync_removals(store, given, listed, records, stated, set(changeset.remove))
    ml_synced = ml_sync_removals(
        store, ml_inputs, ml_entities, stated, set(changeset.remove), set(changeset.add), legacy
    )
    if synced.issues or ml_synced.issues:
        return changeset, synced.issues + ml_synced.issues
    remove = set(changeset.remove) | synced.remove | ml_synced.remove
    shown = {r.iri for r in report.removed}
    report.removed += [
        EntityRef(g.register.kind, g.id, g.node.value)
        for g in synced.gone
        if g.node.value not in shown
    ]
    for gone in ml_synced.gone:
        ref = EntityRef(gone.kind, gone.id, gone.node.value)
        listed_in = report.changed if gone.kept else report.removed
        if gone.node.value not in shown and ref not in listed_in:
            listed_in.append(ref)
    for refs in (report.removed, report.changed):
        refs.sort(key=lambda r: (r.kind, r.id))
    report.triples_removed = len(remove)
    return Changeset(remove=tuple(remove), add=changeset.add), []


def _renamed_sources(
    store: Store, changeset: Changeset, legacy: dict[str, set[str]], report: LoadReport
) -> Changeset:
    """The change plus the rewrite of every legacy name of a loaded file to its canonical name,
    on the entities that keep it (aimstrace.loaders.ml.source): a store written before names
    were canonical is migrated by its next load, in the same transaction."""
    remove = set(changeset.remove)
    add = set(changeset.add)
    for canonical, olds in legacy.items():
        for old in olds:
            stored = store.oxigraph.quads_for_pattern(None, SOURCE_FILE, ox.Literal(old), ORG_GRAPH)
            for quad in stored:
                if quad in remove:
                    continue  # its entity goes (--sync), or loses this file as a source
                remove.add(quad)
                add.add(ox.Quad(quad.subject, SOURCE_FILE, ox.Literal(canonical), ORG_GRAPH))
    # A quad both removed and added stays as it is.
    both = remove & add
    remove -= both
    add -= both
    report.triples_added = len(add)
    report.triples_removed = len(remove)
    return Changeset(remove=tuple(remove), add=tuple(add))
