"""`aimstrace load` and `aimstrace list`: the organisation inventory on the command line."""

from __future__ import annotations

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
from aimstrace.graph.inventory import INVENTORY_KINDS, LISTABLE_KINDS, listable
from aimstrace.graph.suggest import did_you_mean
from aimstrace.loaders.errors import InventoryLoadError
from aimstrace.loaders.load import EntityRef, LoadReport
from aimstrace.loaders.load import load as load_inventory
from aimstrace.loaders.ml.mlflow_registry import parse as read_mlflow
from aimstrace.loaders.ml.read import FORMATS
from aimstrace.loaders.remove import IMPORTED_KINDS, removable_kind, remove_entities

FILE_FORMATS = tuple(FORMATS)


class KindChoice(click.Choice):  # type: ignore[type-arg]
    """A kind of entity; a mistyped one is answered with the closest kinds, not all of them."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """The kind, or a usage error naming the closest kinds."""
        if value in self.choices:
            return value
        hint = did_you_mean(str(value), [str(c) for c in self.choices])
        if not hint:
            return super().convert(value, param, ctx)
        self.fail(f"unknown kind {value!r}{hint}", param, ctx)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and report what would change; write nothing.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FILE_FORMATS),
    help="Read every file as this ML metadata format (default: found from the content).",
)
@click.option("--mlflow", "mlflow_uri", metavar="URI", help="Also read an MLflow model registry.")
@click.option(
    "--sync",
    is_flag=True,
    help="Also remove every entity of each register given that the register no longer lists, "
    "and every entity an ML file given imported before that the file no longer lists.",
)
@click.option(
    "--source-base",
    metavar="DIR",
    help="Record each ML file by its path relative to DIR (default: relative to the folder "
    "holding its git work tree, else its absolute path), so any spelling of a file, or the "
    "repository moved, is the same source.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@message_option
@pass_state
@writes
def load(
    state: CliState,
    paths: tuple[Path, ...],
    dry_run: bool,
    fmt: str | None,
    mlflow_uri: str | None,
    sync: bool,
    source_base: str | None,
    as_json: bool,
) -> None:
    """Load inventory files or folders (CSV, XLSX, YAML, JSON, Turtle, N-Triples, JSON-LD).

    Also ML metadata: Hugging Face model and dataset cards, Croissant, SPDX 3 AI/Dataset,
    CycloneDX ML-BOM and OpenLineage events (--format, or found from the content), and an
    MLflow registry (--mlflow URI). Everything given is one all-or-nothing load: on any error
    nothing is written, every error is printed to stderr as file:row:column: message, and the
    exit code is 1. With --sync, an entity of a register given that the register no longer lists
    is removed with its links, and so is an entity an ML file given imported before and no longer
    lists (refused, listed, when another entity still points at it).
    """
    if not paths and not mlflow_uri:
        raise click.UsageError("give files or folders to load, or --mlflow URI")
    try:
        extra = [read_mlflow(mlflow_uri)] if mlflow_uri else []
        with (
            state.writing(sources=paths),
            progress(f"checking and loading {len(paths)} path(s)"),
        ):
            store = state.live_engine.store
            report = load_inventory(
                list(paths),
                store,
                dry_run=dry_run,
                fmt=fmt,
                extra=extra,
                sync=sync,
                source_name=state.source_name(),
                source_base=source_base,
            )
    except InventoryLoadError as exc:
        for issue in exc.issues:
            click.echo(str(issue), err=True)
        noun = "error" if len(exc.issues) == 1 else "errors"
        click.echo(f"aimstrace: {len(exc.issues)} {noun}; nothing was loaded", err=True)
        if as_json:
            print_json({"ok": False, "errors": [i.as_dict() for i in exc.issues]})
        raise SystemExit(1) from exc
    if as_json:
        print_json({"ok": True, **report.as_dict()})
        return
    _print_report(report)


def _print_report(report: LoadReport) -> None:
    verb = "would change" if report.dry_run else "changed"
    head = "dry run: nothing written" if report.dry_run else "loaded"
    click.echo(f"aimstrace load: {head}; {len(report.files)} file(s), {report.entities} entities")
    for name, refs in (("added", report.added), ("changed", report.changed)):
        click.echo(f"  {name:<10} {len(refs):>6} entities  {_ids(refs)}")
    click.echo(f"  {'removed':<10} {len(report.removed):>6} entities  {_ids(report.removed)}")
    click.echo(f"  {'unchanged':<10} {report.unchanged:>6} entities")
    click.echo(f"  triples {verb}: +{report.triples_added} -{report.triples_removed}")
    for skipped in report.skipped:
        click.echo(f"  skipped (not an inventory format): {skipped}")


def _ids(refs: list[EntityRef], limit: int = 8) -> str:
    shown = ", ".join(r.id for r in refs[:limit])
    return shown + (f", ... (+{len(refs) - limit})" if len(refs) > limit else "")


@main.command()
@click.argument("kind", type=KindChoice((*INVENTORY_KINDS, *IMPORTED_KINDS)))
@click.argument("ids", nargs=-1, required=True)
@click.option("--dry-run", is_flag=True, help="Check and report what would be removed.")
@click.option(
    "--with-dependants",
    is_flag=True,
    help="Also remove the imported evaluation results, model versions, training runs and "
    "lineage jobs that point at them (and those left unreferenced).",
)
@pass_state
@writes
def remove(
    state: CliState, kind: str, ids: tuple[str, ...], dry_run: bool, with_dependants: bool
) -> None:
    """Remove entities of one register (or imported evaluation-results, lineage-jobs,
    model-versions, training-runs) by id, all or nothing; refused (exit 1, listed) when another
    entity still points at one of them."""
    try:
        with state.writing():
            report = remove_entities(
                state.live_engine.store, removable_kind(kind), ids, dry_run, with_dependants
            )
    except InventoryLoadError as exc:
        for issue in exc.issues:
            click.echo(str(issue), err=True)
        click.echo(f"aimstrace: {len(exc.issues)} error(s); nothing was removed", err=True)
        raise SystemExit(1) from exc
    verb = "would remove" if dry_run else "removed"
    click.echo(
        f"aimstrace remove: {verb} {len(report.removed)} {kind}: {', '.join(report.removed)}"
    )
    if report.dependants:
        click.echo(f"  with {len(report.dependants)} dependants: {', '.join(report.dependants)}")
    click.echo(f"  triples {verb}: -{report.triples_removed}")


@main.command(name="list")
@at_option
@click.argument("kind", type=KindChoice(LISTABLE_KINDS))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of objects.")
@pass_state
def list_command(state: CliState, kind: str, as_json: bool) -> None:
    """List the entities of one register (systems, models, datasets, vendors, people, risks,
    controls, evidence, ...) or of a kind only ML imports create (evaluation-results,
    lineage-jobs, model-versions, training-runs), with id, label and the fields."""
    rows = state.engine.list_entities(kind)
    if as_json:
        print_json(rows)
        return
    register = listable(kind)
    shown = [c.name for c in register.columns if c.name != "description"][:4]
    columns = ["id", "label", *shown]
    if register.name == "nonconformities":
        # Audit findings and validation write-back side by side, each row marked.
        columns = ["id", "source", "status", "requirement", "label"]
    print_table(rows, columns)
