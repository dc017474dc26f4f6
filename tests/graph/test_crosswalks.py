"""The packaged crosswalks against the packaged catalogs, as `aimstrace demo` loads them."""

from __future__ import annotations

from aimstrace.graph.crosswalk.model import read_mappings
from aimstrace.graph.engine import Engine
from aimstrace.loaders.pipeline import demo, load_crosswalks, packaged_crosswalks


def test_every_packaged_crosswalk_loads_against_the_catalogs(engine: Engine) -> None:
    # load_crosswalks raises MappingLoadError naming file, line and column for any identifier
    # missing from the catalogs, any unknown word or any out-of-range number.
    loaded = load_crosswalks(engine.store)
    names = {f.name.removesuffix(".sssom.tsv") for f in packaged_crosswalks()}
    assert set(loaded.records) == names
    assert {"nist-ai-rmf--iso42001", "iso42001--eu-ai-act", "iso42001--iso27001"} <= names
    assert all(count > 0 for count in loaded.records.values())


def test_derivation_on_the_packaged_crosswalks_is_consistent(engine: Engine) -> None:
    load_crosswalks(engine.store)
    result = engine.derive_mappings()
    assert result.conflicts == []  # no two chains force different relations
    stored = read_mappings(engine.store)
    asserted = {frozenset((r.subject, r.object)) for r in stored.records if r.status == "asserted"}
    for record in result.derived:
        assert frozenset((record.subject, record.object)) not in asserted
        assert all(i in stored.iris for i in record.derived_from)
        assert stored.iris[record.iri].status == "derived"


def test_demo_reloads_crosswalks_without_changes() -> None:
    engine = Engine.open(None)
    first = demo(engine)
    assert first.sections["crosswalks"] > 0
    again = demo(engine)
    assert again.sections["crosswalks"] == 0 and again.sections["derived mappings"] == 0
