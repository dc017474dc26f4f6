"""Validating RDF files without a store: literals as written, every path kind rendered, details
nested, SHACL's conforms, engine errors named and the `auto` fallback, the CLI's exit codes.

Most inputs are W3C SHACL test-suite files (tests/data/shacl-w3c, source and licence there).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from aimstrace.api.cli import main
from aimstrace.graph.engine import Engine
from aimstrace.graph.validation.shapes import ValidationError, load_shape_files

SUITE = Path(__file__).resolve().parents[1] / "data" / "shacl-w3c"
PROPERTY = SUITE / "core" / "property"
PREFIXES = (
    "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <http://example.org/> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
)


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(PREFIXES + text, encoding="utf-8")
    return path


def _cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["validate", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("engine", ["turbo", "pyshacl"])
def test_literals_reach_the_report_as_written(engine: str) -> None:
    # "300"^^xsd:byte is out of range and "c"^^xsd:byte ill-formed: the store would rewrite the
    # first as an xsd:integer; read from the file, both are reported exactly as written.
    report = Engine.validate_files(
        [PROPERTY / "datatype-ill-formed-data.ttl"],
        [PROPERTY / "datatype-ill-formed-shapes.ttl"],
        engine,
    )
    values = sorted(r.value or "" for r in report.records)
    assert values == ['"300"^^xsd:byte', '"55"^^xsd:integer', '"c"^^xsd:byte']
    assert {r.component for r in report.records} == {"sh:DatatypeConstraintComponent"}
    assert {r.source_shape for r in report.records} == {"ex:s"}


def test_every_path_kind_is_rendered_the_same_by_both_engines(tmp_path: Path) -> None:
    paths = {
        "ex:p": "ex:p",
        "[ sh:inversePath ex:p ]": "^ex:p",
        "( ex:p ex:q )": "ex:p/ex:q",
        "[ sh:alternativePath ( ex:p ex:q ) ]": "ex:p|ex:q",
        "[ sh:zeroOrMorePath ex:p ]": "ex:p*",
        "[ sh:oneOrMorePath ex:p ]": "ex:p+",
        "[ sh:zeroOrOnePath ex:p ]": "ex:p?",
        "[ sh:zeroOrMorePath [ sh:alternativePath ( ex:p ex:q ) ] ]": "(ex:p|ex:q)*",
        "[ sh:inversePath ( ex:p ex:q ) ]": "^(ex:p/ex:q)",
        "( [ sh:alternativePath ( ex:p ex:q ) ] [ sh:oneOrMorePath ex:q ] )": "(ex:p|ex:q)/ex:q+",
    }
    shapes = _write(
        tmp_path,
        "paths.ttl",
        "".join(
            f"ex:S{i} a sh:NodeShape ; sh:targetNode ex:a, ex:b, ex:c ;"
            f" sh:property [ sh:path {path} ; sh:maxCount 0 ] .\n"
            for i, path in enumerate(paths)
        ),
    )
    data = _write(tmp_path, "data.ttl", "ex:a ex:p ex:b . ex:b ex:q ex:c . ex:a ex:q ex:c .\n")
    rendered = {}
    for engine in ("turbo", "pyshacl"):
        report = Engine.validate_files([data], [shapes], engine)
        rendered[engine] = {(r.path, r.source_shape) for r in report.records}
    assert {p for p, _ in rendered["turbo"]} == set(paths.values())
    assert ("ex:p*", "[ sh:path ex:p* ]") in rendered["turbo"]
    # pySHACL 0.40 finds nothing along the inverse of a sequence (c <-q- b <-p- a), which
    # SHACL allows; every path both engines report is rendered alike.
    assert rendered["turbo"] - rendered["pyshacl"] == {("^(ex:p/ex:q)", "[ sh:path ^(ex:p/ex:q) ]")}
    assert rendered["pyshacl"] <= rendered["turbo"]


@pytest.mark.parametrize("engine", ["turbo", "pyshacl"])
def test_details_stay_inside_their_result(tmp_path: Path, engine: str) -> None:
    shapes = _write(
        tmp_path,
        "node.ttl",
        "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:node ex:Inner .\n"
        "ex:Inner a sh:NodeShape ; sh:property [ sh:path ex:q ; sh:minCount 1 ] .\n",
    )
    data = _write(tmp_path, "data.ttl", "ex:a ex:p ex:b .\n")
    report = Engine.validate_files([data], [shapes], engine)
    assert len(report.records) == 1  # the nested result is not a gap of its own
    (outer,) = report.records
    assert outer.component == "sh:NodeConstraintComponent" and outer.value == "ex:a"
    (inner,) = outer.details
    assert inner.path == "ex:q" and inner.component == "sh:MinCountConstraintComponent"


def test_warnings_do_not_conform_and_exit_0() -> None:
    misc = SUITE / "core" / "misc"
    code, out, _ = _cli(
        "--data",
        str(misc / "severity-001.ttl"),
        "--shapes",
        str(misc / "severity-001.ttl"),
        "--format",
        "json",
    )
    document = json.loads(out)
    assert code == 0
    assert document["conforms"] is False
    assert document["counts"] == {"Violation": 0, "Warning": 1, "Info": 0}
    (result,) = document["results"]
    assert result["value"] == '"Hello"' and result["component"] == "sh:DatatypeConstraintComponent"
    code, out, _ = _cli(
        "--data",
        str(misc / "severity-001.ttl"),
        "--shapes",
        str(misc / "severity-001.ttl"),
        "--format",
        "shacl",
    )
    assert code == 0 and "sh:conforms false" in out


def test_violations_exit_1_and_the_report_is_turtle() -> None:
    node = SUITE / "core" / "node"
    code, out, err = _cli(
        "--data",
        str(node / "datatype-001.ttl"),
        "--shapes",
        str(node / "datatype-001.ttl"),
        "--format",
        "shacl",
    )
    assert code == 1, err
    assert out.startswith("@prefix") and "sh:DatatypeConstraintComponent" in out


def test_valid_shapes_are_not_refused() -> None:
    # Untyped shapes (severity-002) and a path SHACL-SHACL rejects but the suite calls valid
    # (path-strange-002): reported, validated.
    strange = SUITE / "core" / "path" / "path-strange-002.ttl"
    shapes = load_shape_files([strange])
    assert shapes.warnings and all("SHACL-SHACL" in w for w in shapes.warnings)
    code, _, err = _cli("--data", str(strange), "--shapes", str(strange))
    assert code == 1 and "aimstrace: note:" in err and "SHACL-SHACL" in err
    misc = SUITE / "core" / "misc"
    assert load_shape_files([misc / "severity-002.ttl"]).warnings == []


def test_an_engine_that_cannot_run_the_shapes_is_exit_2_naming_the_feature(
    tmp_path: Path,
) -> None:
    # sh:rule is SHACL Advanced Features: pyshacl-turbo refuses it without `advanced`, pySHACL
    # (a SHACL Core validator here) ignores it and validates the rest.
    shapes = _write(
        tmp_path,
        "rule.ttl",
        "ex:S a sh:NodeShape ; sh:targetNode ex:a ;\n"
        "  sh:property [ sh:path ex:q ; sh:minCount 1 ] ;\n"
        "  sh:rule [ a sh:TripleRule ; sh:subject sh:this ; sh:predicate ex:q ;\n"
        "    sh:object ex:c ] .\n",
    )
    data = _write(tmp_path, "data.ttl", "ex:a ex:p ex:b .\n")
    args = ["--data", str(data), "--shapes", str(shapes), "--format", "json"]
    code, out, err = _cli(*args, "--engine", "turbo")
    assert code == 2 and out == ""
    assert "pyshacl-turbo cannot run these shapes: Unsupported feature: sh:rule" in err
    assert "Traceback" not in err
    code, out, err = _cli(*args)  # --engine auto
    assert code == 1
    assert "pyshacl-turbo cannot run these shapes (Unsupported feature: sh:rule" in err
    assert "validated with pySHACL instead" in err
    document = json.loads(out)
    assert document["engine"] == "pyshacl" and document["notes"]
    assert document["results"][0]["component"] == "sh:MinCountConstraintComponent"


def test_auto_runs_turbo_where_pyshacl_cannot() -> None:
    case = SUITE / "sparql" / "pre-binding" / "shapesGraph-001.ttl"
    code, _, err = _cli("--data", str(case), "--shapes", str(case), "--engine", "pyshacl")
    assert code == 2 and "pySHACL cannot run these shapes: " in err and "$shapesGraph" in err
    report = Engine.validate_files([case], [case])
    assert report.engine == "turbo" and report.notes == [] and report.has_violations


def test_bad_input_is_a_located_error(tmp_path: Path) -> None:
    shapes = _write(tmp_path, "s.ttl", "ex:S a sh:NodeShape ; sh:targetNode ex:a .\n")
    broken = tmp_path / "broken.ttl"
    broken.write_text("<http://example.org/a> <http://example.org/p> .\n", encoding="utf-8")
    code, _, err = _cli("--data", str(broken), "--shapes", str(shapes))
    assert code == 2
    assert f"--data: {broken}: not valid Turtle: Parser error at line 1" in err
    code, _, err = _cli("--data", str(tmp_path / "nope.ttl"), "--shapes", str(shapes))
    assert code == 2 and "does not exist" in err
    odd = tmp_path / "data.csv"
    odd.write_text("a,b\n", encoding="utf-8")
    code, _, err = _cli("--data", str(odd), "--shapes", str(shapes))
    assert code == 2 and "unknown RDF file extension '.csv'" in err
    code, _, err = _cli("--data", str(broken))
    assert code == 2 and "--data needs --shapes" in err
    with pytest.raises(ValidationError, match="unknown validation engine"):
        Engine.validate_files([broken], [shapes], "fast")
