"""`aimstrace validate`: the completeness shapes over the organisation data, as a gap report."""

from __future__ import annotations

from pathlib import Path

import click

from aimstrace.api.cli import CliState, at_option, main, message_option, pass_state
from aimstrace.api.output import SEVERITY_STYLES, print_table, progress
from aimstrace.graph.validation.gaps import SEVERITIES, to_html, to_json, to_markdown


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
    type=click.Choice(["md", "html"]),
    help="Print the gap report as Markdown or self-contained HTML.",
)
@click.option("--output", type=click.Path(path_type=Path), help="Write the output to FILE.")
@click.option(
    "--shapes",
    "shape_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Validate with these SHACL files or folders instead of the packaged shapes.",
)
@click.option("--write-back", is_flag=True, help="Store the gaps as aims:Nonconformity nodes.")
@click.option(
    "--engine",
    type=click.Choice(["auto", "pyshacl", "turbo"]),
    default="auto",
    show_default=True,
    help="SHACL engine (auto: pyshacl-turbo when installed; its reports equal pySHACL's).",
)
@pass_state
def validate(
    state: CliState,
    as_of: str | None,
    as_json: bool,
    fmt: str | None,
    output: Path | None,
    shape_paths: tuple[Path, ...],
    write_back: bool,
    engine: str,
) -> None:
    """Check the AIMS for completeness; exit 0 without violations, 1 with, 2 on error."""
    if as_json and fmt:
        raise click.UsageError("give either --json or --format, not both")
    with state.writing(), progress("validating the AIMS against the completeness shapes"):
        report = state.engine.validate(
            as_of, shapes=list(shape_paths) or None, engine=engine, write_back=write_back
        )
    if as_json:
        text = to_json(report)
    elif fmt == "md":
        text = to_markdown(report)
    elif fmt == "html":
        text = to_html(report)
    else:
        text = None
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
            output.write_text(to_markdown(report) + "\n", encoding="utf-8")
        else:
            print_table(
                rows,
                ["severity", "requirement", "focus", "message"],
                styles={"severity": SEVERITY_STYLES},
            )
        summary = ", ".join(f"{counts[s]} {s}" for s in SEVERITIES)
        click.echo(f"as of {report.as_of.isoformat()}: {summary}", err=output is not None)
    raise SystemExit(0 if report.conforms else 1)
