"""The workbench's pages where an entity has many neighbours, in real headless Chromium: the
example organisation plus 250 systems feeding on one dataset and 15 controls implementing one
Annex A control (what a million-triple store has in thousands)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from browser_support import SHOTS, Visit, live_server  # type: ignore[import-not-found]

import aimstrace.api
from aimstrace.api.app import create_app
from aimstrace.api.settings import Settings
from aimstrace.graph.engine import Engine
from aimstrace.loaders.pipeline import demo
from aimstrace.ontology.iris import graph_iri

AIMS = "https://w3id.org/aimstrace/ns#"
DATA = "https://w3id.org/aimstrace/data/"
EXTRA_SYSTEMS = 250
EXTRA_CONTROLS = 15
POPULAR = "DS-002"
STATIC = Path(aimstrace.api.__file__).parent / "static"


def _many_neighbours() -> bytes:
    lines = []
    for n in range(EXTRA_SYSTEMS):
        system = f"<{DATA}system/SYS-9{n:03d}>"
        lines += [
            f"{system} a <{AIMS}AISystem> .",
            f'{system} <http://purl.org/dc/terms/identifier> "SYS-9{n:03d}" .',
            f'{system} <http://www.w3.org/2000/01/rdf-schema#label> "Scale system {n}" .',
            f"{system} <{AIMS}usesDataset> <{DATA}dataset/{POPULAR}> .",
        ]
    for n in range(EXTRA_CONTROLS):
        control, evidence = f"<{DATA}control/CTL-9{n:02d}>", f"<{DATA}evidence/EV-9{n:02d}>"
        lines += [
            f"{control} a <{AIMS}ImplementedControl> .",
            f'{control} <http://purl.org/dc/terms/identifier> "CTL-9{n:02d}" .',
            f"{control} <{AIMS}implementsRequirement> "
            "<https://w3id.org/aimstrace/catalog/iso42001/A.7.5> .",
            f"{control} <{AIMS}controlStatus> <{AIMS}status-planned> .",
            f"{control} <{AIMS}hasEvidence> {evidence} .",
            f"{evidence} a <{AIMS}Evidence> .",
            f'{evidence} <http://purl.org/dc/terms/identifier> "EV-9{n:02d}" .',
        ]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def engine() -> Engine:
    engine = Engine.open(None)
    demo(engine)
    engine.store.oxigraph.load(
        _many_neighbours(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph_iri("org"))
    )
    return engine


@pytest.fixture(scope="module")
def base_url(engine: Engine) -> Iterator[str]:
    with live_server(create_app(settings=Settings.from_env(), engine=engine)) as url:
        yield url


def test_an_entity_page_asks_for_its_panels_together(base_url: str, browser: Any) -> None:
    visit = Visit(browser)
    page = visit.open(base_url + "/ui/systems/SYS-001")
    page.wait_for_selector("#trace-table")
    timings = page.evaluate(  # the first request of each URL (gap status is polled)
        """Object.fromEntries(performance.getEntriesByType('resource').reverse().map(
            (e) => [e.name.replace(location.origin, ''), [e.startTime, e.responseEnd]]))"""
    )
    entity_answered = timings["/systems/SYS-001"][1]
    panels = (
        "/systems/SYS-001/trace",
        "/systems/SYS-001/referrers?limit=50&per_group=true",
        "/gaps/status?start=true",
    )
    for panel in panels:  # asked before the entity's own answer came, not after it
        assert timings[panel][0] < entity_answered, (panel, timings)
    assert "/openapi.json" not in timings  # the routes come with /ui/meta.json
    assert "/systems/SYS-001/obligations" in timings
    # The page's modules are preloaded by the page itself, not found one import at a time.
    app_started = timings["/ui/assets/app.js"][0]
    modules = [f"/ui/assets/{m.name}" for m in STATIC.glob("*.js")]
    assert len(modules) > 3 and all(m in timings for m in modules), timings
    for module in modules:  # every module asked before app.js arrived (preloaded by the page)
        assert timings[module][0] < timings["/ui/assets/app.js"][1], (module, timings)
    assert timings["/ui/assets/graph.js"][0] - app_started < 50
    assert visit.errors == []
    visit.close()


def test_a_popular_dataset_shows_its_referrer_counts_and_pages_the_rest(
    base_url: str, browser: Any, engine: Engine
) -> None:
    visit = Visit(browser)
    page = visit.open(f"{base_url}/ui/datasets/{POPULAR}")
    refs = page.locator("#refs-h + dl")
    refs.wait_for()
    systems = page.locator(".referrers[data-collection=systems][data-column=datasets]")
    total = sum(1 for s in engine.list_entities("systems") if POPULAR in s["datasets"])
    assert total > EXTRA_SYSTEMS
    assert f"AI systems (datasets): {total}" in refs.inner_text()
    assert systems.locator("a").count() == 50
    page.get_by_role("button", name="Show 200 more").click()
    page.wait_for_function(
        "document.querySelectorAll('.referrers[data-column=datasets] a').length === 250"
    )
    page.get_by_role("button", name=f"Show {total - 250} more").click()
    page.wait_for_function(
        f"document.querySelectorAll('.referrers[data-column=datasets] a').length === {total}"
    )
    ids = systems.locator("a").all_inner_texts()
    assert len(set(ids)) == total  # none twice
    assert not page.get_by_role("button", name="more").count()
    page.screenshot(path=str(SHOTS / "scale-dataset.png"))
    assert visit.errors == []
    visit.close()


def test_a_popular_dataset_counts_what_it_reaches_and_draws_the_first_page(
    base_url: str, browser: Any, engine: Engine
) -> None:
    visit = Visit(browser)
    page = visit.open(f"{base_url}/ui/datasets/{POPULAR}")
    page.wait_for_selector("#trace-table")
    radius = engine.impact("dataset", POPULAR)
    counts = page.locator("#impact-counts dl").inner_text().split("\n")
    assert dict(zip(counts[::2], counts[1::2], strict=True)) == {
        kind: str(len(found)) for kind, found in sorted(radius.reached.items())
    }
    shown = page.locator("#trace-table tbody tr").count()
    assert shown == min(len(radius.rows), 500)  # the API's first page
    assert visit.errors == []
    visit.close()


def test_the_soa_page_counts_implementing_controls_and_shows_the_first(
    base_url: str, browser: Any
) -> None:
    visit = Visit(browser)
    page = visit.open(f"{base_url}/ui/soa")
    row = page.locator("#soa-table tbody tr", has=page.locator("a", has_text="A.7.5")).first
    text = row.inner_text()
    assert "planned" in text and "more" in text, text
    assert row.locator("td[data-col=implemented_total] a").count() == 10
    page.screenshot(path=str(SHOTS / "scale-soa.png"), full_page=True)
    assert visit.errors == []
    visit.close()


def test_a_gap_filter_with_thousands_of_values_is_a_text_field_offering_the_commonest(
    base_url: str, browser: Any
) -> None:
    visit = Visit(browser)
    page = visit.open(base_url + "/ui/gaps")
    page.wait_for_selector("#gaps-table")
    field = page.locator("#gf-system")
    assert field.evaluate("e => e.tagName") == "INPUT"  # more systems with gaps than are listed
    assert page.locator("#gf-system-values option").count() == 200
    assert page.locator("#gf-severity").evaluate("e => e.tagName") == "SELECT"  # two values
    field.fill("SYS-9007")
    field.press("Enter")
    page.wait_for_url(re.compile(r"system=SYS-9007"))
    page.wait_for_selector("#gaps-table")
    systems = page.locator("#gaps-table tbody tr td:nth-child(4)").all_inner_texts()
    assert systems and set(systems) == {"SYS-9007 Scale system 7"}
    assert visit.errors == []
    visit.close()
