"""HTTP revalidation of read answers: an ETag per store generation, and 304 when it still holds.

Every GET answer is a function of the store (its generation: bumped by every write of this
process), the day (answers default to today's evaluation date), the server process (a restart
may bring a new version) and the request itself (path, query, Accept). The tag hashes exactly
those, so a browser that asks again with If-None-Match gets 304 without the answer being
recomputed or sent. Only a caller the key check would let in gets a 304: the middleware runs
before the routes, so it checks the key itself.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aimstrace.api.security import LOOPBACK_CLIENTS, KeyRing

# Answers that change without a write: background job states, the service's health.
UNCACHED = ("/health", "/gaps/status", "/since-last-audit/status", "/dashboard", "/cli/")
# The page's files have their own validators (routes/web.py); /ui/meta.json is an answer.
STATIC = ("/ui/", "/docs", "/redoc")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


class GenerationETagMiddleware:
    """Adds `ETag` and `Cache-Control: no-cache` to GET answers; answers 304 when unchanged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.boot = secrets.token_hex(6)

    def tag(self, scope: Scope) -> str | None:
        """The entity tag of this request's answer now, or None when it is not cacheable."""
        path: str = scope.get("path", "")
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            return None
        if path.startswith(UNCACHED) or (path.startswith(STATIC) and path != "/ui/meta.json"):
            return None
        engine = getattr(scope["app"].state, "engine", None)
        if engine is None:
            return None
        parts = [
            self.boot,
            str(engine.store.generation),
            date.today().isoformat(),
            path,
            scope.get("query_string", b"").decode("latin-1"),
            _header(scope, b"accept") or "",
        ]
        return 'W/"' + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24] + '"'

    def _may_read(self, scope: Scope) -> bool:
        keyring: KeyRing = scope["app"].state.keyring
        if keyring.local_mode:
            client = scope.get("client")
            return client is not None and client[0] in LOOPBACK_CLIENTS
        presented = _header(scope, b"x-api-key")
        bearer = _header(scope, b"authorization")
        if bearer and bearer.lower().startswith("bearer "):
            presented = bearer[7:].strip()
        return presented is not None and keyring.identify(presented) is not None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer 304 for a matching If-None-Match; otherwise tag a successful answer."""
        tag = self.tag(scope) if scope["type"] == "http" else None
        if tag is None:
            await self.app(scope, receive, send)
            return
        wanted = _header(scope, b"if-none-match")
        if wanted and tag in [t.strip() for t in wanted.split(",")] and self._may_read(scope):
            headers = [(b"etag", tag.encode()), (b"cache-control", b"private, no-cache")]
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return

        async def tagged(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k not in (b"etag", b"cache-control")
                ]
                headers += [(b"etag", tag.encode()), (b"cache-control", b"private, no-cache")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, tagged)
