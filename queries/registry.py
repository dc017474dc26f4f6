"""Named queries: ``<name>.yaml`` metadata beside ``<name>.rq`` (and ``<name>.cypher``).

The registry reads every definition once into frozen objects, checks that each is documented
and that its declared parameters are exactly the ``$name`` variables of its query text, and
turns user-supplied parameter values into typed, backend-neutral values (`queries.values.Iri`,
str, int, float, bool, date). Backends bind those values with the engine's own mechanism; no
value is ever formatted into query text.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from aimstrace.ontology import FRAMEWORK_IDS
from aimstrace.ontology.iris import (
    AIMS,
    CATALOG_BASE,
    DATA_BASE,
    EXTERNAL_FRAMEWORK_ID,
    entity_iri,
    external_node_iri,
    framework_iri,
    requirement_iri,
)
from aimstrace.queries.values import BoundValue, Capability, Iri

# libyaml's safe loader when PyYAML was built with it: the same documents, about 10x faster
# (the 14 query definitions took 0.75 s of a process's first query with the Python loader).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

ENTITY_KINDS = frozenset(
    [
        "organization",
        "scope",
        "party",
        "person",
        "role",
        "policy",
        "policy-review",
        "system",
        "model",
        "dataset",
        "vendor",
        "vendor-assessment",
        "risk-assessment",
        "risk",
        "treatment",
        "control",
        "soa",
        "applicability",
        "impact-assessment",
        "evidence",
        "audit",
        "nonconformity",
        "corrective-action",
        "management-review",
        "incident",
    ]
)
# Enumeration schemes (docs/CONVENTIONS.md): the words users type and the IRI stem of each.
NOTATION_SCHEMES: dict[str, tuple[str, tuple[str, ...]]] = {
    "risk-level": ("level-", ("low", "medium", "high", "critical")),
    "lifecycle-stage": (
        "stage-",
        (
            "inception",
            "design-development",
            "verification-validation",
            "deployment",
            "operation-monitoring",
            "re-evaluation",
            "retirement",
        ),
    ),
    "control-status": ("status-", ("planned", "in-progress", "implemented", "not-applicable")),
    "treatment-option": ("option-", ("mitigate", "avoid", "transfer", "accept")),
    "action-status": ("action-", ("open", "in-progress", "closed")),
}
PARAMETER_TYPES = frozenset(
    [
        "string",
        "integer",
        "decimal",
        "boolean",
        "date",
        "iri",
        "framework",
        "requirement",
        "notation",
        "entity-id",
        "node",
    ]
)
_PARAMETER_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_QUERY_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
_REGISTER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")


class QueryDefinitionError(Exception):
    """A named query's files are inconsistent or undocumented; the message names the file."""


