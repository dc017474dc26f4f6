"""`aimstrace report`: auditor reports (gaps, soa, stage1, management-review, pillars) as HTML,
Markdown, XLSX or PDF, of the store now or as it was (`--at`); the gaps report says since which
revision each gap is open and, with `--closed-since`, lists the gaps closed since a date."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from aimstrace.api.cli import CliState, at_option, main, pass_state
from aimstrace.api.output import progress
from aimstrace.api.reports import FORMATS, KINDS, build, render

SUFFIXES = {".html": "html", ".htm": "html", ".md": "md", ".xlsx": "xlsx", ".pdf": "pdf"}


@main.command()
@click.argument("kind", type=click.Choice(KINDS))
@at_option
@click.option(
    "--as-of", "as_of", metavar="DATE", help="Evaluation date YYYY-MM-DD (default: today)."
)
@click.option(
    "--closed-since",
    metavar="DATE",
    help="gaps: also list the gaps closed on or after DATE (from the store's revisions).",
)
@click.option(
    "--framework",
    metavar="FW",
    help="gaps: only the gaps against this framework (its id, e.g. iso42001).",
)
@click.option(
    "--requirement",
    metavar="NOTATION",
    help="gaps: only the gaps against this requirement (its notation, e.g. 6.1.3).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Output format (default: from the -o suffix, else html).",
)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the report to FILE.")
@pass_state
def report(
    state: CliState,
    kind: str,
    as_of: str | None,
    closed_since: str | None,
    framework: str | None,
    requirement: str | None,
    fmt: str | None,
    output: Path | None,
) -> None:
    """Write an auditor report: gaps, soa, stage1, management-review or pillars."""
    from aimstrace.api.reports.gapview import GapFilter, requirement_problem
    from aimstrace.graph.crosswalk.external import check_framework

    when = _date(as_of, "--as-of")
    since = _date(closed_since, "--closed-since")
    for option, value in (
        ("--closed-since", since),
        ("--framework", framework),
        ("--requirement", requirement),
    ):
        if value is not None and kind != "gaps":
            raise click.UsageError(f"{option} applies to the gaps report only")
    gap_filter = GapFilter(framework=framework, requirement=requirement)
    if framework is not None:
        check_framework(state.engine.store, framework)
    problem = requirement_problem(state.engine.store, gap_filter)
    if problem is not None:
        raise ValueError(problem)  # exit 2, like every unknown notation on the command line
    chosen = fmt or (SUFFIXES.get(output.suffix.lower()) if output else None) or "html"
    if output is None and chosen in ("xlsx", "pdf"):
        raise click.UsageError(f"--format {chosen} is binary: give -o FILE")
    with progress(f"building the {kind} report"):
        document = build(state.engine, kind, when, gap_filter, since)
    with progress(f"rendering {chosen}"):
        data = render(document, chosen)
    if output is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    output.write_bytes(data)
    click.echo(
        f"aimstrace report: {kind} as of {document.as_of.isoformat()} -> {output} "
        f"({chosen}, {len(data):,} bytes)",
        err=True,
    )


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a date (YYYY-MM-DD)", param_hint=option
        ) from None
