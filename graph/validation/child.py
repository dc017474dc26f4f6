"""Validation in a process of its own: `python -m aimstrace.graph.validation.child STORE DATE OUT`.

A server's background validation takes minutes at a million triples, almost all of it Python
holding the interpreter lock, so every request answered meanwhile waited for it. This process
opens a read-only view of the store (the server holds it), validates with the packaged shapes
and writes the gap report to OUT (graph/validation/saved.py's JSON); the server reads it back.
Exit 0 on success; 1 with the reason on stderr.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    """Validate the store at argv[0] on the date argv[1]; write the report to argv[2]."""
    from aimstrace.graph.store import Store
    from aimstrace.graph.validation import saved
    from aimstrace.graph.validation.runner import validate

    store_dir, as_of, out = argv
    try:
        report = validate(Store.open_read_only(store_dir), as_of)
        saved.write(Path(out), report)
    except Exception as exc:  # the parent reports it as the job's error
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
