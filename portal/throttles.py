"""DRF throttles keyed by ``portal.middleware.client_ip`` (trusted proxies only), so that the API
counts a client the way the log-in lock-out and the pages do."""

from rest_framework import throttling

from portal.middleware import client_ip


class ClientAddressMixin:
    def get_ident(self, request):
        return client_ip(request) or "unknown"


class ScopedRateThrottle(ClientAddressMixin, throttling.ScopedRateThrottle):
    pass


class AnonRateThrottle(ClientAddressMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(ClientAddressMixin, throttling.UserRateThrottle):
    pass
