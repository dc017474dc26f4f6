"""Exports from the CLI and the API as other tools read them: `crosswalk export --format
oscal-catalog`, `-o DIR/` (SSSOM one file per set, OSCAL with its catalogs) and
`GET /exports/oscal-catalog`, for our frameworks and external ones. Every file written is
checked by NIST's OSCAL JSON schema and compliance-trestle, or by sssom-py."""

from __future__ import annotations

import gc
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from trestle.oscal.catalog import Catalog
from trestle.oscal.mapping import Model

from aimstrace.api.cli import main
from aimstrace.graph.engine import Engine
from aimstrace.loaders.pipeline import import_mappings, load_crosswalks
from tests.graph.test_export_oscal_tools import schema_errors
from tests.graph.test_export_sssom_tools import _rows, _valid_for_sssom_py

INTEROP = Path(__file__).resolve().parents[1] / "data" / "interop"
IMPORTS = [
    (INTEROP / "ciso" / "iso27001-2013.cut.yaml", "ciso"),
    (INTEROP / "ciso" / "mapping-iso27001-2013-to-iso27001-2022.yaml", "ciso"),
    (INTEROP / "sssom" / "ibm2nistgenai.sssom.tsv", "sssom"),
]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Catalogs, shipped crosswalks and three real files imported as external frameworks."""
    folder = tmp_path_factory.mktemp("seeded") / "store"
    engine = Engine.open(folder)
    engine.load_vocabulary()
    engine.load_catalogs()
    load_crosswalks(engine.store)
    for path, fmt in IMPORTS:
        import_mappings(engine.store, path, fmt)
    engine.derive_mappings()
    engine.store.flush()
    del engine
    gc.collect()
    return folder


@pytest.fixture
def store_dir(seeded: Path, tmp_path: Path) -> str:
    target = tmp_path / "store"
    shutil.copytree(seeded, target)
    return str(target)


def run(store_dir: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--store", store_dir, *args])
    outcome = result.exit_code, result.stdout, result.stderr
    del result
    gc.collect()
    return outcome


def _ids(controls: list[dict[str, Any]]) -> Iterator[str]:
    for control in controls:
        yield control["id"]
        yield from _ids(control.get("controls", []))


def _valid_catalog(document: dict[str, Any]) -> set[str]:
    assert schema_errors(document) == []
    Catalog.model_validate(document["catalog"])
    return set(_ids(document["catalog"]["controls"]))


@pytest.mark.parametrize("framework", ["iso42001", "eu-ai-act", "iso27001-2013", "ibmairisk"])
def test_cli_exports_an_oscal_catalog_of_ours_and_of_external_frameworks(
    store_dir: str, tmp_path: Path, framework: str
) -> None:
    out_file = tmp_path / "catalog.json"
    code, _, err = run(
        store_dir,
        "crosswalk",
        "export",
        "--format",
        "oscal-catalog",
        "--framework",
        framework,
        "-o",
        str(out_file),
    )
    assert code == 0, err
    document = json.loads(out_file.read_text(encoding="utf-8"))
    ids = _valid_catalog(document)
    code, out, _ = run(store_dir, "requirements", framework, "--json")
    assert len(ids) == len(json.loads(out))  # one control per requirement
    labels = {p["value"] for c in document["catalog"]["controls"] for p in c["props"]}
    if framework == "iso27001-2013":
        # nested by their parent_urn: A.8.1.4 sits under A.8.1 under A.8 under annex-a
        (annex,) = [c for c in document["catalog"]["controls"] if c["id"].endswith("annex-a")]
        assert annex["controls"][0]["controls"][0]["controls"][1]["id"] == "iso27001-2013_a.8.1.4"
        assert "annex-a" in labels


def test_cli_oscal_to_a_folder_writes_the_catalogs_every_id_ref_resolves_into(
    store_dir: str, tmp_path: Path
) -> None:
    folder = tmp_path / "oscal"
    code, _, err = run(
        store_dir, "crosswalk", "export", "--format", "oscal", "--derived", "-o", f"{folder}/"
    )
    assert code == 0, err
    collection = json.loads((folder / "aimstrace.oscal-mapping.json").read_text())
    assert schema_errors(collection) == []
    Model.model_validate(collection)
    catalogs = {
        path.name: _valid_catalog(json.loads(path.read_text()))
        for path in folder.glob("*.oscal-catalog.json")
    }
    assert {"iso27001-2013.oscal-catalog.json", "ibmairisk.oscal-catalog.json"} <= set(catalogs)
    refs = 0
    for mapping in collection["mapping-collection"]["mappings"]:
        for side, key in (("source-resource", "sources"), ("target-resource", "targets")):
            ids = catalogs[mapping[side]["href"]]
            for item in mapping["maps"]:
                for ref in item[key]:
                    assert ref["id-ref"] in ids
                    refs += 1
    assert refs > 400


def test_cli_sssom_to_a_folder_writes_one_valid_file_per_set(
    store_dir: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "sssom"
    code, _, err = run(store_dir, "crosswalk", "export", "--format", "sssom", "-o", f"{folder}/")
    assert code == 0, err
    names = sorted(p.name for p in folder.iterdir())
    assert "ibm2nistgenai.sssom.tsv" in names
    assert "mapping-iso27001-2013-to-iso27001-2022.sssom.tsv" in names
    assert "derived.sssom.tsv" not in names
    for path in folder.iterdir():
        text = path.read_text(encoding="utf-8")
        assert _valid_for_sssom_py(path, caplog) == _rows(text), path.name
    # the external set re-imports into a fresh store (its frameworks made again from the file)
    fresh = Engine.open(None)
    fresh.load_vocabulary()
    fresh.load_catalogs()
    result = import_mappings(fresh.store, folder / "ibm2nistgenai.sssom.tsv", "sssom")
    assert result.records == {"ibm2nistgenai": 84}
    # the same nodes, notations and labels as imported from IBM's own file
    code, out, _ = run(store_dir, "requirements", "ibmairisk", "--json")
    before = {(r["iri"], r["notation"], r["title"]) for r in json.loads(out)}
    after = {(r.iri, r.notation, r.title) for r in fresh.requirements("ibmairisk")}
    assert after == before


def test_cli_export_usage_errors(store_dir: str) -> None:
    code, _, err = run(store_dir, "crosswalk", "export", "--format", "oscal-catalog")
    assert code == 2 and "--framework" in err
    code, _, err = run(
        store_dir, "crosswalk", "export", "--format", "oscal-catalog", "--framework", "iso9001"
    )
    assert code == 2 and "unknown framework id 'iso9001'" in err


def test_api_exports_an_oscal_catalog(
    seeded: Path, tmp_path: Path, auth: Callable[[str], dict[str, str]]
) -> None:
    from aimstrace.api.app import create_app
    from tests.api.api_support import key_entries

    target = tmp_path / "store"
    shutil.copytree(seeded, target)
    from aimstrace.api.settings import Settings

    engine = Engine.open(target)
    app = create_app(Settings(api_keys=key_entries()), engine)
    with TestClient(
        app=app, base_url="http://127.0.0.1", headers=auth("reader"), raise_server_exceptions=False
    ) as client:
        answer = client.get("/exports/oscal-catalog", params={"framework": "iso27001-2013"})
        assert answer.status_code == 200, answer.text
        assert "iso27001-2013.oscal-catalog.json" in answer.headers["content-disposition"]
        # 131 nodes the mapping library names, 8 of the framework library, 3 in both
        # (4.1, a.8.1.1, a.8.1.4: grep of the two files)
        assert len(_valid_catalog(answer.json())) == 131 + 8 - 3
        ours = client.get("/exports/oscal-catalog", params={"framework": "nist-ai-rmf"})
        assert ours.status_code == 200 and _valid_catalog(ours.json())
        unknown = client.get("/exports/oscal-catalog", params={"framework": "iso9001"})
        assert unknown.status_code == 404 and unknown.json()["field"] == "query.framework"
        missing = client.get("/exports/oscal-catalog")
        assert missing.status_code == 422
    del engine
    gc.collect()
