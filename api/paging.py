"""Cursor paging over sorted lists: the cursor is the opaque key of the last item served."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, TypeVar

from fastapi import Query

from aimstrace.api.errors import ApiProblem

T = TypeVar("T")


CURSOR_PATTERN = r"^([0-9a-f]{2})+$"


def encode_cursor(key: str) -> str:
    """Opaque cursor for the item with this sort key."""
    return key.encode("utf-8").hex()


def decode_cursor(cursor: str) -> str:
    """The sort key inside a cursor; a malformed cursor is a 422 naming query.cursor.

    A well-formed cursor that names no item resumes after the position it would sort at.
    """
    try:
        return bytes.fromhex(cursor).decode("utf-8", errors="replace")
    except ValueError:
        raise ApiProblem(
            422,
            "the cursor is not one this server issued; start again without it",
            kind="invalid-input",
            field="query.cursor",
            reason="malformed cursor",
        ) from None


def page_of(
    items: Sequence[T], key: Callable[[T], str], limit: int, cursor: str | None
) -> tuple[list[T], str | None]:
    """The items after the cursor's item and the cursor for the page after these.

    The cursor names the last item served, so a page boundary stays put when items are added
    elsewhere; if that item has gone, paging resumes at the first key sorting after it.
    """
    start = 0
    if cursor is not None:
        after = decode_cursor(cursor)
        keys = [key(item) for item in items]
        if after in keys:
            start = keys.index(after) + 1
        else:
            start = next((i for i, k in enumerate(keys) if k > after), len(items))
    chosen = list(items[start : start + limit])
    more = start + limit < len(items)
    return chosen, encode_cursor(key(chosen[-1])) if more and chosen else None


CursorParam = Annotated[
    str | None,
    Query(pattern=CURSOR_PATTERN, description="`next_cursor` of the previous page"),
]
LimitParam = Annotated[int, Query(ge=1, le=1_000_000, description="page size (the server caps it)")]
