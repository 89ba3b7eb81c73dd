"""Production: refuses to start with DEBUG on, a weak SECRET_KEY, or insecure cookies/hosts."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, SECRET_KEY, SITE_URL, SITE_URL_CONFIGURED, env

DEBUG = env.bool("DEBUG", default=False)

SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")


def _refuse(reason: str) -> None:
    raise ImproperlyConfigured(f"Production settings refuse to start: {reason}")


if DEBUG:
    _refuse("DEBUG is on.")
if not SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    _refuse("SECRET_KEY is missing or too short (50+ varied characters).")
if SECRET_KEY.startswith(("local-insecure", "django-insecure", "change-me")):
    _refuse("SECRET_KEY is a default value.")
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    _refuse("ALLOWED_HOSTS must list the real host names (no '*').")
if not (SESSION_COOKIE_SECURE and CSRF_COOKIE_SECURE):
    _refuse("session and CSRF cookies must be Secure.")
if not SITE_URL_CONFIGURED:
    _refuse("SITE_URL is missing (the public https:// address of the site, used in notices).")
if not SITE_URL.startswith("https://") or len(SITE_URL) <= len("https://"):
    _refuse(f"SITE_URL must be https:// with a host name (got {SITE_URL!r}).")
