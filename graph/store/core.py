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
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox
import zstandard

from aimstrace.graph.store.changelog import EVERYTHING, ChangeLog
from aimstrace.graph.store.changeset import (
    Changeset,
    WriteSummary,
    data_update,
    graph_names,
    touched_iris,
)
from aimstrace.graph.store.dataset import ProtocolDataset, query_with_dataset
from aimstrace.graph.store.history import History, Verification, writing_as
from aimstrace.graph.store.past import (
    Checkpoints,
    build_in_memory,
    build_on_disk,
    verify_checkpoints,
)
from aimstrace.graph.store.read_only import READ_ONLY_OPEN_ATTEMPTS, open_read_only_with_retries

log = logging.getLogger("aimstrace.store")

DEFAULT_STORE_DIR = Path.home() / ".local" / "share" / "aimstrace" / "store"
# `aimstrace demo` without --store or $AIMSTRACE_STORE keeps the example apart from real data.
DEMO_STORE_DIR = Path.home() / ".local" / "share" / "aimstrace" / "demo"
STORE_ENV_VAR = "AIMSTRACE_STORE"

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Row = dict[str, Term]
WriteListener = Callable[[Sequence[ox.Quad] | None, Sequence[ox.Quad]], None]


class StoreError(Exception):
    """The store could not be opened, read or written; the message says why and where."""


class StoreLockedError(StoreError):
    """Another process holds the on-disk store (Oxigraph locks it to one writer process)."""


