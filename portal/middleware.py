"""Request context for services (the client IP for the audit trail) and security headers."""

from contextvars import ContextVar

_current_ip: ContextVar[str | None] = ContextVar("onewindow_client_ip", default=None)


def current_ip() -> str | None:
    return _current_ip.get()


def client_ip(request) -> str | None:
    # Behind the production proxy the first X-Forwarded-For hop is the client.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _current_ip.reset(token)


class SecurityHeadersMiddleware:
    """Headers Django does not set itself."""

    POLICY = (
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'; "
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
