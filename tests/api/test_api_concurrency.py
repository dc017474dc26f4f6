"""Readers keep being served while an import runs, and see the store before or after it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from aimstrace.api.app import create_app
from aimstrace.api.security import hash_key
from aimstrace.api.settings import Settings
from aimstrace.graph.engine import Engine

COUNT_SYSTEMS = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/aimstrace/ns#AISystem> ; ?p ?o }"
)
NEW_SYSTEMS = 3000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(params=["memory", "disk+replica"])
def served_engine(
    request: pytest.FixtureRequest, engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Engine:
    """The test engine as is, or copied to a disk store that answers from its read replica."""
    if request.param == "memory":
        return engine
    on_disk = Engine.open(tmp_path_factory.mktemp("store"))
    on_disk.store.oxigraph.extend(engine.store.quads())
    on_disk.store.enable_read_replica()
    assert on_disk.store.has_read_replica
    return on_disk


@pytest.fixture
def server(served_engine: Engine) -> Iterator[str]:
    engine = served_engine
    keys = f"writer:editor:{hash_key('w-key')},reader:reader:{hash_key('r-key')}"
    port = _free_port()
    config = uvicorn.Config(
        create_app(Settings(api_keys=keys), engine),
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)


def _big_systems_csv() -> bytes:
    lines = ["id,name,owner,lifecycle_stage,intended_use"]
    for number in range(NEW_SYSTEMS):
        lines.append(f"SYS-C{number:05d},Concurrent system {number},P-001,deployment,testing")
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.slow
def test_reads_during_an_import_see_before_or_after(server: str) -> None:
    reader = httpx.Client(base_url=server, headers={"X-API-Key": "r-key"}, timeout=60)
    writer = httpx.Client(base_url=server, headers={"X-API-Key": "w-key"}, timeout=300)

    def count() -> int:
        answer = reader.get("/sparql", params={"query": COUNT_SYSTEMS})
        assert answer.status_code == 200, answer.text
        return int(answer.json()["results"]["bindings"][0]["n"]["value"])

    before = count()
    seen: list[tuple[float, int]] = []
    stop = threading.Event()

    def hammer() -> None:
        while not stop.is_set():
            seen.append((time.monotonic(), count()))

    thread = threading.Thread(target=hammer)
    thread.start()
    try:
        time.sleep(0.2)
        started = time.monotonic()
        answer = writer.post(
            "/imports", files=[("files", ("systems.csv", _big_systems_csv(), "text/csv"))]
        )
        finished = time.monotonic()
        time.sleep(0.2)
    finally:
        stop.set()
        thread.join()
    assert answer.status_code == 200, answer.text
    after = count()
    assert after > before
    counts = {n for _t, n in seen}
    assert counts <= {before, after}, f"a reader saw a partial import: {sorted(counts)}"
    during = [n for t, n in seen if started <= t <= finished]
    assert during, "no read was served while the import ran"
    assert before in counts and after in counts
