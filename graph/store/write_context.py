"""Who writes and why: the context every revision made inside it is recorded with.

A CLI command, an API import or a plain library call sets the actor (the OS user, or the API
key's name), the command line, an optional message and the source files with their SHA-256;
``History.begin`` reads the context in force when it records a revision.
"""

from __future__ import annotations

import contextvars
import getpass
import hashlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SourceFile:
    """A file a write read, by path and SHA-256 of its bytes."""

    path: str
    sha256: str

    @classmethod
    def of(cls, path: Path, shown: str | None = None) -> SourceFile:
        """Hash a file's bytes (streamed); `shown` is the name to record instead of the path."""
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return cls(shown if shown is not None else str(path), digest.hexdigest())


@dataclass(frozen=True)
class WriteContext:
    """Who writes and why: attached to every revision made while it is current."""

    actor: str
    command: str
    message: str | None = None
    sources: tuple[SourceFile, ...] = ()


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "unknown"


_CURRENT: contextvars.ContextVar[WriteContext | None] = contextvars.ContextVar(
    "aimstrace_write_context", default=None
)


def current_context() -> WriteContext:
    """The write context in force (a plain library call gets the OS user and 'python')."""
    found = _CURRENT.get()
    return found if found is not None else WriteContext(actor=_os_user(), command="python")


@contextmanager
def writing_as(
    command: str,
    actor: str | None = None,
    message: str | None = None,
    sources: Sequence[Path] = (),
    shown: Callable[[Path], str] | None = None,
) -> Iterator[WriteContext]:
    """Make the revisions written inside this block carry this command, actor and message.

    `sources` are the files (or folders) the write reads, recorded with their SHA-256; `shown`
    turns a path into the name to record (the API records upload names, not its temp paths).
    """
    files = tuple(
        SourceFile.of(p, shown(p) if shown is not None else None) for p in _expand(sources)
    )
    context = WriteContext(actor or _os_user(), command, message, files)
    token = _CURRENT.set(context)
    try:
        yield context
    finally:
        _CURRENT.reset(token)


def _expand(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file())
        elif path.is_file():
            files.append(path)
    return files
