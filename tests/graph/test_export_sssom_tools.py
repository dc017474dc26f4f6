"""SSSOM as others read it: every export and every shipped crosswalk validated by sssom-py."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import yaml
from sssom.parsers import parse_sssom_table
from sssom.validators import validate

from aimstrace.graph.crosswalk.model import read_mappings, requirement_index
from aimstrace.graph.crosswalk.sets import derive_mappings, export_mappings
from aimstrace.graph.engine import Engine
from aimstrace.graph.store import Store
from aimstrace.loaders.mapping_common import MappingLoadError
from aimstrace.loaders.pipeline import load_crosswalks
from aimstrace.loaders.sssom import load_sssom, split_header

SHIPPED = Path(__file__).parents[2] / "ontology" / "crosswalks"
INTEROP = Path(__file__).parents[1] / "data" / "interop" / "sssom"
SETS = sorted(p.name.removesuffix(".sssom.tsv") for p in SHIPPED.glob("*.sssom.tsv"))


@pytest.fixture(scope="module")
def store() -> Store:
    engine = Engine.open(None)
    engine.load_vocabulary()
    engine.load_catalogs()
    load_crosswalks(engine.store, SHIPPED)
    derive_mappings(engine.store)
    return engine.store


def _valid_for_sssom_py(path: Path, caplog: pytest.LogCaptureFixture) -> int:
    """Validate with sssom-py (schema, prefix map, CURIEs); the number of rows it kept."""
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        msdf = parse_sssom_table(path)
        validate(msdf, fail_on_error=True)
    # sssom-py logs "No attr for" even for declared extension slots (its own example too), so
    # the declaration is checked in the parsed metadata instead.
    declared = {e["slot_name"] for e in msdf.metadata.get("extension_definitions", [])}
    assert declared >= {"relationship", "rationale", "strength"}
    assert not [r.message for r in caplog.records if "not well-formed" in r.message]
    return len(msdf.df)


def _rows(text: str) -> int:
    return len(split_header(text)[2].strip().splitlines()) - 1


@pytest.mark.parametrize("name", SETS)
def test_every_shipped_crosswalk_passes_sssom_py(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = SHIPPED / f"{name}.sssom.tsv"
    text = path.read_text(encoding="utf-8")
    header = yaml.safe_load(split_header(text)[0])
    assert {e["slot_name"] for e in header["extension_definitions"]} >= {
        "relationship",
        "rationale",
        "strength",
    }
    assert _valid_for_sssom_py(path, caplog) == _rows(text)


@pytest.mark.parametrize("name", SETS)
def test_every_set_export_passes_sssom_py_and_keeps_its_metadata(
    store: Store, tmp_path: Path, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    text = export_mappings(store, "sssom", [name])
    path = tmp_path / f"{name}.sssom.tsv"
    path.write_text(text, encoding="utf-8")
    assert _valid_for_sssom_py(path, caplog) == _rows(text)
    shipped = yaml.safe_load(split_header((SHIPPED / f"{name}.sssom.tsv").read_text())[0])
    exported = yaml.safe_load(split_header(text)[0])
    for key in ("mapping_set_id", "license", "mapping_set_title", "creator_id"):
        assert exported[key] == shipped[key], key  # stable, never rewritten on export
    assert set(exported["curie_map"]) >= {"aimstrace", "skos", "semapv"}


def test_multi_set_and_derived_exports_pass_and_merge_no_values(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = export_mappings(store, "sssom", None, include_derived=True)
    path = tmp_path / "all.sssom.tsv"
    path.write_text(text, encoding="utf-8")
    assert _valid_for_sssom_py(path, caplog) == _rows(text)
    header = yaml.safe_load(split_header(text)[0])
    licences = {
        yaml.safe_load(split_header((SHIPPED / f"{n}.sssom.tsv").read_text())[0])["license"]
        for n in SETS
    }
    assert header.get("license") in (None, *licences)  # one set's value or none, never joined
    derived = export_mappings(store, "sssom", ["derived"])
    again = tmp_path / "derived.sssom.tsv"
    again.write_text(derived, encoding="utf-8")
    assert _valid_for_sssom_py(again, caplog) == _rows(derived)
    loaded = load_sssom(again, requirement_index(store), "derived-copy")
    before = {
        (r.subject, r.relationship, r.object)
        for r in read_mappings(store).records
        if r.mapping_set == "derived"
    }
    assert {(r.subject, r.relationship, r.object) for r in loaded.records} == before


def test_no_relationship_is_written_as_the_schema_says(store: Store) -> None:
    text = export_mappings(store, "sssom", ["iso42001--eu-ai-act"])
    table = split_header(text)[2].splitlines()
    columns = table[0].split("\t")
    rows = [dict(zip(columns, line.split("\t"), strict=True)) for line in table[1:]]
    denied = [r for r in rows if r["relationship"] == "no-relationship"]
    assert denied
    for row in denied:
        assert row["predicate_id"] != "sssom:NoTermFound"
        if row["object_id"] != "sssom:NoTermFound":
            assert row["predicate_modifier"] == "Not"
    assert all(r["predicate_modifier"] == "" for r in rows if r not in denied)


def test_plain_sssom_maps_skos_predicates(tmp_path: Path, store: Store) -> None:
    # Our own plain SSSOM file (no STRM columns), in the shape other projects write.
    path = tmp_path / "plain.sssom.tsv"
    path.write_text(
        "# curie_map:\n"
        "#   iso42001: https://w3id.org/aimstrace/catalog/iso42001/\n"
        "#   iso27001: https://w3id.org/aimstrace/catalog/iso27001/\n"
        "# mapping_set_id: https://example.org/plain.sssom.tsv\n"
        "# license: https://creativecommons.org/publicdomain/zero/1.0/\n"
        "subject_id\tpredicate_id\tpredicate_modifier\tobject_id\tmapping_justification\tcomment\n"
        "iso42001:4.1\tskos:exactMatch\t\tiso27001:4.1\tsemapv:ManualMappingCuration\tsame\n"
        "iso42001:A.2.2\tskos:broadMatch\t\tiso27001:A.5.1\tsemapv:ManualMappingCuration\t\n"
        "iso42001:6.1\tskos:narrowMatch\t\tiso27001:6.1.2\tsemapv:ManualMappingCuration\t\n"
        "iso42001:7.2\tskos:closeMatch\t\tiso27001:7.2\tsemapv:LexicalMatching\tone way\n"
        "iso42001:7.2\tskos:closeMatch\t\tiso27001:7.2\tsemapv:ManualMappingCuration\tanother\n"
        "iso42001:7.3\tskos:relatedMatch\tNot\tiso27001:A.8.1\tsemapv:ManualMappingCuration\t\n",
        encoding="utf-8",
    )
    loaded = load_sssom(path, requirement_index(store), "plain")
    got = {
        (r.subject.rsplit("/", 1)[1], r.relationship, (r.object or "").rsplit("/", 1)[1]): (
            r.rationale,
            r.strength,
            r.justification,
        )
        for r in loaded.records
    }
    assert got == {
        ("4.1", "equal", "4.1"): ("semantic", None, "same"),
        ("A.2.2", "subset-of", "A.5.1"): ("semantic", None, ""),
        ("6.1", "superset-of", "6.1.2"): ("semantic", None, ""),
        ("7.2", "intersects-with", "7.2"): ("semantic", None, "one way | another"),
        ("7.3", "no-relationship", "A.8.1"): ("semantic", None, ""),
    }
    assert loaded.info.licence == "https://creativecommons.org/publicdomain/zero/1.0/"


def test_a_real_plain_sssom_file_is_read_not_refused_for_strm_columns(store: Store) -> None:
    # IBM's file maps their risk atlas to NIST AI 600-1 under their own ids, none of them in our
    # catalogs: both sides are external frameworks, no STRM column is asked for.
    loaded = load_sssom(
        INTEROP / "ibm2nistgenai.sssom.tsv", requirement_index(store), "ibm", external=True
    )
    assert {e.id for e in loaded.externals} == {"ibmairisk", "nistai"}
    assert len(loaded.records) == 84
    # the shipped crosswalks are never read this way: there an unknown side is an error
    with pytest.raises(MappingLoadError) as caught:
        load_sssom(INTEROP / "ibm2nistgenai.sssom.tsv", requirement_index(store), "ibm")
    first = caught.value.issues[0]
    assert (first.line, first.column, first.value) == (
        11,
        "subject_id",
        "ibmairisk:atlas-toxic-output",
    )
