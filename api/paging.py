"""Cursor paging over sorted lists: the cursor is the opaque key of the last item served."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import TypeVar

from api.errors import ApiProblem

T = TypeVar("T")


def encode_cursor(key: str) -> str:
    """Opaque cursor for the item with this sort key."""
    return base64.urlsafe_b64encode(key.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> str:
    """The sort key inside a cursor; a malformed cursor is a 422 naming query.cursor."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        standard = padded.replace("-", "+").replace("_", "/")
        return base64.b64decode(standard.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
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
