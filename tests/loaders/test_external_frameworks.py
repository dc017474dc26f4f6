"""External frameworks imported from real files of other projects (tests/data/interop).

Every expectation below is a row read by hand in the fixture (line numbers in
tests/data/interop/README.md), never computed by the code under test.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from aimstrace.graph.crosswalk.external import external_graph
from aimstrace.graph.crosswalk.model import read_mappings, requirement_index
from aimstrace.graph.engine import Engine
from aimstrace.loaders.mapping_common import MappingLoadError
from aimstrace.loaders.pipeline import import_mappings

INTEROP = Path(__file__).parents[1] / "data" / "interop"
CISO = INTEROP / "ciso"
SSSOM = INTEROP / "sssom"
CATALOG = "https://w3id.org/aimstrace/catalog/"


def _engine() -> Engine:
    engine = Engine.open(None)
    engine.load_vocabulary()
    engine.load_catalogs()
    return engine


@pytest.fixture
def engine() -> Engine:
    return _engine()


def _rows(engine: Engine, set_name: str) -> dict[tuple[str, str | None], tuple[str, ...]]:
    """(subject notation, object notation) -> relationships, with each side's framework."""
    index = requirement_index(engine.store)
    rows: dict[tuple[str, str | None], tuple[str, ...]] = {}

    def name(iri: str | None) -> str | None:
        return None if iri is None else f"{index[iri].framework} {index[iri].notation}"

    for record in read_mappings(engine.store).records:
        if record.mapping_set == set_name:
            key = (name(record.subject) or "", name(record.object))
            rows[key] = (*rows.get(key, ()), record.relationship)
    return rows


def test_ibm_risk_atlas_to_nist_genai_imports_with_both_sides_external(engine: Engine) -> None:
    result = import_mappings(engine.store, SSSOM / "ibm2nistgenai.sssom.tsv", "sssom")
    assert result.records == {"ibm2nistgenai": 84}
    frameworks = {f.id: f for f in engine.frameworks()}
    assert frameworks["ibmairisk"].external and frameworks["nistai"].external
    assert not frameworks["nist-ai-600-1"].external  # ours is untouched
    rows = _rows(engine, "ibm2nistgenai")
    # line 11: ibmairisk:atlas-toxic-output skos:closeMatch nistai:nist-dangerous-violent-...
    first = ("ibmairisk atlas-toxic-output", "nistai nist-dangerous-violent-or-hateful-content")
    assert rows[first] == ("intersects-with",)
    # skos:broadMatch: the object is broader, the subject a subset of it (line 13)
    assert rows[("ibmairisk atlas-data-poisoning", "nistai nist-information-security")] == (
        "subset-of",
    )
    assert rows[("ibmairisk atlas-hallucination", "nistai nist-confabulation")] == ("equal",)
    # line 49: predicate noMatch, no object: IBM's "no term found"
    assert rows[("ibmairisk atlas-plagiarism", None)] == ("no-relationship",)
    record = next(
        r
        for r in read_mappings(engine.store).records
        if r.subject == CATALOG + "ibmairisk/atlas-toxic-output"
    )
    assert (record.confidence, record.rationale, record.strength) == (0.95, "semantic", None)
    # the node keeps the file's identifier and label, and nothing else
    toxic = next(r for r in engine.requirements("ibmairisk") if r.notation == "atlas-toxic-output")
    assert (toxic.title, toxic.kind, toxic.parent) == ("toxic output", None, None)
    source = ox.NamedNode("https://w3id.org/aimstrace/ns#sourceIdentifier")
    (quad,) = engine.store.oxigraph.quads_for_pattern(ox.NamedNode(toxic.iri), source, None, None)
    assert quad.object.value == "ibmairisk:atlas-toxic-output"


def test_a_prefix_that_spells_one_of_our_ids_is_not_our_framework(engine: Engine) -> None:
    # credo-ucf.cut line 17: nist-ai-rmf:nist-human-ai-configuration is IBM's id of a NIST AI
    # 600-1 risk under the prefix nist-ai-rmf (https://www.nist.gov/itl/...), not our AI RMF.
    before = len(engine.requirements("nist-ai-rmf"))
    import_mappings(engine.store, SSSOM / "credo-ucf.cut.sssom.tsv", "sssom")
    assert len(engine.requirements("nist-ai-rmf")) == before
    (node,) = engine.requirements("nist-ai-rmf-ext")
    assert node.notation == "nist-human-ai-configuration"
    rows = _rows(engine, "credo-ucf.cut")
    # lines 16 and 17 say the same closeMatch by two methods: one record
    key = ("credo-ucf credo-risk-001", "mit-ai-risk-repository mit-ai-risk-subdomain-7.5")
    assert rows[key] == ("intersects-with",)


