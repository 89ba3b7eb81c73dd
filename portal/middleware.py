"""Request context for services (the client IP for the audit trail, a memo of reads that cannot
change while one request runs), security headers, and the
pages for what cannot be served (input naming nothing, a service's NotFound and Forbidden)."""

import ipaddress
from contextvars import ContextVar

from django.conf import settings

_current_ip: ContextVar[str | None] = ContextVar("onewindow_client_ip", default=None)


_request_memo: ContextVar[dict | None] = ContextVar("onewindow_request_memo", default=None)


def current_ip() -> str | None:
    return _current_ip.get()


def request_memo() -> dict | None:
    """A dict that lives as long as the request being served (None outside a request: a task,
    a command, a service called directly): for reads asked twice in one request, such as the
    view's scope check and the service's, that nothing in the request can change."""
    return _request_memo.get()


def _valid_ip(value: str) -> str | None:
    value = (value or "").strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address, for every limit in the portal (log-in lock-out, status lookup, API
    throttles) and the audit trail. Only the ``TRUSTED_PROXIES`` hops nearest to us are
    believed: each appends the address it saw to X-Forwarded-For, so the client is the N-th
    entry from the right; anything further left was written by the client and is ignored.
    With no trusted proxy (the default) X-Forwarded-For is ignored altogether."""
    remote = _valid_ip(request.META.get("REMOTE_ADDR", ""))
    hops = int(getattr(settings, "TRUSTED_PROXIES", 0) or 0)
    if hops <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if not forwarded:
        return remote
    return _valid_ip(forwarded[-min(hops, len(forwarded))]) or remote


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_ip.set(client_ip(request))
        memo_token = _request_memo.set({})
        try:
            return self.get_response(request)
        finally:
            _request_memo.reset(memo_token)
            _current_ip.reset(token)


class SecurityHeadersMiddleware:
    """Headers Django does not set itself.

    Scripts only from our own static files: no inline <script>, no on…= handlers, no
    javascript: URLs, no eval (htmx runs with allowEval off; Swagger UI's start-up script is a
    file of its own). Styles may still be inline: Swagger UI, ECharts' tooltips and Leaflet
    write style attributes into the markup they build."""

    POLICY = (
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; object-src 'none'; base-uri 'self'; "
        "frame-ancestors 'none'; form-action 'self'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.POLICY)
        response.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(self), payment=()"
        )
        return response


class ChineseFirstMiddleware:
    """zh-hans unless the person chose otherwise with the language switch: the browser's
    Accept-Language (an English-locale hall PC, a test browser) does not decide. Runs before
    django.middleware.locale.LocaleMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


def _bad_path(path: str) -> bool:
    """A path no route can mean: a NUL or another control character (PostgreSQL refuses NUL in
    text, so such a value must never reach a query)."""
    return any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in path)


class HostileInputMiddleware:
    """Input that can name nothing is not found, never a crash: a control character in the
    path answers 404 before any view runs; a stored file gone from the disk (the operators are
    alerted by portal.stored_files) answers the 404 page on HTML views too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _bad_path(request.path_info) or _bad_path(request.path):
            from portal.views import page_not_found

            return page_not_found(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        from portal.stored_files import StoredFileMissing

        if isinstance(exception, StoredFileMissing) and not request.path.startswith("/api/"):
            from portal.views import page_not_found

            return page_not_found(request)
        return None


class ServiceRefusalMiddleware:
    """What a service refuses, answered the same way on every HTML page: its NotFound is the
    404 page and its Forbidden the 403 page (with the service's reason), never a 500 — whichever
    view forgot to catch them. A view that shows the refusal on its own page (a form's error, a
    message) still catches it first. The API answers with its own JSON (portal.api_errors), so
    /api/ is left alone here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from portal.errors import Forbidden, NotFound

        if request.path.startswith("/api/"):
            return None
        if isinstance(exception, NotFound):
            from portal.views import page_not_found

            return page_not_found(request, exception)
        if isinstance(exception, Forbidden):
            from portal.views import permission_denied

            return permission_denied(request, exception)
        return None
