"""Time and size limits on queries: a deadline per request and a cap on result rows.

Queries run in a bounded worker pool. The request waits at most the configured time; the worker
checks the same deadline between result rows and stops consuming results once it has passed, so
a runaway query neither holds the client nor keeps streaming rows nobody will read.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aimstrace.api.errors import ApiProblem, problem_response

T = TypeVar("T")
WORKER_STACK_BYTES = 256 * 1024 * 1024


class Deadline:
    """A point in time after which a query's results are no longer consumed."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def passed(self) -> bool:
        """True once the time limit is over."""
        return time.monotonic() >= self.at

    def check(self) -> None:
        """Raise the 504 problem when the time limit is over."""
        if self.passed():
            raise timed_out(self.seconds)


def timed_out(seconds: float) -> ApiProblem:
    """The problem answer for a query that ran past its time limit."""
    return ApiProblem(
        504,
        f"the query did not finish within the time limit of {seconds:g} s; "
        "narrow it or ask the operator to raise AIMSTRACE_QUERY_TIMEOUT_SECONDS",
        kind="query-timeout",
        reason="time limit exceeded",
    )


def too_many_rows(limit: int, field: str = "query") -> ApiProblem:
    """The problem answer for a result over the row cap (never truncated silently)."""
    return ApiProblem(
        422,
        f"the result has more than {limit} rows, the server's cap "
        "(AIMSTRACE_MAX_RESULT_ROWS); add a LIMIT or narrower filters",
        kind="result-too-large",
        field=field,
        reason=f"more than {limit} result rows",
    )


def bounded(items: Iterable[T], deadline: Deadline, max_rows: int, field: str) -> list[T]:
    """Consume items until done, the deadline passes (504) or the row cap is exceeded (422)."""
    taken: list[T] = []
    iterator: Iterator[T] = iter(items)
    deadline.check()
    for item in iterator:
        if len(taken) >= max_rows:
            raise too_many_rows(max_rows, field)
        taken.append(item)
        if len(taken) % 64 == 0:
            deadline.check()
    deadline.check()
    return taken


def _without_frames(work: Callable[[Deadline], T], deadline: Deadline) -> T:
    """Run work; on error, drop the traceback here, in the worker thread.

    pyoxigraph result iterators may only be freed on the thread that made them, and a
    traceback keeps the frames (and so the iterators) alive until whoever holds it lets go.
    """
    try:
        return work(deadline)
    except Exception as exc:
        exc.__traceback__ = None
        exc.__context__ = None
        raise exc from None


