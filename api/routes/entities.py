"""The organisation's registers as collections: paged lists with filters, and one entity by id."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, create_model

from aimstrace.api.deps import EngineDep, GateDep, LiveEngineDep, ReaderDep, SettingsDep
from aimstrace.api.errors import ApiProblem, not_found
from aimstrace.api.models import ENTITY_ID_PATTERN, Page
from aimstrace.api.paging import CursorParam, LimitParam, page_of
from aimstrace.ontology.registers import REGISTERS, Register

router = APIRouter(tags=["inventory"])

# URL collection -> register name (the collections; the register names are the loader's).
COLLECTIONS: dict[str, str] = {
    "systems": "systems",
    "datasets": "datasets",
    "models": "models",
    "vendors": "vendors",
    "people": "people",
    "risks": "risks",
    "controls": "controls",
    "treatments": "treatments",
    "evidence": "evidence",
    "incidents": "incidents",
}
_RESERVED_PARAMS = frozenset({"limit", "cursor", "q"})


class PropertyChangeOut(BaseModel):
    """One statement about the entity that a revision added or removed."""

    change: str = Field(description="added or removed")
    property: str = Field(description="the predicate IRI")
    value: str = Field(description="the object: an IRI or a literal's lexical form")


class EntityRevisionOut(BaseModel):
    """A revision that changed the entity, with what it changed (at most 50 statements)."""

    revision: str
    time: str
    actor: str
    command: str
    message: str | None
    added: int
    removed: int
    changes: list[PropertyChangeOut]


class Referrer(BaseModel):
    """An entry of a register whose reference column names the entity."""

    collection: str
    column: str
    id: str
    label: str | None = None


class ReferrerGroup(BaseModel):
    """How many entries of one register name the entity in one of its columns."""

    collection: str
    column: str
    total: int
    next_cursor: str | None = Field(
        default=None,
        description="with `per_group=true`: the cursor that goes on through this group "
        "(asked with its `collection` and `column`); null when its first page is all of it",
    )


class ReferrerPage(Page[Referrer]):
    """One page of what names an entity (sorted by collection, column, id), with the count of
    every (collection, column) group whatever the filters, so a page can show those first."""

    groups: list[ReferrerGroup]


ReferrerCollectionParam = Annotated[
    str | None,
    Query(
        alias="collection",
        pattern="^(" + "|".join(COLLECTIONS) + ")$",
        description="only entries of this collection",
    ),
]
ReferrerColumnParam = Annotated[
    str | None,
    Query(
        alias="column",
        pattern=r"^[a-z][a-z0-9_]*$",
        description="only entries naming the entity in this column",
    ),
]
PerGroupParam = Annotated[
    bool,
    Query(
        description="`limit` entries from the start of every (collection, column) group (after "
        "`cursor` when given) instead of one page across them (an entity page shows each "
        "group's first entries at once)"
    ),
]


def _referrer_key(row: dict[str, Any]) -> str:
    return "\u001f".join((row["collection"], row["column"], row["id"]))


def _register(name: str) -> Register:
    return next(r for r in REGISTERS if r.name == name)


def _entity_model(register: Register) -> type[BaseModel]:
    fields: dict[str, Any] = {"id": (str | None, None), "label": (str | None, None)}
    for column in register.columns:
        fields[column.name] = (list[Any], []) if column.multi else (Any, None)
    model: type[BaseModel] = create_model(
        "".join(part.capitalize() for part in register.name.split("_")) + "Entity",
        __config__=ConfigDict(extra="allow"),
        __doc__=f"One entry of the {register.name} register.",
        **fields,
    )
    return model


def _matches(item: dict[str, Any], filters: dict[str, str], text: str | None) -> bool:
    if text is not None:
        needle = text.casefold()
        haystack = f"{item.get('id') or ''} {item.get('label') or ''}".casefold()
        if needle not in haystack:
            return False
    for name, wanted in filters.items():
        value = item.get(name)
        values = value if isinstance(value, list) else [value]
        if not any(_plain(v) == wanted for v in values):
            return False
    return True


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _filters(request: Request, register: Register) -> dict[str, str]:
    columns = {c.name for c in register.columns} | {"label"}
    return {k: v for k, v in request.query_params.items() if k in columns}


def _add_collection(collection: str, register: Register) -> None:
    model = _entity_model(register)
    column_params = [
        {
            "name": column.name,
            "in": "query",
            "required": False,
            "schema": {"type": "string"},
            "description": f"only entries whose `{column.name}` is (or includes) this value",
        }
        for column in register.columns
    ]

    async def list_collection(
        request: Request,
        _: ReaderDep,
        engine: EngineDep,
        gate: GateDep,
        settings: SettingsDep,
        limit: LimitParam = 50,
        cursor: CursorParam = None,
        q: Annotated[str | None, Query(description="text to find in id or label")] = None,
    ) -> Any:
        items = await gate.run(lambda _d: engine.list_entities(register.name))
        filters = _filters(request, register)
        chosen = [item for item in items if _matches(item, filters, q)]
        size = min(limit, settings.max_page_size)
        page, next_cursor = page_of(chosen, lambda e: str(e["id"]), size, cursor)
        return {"items": page, "limit": size, "total": len(chosen), "next_cursor": next_cursor}

    async def get_entity(
        _: ReaderDep,
        engine: EngineDep,
        gate: GateDep,
        entity_id: Annotated[
            str,
            Path(alias="id", pattern=ENTITY_ID_PATTERN, description="register id, e.g. SYS-001"),
        ],
    ) -> Any:
        # Read around the entity's IRI: the whole register is not needed for one entry.
        item = await gate.run(lambda _d: engine.entity(register.name, entity_id))
        if item is None:
            raise not_found(register.kind, entity_id)
        return item

    async def get_referrers(
        _: ReaderDep,
        engine: EngineDep,
        gate: GateDep,
        settings: SettingsDep,
        entity_id: Annotated[
            str,
            Path(alias="id", pattern=ENTITY_ID_PATTERN, description="register id, e.g. SYS-001"),
        ],
        of_collection: ReferrerCollectionParam = None,
        of_column: ReferrerColumnParam = None,
        limit: LimitParam = 50,
        cursor: CursorParam = None,
        per_group: PerGroupParam = False,
    ) -> Any:
        served = {name: c for c, name in COLLECTIONS.items()}
        size = min(limit, settings.max_page_size)

        def read(_deadline: object) -> dict[str, Any] | None:
            if not engine.has_entity(register.name, entity_id):
                return None
            found = [
                {**r, "collection": served[r["register"]]}
                for r in engine.referrers(register.name, entity_id, labelled=False)
                if r["register"] in served
            ]
            groups = Counter((r["collection"], r["column"]) for r in found)
            chosen = [
                r
                for r in found
                if of_collection in (None, r["collection"]) and of_column in (None, r["column"])
            ]
            group_cursors: dict[tuple[str, str], str | None] = {}
            if per_group:
                # Of the entries after the cursor (all when none), each group's first `limit`.
                after, _ = page_of(chosen, _referrer_key, len(chosen), cursor)
                page, next_cursor = [], None
                by_group: dict[tuple[str, str], list[dict[str, Any]]] = {}
                for r in after:  # sorted by collection, column, id: each group's in order
                    by_group.setdefault((r["collection"], r["column"]), []).append(r)
                for group, rows in by_group.items():
                    first, group_cursors[group] = page_of(rows, _referrer_key, size, None)
                    page += first
            else:
                page, next_cursor = page_of(chosen, _referrer_key, size, cursor)
            labels = engine.labels([r["iri"] for r in page])
            return {
                "items": [
                    Referrer(
                        collection=r["collection"],
                        column=r["column"],
                        id=r["id"],
                        label=labels.get(r["iri"]),
                    )
                    for r in page
                ],
                "limit": size,
                "total": len(chosen),
                "next_cursor": next_cursor,
                "groups": [
                    ReferrerGroup(
                        collection=c, column=col, total=n, next_cursor=group_cursors.get((c, col))
                    )
                    for (c, col), n in sorted(groups.items())
                ],
            }

        answer = await gate.run(read)
        if answer is None:
            raise not_found(register.kind, entity_id)
        return answer

    router.add_api_route(
        f"/{collection}",
        list_collection,
        methods=["GET"],
        response_model=Page[model],  # type: ignore[valid-type]
        summary=f"List {collection}",
        description=f"One page of the {register.name} register, sorted by id. "
        "Filter by any column (`?owner=P-001`) or by text in id or label (`?q=`).",
        operation_id=f"list_{collection}",
        openapi_extra={"parameters": column_params},
    )
    router.add_api_route(
        f"/{collection}/{{id}}",
        get_entity,
        methods=["GET"],
        response_model=model,
        summary=f"One of the {collection}",
        operation_id=f"get_{collection.rstrip('s') or collection}",
        responses={404: {"description": f"no such {register.kind}"}},
    )

    async def get_history(
        _: ReaderDep,
        engine: LiveEngineDep,
        gate: GateDep,
        entity_id: Annotated[
            str,
            Path(alias="id", pattern=ENTITY_ID_PATTERN, description="register id, e.g. SYS-001"),
        ],
    ) -> Any:
        found = await gate.run(lambda _d: engine.entity_history(register.name, entity_id))
        if found is None:
            raise not_found(register.kind, entity_id)
        return [e.as_dict() for e in found]

    router.add_api_route(
        f"/{collection}/{{id}}/history",
        get_history,
        methods=["GET"],
        response_model=list[EntityRevisionOut],
        summary=f"How one of the {collection} changed",
        description="Every revision that added or removed a statement about this entity in the "
        "organisation graph, newest first, with who made it and what it changed; also for an "
        "entity removed since.",
        operation_id=f"history_of_{collection.rstrip('s') or collection}",
        responses={404: {"description": f"no revision ever named such a {register.kind}"}},
    )
    router.add_api_route(
        f"/{collection}/{{id}}/referrers",
        get_referrers,
        methods=["GET"],
        response_model=ReferrerPage,
        summary=f"What names one of the {collection}",
        description="One page of the entries of the served registers whose reference columns "
        "name this entity (the workbench's 'named by' panel), read from the store's indexes "
        "around it, sorted by collection, column and id; `groups` counts each (collection, "
        "column) whatever the filters. Filter with `collection=` and `column=`.",
        operation_id=f"referrers_of_{collection.rstrip('s') or collection}",
        responses={404: {"description": f"no such {register.kind}"}},
    )


for _collection, _register_name in COLLECTIONS.items():
    _add_collection(_collection, _register(_register_name))


def unknown_collection(name: str) -> ApiProblem:
    """The 404 for a collection name that is not served."""
    return ApiProblem(404, f"no collection {name!r}", kind="not-found", field="path.collection")


EntityLister = Callable[[str], Coroutine[Any, Any, list[dict[str, Any]]]]
