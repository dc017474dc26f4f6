"""The answer cache: bounded, per store generation, never serving an answer older than a write."""

from __future__ import annotations

import threading
from pathlib import Path

import pyoxigraph as ox
import pytest

from aimstrace.graph.backend import QueryResult
from aimstrace.graph.engine import Engine
from aimstrace.graph.store import Changeset
from aimstrace.graph.store.answer_cache import AnswerCache
from aimstrace.loaders.pipeline import load_paths
from aimstrace.loaders.references import ORG_GRAPH

AIMS = "https://w3id.org/aimstrace/ns#"
DATA = "https://w3id.org/aimstrace/data/"
ORG = ORG_GRAPH
INVENTORY = Path(__file__).resolve().parents[1] / "data" / "api" / "inventory.yaml"


def result(rows: int, name: str = "q") -> QueryResult:
    return QueryResult(name, ("n",), tuple((i,) for i in range(rows)), "oxigraph", 1.0)


def test_an_answer_is_served_only_at_its_generation() -> None:
    cache = AnswerCache()
    cache.put("k", 3, result(2))
    assert cache.get("k", 3) == result(2)
    assert cache.get("k", 4) is None
    # The stale entry is dropped, so it is not served even if the generation were read again.
    assert cache.get("k", 3) is None and len(cache) == 0
    assert (cache.hits, cache.misses) == (1, 2)


def test_least_recently_used_goes_first_within_entry_and_row_bounds() -> None:
    cache = AnswerCache(max_entries=2, max_rows=100)
    cache.put("a", 0, result(1))
    cache.put("b", 0, result(1))
    assert cache.get("a", 0) is not None  # "b" is now the least recently used
    cache.put("c", 0, result(1))
    assert cache.get("b", 0) is None and cache.get("a", 0) and cache.get("c", 0)
    rows = AnswerCache(max_entries=10, max_rows=100)
    for key in "defgh":
        rows.put(key, 0, result(10))
    rows.put("i", 0, result(10))
    rows.put("j", 0, result(10))  # 70 rows: within the row budget
    assert len(rows) == 7
    for key in "klmn":
        rows.put(key, 0, result(10))
    assert len(rows) == 10  # 100 rows, the budget
    rows.put("o", 0, result(10))
    assert len(rows) == 10 and rows.get("d", 0) is None


def test_big_answers_and_a_zero_bound_are_not_kept() -> None:
    cache = AnswerCache(max_entries=10, max_rows=100)
    cache.put("big", 0, result(11))  # over a tenth of the row budget
    assert cache.get("big", 0) is None
    off = AnswerCache(max_rows=0)
    off.put("k", 0, result(1))
    assert not off.enabled and off.get("k", 0) is None
    with pytest.raises(ValueError, match="zero"):
        AnswerCache(max_entries=-1)


@pytest.fixture
def engine() -> Engine:
    engine = Engine.open(None)
    engine.load_vocabulary()
    engine.load_catalogs()
    load_paths(engine, [INVENTORY])
    return engine


def _owner_change(system: str, old: str, new: str) -> Changeset:
    subject = ox.NamedNode(DATA + f"system/{system}")
    owner = ox.NamedNode(AIMS + "accountableOwner")
    return Changeset(
        remove=(ox.Quad(subject, owner, ox.NamedNode(DATA + f"person/{old}"), ORG),),
        add=(ox.Quad(subject, owner, ox.NamedNode(DATA + f"person/{new}"), ORG),),
    )


def _owners(answer: QueryResult) -> set[str]:
    rows = answer.as_dicts()
    return {str(row["entity"]) for row in rows if row["category"] == "owner"}


def test_a_repeated_query_is_cached_until_the_next_write(engine: Engine) -> None:
    first = engine.trace("SYS-001")
    again = engine.trace("SYS-001")
    assert not first.cached and again.cached
    assert again.rows == first.rows and again.columns == first.columns
    assert _owners(first) == {DATA + "person/P-001"}
    engine.store.apply(_owner_change("SYS-001", "P-001", "P-002"))
    after = engine.trace("SYS-001")
    assert not after.cached
    assert _owners(after) == {DATA + "person/P-002"}


def test_other_parameters_and_backends_are_separate(engine: Engine) -> None:
    engine.trace("SYS-001")
    assert not engine.trace("SYS-002").cached
    baseline = engine.run_query("system-trace", {"system": "SYS-001"}, backend="rdflib")
    assert not baseline.cached
    again = engine.run_query("system-trace", {"system": "SYS-001"}, backend="rdflib")
    assert not again.cached and again.normalised() == baseline.normalised()


def test_an_answer_computed_across_a_write_is_never_served(engine: Engine) -> None:
    """A query that started before a write and ended after it must not be cached as current."""
    engine.trace("SYS-002")  # the backend exists now; wrap it to hold a query open
    backend = engine._query_backends["rdf"]
    real_run = backend.run
    query_done = threading.Event()
    write_done = threading.Event()

    def slow_run(*args: object) -> QueryResult:
        answer: QueryResult = real_run(*args)  # sees the state before the write
        query_done.set()
        write_done.wait(timeout=10)
        return answer

    backend.run = slow_run
    reader = threading.Thread(target=lambda: engine.trace("SYS-001"))
    reader.start()
    assert query_done.wait(timeout=10)
    engine.store.apply(_owner_change("SYS-001", "P-001", "P-002"))
    write_done.set()
    reader.join(timeout=10)
    backend.run = real_run
    fresh = engine.trace("SYS-001")
    assert not fresh.cached
    assert _owners(fresh) == {DATA + "person/P-002"}
