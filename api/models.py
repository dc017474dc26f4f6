"""Response models: what the OpenAPI schema promises each endpoint returns."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field


class Health(BaseModel):
    """Liveness and a little about the store."""

    status: str = Field(description="`ok` when the store answers")
    version: str
    triples: int
    auth: str = Field(description="`api-keys` or `local` (no keys configured, loopback only)")


class Framework(BaseModel):
    """A reference framework with its requirement count."""

    id: str
    title: str
    version: str | None = None
    publisher: str | None = None
    requirements: int
    iri: str


class Requirement(BaseModel):
    """One requirement (clause, control, subcategory, article ...) of a framework."""

    iri: str
    notation: str
    title: str | None = None
    kind: str | None = None
    parent: str | None = None


ItemT = TypeVar("ItemT")


class Page(BaseModel, Generic[ItemT]):
    """One page of a list; follow `next_cursor` for the next page (null on the last one)."""

    items: list[ItemT]
    limit: int
    total: int = Field(description="number of items across all pages")
    next_cursor: str | None = None


class RequirementDetail(Requirement):
    """A requirement with its mappings in both directions."""

    framework: str
    definition: str | None = None
    mappings_out: list[dict[str, Any]] = Field(
        default_factory=list, description="mappings with this requirement as subject"
    )
    mappings_in: list[dict[str, Any]] = Field(
        default_factory=list, description="mappings with this requirement as object"
    )


class Table(BaseModel):
    """A tabular answer: column names and rows of plain values."""

    columns: list[str]
    rows: list[dict[str, Any]]
    row_count: int