def resolve_store_dir(explicit: str | os.PathLike[str] | None, default: Path | None = None) -> Path:
    """The store directory: the explicit one, else $AIMSTRACE_STORE, else the default."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(STORE_ENV_VAR)
    if env:
        return Path(env).expanduser()
    return default or DEFAULT_STORE_DIR


def is_store_dir(path: Path) -> bool:
    """True when path holds an Oxigraph store (RocksDB writes a CURRENT file in it)."""
    return (path / "CURRENT").is_file()


class Store:
    """An Oxigraph dataset whose named graphs hold vocabulary, catalogs, crosswalks and org data."""

    def __init__(self, path: str | os.PathLike[str] | None = None, create: bool = True) -> None:
        self.path = Path(path) if path is not None else None
        self.read_only = False  # a view of a store another process holds (open_read_only)
        self._write_lock = threading.Lock()
        # RocksDB can hang two manual flushes of one database forever when they race (several
        # column families and min_write_buffer_number_to_merge > 1, as Oxigraph configures it:
        # facebook/rocksdb#12094, open). Concurrent API imports each flushed after their write
        # and so hung the server (three threads in flush, no CPU). One flush at a time.
        self._flush_lock = threading.Lock()
        self._generation = 0
        self._writing = False
        self._replica: ox.Store | None = None
        self._frozen: str | None = None  # set on a past state: the revision it shows
        self._past: dict[int, Store] = {}
        self._past_lock = threading.Lock()
        self.checkpoints: Checkpoints | None = None
        self._past_folder: Path | None = None  # a past state on disk: removed with it
        # Called under the write lock with each committed write's net change (added, removed),
        # or (None, ()) when anything may have changed (a bulk load, a clear).
        self._write_listeners: list[WriteListener] = []
        # Asked twice about one revision, copy that past state into memory (in the background)
        # and answer from the copy: a server's repeated questions then run at the present's
        # in-memory speed. Off for the CLI, which asks once and exits.
        self.past_in_memory = False
        self._memory_view: threading.Thread | None = None
        if self.path is None:
            self._ox = ox.Store()
            self.changes = ChangeLog(None)
            self.history = History(None)
            return
        if not create and not is_store_dir(self.path):
            raise StoreError(
                f"no aimstrace store at {self.path}: create one with `aimstrace --store "
                f"{self.path} init` (or `demo`), or check the --store path"
            )
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
        self.history = History(self.path / "history.sqlite")
        self.checkpoints = Checkpoints(self.path / "history-checkpoints")
        self.checkpoints.remove_stale_past_dirs()
        self._recover_interrupted_bulk_load()
        self.history.recover(self._holds_change)
        self._start_history()

    @classmethod
    def open_read_only(cls, path: str | os.PathLike[str]) -> Store:
        """A read-only view of an on-disk store that another process (a server) holds.

        It takes no lock and sees every write committed before it opened, as one snapshot:
        writes committed later are not seen by this view (open a new one). Oxigraph calls a
        read-only open beside a writing process undefined behaviour; what we measured is a race
        with the writer's compactions, a file listed in the manifest is gone when the view opens
        it. That is an error, never a wrong answer, so the open (and a select) is retried.
        """
        where = Path(path)
        if not is_store_dir(where):
            raise StoreError(f"no aimstrace store at {where}")
        view = cls(None)
        view.path = where
        view.read_only = True
        view._ox = _open_read_only(where)
        view.changes = ChangeLog(where / "changes.sqlite")
        view.history = History(where / "history.sqlite")
        view.checkpoints = Checkpoints(where / "history-checkpoints")
        return view

    def _reopen(self) -> None:
        if self.read_only and self.path is not None:
            self._ox = _open_read_only(self.path)

    def __del__(self) -> None:
        folder = getattr(self, "_past_folder", None)
        if folder is not None:
            self._ox = ox.Store()  # close the on-disk state first, then remove its folder
            shutil.rmtree(folder, ignore_errors=True)

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

    def stable_generation(self) -> int | None:
        """The generation, or None while a write is under way (for snapshot-consistent reads).

        A request that reads twice (a query, then an existence check) saw one state of the store
        when this gives the same number before and after both reads.
        """
        return None if self._writing else self._generation

    def has_subject(self, node: ox.NamedNode) -> bool:
        """True when some triple has node as subject, read where queries read (the replica)."""
        return any(True for _ in self._reader.quads_for_pattern(node, None, None, None))

    def quads_for_pattern(
        self,
        subject: ox.NamedNode | ox.BlankNode | None,
        predicate: ox.NamedNode | None,
        obj: ox.NamedNode | ox.BlankNode | ox.Literal | None,
        graph: ox.NamedNode | None = None,
    ) -> Iterator[ox.Quad]:
        """Quads matching a pattern straight from the store's indexes, where queries read."""
        return iter(self._reader.quads_for_pattern(subject, predicate, obj, graph))

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

    def add_write_listener(self, listener: WriteListener) -> None:
        """Call listener with every write's net change once it has committed (indexes use it)."""
        with self._write_lock:
            self._write_listeners.append(listener)

    def _tell_listeners(self, added: Sequence[ox.Quad] | None, removed: Sequence[ox.Quad]) -> None:
        for listener in self._write_listeners:
            try:
                listener(added, removed)
            except Exception as exc:  # a committed write stays committed
                log.warning("a write listener failed: %s", exc)

    @property
    def _reader(self) -> ox.Store:
        replica = self._replica
        return replica if replica is not None else self._ox

    # ----- reads -----------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        substitutions: Mapping[str, Term] | None = None,
        dataset: ProtocolDataset | None = None,
    ) -> ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean:
        """Run a read-only SPARQL query, values bound by the engine.

        The dataset is the protocol's when given, else the query's FROM / FROM NAMED, else the
        union of all graphs as the default graph (graph.store.dataset).
        """
        subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(name): term for name, term in (substitutions or {}).items()
        }
        try:
            return query_with_dataset(self._reader, sparql, dataset, subs)
        except SyntaxError as exc:
            raise StoreError(f"SPARQL syntax error: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"query failed: {exc}") from exc
        except RuntimeError as exc:
            # pyoxigraph raises RuntimeError for queries it accepts but cannot plan, e.g. a
            # substituted variable that the SELECT does not project.
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
        # Counted inside Oxigraph: iterating the quads in Python made a Python object per quad
        # (30 s at 1M triples; len() 0.9 s, a graph's COUNT 1.5 s, on a loaded machine).
        reader = self._reader
        if graph is None:
            return len(reader)
        solutions = reader.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
            substitutions={ox.Variable("g"): graph},
        )
        assert isinstance(solutions, ox.QuerySolutions)
        for solution in solutions:
            counted = solution["n"]
            assert isinstance(counted, ox.Literal)
            return int(counted.value)
        return 0

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

    def apply(self, changes: Changeset, net: bool = False) -> WriteSummary:
        """Apply removals and additions in one transaction: all of it happens or none of it.

        `net=True` says the caller computed the change against the store (every added quad is
        absent, every removed one present), which saves checking each quad for the revision; so
        does a changeset whose `against` is the present generation.
        """
        graphs = graph_names(changes.add, changes.remove)
        summary = WriteSummary(added=len(changes.add), removed=len(changes.remove), graphs=graphs)
        if changes.is_empty:
            return summary
        self._refuse_if_past()
        with self._write_lock:
            # The revision records the net change: what really was absent, or present.
            touched: set[str] | None = graphs
            if net or (changes.against is not None and changes.against == self._generation):
                added, removed = list(changes.add), list(changes.remove)
            else:
                touched = None  # the net change may touch fewer graphs
                reader = self._reader  # the replica when there is one: same content, in memory
                added = [q for q in dict.fromkeys(changes.add) if q not in reader]
                removed = [q for q in dict.fromkeys(changes.remove) if q in reader]
            if not added and not removed:
                return summary
            self._writing = True
            self.changes.record(touched_iris(changes))
            revision = self.history.begin(added, removed, touched)
            try:
                if not removed:
                    self._ox.extend(added)
                    self._mirror(lambda replica: replica.extend(added))
                else:
                    update = data_update(Changeset(remove=tuple(removed), add=tuple(added)))
                    self._ox.update(update)
                    self._mirror(lambda replica: replica.update(update))
                self._tell_listeners(added, removed)
            except (OSError, SyntaxError, ValueError) as exc:
                self.history.discard(revision)
                raise StoreError(f"write failed, store unchanged: {exc}") from exc
            finally:
                self._writing = False
                self._generation += 1
            self.history.commit(revision)
            self._checkpoint(revision)
        return summary

    def replace_graph(self, graph: ox.NamedNode, triples: Iterable[ox.Triple]) -> WriteSummary:
        """Make a named graph hold exactly these triples, in one transaction."""
        against = self.stable_generation()  # read before the graph, so a write between is seen
        new = {ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples}
        old = set(self._ox.quads_for_pattern(None, None, None, graph))
        return self.apply(Changeset(remove=tuple(old - new), add=tuple(new - old), against=against))

    def load_file(self, path: Path, fmt: ox.RdfFormat, graph: ox.NamedNode) -> None:
        """Add a whole RDF file to a graph in one transaction (a parse error writes nothing)."""
        try:
            quads = [
                ox.Quad(t.subject, t.predicate, t.object, graph)
                for t in ox.parse(path=str(path), format=fmt)
            ]
        except SyntaxError as exc:
            raise StoreError(f"{path}: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"{path}: {exc}") from exc
        self.apply(Changeset(add=tuple(quads)))

    def bulk_load_file(self, path: Path, fmt: ox.RdfFormat, graph: ox.NamedNode) -> None:
        """Fill an empty graph from a big file fast; a failure leaves the graph empty again.

        Oxigraph's bulk loader is several times faster and leaner than a transactional load on
        disk, but it is not one transaction. So: the target graph must be empty, and anything
        that goes wrong (a syntax error half way, a crash) ends with that graph emptied again:
        an error clears it at once, and a marker file naming the graph makes a store opened after
        a crash clear it. Readers in the same process could see a partial graph meanwhile, which
        is why the API never uses this path.
        """
        self._refuse_if_past()
        if any(True for _ in self._ox.quads_for_pattern(None, None, None, graph)):
            raise StoreError(f"bulk load needs an empty graph; {graph.value} already holds data")
        with self._write_lock:
            self._writing = True
            self.changes.record([EVERYTHING])
            marker = self._bulk_marker()
            if marker is not None:
                marker.write_text(graph.value, encoding="utf-8")
            try:
                # Ingesting the loader's files can flush memtables too: not beside a flush.
                with self._flush_lock:
                    self._ox.bulk_load(path=str(path), format=fmt, to_graph=graph)
                    self._ox.flush()
                self._mirror(
                    lambda replica: replica.bulk_extend(
                        self._ox.quads_for_pattern(None, None, None, graph)
                    )
                )
                self._tell_listeners(None, ())
                # Pending until the marker is gone: a crash before that empties the graph on
                # the next open, and the pending revision is then dropped as not held. The
                # change is serialized by Oxigraph straight from the store's iterator, never
                # held as a list of quads (the load peaked at 9.8 GB at 10M triples with it). Not
                # `dump(from_graph=)`: that writes the graph's triples without its name.
                revision = self.history.begin_added(
                    self._ox.quads_for_pattern(None, None, None, graph), graph.value
                )
            except (OSError, SyntaxError) as exc:
                self._ox.clear_graph(graph)
                self._tell_listeners(None, ())
                raise StoreError(f"{path}: bulk load failed, graph left empty: {exc}") from exc
            finally:
                self._writing = False
                self._generation += 1
                if marker is not None and marker.exists():
                    marker.unlink()
            self.history.commit(revision)
            self._checkpoint(revision)

    def _bulk_marker(self) -> Path | None:
        return None if self.path is None else self.path / "bulk-load-in-progress"

    def _recover_interrupted_bulk_load(self) -> None:
        marker = self._bulk_marker()
        if marker is None or not marker.exists():
            return
        graph = ox.NamedNode(marker.read_text(encoding="utf-8").strip())
        self.changes.record([EVERYTHING])
        self._ox.clear_graph(graph)
        self._flush()
        marker.unlink()

    def clear(self) -> None:
        """Remove everything (used by tests and `aimstrace demo --reset`)."""
        self._refuse_if_past()
        with self._write_lock:
            everything = list(self._ox.quads_for_pattern(None, None, None, None))
            if not everything:
                return
            self._writing = True
            self.changes.record([EVERYTHING])
            revision = self.history.begin([], everything)
            try:
                self._ox.clear()
                self._mirror(lambda replica: replica.clear())
                self._tell_listeners(None, ())
            except OSError as exc:
                self.history.discard(revision)
                raise StoreError(f"clear failed: {exc}") from exc
            finally:
                self._writing = False
                self._generation += 1
            self.history.commit(revision)
            self._checkpoint(revision)

    # ----- history ---------------------------------------------------------------------------

    def _checkpoint(self, revision: int) -> None:
        """Every few revisions, keep the state as a checkpoint (under the write lock)."""
        if self.checkpoints is not None and self.checkpoints.due(revision):
            self._ox.flush()
            self.checkpoints.take(self._ox, revision)
            self.checkpoints.prune(self.history)

    def verify_history(self) -> Verification:
        """Recompute the hash chain, then compare every checkpoint with the state it replays to."""
        result = self.history.verify()
        if not result.ok or self.checkpoints is None:
            return result
        try:
            bad = verify_checkpoints(self.history, self.checkpoints)
        except (OSError, zstandard.ZstdError) as exc:
            return Verification(result.revisions, None, f"a checkpoint could not be read: {exc}")
        return bad if bad is not None else result

    def _holds_change(self, added: list[ox.Quad], removed: list[ox.Quad]) -> bool:
        return all(q in self._ox for q in added) and not any(q in self._ox for q in removed)

    def _start_history(self) -> None:
        """A store written before history was kept gets one baseline revision of its content."""
        if len(self.history) or not any(True for _ in self._ox.quads_for_pattern(None, None, None)):
            return
        with writing_as("baseline: the store's content when history started"):
            everything = list(self._ox.quads_for_pattern(None, None, None, None))
            revision = self.history.begin(everything, [])
            self.history.commit(revision)

    def _refuse_if_past(self) -> None:
        if self.read_only:
            raise StoreError(
                f"the store at {self.path} is open read-only (another process holds it); "
                "nothing was written"
            )
        if self._frozen is not None:
            raise StoreError(
                f"the store as of {self._frozen} is read-only: history is never rewritten"
            )

    def past_states(self) -> list[Store]:
        """The past states kept in memory (at most two)."""
        return list(self._past.values())

    @classmethod
    def frozen(cls, state: ox.Store, label: str) -> Store:
        """A read-only store over an in-memory state of the past, labelled with its revision."""
        past = cls(None)
        past._ox = state
        past._frozen = label
        return past

    @property
    def revision(self) -> str | None:
        """The revision a past state shows (None for the live store)."""
        return self._frozen

    @property
    def past_folder(self) -> Path | None:
        """The folder of a past state built on disk (None: the live store, or one in memory).

        It lives as long as this object: a caller holding the state may open it read-only.
        """
        return self._past_folder

    def at(self, ref: str) -> Store:
        """The store as it was after a revision (r12, 12, or a timestamp), read-only.

        Built from the nearest checkpoint or the present (graph.store.past), then kept (states
        of the past never change), so a repeated question about the same revision is answered
        without building it again.
        """
        if self._frozen is not None:
            raise StoreError("a past state has no history of its own; ask the live store")
        revision = self.history.resolve(ref)
        with self._past_lock:
            cached = self._past.get(revision)
            if cached is not None:
                if self.past_in_memory and cached._past_folder is not None:
                    for other in self._past.values():
                        if other is not cached:
                            other._replica = None  # one past state in memory at a time
                    cached._start_memory_view()
                return cached
            built = build_on_disk(self, revision)
            past = Store.frozen(
                built[0] if built else build_in_memory(self, revision), f"r{revision}"
            )
            if built is not None:  # the folder goes when the state does
                past._past_folder = built[1]
            if len(self._past) >= 2:  # keep few: each past state is a full copy
                self._past.pop(next(iter(self._past)))
            self._past[revision] = past
            return past

    def _start_memory_view(self) -> None:
        """Copy this past state (on disk) into memory in the background, then read the copy."""
        if self._replica is not None or self._memory_view is not None:
            return

        def copy() -> None:
            try:
                view = ox.Store()
                view.bulk_load(self._ox.dump(format=ox.RdfFormat.N_QUADS), ox.RdfFormat.N_QUADS)
            except (OSError, MemoryError) as exc:
                log.warning("past state %s kept on disk only: %s", self._frozen, exc)
                return
            self._replica = view  # the same state: a past state never changes
            self._memory_view = None

        self._memory_view = threading.Thread(target=copy, name="aimstrace-past", daemon=True)
        self._memory_view.start()

    def wait_for_memory_view(self, timeout: float | None = None) -> bool:
        """For a past state: wait until its in-memory copy answers (True), or time out."""
        thread = self._memory_view
        if thread is not None:
            thread.join(timeout)
        return self._replica is not None

    def flush(self) -> None:
        """Make sure everything written is on disk (one flush at a time, see _flush_lock)."""
        if self.path is not None and not self.read_only:
            self._flush()

    def _flush(self) -> None:
        with self._flush_lock:
            self._ox.flush()


def _open_read_only(path: Path) -> ox.Store:
    try:
        return open_read_only_with_retries(path)
    except (OSError, RuntimeError) as exc:
        raise StoreError(f"cannot open store at {path} read-only: {exc}") from exc


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