def test_sssom_no_term_found_example(engine: Engine) -> None:
    import_mappings(engine.store, SSSOM / "no_term_found.sssom.tsv", "sssom")
    rows = _rows(engine, "no_term_found")
    assert rows == {
        ("hp 0009124", "mp 0000003"): ("equal",),
        ("hp 0000411", None): ("no-relationship",),
    }


def test_ciso_2013_mapping_library_reads_2013_as_external(engine: Engine) -> None:
    ours = set(
        engine.store.quads(ox.NamedNode("https://w3id.org/aimstrace/graph/catalog/iso27001"))
    )
    import_mappings(engine.store, CISO / "mapping-iso27001-2013-to-iso27001-2022.yaml", "ciso")
    rows = _rows(engine, "mapping-iso27001-2013-to-iso27001-2022")
    assert len(rows) == 134
    # line 135: 2013 9.2 superset of 2022 9.2.1; line 170: a.5.1.1 subset of a.5.1;
    # line 245: a.8.1.4 (2013) equal a.5.11 (2022), never 2022's A.8.14
    assert rows[("iso27001-2013 9.2", "iso27001 9.2.1")] == ("superset-of",)
    assert rows[("iso27001-2013 a.5.1.1", "iso27001 A.5.1")] == ("subset-of",)
    assert rows[("iso27001-2013 a.8.1.4", "iso27001 A.5.11")] == ("equal",)
    counts: dict[str, int] = {}
    for relationships in rows.values():
        for relationship in relationships:
            counts[relationship] = counts.get(relationship, 0) + 1
    assert counts == {"equal": 77, "subset-of": 48, "superset-of": 6, "intersects-with": 3}
    # our 2022 catalog is not changed by a 2013 library
    catalog = ox.NamedNode("https://w3id.org/aimstrace/graph/catalog/iso27001")
    assert set(engine.store.quads(catalog)) == ours


def test_ciso_2013_framework_library_is_an_external_framework(engine: Engine) -> None:
    result = import_mappings(engine.store, CISO / "iso27001-2013.cut.yaml", "ciso")
    assert result.records == {} and result.externals == {"iso27001-2013": 8}
    info = next(f for f in engine.frameworks() if f.id == "iso27001-2013")
    assert info.external and info.title == "International standard ISO/IEC 27001:2013"
    reqs = {r.notation: r for r in engine.requirements("iso27001-2013")}
    assert sorted(reqs) == ["4", "4.1", "A.8", "A.8.1", "A.8.1.1", "A.8.1.4", "annex-a", "core"]
    assert (reqs["A.8.1.4"].title, reqs["A.8.1.4"].parent) == ("Return of assets", "A.8.1")
    assert reqs["4"].title == "Context of the organization"  # their trailing space dropped
    assert reqs["core"].parent is None


def _state(engine: Engine) -> set[ox.Quad]:
    graphs = [external_graph("iso27001-2013")]
    graphs += [g for g in engine.store.named_graphs() if "/crosswalk/" in g.value]
    return {q for g in graphs for q in engine.store.quads(g)}


def test_framework_and_mapping_library_in_either_order_give_one_notation_per_node() -> None:
    framework = CISO / "iso27001-2013.cut.yaml"
    mapping = CISO / "mapping-iso27001-2013-to-iso27001-2022.yaml"
    states = []
    for order in ((framework, mapping), (mapping, framework)):
        engine = _engine()
        for path in order:
            import_mappings(engine.store, path, "ciso")
        node = ox.NamedNode(CATALOG + "iso27001-2013/a.8.1.4")
        notation = ox.NamedNode("http://www.w3.org/2004/02/skos/core#notation")
        found = [q.object.value for q in engine.store.quads_for_pattern(node, notation, None)]
        assert found == ["A.8.1.4"], order
        rows = _rows(engine, "mapping-iso27001-2013-to-iso27001-2022")
        assert rows[("iso27001-2013 A.8.1.4", "iso27001 A.5.11")] == ("equal",)
        states.append(_state(engine))
    assert states[0] == states[1]


def test_scf_side_of_the_42001_library_is_external(engine: Engine) -> None:
    import_mappings(engine.store, CISO / "map-iso42001-2023-and-scf-2025.2.2.cut.yaml", "ciso")
    forward = _rows(engine, "mapping-iso42001-2023-and-scf-2025.2.2-1")
    revert = _rows(engine, "mapping-iso42001-2023-and-scf-2025.2.2-2")
    assert forward[("iso42001 4.1", "scf-2025.2.2 aat-01")] == ("subset-of",)
    assert forward[("iso42001 A.2.2", "scf-2025.2.2 aat-01")] == ("subset-of",)
    # the "-revert" set reads SCF -> 42001 (lines 98-100: aat-07.3 intersect 10.1)
    assert revert[("scf-2025.2.2 aat-07.3", "iso42001 10.1")] == ("intersects-with",)


