"""States of the past: checkpoints of the store every few revisions, and a past state built fast.

A past state is built on disk, not in memory: the nearest *base* whose revision is known (the
present, copied by hard-linking its immutable RocksDB files in milliseconds at any size, or a
checkpoint, unpacked) is copied into a private folder, and only the revisions between that base
and the one asked for are applied to the copy. Bases are checkpoints (RocksDB backups) taken every
``CHECKPOINT_EVERY`` revisions in ``history-checkpoints/r<N>/`` beside ``history.sqlite``, so
no past state is more than a few revisions from a base. (Copying the whole dataset into memory
instead costs seconds per 100k quads, and replaying from empty costs the whole history.)

A checkpoint is kept zstd-compressed: RocksDB's SST files (Oxigraph writes them uncompressed)
shrink about 3x, and unpacking one is fast (hundreds of MB a second), while a hard-linked backup
pins a whole uncompressed copy of the store once RocksDB compacts the present past it (at 1M
triples two such checkpoints took 2.9x the recorded changes). Building a past state from a
checkpoint unpacks it into a private folder; from the present it still hard-links.

Checkpoints are a cache, never evidence: ``history --verify`` replays the hash-chained revisions
and compares every checkpoint with the state they give, and a checkpoint that is missing or
unreadable is simply not used. An in-memory store has no checkpoints; its past states are copies
of the present in memory with the newer revisions undone.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
import zstandard

from aimstrace.graph.store.history import Delta, History, Verification

if TYPE_CHECKING:
    from aimstrace.graph.store.core import Store

log = logging.getLogger("aimstrace.store")

CHECKPOINT_EVERY = 25
CHECKPOINT_ENV_VAR = "AIMSTRACE_CHECKPOINT_EVERY"
# Each checkpoint kept pins about one copy of the store's files once RocksDB has compacted the
# present past it (at 1M triples, ten checkpoints took 7.9x the recorded changes); so few are kept.
CHECKPOINTS_KEPT = 2
CHECKPOINTS_KEPT_ENV_VAR = "AIMSTRACE_CHECKPOINTS_KEPT"
_CHECKPOINT = re.compile(r"^r([0-9]+)$")
PACKED = ".zst"  # the suffix of a compressed file in a checkpoint
# Level 1: an SST file of 66 MB packs to 21 MB in 0.35 s of CPU (level 3: barely smaller, 2x
# slower); taken under the write lock, so fast matters more than the last few percent.
_LEVEL = 1
UNPACK_QUADS = 45
_PAST_DIR = re.compile(r"^([0-9]+)-")


def checkpoint_every() -> int:
    """Revisions between checkpoints: $AIMSTRACE_CHECKPOINT_EVERY, else 10 (0: none)."""
    text = os.environ.get(CHECKPOINT_ENV_VAR, "")
    try:
        return max(0, int(text)) if text.strip() else CHECKPOINT_EVERY
    except ValueError:
        log.warning("%s=%r is not a number; using %s", CHECKPOINT_ENV_VAR, text, CHECKPOINT_EVERY)
        return CHECKPOINT_EVERY


def checkpoints_kept() -> int:
    """How many checkpoints are kept: $AIMSTRACE_CHECKPOINTS_KEPT, else 2."""
    text = os.environ.get(CHECKPOINTS_KEPT_ENV_VAR, "")
    try:
        return max(0, int(text)) if text.strip() else CHECKPOINTS_KEPT
    except ValueError:
        log.warning("%s=%r is not a number; using %s", CHECKPOINTS_KEPT_ENV_VAR, text, 2)
        return CHECKPOINTS_KEPT


class Checkpoints:
    """The checkpoints of one on-disk store, in a folder beside it."""

    def __init__(self, folder: Path, every: int | None = None, kept: int | None = None) -> None:
        self.folder = folder
        self.every = every if every is not None else checkpoint_every()
        self.kept = kept if kept is not None else checkpoints_kept()

    def ids(self) -> list[int]:
        """The revisions that have a complete checkpoint, oldest first."""
        if not self.folder.is_dir():
            return []
        found = []
        for child in self.folder.iterdir():
            match = _CHECKPOINT.match(child.name)
            if match and (child / "CURRENT").is_file():
                found.append(int(match.group(1)))
        return sorted(found)

    def path(self, revision: int) -> Path:
        """Where the checkpoint of a revision is (or would be)."""
        return self.folder / f"r{revision}"

    def due(self, revision: int) -> bool:
        """True when a revision just committed should be checkpointed."""
        return self.every > 0 and revision % self.every == 0

    def take(self, store: ox.Store, revision: int) -> None:
        """Checkpoint the store as it is after `revision` (called under the write lock).

        Written under a temporary name and renamed when complete, so a crash leaves no
        half-written checkpoint that could be used. A failure is logged, not raised: the
        write it follows has committed, and a missing checkpoint only makes `--at` slower.
        """
        partial = self.folder / f".r{revision}.partial-{uuid.uuid4().hex[:8]}"
        try:
            self.folder.mkdir(exist_ok=True)
            store.backup(str(partial))
            pack(partial)
            partial.rename(self.path(revision))
        except OSError as exc:
            shutil.rmtree(partial, ignore_errors=True)
            log.warning("no checkpoint at r%s (--at will be slower): %s", revision, exc)

    def prune(self, history: History) -> None:
        """Keep at most `kept` checkpoints, dropping the least useful first.

        A checkpoint's use is the work it saves: without it, the revisions between its two
        neighbouring bases (the checkpoints beside it, the empty store before the first, the
        present after the last) must be replayed from one of them. The one whose removal leaves
        the smallest such span, in quads, goes first; so the kept ones stay spread over history
        and the newest, next to the present, is the first to go.
        """
        ids = self.ids()
        if len(ids) <= self.kept:
            return
        weights = {r.id: r.added + r.removed for r in history.revisions()}
        newest = max(weights, default=0)
        while len(ids) > self.kept:
            bounds = [0, *ids, newest]
            spans = [
                sum(weights.get(r, 0) for r in range(bounds[i] + 1, bounds[i + 2] + 1))
                for i in range(len(ids))
            ]
            drop = min(range(len(ids)), key=lambda i: (spans[i], -ids[i]))
            shutil.rmtree(self.path(ids[drop]), ignore_errors=True)
            ids.pop(drop)

    def past_dir(self, revision: int) -> Path:
        """A fresh folder for a past state this process builds (removed when it is dropped)."""
        return self.folder / "past" / f"{os.getpid()}-r{revision}-{uuid.uuid4().hex[:8]}"

    def remove_stale_past_dirs(self) -> None:
        """Remove past states left by processes that ended without removing them."""
        past = self.folder / "past"
        if not past.is_dir():
            return
        for child in past.iterdir():
            match = _PAST_DIR.match(child.name)
            if match and not _alive(int(match.group(1))):
                shutil.rmtree(child, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def pack(folder: Path) -> None:
    """Compress the SST files of a closed RocksDB folder in place (`000012.sst.zst`).

    The small files (CURRENT, MANIFEST, OPTIONS) stay as they are, so a packed folder is still
    recognised as a complete checkpoint by its CURRENT file.
    """
    packer = zstandard.ZstdCompressor(level=_LEVEL, threads=-1)
    for child in sorted(folder.iterdir()):
        if not child.name.endswith(".sst"):
            continue
        packed = child.with_name(child.name + PACKED)
        with child.open("rb") as raw, packed.open("wb") as out:
            packer.copy_stream(raw, out, size=child.stat().st_size)
        child.unlink()  # a hard link into the live store: the store keeps its file


def is_packed(folder: Path) -> bool:
    """True when a checkpoint's SST files are compressed (it must be unpacked to be used)."""
    return any(child.name.endswith(".sst" + PACKED) for child in folder.iterdir())


