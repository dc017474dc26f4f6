"""The web page: static files served by the API (the data comes from the API's own routes)."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, RedirectResponse

router = APIRouter(include_in_schema=False)

_STATIC = resources.files("aimstrace.api").joinpath("static")
_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}


@router.get("/")
def home() -> RedirectResponse:
    """Send people to the page."""
    return RedirectResponse("/ui/")


@router.get("/ui/")
def page() -> FileResponse:
    """The single page."""
    return _file("index.html")


@router.get("/ui/{name}")
def asset(name: str) -> FileResponse:
    """The page's script and style sheet (only files that exist in api/static)."""
    return _file(name)


def _file(name: str) -> FileResponse:
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    if "/" in name or "\\" in name or name.startswith(".") or suffix not in _TYPES:
        raise HTTPException(status_code=404, detail=f"no such page file {name!r}")
    path = _STATIC.joinpath(name)
    if not path.is_file():
        raise HTTPException(status_code=404, detail=f"no such page file {name!r}")
    return FileResponse(str(path), media_type=_TYPES[suffix])
