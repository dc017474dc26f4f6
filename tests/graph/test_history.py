"""Revisions: every write recorded, hash-chained, replayable; the store as it was at a revision."""

from __future__ import annotations

import gc
import hashlib
import shutil
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset
from rdflib.compare import isomorphic

from aimstrace.graph.engine import Engine
from aimstrace.graph.history import GapTracker
from aimstrace.graph.store import Changeset, Store, StoreError
from aimstrace.graph.store.history import HistoryError, writing_as
from aimstrace.graph.store.past import copy_store_dir, pack
from aimstrace.graph.validation.gaps import Since
from aimstrace.loaders.pipeline import load_paths

DATA = Path(__file__).resolve().parents[1] / "data" / "history"
EX = "http://example.org/"
G = ox.NamedNode(EX + "graph")
AS_OF = "2026-06-30"


def quad(s: str, o: str) -> ox.Quad:
    return ox.Quad(ox.NamedNode(EX + s), ox.NamedNode(EX + "p"), ox.Literal(o), G)


def _dataset(data: bytes) -> Dataset:
    dataset = Dataset()
    dataset.parse(data=data.decode("utf-8"), format="nquads")
    return dataset


def assert_isomorphic(first: ox.Store, second: ox.Store) -> None:
    """Graph by graph, compared by isomorphism (never as text)."""
    one = _dataset(first.dump(format=ox.RdfFormat.N_QUADS) or b"")
    two = _dataset(second.dump(format=ox.RdfFormat.N_QUADS) or b"")
    names_one = {g.identifier for g in one.graphs() if len(g)}
    names_two = {g.identifier for g in two.graphs() if len(g)}
    assert names_one == names_two
    for name in names_one:
        assert isomorphic(one.graph(name), two.graph(name)), name


def three_loads(store_dir: Path | None = None) -> Engine:
    """Reference data, then the three loads of tests/data/history, each its own revision."""
    engine = Engine.open(store_dir)
    with writing_as("init", actor="tester"):
        engine.load_vocabulary()
        engine.load_catalogs()
    for number in (1, 2, 3):
        path = DATA / f"load{number}.yaml"
        with writing_as(f"load{number}", actor="tester", message=f"m{number}", sources=[path]):
            load_paths(engine, [path])
    return engine


@pytest.fixture(scope="module")
def engine() -> Engine:
    return three_loads()


def _revision_of(engine: Engine, command: str) -> str:
    (found,) = [r.name for r in engine.history() if r.command == command]
    return found


def test_every_write_is_a_revision_with_who_what_and_sources(engine: Engine) -> None:
    revisions = engine.history(newest_first=False)
    assert [r.id for r in revisions] == list(range(1, len(revisions) + 1))
    load2 = engine.revision(_revision_of(engine, "load2"))
    assert (load2.actor, load2.message) == ("tester", "m2")
    assert [s.path for s in load2.sources] == [str(DATA / "load2.yaml")]
    digest = hashlib.sha256((DATA / "load2.yaml").read_bytes()).hexdigest()
    assert load2.sources[0].sha256 == digest
    # load2 renames the system: one label removed, and what it adds.
    added, removed = engine.store.history.changes(load2.id)
    assert (load2.added, load2.removed) == (len(added), len(removed))
    assert [(q.predicate.value, q.object.value) for q in removed] == [
        ("http://www.w3.org/2000/01/rdf-schema#label", "Claims triage")
    ]
    assert all(r.actor == "tester" for r in revisions)


def test_replaying_every_revision_from_empty_gives_the_store(engine: Engine) -> None:
    assert_isomorphic(engine.store.history.replay(), engine.store.oxigraph)


def test_replay_holds_after_removals_and_a_clear() -> None:
    store = Store.in_memory()
    store.apply(Changeset(add=(quad("a", "1"), quad("b", "2"))))
    store.apply(Changeset(remove=(quad("a", "1"),), add=(quad("c", "3"),)))
    assert_isomorphic(store.history.replay(), store.oxigraph)
    store.clear()
    store.apply(Changeset(add=(quad("d", "4"),)))
    assert_isomorphic(store.history.replay(), store.oxigraph)
    # A write that changes nothing is no revision.
    before = len(store.history)
    store.apply(Changeset(add=(quad("d", "4"),), remove=(quad("zz", "0"),)))
    assert len(store.history) == before


