"""The workbench in a real headless Chromium (Debian's), driven by Playwright, against a live API
on the example organisation. Screenshots of every page go to tests/output/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from browser_support import SHOTS, Visit, live_server  # type: ignore[import-not-found]

from aimstrace.api.app import create_app
from aimstrace.api.settings import Settings
from aimstrace.graph.engine import Engine
from aimstrace.loaders.pipeline import demo

PAGES = [
    ("dashboard", "/ui/"),
    ("system", "/ui/systems/SYS-001"),
    ("dataset", "/ui/datasets/DS-002"),
    ("vendor", "/ui/vendors/V-003"),
    ("person", "/ui/people/P-004"),
    ("risk", "/ui/risks/RSK-001"),
    ("control", "/ui/controls/CTL-013"),
    ("model", "/ui/models/M-001"),
    ("requirement", "/ui/requirements/iso42001/A.7.5"),
    ("requirement-eu", "/ui/requirements/eu-ai-act/Art.%2010"),
    ("systems", "/ui/systems"),
    ("gaps", "/ui/gaps?as_of=2026-11-01"),
    ("gaps-grouped", "/ui/gaps?as_of=2026-11-01&group=requirement"),
    ("coverage", "/ui/coverage?framework=eu-ai-act"),
    ("soa", "/ui/soa"),
    ("registers", "/ui/registers"),
]


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    engine = Engine.open(None)
    demo(engine)
    with live_server(create_app(settings=Settings.from_env(), engine=engine)) as url:
        yield url


@pytest.mark.parametrize(("name", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_each_page_loads_without_console_errors(
    base_url: str, browser: Any, name: str, path: str
) -> None:
    visit = Visit(browser)
    page = visit.open(base_url + path)
    page.wait_for_timeout(300)  # the graph lays out in the next animation frame
    page.screenshot(
        path=str(SHOTS / f"{name}.png"),
        full_page=name not in ("system", "dataset", "vendor", "person"),
    )
    assert not page.locator(".problem").count(), page.inner_text("#view")[:500]
    assert visit.errors == []
    assert visit.external == []
    visit.close()


@pytest.mark.parametrize("path", ["/ui/", "/ui/systems/SYS-001", "/ui/gaps?as_of=2026-11-01"])
def test_pages_fit_a_400_px_screen(base_url: str, browser: Any, path: str) -> None:
    visit = Visit(browser, width=400)
    page = visit.open(base_url + path)
    page.wait_for_timeout(300)
    name = "narrow-" + re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")
    page.screenshot(path=str(SHOTS / f"{name}.png"))
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{path} is {overflow}px wider than a 400 px screen"
    assert visit.errors == []
    visit.close()


def _wait_graph(page: Any) -> None:
    page.wait_for_function(
        "window.aimstraceGraph && window.aimstraceGraph.nodes().length > 1", timeout=30_000
    )


SMALLEST_LABEL = """() => {
  const cy = window.aimstraceGraph;
  const sizes = cy.nodes().filter(n => n.data('text'))
    .map(n => parseFloat(n.style('font-size')) * cy.zoom());
  return Math.min(...sizes);
}"""


@pytest.mark.parametrize(
    "path", ["/ui/systems/SYS-001", "/ui/datasets/DS-002", "/ui/vendors/V-006"]
)
def test_trace_graph_labels_are_legible_at_100_percent(
    base_url: str, browser: Any, path: str
) -> None:
    visit = Visit(browser)
    page = visit.open(base_url + path)
    _wait_graph(page)
    assert page.evaluate(SMALLEST_LABEL) >= 11
    # Opening every folded group keeps the labels legible too (the view starts at 100 %).
    page.get_by_role("button", name="Open all groups").click()
    _wait_graph(page)
    assert page.evaluate(SMALLEST_LABEL) >= 11
    kinds = set(page.evaluate("window.aimstraceGraph.nodes().map(n => n.data('kind'))"))
    legend = page.locator(".legend li").all_inner_texts()
    assert len(kinds - {"framework"}) <= len(legend)
    visit.close()


def test_trace_table_sorts_and_exports_csv(base_url: str, browser: Any) -> None:
    visit = Visit(browser)
    page = visit.open(base_url + "/ui/systems/SYS-001")
    table = page.locator("#trace-table")
    assert "framework" in table.locator("thead").inner_text()
    table.get_by_role("button", name="id").click()
    ids = table.locator("tbody td[data-col=id]").all_inner_texts()
    assert ids == sorted(
        ids, key=lambda s: [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", s)]
    )
    with page.expect_download() as download:
        page.locator(".table-block:has(#trace-table) [data-export=csv]").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0] == "kind,framework,id,label,reached via"
    assert "EU AI Act" in text and "https://" not in text.splitlines()[1]
    visit.close()


def test_clicking_a_graph_node_opens_its_page(base_url: str, browser: Any) -> None:
    visit = Visit(browser)
    page = visit.open(base_url + "/ui/systems/SYS-001")
    _wait_graph(page)
    page.evaluate(
        "window.aimstraceGraph.getElementById('https://w3id.org/aimstrace/data/person/P-004').emit('tap')"
    )
    page.wait_for_url("**/ui/people/P-004")
    page.wait_for_selector("h1:has-text('P-004')")
    assert visit.errors == []
    visit.close()


def test_links_open_the_right_page(base_url: str, browser: Any) -> None:
    visit = Visit(browser)
    page = visit.open(base_url + "/ui/systems/SYS-001")
    page.locator("dl.fields a", has_text="M-001").first.click()
    page.wait_for_url("**/ui/models/M-001")
    page.wait_for_selector("h1:has-text('M-001')")
    page.go_back()
    page.wait_for_selector("h1:has-text('SYS-001')")
    page.locator("#trace-table a", has_text="A.10.3").first.click()
    page.wait_for_url("**/ui/requirements/iso42001/A.10.3")
    page.wait_for_selector("h1:has-text('Suppliers')")
    assert visit.errors == []
    visit.close()


def test_explain_path_between_two_nodes(base_url: str, browser: Any) -> None:
    visit = Visit(browser)
    page = visit.open(base_url + "/ui/systems/SYS-001")
    _wait_graph(page)
    page.select_option("#path-to", "https://w3id.org/aimstrace/data/vendor/V-003")
    page.get_by_role("button", name="Explain").click()
    page.wait_for_selector("#path-steps li a")
    assert "V-003" in page.inner_text("#path-steps")
    assert visit.errors == []
    visit.close()


def test_coverage_matrix_shows_every_requirement_of_each_framework(
    base_url: str, browser: Any
) -> None:
    frameworks = httpx.get(base_url + "/frameworks").json()
    visit = Visit(browser)
    for framework in (f["id"] for f in frameworks):
        expected = httpx.get(
            f"{base_url}/coverage", params={"framework": framework, "limit": 1}
        ).json()
        page = visit.open(f"{base_url}/ui/coverage?framework={framework}")
        page.wait_for_selector("#coverage-matrix")
        assert page.locator("#coverage-matrix .cell").count() == expected["total"]
        summary = page.inner_text("#coverage-summary")
        assert f"{expected['total']} requirements" in summary
        assert f"{expected['summary']['partial']} partly" in summary
    visit.close()


def test_coverage_filter_and_justifying_path(base_url: str, browser: Any) -> None:
    visit = Visit(browser)
    page = visit.open(base_url + "/ui/coverage?framework=eu-ai-act")
    visible = "#coverage-matrix .cell:visible"
    before = page.locator(visible).count()
    page.locator("input[name=state][value=none]").uncheck()
    after = page.locator(visible).count()
    assert 0 < after < before
    assert set(page.locator(visible).evaluate_all("c => c.map(x => x.dataset.coverage)")) <= {
        "full",
        "partial",
    }
    page.locator("#coverage-matrix .cell[data-notation='Art. 10']").click()
    detail = page.locator("#coverage-detail")
    detail.locator(".cov-paths li").first.wait_for()
    assert "implements" in detail.inner_text() and "CTL-" in detail.inner_text()
    visit.close()


def test_gap_filters_change_the_rows(base_url: str, browser: Any) -> None:
    visit = Visit(browser)
    page = visit.open(base_url + "/ui/gaps?as_of=2026-11-01")
    rows = page.locator("#gaps-table tbody tr")
    everything = rows.count()
    page.select_option("#gf-severity", "Violation")
    page.wait_for_url(re.compile(r"severity=Violation"))
    page.wait_for_selector("#gaps-table")
    severities = set(
        page.locator("#gaps-table tbody tr").evaluate_all("r => r.map(x => x.dataset.severity)")
    )
    assert severities == {"Violation"}
    assert page.locator("#gaps-table tbody tr").count() < everything
    page.select_option("#gf-framework", "iso42001")
    page.wait_for_url(re.compile(r"framework=iso42001"))
    page.wait_for_selector("#gaps-table")
    assert "ISO/IEC 42001" in page.inner_text("#gaps-table tbody")
    assert "EU AI Act" not in page.inner_text("#gaps-table tbody")
    assert visit.errors == []
    visit.close()


def test_gap_report_groups_and_downloads(base_url: str, browser: Any) -> None:
    visit = Visit(browser)
    page = visit.open(base_url + "/ui/gaps?as_of=2026-11-01&group=system")
    group = page.locator("details.group").first
    group.locator("summary").click()
    group.locator("table tbody tr").first.wait_for()
    for fmt, marker in (
        ("md", "# AIMS gap report"),
        ("csv", "severity,framework"),
        ("json", '"records"'),
    ):
        with page.expect_download() as download:
            page.locator(f"[data-download={fmt}]").click()
        assert marker in Path(download.value.path()).read_text(encoding="utf-8")
    assert visit.errors == []
    visit.close()


@pytest.mark.parametrize(
    ("path", "ready"), [("/docs", ".opblock"), ("/redoc", "[role=menuitem], li[data-item-id]")]
)
def test_api_docs_render_offline(base_url: str, browser: Any, path: str, ready: str) -> None:
    visit = Visit(browser)
    page = visit.page
    page.goto(base_url + path)
    page.wait_for_selector(ready, timeout=30_000)
    assert "trace" in page.inner_text("body").lower()
    page.screenshot(path=str(SHOTS / f"api{path.replace('/', '-')}.png"))
    # ReDoc's sidebar badge is an <img> from its CDN that hides itself when it cannot load; it is
    # the one request that tries to leave loopback, and nothing on the page depends on it.
    assert set(visit.external) <= {REDOC_BADGE}
    assert [
        e for e in visit.errors if not (visit.external and "Failed to load resource" in e)
    ] == []
    visit.close()


REDOC_BADGE = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def test_page_files_cannot_escape_the_static_folder(base_url: str) -> None:
    for name in ("..%2Fapp.py", ".env", "app.py", "vendor", "..%2F..%2Froutes%2Fweb.py"):
        response = httpx.get(f"{base_url}/ui/assets/{name}")
        # Either refused or (a path that leaves /ui/assets/) the workbench page itself.
        assert response.status_code == 404 or response.text.startswith("<!doctype html>")
        assert "import" not in response.text
    for url in ("/ui/vendor/..%2F..%2Fapp.py", "/ui/vendor/cytoscape/..%2F..%2F..%2Fapp.py"):
        response = httpx.get(base_url + url)
        assert response.status_code == 404 or "import" not in response.text
    assert httpx.get(f"{base_url}/ui/vendor/cytoscape/cytoscape.min.js").status_code == 200
    assert httpx.get(f"{base_url}/ui/vendor/cytoscape/LICENSE.txt").status_code == 404
