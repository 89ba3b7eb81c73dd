"""The site's one public base URL (settings.SITE_URL): every absolute link the portal hands
out — the QR code and link on a notice, the links in e-mails and text messages — starts with
it. `make run` sets it from its port, docker compose from the environment, and production
refuses to start without an https one."""

from django.conf import settings


def site_url(path: str = "") -> str:
    """``path`` on the public site: site_url("/status/?number=1") -> https://…/status/?number=1."""
    base = str(getattr(settings, "SITE_URL", "") or "http://127.0.0.1:8000").rstrip("/")
    if not path:
        return base
    return base + "/" + path.lstrip("/")
