"""EU AI Act commands: `obligations SYSTEM [--as-of D] [--json]` and `timeline [--json]`.

Both read the obligations the rules derived (graph/eu_obligations.py) in the version of the Act
in force on the date asked; `obligations` adds the controls that meet each one, the evidence found
and the check of a stated `requires_fria` against the Art. 27(1) conditions.
"""

from __future__ import annotations

from typing import Any

import click

from aimstrace.api.cli import CliState, main, pass_state
from aimstrace.api.output import print_json, print_table
from aimstrace.graph.validation.runner import parse_as_of

_COLUMNS = ("provision", "title", "role", "route", "applies_from", "status", "controls", "evidence")
_TIMELINE = ("system", "date", "provision", "role", "change", "title")


@main.command()
@click.argument("system")
@click.option(
    "--as-of", "as_of", default=None, help="Date to read the obligations on (YYYY-MM-DD)."
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_state
def obligations(state: CliState, system: str, as_of: str | None, as_json: bool) -> None:
    """The EU AI Act obligations of AI system SYSTEM on a date (today by default)."""
    when = parse_as_of(as_of)
    answer = state.engine.eu_obligations(system, when)
    if as_json:
        print_json(answer)
        return
    print_table(answer["obligations"], _COLUMNS)
    for line in relief_lines(answer):
        click.echo(line)
    fria = answer["fria"]
    if fria["contradiction"]:
        click.echo(f"contradiction: {fria['message']}")


def relief_lines(answer: dict[str, Any]) -> list[str]:
    """One line per SME / small mid-cap relief of the answer (rule 60-size-relief.rq)."""
    lines: list[str] = []
    seen: set[tuple[str, str]] = set()
    eased = [(str(row["provision"]), r) for row in answer["obligations"] for r in row["relief"]]
    for provision, relief in [*eased, *(("fines", r) for r in answer["organisation_relief"])]:
        if (provision, str(relief["provision"])) in seen:
            continue
        seen.add((provision, str(relief["provision"])))
        condition = f" (if {relief['condition']})" if relief["condition"] else ""
        lines.append(
            f"size relief, {provision}: {relief['provision']}: {relief['relief']}{condition}"
        )
    return lines


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of row objects.")
@pass_state
def timeline(state: CliState, as_json: bool) -> None:
    """Every dated EU AI Act obligation of the organisation, by system, as amended."""
    rows = state.engine.eu_timeline()
    if as_json:
        print_json(rows)
        return
    print_table(rows, _TIMELINE)
