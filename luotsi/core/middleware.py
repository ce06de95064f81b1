"""Security headers that Django does not set itself (CSP, permissions policy), and the request
context that the personal-data read log records (which view or API endpoint read the data)."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    view: str
    path: str


_current: ContextVar[RequestContext | None] = ContextVar("luotsi_request", default=None)


def current_request() -> RequestContext | None:
    """The page or endpoint being served (None outside a request, e.g. in a command)."""
    return _current.get()


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """Adds a strict Content-Security-Policy: every asset is served by Luotsi itself.

    It also remembers which view serves the request (``current_request``) for the read log.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        name = (match.view_name if match else "") or getattr(view_func, "__qualname__", "")
        _current.set(RequestContext(view=name[:200], path=f"{request.method} {request.path}"[:500]))

    def __call__(self, request):
        token = _current.set(None)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        if request.path.startswith("/api/docs"):
            # The OpenAPI viewer is served locally but needs inline bootstrapping.
            response.headers.setdefault(
                "Content-Security-Policy",
                CONTENT_SECURITY_POLICY.replace(
                    "script-src 'self'", "script-src 'self' 'unsafe-inline'"
                ).replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
            )
        else:
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response