def test_every_recorded_change_is_net(engine: Engine) -> None:
    # Loads, derivations and catalogs say their change was computed from the store, so it is
    # recorded unchecked: each added quad must have been absent and each removed one present.
    history = engine.store.history
    state = ox.Store()
    for revision in history.revisions():
        added, removed = history.changes(revision.id)
        assert not [q for q in added if q in state], revision.name
        assert all(q in state for q in removed), revision.name
        for quad_ in removed:
            state.remove(quad_)
        state.extend(added)


def test_a_change_computed_before_another_write_is_checked() -> None:
    store = Store.in_memory()
    store.apply(Changeset(add=(quad("a", "1"), quad("b", "2"))))
    stale = store.generation - 1  # computed before that write: a is no longer new
    store.apply(Changeset(add=(quad("a", "1"), quad("c", "3")), against=stale))
    added, removed = store.history.changes(store.history.newest())
    assert (added, removed) == ([quad("c", "3")], [])
    fresh = Changeset(remove=(quad("b", "2"),), add=(quad("d", "4"),), against=store.generation)
    store.apply(fresh)
    assert store.history.changes(store.history.newest()) == ([quad("d", "4")], [quad("b", "2")])
    assert_isomorphic(store.history.replay(), store.oxigraph)


def test_at_gives_the_earlier_answers(engine: Engine) -> None:
    r1 = _revision_of(engine, "load1")
    r2 = _revision_of(engine, "load2")
    [system_then] = engine.at(r1).list_entities("systems")
    assert (system_then["label"], system_then["datasets"]) == ("Claims triage", [])
    assert engine.at(r1).list_entities("datasets") == []
    [system_later] = engine.at(r2).list_entities("systems")
    assert (system_later["label"], system_later["datasets"]) == ("Claims triage v2", ["DS-H1"])
    assert engine.at(r2).list_entities("controls") == []
    assert [c["id"] for c in engine.list_entities("controls")] == ["C-H1"]
    # The named query answers as it was, and the present is untouched.
    trace_then = engine.at(r1).run_query("system-trace", {"system": "SYS-H1"})
    trace_now = engine.run_query("system-trace", {"system": "SYS-H1"})
    assert "DS-H1" not in str(trace_then.rows) and "DS-H1" in str(trace_now.rows)
    # A second question about the same revision reuses the state built the first time.
    assert engine.at(r1).store is engine.at(r1).store


def test_at_by_timestamp_and_errors(engine: Engine) -> None:
    newest = engine.history()[0]
    assert engine.store.history.resolve(newest.time) == newest.id
    later = (datetime.fromisoformat(newest.time) + timedelta(days=1)).isoformat()
    assert engine.store.history.resolve(later) == newest.id
    first = datetime.fromisoformat(engine.history()[-1].time)
    with pytest.raises(HistoryError, match="before the first revision"):
        engine.at((first - timedelta(seconds=5)).astimezone(UTC).isoformat())
    with pytest.raises(HistoryError, match="no revision r999"):
        engine.at("r999")
    with pytest.raises(HistoryError, match="neither a revision"):
        engine.at("yesterday")


def test_the_past_is_read_only(engine: Engine) -> None:
    past = engine.at(_revision_of(engine, "load1"))
    with pytest.raises(StoreError, match="read-only"):
        past.store.apply(Changeset(add=(quad("x", "1"),)))


def test_diff_lists_entities_and_gaps_opened_and_closed(engine: Engine) -> None:
    r1, r2, r3 = (_revision_of(engine, f"load{n}") for n in (1, 2, 3))
    first = engine.diff(r1, r2, AS_OF).as_dict()
    assert first["entities"] == {
        "datasets": {"added": ["DS-H1"], "changed": [], "removed": []},
        "risks": {"added": ["R-H1"], "changed": [], "removed": []},
        "systems": {"added": [], "changed": ["SYS-H1"], "removed": []},
    }
    gaps_opened = first["gaps_opened"]
    assert isinstance(gaps_opened, list)
    opened = {(g["requirement"], g["focus_label"]) for g in gaps_opened}
    assert opened == {(f"A.7.{n}", "DS-H1 Claims archive") for n in (3, 4, 5)}
    assert first["gaps_closed"] == []
    second = engine.diff(r2, r3, AS_OF)
    closed = {(g.requirement, g.focus_label) for g in second.gaps_closed}
    assert closed == {(f"A.7.{n}", "DS-H1 Claims archive") for n in (3, 4, 5)}
    assert [(g.severity, g.requirement) for g in second.gaps_opened] == [("Warning", "7.5")]


