"""The workbench's history views in a real headless Chromium (Debian's), against a live API: an
entity's revisions on its page, and what changed since the last internal audit.

The example organisation records its internal audit on 2026-05-12. The demo is written with
revision times before that day and the three loads of tests/data/history after it (a clock
given to the history module, so the test does not depend on today's date); the revisions are
real, hash-chained and verified.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from browser_support import SHOTS, Visit, live_server  # type: ignore[import-not-found]

from aimstrace.api.app import create_app
from aimstrace.api.settings import Settings
from aimstrace.graph.engine import Engine
from aimstrace.graph.store import history as history_module
from aimstrace.graph.store.history import writing_as
from aimstrace.loaders.pipeline import demo, load_paths

HISTORY = Path(__file__).resolve().parents[1] / "data" / "history"
AS_OF = "2026-06-30"


def _clock(first: datetime) -> type[datetime]:
    ticks = itertools.count()

    class Clock(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Clock:  # type: ignore[override]
            moment = first + timedelta(minutes=next(ticks))
            return cls.fromtimestamp(moment.timestamp(), UTC)

    return Clock


def history_engine() -> Engine:
    """The demo written on 2026-05-01, then the three history loads on 2026-06-01."""
    engine = Engine.open(None)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(history_module, "datetime", _clock(datetime(2026, 5, 1, tzinfo=UTC)))
        demo(engine)
        patch.setattr(history_module, "datetime", _clock(datetime(2026, 6, 1, tzinfo=UTC)))
        for number in (1, 2, 3):
            path = HISTORY / f"load{number}.yaml"
            with writing_as(f"load{number}", actor="tester", message=f"load {number}"):
                load_paths(engine, [path])
    assert engine.verify_history().ok
    return engine


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with live_server(create_app(settings=Settings.from_env(), engine=history_engine())) as url:
        yield url


def _clean(visit: Any) -> None:
    assert not visit.page.locator(".problem").count(), visit.page.inner_text("#view")[:500]
    assert visit.errors == [] and visit.external == []


def test_an_entity_page_shows_its_history(base_url: str, browser: Any) -> None:
    visit = Visit(browser)
    page = visit.open(base_url + "/ui/systems/SYS-H1")
    panel = page.locator("#entity-history")
    panel.wait_for(timeout=30_000)
    assert panel.locator("h2").inner_text() == "History (2 revisions)"
    rows = panel.locator("#history-table tbody tr")
    newest, first = rows.nth(0).inner_text(), rows.nth(1).inner_text()
    assert "load 2" in newest and "2026-06-01" in newest and "tester" in newest
    assert "label Claims triage v2" in newest and "usesDataset" in newest
    assert "load 1" in first and "type" in first
    removed = panel.locator("li[data-change=removed]")
    assert removed.count() == 1 and "Claims triage" in removed.inner_text()
    page.screenshot(path=str(SHOTS / "entity-history.png"), full_page=True)
    _clean(visit)
    # A demo entity the loads never touched has one revision: the demo's organisation load.
    page = visit.open(base_url + "/ui/systems/SYS-001")
    page.locator("#entity-history").wait_for(timeout=30_000)
    assert page.locator("#entity-history h2").inner_text() == "History (1 revision)"
    assert "2026-05-01" in page.locator("#history-table tbody").inner_text()
    _clean(visit)
    visit.close()


def test_since_the_last_audit_lists_entities_and_gaps(base_url: str, browser: Any) -> None:
    visit = Visit(browser)
    page = visit.open(base_url + f"/ui/since-last-audit?as_of={AS_OF}")
    page.locator("#since-summary, .problem").first.wait_for(timeout=60_000)
    _clean(visit)
    summary = page.locator("#since-summary").inner_text()
    assert "AUD-2026-01" in summary and "2026-05-12" in summary
    entities = page.locator("#since-entities tbody").inner_text()
    for expected in ("SYS-H1", "DS-H1", "R-H1", "C-H1"):
        assert expected in entities
    assert "SYS-001" not in entities  # written before the audit
    opened = page.locator("#gaps-opened").inner_text()
    assert "7.5" in opened and "C-H1" in opened
    assert "DS-H1" not in opened  # opened by load 2 and closed by load 3: no net change
    assert page.locator("#gaps-closed").inner_text() == "None."
    page.locator("#since-entities a", has_text="SYS-H1").click()
    page.wait_for_url("**/ui/systems/SYS-H1")
    page.locator("#entity-history").wait_for(timeout=30_000)
    page.screenshot(path=str(SHOTS / "since-last-audit.png"), full_page=True)
    _clean(visit)
    earlier = visit.open(base_url + "/ui/since-last-audit?as_of=2026-05-01")
    earlier.locator("#no-audit").wait_for(timeout=30_000)
    assert "no internal audit" in earlier.locator("#no-audit").inner_text()
    _clean(visit)
    visit.close()
