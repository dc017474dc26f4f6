"""Commands for typed mappings: `mappings`, `coverage` and the `crosswalk` group.

`aimstrace mappings --from X --to Y` lists mappings (records stored the other way round are
shown inverted); `aimstrace coverage --framework F` shows what the implemented controls cover;
`aimstrace crosswalk load|import|export|derive` manages the mapping sets themselves.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from aimstrace.api.cli import (
    CliState,
    at_option,
    main,
    message_option,
    pass_state,
    writes,
)
from aimstrace.api.output import print_json, print_table, progress
from aimstrace.loaders.pipeline import import_and_derive, load_crosswalks
from aimstrace.ontology import FRAMEWORK_IDS

# Ours or an external framework in the store; the engine says which ids it knows.
FRAMEWORK_HELP = f"{', '.join(FRAMEWORK_IDS)} or an imported external framework's id"
CONTRACT_KEYS = (
    "subject",
    "subject_framework",
    "object",
    "object_framework",
    "relationship",
    "rationale",
    "strength",
    "status",
    "justification",
)


@main.command()
@at_option
@click.option(
    "--from", "from_framework", metavar="FW", required=True, help=f"Subject side: {FRAMEWORK_HELP}."
)
@click.option(
    "--to", "to_framework", metavar="FW", required=True, help=f"Object side: {FRAMEWORK_HELP}."
)
@click.option("--derived", is_flag=True, help="Include mappings derived by set algebra.")
@click.option("--requirement", metavar="NOTATION", help="Only mappings of this requirement.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_state
def mappings(
    state: CliState,
    from_framework: str,
    to_framework: str,
    derived: bool,
    requirement: str | None,
    as_json: bool,
) -> None:
    """List typed mappings from one framework to another."""
    views = state.engine.mappings(from_framework, to_framework, derived, requirement)
    rows: list[dict[str, Any]] = []
    for view in views:
        data = asdict(view)
        row = {key: data[key] for key in CONTRACT_KEYS}
        row.update(confidence=data["confidence"], mapping_set=data["mapping_set"])
        rows.append(row)
    if as_json:
        print_json(rows)
    else:
        columns = ["subject", "relationship", "object", "strength", "status", "justification"]
        print_table(rows, columns)


@main.command()
@at_option
@click.option("--framework", metavar="FW", required=True, help=f"The framework: {FRAMEWORK_HELP}.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per requirement.")
@pass_state
def coverage(state: CliState, framework: str, as_json: bool) -> None:
    """Show which requirements of FRAMEWORK the implemented controls cover, and why."""
    from aimstrace.graph.crosswalk.coverage import summarise

    entries = state.engine.coverage(framework)
    if as_json:
        print_json([entry.as_dict() for entry in entries])
        return
    rows = []
    for entry in entries:
        path = entry.paths[0] if entry.paths else None
        via = ""
        if path is not None:
            steps = " ; ".join(
                f"{m['subject']} {m['relationship']} {m['object']} [{m['status']}]"
                for m in path["mappings"]
            )
            via = f"{path['control']} implements {path['implements']}" + (
                f" ; {steps}" if steps else ""
            )
        rows.append({"notation": entry.notation, "coverage": entry.coverage, "justified by": via})
    print_table(rows, ["notation", "coverage", "justified by"])
    counts = summarise(entries)
    click.echo(", ".join(f"{level}: {count}" for level, count in counts.items()))


@main.group()
def crosswalk() -> None:
    """Load, import, export and derive mapping sets."""


@crosswalk.command("load")
@click.option(
    "--dir",
    "directory",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A folder of *.sssom.tsv files instead of the packaged crosswalks.",
)
@message_option
@pass_state
@writes
def crosswalk_load(state: CliState, directory: Path | None) -> None:
    """Validate and (re)load the crosswalks, then re-derive."""
    with state.writing(sources=[directory] if directory else []):
        loaded = load_crosswalks(state.live_engine.store, directory)
        derived = state.live_engine.derive_mappings()
    state.live_engine.store.flush()
    for name, count in loaded.records.items():
        click.echo(f"  {name:<32} {count:>5} records")
    for name, count in loaded.duplicates.items():
        gone = "; the set is removed" if name in loaded.emptied else ""
        click.echo(f"  {name:<32} {count:>5} imported duplicates of loaded records dropped{gone}")
    click.echo(f"  {'derived':<32} {len(derived.derived):>5} records")


@crosswalk.command("remove")
@click.argument("name")
@pass_state
@writes
def crosswalk_remove(state: CliState, name: str) -> None:
    """Remove one mapping set (all or nothing), then re-derive the derived mappings."""
    from aimstrace.loaders.remove import remove_mapping_set

    with state.writing():
        removed = remove_mapping_set(state.live_engine.store, name)
        derived = state.live_engine.derive_mappings()
        state.live_engine.store.flush()
    click.echo(f"  removed {name}: {removed} triples; {len(derived.derived)} derived records")


@crosswalk.command("remove-framework")
@click.argument("framework")
@click.option(
    "--with-mapping-sets",
    is_flag=True,
    help="Also remove the mapping sets that use it (all in one transaction).",
)
@click.option("--dry-run", is_flag=True, help="Check and report what would be removed.")
@message_option
@pass_state
@writes
def crosswalk_remove_framework(
    state: CliState, framework: str, with_mapping_sets: bool, dry_run: bool
) -> None:
    """Remove an imported external framework, all or nothing; refused (exit 1, every reference
    listed) while a mapping set uses it, unless --with-mapping-sets removes those too."""
    from aimstrace.loaders.errors import InventoryLoadError
    from aimstrace.loaders.remove import remove_external_framework

    try:
        with state.writing():
            report = remove_external_framework(
                state.live_engine.store, framework, with_mapping_sets, dry_run
            )
            derived = None if dry_run else state.live_engine.derive_mappings()
            state.live_engine.store.flush()
    except InventoryLoadError as exc:
        for issue in exc.issues:
            click.echo(str(issue), err=True)
        click.echo(f"aimstrace: {len(exc.issues)} error(s); nothing was removed", err=True)
        raise SystemExit(1) from exc
    verb = "would remove" if dry_run else "removed"
    sets = f" and mapping sets {', '.join(report.mapping_sets)}" if report.mapping_sets else ""
    click.echo(
        f"{verb} external framework {framework} ({report.requirements} requirements){sets}: "
        f"-{report.triples_removed} triples"
    )
    if derived is not None:
        click.echo(f"derived mappings now: {len(derived.derived)}")


@crosswalk.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["sssom", "olir", "ciso"]), required=True, help="Format."
)
@click.option("--set", "set_name", help="Name of the mapping set (default: from the file).")
@click.option(
    "--focal", metavar="FW", help="OLIR: framework of the focal elements (ours or an external id)."
)
@click.option(
    "--reference",
    metavar="FW",
    help="OLIR: framework of the reference elements (ours or an external id).",
)
@click.option("--source", help="OLIR: where the file comes from (kept with the set).")
@click.option("--licence", help="OLIR: licence note for the set.")
@message_option
@pass_state
@writes
def crosswalk_import(
    state: CliState,
    file: Path,
    fmt: str,
    set_name: str | None,
    focal: str | None,
    reference: str | None,
    source: str | None,
    licence: str | None,
) -> None:
    """Import FILE as its own mapping set; nothing is loaded if any row is wrong."""
    with state.writing(sources=[file]):
        result = import_and_derive(
            state.live_engine,
            file,
            fmt,
            set_name=set_name,
            subject_framework=focal,
            object_framework=reference,
            source=source,
            licence=licence,
        )
    state.live_engine.store.flush()
    for name, count in result.externals.items():
        click.echo(f"external framework {name}: {count} requirements named by this file")
    for name, count in result.records.items():
        click.echo(f"imported {count} records into mapping set {name}")
    if result.derivation is not None:
        click.echo(f"derived mappings now: {len(result.derivation.derived)}")


@crosswalk.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(["sssom", "oscal", "oscal-catalog"]), required=True
)
@click.option("--set", "set_names", multiple=True, help="Mapping set(s) to export (default: all).")
@click.option("--derived", is_flag=True, help="Also export the derived set (when no --set).")
@click.option(
    "--framework", metavar="FW", help="oscal-catalog: the framework (ours or an external id)."
)
@click.option(
    "-o",
    "--output",
    "output_text",
    # kept as text: a Path drops the trailing "/" that says "a folder"
    type=click.Path(),
    help="A file, or a folder (DIR/ or an existing one): SSSOM one file per set, OSCAL the "
    "mapping-collection with the catalog of every framework it names.",
)
@at_option
@pass_state
def crosswalk_export(
    state: CliState,
    fmt: str,
    set_names: tuple[str, ...],
    derived: bool,
    framework: str | None,
    output_text: str | None,
) -> None:
    """Write mapping sets as SSSOM TSV or an OSCAL mapping-collection (JSON), or one framework
    as an OSCAL catalog."""
    output = Path(output_text) if output_text else None
    folder = output is not None and (str(output_text).endswith("/") or output.is_dir())
    if fmt == "oscal-catalog":
        if not framework:
            raise click.UsageError("--format oscal-catalog needs --framework FW")
        if set_names or derived:
            raise click.UsageError("--set and --derived export mapping sets, not a catalog")
        files = {f"{framework}.oscal-catalog.json": state.engine.export_catalog(framework)}
    elif framework:
        raise click.UsageError("--framework is for --format oscal-catalog")
    elif folder:
        files = state.engine.export_files(fmt, list(set_names) or None, derived)
    else:
        files = {"": state.engine.export_mappings(fmt, list(set_names) or None, derived)}
    if output is None:
        for text in files.values():
            click.echo(text, nl=not text.endswith("\n"))
        return
    if not folder:
        (text,) = files.values()
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
        return
    output.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (output / name).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output / name}", err=True)


@crosswalk.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def crosswalk_stats(state: CliState, as_json: bool) -> None:
    """Per mapping set: pairs considered, mappings by relationship, targets per subject, gaps."""
    stats = state.engine.crosswalk_stats()
    if as_json:
        print_json([s.as_dict() for s in stats])
        return
    rows = [
        {
            "set": s.name,
            "pairs": s.pairs_considered,
            "rows": s.rows,
            **{rel: s.by_relationship[rel] for rel in s.by_relationship},
            "targets min/median/max": f"{s.targets_min}/{s.targets_median:g}/{s.targets_max}",
            "no decision": len(s.without_decision),
            "subjects unmapped": len(s.subjects_never_mapped),
            "objects unmapped": f"{len(s.objects_never_mapped)}/{s.candidates}",
        }
        for s in stats
    ]
    if rows:
        print_table(rows, list(rows[0]))
    for s in stats:
        if s.without_decision:
            click.echo(f"{s.name}: no decision for {', '.join(s.without_decision)}")


@crosswalk.command("derive")
@click.option("--max-chain", default=3, show_default=True, type=click.IntRange(2, 6))
@click.option("--candidates", is_flag=True, help="List the review candidates too.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@message_option
@pass_state
@writes
def crosswalk_derive(state: CliState, max_chain: int, candidates: bool, as_json: bool) -> None:
    """Recompute derived mappings; chains through intersects-with are only review candidates."""
    from aimstrace.graph.crosswalk.derivation import Step
    from aimstrace.graph.crosswalk.model import requirement_index

    with state.writing(), progress("deriving mappings"):
        result = state.live_engine.derive_mappings(max_chain)
    state.live_engine.store.flush()
    index = requirement_index(state.engine.store)

    def notation(iri: str) -> str:
        return index[iri].notation if iri in index else iri

    def steps(chain: tuple[Step, ...]) -> list[str]:
        return [
            f"{notation(s.subject)} {s.relationship} {notation(s.object)} ({s.record.mapping_set})"
            for s in chain
        ]

    listed = [
        {
            "subject": notation(c.subject),
            "object": notation(c.object),
            "possible": list(c.possible),
            "strength": c.strength,
            "chain": steps(c.chain),
        }
        for c in result.candidates
    ]
    summary = {
        "derived": len(result.derived),
        "review_candidates": len(result.candidates),
        "conflicts": [
            {
                "subject": notation(c.subject),
                "object": notation(c.object),
                "asserted": list(c.asserted),
                "chains": [{"possible": list(p), "steps": steps(ch)} for p, ch in c.chains],
            }
            for c in result.conflicts
        ],
    }
    if as_json:
        print_json({**summary, "candidates": listed} if candidates else summary)
        return
    click.echo(
        f"derived {summary['derived']} mappings; {summary['review_candidates']} review candidates"
    )
    for conflict in result.conflicts:
        ends = f"{notation(conflict.subject)} / {notation(conflict.object)}"
        click.echo(f"conflict: {ends}: inputs force {' and '.join(conflict.relations)}")
        for possible, chain in conflict.chains:
            click.echo(f"    allows {', '.join(possible)}: {' ; '.join(steps(chain))}")
    if candidates:
        print_table(listed, ["subject", "possible", "object", "strength"])