def test_gap_lifecycle_says_open_since_and_closed(engine: Engine) -> None:
    r1, r2, r3 = (_revision_of(engine, f"load{n}") for n in (1, 2, 3))
    by_gap = {
        (g.record.requirement, g.record.focus_label): (g.first_seen, g.closed)
        for g in engine.gap_lifecycles(AS_OF)
    }
    for n in (3, 4, 5):
        assert by_gap[(f"A.7.{n}", "DS-H1 Claims archive")] == (r2, r3)
    assert by_gap[("7.5", "C-H1 Fairness review of triage outcomes")] == (r3, None)
    assert by_gap[("A.9.4", "SYS-H1 Claims triage")] == (r1, None)


def test_incremental_gap_lifecycles_equal_validating_every_revision_in_full() -> None:
    engine = three_loads()
    with writing_as("load2 again", actor="tester"):  # the dataset's records go again
        load_paths(engine, [DATA / "load2.yaml"])
    when = date.fromisoformat(AS_OF)
    quick, full = GapTracker(when), GapTracker(when, incremental=False)
    quick.advance(engine.store.history, engine.store.history.newest())
    full.advance(engine.store.history, engine.store.history.newest())
    assert quick.lifecycles() == full.lifecycles()
    assert any(g.closed for g in full.lifecycles())


def test_open_since_in_the_present_and_as_of_a_revision(engine: Engine) -> None:
    r1, r2, r3 = (_revision_of(engine, f"load{n}") for n in (1, 2, 3))
    times = {r.name: r.time for r in engine.history()}
    report = engine.validate(AS_OF)
    since = engine.open_since(AS_OF)
    shown = {(r.requirement, r.focus_label): since.of(r) for r in report.records}
    assert all(s is not None for s in shown.values())
    assert shown[("7.5", "C-H1 Fairness review of triage outcomes")] == Since(r3, times[r3])
    assert shown[("A.9.4", "SYS-H1 Claims triage v2")] == Since(r1, times[r1])
    past = engine.at(r2)
    past_since = past.open_since(AS_OF)
    past_shown = {
        (r.requirement, r.focus_label): past_since.of(r) for r in past.validate(AS_OF).records
    }
    assert past_shown[("A.7.3", "DS-H1 Claims archive")] == Since(r2, times[r2])
    assert ("7.5", "C-H1 Fairness review of triage outcomes") not in past_shown
    assert past.closed_since(date(2000, 1, 1), AS_OF) == []
    closed = engine.closed_since(date(2000, 1, 1), AS_OF)
    assert {(g.record.requirement, g.closed) for g in closed} == {
        (f"A.7.{n}", r3) for n in (3, 4, 5)
    }
    tomorrow = datetime.fromisoformat(times[r3]).date() + timedelta(days=1)
    assert engine.closed_since(tomorrow, AS_OF) == []


def test_a_failed_write_is_not_recorded() -> None:
    store = Store.in_memory()
    store.apply(Changeset(add=(quad("a", "1"),)))
    before = (len(store.history), store.history.newest())
    blank = ox.Quad(ox.BlankNode(), ox.NamedNode(EX + "p"), ox.Literal("1"), G)
    store.oxigraph.add(blank)  # present, so the removal below is a real change that must fail
    with pytest.raises(StoreError, match="store unchanged"):
        store.apply(Changeset(remove=(blank,), add=(quad("b", "2"),)))
    assert (len(store.history), store.history.newest()) == before
    store.apply(Changeset(add=(quad("c", "3"),)))
    assert store.history.newest() == before[1] + 1 and store.history.verify().ok


