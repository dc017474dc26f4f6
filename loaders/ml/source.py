"""The one name an ML metadata file is recorded under (`aims:sourceFile`), however it was typed.

A file is matched by this name on every later load (`--sync`, and the provenance a re-load
keeps), so `cards/x/README.md`, `./cards/x/README.md` and `/home/me/repo/cards/x/README.md`
must give the same name. The name is, in this order:
- with a stated base (`aimstrace load --source-base DIR`): the file's path relative to DIR;
- in a git work tree: the path relative to the folder that holds the work tree, so it starts
  with the repository's folder name (`bert-base/README.md`). A repository moved or cloned
  elsewhere keeps its names; two repositories whose cards both sit at `README.md` (the Hugging
  Face layout) do not collide;
- else the resolved absolute path (a folder moved outside git then names new sources: state a
  base to avoid that).
Names use `/` and symbolic links are resolved. Not a hash of the content: a changed file must
stay the same source, or `--sync` could never see what it no longer lists. Uploaded files (the
API) are named by the name they were uploaded under, as before.

Stores written before this rule recorded the path as it was typed. A load finds those legacy
spellings of its files among the store's names (`legacy_names`) and rewrites them to the
canonical name in the same transaction, so old stores need no separate migration.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from aimstrace.graph.store import Store
from aimstrace.loaders.ml.build import SOURCE_FILE
from aimstrace.loaders.references import ORG_GRAPH


class SourceOutsideBase(ValueError):
    """A file that is not under the stated source base."""


class SourceNames:
    """Canonical names of files, with the git work trees found on the way kept for the run."""

    def __init__(self, base: Path | str | None = None) -> None:
        self.base = Path(base).resolve() if base is not None else None
        self._roots: dict[Path, Path | None] = {}

    def name(self, path: Path | str) -> str:
        """The canonical name of one file; SourceOutsideBase when a stated base does not hold it."""
        resolved = Path(path).resolve()
        if self.base is not None:
            if not resolved.is_relative_to(self.base):
                raise SourceOutsideBase(
                    f"not under the source base {self.base}; give a --source-base that holds "
                    "every ML file of the load"
                )
            return resolved.relative_to(self.base).as_posix()
        root = self._work_tree(resolved.parent)
        if root is not None:
            return resolved.relative_to(root.parent).as_posix()
        return resolved.as_posix()

    def _work_tree(self, folder: Path) -> Path | None:
        # Every card of a folder of 10,000 shares its ancestors: each folder is looked at once.
        seen: list[Path] = []
        found: Path | None = None
        current = folder
        while True:
            if current in self._roots:
                found = self._roots[current]
                break
            seen.append(current)
            # `.git` is a folder in a clone, a file in a linked work tree or submodule.
            if os.path.lexists(os.path.join(current, ".git")):
                found = current
                break
            if current.parent == current:
                break
            current = current.parent
        for folder_seen in seen:
            self._roots[folder_seen] = found
        return found


def legacy_names(store: Store, files: dict[str, Path]) -> dict[str, set[str]]:
    """For each canonical name (-> the file read), the other names the store records it under.

    A stored name is a legacy spelling of a file when, read as a path the way the load that wrote
    it did (relative names from the current folder), it is that file. Names that are no path of
    this load's files are left alone.
    """
    by_path: dict[str, str] = {}
    for canonical, path in files.items():
        by_path[os.path.normpath(os.path.abspath(path))] = canonical
    found: dict[str, set[str]] = {}
    if not by_path:
        return found
    here = os.getcwd()
    for stored in _stored_names(store):
        if stored in files:
            continue
        # String work only (no file system call per stored name): a store holds many names.
        candidate = os.path.normpath(os.path.join(here, stored))
        spelt = by_path.get(candidate)
        if spelt is not None:
            found.setdefault(spelt, set()).add(stored)
    return found


def _stored_names(store: Store) -> Iterable[str]:
    names: set[str] = set()
    for quad in store.oxigraph.quads_for_pattern(None, SOURCE_FILE, None, ORG_GRAPH):
        if isinstance(quad.object, ox.Literal):
            names.add(quad.object.value)
    return names
