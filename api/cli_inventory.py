"""`aimstrace load` and `aimstrace list`: the organisation inventory on the command line."""

from __future__ import annotations

from pathlib import Path

import click

from aimstrace.api.cli import CliState, at_option, main, message_option, pass_state
from aimstrace.api.output import print_json, print_table, progress
from aimstrace.graph.inventory import INVENTORY_KINDS, register_of_kind
from aimstrace.loaders.errors import InventoryLoadError
from aimstrace.loaders.load import EntityRef, LoadReport
from aimstrace.loaders.pipeline import load_paths


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and report what would change; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@message_option
@pass_state
def load(state: CliState, paths: tuple[Path, ...], dry_run: bool, as_json: bool) -> None:
    """Load inventory files or folders (CSV, XLSX, YAML, JSON, Turtle, N-Triples, JSON-LD).

    Everything given is one all-or-nothing load: on any error nothing is written, every error is
    printed to stderr as file:row:column: message, and the exit code is 1.
    """
    try:
        with (
            state.writing(sources=paths),
            progress(f"checking and loading {len(paths)} path(s)"),
        ):
            report = load_paths(state.live_engine, list(paths), dry_run=dry_run)
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


@main.command(name="list")
@at_option
@click.argument("kind", type=click.Choice(INVENTORY_KINDS))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of objects.")
@pass_state
def list_command(state: CliState, kind: str, as_json: bool) -> None:
    """List the entities of one register (systems, models, datasets, vendors, people, risks,
    controls, evidence, ...), with id, label and the register's fields."""
    rows = state.engine.list_entities(kind)
    if as_json:
        print_json(rows)
        return
    register = register_of_kind(kind)
    shown = [c.name for c in register.columns if c.name != "description"][:4]
    columns = ["id", "label", *shown]
    print_table(rows, columns)
