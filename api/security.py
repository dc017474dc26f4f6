"""API keys with roles: stored as SHA-256 hashes, compared in constant time.

A key entry is ``name:role:sha256hex`` (the hex digest of the key, never the key itself). The
entries come from ``AIMSTRACE_API_KEYS`` (comma or newline separated) and/or the file named by
``AIMSTRACE_API_KEYS_FILE`` (one per line, ``#`` comments allowed). With no entries at all the
service runs in *local mode*: it binds to loopback only and lets loopback clients in as admin.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

LOCAL_PRINCIPAL_NAME = "local"
_HEX_DIGEST = re.compile(r"^[0-9a-f]{64}$")
_KEY_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
LOOPBACK_CLIENTS = frozenset({"127.0.0.1", "::1", "localhost"})


class Role(IntEnum):
    """What a key may do; each role includes the ones below it."""

    reader = 1
    editor = 2
    admin = 3


class KeyConfigError(ValueError):
    """An API key entry is malformed; the message says which entry and why."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's name (never the key) and its role."""

    name: str
    role: Role


@dataclass(frozen=True)
class _KeyEntry:
    name: str
    role: Role
    digest: bytes


def hash_key(key: str) -> str:
    """The SHA-256 hex digest under which a key is stored."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key() -> str:
    """A fresh random API key (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def _parse_entry(text: str, where: str) -> _KeyEntry:
    parts = text.split(":")
    if len(parts) != 3:
        raise KeyConfigError(f"{where}: expected name:role:sha256hex, got {len(parts)} field(s)")
    name, role, digest = (p.strip() for p in parts)
    if not _KEY_NAME.match(name):
        raise KeyConfigError(f"{where}: key name {name!r} must be 1-64 of [A-Za-z0-9_.@-]")
    if role not in Role.__members__:
        raise KeyConfigError(f"{where}: role {role!r} is not one of {', '.join(Role.__members__)}")
    digest = digest.lower()
    if not _HEX_DIGEST.match(digest):
        # Deliberately does not echo the value: someone may have pasted a raw key here.
        raise KeyConfigError(f"{where}: the third field must be a 64-digit SHA-256 hex digest")
    return _KeyEntry(name=name, role=Role[role], digest=bytes.fromhex(digest))


class KeyRing:
    """The configured API keys; empty means local mode."""

    def __init__(self, entries: list[_KeyEntry]) -> None:
        self._entries = entries

    @classmethod
    def from_config(cls, inline: str | None, file: Path | None) -> KeyRing:
        """Read entries from the inline setting and the key file (either may be absent)."""
        entries: list[_KeyEntry] = []
        if inline:
            chunks = [c.strip() for c in re.split(r"[,\n]", inline)]
            for index, chunk in enumerate(c for c in chunks if c):
                entries.append(_parse_entry(chunk, f"AIMSTRACE_API_KEYS entry {index + 1}"))
        if file is not None:
            try:
                lines = file.read_text(encoding="utf-8").splitlines()
            except OSError as exc:
                raise KeyConfigError(f"cannot read API key file {file}: {exc.strerror}") from exc
            for number, line in enumerate(lines, start=1):
                line = line.split("#", 1)[0].strip()
                if line:
                    entries.append(_parse_entry(line, f"{file}:{number}"))
        names = [e.name for e in entries]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise KeyConfigError(f"API key names must be unique; repeated: {', '.join(duplicates)}")
        return cls(entries)

    @property
    def local_mode(self) -> bool:
        """True when no key is configured (loopback-only, no authentication)."""
        return not self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def identify(self, presented: str) -> Principal | None:
        """The principal whose key this is, or None; every entry is compared in constant time."""
        digest = hashlib.sha256(presented.encode("utf-8")).digest()
        found: _KeyEntry | None = None
        for entry in self._entries:
            # No early exit, so timing does not reveal which entry (if any) matched.
            if hmac.compare_digest(entry.digest, digest) and found is None:
                found = entry
        return None if found is None else Principal(found.name, found.role)
