"""OpenLineage run events (JSON: one event or an array; NDJSON: one event per line).

Each event names a job and its input and output datasets: every output is `prov:wasDerivedFrom`
every input and `prov:wasGeneratedBy` the job, and the job `prov:used` the inputs. An output that
is a model of the inventory (same id, in this load or in the store) is linked as the model the
job produced. A dataset that a job reads and writes in place (input = output) is not derived
from itself. FAIL and ABORT events produced nothing and add no lineage.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aimstrace.loaders.ml.jsonld import load_json, load_json_lines
from aimstrace.loaders.ml.model import (
    DERIVED_FROM,
    DESCRIPTION,
    GENERATED_BY,
    USED,
    Found,
    Link,
    Parsed,
    aims,
)

FORMAT = "openlineage"
EVENT_TYPES = ("START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER")
_NO_OUTPUT = ("ABORT", "FAIL")


def looks_like(document: Any) -> bool:
    """True for a run event or a list whose first item is one."""
    first = document[0] if isinstance(document, list) and document else document
    return isinstance(first, dict) and "job" in first and ("run" in first or "eventType" in first)


def looks_like_lines(text: str) -> bool:
    """True for NDJSON whose first line is a run event."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        return looks_like(json.loads(first))
    except json.JSONDecodeError:
        return False


def dataset_id(namespace: str, name: str) -> str:
    """Our id for an OpenLineage dataset: its namespace and name (unique together)."""
    return f"{namespace}/{name}"


def parse(path: Path, text: str, shown: str) -> Parsed:
    """Read events; every problem is located by line (NDJSON) or event index (JSON)."""
    result = Parsed(shown, FORMAT)
    events: list[tuple[int | None, str, Any]] = []
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")) and not _is_lines(text):
        document = load_json(text, result)
        if document is None:
            return result
        items = document if isinstance(document, list) else [document]
        events = [
            (None, f"/{n}" if isinstance(document, list) else "", e) for n, e in enumerate(items)
        ]
    else:
        events = [(line, "", event) for line, event in load_json_lines(text, result)]
    for line, pointer, event in events:
        _event(result, event, line, pointer)
    return result


def _is_lines(text: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return False
    try:
        json.loads(lines[0])
        return True
    except json.JSONDecodeError:
        return False


def _event(result: Parsed, event: Any, line: int | None, pointer: str) -> None:
    if not isinstance(event, dict):
        result.problem(
            "expected an OpenLineage run event object", line=line, pointer=pointer or None
        )
        return
    job = event.get("job")
    if not isinstance(job, dict) or not job.get("namespace") or not job.get("name"):
        result.problem(
            "a run event needs job.namespace and job.name", line=line, pointer=f"{pointer}/job"
        )
        return
    kind = event.get("eventType")
    if kind is not None and kind not in EVENT_TYPES:
        result.problem(
            f"unknown eventType; expected one of {', '.join(EVENT_TYPES)}",
            kind,
            line=line,
            pointer=f"{pointer}/eventType",
        )
        return
    run = event.get("run")
    if not isinstance(run, dict) or not run.get("runId"):
        result.problem("a run event needs run.runId", line=line, pointer=f"{pointer}/run")
        return
    job_id = dataset_id(str(job["namespace"]), str(job["name"]))
    found_job = result.entity(Found("job", job_id, job_id, str(job["name"]), line=line))
    facets = job.get("facets") or {}
    documentation = facets.get("documentation") if isinstance(facets, dict) else None
    if isinstance(documentation, dict):
        found_job.add(DESCRIPTION, documentation.get("description"))
    inputs = _datasets(result, event.get("inputs"), line, f"{pointer}/inputs")
    outputs = _datasets(result, event.get("outputs"), line, f"{pointer}/outputs")
    for link in inputs:
        found_job.add(USED, link)
    if kind in _NO_OUTPUT:
        return
    for output in outputs:
        found = result.get("dataset", output.id)
        found.add(GENERATED_BY, Link("job", job_id))
        for upstream in inputs:
            if upstream != output:
                found.add(DERIVED_FROM, upstream)
    found_job.add(aims("producedOutput"), *outputs)


def _datasets(result: Parsed, items: Any, line: int | None, pointer: str) -> list[Link]:
    if items is None:
        return []
    if not isinstance(items, list):
        result.problem("expected a list of datasets", line=line, pointer=pointer)
        return []
    links: list[Link] = []
    for number, item in enumerate(items):
        if not isinstance(item, dict) or not item.get("namespace") or not item.get("name"):
            result.problem(
                "a dataset needs namespace and name", line=line, pointer=f"{pointer}/{number}"
            )
            continue
        identifier = dataset_id(str(item["namespace"]), str(item["name"]))
        result.entity(Found("dataset", identifier, identifier, str(item["name"]), line=line))
        links.append(Link("dataset", identifier))
    return links
