"""`aimstrace serve`: the REST API under uvicorn, and `aimstrace api-key` to mint keys."""

from __future__ import annotations

import click

from aimstrace.api.cli import main
from aimstrace.api.security import (
    LOOPBACK_CLIENTS,
    KeyConfigError,
    KeyRing,
    Role,
    hash_key,
    new_key,
)
from aimstrace.api.settings import Settings, SettingsError
from aimstrace.graph.engine import Engine


@main.command()
@click.option("--host", default=None, help="Address to bind (default 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default 8000).")
@click.option(
    "--store",
    "serve_store",
    metavar="DIR",
    default=None,
    help="Store directory (overrides the global --store and $AIMSTRACE_STORE).",
)
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, serve_store: str | None) -> None:
    """Serve the REST API (settings from AIMSTRACE_* variables; see the README)."""
    import uvicorn

    from aimstrace.api.app import create_app
    from aimstrace.api.logging import configure_logging

    state = ctx.obj
    store = serve_store or (str(state.store_dir) if state.store_dir else None)
    if store is None:
        raise click.UsageError("serve needs a store directory, not --in-memory")
    # Fails (exit 2) on a missing, mistyped or never-initialised store instead of creating one.
    Engine.open(store, create=False).require_initialised()
    try:
        settings = Settings.from_env(host=host, port=port, store=store)
        keyring = KeyRing.from_config(settings.api_keys, settings.api_keys_file)
    except (SettingsError, KeyConfigError) as exc:
        raise click.UsageError(str(exc)) from exc
    if keyring.local_mode and settings.host not in LOOPBACK_CLIENTS:
        raise click.UsageError(
            f"refusing to listen on {settings.host} without API keys; configure "
            "AIMSTRACE_API_KEYS or AIMSTRACE_API_KEYS_FILE (see `aimstrace api-key`), "
            "or bind to 127.0.0.1"
        )
    if keyring.local_mode:
        click.echo(
            f"aimstrace serve: no API keys configured, listening on {settings.host} only "
            "(loopback clients are served without a key)",
            err=True,
        )
    log_config = configure_logging(settings.log_level)
    uvicorn.run(
        create_app(settings, freeze_heap=True),
        host=settings.host,
        port=settings.port,
        log_config=log_config,
        access_log=False,
        timeout_graceful_shutdown=10,
        server_header=False,
    )


@main.command("api-key")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(list(Role.__members__)),
    default="reader",
    show_default=True,
    help="What the key may do.",
)
def api_key(name: str, role: str) -> None:
    """Mint an API key for NAME: prints the key once, and the line to put in the key file."""
    key = new_key()
    entry = f"{name}:{role}:{hash_key(key)}"
    try:
        KeyRing.from_config(entry, None)
    except KeyConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"key (give to the client, shown only now): {key}")
    click.echo(f"entry for AIMSTRACE_API_KEYS_FILE:        {entry}")
