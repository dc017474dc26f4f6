"""`aimstrace neo4j ...`: project the RDF store into Neo4j."""

from __future__ import annotations

from dataclasses import asdict

import click

from aimstrace.api.cli import CliState, main, pass_state
from aimstrace.api.output import print_json, progress
from aimstrace.graph.neo4j.connection import Neo4jSettings, connect
from aimstrace.graph.neo4j.sync import Neo4jSync, Neo4jSyncError


@main.group()
def neo4j() -> None:
    """Neo4j projection (password from NEO4J_PASSWORD, never a flag)."""


@neo4j.command()
@click.option("--full", is_flag=True, help="Rebuild the whole projection, not just what changed.")
@click.option("--uri", help="Bolt URI (default $NEO4J_URI or bolt://127.0.0.1:7687).")
@click.option("--user", help="User name (default $NEO4J_USER or neo4j).")
@click.option("--database", help="Database name (default: the server's default).")
@click.option("--json", "as_json", is_flag=True, help="Print the sync report as JSON.")
@pass_state
def sync(
    state: CliState,
    full: bool,
    uri: str | None,
    user: str | None,
    database: str | None,
    as_json: bool,
) -> None:
    """Project the RDF store into Neo4j (incremental unless --full or needed)."""
    try:
        settings = Neo4jSettings.from_environment(uri, user, database)
        driver = connect(settings)
        try:
            with progress("projecting the store into Neo4j"):
                report = Neo4jSync(state.engine.store, driver, settings.database).sync(full=full)
        finally:
            driver.close()
    except Neo4jSyncError as exc:
        # The CLI's one error convention: `aimstrace: error: ...` on stderr, exit code 2.
        raise ValueError(str(exc)) from exc
    if as_json:
        print_json(asdict(report))
        return
    click.echo(
        f"neo4j sync ({report.mode}, run {report.run_id}): {report.nodes} nodes, "
        f"{report.relationships} relationships written; {report.removed_nodes} nodes and "
        f"{report.removed_relationships} relationships removed; {report.seconds:.2f} s"
    )
