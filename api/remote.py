"""Running a CLI write command in the server that holds the store.

The CLI sends the command's name, its arguments rebuilt from what click parsed, and the contents
of every file or folder argument; the server recreates those in a temporary folder, runs the very
same click command on its own engine with its output captured, and answers with the exit code,
stdout and stderr (temporary paths put back to the ones the user typed). So a write through the
server prints what the same write prints locally, and exits with the same code.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from aimstrace.graph.store import StoreError

if TYPE_CHECKING:
    from aimstrace.loaders.ml.source import SourceNames

API_KEY_ENV_VAR = "AIMSTRACE_API_KEY"
SLOT = "@@aimstrace-file-{}@@"
# Parameters that name a file the command writes (created on the server, sent back).
OUTPUT_PARAMS = frozenset({"output"})
# Which commands may be run through the server (space-joined command path).
REMOTE_COMMANDS = frozenset(
    {
        "init",
        "demo",
        "load",
        "remove",
        "validate",
        "crosswalk load",
        "crosswalk import",
        "crosswalk derive",
        "crosswalk remove",
    }
)


@dataclass(frozen=True)
class RemoteAnswer:
    """What the server printed and the exit code, as the local command would have."""

    exit_code: int
    stdout: str
    stderr: str


# ----- client side ----------------------------------------------------------------------------


def build_request(
    ctx: click.Context, extra: list[str] | None = None, typed: list[str] | None = None
) -> dict[str, Any]:
    """The command of ctx as a JSON request: its path, argv and the files it reads or writes.

    extra: options click does not hand to the command (--message, --at); typed: the command line
    as the user typed it, which the server records with the revision.
    """
    command = ctx.command
    path = ctx.command_path.split()[1:]
    options: list[str] = []
    arguments: list[str] = []
    uploads: list[dict[str, Any]] = []
    outputs: list[dict[str, Any]] = []

    # The files a load reads are recorded under their canonical names, which only this side
    # can tell (the server sees temporary copies): computed here, sent with each file.
    from aimstrace.loaders.ml.source import SourceNames

    names = SourceNames(ctx.params.get("source_base")) if path == ["load"] else None

    def token(param: click.Parameter, value: Any) -> str:
        if isinstance(param.type, click.Path) and value is not None:
            slot = len(uploads) + len(outputs)
            if param.name in OUTPUT_PARAMS:
                outputs.append({"slot": slot, "name": str(value)})
            else:
                uploads.append(_upload(slot, Path(value), names))
            return SLOT.format(slot)
        return str(value)

    for param in command.params:
        if not param.expose_value or param.name is None:
            continue
        value = ctx.params.get(param.name)
        if isinstance(param, click.Argument):
            values = value if isinstance(value, tuple | list) else [value]
            arguments += [token(param, v) for v in values if v is not None]
            continue
        if not isinstance(param, click.Option):
            continue
        if param.is_flag and not param.multiple:
            if value and param.opts:
                options.append(param.opts[0])
            elif not value and param.secondary_opts:
                options.append(param.secondary_opts[0])
            continue
        given: list[Any] = list(value or ()) if param.multiple else [value]
        for v in given:
            if v is not None:
                options += [param.opts[0], token(param, v)]
    return {
        "command": path,
        "argv": [*options, *(extra or []), "--", *arguments],
        "typed": list(typed or []),
        "uploads": uploads,
        "outputs": outputs,
    }


def _upload(slot: int, path: Path, names: SourceNames | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"slot": slot, "name": str(path), "kind": "missing", "files": []}
    if path.is_dir():
        entry["kind"] = "dir"
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            item = {"path": file.relative_to(path).as_posix(), "data": _b64(file)}
            entry["files"].append(_with_source(item, file, names))
    elif path.is_file():
        entry["kind"] = "file"
        entry["files"].append(_with_source({"path": path.name, "data": _b64(path)}, path, names))
    return entry


def _with_source(item: dict[str, Any], file: Path, names: SourceNames | None) -> dict[str, Any]:
    if names is not None:
        item["source"] = names.name(file)
    return item


def _b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode("ascii")


def send(url: str, request: dict[str, Any]) -> RemoteAnswer:
    """Post a command to the server; an HTTP or connection failure is a StoreError (exit 2)."""
    body = json.dumps(request).encode("utf-8")
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    key = os.environ.get(API_KEY_ENV_VAR)
    if key:
        headers["Authorization"] = f"Bearer {key}"
    http = urllib.request.Request(f"{url}/cli/run", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(http, timeout=3600) as response:
            data = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        detail = _problem_detail(exc)
        hint = ""
        if exc.code in (401, 403):
            hint = f"; set {API_KEY_ENV_VAR} to an editor key of that server"
        raise StoreError(
            f"the server at {url} (which holds this store) refused the command: "
            f"{exc.code} {detail}{hint}"
        ) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise StoreError(
            f"cannot reach the server at {url} that holds this store: {reason}"
        ) from None
    for output in data.get("outputs", []):
        Path(output["name"]).write_bytes(base64.b64decode(output["data"]))
    return RemoteAnswer(int(data["exit_code"]), str(data["stdout"]), str(data["stderr"]))


def _problem_detail(exc: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(exc.read()).get("detail") or exc.reason)
    except (ValueError, OSError, AttributeError):
        return str(exc.reason)


# ----- server side ----------------------------------------------------------------------------

# Set while the server runs a command: CLI code then uses this engine and never forwards.
SERVING: ContextVar[object | None] = ContextVar("aimstrace_serving_engine", default=None)


@dataclass(frozen=True)
class Forwarded:
    """Who sent the command the server runs: their command line, key name and file names."""

    argv: list[str]
    actor: str | None
    swaps: list[tuple[str, str]]
    # A temporary copy's path -> the canonical source name the client gave for it.
    sources: dict[str, str] = field(default_factory=dict)


FORWARDED: ContextVar[Forwarded | None] = ContextVar("aimstrace_forwarded", default=None)


def swap_paths(text: str, swaps: list[tuple[str, str]]) -> str:
    """Text with the server's temporary paths put back to the names the user gave."""
    for here, there in swaps:
        text = text.replace(here, there)
    return text


