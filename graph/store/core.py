"""The embedded RDF store: Oxigraph on disk (or in memory), with all-or-nothing writes.

Every write is one Oxigraph transaction, so a reader sees the store as it was before a write or
after it, never half of it, and a failed write leaves it exactly as it was.

A long-running server can also keep a *read replica*: an in-memory Oxigraph copy of the disk
store that answers queries. Oxigraph in memory evaluates the traceability queries about 2.5x
faster than on disk (no RocksDB seeks, no term decoding from disk blocks), for about 400 bytes of
memory per quad. The disk store stays the only durable copy: every write commits there first and
is then applied to the replica under the same lock, as its own transaction, so replica readers
also see a write entirely or not at all. If the replica ever fails to take a write, it is
dropped and queries go back to the disk store rather than answer from a copy that differs.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from aimstrace.graph.store.changelog import EVERYTHING, ChangeLog
from aimstrace.graph.store.updates import (
    READ_ONLY_OPEN_ATTEMPTS,
    data_update,
    graph_name,
    open_read_only_with_retries,
    touched_iris,
)

log = logging.getLogger("aimstrace.store")

DEFAULT_STORE_DIR = Path.home() / ".local" / "share" / "aimstrace" / "store"
STORE_ENV_VAR = "AIMSTRACE_STORE"

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Row = dict[str, Term]


class StoreError(Exception):
    """The store could not be opened, read or written; the message says why and where."""


class StoreLockedError(StoreError):
    """Another process holds the on-disk store (Oxigraph locks it to one writer process)."""


@dataclass(frozen=True)
class Changeset:
    """Quads to remove and quads to add, applied together in one transaction."""

    remove: tuple[ox.Quad, ...] = ()
    add: tuple[ox.Quad, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when applying this changeset would change nothing."""
        return not self.remove and not self.add


@dataclass
class WriteSummary:
    """What a write did: triples added and removed, per named graph."""

    added: int = 0
    removed: int = 0
    graphs: set[str] = field(default_factory=set)