def test_verify_names_the_first_hand_edited_revision(tmp_path: Path) -> None:
    engine = three_loads(tmp_path / "store")
    assert engine.verify_history().ok
    path = tmp_path / "store" / "history.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("UPDATE revisions SET actor = 'mallory' WHERE id = 8")
    result = engine.verify_history()
    assert (result.ok, result.first_bad) == (False, 8)
    assert "fields" in (result.reason or "")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE revisions SET actor = 'tester' WHERE id = 8")
        db.execute(
            "UPDATE revisions SET added_nquads = ? WHERE id = 3",
            (b"x\x9c\x03\x00\x00\x00\x00\x01",),
        )
    result = engine.verify_history()
    assert (result.first_bad, result.reason) == (3, "its recorded change was altered")
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM revisions WHERE id = 5")
    assert engine.verify_history().first_bad == 3


def test_a_pending_revision_is_settled_when_the_store_opens_again(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    store.apply(Changeset(add=(quad("a", "1"),)))
    # A crash after the record was written and before the transaction: not held, dropped.
    store.history.begin([quad("b", "2")], [])
    # (a crash after the transaction but before the commit mark: held, kept)
    store.flush()
    del store
    reopened = Store(tmp_path / "store")
    assert len(reopened.history) == 1
    pending = reopened.history.begin([quad("c", "3")], [])
    reopened.oxigraph.add(quad("c", "3"))
    reopened.flush()
    del reopened
    again = Store(tmp_path / "store")
    assert [r.id for r in again.history.revisions()] == [1, pending]
    assert_isomorphic(again.history.replay(), again.oxigraph)


def test_a_store_from_before_history_gets_a_baseline(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    store.apply(Changeset(add=(quad("a", "1"), quad("b", "2"))))
    store.flush()
    del store
    for name in ("history.sqlite", "history.sqlite-wal", "history.sqlite-shm"):
        (tmp_path / "store" / name).unlink(missing_ok=True)
    reopened = Store(tmp_path / "store")
    [baseline] = reopened.history.revisions()
    assert baseline.command.startswith("baseline") and baseline.added == 2
    assert_isomorphic(reopened.history.replay(), reopened.oxigraph)


def test_past_states_from_checkpoints_match_the_replayed_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIMSTRACE_CHECKPOINT_EVERY", "2")
    monkeypatch.setenv("AIMSTRACE_CHECKPOINTS_KEPT", "100")
    engine = three_loads(tmp_path / "store")
    store = engine.store
    newest = store.history.newest()
    assert store.checkpoints is not None
    assert store.checkpoints.ids() == list(range(2, newest + 1, 2))
    # Every revision: forward from the checkpoint before, back from the one after, or from
    # the present, whichever is nearest; each must be exactly what the revisions replay to.
    for revision in range(1, newest + 1):
        past = store.at(f"r{revision}")
        assert_isomorphic(past.oxigraph, store.history.replay(up_to=revision))
    assert engine.verify_history().ok


def test_verify_names_an_altered_checkpoint_and_a_dropped_past_state_leaves_no_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIMSTRACE_CHECKPOINT_EVERY", "2")
    store = Store(tmp_path / "store")
    for n in range(5):
        store.apply(Changeset(add=(quad(f"s{n}", str(n)),)))
    assert store.checkpoints is not None
    past = store.at("r3")
    assert {q.subject.value for q in past.quads()} == {EX + f"s{n}" for n in range(3)}
    [folder] = (tmp_path / "store" / "history-checkpoints" / "past").iterdir()
    del past
    store._past.clear()
    gc.collect()
    assert not folder.exists()
    # One left by a process that ended without removing it goes when the store is next opened.
    leftover = folder.parent / "999999999-r1-deadbeef"
    leftover.mkdir()
    # Forged as someone would: unpacked, edited, packed again in place of the checkpoint.
    forged_dir = tmp_path / "forged"
    copy_store_dir(store.checkpoints.path(4), forged_dir)
    altered = ox.Store(str(forged_dir))
    altered.add(quad("forged", "x"))
    altered.flush()
    del altered
    gc.collect()
    pack(forged_dir)
    shutil.rmtree(store.checkpoints.path(4))
    forged_dir.rename(store.checkpoints.path(4))
    result = store.verify_history()
    assert (result.ok, result.first_bad) == (False, 4)
    assert "checkpoint r4 differs" in (result.reason or "")
    del store
    gc.collect()
    Store(tmp_path / "store")
    assert not leftover.exists()


def test_a_past_state_asked_again_is_answered_from_memory(tmp_path: Path) -> None:
    engine = three_loads(tmp_path / "store")
    store = engine.store
    store.past_in_memory = True
    target = _revision_of(engine, "load2")
    first = engine.at(target)
    trace = first.trace("SYS-H1").rows
    assert not first.store.has_read_replica  # one question: answered from the disk copy
    again = engine.at(target)
    assert again.store is first.store and again.store.wait_for_memory_view(timeout=60)
    assert again.store.has_read_replica
    assert_isomorphic(again.store._reader, store.history.replay(up_to=int(target[1:])))
    assert Engine(again.store).trace("SYS-H1").rows == trace
    # Only one past state is kept in memory: asking twice about another drops the first copy.
    other = _revision_of(engine, "load1")
    engine.at(other)
    assert engine.at(other).store.wait_for_memory_view(timeout=60)
    assert not first.store.has_read_replica


def test_few_checkpoints_are_kept_spread_over_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIMSTRACE_CHECKPOINT_EVERY", "2")
    monkeypatch.setenv("AIMSTRACE_CHECKPOINTS_KEPT", "2")
    store = Store(tmp_path / "store")
    store.apply(Changeset(add=tuple(quad(f"base{n}", str(n)) for n in range(50))))  # a baseline
    for n in range(11):
        store.apply(Changeset(add=(quad(f"s{n}", str(n)),)))
    assert store.checkpoints is not None
    # r2 saves replaying the 50-quad baseline; of the rest, the one furthest from the present.
    assert store.checkpoints.ids() == [2, 4]
    assert not (tmp_path / "store" / "history-checkpoints" / "r12").exists()
    for revision in (1, 3, 6, 11):  # forward from a checkpoint or back from the present
        past = store.at(f"r{revision}")
        assert_isomorphic(past.oxigraph, store.history.replay(up_to=revision))
    assert store.verify_history().ok


def test_checkpoints_are_packed_and_an_unpacked_one_still_serves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIMSTRACE_CHECKPOINT_EVERY", "2")
    monkeypatch.setenv("AIMSTRACE_CHECKPOINTS_KEPT", "100")
    store = Store(tmp_path / "store")
    for n in range(6):
        store.apply(Changeset(add=tuple(quad(f"s{n}-{k}", str(k)) for k in range(20))))
    assert store.checkpoints is not None and store.checkpoints.ids() == [2, 4, 6]
    names = [f.name for f in store.checkpoints.path(2).iterdir()]
    assert any(n.endswith(".sst.zst") for n in names)
    assert not any(n.endswith(".sst") for n in names)  # nothing left that pins the store's files
    # A checkpoint written before packing (plain RocksDB backup files) is still a base.
    plain = tmp_path / "plain"
    copy_store_dir(store.checkpoints.path(4), plain)
    shutil.rmtree(store.checkpoints.path(4))
    plain.rename(store.checkpoints.path(4))
    for revision in (3, 4, 5):
        assert_isomorphic(store.at(f"r{revision}").oxigraph, store.history.replay(up_to=revision))
    assert store.verify_history().ok


@pytest.mark.parametrize("chunk", [7, 64, 1 << 18])
def test_one_subjects_lines_of_a_change_are_those_of_splitting_it_all(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    import zlib

    from aimstrace.graph.store import revision

    # Small chunks put line and block boundaries everywhere, including inside a subject's block.
    monkeypatch.setattr(revision, "_SCAN_CHUNK", chunk)
    quads = [quad(f"s{n % 37}", f"value {n} {'x' * (n % 11)}") for n in range(400)]
    quads.append(
        ox.Quad(ox.NamedNode(EX + "s1"), ox.NamedNode(EX + "q"), ox.NamedNode(EX + "s10"), G)
    )
    text = b"".join(sorted(ox.serialize(quads, format=ox.RdfFormat.N_QUADS).splitlines(True)))
    compressed = zlib.compress(text, 1)
    for name in [f"s{n}" for n in range(37)] + ["s", "s99", "a", "z"]:
        prefix = f"<{EX}{name}> ".encode()
        expected = [line for line in text.splitlines() if line.startswith(prefix)]
        assert revision.lines_about(compressed, EX + name) == expected, name
    assert revision.lines_about(zlib.compress(b""), EX + "s1") == []
