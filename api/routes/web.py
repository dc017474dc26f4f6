"""The workbench: one page served under /ui/ (the data comes from the API's own routes), the
vendored JavaScript it uses, and the OpenAPI pages /docs and /redoc from bundled assets."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from importlib import resources
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response

router = APIRouter(include_in_schema=False)

_STATIC = resources.files("aimstrace.api").joinpath("static")
_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".png": "image/png",
    ".txt": "text/plain",
    ".md": "text/markdown",
}
# Only plain file names: no separators, no leading dot, one known suffix.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
VENDOR = "/ui/vendor"


@router.get("/")
def home() -> RedirectResponse:
    """Send people to the workbench."""
    return RedirectResponse("/ui/")


@router.get("/ui/meta.json")
def meta(request: Request) -> JSONResponse:
    """The registers the workbench shows: columns, and which register a reference column names;
    and the API's documented paths, so a panel appears only where its route exists (without
    the whole OpenAPI document, which a cold server takes over a second to build at scale)."""
    # The schema is built once per app (at start by `aimstrace serve`), then kept by FastAPI.
    routes = sorted(request.app.openapi().get("paths", {}))
    return JSONResponse({**_meta(), "routes": routes})


@lru_cache(maxsize=1)
def _meta() -> dict[str, Any]:
    from aimstrace.api.routes.entities import COLLECTIONS
    from aimstrace.ontology.registers import REGISTERS

    by_kind = {r.kind: c for c, name in COLLECTIONS.items() for r in REGISTERS if r.name == name}
    collections: dict[str, Any] = {}
    for collection, name in COLLECTIONS.items():
        register = next(r for r in REGISTERS if r.name == name)
        collections[collection] = {
            "kind": register.kind,
            "columns": [
                {
                    "name": c.name,
                    "multi": c.multi,
                    "refers_to": next((by_kind[k] for k in c.ref_kinds if k in by_kind), None),
                }
                for c in register.columns
            ],
        }
    return {"collections": collections}


# Our own files are revalidated on every use (a new version shows at once, unchanged ones cost
# a 304); the vendored libraries are pinned copies, kept a day without asking.
REVALIDATE = "no-cache"
VENDOR_CACHE = "public, max-age=86400"


@router.get("/ui/assets/{name}")
def asset(request: Request, name: str) -> Response:
    """The workbench's own scripts and style sheet."""
    return _file(_STATIC, name, request, REVALIDATE)


@router.get("/ui/vendor/{library}/{name}")
def vendored(request: Request, library: str, name: str) -> Response:
    """Pinned copies of third-party JavaScript with their licences (see vendor/README.md)."""
    if not _NAME.match(library):
        raise HTTPException(status_code=404, detail=f"no such library {library!r}")
    return _file(_STATIC.joinpath("vendor").joinpath(library), name, request, VENDOR_CACHE)


@router.get("/ui/{path:path}")
def page(request: Request, path: str) -> Response:
    """Every workbench URL (/ui/systems/SYS-001, ...) is the one page; it routes in the browser."""
    return _file(_STATIC, "index.html", request, REVALIDATE)


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI from the bundled copy (works without internet)."""
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url or "/openapi.json",
        title=f"{request.app.title} API",
        swagger_js_url=f"{VENDOR}/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url=f"{VENDOR}/swagger-ui/swagger-ui.css",
        swagger_favicon_url=f"{VENDOR}/swagger-ui/favicon-32x32.png",
        # The default asks validator.swagger.io to check the document: a request to the internet.
        swagger_ui_parameters={"validatorUrl": None},
    )


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    """ReDoc from the bundled copy, without web fonts from a CDN."""
    return get_redoc_html(
        openapi_url=request.app.openapi_url or "/openapi.json",
        title=f"{request.app.title} API",
        redoc_js_url=f"{VENDOR}/redoc/redoc.standalone.js",
        redoc_favicon_url=f"{VENDOR}/swagger-ui/favicon-32x32.png",
        with_google_fonts=False,
    )


def _file(folder: Any, name: str, request: Request, cache: str) -> Response:
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    if not _NAME.match(name) or suffix not in _TYPES:
        raise HTTPException(status_code=404, detail=f"no such page file {name!r}")
    path = folder.joinpath(name)
    if not path.is_file():
        raise HTTPException(status_code=404, detail=f"no such page file {name!r}")
    response = FileResponse(
        str(path),
        media_type=_TYPES[suffix],
        headers={"Cache-Control": cache},
        stat_result=os.stat(str(path)),  # given, so the ETag is set now, not while sending
    )
    # FileResponse sets an ETag (mtime and size) but does not answer If-None-Match itself.
    wanted = request.headers.get("if-none-match", "")
    etag = response.headers.get("etag")
    if etag and etag in [t.strip() for t in wanted.split(",")]:
        return Response(status_code=304, headers={"ETag": etag, "Cache-Control": cache})
    return response
