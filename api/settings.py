"""Service settings: one class, read from the environment (``AIMSTRACE_*``) or given directly."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

ENV_PREFIX = "AIMSTRACE_"


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names the variable."""


class Settings(BaseModel):
    """Everything the API service can be configured with (one environment variable each)."""

    store: Path | None = Field(
        default=None, description="store directory; None means $AIMSTRACE_STORE or the default"
    )
    host: str = Field(default="127.0.0.1", description="address `aimstrace serve` binds to")
    port: int = Field(default=8000, ge=0, le=65535)
    api_keys: str | None = Field(
        default=None,
        description="API key entries `name:role:sha256hex`, separated by commas or newlines",
    )
    api_keys_file: Path | None = Field(
        default=None, description="file with one `name:role:sha256hex` entry per line"
    )
    query_timeout_seconds: float = Field(default=10.0, gt=0, le=3600)
    max_result_rows: int = Field(default=10_000, ge=1)
    max_page_size: int = Field(default=500, ge=1)
    max_body_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    query_workers: int = Field(
        # One per core: queries run outside the GIL, so more threads than cores only add
        # switching (2 cores, 1M triples: 2.25 ms of CPU per trace request with 2, 2.7-3.1 with 4).
        default_factory=lambda: max(2, os.cpu_count() or 2),
        ge=1,
        le=64,
        description="threads that run queries; a query past its time limit keeps its thread",
    )
    read_replica: bool = Field(
        default=True,
        description="answer queries from an in-memory copy of the store (about 400 bytes a quad)",
    )
    answer_cache_rows: int = Field(
        default=200_000,
        ge=0,
        description="rows of named-query answers kept until the next write; 0 turns the cache off",
    )
    cors_origins: list[str] = Field(
        default_factory=list, description="origins allowed by CORS; empty means CORS is off"
    )
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="host names served besides the loopback names (a Host allow-list against "
        "DNS rebinding); the bind address is served too",
    )
    sparql_service_allow: list[str] = Field(
        default_factory=list,
        description="endpoint IRIs a SPARQL SERVICE clause may call; empty refuses SERVICE",
    )
    max_query_bytes: int = Field(default=256 * 1024, ge=64, description="SPARQL text size cap")
    max_value_chars: int = Field(
        default=1024 * 1024, ge=1, description="cap on the size of one value in a SPARQL answer"
    )
    max_response_bytes: int = Field(
        default=64 * 1024 * 1024, ge=1024, description="cap on the size of a SPARQL answer"
    )
    query_processes: bool = Field(
        default=True,
        description="run user SPARQL in worker processes killed at the deadline (on-disk stores)",
    )
    query_worker_memory_mb: int = Field(
        default=4096, ge=0, description="address-space cap of a SPARQL worker process; 0: none"
    )
    max_pdf_renders: int = Field(
        default=2,
        ge=1,
        le=16,
        description="PDF reports rendered at once (each runs a headless Chromium, ~200 MB); "
        "further requests wait up to the query time limit, then get 503",
    )
    log_level: str = Field(default="info", pattern="^(debug|info|warning|error)$")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from ``AIMSTRACE_<FIELD>`` variables, then explicit overrides on top."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for name in cls.model_fields:
            raw = env.get(ENV_PREFIX + name.upper())
            if raw is None or raw == "":
                continue
            if name in ("cors_origins", "allowed_hosts", "sparql_service_allow"):
                values[name] = [o.strip() for o in raw.split(",") if o.strip()]
            else:
                values[name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = str(first["loc"][0]) if first["loc"] else "?"
            raise SettingsError(
                f"setting {ENV_PREFIX}{field.upper()}: {first['msg']} "
                f"(value {first.get('input')!r})"
            ) from None
