"""Pipelines that read files into an engine's store: crosswalks, mapping imports, the example.

The engine (``aimstrace.graph.engine``) owns everything computed on the store; reading and
checking files is this layer's work. Each function parses and checks its sources completely,
then writes through the graph layer in one transaction, so the CLI, the API and the tests call
the same code whether they load a register, a crosswalk or the whole demo.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING

from aimstrace.graph.catalog import FrameworkInfo
from aimstrace.graph.crosswalk.duplicates import imported_duplicates
from aimstrace.graph.crosswalk.external import (
    ExternalFramework,
    external_contents,
    merge_imports,
)
from aimstrace.graph.crosswalk.model import (
    DERIVED_SET,
    mapping_set_contents,
    replace_graphs,
    requirement_index,
    write_mapping_sets,
)
from aimstrace.graph.crosswalk.sets import CrosswalkLoad
from aimstrace.graph.crosswalk.sssom_format import SUFFIX
from aimstrace.graph.store import Store, WriteSummary
from aimstrace.loaders.load import LoadReport, load
from aimstrace.loaders.mapping_common import LoadedMappingSet, LoadIssue, MappingLoadError
from aimstrace.loaders.sssom import load_sssom
from aimstrace.ontology import FRAMEWORK_IDS, data_path

if TYPE_CHECKING:
    from aimstrace.graph.engine import Engine

IMPORT_FORMATS = ("sssom", "olir", "ciso")


@dataclass
class DemoSummary:
    """What `aimstrace demo` loaded and what the store now holds."""

    triples: int
    frameworks: list[FrameworkInfo]
    changed: int
    sections: dict[str, int]


def _written(report: LoadReport) -> WriteSummary:
    return WriteSummary(added=report.triples_added, removed=report.triples_removed)


def packaged_crosswalks() -> list[Traversable]:
    """The crosswalk files shipped under ontology/crosswalks/, sorted by name."""
    folder = data_path("crosswalks")
    if not folder.is_dir():
        return []
    return sorted((f for f in folder.iterdir() if f.name.endswith(SUFFIX)), key=lambda f: f.name)


def load_crosswalks(store: Store, directory: Path | None = None) -> CrosswalkLoad:
    """Validate every crosswalk file, then replace all their graphs in one transaction.

    Errors of all files are reported together; when there is any, the store is not touched.
    Imported records that repeat a loaded record go in the same transaction
    (aimstrace.graph.crosswalk.duplicates).
    """
    files = sorted(directory.glob(f"*{SUFFIX}")) if directory else packaged_crosswalks()
    index = requirement_index(store)
    loaded: list[LoadedMappingSet] = []
    issues: list[LoadIssue] = []
    for file in files:
        try:
            loaded.append(load_sssom(Path(str(file)), index))
        except MappingLoadError as exc:
            issues.extend(exc.issues)
    if issues:
        raise MappingLoadError(issues)
    kept = [r for s in loaded for r in s.records]
    duplicates = imported_duplicates(store, kept, {s.info.name for s in loaded})
    result = CrosswalkLoad(duplicates=duplicates.dropped, emptied=duplicates.emptied)
    sets = [(s.info, s.records) for s in loaded]
    result.written = write_mapping_sets(store, sets, duplicates.remove)
    result.records = {s.info.name: len(s.records) for s in loaded}
    return result


def import_mappings(
    store: Store,
    path: Path,
    fmt: str,
    set_name: str | None = None,
    subject_framework: str | None = None,
    object_framework: str | None = None,
    source: str | None = None,
    licence: str | None = None,
) -> CrosswalkLoad:
    """Import a mapping file from elsewhere as its own mapping set(s); nothing on any error.

    A side that is none of our catalogs is written as an external framework in the same
    transaction (aimstrace.graph.crosswalk.external); a CISO Assistant framework library
    writes only its external framework.
    """
    index = requirement_index(store)
    externals: list[ExternalFramework] = []
    if fmt == "sssom":
        sets = [load_sssom(path, index, set_name, external=True)]
    elif fmt == "olir":
        from aimstrace.loaders.olir import load_olir

        if not subject_framework or not object_framework:
            raise ValueError(
                "an OLIR import needs the focal and the reference framework (--focal, "
                f"--reference): one of {', '.join(FRAMEWORK_IDS)}, or the id of an external "
                "framework"
            )
        name = set_name or f"olir-{path.stem}"
        sets = [load_olir(path, index, subject_framework, object_framework, name, source, licence)]
    elif fmt == "ciso":
        from aimstrace.loaders.ciso_assistant import load_ciso_assistant

        library = load_ciso_assistant(path, index, set_name)
        sets, externals = library.sets, library.externals
    else:
        raise ValueError(
            f"unknown import format {fmt!r}; expected one of {', '.join(IMPORT_FORMATS)}"
        )
    if any(s.info.name == DERIVED_SET for s in sets):
        raise ValueError(f"the set name {DERIVED_SET!r} is reserved for derived mappings")
    externals = merge_imports([*externals, *(e for s in sets for e in s.externals)])
    contents = external_contents(store, externals)
    contents.update(mapping_set_contents(s.info, s.records) for s in sets)
    result = CrosswalkLoad()
    result.written = replace_graphs(store, contents)
    result.records = {s.info.name: len(s.records) for s in sets}
    result.externals = {e.id: len(e.requirements) for e in externals}
    return result


def import_and_derive(engine: Engine, path: Path, fmt: str, **options: str | None) -> CrosswalkLoad:
    """Import an SSSOM, OLIR or CISO Assistant mapping file, then re-derive."""
    result = import_mappings(engine.store, path, fmt, **options)
    result.derivation = engine.derive_mappings()
    return result


def load_paths(
    engine: Engine,
    paths: Sequence[Path | str],
    dry_run: bool = False,
    sync: bool = False,
    fmt: str | None = None,
    source_name: Callable[[str], str] | None = None,
) -> LoadReport:
    """Load inventory files or folders all-or-nothing (or only report, for a dry run)."""
    return load(paths, engine.store, dry_run=dry_run, fmt=fmt, sync=sync, source_name=source_name)


def load_example(engine: Engine) -> LoadReport:
    """Load the packaged example organisation (idempotent)."""
    with resources.as_file(data_path("example")) as folder:
        return load([folder], engine.store)


def init(engine: Engine, organisation: Path | None = None) -> DemoSummary:
    """Vocabulary, catalogs, crosswalks and derived mappings, no example; safe to repeat.

    With an organisation file, that register is loaded too (one all-or-nothing load).
    """
    steps: list[tuple[str, Callable[[], WriteSummary]]] = [
        ("vocabulary", engine.load_vocabulary),
        ("catalogs", engine.load_catalogs),
        ("crosswalks", lambda: load_crosswalks(engine.store).written),
        ("derived mappings", lambda: engine.derive_mappings().written),
    ]
    if organisation is not None:
        steps.append(("organisation", lambda: _written(load([organisation], engine.store))))
    steps.append(("eu obligations", lambda: engine.derive_obligations().written))
    return _run_steps(engine, steps)


def demo(engine: Engine) -> DemoSummary:
    """Load vocabulary, catalogs, crosswalks and the example organisation; safe to repeat."""
    return _run_steps(
        engine,
        [
            ("vocabulary", engine.load_vocabulary),
            ("catalogs", engine.load_catalogs),
            ("crosswalks", lambda: load_crosswalks(engine.store).written),
            ("derived mappings", lambda: engine.derive_mappings().written),
            ("organisation", lambda: _written(load_example(engine))),
            ("eu obligations", lambda: engine.derive_obligations().written),
        ],
    )


def _run_steps(engine: Engine, steps: list[tuple[str, Callable[[], WriteSummary]]]) -> DemoSummary:
    sections: dict[str, int] = {}
    changed = 0
    for name, step in steps:
        summary = step()
        changed += summary.added + summary.removed
        sections[name] = summary.added + summary.removed
    engine.store.flush()
    return DemoSummary(
        triples=engine.store.count(),
        frameworks=engine.frameworks(),
        changed=changed,
        sections=sections,
    )
