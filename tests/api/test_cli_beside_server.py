"""The CLI beside a running `aimstrace serve` on one store: real processes on loopback.

Reads open a read-only view of the served store; writes go through the server (found by the
server.json it leaves beside the store) and print what a local write prints, with its exit code.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from aimstrace.api.security import hash_key
from aimstrace.loaders.ml.source import SourceNames

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "ontology" / "example"
BAD_REGISTERS = REPO / "tests" / "data" / "inventory" / "errors"
AS_OF = "2026-06-01"
AIMSTRACE = [sys.executable, "-c", "from aimstrace.api.cli import main; main()"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli(
    store: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `aimstrace --store STORE ARGS...` in its own process, as a user would."""
    return subprocess.run(
        [*AIMSTRACE, "--store", str(store), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


@dataclass
class Served:
    """A store served by `aimstrace serve` in a child process."""

    store: Path
    url: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        """Stop the server the way Ctrl-C does and wait for it."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(timeout=30)


def serve(store: Path, keys: str | None = None) -> Served:
    """Start `aimstrace serve` on a free loopback port; wait until /health answers."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIMSTRACE_")}
    if keys:
        env["AIMSTRACE_API_KEYS"] = keys
    process = subprocess.Popen(
        [*AIMSTRACE, "--store", str(store), "serve", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, "aimstrace serve exited"
        assert time.monotonic() < deadline, "aimstrace serve did not start"
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return Served(store, url, process)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the demo in it, made by the CLI (no server yet)."""
    store = tmp_path_factory.mktemp("demo") / "store"
    done = cli(store, "demo")
    assert done.returncode == 0, done.stderr
    return store


def _copy(store: Path, target: Path) -> Path:
    shutil.copytree(store, target)
    return target


@pytest.fixture(scope="module")
def twin(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo store that no server holds: what a local command prints."""
    return _copy(demo_store, tmp_path_factory.mktemp("twin") / "store")


@pytest.fixture(scope="module")
def served(demo_store: Path, twin: Path) -> Iterator[Served]:
    """The demo store, served in local mode (no keys) while the tests run the CLI beside it."""
    server = serve(demo_store)
    yield server
    server.stop()


def _vendors_with(tmp: Path, vendor_id: str) -> Path:
    """The example vendors register plus one more vendor, as a user's own file."""
    folder = tmp / vendor_id
    folder.mkdir()
    text = (EXAMPLE / "vendors.csv").read_text(encoding="utf-8")
    (folder / "vendors.csv").write_text(
        text.rstrip("\n") + f"\n{vendor_id},Vendor {vendor_id},test supplies,2026-01-15\n",
        encoding="utf-8",
    )
    return folder / "vendors.csv"


# ----- the server file -------------------------------------------------------------------------


def test_the_server_records_its_address_beside_the_store(served: Served) -> None:
    recorded = json.loads((served.store / "server.json").read_text(encoding="utf-8"))
    assert recorded["url"] == served.url
    assert recorded["pid"] == served.process.pid


def test_without_the_feature_the_store_is_locked(served: Served) -> None:
    # The symptom of issue 21, kept visible: Oxigraph lets one process open the store to write.
    import pyoxigraph as ox

    with pytest.raises(OSError, match=r"(?i)lock"):
        ox.Store(str(served.store))


# ----- reads -----------------------------------------------------------------------------------


def test_reads_beside_the_server_answer_as_the_server(served: Served) -> None:
    listed = cli(served.store, "list", "systems", "--json")
    assert listed.returncode == 0, listed.stderr
    from_cli = sorted(row["id"] for row in json.loads(listed.stdout))
    page = httpx.get(f"{served.url}/systems", params={"limit": 500}, timeout=30).json()
    assert from_cli == sorted(item["id"] for item in page["items"])
    assert len(from_cli) >= 10
    frameworks = cli(served.store, "frameworks", "--json")
    assert frameworks.returncode == 0, frameworks.stderr
    api = httpx.get(f"{served.url}/frameworks", timeout=30).json()
    api_items = api["items"] if isinstance(api, dict) else api
    assert {f["id"] for f in json.loads(frameworks.stdout)} == {f["id"] for f in api_items}


def test_an_api_write_is_seen_by_the_next_cli_read(served: Served, tmp_path: Path) -> None:
    vendors = _vendors_with(tmp_path, "V-901")
    with vendors.open("rb") as handle:
        answer = httpx.post(
            f"{served.url}/imports", files={"files": ("vendors.csv", handle)}, timeout=60
        )
    assert answer.status_code == 200, answer.text
    listed = cli(served.store, "list", "vendors", "--json")
    assert listed.returncode == 0, listed.stderr
    assert "V-901" in {row["id"] for row in json.loads(listed.stdout)}


# ----- writes through the server ---------------------------------------------------------------


def test_a_cli_write_is_seen_by_the_next_api_read(served: Served, tmp_path: Path) -> None:
    assert httpx.get(f"{served.url}/vendors/V-902", timeout=30).status_code == 404
    loaded = cli(served.store, "load", str(_vendors_with(tmp_path, "V-902")))
    assert loaded.returncode == 0, loaded.stderr
    assert "aimstrace load: loaded; 1 file(s)" in loaded.stdout
    answer = httpx.get(f"{served.url}/vendors/V-902", timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json()["id"] == "V-902"


def test_a_failed_write_prints_and_exits_as_a_local_one(served: Served, twin: Path) -> None:
    remote = cli(served.store, "load", str(BAD_REGISTERS.relative_to(REPO)))
    local = cli(twin, "load", str(BAD_REGISTERS.relative_to(REPO)))
    assert local.returncode == remote.returncode == 1
    assert remote.stderr == local.stderr
    assert f"{BAD_REGISTERS.relative_to(REPO)}/people.csv:4:" in remote.stderr
    assert remote.stdout == local.stdout == ""


def test_a_dry_run_through_the_server_reports_as_a_local_one(served: Served, twin: Path) -> None:
    folder = str((REPO / "tests" / "data" / "inventory" / "valid_csv").relative_to(REPO))
    remote = cli(served.store, "load", "--dry-run", "--json", folder)
    local = cli(twin, "load", "--dry-run", "--json", folder)
    assert remote.returncode == local.returncode == 0, remote.stderr
    remote_report, local_report = json.loads(remote.stdout), json.loads(local.stdout)
    remote_report.pop("seconds"), local_report.pop("seconds")  # timings of each run
    assert remote_report == local_report
    assert remote_report["files"][0].startswith(folder + "/")


def test_a_crosswalk_command_runs_in_the_server(served: Served, twin: Path) -> None:
    remote = cli(served.store, "crosswalk", "derive", "--json")
    local = cli(twin, "crosswalk", "derive", "--json")
    assert remote.returncode == local.returncode == 0, remote.stderr
    assert json.loads(remote.stdout) == json.loads(local.stdout)


def test_load_sync_runs_in_the_server(served: Served, tmp_path: Path) -> None:
    assert cli(served.store, "load", str(_vendors_with(tmp_path, "V-904"))).returncode == 0
    plain = tmp_path / "plain" / "vendors.csv"
    plain.parent.mkdir()
    shutil.copy(EXAMPLE / "vendors.csv", plain)
    dry = cli(served.store, "load", "--sync", "--dry-run", "--json", str(plain))
    assert dry.returncode == 0, dry.stderr
    assert "V-904" in {e["id"] for e in json.loads(dry.stdout)["removed"]}
    assert httpx.get(f"{served.url}/vendors/V-904", timeout=30).status_code == 200
    synced = cli(served.store, "load", "--sync", str(plain))
    assert synced.returncode == 0, synced.stderr
    assert httpx.get(f"{served.url}/vendors/V-904", timeout=30).status_code == 404


def test_an_ml_file_loaded_through_the_server_records_the_users_path(served: Served) -> None:
    # The name a local load would record (the client computes it; the server sees a copy).
    card = "tests/data/ml/hf-card/sample_simple_model_index.md"
    loaded = cli(served.store, "load", card)
    assert loaded.returncode == 0, loaded.stderr
    query = (
        "SELECT ?file WHERE { <https://w3id.org/aimstrace/data/model/my-cool-model> "
        "<https://w3id.org/aimstrace/ns#sourceFile> ?file }"
    )
    found = cli(served.store, "sparql", query, "--json")
    assert found.returncode == 0, found.stderr
    assert [row["file"] for row in json.loads(found.stdout)] == [SourceNames().name(REPO / card)]


def test_remove_runs_in_the_server(served: Served, twin: Path, tmp_path: Path) -> None:
    loaded = cli(served.store, "load", str(_vendors_with(tmp_path, "V-906")))
    assert loaded.returncode == 0, loaded.stderr
    assert httpx.get(f"{served.url}/vendors/V-906", timeout=30).status_code == 200
    removed = cli(served.store, "remove", "vendors", "V-906")
    assert removed.returncode == 0, removed.stderr
    assert httpx.get(f"{served.url}/vendors/V-906", timeout=30).status_code == 404
    # A refused removal (systems still name the vendor) says the same as a local run.
    remote = cli(served.store, "remove", "--dry-run", "vendors", "V-001")
    local = cli(twin, "remove", "--dry-run", "vendors", "V-001")
    assert remote.returncode == local.returncode == 1
    assert remote.stderr == local.stderr and "V-001" in remote.stderr
    assert httpx.get(f"{served.url}/vendors/V-001", timeout=30).status_code == 200


def test_crosswalk_import_and_remove_run_in_the_server(served: Served) -> None:
    sample = str((REPO / "tests" / "data" / "crosswalks" / "ciso-sample.yaml").relative_to(REPO))
    imported = cli(
        served.store, "crosswalk", "import", sample, "--format", "ciso", "--set", "beside-server"
    )
    assert imported.returncode == 0, imported.stderr
    assert "into mapping set beside-server" in imported.stdout
    sets = {
        row["set"] for row in json.loads(cli(served.store, "crosswalk", "stats", "--json").stdout)
    }
    assert "beside-server" in sets
    removed = cli(served.store, "crosswalk", "remove", "beside-server")
    assert removed.returncode == 0, removed.stderr
    assert "removed beside-server" in removed.stdout
    sets = {
        row["set"] for row in json.loads(cli(served.store, "crosswalk", "stats", "--json").stdout)
    }
    assert "beside-server" not in sets
    # The server recorded the removal as its own revision, with the user's command line.
    commands = [
        r["command"] for r in httpx.get(f"{served.url}/history", timeout=30).json()["revisions"]
    ]
    assert any("crosswalk remove beside-server" in c for c in commands), commands


def test_init_runs_in_the_server(served: Served) -> None:
    before = httpx.get(f"{served.url}/systems", params={"limit": 1}, timeout=30).json()["total"]
    initialised = cli(served.store, "init", "--json")
    assert initialised.returncode == 0, initialised.stderr
    # init updates the catalogs and keeps the organisation already in the store.
    after = httpx.get(f"{served.url}/systems", params={"limit": 1}, timeout=30).json()["total"]
    assert after == before >= 10


def test_write_back_twice_gives_the_same_ids_and_no_duplicates(served: Served) -> None:
    first = cli(served.store, "validate", "--write-back", "--as-of", AS_OF)
    assert first.returncode == 1, first.stderr  # the example organisation has violations
    ids_first = _validation_ids(served)
    second = cli(served.store, "validate", "--write-back", "--as-of", AS_OF)
    assert second.returncode == 1, second.stderr
    ids_second = _validation_ids(served)
    assert ids_first == ids_second
    assert len(ids_first) == len(set(ids_first)) >= 1
    assert f"0 added, {len(ids_first)} kept, 0 closed" in second.stdout
    assert first.stdout.splitlines()[-1].startswith("write-back (Violation): ")
    # The write-back holds Violations only; the audit's own nonconformities are kept apart.
    listed = json.loads(cli(served.store, "list", "nonconformities", "--json").stdout)
    assert {row["severity"] for row in listed if row["source"] == "validation"} == {"Violation"}
    assert any(row["source"] == "audit" and row["id"] for row in listed)
    assert all(row["id"] for row in listed)


def _validation_ids(served: Served) -> list[str]:
    listed = cli(served.store, "list", "nonconformities", "--json")
    assert listed.returncode == 0, listed.stderr
    return sorted(row["id"] for row in json.loads(listed.stdout) if row["source"] == "validation")


# ----- a stale file, keys, shutdown ------------------------------------------------------------


def test_a_stale_server_file_is_ignored_and_removed(twin: Path, tmp_path: Path) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    marker = twin / "server.json"
    marker.write_text(
        json.dumps({"pid": gone.pid, "url": "http://127.0.0.1:9", "started": "x"}), encoding="utf-8"
    )
    loaded = cli(twin, "load", "--dry-run", str(_vendors_with(tmp_path, "V-903")))
    assert loaded.returncode == 0, loaded.stderr
    assert not marker.exists()


def test_with_keys_the_cli_needs_an_editor_key(
    demo_store: Path, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    store = _copy(demo_store, tmp_path_factory.mktemp("keyed") / "store")
    (store / "server.json").unlink(missing_ok=True)
    keys = f"ed:editor:{hash_key('editor-key-1')},rd:reader:{hash_key('reader-key-1')}"
    server = serve(store, keys)
    try:
        vendors = str(_vendors_with(tmp_path, "V-904"))
        refused = cli(store, "load", vendors, env={"AIMSTRACE_API_KEY": ""})
        assert refused.returncode == 2
        assert "401" in refused.stderr and "AIMSTRACE_API_KEY" in refused.stderr
        reader = cli(store, "load", vendors, env={"AIMSTRACE_API_KEY": "reader-key-1"})
        assert reader.returncode == 2 and "403" in reader.stderr
        editor = cli(store, "load", vendors, env={"AIMSTRACE_API_KEY": "editor-key-1"})
        assert editor.returncode == 0, editor.stderr
        seen = httpx.get(
            f"{server.url}/vendors/V-904", headers={"X-API-Key": "reader-key-1"}, timeout=30
        )
        assert seen.status_code == 200
    finally:
        server.stop()
    assert not (store / "server.json").exists()
    # Without a server the same command opens the store itself, as before.
    local = cli(store, "load", str(_vendors_with(tmp_path, "V-905")))
    assert local.returncode == 0, local.stderr
