"""`aimstrace validate`: the completeness shapes over the organisation data, as a gap report;
with `--data`, any SHACL shapes over RDF files, without a store.

Exit codes: 0 no result of severity Violation, 1 Violations found, 2 a usage error, bad input,
or shapes no engine can run. `conforms` is SHACL's (no result of any severity); Warnings and
Infos alone make it false and still exit 0.
"""

from __future__ import annotations

from pathlib import Path

import click

from aimstrace.api.cli import CliState, at_option, main, message_option, pass_state
from aimstrace.api.output import SEVERITY_STYLES, print_table, progress
from aimstrace.graph.validation.gaps import (
    SEVERITIES,
    GapReport,
    OpenSince,
    to_html,
    to_json,
    to_markdown,
    to_result_json,
    to_turtle,
)
from aimstrace.graph.validation.writeback import WRITE_BACK_SEVERITIES


@main.command()
@at_option
@message_option
@click.option(
    "--as-of", "as_of", metavar="DATE", help="Evaluation date YYYY-MM-DD (default: today)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the JSON contract.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "html", "json", "shacl"]),
    help="md, html: the gap report; json: every result with value, constraint component, source"
    " shape, path and nested details; shacl: the SHACL validation report graph as Turtle.",
)
@click.option("--output", type=click.Path(path_type=Path), help="Write the output to FILE.")
@click.option(
    "--shapes",
    "shape_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Validate with these SHACL files or folders instead of the packaged shapes.",
)
@click.option(
    "--data",
    "data_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Validate these RDF files (no store; literals as written) against --shapes.",
)
@click.option(
    "--write-back",
    is_flag=True,
    help="Store the findings as aims:Nonconformity nodes (replacing the previous write-back).",
)
@click.option(
    "--severity",
    "severities",
    multiple=True,
    type=click.Choice(SEVERITIES),
    help="With --write-back: which severities to write (repeatable; default Violation).",
)
@click.option(
    "--open-since/--no-open-since",
    default=True,
    show_default=True,
    help="In md, html and json reports: the revision each gap was first seen in (computed from"
    " history by validating the revisions that changed what the shapes read).",
)
@click.option(
    "--engine",
    type=click.Choice(["auto", "pyshacl", "turbo"]),
    default="auto",
    show_default=True,
    help="SHACL engine (auto: pyshacl-turbo, pySHACL where pyshacl-turbo cannot run the shapes).",
)
@pass_state
def validate(
    state: CliState,
    as_of: str | None,
    as_json: bool,
    fmt: str | None,
    output: Path | None,
    shape_paths: tuple[Path, ...],
    data_paths: tuple[Path, ...],
    write_back: bool,
    severities: tuple[str, ...],
    open_since: bool,
    engine: str,
) -> None:
    """Check the AIMS for completeness; exit 0 without violations, 1 with, 2 on error."""
    from aimstrace.graph.engine import Engine

    if as_json and fmt:
        raise click.UsageError("give either --json or --format, not both")
    if data_paths:
        if not shape_paths:
            raise click.UsageError("--data needs --shapes: the shapes to validate the files with")
        if write_back or as_of:
            raise click.UsageError("--data validates files: --write-back and --as-of do not apply")
        with progress("validating the files against the shapes"):
            report = Engine.validate_files(list(data_paths), list(shape_paths), engine)
    else:
        if severities and not write_back:
            raise click.UsageError("--severity chooses what --write-back writes; give --write-back")
        if write_back:
            state.write_through_server(click.get_current_context())
        with progress("validating the AIMS against the completeness shapes"):
            report = state.engine.validate(
                as_of,
                shapes=list(shape_paths) or None,
                engine=engine,
                report_graph=fmt == "shacl",
            )
        if write_back:
            with state.writing():
                written = state.engine.write_back(report, severities or WRITE_BACK_SEVERITIES)
    for note in report.notes:
        click.echo(f"aimstrace: note: {note}", err=True)
    since: OpenSince | None = None
    reported = as_json or fmt in ("md", "html", "json") or (fmt is None and output is not None)
    if open_since and reported and not data_paths and not shape_paths:
        with progress("dating the gaps from history"):
            since = state.engine.open_since(report.as_of)
    text = _render(report, "json-contract" if as_json else fmt, since)
    if text is not None:
        if output is not None:
            output.write_text(text + "\n", encoding="utf-8")
        else:
            click.echo(text)
    else:
        counts = report.counts()
        rows = [
            {
                "severity": r.severity,
                "requirement": f"{r.framework} {r.requirement}" if r.requirement else "",
                "focus": r.focus_label,
                "message": r.message,
            }
            for r in sorted(report.records, key=lambda r: r.sort_key())
        ]
        if output is not None:
            output.write_text(to_markdown(report, since) + "\n", encoding="utf-8")
        else:
            print_table(
                rows,
                ["severity", "requirement", "focus", "message"],
                styles={"severity": SEVERITY_STYLES},
            )
        summary = ", ".join(f"{counts[s]} {s}" for s in SEVERITIES)
        when = "" if data_paths else f"as of {report.as_of.isoformat()}: "
        click.echo(f"{when}{summary}", err=output is not None)
    if write_back:
        # Beside the report, never inside it: stdout may be the JSON contract or a file.
        click.echo(written.line(), err=as_json or fmt is not None or output is not None)
    raise SystemExit(1 if report.has_violations else 0)


def _render(report: GapReport, fmt: str | None, since: OpenSince | None) -> str | None:
    """The report as text in a format, or None for the default table."""
    if fmt == "json-contract":
        return to_json(report, since=since)
    if fmt == "json":
        return to_result_json(report, since)
    if fmt == "shacl":
        return to_turtle(report)
    if fmt == "md":
        return to_markdown(report, since)
    if fmt == "html":
        return to_html(report, since)
    return None
