"""The `aimstrace` command line: a thin layer over graph.engine.Engine.

Commands live in small modules (``api/cli_*.py``) that register themselves on the `main` group;
this module holds the group, the shared options and the error handling.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

import click

from aimstrace.api.output import print_json, print_table, progress
from aimstrace.graph.engine import Engine
from aimstrace.graph.store import StoreError, resolve_store_dir
from aimstrace.graph.store.history import WriteContext, writing_as
from aimstrace.loaders.pipeline import demo as load_demo

F = TypeVar("F", bound=Callable[..., Any])


class CliState:
    """The options shared by all commands; the engine is opened on first use."""

    def __init__(self, store_dir: str | None, in_memory: bool) -> None:
        self.store_dir = None if in_memory else resolve_store_dir(store_dir)
        self._engine: Engine | None = None
        self.at: str | None = None  # --at: answer from the store as it was after a revision
        self.message: str | None = None  # --message: recorded with the revisions written

    @property
    def live_engine(self) -> Engine:
        """The engine over the chosen store as it is now, opened once per process."""
        if self._engine is None:
            self._engine = Engine.open(self.store_dir)
        return self._engine

    @property
    def engine(self) -> Engine:
        """The engine over the chosen store, or over its past state when --at was given."""
        return self.live_engine.at(self.at)

    def writing(self, sources: Sequence[Path] = ()) -> AbstractContextManager[WriteContext]:
        """The context that every revision this command writes is recorded with."""
        root = click.get_current_context().find_root()
        command = shlex.join(["aimstrace", *root.meta.get(ARGV_KEY, sys.argv[1:])])
        return writing_as(command, message=self.message, sources=sources)


def _set_at(ctx: click.Context, _: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(CliState).at = value


def _set_message(ctx: click.Context, _: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(CliState).message = value


def at_option(command: F) -> F:
    """Add `--at REV|TIMESTAMP`: answer from the store as it was after that revision."""
    option = click.option(
        "--at",
        metavar="REV|TIMESTAMP",
        expose_value=False,
        callback=_set_at,
        help="Answer from the store as it was after a revision (r12, or an ISO timestamp).",
    )
    return option(command)


def message_option(command: F) -> F:
    """Add `--message TEXT`: a note recorded with the revision this command writes."""
    option = click.option(
        "--message",
        "-m",
        metavar="TEXT",
        expose_value=False,
        callback=_set_message,
        help="A note recorded with the revision this command writes (aimstrace history).",
    )
    return option(command)


pass_state = click.make_pass_decorator(CliState)


ARGV_KEY = "aimstrace.argv"


class AimstraceGroup(click.Group):
    """Turns expected errors into one clear line on stderr and exit code 2."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Keep the command line as typed: revisions record it."""
        if ctx.parent is None:
            ctx.meta[ARGV_KEY] = list(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; domain errors become a message and a non-zero exit."""
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # The reader went away (`aimstrace list ... | head`): not an error worth a message.
            sys.stderr.close()
            ctx.exit(0)
        except (StoreError, ValueError, KeyError, OSError) as exc:
            message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
            click.echo(f"aimstrace: error: {message}", err=True)
            ctx.exit(2)


@click.group(cls=AimstraceGroup)
@click.option(
    "--store",
    "store_dir",
    metavar="DIR",
    help="Store directory (default: $AIMSTRACE_STORE or ~/.local/share/aimstrace/store).",
)
@click.option("--in-memory", is_flag=True, help="Use a throw-away in-memory store.")
@click.version_option(package_name="aimstrace")
@click.pass_context
def main(ctx: click.Context, store_dir: str | None, in_memory: bool) -> None:
    """aimstrace: ISO/IEC 42001 AIMS traceability as a knowledge graph."""
    ctx.obj = CliState(store_dir, in_memory)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@message_option
@pass_state
def demo(state: CliState, as_json: bool) -> None:
    """Load the vocabulary, catalogs, crosswalks and example organisation; print a summary."""
    with (
        state.writing(),
        progress("loading the vocabulary, catalogs, crosswalks and example organisation"),
    ):
        summary = load_demo(state.live_engine)
    if as_json:
        print_json(
            {
                "store": str(state.store_dir) if state.store_dir else None,
                "triples": summary.triples,
                "changed": summary.changed,
                "sections": summary.sections,
                "frameworks": [asdict(f) for f in summary.frameworks],
            }
        )
        return
    where = state.store_dir or "memory"
    click.echo(f"aimstrace demo: store {where}")
    for name, changed in summary.sections.items():
        click.echo(f"  {name:<22} {changed:>8} triples changed")
    click.echo(f"  {'total in store':<22} {summary.triples:>8} triples")
    click.echo("")
    print_table([asdict(f) for f in summary.frameworks], ["id", "version", "requirements", "title"])


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def frameworks(state: CliState, as_json: bool) -> None:
    """List the reference frameworks and their requirement counts."""
    rows = [
        {"id": f.id, "title": f.title, "version": f.version, "requirements": f.requirements}
        for f in state.engine.frameworks()
    ]
    if as_json:
        print_json(rows)
    else:
        print_table(rows, ["id", "version", "requirements", "title"])


@main.command()
@click.argument("framework")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def requirements(state: CliState, framework: str, as_json: bool) -> None:
    """List the requirements of FRAMEWORK (iso42001, iso27001, nist-ai-rmf, ...)."""
    rows = [asdict(r) for r in state.engine.requirements(framework)]
    if as_json:
        print_json(rows)
    else:
        print_table(rows, ["notation", "kind", "parent", "title"])


@main.command()
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of rows.")
@pass_state
def sparql(state: CliState, query: str, as_json: bool) -> None:
    """Run a read-only SPARQL query (text, or @FILE to read it from a file)."""
    if query.startswith("@"):
        path = Path(query[1:])
        try:
            query = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise click.UsageError(f"cannot read query file {path}: {exc.strerror}") from exc
    names, rows = state.engine.sparql_select(query)
    plain = [{k: v.value for k, v in row.items()} for row in rows]
    if as_json:
        print_json(plain)
    else:
        print_table(plain, names)


def _register_command_modules() -> None:
    """Import the modules that add commands to `main` (each calls main.add_command)."""
    import importlib
    import pkgutil

    import aimstrace.api as api_package

    for info in pkgutil.iter_modules(api_package.__path__):
        if info.name.startswith("cli_"):
            importlib.import_module(f"aimstrace.api.{info.name}")


_register_command_modules()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
