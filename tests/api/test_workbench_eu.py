"""The workbench's EU AI Act timelines in a real headless Chromium (as tests/api/test_web_page.py):
a system's obligations by the date each applies, and the organisation's timeline on the
dashboard, on the example organisation."""

from __future__ import annotations

from typing import Any

from browser_support import SHOTS, Visit  # type: ignore[import-not-found]
from test_web_page import base_url  # type: ignore[import-not-found]

__all__ = ["base_url"]  # the example organisation's server, as test_web_page has it
DATES = "items => items.map(i => i.dataset.date)"


def test_the_system_page_shows_its_obligations_timeline(base_url: str, browser: Any) -> None:
    visit = Visit(browser)
    page = visit.open(base_url + "/ui/systems/SYS-001")
    page.wait_for_selector("#eu-timeline")
    dates = page.locator("#eu-timeline > li").evaluate_all(
        "items => items.map(i => i.dataset.date)"
    )
    assert dates == sorted(dates) and {"2025-02-02", "2027-12-02"} <= set(dates)
    annex_iii = page.locator('#eu-timeline > li[data-date="2027-12-02"]').inner_text()
    assert "Art. 9" in annex_iii and "Risk management system" in annex_iii
    # The Annex III duties are upcoming before 2 December 2027, in force after (Art. 113(c)).
    statuses = page.locator('#eu-timeline > li[data-date="2027-12-02"] .status').all_inner_texts()
    assert set(statuses) <= {"upcoming", "in-force"} and statuses
    # SYS-001 states requires_fria contrary to Art. 27(1): the contradiction is on the page.
    assert "Art. 27(1)" in page.inner_text("#eu-fria")
    page.screenshot(path=str(SHOTS / "system-eu-timeline.png"), full_page=True)
    page.locator('#eu-timeline a:has-text("Art. 9")').first.click()
    page.wait_for_url("**/ui/requirements/eu-ai-act/Art.%209")
    assert visit.errors == [] and visit.external == []
    visit.close()


def test_the_dashboard_shows_the_organisation_timeline(base_url: str, browser: Any) -> None:
    visit = Visit(browser)
    page = visit.open(base_url + "/ui/")
    page.wait_for_selector("#org-timeline-list")
    items = page.locator("#org-timeline-list > li")
    dates = items.evaluate_all(DATES)
    assert dates == sorted(dates) and "2027-12-02" in dates
    moved = page.locator('#org-timeline-list > li[data-date="2027-12-02"]').inner_text()
    assert "systems" in moved and "Art. 9" in moved
    assert "moved from 2026-08-02 by Regulation (EU) 2026/1744" in moved
    page.screenshot(path=str(SHOTS / "dashboard-eu-timeline.png"), full_page=True)
    assert visit.errors == [] and visit.external == []
    visit.close()