class UnknownQuery(KeyError):
    """No named query has this name."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown query"


class ParameterError(ValueError):
    """A parameter value is unknown, missing or of the wrong type; names the parameter."""

    def __init__(self, query: str, parameter: str, problem: str) -> None:
        super().__init__(f"query {query}: parameter {parameter!r}: {problem}")
        self.query = query
        self.parameter = parameter


@dataclass(frozen=True)
class Parameter:
    """One typed parameter of a named query."""

    name: str
    type: str
    description: str
    example: str
    required: bool = True
    kind: str | None = None
    scheme: str | None = None
    minimum: int | None = None

    def coerce(self, query: str, raw: object) -> BoundValue:
        """Check and convert a user value (text from a CLI/URL, or a JSON value)."""
        try:
            return _COERCERS[self.type](self, raw)
        except _Invalid as exc:
            raise ParameterError(query, self.name, f"{exc} (got {raw!r})") from None


@dataclass(frozen=True)
class Column:
    """One result column."""

    name: str
    description: str


@dataclass(frozen=True)
class NamedQuery:
    """A documented, parameterised question with its text for each dialect."""

    name: str
    title: str
    description: str
    audience: tuple[str, ...]
    iso_clauses: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    columns: tuple[Column, ...]
    requires: frozenset[Capability]
    sparql: str | None
    cypher: str | None
    source: str

    @property
    def column_names(self) -> tuple[str, ...]:
        """The declared result column names, in order."""
        return tuple(c.name for c in self.columns)

    def parameter(self, name: str) -> Parameter:
        """A declared parameter by name."""
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        raise ParameterError(self.name, name, "unknown parameter; expected " + self._expected())

    def bind(self, params: Mapping[str, object]) -> dict[str, BoundValue]:
        """Validate and convert parameter values: unknown, missing and ill-typed ones raise."""
        for name in params:
            self.parameter(name)
        bound: dict[str, BoundValue] = {}
        for parameter in self.parameters:
            raw = params.get(parameter.name)
            if raw is None or raw == "":
                if parameter.required:
                    raise ParameterError(
                        self.name,
                        parameter.name,
                        f"missing required {parameter.type} value "
                        f"(e.g. {parameter.name}={parameter.example})",
                    )
                continue
            bound[parameter.name] = parameter.coerce(self.name, raw)
        return bound

    def example_params(self) -> dict[str, str]:
        """The documented example value of every parameter."""
        return {p.name: p.example for p in self.parameters}

    def _expected(self) -> str:
        names = [p.name for p in self.parameters]
        return ", ".join(names) if names else "no parameters"


class _Invalid(Exception):
    pass


def _as_text(raw: object) -> str:
    if not isinstance(raw, str):
        raise _Invalid("expected text")
    return raw.strip()


def _coerce_string(_: Parameter, raw: object) -> BoundValue:
    if not isinstance(raw, str):
        raise _Invalid("expected a string")
    return raw


def _coerce_integer(p: Parameter, raw: object) -> BoundValue:
    if isinstance(raw, bool):
        raise _Invalid("expected an integer")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and _INTEGER.match(raw.strip()):
        value = int(raw.strip())
    else:
        raise _Invalid("expected an integer")
    if p.minimum is not None and value < p.minimum:
        raise _Invalid(f"expected an integer >= {p.minimum}")
    return value


def _coerce_decimal(_: Parameter, raw: object) -> BoundValue:
    if isinstance(raw, bool):
        raise _Invalid("expected a number")
    if isinstance(raw, int | float):
        return float(raw)
    try:
        return float(_as_text(raw))
    except ValueError:
        raise _Invalid("expected a number") from None


def _coerce_boolean(_: Parameter, raw: object) -> BoundValue:
    if isinstance(raw, bool):
        return raw
    text = _as_text(raw).lower()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0"):
        return False
    raise _Invalid("expected true or false")


def _coerce_date(_: Parameter, raw: object) -> BoundValue:
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return raw
    try:
        return dt.date.fromisoformat(_as_text(raw))
    except ValueError:
        raise _Invalid("expected a date as YYYY-MM-DD") from None


def _absolute_iri(text: str) -> Iri:
    if not _IRI.match(text):
        raise _Invalid("expected an absolute IRI such as https://example.org/x")
    return Iri(text)


def _coerce_iri(_: Parameter, raw: object) -> BoundValue:
    return _absolute_iri(_as_text(raw))


def _coerce_framework(_: Parameter, raw: object) -> BoundValue:
    text = _as_text(raw)
    if text.startswith(CATALOG_BASE):
        text = text[len(CATALOG_BASE) :]
    # Ours, or the id an imported framework may have; whether the store holds that one is the
    # engine's check (it names the known ids), not this module's, which never reads a store.
    if text in FRAMEWORK_IDS or EXTERNAL_FRAMEWORK_ID.match(text):
        return Iri(str(framework_iri(text)))
    raise _Invalid(
        f"expected a framework id: {', '.join(FRAMEWORK_IDS)}, or an imported framework's id"
    )


def _coerce_requirement(_: Parameter, raw: object) -> BoundValue:
    text = _as_text(raw)
    if text.startswith(("http://", "https://")):
        return _absolute_iri(text)
    framework, sep, notation = text.partition(":")
    ours = framework in FRAMEWORK_IDS
    if not sep or not (ours or EXTERNAL_FRAMEWORK_ID.match(framework)) or not notation.strip():
        raise _Invalid(
            "expected FRAMEWORK:NOTATION (e.g. iso42001:A.7.5) or a requirement IRI; "
            f"frameworks: {', '.join(FRAMEWORK_IDS)}, or an imported framework's id"
        )
    try:
        if not ours:
            # An imported framework's node is named by its identifier as the file wrote it.
            return Iri(external_node_iri(framework, notation))
        return Iri(str(requirement_iri(framework, notation)))
    except ValueError as exc:
        raise _Invalid(str(exc)) from None


def _coerce_notation(p: Parameter, raw: object) -> BoundValue:
    stem, words = NOTATION_SCHEMES[p.scheme or ""]
    text = _as_text(raw).lower()
    if text not in words:
        raise _Invalid(f"expected one of {', '.join(words)}")
    return Iri(f"{AIMS}{stem}{text}")


def _coerce_entity(p: Parameter, raw: object) -> BoundValue:
    text = _as_text(raw)
    kind = p.kind or ""
    if text.startswith(("http://", "https://", "urn:")):
        iri = _absolute_iri(text)
        if iri.startswith(DATA_BASE) and not iri.startswith(f"{DATA_BASE}{kind}/"):
            raise _Invalid(f"expected the IRI of a {kind}, under {DATA_BASE}{kind}/")
        return iri
    if not _REGISTER_ID.match(text):
        raise _Invalid(f"expected a {kind} register id (letters, digits, . _ ~ -) or an IRI")
    return Iri(str(entity_iri(kind, text)))


def _coerce_node(_: Parameter, raw: object) -> BoundValue:
    text = _as_text(raw)
    prefix, sep, rest = text.partition(":")
    if sep and prefix in FRAMEWORK_IDS and rest.strip():
        try:
            return Iri(str(requirement_iri(prefix, rest)))
        except ValueError as exc:
            raise _Invalid(str(exc)) from None
    if sep and prefix in ENTITY_KINDS:
        if not _REGISTER_ID.match(rest.strip()):
            raise _Invalid(f"expected a register id after {prefix}:")
        return Iri(str(entity_iri(prefix, rest.strip())))
    if text.startswith(("http://", "https://", "urn:")):
        return _absolute_iri(text)
    raise _Invalid(
        "expected an IRI, KIND:ID (system:SYS-001) or FRAMEWORK:NOTATION (iso42001:A.7.5)"
    )


def resolve_node(text: str) -> Iri:
    """An IRI from an IRI, KIND:ID (system:SYS-001) or FRAMEWORK:NOTATION (iso42001:A.7.5)."""
    try:
        return Iri(_coerce_node(Parameter("node", "node", "", ""), text))
    except _Invalid as exc:
        raise ValueError(f"{text!r}: {exc}") from None


_COERCERS = {
    "string": _coerce_string,
    "integer": _coerce_integer,
    "decimal": _coerce_decimal,
    "boolean": _coerce_boolean,
    "date": _coerce_date,
    "iri": _coerce_iri,
    "framework": _coerce_framework,
    "requirement": _coerce_requirement,
    "notation": _coerce_notation,
    "entity-id": _coerce_entity,
    "node": _coerce_node,
}


# ----- reading definitions ---------------------------------------------------------------------

_STRIP = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
    r"|<[^<>\s]*>|#[^\n]*"
)
_DOLLAR_VARIABLE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_QUESTION_VARIABLE = re.compile(r"\?([A-Za-z_][A-Za-z0-9_]*)")
_CYPHER_STRIP = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|//[^\n]*')


def sparql_parameter_names(text: str) -> set[str]:
    """Variables written with a ``$`` sigil: the parameters a SPARQL text expects bound."""
    return set(_DOLLAR_VARIABLE.findall(_STRIP.sub(" ", text)))


def sparql_question_variables(text: str) -> set[str]:
    """Variables written with a ``?`` sigil."""
    return set(_QUESTION_VARIABLE.findall(_STRIP.sub(" ", text)))


def cypher_parameter_names(text: str) -> set[str]:
    """Cypher ``$name`` parameters."""
    return set(_DOLLAR_VARIABLE.findall(_CYPHER_STRIP.sub(" ", text)))


def definition_problems(query: NamedQuery) -> list[str]:
    """Everything wrong with a definition: missing docs, parameters that disagree with the text."""
    problems: list[str] = []
    where = query.source
    if not query.title.strip():
        problems.append(f"{where}: no title")
    if not query.description.strip():
        problems.append(f"{where}: no description")
    if not query.columns:
        problems.append(f"{where}: no result columns")
    declared = {p.name for p in query.parameters}
    for p in query.parameters:
        if not p.description.strip():
            problems.append(f"{where}: parameter {p.name!r} has no description")
        if not p.example.strip():
            problems.append(f"{where}: parameter {p.name!r} has no example")
        else:
            try:
                p.coerce(query.name, p.example)
            except ParameterError as exc:
                problems.append(f"{where}: example of parameter {p.name!r} is invalid: {exc}")
    if query.sparql is None and Capability.SHORTEST_PATH not in query.requires:
        problems.append(f"{where}: no {query.name}.rq beside it")
    if query.sparql is not None:
        in_text = sparql_parameter_names(query.sparql)
        if in_text != declared:
            problems.append(
                f"{query.name}.rq: parameters in the text {sorted(in_text)} differ from "
                f"the declared ones {sorted(declared)}"
            )
        mixed = declared & sparql_question_variables(query.sparql)
        if mixed:
            problems.append(f"{query.name}.rq: write parameters as $name, not ?name: {mixed}")
    if query.cypher is not None:
        in_cypher = cypher_parameter_names(query.cypher)
        if in_cypher != declared:
            problems.append(
                f"{query.name}.cypher: parameters {sorted(in_cypher)} differ from "
                f"the declared ones {sorted(declared)}"
            )
    return problems


def _parameter(source: str, raw: Mapping[str, Any]) -> Parameter:
    name = str(raw.get("name", ""))
    if not _PARAMETER_NAME.match(name):
        raise QueryDefinitionError(f"{source}: parameter name {name!r} is not a SPARQL variable")
    ptype = str(raw.get("type", ""))
    if ptype not in PARAMETER_TYPES:
        raise QueryDefinitionError(
            f"{source}: parameter {name!r} has type {ptype!r}; "
            f"expected one of {', '.join(sorted(PARAMETER_TYPES))}"
        )
    kind = raw.get("kind")
    if ptype == "entity-id" and kind not in ENTITY_KINDS:
        raise QueryDefinitionError(f"{source}: parameter {name!r} needs a known entity kind")
    scheme = raw.get("scheme")
    if ptype == "notation" and scheme not in NOTATION_SCHEMES:
        raise QueryDefinitionError(
            f"{source}: parameter {name!r} needs a scheme: {', '.join(NOTATION_SCHEMES)}"
        )
    minimum = raw.get("minimum")
    return Parameter(
        name=name,
        type=ptype,
        description=str(raw.get("description") or ""),
        example=str(raw.get("example") if raw.get("example") is not None else ""),
        required=bool(raw.get("required", True)),
        kind=str(kind) if kind is not None else None,
        scheme=str(scheme) if scheme is not None else None,
        minimum=int(minimum) if minimum is not None else None,
    )


def _read_optional(folder: Traversable, filename: str) -> str | None:
    node = folder.joinpath(filename)
    return node.read_text(encoding="utf-8") if node.is_file() else None


def load_definition(folder: Traversable, name: str) -> NamedQuery:
    """Read one named query from ``<folder>/<name>.yaml`` and its query texts."""
    source = f"{name}.yaml"
    if not _QUERY_NAME.match(name):
        raise QueryDefinitionError(f"{source}: query names are lower-case words joined by '-'")
    try:
        meta = yaml.load(folder.joinpath(source).read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        raise QueryDefinitionError(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise QueryDefinitionError(f"{source}: expected a mapping at the top level")
    try:
        requires = frozenset(Capability(c) for c in meta.get("requires") or [])
    except ValueError as exc:
        raise QueryDefinitionError(f"{source}: unknown capability: {exc}") from exc
    columns = tuple(
        Column(str(c.get("name", "")), str(c.get("description") or ""))
        for c in meta.get("columns") or []
    )
    return NamedQuery(
        name=name,
        title=str(meta.get("title") or ""),
        description=str(meta.get("description") or ""),
        audience=tuple(str(a) for a in meta.get("audience") or []),
        iso_clauses=tuple(str(c) for c in meta.get("iso_clauses") or []),
        parameters=tuple(_parameter(source, p) for p in meta.get("parameters") or []),
        columns=columns,
        requires=requires,
        sparql=_read_optional(folder, f"{name}.rq"),
        cypher=_read_optional(folder, f"{name}.cypher"),
        source=source,
    )


class Registry(Mapping[str, NamedQuery]):
    """All named queries by name, read once."""

    def __init__(self, queries: Mapping[str, NamedQuery]) -> None:
        self._queries = dict(sorted(queries.items()))

    def __getitem__(self, name: str) -> NamedQuery:
        try:
            return self._queries[name]
        except KeyError:
            raise UnknownQuery(
                f"unknown query {name!r}; expected one of {', '.join(self._queries)}"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._queries)

    def __len__(self) -> int:
        return len(self._queries)


def load_registry(folder: Traversable | Path | None = None) -> Registry:
    """Read and check every ``*.yaml`` definition in a folder (default: this package)."""
    root: Traversable = folder if folder is not None else resources.files("aimstrace.queries")
    names = sorted(
        node.name[: -len(".yaml")] for node in root.iterdir() if node.name.endswith(".yaml")
    )
    queries = {name: load_definition(root, name) for name in names}
    problems = [problem for q in queries.values() for problem in definition_problems(q)]
    if problems:
        raise QueryDefinitionError("; ".join(problems))
    return Registry(queries)


@functools.cache
def default_registry() -> Registry:
    """The packaged named queries, read once per process."""
    return load_registry()
