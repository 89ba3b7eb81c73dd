"""``Authorization: Token <key>`` against portal.models.ApiToken (hashed keys, expiry,
revocation). Replaces DRF's plain authtoken. A request with an unknown, expired or revoked token is
answered 401 with ``WWW-Authenticate: Token`` and a code saying which (portal.api_errors sees to
the 401 whatever class comes first on the view; a request with no credentials at all is answered
as before)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from portal import tokens

_WHY = {
    "invalid": ("invalid_token", _("API令牌无效。")),
    "expired": ("token_expired", _("API令牌已过期，请重新获取。")),
    "revoked": ("token_revoked", _("API令牌已被撤销，请重新获取。")),
    "inactive": ("account_inactive", _("账号已停用。")),
}


class TokenRejected(exceptions.AuthenticationFailed):
    """Always 401 with ``WWW-Authenticate: Token`` (portal.api_errors.exception_handler)."""

    auth_header = "Token"


def _fail(why: str):
    code, message = _WHY[why]
    return TokenRejected(message, code=code)


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in (b"token", b"bearer"):
            return None
        if len(parts) != 2:
            raise _fail("invalid")
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise _fail("invalid") from None
        token, why = tokens.authenticate(key)
        if token is None:
            raise _fail(why)
        if not token.user.is_active:
            raise _fail("inactive")
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "portal.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "`Token <key>` from POST /api/v1/auth/token/. Expires (30 days for people by "
                "default); revoked by a password change, by the owner on the profile page or by "
                "an administrator."
            ),
        }
