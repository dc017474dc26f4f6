"""Browser checks: a Host allow-list and same-origin checks, with or without API keys.

Without them any web page the user opens could drive a local-mode server: a cross-site form
POST to /imports overwrote data, and a DNS-rebound name (`Host: evil.example:8000`) read the
whole export. A request is served only when its Host is a loopback name or a configured one,
and, when a browser says where it comes from (`Origin`, `Sec-Fetch-Site`), that is this
server's own origin or a configured one. Clients that are not browsers send neither header.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from aimstrace.api.errors import problem_response

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
# Pages a browser may open from anywhere (a link or a bookmark): they return no data.
NAVIGABLE = ("/ui/", "/docs", "/redoc")
_SAME = frozenset({"same-origin", "none"})


def _host_name(host: str) -> str:
    """The name of a Host header value without its port, lower case."""
    host = host.strip().lower()
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class BrowserGuardMiddleware:
    """Refuses requests for other host names and cross-origin requests, with 403."""

    def __init__(self, app: ASGIApp, hosts: Iterable[str], origins: Iterable[str]) -> None:
        self.app = app
        self.hosts = LOOPBACK_HOSTS | {_host_name(h) for h in hosts if h}
        self.origins = frozenset(o.rstrip("/").lower() for o in origins if o)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check Host, then Origin and Sec-Fetch-Site, before anything else runs."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers: dict[bytes, bytes] = {}
        for name, value in scope.get("headers", []):
            headers.setdefault(name, value)
        host = headers.get(b"host", b"").decode("latin-1")
        if _host_name(host) not in self.hosts:
            await self._refuse(
                scope,
                receive,
                send,
                "header.host",
                "host not allowed",
                f"this server does not answer for the host name {_host_name(host)!r}; "
                "use 127.0.0.1 or localhost, or add the name to AIMSTRACE_ALLOWED_HOSTS",
            )
            return
        origin = headers.get(b"origin", b"").decode("latin-1").rstrip("/").lower()
        site = headers.get(b"sec-fetch-site", b"").decode("latin-1").lower()
        if origin or site:
            own = f"{scope.get('scheme', 'http')}://{host.lower()}"
            allowed = origin in self.origins or (origin == own if origin else site in _SAME)
            if origin and not allowed and not self._navigation(scope, headers):
                await self._refuse(
                    scope,
                    receive,
                    send,
                    "header.origin",
                    "cross-origin request",
                    f"requests from {origin} are refused; only this server's own page and the "
                    "origins in AIMSTRACE_CORS_ORIGINS may call it",
                )
                return
            if not origin and site not in _SAME and not self._navigation(scope, headers):
                await self._refuse(
                    scope,
                    receive,
                    send,
                    "header.sec-fetch-site",
                    "cross-site request",
                    f"a {site} request is refused; only this server's own page may call it",
                )
                return
        await self.app(scope, receive, send)

    @staticmethod
    def _navigation(scope: Scope, headers: dict[bytes, bytes]) -> bool:
        path: str = scope.get("path", "")
        return scope.get("method") == "GET" and (path == "/" or path.startswith(NAVIGABLE))

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, field: str, reason: str, message: str
    ) -> None:
        response = problem_response(
            Request(scope, receive), 403, message, kind="forbidden", field=field, reason=reason
        )
        await response(scope, receive, send)
