"""Read-only SPARQL for users: queries run, updates are refused."""

from __future__ import annotations

import re
import threading

import pyoxigraph as ox

from aimstrace.graph.store import Row, Store, StoreError, solution_rows
from aimstrace.graph.store.sparql_guard import QueryLimits, check_query

# Oxigraph recurses over the query tree; the guard bounds the tree, a big stack adds margin.
BIG_STACK_BYTES = 256 * 1024 * 1024

_UPDATE_KEYWORDS = re.compile(
    r"\b(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD)\b", re.IGNORECASE
)


class UpdateRefused(StoreError):
    """A SPARQL update was sent where only queries are allowed."""


def _strip_literals_and_comments(text: str) -> str:
    text = re.sub(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'', '""', text)
    text = re.sub(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'', '""', text)
    text = re.sub(r"<[^>\s]*>", "<>", text)
    return re.sub(r"#[^\n]*", "", text)


def looks_like_update(query: str) -> bool:
    """True when the text is a SPARQL update (so it can be refused with a clear reason)."""
    return bool(_UPDATE_KEYWORDS.search(_strip_literals_and_comments(query)))


def run_read_only(
    store: Store, query: str, limits: QueryLimits | None = None
) -> tuple[list[str], list[Row]]:
    """Run a SELECT, ASK, CONSTRUCT or DESCRIBE; an update raises UpdateRefused.

    The text passes the guard first; then it runs in a thread with a big stack. Oxigraph's
    query parser itself rejects update syntax; the keyword check runs only after that
    rejection, to say why, so it is not what keeps the store safe.
    """
    check_query(query, limits)
    outcome: list[tuple[list[str], list[Row]]] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            outcome.append(_run(store, query))
        except BaseException as exc:  # handed to the caller's thread
            failure.append(exc)

    previous = threading.stack_size(BIG_STACK_BYTES)
    try:
        thread = threading.Thread(target=work, name="aimstrace-sparql")
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join()
    if failure:
        raise failure[0]
    return outcome[0]


def _run(store: Store, query: str) -> tuple[list[str], list[Row]]:
    try:
        result = store.query(query)
    except StoreError:
        if looks_like_update(query):
            raise UpdateRefused("SPARQL updates are refused: this endpoint is read-only") from None
        raise
    if isinstance(result, ox.QueryBoolean):
        return ["result"], [{"result": ox.Literal(str(bool(result)).lower())}]
    if isinstance(result, ox.QuerySolutions):
        return solution_rows(result)
    rows: list[Row] = []
    for triple in result:
        rows.append(
            {"subject": triple.subject, "predicate": triple.predicate, "object": triple.object}
        )
    return ["subject", "predicate", "object"], rows
