"""A log of which IRIs each write touched, so projections can sync incrementally.

Entries are written *before* the store transaction they describe (an intent log): if the write
then fails, the log names IRIs that did not change, which only costs a projection some redundant
work; it can never miss a change. A ``*`` entry means "everything may have changed" (bulk loads,
clears) and forces the next sync to be a full one.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

EVERYTHING = "*"


class ChangeLog:
    """Sequence-numbered touched IRIs, in a SQLite file beside the store (or in memory)."""

    def __init__(self, path: Path | None) -> None:
        self._lock = threading.Lock()
        target = str(path) if path is not None else ":memory:"
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, iri TEXT)"
        )

    def record(self, iris: Iterable[str]) -> int:
        """Log IRIs as touched; returns the sequence number of the last entry."""
        unique = sorted(set(iris))
        if not unique:
            return self.last_sequence()
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT INTO changes (iri) VALUES (?)", ((i,) for i in unique))
            self._db.execute("COMMIT")
        return self.last_sequence()

    def last_sequence(self) -> int:
        """The sequence number of the newest entry ever written (0 before the first).

        Compaction deletes entries but must not turn the clock back: a consumer that saw
        sequence N after compaction has to see N + 1 next, so AUTOINCREMENT's counter is used.
        """
        row = self._db.execute(
            "SELECT COALESCE(MAX(seq), "
            "(SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0) FROM changes"
        ).fetchone()
        return int(row[0])

    def oldest_sequence(self) -> int:
        """The sequence number of the oldest entry still kept (0 when empty)."""
        row = self._db.execute("SELECT COALESCE(MIN(seq), 0) FROM changes").fetchone()
        return int(row[0])

    def touched_since(self, sequence: int) -> tuple[set[str], int]:
        """IRIs touched after a sequence number, and the newest sequence number seen."""
        rows = self._db.execute(
            "SELECT seq, iri FROM changes WHERE seq > ? ORDER BY seq", (sequence,)
        ).fetchall()
        newest = max((int(r[0]) for r in rows), default=sequence)
        return {str(r[1]) for r in rows}, newest

    def compact(self, up_to: int) -> None:
        """Forget entries up to a sequence number every consumer has seen."""
        with self._lock:
            self._db.execute("DELETE FROM changes WHERE seq <= ?", (up_to,))
