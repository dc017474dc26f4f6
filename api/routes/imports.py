"""Imports: inventory and RDF files (all or nothing, with a dry run), and mapping files."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, UploadFile
from starlette.concurrency import run_in_threadpool

from aimstrace.api.deps import EditorDep, LiveEngineDep
from aimstrace.api.errors import ApiProblem, InvalidParam
from aimstrace.api.models import ImportReport, MappingImportReport
from aimstrace.graph.crosswalk.model import SET_NAME_PATTERN
from aimstrace.graph.engine import Engine
from aimstrace.graph.store.history import writing_as
from aimstrace.loaders.errors import InventoryLoadError
from aimstrace.loaders.pipeline import import_and_derive, load_paths

router = APIRouter(tags=["imports"])

MAPPING_FORMATS = ("sssom", "olir", "ciso")
_UPLOAD_CHUNK = 1024 * 1024


def _safe_name(raw: str | None, index: int) -> str:
    name = Path(raw or "").name
    if not name or name in (".", "..") or name.startswith("."):
        raise ApiProblem(
            422,
            f"file {index + 1} has no usable file name; the name's suffix says its format",
            kind="invalid-input",
            field=f"body.files[{index}]",
            reason="missing file name",
        )
    return name


async def _save(files: list[UploadFile], folder: Path) -> list[Path]:
    paths: list[Path] = []
    for index, upload in enumerate(files):
        name = _safe_name(upload.filename, index)
        target = folder / name
        if target.exists():
            raise ApiProblem(
                422,
                f"two files are named {name!r}",
                kind="invalid-input",
                field=f"body.files[{index}]",
                reason="duplicate file name",
            )
        with target.open("wb") as out:
            while chunk := await upload.read(_UPLOAD_CHUNK):
                out.write(chunk)
        paths.append(target)
    return paths


def _load_problem(error: InventoryLoadError, folder: Path) -> ApiProblem:
    prefix = f"{folder}/"
    invalid = []
    for issue in error.issues:
        where = issue.file.replace(prefix, "")
        if issue.row is not None or issue.column is not None:
            where += f":{issue.row if issue.row is not None else '-'}"
        if issue.column is not None:
            where += f":{issue.column}"
        # No server paths in answers: the temp folder goes from the message and value too.
        value = None if issue.value is None else issue.value.replace(prefix, "")
        reason = issue.message.replace(prefix, "") + (
            "" if value is None else f" (value {value!r})"
        )
        invalid.append(InvalidParam(field=where, reason=reason))
    first = invalid[0]
    problem = ApiProblem(
        422,
        f"{len(invalid)} problem(s) in the uploaded files, nothing was imported; "
        f"first: {first.field}: {first.reason}",
        kind="invalid-import",
        field=first.field,
        reason=first.reason,
    )
    problem.invalid = invalid
    return problem


def _run_inventory(
    engine: Engine, paths: list[Path], dry_run: bool, sync: bool, fmt: str | None
) -> ImportReport:
    folder = f"{paths[0].parent}/"
    # An ML file's entities record the uploaded file's name, never the server's temp path.
    report = load_paths(
        engine,
        paths,
        dry_run=dry_run,
        sync=sync,
        fmt=fmt,
        source_name=lambda f: f.replace(folder, ""),
    )
    data = report.as_dict()
    data["files"] = [str(f).replace(folder, "") for f in report.files]
    data["skipped"] = [str(f).replace(folder, "") for f in report.skipped]
    return ImportReport.model_validate(data)


@router.post(
    "/imports",
    response_model=ImportReport | MappingImportReport,
    summary="Import files (editor role)",
    responses={422: {"description": "a file is bad; every problem is listed, nothing written"}},
)
async def import_files(
    editor: EditorDep,
    engine: LiveEngineDep,
    files: Annotated[
        list[UploadFile], File(description="one or more files to import", min_length=1)
    ],
    dry_run: Annotated[bool, Form(description="check and report, write nothing")] = False,
    sync: Annotated[
        bool,
        Form(
            description="also remove every entity of each register uploaded that the register "
            "no longer lists, and every entity an uploaded ML file imported before (by the "
            "uploaded file's name) that it no longer lists (refused, listed, while another "
            "entity points at one)"
        ),
    ] = False,
    format: Annotated[
        Literal[
            "inventory",
            "hf-card",
            "croissant",
            "spdx3",
            "cyclonedx",
            "openlineage",
            "sssom",
            "olir",
            "ciso",
        ],
        Form(
            description="`inventory`: CSV, XLSX, YAML, JSON or RDF files of the registers "
            "(the file name's stem or top-level keys name the register) and ML metadata files "
            "(format found from the content); an ML format name reads every file as that "
            "format; or `sssom`, `olir`, `ciso` for one mapping file"
        ),
    ] = "inventory",
    focal: Annotated[
        str | None,
        Form(
            description="olir: the focal document's framework (one of ours, or an external id)",
            pattern=r"^[a-z][a-z0-9._-]*$",
        ),
    ] = None,
    reference: Annotated[
        str | None,
        Form(
            description="olir: the reference document's framework (ours or an external id)",
            pattern=r"^[a-z][a-z0-9._-]*$",
        ),
    ] = None,
    mapping_set: Annotated[
        str | None,
        Form(
            description="sssom/olir/ciso: the mapping set's name (default: from the file)",
            pattern=SET_NAME_PATTERN,
        ),
    ] = None,
    source: Annotated[
        str | None, Form(description="olir: where the file comes from (kept with the set)")
    ] = None,
    licence: Annotated[str | None, Form(description="olir: licence note for the set")] = None,
) -> ImportReport | MappingImportReport:
    """Import everything in one transaction, or nothing when any file has a problem."""
    options = {
        "set_name": mapping_set,
        "subject_framework": focal,
        "object_framework": reference,
        "source": source,
        "licence": licence,
    }
    olir_only = {"focal": focal, "reference": reference, "source": source, "licence": licence}
    given = [name for name, value in olir_only.items() if value]
    if given and format != "olir":
        raise ApiProblem(
            422,
            f"{given[0]} is an OLIR import's field (format=olir)",
            kind="invalid-input",
            field=f"body.{given[0]}",
            reason="only for format=olir",
        )
    if format == "olir" and not (focal and reference):
        missing = "focal" if not focal else "reference"
        raise ApiProblem(
            422,
            "an OLIR import needs the focal and the reference framework (our id or an external "
            "framework's id)",
            kind="invalid-input",
            field=f"body.{missing}",
            reason="missing",
        )
    if mapping_set and format not in MAPPING_FORMATS:
        raise ApiProblem(
            422,
            "mapping_set names the set of a mapping import (format sssom, olir or ciso)",
            kind="invalid-input",
            field="body.mapping_set",
            reason="only for mapping files",
        )
    if format in MAPPING_FORMATS and (dry_run or sync or len(files) != 1):
        raise ApiProblem(
            422,
            "a mapping import takes exactly one file and has no dry run or sync",
            kind="invalid-input",
            field="body.dry_run" if dry_run else "body.sync" if sync else "body.files",
            reason="unsupported for mapping files",
        )
    with tempfile.TemporaryDirectory(prefix="aimstrace-import-") as tmp:
        folder = Path(tmp)
        paths = await _save(files, folder)
        # The revision records who imported what: the key's name and the uploaded files' names
        # and SHA-256 (never the server's temp paths). The context travels into the thread pool.
        context = writing_as(
            f"POST /imports format={format}"
            + (" dry_run" if dry_run else "")
            + (" sync" if sync else ""),
            actor=editor.name,
            sources=paths,
            shown=lambda path: path.name,
        )
        with context:
            return await _import(engine, paths, folder, format, dry_run, sync, options)


async def _import(
    engine: Engine,
    paths: list[Path],
    folder: Path,
    format: str,
    dry_run: bool,
    sync: bool,
    options: dict[str, str | None],
) -> ImportReport | MappingImportReport:
    if format not in MAPPING_FORMATS:
        fmt = None if format == "inventory" else format
        try:
            return await run_in_threadpool(_run_inventory, engine, paths, dry_run, sync, fmt)
        except InventoryLoadError as exc:
            raise _load_problem(exc, folder) from None
    try:
        result = await run_in_threadpool(
            lambda: import_and_derive(engine, paths[0], format, **options)
        )
    except ValueError as exc:
        raise ApiProblem(
            422,
            str(exc).replace(f"{folder}/", ""),
            kind="invalid-import",
            field="body.files[0]",
            reason="bad mapping file",
        ) from None
    return MappingImportReport(
        format=format,
        records=result.records,
        external_frameworks=result.externals,
        triples_added=result.written.added,
        triples_removed=result.written.removed,
    )
