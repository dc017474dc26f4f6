"""The W3C SHACL test suite (core + SPARQL, 120 cases) through `validate --data --shapes`.

Each case runs the command a rule writer runs, `aimstrace validate --data D --shapes S --engine E
--format shacl`, once per engine; the Turtle it prints is compared with the expected report by
the suite's rules (tests/api/w3c_suite.py), and the exit code with the expected verdict (1 when
the expected report holds a Violation, else 0; 2 when the case expects a failure). A case an
engine cannot pass is listed, with the reason, in tests/data/shacl-w3c/README.md ("Known
limitations"); it is expected to fail, and the test fails once the engine passes it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from aimstrace.api.cli import main
from aimstrace.graph.validation.rdf_files import lossless_graph
from tests.api.w3c_suite import Case, cases, difference

SUITE = Path(__file__).resolve().parents[1] / "data" / "shacl-w3c"
ENGINES = ("turbo", "pyshacl")
_ROW = re.compile(r"^\| (turbo|pyshacl) \| `([^`]+)` \| (.+) \|$")


def known_limitations() -> dict[tuple[str, str], str]:
    """(engine, case) -> reason, from the README's "Known limitations" table."""
    text = (SUITE / "README.md").read_text(encoding="utf-8")
    section = text.split("## Known limitations", 1)[1]
    return {
        (m.group(1), m.group(2)): m.group(3)
        for line in section.splitlines()
        if (m := _ROW.match(line))
    }


CASES = cases(SUITE)
LIMITS = known_limitations()


def _params() -> list[object]:
    params: list[object] = []
    for engine in ENGINES:
        for case in CASES:
            reason = LIMITS.get((engine, case.name))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            params.append(pytest.param(engine, case, marks=marks, id=f"{engine}:{case.name}"))
    return params


def test_the_suite_is_complete() -> None:
    assert len(CASES) == 120
    assert sum(c.expected is None for c in CASES) == 7
    names = {c.name for c in CASES}
    assert {name for _, name in LIMITS} <= names, "a listed limitation names no case"


@pytest.mark.parametrize(("engine", "case"), _params())
def test_w3c_case(engine: str, case: Case) -> None:
    args = ["validate", "--data", str(case.data), "--shapes", str(case.shapes)]
    result = CliRunner().invoke(main, [*args, "--engine", engine, "--format", "shacl"])
    if case.expected is None:
        assert result.exit_code == 2, result.output
        assert "cannot run these shapes" in result.stderr
        assert "Traceback" not in result.output
        return
    assert result.exit_code == (1 if case.expects_violation() else 0), result.output
    produced = lossless_graph(ox.parse(result.stdout.encode(), format=ox.RdfFormat.TURTLE))
    problem = difference(produced, case.expected)
    assert problem is None, problem
