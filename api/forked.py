"""Query work in forked copies of the server, killed at the deadline and replaced.

Oxigraph cannot cancel a query once it runs (a cartesian product keeps its thread busy until
it ends, hours later), and neither can Python stop a thread. So the routes that run query work
(user SPARQL, named queries, traces, impact, accountability, paths) hand it to a child process:
at the deadline the child is killed with SIGKILL, its CPU is free at once, and a replacement is
forked. A crash inside Oxigraph ends only the child.

The children are forks, not fresh interpreters: each starts with everything the server holds
(the in-memory read replica, past states, answer caches, analytics projections), copy on write,
so a lookup costs what it costs in the server plus one round trip on a pipe. A fresh interpreter
had to open the store from disk and answered lookups 12.9x slower (bench/api_bench.py).

- The live engine is served by a few persistent children, each forked at one state of the store
  (its generation, and whether the replica was ready). A child answers only requests made at
  that state, which makes every request's reads one snapshot; after a write the next request
  forks a fresh child. Forks hold the store's write lock, so no write is half applied in a copy.
- Any other engine (a past state, `at=`) gets a one-off fork per request: the work is a closure
  over objects that exist only in the server, and a fork carries them over.
- Only the forking thread lives on in a child: locks other threads held at the fork are
  replaced there (Engine.reset_locks_after_fork).
- A request that has used DEMOTE_AFTER_CPU_SECONDS of CPU is niced, so a runaway query cannot
  starve the server's own threads; a niced child is replaced once it answers (a fork, not a
  start). CPU, not wall time: on a busy machine a lookup can wait a second for a core, and
  demoting (then re-forking) every such child slowed everything further.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import pickle
import resource
import signal
import struct
from collections.abc import Callable
from typing import Any, TypeVar

from aimstrace.api.errors import ApiProblem
from aimstrace.api.limits import DaemonExecutor, timed_out
from aimstrace.graph.engine import Engine

log = logging.getLogger("aimstrace.api.forked")

T = TypeVar("T")
FRAME = struct.Struct("<I")
DEMOTE_AFTER_CPU_SECONDS = 0.5
DEMOTE_CHECK_SECONDS = 0.25
DEMOTED_NICENESS = 10
PR_SET_PDEATHSIG = 1

# Parent-side pipe ends of every child: a new child closes them, so that a child killed at its
# deadline is seen as gone (end of file) and no sibling keeps its pipes open.
_PARENT_FDS: set[int] = set()


class WorkerDied(Exception):
    """The child ended while answering (killed, or crashed inside Oxigraph)."""


def engine_stopped() -> ApiProblem:
    """The problem answer for a child that died on a request (a native crash, memory cap)."""
    return ApiProblem(
        422,
        "the query could not be evaluated: the query engine stopped on it "
        "(too deep, too large or too costly); simplify the query",
        kind="query-failed",
        field="query",
        reason="evaluation aborted",
    )


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_exact(fd: int, size: int) -> bytes | None:
    data = bytearray()
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            return None
        data += chunk
    return bytes(data)


def _answer_bytes(work: Callable[[], Any]) -> bytes:
    """Run work and pickle ("ok", value) or ("err", exception), never failing to answer."""
    try:
        answer: tuple[str, Any] = ("ok", work())
    except BaseException as exc:
        exc.__traceback__ = None
        exc.__context__ = None
        exc.__cause__ = None
        answer = ("err", exc)
    try:
        data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.loads(data)  # an exception whose class cannot be rebuilt would fail the server
    except Exception as exc:
        problem = ApiProblem(
            422, f"the query failed: {exc}", kind="query-failed", reason="evaluation error"
        )
        data = pickle.dumps(("err", problem), protocol=pickle.HIGHEST_PROTOCOL)
    return FRAME.pack(len(data)) + data


def _become_child(keep: tuple[int, ...], memory_bytes: int) -> None:
    """Set up a freshly forked child: default signals, die with the server, memory cap."""
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, signal.SIG_DFL)
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    for fd in list(_PARENT_FDS):
        if fd not in keep:
            with contextlib.suppress(OSError):
                os.close(fd)
    if memory_bytes > 0:
        # On top of what the copy already maps: a query that builds huge values ends here with
        # an allocation failure, not the server.
        with open("/proc/self/statm", encoding="ascii") as statm:
            mapped = int(statm.read().split()[0]) * resource.getpagesize()
        limit = mapped + memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _serve(engine: Engine, requests: int, answers: int) -> None:
    """A persistent child: answer (function, args) requests on the engine until end of file."""
    while True:
        header = _read_exact(requests, FRAME.size)
        if header is None:
            return
        body = _read_exact(requests, FRAME.unpack(header)[0])
        if body is None:
            return

        def work(body: bytes = body) -> Any:
            func, args = pickle.loads(body)
            return func(engine, *args)

        _write_all(answers, _answer_bytes(work))


class _Child:
    def __init__(self, pid: int, requests: int, answers: int, stamp: object) -> None:
        self.pid = pid
        self.requests = requests
        self.answers = answers
        self.stamp = stamp
        self.demoted = False
        self.alive = True

    async def ask(self, payload: bytes | None) -> tuple[str, Any]:
        """Send one request (None: a one-off child already has its work) and await the answer."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[bytes] = loop.create_future()
        buffer = bytearray()

        def readable() -> None:
            try:
                chunk = os.read(self.answers, 1 << 20)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if not chunk:
                if not done.done():
                    done.set_exception(WorkerDied())
                return
            buffer.extend(chunk)
            if len(buffer) >= FRAME.size:
                (size,) = FRAME.unpack_from(buffer)
                if len(buffer) >= FRAME.size + size and not done.done():
                    done.set_result(bytes(buffer[FRAME.size : FRAME.size + size]))

        loop.add_reader(self.answers, readable)
        try:
            if payload is not None:
                try:
                    _write_all(self.requests, FRAME.pack(len(payload)) + payload)
                except OSError:
                    raise WorkerDied() from None
            answer: tuple[str, Any] = pickle.loads(await done)
            return answer
        finally:
            loop.remove_reader(self.answers)

    def cpu_seconds(self) -> float:
        """User plus system CPU the child has used so far (0 once it is gone)."""
        try:
            with open(f"/proc/{self.pid}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def demote(self) -> None:
        """Lower the child's CPU priority (it cannot be raised again without privileges)."""
        self.demoted = True
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, self.pid, DEMOTED_NICENESS)

    def kill(self) -> None:
        """SIGKILL and reap the child; close the server's pipe ends."""
        if not self.alive:
            return
        self.alive = False
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)  # a killed process is gone in milliseconds
        for fd in (self.requests, self.answers):
            _PARENT_FDS.discard(fd)
            with contextlib.suppress(OSError):
                os.close(fd)


