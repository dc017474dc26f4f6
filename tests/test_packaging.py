"""What a user installs: the built wheel, in a fresh virtual environment outside the checkout.

The rest of the suite runs on the checkout; this test builds the wheel the way pip does for
`python -m pip install .`, installs it where the checkout cannot be imported, and there runs the
README's commands: `demo`, `validate`, `serve` (then `/health`, `/ui/`, a trace, `/docs`).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout (no build isolation shortcuts: pip's own build)."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        timeout=600,
    )
    (built,) = out.glob("aimstrace-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment, outside the checkout, with the wheel installed; its bin/."""
    home = tmp_path_factory.mktemp("user")
    env_dir = home / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)],
        check=True,
        timeout=900,
        cwd=home,
    )
    return bin_dir


def _user_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIMSTRACE_", "PYTHON"))}
    env["HOME"] = str(home)
    return env


def test_the_wheel_holds_one_import_package_and_its_data(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names}
    assert {t for t in top if not t.endswith(".dist-info")} == {"aimstrace"}
    for needed in (
        "aimstrace/py.typed",
        "aimstrace/api/routes/__init__.py",
        "aimstrace/api/static/index.html",
        "aimstrace/ontology/aims.ttl",
        "aimstrace/ontology/catalogs/iso42001.ttl",
        "aimstrace/ontology/shapes/",
        "aimstrace/ontology/crosswalks/",
        "aimstrace/ontology/example/",
        "aimstrace/ontology/templates/",
        "aimstrace/queries/system-trace.rq",
        "aimstrace/queries/system-trace.cypher",
        "aimstrace/graph/store/core.py",
    ):
        assert any(name.startswith(needed) for name in names), needed
    # Every package in the checkout is in the wheel (discovered, not listed by hand).
    for init in ROOT.glob("*/**/__init__.py"):
        folder = init.relative_to(ROOT).parts[0]
        if folder in ("graph", "api", "loaders", "queries", "ontology"):
            assert f"aimstrace/{init.relative_to(ROOT).as_posix()}" in names
    # And every data file the checkout tracks there (shapes, queries, workbench assets, vendored
    # libraries and their licences, report definitions): a user's install has what ours has.
    tracked = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "graph", "api", "loaders", "queries", "ontology"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    missing = [f for f in tracked if not f.endswith(".py") and f"aimstrace/{f}" not in names]
    assert tracked and missing == [], missing


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=30) as response:  # loopback only
        return response.status, response.read().decode("utf-8")


@pytest.fixture(scope="module")
def served(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`aimstrace demo` then `aimstrace serve` from the installed wheel, run from a plain folder."""
    home = tmp_path_factory.mktemp("home")
    store = home / "aims"
    env = _user_env(home)
    aimstrace = str(installed / "aimstrace")
    subprocess.run(
        [aimstrace, "--store", str(store), "demo"], check=True, cwd=home, env=env, timeout=300
    )
    port = _free_port()
    server = subprocess.Popen(
        [aimstrace, "--store", str(store), "serve", "--port", str(port)],
        cwd=home,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if _get(base + "/health")[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                err = server.stderr.read().decode() if server.stderr else ""
                pytest.fail(f"the installed server did not start: {err[-2000:]}")
            time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def test_the_installed_package_is_not_the_checkout(installed: Path) -> None:
    where = subprocess.run(
        [str(installed / "python"), "-c", "import aimstrace, sys; print(aimstrace.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=installed.parent,
    ).stdout.strip()
    assert str(ROOT) not in where and "site-packages" in where
    shadow = subprocess.run(
        [str(installed / "python"), "-c", "import graph"],
        capture_output=True,
        text=True,
        cwd=installed.parent,
    )
    assert shadow.returncode != 0, "the wheel must not add a top-level module named graph"


def test_validate_runs_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    store = tmp_path / "aims"
    env = _user_env(tmp_path)
    aimstrace = str(installed / "aimstrace")
    subprocess.run(
        [aimstrace, "--store", str(store), "demo"],
        check=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
        capture_output=True,
    )
    result = subprocess.run(
        [aimstrace, "--store", str(store), "validate", "--as-of", "2026-06-30", "--json"],
        cwd=tmp_path,
        env=env,
        timeout=300,
        capture_output=True,
        text=True,
    )
    # The example has deliberate gaps: exit 1 with Violations, and a parseable report.
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["counts"]["Violation"] > 0


def test_serve_from_the_wheel_answers_health_page_trace_and_docs(served: str) -> None:
    status, body = _get(served + "/health")
    assert status == 200 and json.loads(body)["status"] == "ok"
    status, page = _get(served + "/ui/")
    assert status == 200 and "<html" in page.lower()
    for asset in re.findall(r'(?:src|href)="(/ui/[^"]+)"', page):
        assert _get(served + asset)[0] == 200, asset
    status, body = _get(served + "/systems/SYS-001/trace")
    assert status == 200 and json.loads(body)["rows"]
    status, docs = _get(served + "/docs")
    assert status == 200 and "swagger" in docs.lower()
    for asset in re.findall(r'(?:src|href)="(/[^"]+\.(?:js|css))"', docs):
        assert _get(served + asset)[0] == 200, asset
