"""The `aimstrace` command line: a thin layer over graph.engine.Engine.

Commands live in small modules (``api/cli_*.py``) that register themselves on the `main` group;
this module holds the group, the shared options and the error handling.
"""

from __future__ import annotations

import functools
import shlex
import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from aimstrace.api.output import print_json, print_table, progress
from aimstrace.api.remote import FORWARDED, SERVING, build_request, send, swap_paths
from aimstrace.api.served import find_server
from aimstrace.graph.engine import Engine
from aimstrace.graph.store import (
    DEMO_STORE_DIR,
    Store,
    StoreError,
    StoreLockedError,
    resolve_store_dir,
)
from aimstrace.graph.store.history import WriteContext, writing_as
from aimstrace.loaders.pipeline import DemoSummary
from aimstrace.loaders.pipeline import demo as load_demo
from aimstrace.loaders.pipeline import init as load_init
from aimstrace.loaders.templates import write_templates

F = TypeVar("F", bound=Callable[..., Any])


class CliState:
    """The options shared by all commands; the engine is opened on first use.

    While `aimstrace serve` holds the store, a read command reads a read-only view of it and a
    write command is run by that server (see api/served.py and api/remote.py).
    """

    def __init__(self, store_dir: str | None, in_memory: bool) -> None:
        self.explicit_store = store_dir
        self.in_memory = in_memory
        self.store_dir = None if in_memory else resolve_store_dir(store_dir)
        serving = SERVING.get()
        # Inside the server that runs a forwarded command: its engine, and never forward again.
        self._engine: Engine | None = serving if isinstance(serving, Engine) else None
        self.in_server = self._engine is not None
        self.for_write = False
        self.at: str | None = None  # --at: answer from the store as it was after a revision
        self.message: str | None = None  # --message: recorded with the revisions written

    @property
    def live_engine(self) -> Engine:
        """The engine over an initialised store as it is now; a missing or never-initialised
        store is an error (exit 2)."""
        if self._engine is None:
            try:
                engine = Engine.open(self.store_dir, create=False)
            except StoreLockedError:
                if self.for_write or self.store_dir is None:
                    raise
                # A server (or another command) holds the store: read a snapshot of it instead.
                engine = Engine(Store.open_read_only(self.store_dir))
            engine.require_initialised()
            self._engine = engine
        return self._engine

    def creating_engine(self, default: Path | None = None) -> Engine:
        """The engine for `init` and `demo`, the only commands that may create a store."""
        if self._engine is None:
            if not self.in_memory and default is not None:
                self.store_dir = resolve_store_dir(self.explicit_store, default)
            self._engine = Engine.open(self.store_dir, create=True)
        return self._engine

    @property
    def engine(self) -> Engine:
        """The engine over the chosen store, or over its past state when --at was given."""
        return self.live_engine.at(self.at)

    def writing(self, sources: Sequence[Path] = ()) -> AbstractContextManager[WriteContext]:
        """The context that every revision this command writes is recorded with."""
        root = click.get_current_context().find_root()
        forwarded = FORWARDED.get()
        if forwarded is None:
            command = shlex.join(["aimstrace", *root.meta.get(ARGV_KEY, sys.argv[1:])])
            return writing_as(command, message=self.message, sources=sources)
        # Run by the server for a CLI beside it: record that user's command line, key and files.
        command = shlex.join(["aimstrace", *forwarded.argv])
        return writing_as(
            command,
            actor=forwarded.actor,
            message=self.message,
            sources=sources,
            shown=lambda path: swap_paths(str(path), forwarded.swaps),
        )

    def source_name(self) -> Callable[[str], str] | None:
        """For a command the server runs: a temporary copy's path -> the name the user gave."""
        forwarded = FORWARDED.get()
        if forwarded is None:
            return None
        return lambda path: forwarded.sources.get(path) or swap_paths(path, forwarded.swaps)

    def write_through_server(self, ctx: click.Context, default: Path | None = None) -> None:
        """Before a write: when a server holds the store, run the command there and exit."""
        self.for_write = True
        if self.in_server or self.in_memory:
            return
        store_dir = resolve_store_dir(self.explicit_store, default)
        server = find_server(store_dir)
        if server is None:
            return
        extra: list[str] = []
        if self.message is not None:
            extra += ["--message", self.message]
        if self.at is not None:
            extra += ["--at", self.at]
        typed = ctx.find_root().meta.get(ARGV_KEY, sys.argv[1:])
        answer = send(server.url, build_request(ctx, extra, typed))
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


def _summary_json(state: CliState, summary: DemoSummary) -> dict[str, object]:
    return {
        "store": str(state.store_dir) if state.store_dir else None,
        "triples": summary.triples,
        "changed": summary.changed,
        "sections": summary.sections,
        "frameworks": [asdict(f) for f in summary.frameworks],
    }


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@message_option
@pass_state
def demo(state: CliState, as_json: bool) -> None:
    """Load the vocabulary, catalogs, crosswalks and the fictional example organisation into the
    demo store (~/.local/share/aimstrace/demo unless --store or $AIMSTRACE_STORE says otherwise)."""
    state.write_through_server(click.get_current_context(), DEMO_STORE_DIR)
    with (
        state.writing(),
        progress("loading the vocabulary, catalogs, crosswalks and example organisation"),
    ):
        summary = load_demo(state.creating_engine(DEMO_STORE_DIR))
    if as_json:
        print_json(_summary_json(state, summary))
        return
    _print_summary("demo", state, summary)


@main.command()
@click.option(
    "--organisation",
    "organisation",
    type=click.Path(path_type=Path),
    help="Your organisation register (CSV, XLSX, YAML or JSON) to load after the catalogs.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
@writes
def init(state: CliState, organisation: Path | None, as_json: bool) -> None:
    """Create or update a store with the vocabulary, catalogs, crosswalks and derived mappings,
    and no example data (safe to run again); --organisation loads your organisation too."""
    with state.writing(sources=[organisation] if organisation else []):
        summary = load_init(state.creating_engine(), organisation)
    if as_json:
        print_json(_summary_json(state, summary))
        return
    _print_summary("init", state, summary)


@main.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
def templates(folder: Path) -> None:
    """Write the empty register templates (CSV headers, a commented YAML) into FOLDER; needs no
    store and never overwrites a file."""
    written = write_templates(folder)
    click.echo(f"aimstrace templates: {len(written)} empty register templates in {folder}")
    for path in written:
        click.echo(f"  {path.name}")


def _print_summary(command: str, state: CliState, summary: DemoSummary) -> None:
    where = state.store_dir or "memory"
    click.echo(f"aimstrace {command}: store {where}")
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
        {
            "id": f.id,
            "title": f.title,
            "version": f.version,
            "requirements": f.requirements,
            "external": f.external,
        }
        for f in state.engine.frameworks()
    ]
    if as_json:
        print_json(rows)
    else:
        print_table(rows, ["id", "version", "requirements", "external", "title"])


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