class _Watch:
    """The pending CPU check of one request (re-armed by each check)."""

    handle: asyncio.TimerHandle | None = None

    def cancel(self) -> None:
        """Stop checking."""
        if self.handle is not None:
            self.handle.cancel()


class ForkedWorkers:
    """Children that run query work for one live engine, at most `size` at a time."""

    def __init__(
        self, engine: Engine, size: int, timeout_seconds: float, memory_bytes: int
    ) -> None:
        self.engine = engine
        self.size = max(1, size)
        self.timeout_seconds = timeout_seconds
        self.memory_bytes = memory_bytes
        self.killed = 0  # children killed at a deadline
        self.forks = 0  # children forked (persistent and one-off)
        self._idle: list[_Child] = []
        self._all: set[_Child] = set()
        # Per lane: user SPARQL and the server's own query work (traces, named queries...)
        # each have `size` at once, so runaway SPARQL never holds the slots a trace waits for.
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._closed = False
        # Forks happen on this one thread: its big stack becomes the child's (Oxigraph recurses
        # over a query's tree), and it lives as long as the children (they die with it).
        self._forker = DaemonExecutor(1, "aimstrace-fork")

    def stamp(self) -> tuple[int, bool]:
        """The state a child forked now would answer for."""
        store = self.engine.store
        return (store.generation, store.has_read_replica)

    # ----- forking (on the forker thread) -------------------------------------------------

    def _fork(self, work: Callable[[], Any] | None, wait_seconds: float) -> _Child | None:
        """Fork a child: persistent (work None) or one-off; None if writes kept going."""
        if self._closed:
            return None
        requests_read, requests_write = os.pipe()
        answers_read, answers_write = os.pipe()
        with self.engine.store.writes_held(wait_seconds) as held:
            if not held:
                for fd in (requests_read, requests_write, answers_read, answers_write):
                    os.close(fd)
                return None
            stamp = self.stamp()
            pid = os.fork()
            if pid == 0:  # the child; it never returns from here
                code = 0
                try:
                    self.engine.reset_locks_after_fork()
                    _become_child((requests_read, answers_write), self.memory_bytes)
                    os.close(requests_write)
                    os.close(answers_read)
                    if work is None:
                        _serve(self.engine, requests_read, answers_write)
                    else:
                        _write_all(answers_write, _answer_bytes(work))
                except BaseException:
                    code = 1
                finally:
                    os._exit(code)
        os.close(requests_read)
        os.close(answers_write)
        os.set_blocking(answers_read, False)
        _PARENT_FDS.update((requests_write, answers_read))
        self.forks += 1
        child = _Child(pid, requests_write, answers_read, stamp)
        self._all.add(child)
        return child

    async def _forked(self, work: Callable[[], Any] | None, deadline: float) -> _Child:
        loop = asyncio.get_running_loop()
        remaining = deadline - loop.time()
        future = loop.run_in_executor(self._forker, self._fork, work, remaining)
        done, _ = await asyncio.wait({future}, timeout=max(0.0, remaining))
        if not done:
            # The fork goes on without this request: a persistent child joins the idle ones.
            future.add_done_callback(lambda f: self._adopt(f, work is None))
            raise timed_out(self.timeout_seconds)
        try:
            child = future.result()
        except OSError as exc:  # fork or pipe refused (out of memory or processes)
            raise ApiProblem(
                503,
                f"no query process could be started: {exc.strerror}; try again later",
                kind="busy",
                reason="fork failed",
                headers={"Retry-After": "5"},
            ) from None
        if child is None:
            raise timed_out(self.timeout_seconds)
        return child

    def _adopt(self, future: asyncio.Future[_Child | None], persistent: bool) -> None:
        child = None if future.cancelled() or future.exception() else future.result()
        if child is None:
            return
        if persistent and not self._closed:
            self._idle.append(child)
        else:
            self._retire(child)

    def _retire(self, child: _Child) -> None:
        self._all.discard(child)
        child.kill()

    async def prefork(self) -> None:
        """Fork the persistent children now (before a replica build holds the write lock)."""
        loop = asyncio.get_running_loop()
        for _ in range(self.size - len(self._idle)):
            child = await loop.run_in_executor(self._forker, self._fork, None, 60.0)
            if child is not None:
                self._idle.append(child)

    # ----- answering -------------------------------------------------------------------------

    async def call(
        self, engine: Engine, func: Callable[..., T], *args: Any, lane: str = "queries"
    ) -> T:
        """func(engine, *args) in a child; 504 at the deadline, the child killed and replaced.

        For the live engine func must be a module-level function and args picklable (they go
        to a persistent child); the answer, or the exception raised, comes back pickled.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout_seconds
        slots = self._slots.get(lane)
        if slots is None:
            slots = self._slots[lane] = asyncio.Semaphore(self.size)
        try:
            await asyncio.wait_for(slots.acquire(), timeout=self.timeout_seconds)
        except TimeoutError:
            raise timed_out(self.timeout_seconds) from None
        try:
            if engine is self.engine:
                child = self._idle_child()
                if child is None:
                    child = await self._forked(None, deadline)
                payload: bytes | None = pickle.dumps((func, args), protocol=pickle.HIGHEST_PROTOCOL)
            else:
                child = await self._forked(lambda: func(engine, *args), deadline)
                payload = None
            status, value = await self._ask(child, payload, deadline, engine is self.engine)
        finally:
            slots.release()
        if status == "err":
            raise value
        result: T = value
        return result

    def _idle_child(self) -> _Child | None:
        stamp = self.stamp()
        while self._idle:
            # The most recently used first: its caches are the warmest.
            child = self._idle.pop()
            if child.stamp == stamp and child.alive:
                return child
            self._retire(child)  # forked at a state the store has left
        return None

    async def _ask(
        self, child: _Child, payload: bytes | None, deadline: float, persistent: bool
    ) -> tuple[str, Any]:
        loop = asyncio.get_running_loop()
        demotion = self._watch(child, child.cpu_seconds())
        try:
            answer = await asyncio.wait_for(child.ask(payload), timeout=deadline - loop.time())
        except TimeoutError:
            self.killed += 1
            self._retire(child)
            self._replace(persistent)
            raise timed_out(self.timeout_seconds) from None
        except WorkerDied:
            self._retire(child)
            self._replace(persistent)
            raise engine_stopped() from None
        except BaseException:
            # Cancelled (client gone) mid-answer: the child's state is unknown.
            self._retire(child)
            self._replace(persistent)
            raise
        finally:
            demotion.cancel()  # the handle of the latest check, whichever it is
        if persistent and not child.demoted and not self._closed:
            self._idle.append(child)
        else:
            self._retire(child)
            self._replace(persistent)
        return answer

    def _watch(self, child: _Child, cpu_at_start: float) -> _Watch:
        """Check the child's CPU for this request every DEMOTE_CHECK_SECONDS; nice it past
        DEMOTE_AFTER_CPU_SECONDS."""
        watch = _Watch()
        loop = asyncio.get_running_loop()

        def check() -> None:
            if child.cpu_seconds() - cpu_at_start >= DEMOTE_AFTER_CPU_SECONDS:
                child.demote()
            else:
                watch.handle = loop.call_later(DEMOTE_CHECK_SECONDS, check)

        watch.handle = loop.call_later(DEMOTE_CHECK_SECONDS, check)
        return watch

    def _replace(self, persistent: bool) -> None:
        """Fork a persistent child in the background, so the next request finds one ready."""
        if not persistent or self._closed:
            return
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._forker, self._fork, None, self.timeout_seconds)
        future.add_done_callback(lambda f: self._adopt(f, True))

    def close(self) -> None:
        """Kill every child and stop forking."""
        self._closed = True
        for child in list(self._all):
            child.kill()
        self._all.clear()
        self._idle.clear()
        self._forker.shutdown(wait=False, cancel_futures=True)