def resolve_store_dir(explicit: str | os.PathLike[str] | None) -> Path:
    """The store directory: the explicit one, else $AIMSTRACE_STORE, else the default."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(STORE_ENV_VAR)
    if env:
        return Path(env).expanduser()
    return DEFAULT_STORE_DIR


class Store:
    """An Oxigraph dataset whose named graphs hold vocabulary, catalogs, crosswalks and org data."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.read_only = False
        self._write_lock = threading.Lock()
        self._generation = 0
        self._replica: ox.Store | None = None
        if self.path is None:
            self._ox = ox.Store()
            self.changes = ChangeLog(None)
            return
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create store directory {self.path}: {exc.strerror}") from exc
        if not os.access(self.path, os.R_OK | os.W_OK | os.X_OK):
            raise StoreError(f"store directory {self.path} is not readable and writable")
        try:
            self._ox = ox.Store(str(self.path))
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise StoreLockedError(
                    f"cannot open store at {self.path}: {exc} "
                    "(is another aimstrace process using it?)"
                ) from exc
            raise StoreError(f"cannot open store at {self.path}: {exc}") from exc
        self.changes = ChangeLog(self.path / "changes.sqlite")
        self._recover_interrupted_bulk_load()

    @classmethod
    def open_read_only(cls, path: str | os.PathLike[str]) -> Store:
        """A read-only view of an on-disk store that another process (a server) holds.

        It takes no lock and sees every write committed before it opened, as one snapshot:
        writes committed later are not seen by this view (open a new one). Oxigraph calls a
        read-only open beside a writing process undefined behaviour; what we measured is a race
        with the writer's compactions, a file listed in the manifest is gone when the view opens
        it. That is an error, never a wrong answer, so the open (and a select) is retried.
        """
        store = cls.__new__(cls)
        store.path = Path(path)
        store.read_only = True
        store._write_lock = threading.Lock()
        store._generation = 0
        store._replica = None
        if not (store.path / "CURRENT").is_file():
            raise StoreError(f"no store at {store.path}")
        store._ox = _open_read_only(store.path)
        store.changes = ChangeLog(store.path / "changes.sqlite")
        return store

    def _reopen(self) -> None:
        if self.read_only and self.path is not None:
            self._ox = _open_read_only(self.path)

    @classmethod
    def in_memory(cls) -> Store:
        """A store that lives only as long as the process, for tests and previews."""
        return cls(None)

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying pyoxigraph store (for backends and benchmarks)."""
        return self._ox

    @property
    def generation(self) -> int:
        """How many writes this process has made; read it before a query to key its answer.

        Bumped after each write has committed (or failed), so an answer computed after reading
        generation N reflects at least every write that ended before N was read. Only this
        process writes: Oxigraph locks an on-disk store to one process.
        """
        return self._generation

    # ----- read replica ----------------------------------------------------------------------

    def enable_read_replica(self, background: bool = False) -> threading.Thread | None:
        """Copy an on-disk store into memory and answer reads from the copy from then on.

        Writes wait while the copy is made (they must reach it too); reads do not, they are
        served from disk until the copy is ready. Returns the copying thread when in background.
        """
        if self.path is None or self._replica is not None:
            return None
        if not background:
            self._build_replica()
            return None
        thread = threading.Thread(target=self._build_replica, name="aimstrace-replica", daemon=True)
        thread.start()
        return thread

    @property
    def has_read_replica(self) -> bool:
        """True once reads are answered from the in-memory copy."""
        return self._replica is not None

    def _build_replica(self) -> None:
        with self._write_lock:
            try:
                replica = ox.Store()
                replica.bulk_extend(self._ox.quads_for_pattern(None, None, None, None))
            except (OSError, MemoryError) as exc:
                log.warning("read replica not built, reading from disk: %s", exc)
                return
            self._replica = replica
        log.info("read replica ready", extra={"quads": len(replica)})

    def _mirror(self, write: Callable[[ox.Store], object]) -> None:
        """Apply a write that has committed on disk to the replica too (under the write lock)."""
        replica = self._replica
        if replica is None:
            return
        try:
            write(replica)
        except Exception as exc:
            self._replica = None
            log.warning("read replica dropped after a failed write, reading from disk: %s", exc)

    @property
    def _reader(self) -> ox.Store:
        replica = self._replica
        return replica if replica is not None else self._ox

    # ----- reads -----------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        substitutions: Mapping[str, Term] | None = None,
    ) -> ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean:
        """Run a read-only SPARQL query over the union of all graphs, values bound by the engine."""
        subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(name): term for name, term in (substitutions or {}).items()
        }
        try:
            return self._reader.query(sparql, use_default_graph_as_union=True, substitutions=subs)
        except SyntaxError as exc:
            raise StoreError(f"SPARQL syntax error: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"query failed: {exc}") from exc

    def select(self, sparql: str, substitutions: Mapping[str, Term] | None = None) -> list[Row]:
        """Run a SELECT query and return its rows as dicts of bound variables."""
        for attempt in range(READ_ONLY_OPEN_ATTEMPTS):
            result = self.query(sparql, substitutions)
            if not isinstance(result, ox.QuerySolutions):
                raise StoreError("expected a SELECT query")
            try:
                return solution_rows(result)[1]
            except (OSError, RuntimeError) as exc:
                # A read-only view may find a file gone that the writer compacted away.
                if not self.read_only or attempt == READ_ONLY_OPEN_ATTEMPTS - 1:
                    raise StoreError(f"query failed: {exc}") from exc
                self._reopen()
        raise AssertionError("unreachable")

    def quads(self, graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        """All quads, or those of one named graph."""
        return iter(self._reader.quads_for_pattern(None, None, None, graph))

    def count(self, graph: ox.NamedNode | None = None) -> int:
        """Number of quads in the store or in one graph."""
        return sum(1 for _ in self._reader.quads_for_pattern(None, None, None, graph))

    def named_graphs(self) -> list[ox.NamedNode]:
        """The named graphs that hold data, sorted by IRI."""
        graphs = [g for g in self._reader.named_graphs() if isinstance(g, ox.NamedNode)]
        return sorted(graphs, key=lambda g: g.value)

    def dump(self, fmt: ox.RdfFormat, graph: ox.NamedNode | None = None) -> bytes:
        """Serialize the whole dataset (N-Quads/TriG) or one graph (any triple format)."""
        reader = self._reader
        if graph is None and not fmt.supports_datasets:
            triples = (q.triple for q in reader.quads_for_pattern(None, None, None, None))
            return ox.serialize(triples, format=fmt) or b""
        out = reader.dump(format=fmt, from_graph=graph) if graph else reader.dump(format=fmt)
        return out or b""

    # ----- writes ----------------------------------------------------------------------------

    def apply(self, changes: Changeset) -> WriteSummary:
        """Apply removals and additions in one transaction: all of it happens or none of it."""
        self._refuse_if_read_only()
        summary = WriteSummary(
            added=len(changes.add),
            removed=len(changes.remove),
            graphs={graph_name(q) for q in (*changes.add, *changes.remove)},
        )
        if changes.is_empty:
            return summary
        with self._write_lock:
            self.changes.record(touched_iris(changes))
            try:
                if not changes.remove:
                    self._ox.extend(changes.add)
                    self._mirror(lambda replica: replica.extend(changes.add))
                else:
                    update = data_update(changes)
                    self._ox.update(update)
                    self._mirror(lambda replica: replica.update(update))
            except (OSError, SyntaxError, ValueError) as exc:
                raise StoreError(f"write failed, store unchanged: {exc}") from exc
            finally:
                self._generation += 1
        return summary

    def replace_graph(self, graph: ox.NamedNode, triples: Iterable[ox.Triple]) -> WriteSummary:
        """Make a named graph hold exactly these triples, in one transaction."""
        new = {ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples}
        old = set(self._ox.quads_for_pattern(None, None, None, graph))
        return self.apply(Changeset(remove=tuple(old - new), add=tuple(new - old)))

    def load_file(self, path: Path, fmt: ox.RdfFormat, graph: ox.NamedNode) -> None:
        """Add a whole RDF file to a graph in one transaction (a parse error writes nothing)."""
        self._refuse_if_read_only()
        with self._write_lock:
            self.changes.record([EVERYTHING])
            try:
                self._ox.load(path=str(path), format=fmt, to_graph=graph)
                self._mirror(lambda copy: copy.load(path=str(path), format=fmt, to_graph=graph))
            except SyntaxError as exc:
                raise StoreError(f"{path}: {exc}") from exc
            except OSError as exc:
                raise StoreError(f"{path}: {exc}") from exc
            finally:
                self._generation += 1

    def bulk_load_file(self, path: Path, fmt: ox.RdfFormat, graph: ox.NamedNode) -> None:
        """Fill an empty graph from a big file fast; a failure leaves the graph empty again.

        Oxigraph's bulk loader is several times faster and leaner than a transactional load on
        disk, but it is not one transaction. So: the target graph must be empty, and anything
        that goes wrong (a syntax error half way, a crash) ends with that graph emptied again:
        an error clears it at once, and a marker file naming the graph makes a store opened after
        a crash clear it. Readers in the same process could see a partial graph meanwhile, which
        is why the API never uses this path.
        """
        self._refuse_if_read_only()
        if any(True for _ in self._ox.quads_for_pattern(None, None, None, graph)):
            raise StoreError(f"bulk load needs an empty graph; {graph.value} already holds data")
        with self._write_lock:
            self.changes.record([EVERYTHING])
            marker = self._bulk_marker()
            if marker is not None:
                marker.write_text(graph.value, encoding="utf-8")
            try:
                self._ox.bulk_load(path=str(path), format=fmt, to_graph=graph)
                self._ox.flush()
                loaded = self._ox.quads_for_pattern(None, None, None, graph)
                self._mirror(lambda replica: replica.bulk_extend(loaded))
            except (OSError, SyntaxError) as exc:
                self._ox.clear_graph(graph)
                raise StoreError(f"{path}: bulk load failed, graph left empty: {exc}") from exc
            finally:
                self._generation += 1
                if marker is not None and marker.exists():
                    marker.unlink()

    def _refuse_if_read_only(self) -> None:
        if self.read_only:
            raise StoreError(
                f"the store at {self.path} is open read-only (another process holds it); "
                "nothing was written"
            )

    def _bulk_marker(self) -> Path | None:
        return None if self.path is None else self.path / "bulk-load-in-progress"

    def _recover_interrupted_bulk_load(self) -> None:
        marker = self._bulk_marker()
        if marker is None or not marker.exists():
            return
        graph = ox.NamedNode(marker.read_text(encoding="utf-8").strip())
        self.changes.record([EVERYTHING])
        self._ox.clear_graph(graph)
        self._ox.flush()
        marker.unlink()

    def clear(self) -> None:
        """Remove everything (used by tests and `aimstrace demo --reset`)."""
        self._refuse_if_read_only()
        with self._write_lock:
            self.changes.record([EVERYTHING])
            try:
                self._ox.clear()
                self._mirror(lambda replica: replica.clear())
            finally:
                self._generation += 1

    def flush(self) -> None:
        """Make sure everything written is on disk."""
        if self.path is not None and not self.read_only:
            self._ox.flush()


def solution_rows(result: ox.QuerySolutions) -> tuple[list[str], list[Row]]:
    """The variable names of a SELECT result and its rows as dicts of bound variables."""
    names = [v.value for v in result.variables]
    rows: list[Row] = []
    for solution in result:
        row: Row = {}
        for name in names:
            value = solution[name]
            if value is not None and not isinstance(value, ox.Triple):
                row[name] = value
        rows.append(row)
    return names, rows


def _open_read_only(path: Path) -> ox.Store:
    try:
        return open_read_only_with_retries(path)
    except (OSError, RuntimeError) as exc:
        raise StoreError(f"cannot open store at {path} read-only: {exc}") from exc