def copy_store_dir(source: Path, target: Path) -> None:
    """Copy a closed RocksDB folder (a checkpoint) into a new one that can be opened.

    Packed SST files are unpacked; plain ones (a checkpoint from before packing) are
    hard-linked, since SST files are immutable and a link is as good as a copy; the manifest
    and options files are rewritten by whoever opens the copy, so those are copied.
    """
    target.mkdir(parents=True)
    packed = []
    for child in source.iterdir():
        if child.name.endswith(".sst" + PACKED):
            packed.append(child)
            continue
        if child.name.endswith(".sst"):
            try:
                os.link(child, target / child.name)
                continue
            except OSError:
                pass  # another file system: copy it
        shutil.copy2(child, target / child.name)
    # zstd releases the GIL while it works: one thread per core unpacks the files side by side.
    with ThreadPoolExecutor(max_workers=max(1, min(len(packed), os.cpu_count() or 1))) as pool:
        list(pool.map(lambda child: _unpack(child, target / child.name[: -len(PACKED)]), packed))


def _unpack(packed: Path, out: Path) -> None:
    with packed.open("rb") as source, out.open("wb") as target:
        zstandard.ZstdDecompressor().copy_stream(source, target)


@dataclass(frozen=True)
class Base:
    """Where a past state is built from: a revision whose full state can be copied cheaply."""

    revision: int
    path: Path | None  # a checkpoint folder, or None for the live store itself


def nearest_base(
    history: History, target: int, checkpoints: Checkpoints | None, present: bool
) -> Base | None:
    """The base with the least work to reach `target`: the quads to replay (forward) or undo
    (backward), plus, for a packed checkpoint, unpacking it."""
    revisions = history.revisions()
    weights = {r.id: r.added + r.removed for r in revisions}
    newest = max(weights, default=0)
    # Unpacking a checkpoint of 1M quads took 0.8 s of CPU, as long as applying ~22k changed
    # quads (36 us each): counted as one changed quad per UNPACK_QUADS of the store's size.
    unpack = max(0, sum(r.added - r.removed for r in revisions)) // UNPACK_QUADS
    candidates: list[tuple[int, Base]] = []
    found = {c: checkpoints.path(c) for c in checkpoints.ids()} if checkpoints else {}
    for checkpoint, path in found.items():
        low, high = sorted((checkpoint, target))
        cost = sum(weights.get(r, 0) for r in range(low + 1, high + 1))
        candidates.append((cost + (unpack if is_packed(path) else 0), Base(checkpoint, path)))
    if present:
        cost = sum(weights.get(r, 0) for r in range(target + 1, newest + 1))
        candidates.append((cost, Base(newest, None)))
    if not candidates:
        return None
    return min(candidates, key=lambda c: (c[0], -c[1].revision))[1]


