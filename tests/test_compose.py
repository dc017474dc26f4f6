"""docker-compose.yml against the Compose Specification schema (no Docker engine runs here)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path.home() / ".cache" / "aimstrace" / "compose-spec"
# docker-compose 1.29.2 on PyPI ships the Compose Specification JSON schema inside its wheel.
SCHEMA_PACKAGE = "docker-compose==1.29.2"
SCHEMA_MEMBER = "compose/config/compose_spec.json"


def compose_spec_schema() -> dict[str, Any]:
    """The Compose Specification schema, taken from the published wheel (cached)."""
    wheels = sorted(CACHE.glob("docker_compose-*.whl"))
    if not wheels:
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "-q",
                "-d",
                str(CACHE),
                SCHEMA_PACKAGE,
            ],
            check=True,
        )
        wheels = sorted(CACHE.glob("docker_compose-*.whl"))
    with zipfile.ZipFile(wheels[-1]) as wheel:
        schema: dict[str, Any] = json.loads(wheel.read(SCHEMA_MEMBER))
    return schema


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def test_compose_file_matches_the_compose_specification(compose: dict[str, Any]) -> None:
    schema = compose_spec_schema()
    # The old wheel's schema predates the top-level `name` key, which the current spec allows.
    checked = {k: v for k, v in compose.items() if k != "name"}
    jsonschema.Draft7Validator(schema).validate(checked)


def test_compose_wires_neo4j_and_the_api(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["neo4j"]["image"].startswith("neo4j:5")
    assert "healthcheck" in services["neo4j"]
    assert any(v.endswith(":/data") for v in services["neo4j"]["volumes"])
    assert services["api"]["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert services["api"]["build"]["dockerfile"] == "Dockerfile"
    assert (ROOT / "Dockerfile").is_file()
    # Secrets come from the env file, never from the compose file itself.
    assert "${NEO4J_PASSWORD" in services["neo4j"]["environment"]["NEO4J_AUTH"]


def test_schema_rejects_a_broken_compose_file() -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(compose_spec_schema()).validate(
            {"services": {"api": {"ports": "8000"}}}
        )


def test_the_image_installs_the_built_wheel_not_the_source_tree() -> None:
    """The Dockerfile builds the same wheel as `pip install .` and installs only that wheel."""
    steps = [
        line.split(None, 1)
        for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    runs = [rest for word, *rest in steps if word == "RUN" for rest in rest]
    assert any("pip wheel" in run and "--no-deps" in run for run in runs)
    assert any("pip install" in run and ".whl" in run for run in runs)
    # The final stage copies only the wheel from the build stage, never the checkout.
    final = (ROOT / "Dockerfile").read_text(encoding="utf-8").rsplit("FROM ", 1)[1]
    assert "COPY . ." not in final and "COPY --from=build /wheels /wheels" in final
    assert (ROOT / ".dockerignore").is_file()