def test_their_library_of_a_framework_we_hold_is_refused(engine: Engine) -> None:
    before = engine.store.count()
    path = CISO / "iso42001-2023.cut.yaml"
    with pytest.raises(MappingLoadError) as caught:
        import_mappings(engine.store, path, "ciso")
    (issue,) = caught.value.issues
    assert (issue.file, issue.column, issue.value) == (
        str(path),
        "urn",
        "urn:intuitem:risk:framework:iso42001-2023",
    )
    assert "iso42001 catalog" in issue.message
    assert engine.store.count() == before


def test_olir_with_an_external_reference_document(engine: Engine, tmp_path: Path) -> None:
    # ours: a made-up reference document "acme-policy" beside our AI RMF as focal document
    path = tmp_path / "acme.csv"
    path.write_text(
        "Focal Document Element,Relationship,Reference Document Element,"
        "Reference Document Element Description\n"
        "GOVERN 1.1,subset of,POL-7,Acme legal register policy\n"
        "GOVERN 1.2,equal,POL-8,\n",
        encoding="utf-8",
    )
    import_mappings(
        engine.store, path, "olir", subject_framework="nist-ai-rmf", object_framework="acme-policy"
    )
    rows = _rows(engine, "olir-acme")
    # IR 8278A r1: the relationship is the reference element's to the focal element's
    assert rows == {
        ("acme-policy POL-7", "nist-ai-rmf GOVERN 1.1"): ("subset-of",),
        ("acme-policy POL-8", "nist-ai-rmf GOVERN 1.2"): ("equal",),
    }
    titles = {r.notation: r.title for r in engine.requirements("acme-policy")}
    assert titles == {"POL-7": "Acme legal register policy", "POL-8": None}


@pytest.mark.parametrize(
    ("name", "text", "line", "expected"),
    [
        (
            "x.sssom.tsv",
            "#mapping_set_id: https://example.org/x\n"
            "subject_id\tpredicate_id\tobject_id\tmapping_justification\n"
            "https://example.org/a\tskos:exactMatch\tsssom:NoTermFound\tsemapv:ManualMappingCuration\n",
            3,
            "must be a CURIE",
        ),
        ("x.yaml", "urn: u\nobjects:\n  other: 1\n", 3, "expected a framework library"),
    ],
)
def test_a_variant_we_do_not_read_is_one_located_error(
    engine: Engine, tmp_path: Path, name: str, text: str, line: int, expected: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    before = engine.store.count()
    fmt = "sssom" if name.endswith(".tsv") else "ciso"
    with pytest.raises(MappingLoadError) as caught:
        import_mappings(engine.store, path, fmt)
    (issue,) = caught.value.issues
    assert (issue.file, issue.line) == (str(path), line)
    assert expected in issue.message
    assert engine.store.count() == before


def test_derivation_runs_through_an_external_framework() -> None:
    # Set algebra does not care whose catalog a node is in: 42001 A.3.2 intersects-with
    # 27001:2022 5.3 (our crosswalk) and 27001:2013 5.3 equal 2022 5.3 (their library, line
    # 55-57) give A.3.2 intersects-with 2013 5.3. Removing the framework with its set takes the
    # derived record away at the next derivation.
    from aimstrace.loaders.pipeline import load_crosswalks
    from aimstrace.loaders.remove import remove_external_framework

    engine = _engine()
    load_crosswalks(engine.store)
    import_mappings(engine.store, CISO / "mapping-iso27001-2013-to-iso27001-2022.yaml", "ciso")
    result = engine.derive_mappings()
    a32 = CATALOG + "iso42001/A.3.2"
    old = CATALOG + "iso27001-2013/5.3"
    (derived,) = [r for r in result.derived if {r.subject, r.object} == {a32, old}]
    oriented = derived if derived.subject == a32 else derived.inverted()
    assert oriented.relationship == "intersects-with"
    sets = {read_mappings(engine.store).iris[i].mapping_set for i in derived.derived_from}
    assert sets == {"iso42001--iso27001", "mapping-iso27001-2013-to-iso27001-2022"}

    remove_external_framework(engine.store, "iso27001-2013", with_mapping_sets=True)
    again = engine.derive_mappings()
    assert not [r for r in again.derived if old in (r.subject, r.object)]
    assert "iso27001-2013" not in {f.id for f in engine.frameworks()}
