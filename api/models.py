"""Response models: what the OpenAPI schema promises each endpoint returns."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field


class Health(BaseModel):
    """Liveness and a little about the store."""

    status: str = Field(description="`ok` when the store answers")
    version: str
    triples: int
    auth: str = Field(description="`api-keys` or `local` (no keys configured, loopback only)")
    read_replica: bool = Field(
        default=False, description="queries are answered from the in-memory copy of the store"
    )


class Framework(BaseModel):
    """A reference framework with its requirement count."""

    id: str
    title: str
    version: str | None = None
    publisher: str | None = None
    requirements: int
    iri: str
    external: bool = Field(
        default=False,
        description="imported from a mapping file or framework library (no catalog shipped)",
    )


class FrameworkRemovalReport(BaseModel):
    """What removing an external framework took away (or, for a dry run, would)."""

    framework: str
    requirements: int
    mapping_sets: list[str] = Field(description="the mapping sets removed with it")
    triples_removed: int
    dry_run: bool


class Requirement(BaseModel):
    """One requirement (clause, control, subcategory, article ...) of a framework."""

    iri: str
    notation: str
    title: str | None = None
    kind: str | None = None
    parent: str | None = None


ItemT = TypeVar("ItemT")


class FrameworkId(StrEnum):
    """The reference frameworks (ontology.FRAMEWORK_IDS; a test keeps the two equal)."""

    iso42001 = "iso42001"
    iso27001 = "iso27001"
    nist_ai_rmf = "nist-ai-rmf"
    nist_ai_600_1 = "nist-ai-600-1"
    eu_ai_act = "eu-ai-act"
    iso27701 = "iso27701"
    dpdp = "dpdp"


# A register id as the named queries accept it: a letter or digit first, then these characters.
ENTITY_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._~-]*$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# The evaluation date of a validation-based route (the route reads it as a calendar date).
AsOfParam = Annotated[
    str | None,
    Query(
        pattern=DATE_PATTERN,
        description="evaluation date, YYYY-MM-DD (default: today)",
        json_schema_extra={"format": "date"},
    ),
]


def as_of_date(text: str | None, name: str = "as_of") -> date | None:
    """An `as_of` (or other date) query value as a date (None: the route's default); not a
    date: 422 on that parameter."""
    from aimstrace.api.errors import ApiProblem

    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ApiProblem(
            422,
            f"{name} {text!r} is not a calendar date (YYYY-MM-DD)",
            kind="invalid-input",
            field=f"query.{name}",
            reason="not a date",
        ) from None


class Page(BaseModel, Generic[ItemT]):
    """One page of a list; follow `next_cursor` for the next page (null on the last one)."""

    items: list[ItemT]
    limit: int
    total: int = Field(description="number of items across all pages")
    next_cursor: str | None = None


class Table(BaseModel):
    """A tabular answer: column names and rows of plain values."""

    columns: list[str]
    rows: list[dict[str, Any]]
    row_count: int


class Mapping(BaseModel):
    """A crosswalk mapping read from one framework to another."""

    subject: str = Field(description="notation in the `from` framework")
    subject_framework: str
    object: str | None = Field(description="notation in the `to` framework (null: no match)")
    object_framework: str
    relationship: str = Field(description="equal, subset-of, superset-of, intersects-with, ...")
    rationale: str | None = None
    strength: int | None = None
    confidence: float | None = None
    status: str = Field(description="`asserted` or `derived`")
    justification: str
    mapping_set: str
    inverted: bool = Field(description="true when the record was asserted the other way round")


class CoverageItem(BaseModel):
    """How far one requirement of the target framework is covered, and why."""

    notation: str
    title: str | None = None
    kind: str | None = None
    coverage: str = Field(description="`full`, `partial` or `none`")
    path: dict[str, Any] | None = Field(default=None, description="the best justifying path")
    paths: list[dict[str, Any]] = Field(default_factory=list)


class CoveragePage(Page[CoverageItem]):
    """One page of a coverage report, with the counts for the whole framework."""

    framework: str
    summary: dict[str, int] = Field(description="number of requirements per coverage level")


class RequirementDetail(Requirement):
    """A requirement with its mappings in both directions."""

    framework: str
    mappings_out: list[Mapping] = Field(
        default_factory=list, description="mappings asserted with this requirement as subject"
    )
    mappings_in: list[Mapping] = Field(
        default_factory=list,
        description="mappings asserted with this requirement as object (shown turned round)",
    )


class EntityChange(BaseModel):
    """An entity named in an import report."""

    kind: str
    id: str
    iri: str


class ImportReport(BaseModel):
    """What an import did, or for a dry run would do; nothing is written when a file is bad."""

    files: list[str]
    dry_run: bool
    entities: int = 0
    added: list[EntityChange] = Field(default_factory=list)
    changed: list[EntityChange] = Field(default_factory=list)
    removed: list[EntityChange] = Field(default_factory=list)
    unchanged: int = 0
    triples_added: int = 0
    triples_removed: int = 0
    skipped: list[str] = Field(default_factory=list)
    seconds: dict[str, float] = Field(default_factory=dict)


class MappingImportReport(BaseModel):
    """What a mapping-file import wrote."""

    format: str
    records: dict[str, int] = Field(description="mapping records per mapping set")
    external_frameworks: dict[str, int] = Field(
        default_factory=dict,
        description="per external framework the file names, how many of its nodes it names",
    )
    triples_added: int
    triples_removed: int


class QueryParameter(BaseModel):
    """A declared parameter of a named query."""

    name: str
    type: str
    description: str
    example: str
    required: bool
    kind: str | None = None


class QueryColumn(BaseModel):
    """A declared result column of a named query."""

    name: str
    description: str


class QueryInfo(BaseModel):
    """A named query: what it answers, its parameters and its columns."""

    name: str
    title: str
    description: str
    audience: list[str]
    iso_clauses: list[str]
    parameters: list[QueryParameter]
    columns: list[QueryColumn]


class QueryRequest(BaseModel):
    """Parameters for a named query (checked against its declared types) and the backend."""

    model_config = {"extra": "forbid"}

    parameters: dict[str, Any] = Field(
        default_factory=dict, description='values by parameter name, e.g. {"system": "SYS-001"}'
    )
    backend: str = Field(
        default="rdf", description="`rdf` (embedded Oxigraph), `rdflib` or `neo4j`"
    )
    limit: int | None = Field(
        default=None,
        ge=1,
        description="page size: answer one page of rows (the server caps it); without it the "
        "whole answer, refused when over the row cap",
    )
    cursor: str | None = Field(
        default=None,
        pattern=r"^([0-9a-f]{2})+$",
        description="`next_cursor` of the previous page (with `limit`)",
    )


class QueryAnswer(Table):
    """The rows of a named query."""

    query: str
    backend: str
    elapsed_ms: float
    cached: bool = Field(
        default=False,
        description="answered from the answer cache (no write since it was computed)",
    )
    total_rows: int | None = Field(
        default=None, description="rows across all pages (when `limit` was given)"
    )
    next_cursor: str | None = Field(
        default=None, description="the next page, when `limit` was given"
    )


class ImpactSummary(BaseModel):
    """Counts of a whole impact answer, whatever page is shown."""

    rows: int = Field(description="rows across all pages")
    by_category: dict[str, int] = Field(description="entities reached per category")
    by_framework: dict[str, int] = Field(
        description="requirements reached per framework id (`other` outside the catalogs)"
    )
    by_owner: dict[str, int] = Field(
        description="reached entities each accountable owner (IRI) answers for, most first"
    )


class Impact(Table):
    """What a dataset, vendor or person reaches: the summary, then one page of rows.

    `reached` lists the entities of this page's rows by category; `summary` counts the whole
    answer. `row_count` is this page's rows; follow `next_cursor` for the rest.
    """

    kind: str
    entity: str
    summary: ImpactSummary
    reached: dict[str, list[str]]
    limit: int
    next_cursor: str | None = None


class PathLink(BaseModel):
    """One link of an explanation path."""

    step: int
    source: str
    relation: str
    target: str
    inverse: bool = Field(description="true when the link was followed against its direction")


class Gap(BaseModel):
    """One gap: a validation result made readable."""

    severity: str
    focus: str
    focus_label: str
    path: str | None = None
    message: str
    requirement: str | None = None
    framework: str | None = None
    owner: str | None = None
    system: str | None = None
    requirement_iri: str | None = None
    shape: str | None = None
    value: str | None = Field(
        default=None, description="the value, as Turtle: lexical form and datatype as written"
    )
    component: str | None = Field(default=None, description="the SHACL constraint component")
    source_shape: str | None = None
    details: list[Gap] = Field(default=[], description="the nested sh:detail results")
    shown_value: str | None = Field(
        default=None,
        description="the value at fault as shown to people (labels for IRIs), or null when "
        "the entity holds none at the path",
    )
    requirement_title: str | None = None
    source_file: str | None = Field(
        default=None, description="the ML metadata file the entity at fault was imported from"
    )
    open_since: str | None = Field(
        default=None,
        description="the revision this gap was first seen in (in its current run), from "
        "history; null when not asked for or not known",
    )
    open_since_time: str | None = Field(default=None, description="that revision's time (UTC)")


class GapGroupCount(BaseModel):
    """One group of the chosen gaps (by requirement, system or owner) with its counts."""

    key: str
    value: str = Field(description="the filter value that selects this group ('' for none)")
    label: str
    framework: str | None = None
    title: str | None = None
    counts: dict[str, int]
    total: int


class GapPage(Page[Gap]):
    """One page of the gap report, with the verdict and counts for the whole report."""

    as_of: str
    conforms: bool = Field(
        description="SHACL's sh:conforms: true only when there is no result of any severity"
    )
    counts: dict[str, int]
    facets: dict[str, list[dict[str, Any]]] | None = Field(
        None,
        description="with facets=true: each filter's values and their counts (with "
        "facet_limit: the values with most gaps, listed in the same order)",
    )
    facet_totals: dict[str, int] | None = Field(
        None, description="with facets=true: how many values each filter has in all"
    )
    groups: list[GapGroupCount] | None = Field(
        None, description="with group_by: the chosen gaps counted per group"
    )
