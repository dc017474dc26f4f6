"""A server on a disk store answers from its read replica, which follows imports."""

from __future__ import annotations

import gc
import time
from pathlib import Path

import pytest
from api_support import (  # type: ignore[import-not-found]
    auth_headers,
    key_entries,
    post_import,
    small_engine,
)
from fastapi.testclient import TestClient

from aimstrace.api.app import create_app
from aimstrace.api.settings import Settings
from aimstrace.graph.engine import Engine
from aimstrace.loaders.pipeline import load_paths

NEW_DATASET = b"datasets:\n  - id: DS-778\n    name: Replica check\n    used_by: SYS-001\n"


def _disk_store(folder: Path) -> Path:
    """A disk store holding the API test data, closed again so the app can open it."""
    source = small_engine()
    disk = Engine.open(folder)
    disk.store.oxigraph.extend(source.store.quads())
    disk.store.flush()
    del disk
    gc.collect()  # the engine's helpers hold the store in reference cycles; release its lock
    return folder


def _wait_for_replica(client: TestClient) -> None:
    deadline = time.monotonic() + 30
    while not client.get("/health").json()["read_replica"]:
        assert time.monotonic() < deadline, "the read replica was not ready in 30 s"
        time.sleep(0.05)


@pytest.mark.parametrize("replica", [True, False])
def test_a_served_disk_store_answers_the_same_with_or_without_replica(
    tmp_path: Path, replica: bool
) -> None:
    store = _disk_store(tmp_path / "store")
    settings = Settings(api_keys=key_entries(), store=store, read_replica=replica)
    with TestClient(
        base_url="http://127.0.0.1", app=create_app(settings), headers=auth_headers("reader")
    ) as client:
        if replica:
            _wait_for_replica(client)
        else:
            assert client.get("/health").json()["read_replica"] is False
        before = client.get("/systems/SYS-001/trace").json()
        assert {"dataset", "risk", "control"} <= {row["category"] for row in before["rows"]}
        imported = post_import(client, "more.yaml", NEW_DATASET)
        assert imported.status_code == 200, imported.text
        after = client.get("/systems/SYS-001/trace").json()
        assert not after["cached"]
        assert "DS-778" in {row["identifier"] for row in after["rows"]}
        assert client.get("/health").json()["read_replica"] is replica
    extra = tmp_path / "more.yaml"
    extra.write_bytes(NEW_DATASET)
    reference = small_engine()  # the same data and import, in memory
    load_paths(reference, [extra])
    assert reference.trace("SYS-001").as_dicts() == after["rows"]


def test_serving_freezes_the_heap_it_starts_with(tmp_path: Path) -> None:
    """`aimstrace serve` builds its app with freeze_heap: startup objects leave the GC's scans."""
    store = _disk_store(tmp_path / "store")
    settings = Settings(api_keys=key_entries(), store=store, read_replica=False)
    try:
        with TestClient(
            base_url="http://127.0.0.1", app=create_app(settings, freeze_heap=True)
        ) as client:
            assert gc.get_freeze_count() > 10_000
            assert client.get("/systems/SYS-001/trace", headers=auth_headers("reader")).is_success
    finally:
        gc.unfreeze()
