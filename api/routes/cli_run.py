"""`POST /cli/run`: a write command of the CLI, run by the server that holds the store.

While `aimstrace serve` runs, no other process may write its store; the CLI sends its write
commands here instead (api/remote.py), so they stay one transaction at a time and every reader
of the server sees them at once. Editor role; the command list is fixed (api/remote.py).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from aimstrace.api.deps import EditorDep, EngineDep
from aimstrace.api.errors import ApiProblem
from aimstrace.api.remote import REMOTE_COMMANDS
from aimstrace.api.security import LOCAL_PRINCIPAL_NAME

router = APIRouter(tags=["cli"])


class CliUpload(BaseModel):
    """A file or folder the command reads, sent along (base64 file contents)."""

    slot: int
    name: str
    kind: Literal["file", "dir", "missing"] = Field(description="file, dir or missing")
    files: list[dict[str, str]] = Field(default_factory=list)


class CliOutputSlot(BaseModel):
    """A file the command writes: made on the server, its contents sent back."""

    slot: int
    name: str


class CliRequest(BaseModel):
    """One CLI command: its path (`["crosswalk", "import"]`), argv and files."""

    command: list[str] = Field(
        description="the command path; one of those the server runs (api/remote.py)",
        json_schema_extra={"enum": [list(c.split()) for c in sorted(REMOTE_COMMANDS)]},
    )
    argv: list[str]
    typed: list[str] = Field(default_factory=list, description="the command line as typed")
    uploads: list[CliUpload] = Field(default_factory=list)
    outputs: list[CliOutputSlot] = Field(default_factory=list)


class CliAnswer(BaseModel):
    """What the command printed and its exit code, as if it had run in the caller's terminal."""

    exit_code: int
    stdout: str
    stderr: str
    outputs: list[dict[str, str]] = Field(default_factory=list)


@router.post("/cli/run", response_model=CliAnswer, summary="Run a CLI write command (editor role)")
async def run_cli_command(principal: EditorDep, engine: EngineDep, body: CliRequest) -> CliAnswer:
    """Run a CLI write command on the server's store, with the CLI's output and exit code."""
    from aimstrace.api.cli import main
    from aimstrace.api.remote import run_here

    request: dict[str, Any] = body.model_dump()
    # In local mode the caller is the user on this machine: their OS user names the revision.
    actor = None if principal.name == LOCAL_PRINCIPAL_NAME else principal.name
    try:
        answer = await run_in_threadpool(run_here, main, engine, engine.store.path, request, actor)
    except ValueError as exc:
        raise ApiProblem(
            422, str(exc), kind="invalid-input", field="body", reason="bad CLI command"
        ) from None
    return CliAnswer.model_validate(answer)
