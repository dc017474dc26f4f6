"""SSSOM crosswalk loading: valid files load, every bad row is reported, nothing half-loaded."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from aimstrace.graph.crosswalk.model import RequirementRef, requirement_index
from aimstrace.graph.store import Store
from aimstrace.loaders.mapping_common import MappingLoadError
from aimstrace.loaders.pipeline import load_crosswalks
from aimstrace.loaders.sssom import load_sssom, split_header

DATA = Path(__file__).parents[1] / "data" / "crosswalks"
CATALOG = "https://w3id.org/aimstrace/catalog/"


@pytest.fixture
def store() -> Store:
    store = Store.in_memory()
    graph = ox.NamedNode("https://w3id.org/aimstrace/graph/catalog/test")
    store.load_file(DATA / "mini-catalog.ttl", ox.RdfFormat.TURTLE, graph)
    return store


@pytest.fixture
def index(store: Store) -> dict[str, RequirementRef]:
    return requirement_index(store)


HEADER = """# curie_map:
#   iso42001: https://w3id.org/aimstrace/catalog/iso42001/
#   euaiact: https://w3id.org/aimstrace/catalog/eu-ai-act/
# mapping_set_id: https://example.org/test
# license: CC0-1.0
"""
COLUMNS = (
    "subject_id\tsubject_label\tpredicate_id\tobject_id\tobject_label\tmapping_justification"
    "\trelationship\trationale\tstrength\tconfidence\tcomment\tauthor_id\n"
)
GOOD_ROW = (
    "iso42001:A.2.2\t\tskos:broadMatch\teuaiact:Art._9\t\tsemapv:ManualMappingCuration"
    "\tsubset-of\tsemantic\t5\t0.7\tA policy is one part of a risk management system.\tme\n"
)


def write(tmp_path: Path, body: str, name: str = "iso42001--eu-ai-act.sssom.tsv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + COLUMNS + body, encoding="utf-8")
    return path


def test_fixture_crosswalk_loads(index: dict[str, RequirementRef]) -> None:
    loaded = load_sssom(DATA / "nist-ai-rmf--iso42001.sssom.tsv", index)
    assert loaded.info.name == "nist-ai-rmf--iso42001"
    assert loaded.info.licence.startswith("Apache-2.0")
    by_subject = {r.subject.rsplit("/", 1)[1]: r for r in loaded.records}
    assert by_subject["GOVERN_1.2"].relationship == "subset-of"
    assert by_subject["GOVERN_1.2"].object == CATALOG + "iso42001/A.2.2"
    assert by_subject["GOVERN_1.2"].strength == 8 and by_subject["GOVERN_1.2"].confidence == 0.9
    assert by_subject["GOVERN_1.1"].object is None  # sssom:NoTermFound
    assert by_subject["MEASURE_2.1"].author == "aimstrace:test-suite"  # from the header


def test_every_error_is_reported_with_line_column_and_value(
    tmp_path: Path, index: dict[str, RequirementRef]
) -> None:
    bad_rows = [
        GOOD_ROW.replace("iso42001:A.2.2", "iso9999:A.2.2"),  # line 7: unknown prefix
        GOOD_ROW.replace("A.2.2", "A.99.1"),  # 8: not in catalog
        GOOD_ROW.replace("\tsubset-of\t", "\tpart-of\t"),  # 9: unknown relationship
        GOOD_ROW.replace("\tsemantic\t", "\tvibes\t"),  # 10: unknown rationale
        GOOD_ROW.replace("\t5\t", "\t11\t"),  # 11: strength out of range
        GOOD_ROW.replace("\t0.7\t", "\t1.5\t"),  # 12: confidence out of range
        GOOD_ROW.replace("skos:broadMatch", "skos:exactMatch"),  # 13: predicate mismatch
        GOOD_ROW.replace(
            "A policy is one part of a risk management system.", " "
        ),  # 14: missing justification
        "iso42001:A.5.2\tonly three\tfields\n",  # 15: malformed
        GOOD_ROW.replace("Art._9", "Art._10"),  # 16: fine
        GOOD_ROW.replace("Art._9", "Art._10").replace("\tme\n", "\tyou\n"),  # 17: duplicate
    ]
    path = write(tmp_path, "".join(bad_rows))
    with pytest.raises(MappingLoadError) as caught:
        load_sssom(path, index)
    found = {(i.line, i.column, i.value) for i in caught.value.issues}
    assert (7, "subject_id", "iso9999:A.2.2") in found
    assert (8, "subject_id", "iso42001:A.99.1") in found
    assert (9, "relationship", "part-of") in found
    assert (10, "rationale", "vibes") in found
    assert (11, "strength", "11") in found
    assert (12, "confidence", "1.5") in found
    assert (13, "predicate_id", "skos:exactMatch") in found
    assert (14, "comment", " ") in found
    assert any(i.line == 15 and "malformed row" in i.message for i in caught.value.issues)
    assert any(
        i.line == 17 and "duplicate of the mapping on line 16" in i.message
        for i in caught.value.issues
    )
    assert len(caught.value.issues) == 10
    message = str(caught.value)
    assert f"{path}:11: column strength:" in message and "nothing loaded" in message


def test_strength_may_be_blank_only_for_no_relationship(
    tmp_path: Path, index: dict[str, RequirementRef]
) -> None:
    none_row = (
        "iso42001:A.7.5\t\tsssom:NoTermFound\tsssom:NoTermFound\t\tsemapv:ManualMappingCuration"
        "\tno-relationship\tsemantic\t\t\tNo article is about this.\t\n"
    )
    blank_strength = GOOD_ROW.replace("\t5\t", "\t\t")
    with pytest.raises(MappingLoadError) as caught:
        load_sssom(write(tmp_path, none_row + blank_strength), index)
    assert [(i.line, i.column) for i in caught.value.issues] == [(8, "strength")]


def test_missing_columns_and_bad_header_are_reported(
    tmp_path: Path, index: dict[str, RequirementRef]
) -> None:
    path = tmp_path / "x.sssom.tsv"
    path.write_text("# curie_map: [unclosed\nsubject_id\tobject_id\n", encoding="utf-8")
    with pytest.raises(MappingLoadError) as caught:
        load_sssom(path, index)
    columns = {i.column for i in caught.value.issues}
    assert {"header", "predicate_id", "mapping_justification"} <= columns
    # our STRM columns come all together or not at all
    path.write_text(
        "subject_id\tpredicate_id\tobject_id\tmapping_justification\trelationship\n",
        encoding="utf-8",
    )
    with pytest.raises(MappingLoadError) as caught:
        load_sssom(path, index)
    columns = {i.column for i in caught.value.issues}
    assert {"rationale", "strength", "comment"} <= columns


def test_no_term_found_object_only_for_no_relationship(
    tmp_path: Path, index: dict[str, RequirementRef]
) -> None:
    row = GOOD_ROW.replace("euaiact:Art._9", "sssom:NoTermFound")
    with pytest.raises(MappingLoadError) as caught:
        load_sssom(write(tmp_path, row), index)
    assert [(i.line, i.column) for i in caught.value.issues] == [(7, "object_id")]


def test_a_bad_file_leaves_the_store_unchanged(tmp_path: Path, store: Store) -> None:
    folder = tmp_path / "crosswalks"
    folder.mkdir()
    for good in DATA.glob("*.sssom.tsv"):
        shutil.copy(good, folder / good.name)
    load_crosswalks(store, folder)
    before = set(store.quads())
    write(folder, GOOD_ROW + GOOD_ROW.replace("\t5\t", "\tten\t"))
    (folder / "nist-ai-rmf--iso42001.sssom.tsv").unlink()
    with pytest.raises(MappingLoadError) as caught:
        load_crosswalks(store, folder)
    assert [(i.line, i.column, i.value) for i in caught.value.issues] == [(8, "strength", "ten")]
    assert set(store.quads()) == before


def test_loading_twice_changes_nothing(store: Store) -> None:
    first = load_crosswalks(store, DATA)
    assert first.records == {
        "iso42001--eu-ai-act": 5,
        "iso42001--iso27001": 1,
        "nist-ai-rmf--iso42001": 4,
    }
    again = load_crosswalks(store, DATA)
    assert (again.written.added, again.written.removed) == (0, 0)


def test_header_split_keeps_line_numbers() -> None:
    header, first_line, table = split_header("# a: 1\n# b: 2\nx\ty\n")
    assert header == " a: 1\n b: 2\n" and first_line == 3 and table == "x\ty\n"


def test_crosswalk_load_drops_imported_duplicates(tmp_path: Path, store: Store) -> None:
    from aimstrace.graph.crosswalk.model import mapping_set_graph, read_mappings
    from aimstrace.loaders.pipeline import import_mappings

    load_crosswalks(store, DATA)
    # One claim the loaded set makes, read the other way round, and one new claim.
    mixed = write(
        tmp_path,
        "euaiact:Art._9\t\tskos:narrowMatch\tiso42001:A.2.2\t\tsemapv:ManualMappingCuration"
        "\tsuperset-of\tsemantic\t5\t0.7\tthe same claim, read from the Act\tme\n"
        "iso42001:A.7.5\t\tskos:relatedMatch\teuaiact:Art._12\t\tsemapv:ManualMappingCuration"
        "\tintersects-with\tsemantic\t2\t0.4\ta new claim\tme\n",
        name="mixed.sssom.tsv",
    )
    import_mappings(store, mixed, "sssom", set_name="eu-mixed")
    import_mappings(store, DATA / "iso42001--eu-ai-act.sssom.tsv", "sssom", set_name="eu-copy")
    assert len([r for r in read_mappings(store).records if r.mapping_set == "eu-copy"]) == 5
    result = load_crosswalks(store, DATA)
    assert result.duplicates == {"eu-copy": 5, "eu-mixed": 1}
    assert result.emptied == ["eu-copy"]
    assert list(store.quads(mapping_set_graph("eu-copy"))) == []
    kept = [r for r in read_mappings(store).records if r.mapping_set == "eu-mixed"]
    assert [(r.subject.rsplit("/", 1)[-1], r.object) for r in kept] == [
        ("A.7.5", CATALOG + "eu-ai-act/Art._12")
    ]
    # The duplicate's SKOS edge left the imported graph; the loaded set still states it.
    narrow = ox.NamedNode("http://www.w3.org/2004/02/skos/core#narrowMatch")
    assert not list(
        store.oxigraph.quads_for_pattern(None, narrow, None, mapping_set_graph("eu-mixed"))
    )
    again = load_crosswalks(store, DATA)
    assert again.duplicates == {} and (again.written.added, again.written.removed) == (0, 0)
