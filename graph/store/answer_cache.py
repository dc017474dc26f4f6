"""Named-query answers kept for the store generation they were computed at.

Traceability reads repeat far more often than the graph changes: dashboards poll a system's
trace, pipelines ask the same release-gate question. A named query's answer is a function of
its parameters and the store's contents, so it can be served again until the next write. The
store counts its writes (`Store.generation`); an entry is served only while that count is
still the one read *before* the query ran. A write that commits while a query runs therefore
makes the entry stale at once, whichever snapshot the query saw, and a reader never gets an
answer older than the last write it could have seen.

The cache is bounded by entries and by total rows (answers too big for the row budget are not
kept), least recently used first out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from aimstrace.graph.backend import QueryResult

DEFAULT_MAX_ENTRIES = 4096
DEFAULT_MAX_ROWS = 200_000


@dataclass(frozen=True)
class _Entry:
    generation: int
    result: QueryResult


class AnswerCache:
    """A thread-safe LRU of query results, each valid for one store generation."""

    def __init__(
        self, max_entries: int = DEFAULT_MAX_ENTRIES, max_rows: int = DEFAULT_MAX_ROWS
    ) -> None:
        if max_entries < 0 or max_rows < 0:
            raise ValueError("answer cache bounds must be zero (off) or positive")
        self.max_entries = max_entries
        self.max_rows = max_rows
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._rows = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        """False when configured with a zero bound."""
        return self.max_entries > 0 and self.max_rows > 0

    def get(self, key: Hashable, generation: int) -> QueryResult | None:
        """The answer stored under key if it was computed at this generation, else None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.generation != generation:
                if entry is not None:
                    self._drop(key, entry)
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry.result

    def put(self, key: Hashable, generation: int, result: QueryResult) -> None:
        """Keep an answer computed at a generation read before the query started."""
        # One answer may use at most a tenth of the row budget, so a few huge answers
        # cannot push out the many small ones the cache is for.
        if not self.enabled or len(result.rows) > self.max_rows // 10:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._rows -= len(old.result.rows)
            self._entries[key] = _Entry(generation, result)
            self._rows += len(result.rows)
            while self._entries and (
                len(self._entries) > self.max_entries or self._rows > self.max_rows
            ):
                oldest_key, oldest = next(iter(self._entries.items()))
                self._drop(oldest_key, oldest)

    def clear(self) -> None:
        """Forget every answer."""
        with self._lock:
            self._entries.clear()
            self._rows = 0

    def __len__(self) -> int:
        return len(self._entries)

    def _drop(self, key: Hashable, entry: _Entry) -> None:
        del self._entries[key]
        self._rows -= len(entry.result.rows)
