"""Computations a page should not wait for: a full validation or a framework's coverage at scale.

A page asks for the state (`ready`, `running`, `not-run`, `failed`) and may start the work; the
work runs on its own daemon thread, never in the query pool (it would hold a worker for minutes
and answer 504 at the time limit), and its result lands in the engine's own caches, keyed by
the store's generation. A write makes every finished job stale: its key names the old generation.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aimstrace.api.limits import DaemonExecutor

JobKey = tuple[Any, ...]


@dataclass
class Job:
    """One background computation: when it started, how long it took, how it ended."""

    started_at: datetime
    started: float = field(default_factory=time.monotonic)
    seconds: float | None = None
    error: str | None = None
    result: Any = None  # what the work returned, for a job whose answer has no cache of its own

    @property
    def state(self) -> str:
        """`running`, `ready` or `failed`."""
        if self.seconds is None:
            return "running"
        return "failed" if self.error else "ready"

    def elapsed(self) -> float:
        """Seconds it took, or has taken so far."""
        return self.seconds if self.seconds is not None else time.monotonic() - self.started


class BackgroundJobs:
    """Keyed jobs on one thread per lane (`validation` for gap reports, `reads` for the rest)."""

    LANES = ("validation", "reads")

    def __init__(self) -> None:
        # One thread per lane: the machine's cores serve requests first; a validation of a
        # large store must not starve the reads behind the dashboard, nor the other way round.
        self._pools = {lane: DaemonExecutor(1, f"aimstrace-{lane}") for lane in self.LANES}
        self._jobs: dict[JobKey, Job] = {}
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def job(self, key: JobKey) -> Job | None:
        """The job under this key, if one was started."""
        with self._lock:
            return self._jobs.get(key)

    def last_seconds(self, kind: str) -> float | None:
        """How long the last finished job of this kind took (a hint for the page)."""
        with self._lock:
            return self._last.get(kind)

    def start(self, key: JobKey, lane: str, work: Callable[[], object]) -> Job:
        """Start work under key unless it runs or ran already; jobs of older generations go."""
        with self._lock:
            found = self._jobs.get(key)
            if found is not None and found.state != "failed":
                return found
            generation = key[1]
            for old in [k for k in self._jobs if k[1] != generation and k[0] == key[0]]:
                if self._jobs[old].state != "running":
                    del self._jobs[old]
            job = Job(started_at=datetime.now(UTC))
            self._jobs[key] = job
        self._pools[lane].submit(self._run, key[0], job, work)
        return job

    def _run(self, kind: str, job: Job, work: Callable[[], object]) -> None:
        try:
            job.result = work()
        except Exception as exc:  # the page shows it; the next start tries again
            job.error = f"{type(exc).__name__}: {exc}"
        finally:
            job.seconds = time.monotonic() - job.started
            if job.error is None:
                with self._lock:
                    self._last[kind] = job.seconds

    def close(self) -> None:
        """Stop taking work; running jobs end on their own (daemon threads)."""
        for pool in self._pools.values():
            pool.shutdown(wait=False, cancel_futures=True)
