"""The OpenAPI schema tells the truth about errors: every operation declares the error answers
it can give, each in the one error shape ``{code, message, fields}`` (portal.api_errors).

- 400 — input refused (every operation: a query, a body or a parse error);
- 401 — no or a bad credential (a bad token is refused even where anonymous use is allowed);
- 403 — the role or scope may not (or the CSRF check of a session);
- 404 — not found (a path parameter naming nothing, a page past the end, a missing file);
- 409 — a lost race: the object changed since the caller looked (operations that change);
- 429 — too many requests (throttles and the log-in lock-out).
An operation that declares its own answer for one of these codes keeps it."""

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

ERROR_CODES = {
    "400": "Input refused; `fields` names each field at fault.",
    "401": "Not signed in, or the credential is not valid.",
    "403": "The role or scope may not do this.",
    "404": "Not found.",
    "409": "The object changed since it was read (a lost race): read it again.",
    "429": "Too many requests: wait and try again.",
}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="stable code for programs")
    message = serializers.CharField(help_text="for people, in their language")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="per field, the messages about it",
    )


class OneWindowAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, description in ERROR_CODES.items():
            if code in responses or (code == "409" and self.method not in UNSAFE):
                continue
            response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
            response["description"] = description
            responses[code] = response
        return responses
