"""`aimstrace history` and `aimstrace diff`: the store's revisions, their chain, what changed.

`history [--json] [--verify]` lists every write (newest first) or recomputes the hash chain;
`history gaps [--as-of D] [--closed-since DATE] [--json]` shows when each gap was first seen and
closed; `diff REV_A [REV_B] [--as-of D] [--json]` says what changed between two revisions.
History is read here and never written: no command edits or removes a revision.
"""

from __future__ import annotations

from datetime import datetime

import click
import pyoxigraph as ox

from aimstrace.api.cli import CliState, main, pass_state
from aimstrace.api.output import print_json, print_table
from aimstrace.graph.store.history import PROV
from aimstrace.ontology.iris import AIMS, DATA_BASE

HISTORY_BASE = f"{DATA_BASE}revision/"


@main.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the revisions as JSON.")
@click.option("--verify", is_flag=True, help="Recompute the hash chain; exit 1 on a mismatch.")
@click.option("--turtle", is_flag=True, help="Print the revisions as PROV-O (Turtle).")
@click.pass_context
def history(ctx: click.Context, as_json: bool, verify: bool, turtle: bool) -> None:
    """The store's revisions, newest first: who wrote what, when, with which files."""
    if ctx.invoked_subcommand is not None:
        return
    state = ctx.find_object(CliState)
    assert state is not None
    engine = state.live_engine
    if verify:
        result = engine.verify_history()
        if as_json:
            print_json(
                {
                    "ok": result.ok,
                    "revisions": result.revisions,
                    "first_bad": f"r{result.first_bad}" if result.first_bad else None,
                    "reason": result.reason,
                }
            )
        elif result.ok:
            click.echo(f"history verified: {result.revisions} revision(s), the chain holds")
        else:
            click.echo(
                f"aimstrace: history does not verify: r{result.first_bad}: {result.reason}",
                err=True,
            )
        ctx.exit(0 if result.ok else 1)
    revisions = engine.history()
    if turtle:
        triples = [t for r in reversed(revisions) for t in r.prov_triples(HISTORY_BASE)]
        text = ox.serialize(
            triples, format=ox.RdfFormat.TURTLE, prefixes={"prov": PROV, "aims": str(AIMS)}
        )
        click.echo((text or b"").decode("utf-8"), nl=False)
        return
    if as_json:
        print_json([r.as_dict() for r in revisions])
        return
    rows = [
        {
            "revision": r.name,
            "time": r.time[:19].replace("T", " "),
            "actor": r.actor,
            "command": r.command,
            "added": r.added,
            "removed": r.removed,
            "message": r.message or "",
        }
        for r in revisions
    ]
    print_table(rows, ["revision", "time", "actor", "command", "added", "removed", "message"])


@history.command("gaps")
@click.option("--as-of", "as_of", metavar="DATE", help="Evaluation date (default: today).")
@click.option("--closed-since", metavar="DATE", help="Only gaps closed on or after DATE.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def history_gaps(
    state: CliState, as_of: str | None, closed_since: str | None, as_json: bool
) -> None:
    """Each gap with the revision it was first seen in and, once gone, the one that closed it."""
    engine = state.live_engine
    lifecycles = engine.gap_lifecycles(as_of)
    times = {r.name: r.time for r in engine.history()}
    if closed_since is not None:
        try:
            since = datetime.fromisoformat(closed_since).date()
        except ValueError:
            raise click.BadParameter(
                f"expected a date YYYY-MM-DD, got {closed_since!r}", param_hint="--closed-since"
            ) from None
        lifecycles = [
            g
            for g in lifecycles
            if g.closed and datetime.fromisoformat(times[g.closed]).date() >= since
        ]
    rows = [
        {
            **g.as_dict(),
            "first_seen_time": times.get(g.first_seen),
            "closed_time": times.get(g.closed) if g.closed else None,
        }
        for g in lifecycles
    ]
    if as_json:
        print_json(rows)
        return
    table = [
        {
            "severity": r["severity"],
            "requirement": f"{r['framework']} {r['requirement']}" if r["requirement"] else "",
            "focus": r["focus_label"],
            "open since": r["first_seen"],
            "closed": r["closed"] or "",
            "message": r["message"],
        }
        for r in rows
    ]
    print_table(table, ["severity", "requirement", "focus", "open since", "closed", "message"])


@main.command()
@click.argument("base", metavar="REV_A")
@click.argument("target", metavar="[REV_B]", required=False)
@click.option(
    "--as-of", "as_of", metavar="DATE", help="Evaluation date for the gaps (default: today)."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def diff(state: CliState, base: str, target: str | None, as_of: str | None, as_json: bool) -> None:
    """What changed from REV_A to REV_B (default: the newest): entities, mappings, gaps."""
    result = state.live_engine.diff(base, target, as_of)
    data = result.as_dict()
    if as_json:
        print_json(data)
        return
    click.echo(f"aimstrace diff {result.base} -> {result.target}")
    for register, changes in data["entities"].items():  # type: ignore[attr-defined]
        for change, ids in changes.items():
            if ids:
                click.echo(f"  {register:<22} {change:<8} {len(ids):>5}  {', '.join(ids[:8])}")
    for name, counts in result.mappings.items():
        parts = ", ".join(f"{k} {v}" for k, v in counts.items() if v)
        click.echo(f"  mapping set {name:<22} {parts}")
    click.echo(
        f"  gaps (as of {data['as_of']}): {len(result.gaps_opened)} opened, "
        f"{len(result.gaps_closed)} closed"
    )
    for label, records in (("opened", result.gaps_opened), ("closed", result.gaps_closed)):
        for record in records:
            click.echo(f"    {label}: [{record.severity}] {record.focus_label}: {record.message}")
