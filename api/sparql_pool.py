"""User SPARQL in worker processes that are killed at the deadline and replaced.

Oxigraph cannot cancel a query once it runs: a cartesian product keeps a thread busy until it
ends, however long that is. So the API runs user SPARQL (the only query text it does not
write itself) in a small pool of processes (aimstrace.api.sparql_worker), each with the store
opened read-only. At the deadline the process is killed and a fresh one started; a crash
inside Oxigraph ends only the worker. Costs measured in bench/api_bench.py and the README.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from aimstrace.api.errors import ApiProblem
from aimstrace.api.limits import timed_out

log = logging.getLogger("aimstrace.api.sparql")

FRAME_SIZE = 4
# A query still running after this long is demoted below the API process, so a runaway one
# cannot starve the requests around it; quick ones keep full priority (a niced worker waited
# behind every other process on a busy machine: lookups 5x slower).
DEMOTE_AFTER_SECONDS = 1.0
DEMOTED_NICENESS = 10


class WorkerDied(Exception):
    """The worker process ended while answering (killed, or crashed inside Oxigraph)."""


class _Worker:
    def __init__(self, store_dir: Path, memory_bytes: int) -> None:
        env = dict(os.environ)
        # The child must import this very package, wherever it was imported from here.
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        env["AIMSTRACE_WORKER_MEMORY_BYTES"] = str(memory_bytes)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "aimstrace.api.sparql_worker", str(store_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            bufsize=0,
            start_new_session=True,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.demoted = False
        self._in = self.process.stdin
        self._out = self.process.stdout.fileno()
        os.set_blocking(self._out, False)

    async def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[bytes] = loop.create_future()
        buffer = bytearray()

        def readable() -> None:
            try:
                chunk = os.read(self._out, 1 << 20)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if not chunk:
                if not done.done():
                    done.set_exception(WorkerDied())
                return
            buffer.extend(chunk)
            if len(buffer) >= FRAME_SIZE:
                size = int.from_bytes(buffer[:FRAME_SIZE], "little")
                if len(buffer) >= FRAME_SIZE + size and not done.done():
                    done.set_result(bytes(buffer[FRAME_SIZE : FRAME_SIZE + size]))

        data = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
        loop.add_reader(self._out, readable)
        try:
            try:
                self._in.write(len(data).to_bytes(FRAME_SIZE, "little") + data)
            except (BrokenPipeError, OSError):
                raise WorkerDied() from None
            answer: dict[str, Any] = pickle.loads(await done)
            return answer
        finally:
            loop.remove_reader(self._out)

    def demote(self) -> None:
        """Lower the worker's CPU priority (it cannot be raised again without privileges)."""
        self.demoted = True
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, self.process.pid, DEMOTED_NICENESS)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            self._in.close()
        # A killed process is gone in milliseconds.
        self.process.wait()
        # Through the file object that owns the descriptor: closing the number itself would
        # close whatever a later worker's pipe reuses it for.
        if self.process.stdout is not None:
            with contextlib.suppress(OSError):
                self.process.stdout.close()


class SparqlPool:
    """A fixed number of worker processes; a request waits for one at most until its deadline."""

    def __init__(
        self,
        store_dir: Path,
        workers: int,
        timeout_seconds: float,
        memory_bytes: int,
    ) -> None:
        self.store_dir = store_dir
        self.size = max(1, workers)
        self.timeout_seconds = timeout_seconds
        self.memory_bytes = memory_bytes
        self.killed = 0
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: set[_Worker] = set()
        self._closed = False

    def _spawn(self) -> _Worker:
        worker = _Worker(self.store_dir, self.memory_bytes)
        self._all.add(worker)
        return worker

    def _ensure_started(self) -> asyncio.Queue[_Worker]:
        if self._idle is None:
            self._idle = asyncio.Queue()
            for _ in range(self.size):
                self._idle.put_nowait(self._spawn())
        return self._idle

    def _retire(self, worker: _Worker, killed: bool = True) -> None:
        self._all.discard(worker)
        self.killed += int(killed)
        worker.kill()
        if not self._closed and self._idle is not None:
            self._idle.put_nowait(self._spawn())

    async def run(self, request: dict[str, Any]) -> dict[str, Any]:
        """Answer one request in a worker; 504 at the deadline, the worker killed and replaced."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout_seconds
        idle = self._ensure_started()
        try:
            worker = await asyncio.wait_for(idle.get(), timeout=self.timeout_seconds)
        except TimeoutError:
            raise timed_out(self.timeout_seconds) from None
        demotion = loop.call_later(DEMOTE_AFTER_SECONDS, worker.demote)
        try:
            answer = await asyncio.wait_for(worker.ask(request), timeout=deadline - loop.time())
        except TimeoutError:
            self._retire(worker)
            raise timed_out(self.timeout_seconds) from None
        except WorkerDied:
            self._retire(worker)
            raise ApiProblem(
                422,
                "the query could not be evaluated: the query engine stopped on it "
                "(too deep, too large or too costly); simplify the query",
                kind="query-failed",
                field="query",
                reason="evaluation aborted",
            ) from None
        except BaseException:
            # Cancelled (client gone) mid-answer: the worker's state is unknown.
            self._retire(worker)
            raise
        finally:
            demotion.cancel()
        if worker.demoted:
            # A fresh worker at full priority instead of one that stays niced.
            self._retire(worker, killed=False)
        else:
            idle.put_nowait(worker)
        return answer

    def close(self) -> None:
        """Kill every worker."""
        self._closed = True
        for worker in list(self._all):
            worker.kill()
        self._all.clear()


class PastStatePools:
    """A one-worker pool per past state on disk (`at=`): a runaway query on one is killed too.

    A past state is a folder of its own (graph.store.past) that no write ever changes, so its
    worker opens it once. The store keeps two past states; so are their pools, the oldest closed
    (its workers killed) when a third is asked for.
    """

    def __init__(self, timeout_seconds: float, memory_bytes: int, keep: int = 2) -> None:
        self.timeout_seconds = timeout_seconds
        self.memory_bytes = memory_bytes
        self.keep = keep
        self._pools: dict[Path, SparqlPool] = {}

    def for_folder(self, folder: Path) -> SparqlPool:
        """The pool of one past state's folder, started on first use."""
        pool = self._pools.get(folder)
        if pool is None:
            while len(self._pools) >= self.keep:
                self._pools.pop(next(iter(self._pools))).close()
            pool = SparqlPool(folder, 1, self.timeout_seconds, self.memory_bytes)
            self._pools[folder] = pool
        return pool

    @property
    def killed(self) -> int:
        """Workers killed at a deadline, over the pools still open."""
        return sum(pool.killed for pool in self._pools.values())

    def close(self) -> None:
        """Kill every worker of every pool."""
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()
