"""A SPARQL worker process: opens the store read-only and answers one query at a time.

Started by aimstrace.api.sparql_pool as `python -m aimstrace.api.sparql_worker STORE_DIR`.
Requests and answers are pickled dicts, each framed by a 4-byte length, on stdin and stdout.
The parent kills the process at a query's deadline (Oxigraph cannot cancel a running query)
and starts another, so a runaway query never holds capacity past its limit, and a native crash
(a stack overflow in the parser, say) ends this process, not the server.
"""

from __future__ import annotations

import os
import pickle
import resource
import struct
import sys
import threading
from typing import Any, BinaryIO

import pyoxigraph as ox

from aimstrace.api.sparql_results import (
    BOOLEAN_TYPES,
    GRAPH_TYPES,
    RESULT_TYPES,
    Solution,
    boolean_to_bytes,
    negotiate,
    solutions_to_bytes,
)
from aimstrace.graph.store.dataset import ProtocolDataset, query_with_dataset

FRAME = struct.Struct("<I")
# Oxigraph's parser and evaluator recurse over the query tree; the guard bounds the tree, the
# big stack leaves a wide margin under that bound.
STACK_BYTES = 256 * 1024 * 1024


class Refused(Exception):
    """A problem answer for the parent to send (status, kind, message, reason)."""

    def __init__(self, status: int, kind: str, message: str, reason: str) -> None:
        super().__init__(message)
        self.answer = {
            "ok": False,
            "status": status,
            "kind": kind,
            "message": message,
            "reason": reason,
        }


def _read_exact(stream: BinaryIO, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return bytes(data)


def _value_chars(term: object) -> int:
    if isinstance(term, ox.Triple):
        return sum(_value_chars(t) for t in (term.subject, term.predicate, term.object))
    value = getattr(term, "value", "")
    return len(value) if isinstance(value, str) else 0


def _too_large_value(size: int, limit: int) -> Refused:
    return Refused(
        422,
        "value-too-large",
        f"a result value has {size} characters, more than the server's cap of {limit} "
        "(AIMSTRACE_MAX_VALUE_CHARS)",
        f"a value over {limit} characters",
    )


def _too_many_rows(limit: int) -> Refused:
    return Refused(
        422,
        "result-too-large",
        f"the result has more than {limit} rows, the server's cap "
        "(AIMSTRACE_MAX_RESULT_ROWS); add a LIMIT or narrower filters",
        f"more than {limit} result rows",
    )


def _not_acceptable(accept: str | None, offered: list[str]) -> Refused:
    return Refused(
        406,
        "not-acceptable",
        f"cannot answer in any type of Accept: {accept}; offered: {', '.join(offered)}",
        "no acceptable media type",
    )


def evaluate(store: ox.Store, request: dict[str, Any]) -> dict[str, Any]:
    """Run one query and serialize its answer under the row, value and response caps."""
    text: str = request["query"]
    accept: str | None = request["accept"]
    max_rows: int = request["max_rows"]
    max_value: int = request["max_value_chars"]
    max_bytes: int = request["max_response_bytes"]
    try:
        dataset = ProtocolDataset(
            tuple(request.get("default_graphs", ())), tuple(request.get("named_graphs", ()))
        )
        result = query_with_dataset(store, text, dataset)
    except SyntaxError as exc:
        raise Refused(400, "invalid-query", f"SPARQL syntax error: {exc}", "syntax error") from None
    if isinstance(result, ox.QueryBoolean):
        media = negotiate(accept, list(BOOLEAN_TYPES))
        if media is None:
            raise _not_acceptable(accept, list(BOOLEAN_TYPES))
        body = boolean_to_bytes(BOOLEAN_TYPES[media], bool(result))
        return {"ok": True, "body": body, "media": BOOLEAN_TYPES[media]}
    if isinstance(result, ox.QuerySolutions):
        media = negotiate(accept, list(RESULT_TYPES))
        if media is None:
            raise _not_acceptable(accept, list(RESULT_TYPES))
        variables = [v.value for v in result.variables]
        rows: list[Solution] = []
        total = 0
        for solution in result:
            if len(rows) >= max_rows:
                raise _too_many_rows(max_rows)
            row: Solution = {}
            for name in variables:
                term = solution[name]
                if term is None:
                    continue
                size = _value_chars(term)
                if size > max_value:
                    raise _too_large_value(size, max_value)
                total += size
                row[name] = term
            if total > max_bytes:
                raise _too_large_response(max_bytes)
            rows.append(row)
        body = solutions_to_bytes(RESULT_TYPES[media], variables, rows)
        if len(body) > max_bytes:
            raise _too_large_response(max_bytes)
        return {"ok": True, "body": body, "media": RESULT_TYPES[media]}
    media = negotiate(accept, list(GRAPH_TYPES))
    if media is None:
        raise _not_acceptable(accept, list(GRAPH_TYPES))
    triples: list[ox.Triple] = []
    total = 0
    for triple in result:
        if len(triples) >= max_rows:
            raise _too_many_rows(max_rows)
        size = _value_chars(triple)
        if size > max_value:
            raise _too_large_value(size, max_value)
        total += size
        if total > max_bytes:
            raise _too_large_response(max_bytes)
        triples.append(triple)
    fmt = GRAPH_TYPES[media]
    body = ox.serialize(triples, format=fmt) or b""
    if len(body) > max_bytes:
        raise _too_large_response(max_bytes)
    return {"ok": True, "body": body, "media": fmt.media_type}


def _too_large_response(limit: int) -> Refused:
    return Refused(
        422,
        "result-too-large",
        f"the answer is larger than the server's cap of {limit} bytes "
        "(AIMSTRACE_MAX_RESPONSE_BYTES); add a LIMIT or select fewer values",
        f"more than {limit} bytes",
    )


def serve(path: str, stdin: BinaryIO, stdout: BinaryIO) -> None:
    """Answer requests until stdin closes; reopen the store when its generation moved."""
    store: ox.Store | None = None
    generation: int | None = None
    while True:
        try:
            (size,) = FRAME.unpack(_read_exact(stdin, FRAME.size))
            request = pickle.loads(_read_exact(stdin, size))
        except EOFError:
            return
        try:
            if store is None or request["generation"] != generation:
                # A read-only open is a snapshot: it sees every write committed before it.
                store = None
                store = ox.Store.read_only(path)
                generation = request["generation"]
            answer = evaluate(store, request)
        except Refused as exc:
            answer = exc.answer
        except (OSError, ValueError, TypeError, RuntimeError) as exc:
            answer = Refused(
                422, "query-failed", f"the query failed: {exc}", "evaluation error"
            ).answer
        data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        stdout.write(FRAME.pack(len(data)) + data)
        stdout.flush()


def main() -> None:
    """Entry point: serve on stdin/stdout in a thread with a big stack."""
    path = sys.argv[1]
    memory = int(os.environ.get("AIMSTRACE_WORKER_MEMORY_BYTES", "0") or 0)
    if memory > 0:
        # A query that builds huge values ends here with an allocation failure, not the server.
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    stdin = os.fdopen(os.dup(0), "rb", buffering=0)
    stdout = os.fdopen(os.dup(1), "wb", buffering=0)
    # Nothing else may write to the answer channel (a stray print would corrupt a frame).
    sys.stdout = sys.stderr
    threading.stack_size(STACK_BYTES)
    worker = threading.Thread(target=serve, args=(path, stdin, stdout), name="sparql-worker")
    worker.start()
    worker.join()


if __name__ == "__main__":
    main()