def delta_forward(history: History, start: int, target: int) -> Delta:
    """The change that turns the state after `start` into the state after `target` (start<=target).

    Each revision removes, then adds; composed, a quad removed then added again ends added. This
    is exact whether or not a recorded change is net.
    """
    delta = Delta()
    for revision in range(start + 1, target + 1):
        added, removed = history.changes(revision)
        delta.removed.update(removed)
        delta.added.difference_update(removed)
        delta.added.update(added)
        delta.removed.difference_update(added)
    return delta


def apply_delta(state: ox.Store, delta: Delta) -> None:
    """Change a state by a delta (a past state is private to this process: no transaction)."""
    for quad in delta.removed:
        state.remove(quad)
    state.extend(delta.added)


def open_checkpoint(checkpoints: Checkpoints, revision: int) -> tuple[ox.Store, Path]:
    """A checkpoint unpacked into a private folder and opened (remove the folder after use)."""
    where = checkpoints.folder / "past" / f"{os.getpid()}-verify-r{revision}-{uuid.uuid4().hex[:8]}"
    try:
        copy_store_dir(checkpoints.path(revision), where)
        return ox.Store(str(where)), where
    except (OSError, zstandard.ZstdError):
        shutil.rmtree(where, ignore_errors=True)
        raise


def verify_checkpoints(history: History, checkpoints: Checkpoints) -> Verification | None:
    """Replay the revisions, compare each checkpoint with the state they give; None if all agree.

    Raises OSError (or zstandard.ZstdError) when a checkpoint cannot be read.
    """
    ids = checkpoints.ids()
    if not ids:
        return None
    state = ox.Store()
    done = 0
    for checkpoint in ids:
        if checkpoint > history.newest():
            return Verification(
                len(history), checkpoint, f"checkpoint r{checkpoint} is newer than the history"
            )
        apply_delta(state, delta_forward(history, done, checkpoint))
        done = checkpoint
        saved, where = open_checkpoint(checkpoints, checkpoint)
        try:
            same = len(saved) == len(state) and all(q in state for q in saved)
        finally:
            del saved  # closed before its folder goes
            shutil.rmtree(where, ignore_errors=True)
        if not same:
            return Verification(
                len(history),
                checkpoint,
                f"checkpoint r{checkpoint} differs from the recorded history (it is a cache: "
                f"delete {checkpoints.path(checkpoint)} and --at rebuilds without it)",
            )
    return None


def build_on_disk(store: Store, revision: int) -> tuple[ox.Store, Path] | None:
    """A past state in a hard-linked copy of the nearest base; None without checkpoints."""
    if store.checkpoints is None:
        return None
    base = nearest_base(store.history, revision, store.checkpoints, present=not store.read_only)
    if base is None:
        return None
    where = store.checkpoints.past_dir(revision)
    started = time.perf_counter()
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        if base.path is None:
            with store._write_lock:  # the present, at the revision it really is
                start = store.history.newest()
                store._ox.backup(str(where))
        else:
            start = base.revision
            copy_store_dir(base.path, where)
        state = ox.Store(str(where))
    except (OSError, zstandard.ZstdError) as exc:
        shutil.rmtree(where, ignore_errors=True)
        log.warning("past state r%s built in memory instead: %s", revision, exc)
        return None
    copied = time.perf_counter()
    # One delta composed in Python, then applied: measured against applying the revisions
    # one by one (bench/history_bench.py, earlier run), composing was 2-10x faster, since
    # revisions that touch the same quads cancel out before anything reaches RocksDB.
    if start <= revision:
        delta = delta_forward(store.history, start, revision)
    else:
        delta = store.history.delta_back(revision, lambda q: q in state, start=start)
    composed = time.perf_counter()
    apply_delta(state, delta)
    log.debug(
        "past state r%s from r%s: copy %.3f s, delta %.3f s (%s quads), apply %.3f s",
        revision,
        start,
        copied - started,
        composed - copied,
        len(delta.added) + len(delta.removed),
        time.perf_counter() - composed,
    )
    return state, where


def build_in_memory(store: Store, revision: int) -> ox.Store:
    """A past state as an in-memory copy of the present with the newer revisions undone."""
    with store._write_lock:
        reader = store._reader
        delta = store.history.delta_back(revision, lambda q: q in reader)
        # Copied inside Oxigraph (dump and bulk load, no Python object per quad).
        state = ox.Store()
        state.bulk_load(reader.dump(format=ox.RdfFormat.N_QUADS), ox.RdfFormat.N_QUADS)
    apply_delta(state, delta)
    return state
