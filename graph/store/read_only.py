"""Opening a read-only view of a store that another process holds (see core.Store)."""

from __future__ import annotations

import time
from pathlib import Path

import pyoxigraph as ox

# A read-only open races with the writer's compactions (a file the manifest lists is gone when
# the view opens it); measured on the demo store, 9 of 40 opens right after a write failed once
# and none twice, so a few short retries are plenty.
READ_ONLY_OPEN_ATTEMPTS = 10
READ_ONLY_RETRY_SECONDS = 0.02


def open_read_only_with_retries(path: Path) -> ox.Store:
    """Open path read-only, retrying the race with a writer's compaction; the last error raised."""
    for attempt in range(READ_ONLY_OPEN_ATTEMPTS):
        try:
            return ox.Store.read_only(str(path))
        except (OSError, RuntimeError):
            if attempt == READ_ONLY_OPEN_ATTEMPTS - 1:
                raise
            time.sleep(READ_ONLY_RETRY_SECONDS)
    raise AssertionError("unreachable")
