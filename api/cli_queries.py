"""Named-query commands: `queries`, `query`, `trace` and `impact`.

`aimstrace queries [--json]` lists the named queries; `aimstrace query NAME --param KEY=VALUE
[--backend rdf|neo4j] [--json]` runs one; `aimstrace trace SYSTEM` and
`aimstrace impact {dataset|vendor|person} ID` are the two questions asked most.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import click

from aimstrace.api.cli import CliState, at_option, main, pass_state
from aimstrace.api.output import print_json, print_table, stream_json_rows, stream_table
from aimstrace.graph.backend import BackendError, QueryResult
from aimstrace.queries.registry import NamedQuery, default_registry

if TYPE_CHECKING:
    from aimstrace.graph.impact_index import Summary


def _describe(query: NamedQuery) -> dict[str, Any]:
    return {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "audience": list(query.audience),
        "iso_clauses": list(query.iso_clauses),
        "parameters": [
            {
                "name": p.name,
                "type": p.type,
                "description": p.description,
                "example": p.example,
                "required": p.required,
                **({"kind": p.kind} if p.kind else {}),
                **({"scheme": p.scheme} if p.scheme else {}),
            }
            for p in query.parameters
        ],
        "columns": [{"name": c.name, "description": c.description} for c in query.columns],
        "requires": sorted(c.value for c in query.requires),
    }


def _parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise click.UsageError(f"--param {pair!r}: expected KEY=VALUE")
        if key in params:
            raise click.UsageError(f"--param {key!r} given twice")
        params[key] = value
    return params


def _print_result(result: QueryResult, as_json: bool) -> None:
    if as_json:
        print_json(result.as_dicts())
    else:
        print_table(result.as_dicts(), list(result.columns))


def _fail(message: object) -> None:
    click.echo(f"aimstrace: error: {message}", err=True)
    click.get_current_context().exit(2)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the full definitions as JSON.")
def queries(as_json: bool) -> None:
    """List the named queries and their parameters."""
    registry = default_registry()
    if as_json:
        print_json([_describe(q) for q in registry.values()])
        return
    rows = [
        {
            "name": q.name,
            "parameters": " ".join(
                f"{p.name}:{p.type}" + ("" if p.required else "?") for p in q.parameters
            ),
            "title": q.title,
        }
        for q in registry.values()
    ]
    print_table(rows, ["name", "parameters", "title"])


@main.command()
@click.argument("name")
@click.option(
    "--param",
    "pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="A parameter value; repeat for several.",
)
@click.option(
    "--backend",
    type=click.Choice(["rdf", "rdflib", "neo4j"]),
    default="rdf",
    show_default=True,
    help="Query engine: the embedded RDF store, its rdflib copy, or Neo4j.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of row objects.")
@at_option
@pass_state
def query(state: CliState, name: str, pairs: tuple[str, ...], backend: str, as_json: bool) -> None:
    """Run the named query NAME (see `aimstrace queries`)."""
    params = _parse_params(pairs)
    try:
        result = state.engine.run_query(name, params, backend=backend)
    except BackendError as exc:
        _fail(exc)
        return
    _print_result(result, as_json)


@main.command()
@click.argument("system")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of row objects.")
@at_option
@pass_state
def trace(state: CliState, system: str, as_json: bool) -> None:
    """Everything behind AI system SYSTEM (register id or IRI)."""
    _print_result(state.engine.trace(system), as_json)


@main.command()
@click.argument("kind", type=click.Choice(["dataset", "vendor", "person"]))
@click.argument("entity_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of row objects.")
@click.option(
    "--summary",
    "summary_only",
    is_flag=True,
    help="Print only the counts by category, framework and owner (a JSON object with --json).",
)
@at_option
@pass_state
def impact(state: CliState, kind: str, entity_id: str, as_json: bool, summary_only: bool) -> None:
    """What a dataset, vendor or person reaches: systems, owners, risks and requirements.

    The summary (counts by category, framework and owner) comes first, then the rows, printed
    as they go (a popular dataset reaches tens of thousands of entities).
    """
    radius = state.engine.impact(kind, entity_id)
    summary = radius.summary
    assert summary is not None
    if summary_only:
        if as_json:
            print_json(asdict(summary))
        else:
            _print_summary(summary)
        return
    columns = radius.columns()
    rows = [dict(zip(columns, row, strict=True)) for row in radius.rows]
    if as_json:
        stream_json_rows(rows)  # the stable contract: the array of rows
        return
    _print_summary(summary)
    stream_table(rows, list(columns))


def _print_summary(summary: Summary, owners: int = 10) -> None:
    """The counts as three small tables, each under its heading; the busiest owners first."""
    click.echo(f"Reached, by category ({summary.rows} rows):")
    print_table(
        [{"category": c, "entities": n} for c, n in summary.by_category.items()],
        ["category", "entities"],
    )
    if summary.by_framework:
        click.echo("Requirements, by framework:")
        print_table(
            [{"framework": f, "requirements": n} for f, n in summary.by_framework.items()],
            ["framework", "requirements"],
        )
    if summary.by_owner:
        top = list(summary.by_owner.items())[:owners]
        shown = (
            f" (top {len(top)} of {len(summary.by_owner)})"
            if len(top) < len(summary.by_owner)
            else ""
        )
        click.echo(f"Accountable owners, by entities they answer for{shown}:")
        print_table([{"owner": o, "entities": n} for o, n in top], ["owner", "entities"])
    click.echo("")
