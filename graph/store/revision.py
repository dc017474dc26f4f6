"""One committed revision as users read it (JSON, PROV-O), its hash, and the result of checking
the chain."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import zlib
from dataclasses import asdict, dataclass

import pyoxigraph as ox

from aimstrace.graph.store.write_context import SourceFile
from aimstrace.ontology.iris import AIMS

GENESIS = "0" * 64
PROV = "http://www.w3.org/ns/prov#"


@dataclass(frozen=True)
class Revision:
    """One committed write: what, when, by whom, and the hash that chains it to the last."""

    id: int
    time: str
    actor: str
    command: str
    message: str | None
    sources: tuple[SourceFile, ...]
    graphs: tuple[str, ...]
    added: int
    removed: int
    changes_sha256: str
    previous_hash: str
    hash: str

    @property
    def name(self) -> str:
        """The revision as users write it: r1, r2, ..."""
        return f"r{self.id}"

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly, for `history --json` and the API."""
        data = asdict(self)
        data["revision"] = self.name
        data["sources"] = [asdict(s) for s in self.sources]
        data["graphs"] = list(self.graphs)
        return data

    def prov_triples(self, base: str) -> list[ox.Triple]:
        """The revision as PROV-O: a prov:Activity that used its sources, with its actor."""
        node = ox.NamedNode(f"{base}{self.name}")
        rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
        xsd = "http://www.w3.org/2001/XMLSchema#"
        triples = [
            ox.Triple(node, rdf_type, ox.NamedNode(PROV + "Activity")),
            ox.Triple(node, rdf_type, ox.NamedNode(str(AIMS["Revision"]))),
            ox.Triple(
                node,
                ox.NamedNode(PROV + "startedAtTime"),
                ox.Literal(self.time, datatype=ox.NamedNode(xsd + "dateTime")),
            ),
            ox.Triple(
                node,
                ox.NamedNode(PROV + "wasAssociatedWith"),
                ox.NamedNode(f"{base}agent/{_iri_safe(self.actor)}"),
            ),
            ox.Triple(
                node,
                ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                ox.Literal(f"{self.name} {self.command}"),
            ),
            ox.Triple(node, ox.NamedNode(str(AIMS["revisionHash"])), ox.Literal(self.hash)),
            ox.Triple(
                node,
                ox.NamedNode(str(AIMS["quadsAdded"])),
                ox.Literal(str(self.added), datatype=ox.NamedNode(xsd + "integer")),
            ),
            ox.Triple(
                node,
                ox.NamedNode(str(AIMS["quadsRemoved"])),
                ox.Literal(str(self.removed), datatype=ox.NamedNode(xsd + "integer")),
            ),
        ]
        for source in self.sources:
            entity = ox.NamedNode(f"urn:sha256:{source.sha256}")
            triples.append(ox.Triple(node, ox.NamedNode(PROV + "used"), entity))
            triples.append(
                ox.Triple(entity, ox.NamedNode(PROV + "atLocation"), ox.Literal(source.path))
            )
        if self.id > 1:
            triples.append(
                ox.Triple(
                    node,
                    ox.NamedNode(PROV + "wasInformedBy"),
                    ox.NamedNode(f"{base}r{self.id - 1}"),
                )
            )
        return triples


def _iri_safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._~-]", lambda m: f"%{ord(m.group(0)):02X}", text)


@dataclass(frozen=True)
class Verification:
    """The result of recomputing the hash chain."""

    revisions: int
    first_bad: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        """True when every revision's content and chain hash match."""
        return self.first_bad is None


def content_hash(fields: dict[str, object], previous_hash: str) -> str:
    """SHA-256 over a revision's fields (canonical JSON) and the previous revision's hash."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{previous_hash}\n{canonical}".encode()).hexdigest()


def hashed_fields(row: sqlite3.Row | dict[str, object]) -> dict[str, object]:
    """The fields of a stored revision that its hash covers."""
    keys = (
        "id", "time", "actor", "command", "message", "sources", "graphs",
        "added", "removed", "changes_sha256",
    )  # fmt: skip
    return {k: row[k] for k in keys}


_SCAN_CHUNK = 1 << 18  # compressed bytes decompressed at a time when looking for one subject


def lines_about(compressed: bytes, subject: str) -> list[bytes]:
    """The lines of a recorded change (zlib-compressed sorted N-Quads) whose subject is an IRI.

    Decompressed a chunk at a time and stopped once the sorted lines have passed the subject:
    the one-million-triple load's change is over 100 MB as text, and an entity page asks for
    one entity's lines of it. A chunk whose last line sorts before the subject is skipped whole.
    """
    prefix = f"<{subject}> ".encode()
    decompressor = zlib.decompressobj()
    found: list[bytes] = []
    carry = b""  # the unfinished last line of what was decompressed so far
    view = memoryview(compressed)
    for start in range(0, len(compressed), _SCAN_CHUNK):
        text = carry + decompressor.decompress(view[start : start + _SCAN_CHUNK])
        cut = text.rfind(b"\n")
        if cut < 0:
            carry = text
            continue
        complete, carry = text[: cut + 1], text[cut + 1 :]
        last = complete[complete.rfind(b"\n", 0, cut) + 1 : cut]
        if last < prefix:
            continue
        found += _prefixed_lines(complete, prefix)
        if not last.startswith(prefix):
            return found
    return found + _prefixed_lines(carry + decompressor.flush() + b"\n", prefix)


def _prefixed_lines(text: bytes, prefix: bytes) -> list[bytes]:
    # Sorted lines sharing a prefix are consecutive: find the first, take while they match.
    if text.startswith(prefix):
        position = 0
    else:
        before = text.find(b"\n" + prefix)
        if before < 0:
            return []
        position = before + 1
    lines: list[bytes] = []
    while position < len(text) and text.startswith(prefix, position):
        end = text.find(b"\n", position)
        lines.append(text[position:end])
        position = end + 1
    return lines
