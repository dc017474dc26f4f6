"""The `aimstrace` command line: a thin layer over graph.engine.Engine.

Commands live in small modules (``api/cli_*.py``) that register themselves on the `main` group;
this module holds the group, the shared options and the error handling.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from aimstrace.api.output import print_json, print_table
from aimstrace.api.remote import SERVING, build_request, send
from aimstrace.api.served import find_server
from aimstrace.graph.engine import Engine
from aimstrace.graph.store import Store, StoreError, StoreLockedError, resolve_store_dir
from aimstrace.loaders.pipeline import demo as load_demo

F = TypeVar("F", bound=Callable[..., Any])


class CliState:
    """The options shared by all commands; the engine is opened on first use.

    While `aimstrace serve` holds the store, a read command reads a read-only view of it and a
    write command is run by that server (see api/served.py and api/remote.py).
    """

    def __init__(self, store_dir: str | None, in_memory: bool) -> None:
        self.store_dir = None if in_memory else resolve_store_dir(store_dir)
        serving = SERVING.get()
        # Inside the server that runs a forwarded command: its engine, and never forward again.
        self._engine: Engine | None = serving if isinstance(serving, Engine) else None
        self.in_server = self._engine is not None
        self.writing = False

    @property
    def engine(self) -> Engine:
        """The engine over the chosen store, opened once per process."""
        if self._engine is None:
            try:
                self._engine = Engine.open(self.store_dir)
            except StoreLockedError:
                if self.writing or self.store_dir is None:
                    raise
                # A server (or another command) holds the store: read a snapshot of it instead.
                self._engine = Engine(Store.open_read_only(self.store_dir))
        return self._engine

    def write_through_server(self, ctx: click.Context) -> None:
        """Before a write: when a server holds the store, run the command there and exit."""
        self.writing = True
        if self.in_server or self.store_dir is None:
            return
        server = find_server(self.store_dir)
        if server is None:
            return
        answer = send(server.url, build_request(ctx))
        sys.stdout.write(answer.stdout)
        sys.stdout.flush()
        sys.stderr.write(answer.stderr)
        ctx.exit(answer.exit_code)


def writes(command: F) -> F:
    """Mark a command callback (taking the CliState first) as a write: see CliState."""

    @functools.wraps(command)
    def wrapper(state: CliState, *args: Any, **kwargs: Any) -> Any:
        state.write_through_server(click.get_current_context())
        return command(state, *args, **kwargs)

    return cast(F, wrapper)


pass_state = click.make_pass_decorator(CliState)


class AimstraceGroup(click.Group):
    """Turns expected errors into one clear line on stderr and exit code 2."""

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
@pass_state
@writes
def demo(state: CliState, as_json: bool) -> None:
    """Load the vocabulary, catalogs, crosswalks and example organisation; print a summary."""
    summary = load_demo(state.engine)
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