class DaemonExecutor(Executor):
    """A fixed pool of daemon worker threads.

    Oxigraph cannot cancel a query that is being evaluated (an aggregate over a huge join runs
    inside one call). A timed-out query therefore keeps its worker busy until it ends; with the
    standard ThreadPoolExecutor, whose workers are joined at interpreter exit, one such query
    would also keep the whole process from exiting. Daemon workers let the server (and a test
    run) shut down regardless, and the fixed pool size bounds how much a runaway query can take.
    """

    def __init__(self, workers: int, name: str) -> None:
        self._tasks: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]] | None]
        self._tasks = queue.SimpleQueue()
        self._closed = False
        self._threads = [
            threading.Thread(target=self._work, name=f"{name}_{i}", daemon=True)
            for i in range(max(1, workers))
        ]
        # Started on first use: an app builds a pool before its lifespan replaces it, and that
        # first pool should not leave idle threads behind.
        self._started = False
        self._start_lock = threading.Lock()

    def submit(self, fn: Callable[..., T], /, *args: object, **kwargs: object) -> Future[T]:
        """Queue fn(*args) for a worker and return its future."""
        if self._closed:
            raise RuntimeError("the query pool is shut down")
        if not self._started:
            with self._start_lock:
                if not self._started:
                    # Big stacks: Oxigraph recurses over a query's tree (see sparql_guard).
                    previous = threading.stack_size(WORKER_STACK_BYTES)
                    try:
                        for thread in self._threads:
                            thread.start()
                    finally:
                        threading.stack_size(previous)
                    self._started = True
        future: Future[T] = Future()
        self._tasks.put((future, functools.partial(fn, *args, **kwargs)))
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop taking work; queued work is cancelled when asked, running work ends on its own."""
        self._closed = True
        if cancel_futures:
            while True:
                try:
                    item = self._tasks.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    item[0].cancel()
        if not self._started:
            return
        for _ in self._threads:
            self._tasks.put(None)
        if wait:
            for thread in self._threads:
                thread.join()

    def _work(self) -> None:
        while True:
            item = self._tasks.get()
            if item is None:
                return
            future, call = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(call())
            except BaseException as exc:
                future.set_exception(exc)


class QueryGate:
    """A bounded pool of query workers plus the limits every query runs under."""

    def __init__(self, workers: int, timeout_seconds: float, max_rows: int) -> None:
        self.timeout_seconds = timeout_seconds
        self.max_rows = max_rows
        self._pool = DaemonExecutor(workers, "aimstrace-query")

    async def run(self, work: Callable[[Deadline], T]) -> T:
        """Run work(deadline) in a worker; answer 504 if it is not done in time."""
        deadline = Deadline(self.timeout_seconds)
        future = asyncio.get_running_loop().run_in_executor(
            self._pool, _without_frames, work, deadline
        )
        try:
            return await asyncio.wait_for(future, timeout=self.timeout_seconds)
        except TimeoutError:
            raise timed_out(self.timeout_seconds) from None

    def rows(self, rows: list[T], field: str = "query") -> list[T]:
        """Refuse a fully computed result that is over the row cap."""
        if len(rows) > self.max_rows:
            raise too_many_rows(self.max_rows, field)
        return rows

    def close(self) -> None:
        """Stop accepting work; queries still running finish on their own."""
        self._pool.shutdown(wait=False, cancel_futures=True)


class BodyTooLarge(Exception):
    """The request body went past the configured size cap."""


def list_query_parameters(openapi: dict[str, Any]) -> frozenset[str]:
    """Names of the query parameters some route declares as a list, read from its OpenAPI."""

    def is_list(schema: dict[str, Any]) -> bool:
        return schema.get("type") == "array" or any(is_list(s) for s in schema.get("anyOf", []))

    return frozenset(
        parameter["name"]
        for operations in openapi.get("paths", {}).values()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter.get("in") == "query" and is_list(parameter.get("schema", {}))
    )


class RepeatedQueryParameterMiddleware:
    """Refuses, with 422, a query string that gives a single-valued parameter more than once.

    Which parameter is single-valued, the first one or the last? The API would silently read
    the last (schemathesis's negative mode sent `system=a&system=b`). Parameters that a route
    declares as a list (`mapping_set`, the SPARQL Protocol's graph IRIs) may repeat: their names
    come from the app's own schema, read once on the first request.
    """

    def __init__(self, app: ASGIApp, repeatable: Callable[[], frozenset[str]]) -> None:
        self.app = app
        self._repeatable_names = repeatable
        self._repeatable: frozenset[str] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the query string's names before the route reads it."""
        if scope["type"] == "http" and scope.get("query_string"):
            from urllib.parse import parse_qsl

            if self._repeatable is None:
                self._repeatable = self._repeatable_names()
            seen: set[str] = set()
            query = scope["query_string"].decode("latin-1")
            for name, _value in parse_qsl(query, keep_blank_values=True):
                if name in seen and name not in self._repeatable:
                    response = problem_response(
                        Request(scope, receive),
                        422,
                        f"query parameter {name!r} is given more than once; give it once",
                        kind="invalid-input",
                        field=f"query.{name}",
                        reason="repeated parameter",
                    )
                    await response(scope, receive, send)
                    return
                seen.add(name)
        await self.app(scope, receive, send)


class BodySizeLimitMiddleware:
    """Refuses request bodies over the cap with 413, by Content-Length or while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared length up front and count the bytes actually received."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
        received = 0
        answered = False

        async def counting_receive() -> Message:
            nonlocal received, answered
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    if not answered:
                        answered = True
                        await self._refuse(scope, receive, send)
                    # Frameworks may wrap this in their own error; the answer is already sent.
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            if not answered:
                await send(message)

        with contextlib.suppress(BodyTooLarge):
            await self.app(scope, counting_receive, guarded_send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = problem_response(
            request,
            413,
            f"the request body is larger than the server's cap of {self.max_bytes} bytes "
            "(AIMSTRACE_MAX_BODY_BYTES)",
            kind="body-too-large",
            field="body",
            reason=f"more than {self.max_bytes} bytes",
        )
        await response(scope, receive, send)