class _RoutedStream:
    """sys.stdout/sys.stderr stand-in: a thread that captures writes to its own buffer."""

    def __init__(self, original: IO[str], local: threading.local, which: str) -> None:
        self._original = original
        self._local = local
        self._which = which

    def _target(self) -> IO[str]:
        buffers = getattr(self._local, "buffers", None)
        return buffers[self._which] if buffers is not None else self._original

    def write(self, text: str) -> int:
        return self._target().write(text)

    def flush(self) -> None:
        self._target().flush()

    def isatty(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target(), name)


_local = threading.local()
_install_lock = threading.Lock()


def _install_routing() -> None:
    with _install_lock:
        if not isinstance(sys.stdout, _RoutedStream):
            sys.stdout = _RoutedStream(sys.stdout, _local, "out")
        if not isinstance(sys.stderr, _RoutedStream):
            sys.stderr = _RoutedStream(sys.stderr, _local, "err")


@contextlib.contextmanager
def _captured() -> Iterator[dict[str, Any]]:
    import io

    _install_routing()
    buffers = {"out": io.StringIO(), "err": io.StringIO()}
    _local.buffers = buffers
    try:
        yield buffers
    finally:
        _local.buffers = None


def run_here(
    main: click.Group,
    engine: object,
    store_dir: Path | None,
    request: dict[str, Any],
    actor: str | None = None,
) -> dict[str, Any]:
    """Run a forwarded command of the `main` group on this process's engine, output captured."""
    command = [str(c) for c in request.get("command", [])]
    if " ".join(command) not in REMOTE_COMMANDS:
        raise ValueError(f"command {' '.join(command)!r} cannot be run through the server")
    argv = [str(a) for a in request.get("argv", [])]
    with tempfile.TemporaryDirectory(prefix="aimstrace-cli-") as tmp:
        folder = Path(tmp)
        swaps: list[tuple[str, str]] = []
        sources: dict[str, str] = {}
        for upload in request.get("uploads", []):
            local = _materialise(folder, upload)
            sources.update(_sources(local, upload))
            argv = [local if a == SLOT.format(upload["slot"]) else a for a in argv]
            swaps.append((local, str(upload["name"])))
        written: list[tuple[Path, str]] = []
        for output in request.get("outputs", []):
            target = (
                folder / f"out{int(output['slot'])}" / (Path(str(output["name"])).name or "out")
            )
            target.parent.mkdir()
            argv = [str(target) if a == SLOT.format(output["slot"]) else a for a in argv]
            swaps.append((str(target), str(output["name"])))
            written.append((target, str(output["name"])))
        # Longest first, so a folder's path is not replaced inside a longer file path wrongly.
        swaps.sort(key=lambda s: len(s[0]), reverse=True)
        typed = [str(a) for a in request.get("typed", [])] or [*command, *argv]
        token = SERVING.set(engine)
        sender = FORWARDED.set(Forwarded(typed, actor, swaps, sources))
        try:
            with _captured() as buffers:
                args = [*(["--store", str(store_dir)] if store_dir else []), *command, *argv]
                code = _invoke(main, args)
        finally:
            FORWARDED.reset(sender)
            SERVING.reset(token)
        texts = {key: swap_paths(buffers[key].getvalue(), swaps) for key in ("out", "err")}
        outputs = [
            {"name": name, "data": base64.b64encode(path.read_bytes()).decode("ascii")}
            for path, name in written
            if path.is_file()
        ]
    return {"exit_code": code, "stdout": texts["out"], "stderr": texts["err"], "outputs": outputs}


def _sources(local: str, upload: dict[str, Any]) -> dict[str, str]:
    """The canonical source names the client gave for an upload's files, by their copy's path."""
    found: dict[str, str] = {}
    for item in upload.get("files", []):
        if isinstance(item.get("source"), str):
            copy = Path(local) / str(item["path"]) if upload.get("kind") == "dir" else Path(local)
            found[str(copy)] = item["source"]
    return found


def _materialise(folder: Path, upload: dict[str, Any]) -> str:
    slot = int(upload["slot"])
    name = Path(str(upload["name"])).name or f"arg{slot}"
    base = folder / f"in{slot}"
    base.mkdir()
    target = base / name
    kind = upload.get("kind")
    if kind == "dir":
        target.mkdir()
    for item in upload.get("files", []):
        relative = Path(str(item["path"]))
        if relative.is_absolute() or ".." in relative.parts:
            raise ValueError(f"upload path {relative} must stay inside its folder")
        destination = target / relative if kind == "dir" else target
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(base64.b64decode(str(item["data"]), validate=True))
    return str(target)


def _invoke(group: click.Group, args: list[str]) -> int:
    try:
        result = group.main(args=args, prog_name="aimstrace", standalone_mode=False)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except click.exceptions.Abort:
        click.echo("Aborted!", err=True)
        return 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    return result if isinstance(result, int) else 0
