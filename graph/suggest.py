"""Suggestions for a mistyped framework id, notation or name: "did you mean ...?"."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from aimstrace.ontology import FRAMEWORK_IDS


def did_you_mean(value: str, choices: Iterable[str], n: int = 3) -> str:
    """ "; did you mean 'X'?" naming up to n close choices (closest first), or "" when none is."""
    # Compared case-folded (a.6.2.2 is A.6.2.2, not B.6.2.2); an exact match but for case wins.
    folded: dict[str, str] = {}
    for option in sorted(set(choices)):
        folded.setdefault(option.casefold(), option)
    wanted = value.casefold()
    if wanted in folded:
        close = [folded[wanted]]
    else:
        close = [folded[c] for c in difflib.get_close_matches(wanted, folded, n=n, cutoff=0.6)]
    if not close:
        return ""
    named = [repr(c) for c in close]
    shown = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} or {named[-1]}"
    return f"; did you mean {shown}?"


def unknown_framework(framework: str, known: Iterable[str] = FRAMEWORK_IDS) -> str:
    """The message for a framework id that names none of `known`, with a suggestion."""
    ids = list(known)
    hint = did_you_mean(framework, ids) or f"; expected one of {', '.join(ids)}"
    return f"unknown framework id {framework!r}{hint}"
