"""One JSON error shape for the whole API: {"code", "message", "fields"}."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.errors import ActionError

log = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    """Another person changed the object first (a lost race)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "conflict"


class ServiceError(exceptions.APIException):
    """A business rule refused the action; carries a stable code."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, message, code="invalid", fields=None, status_code=None):
        super().__init__(detail=message, code=code)
        self.code = code
        self.fields = fields or {}
        if status_code:
            self.status_code = status_code


def _flatten(detail):
    if isinstance(detail, dict):
        return {
            str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in detail.items()
        }
    return {}


def _fields(fields) -> dict[str, list[str]]:
    """Each field's messages as a list of strings, as the schema says (portal.api_schema)."""
    if not isinstance(fields, dict):
        return {"non_field_errors": [str(fields)]} if fields else {}
    return {
        str(name): [str(m) for m in (value if isinstance(value, list | tuple) else [value])]
        for name, value in fields.items()
    }


def exception_handler(exc, context):
    if isinstance(exc, DataError):
        # A value the serializers let through but the column refuses (portal.api_fields should
        # have bounded it: the log names the view, so the bound can be added there).
        log.warning("API input refused by the database in %s: %s", context.get("view"), exc)
        exc = ServiceError(_("输入的值超出允许的长度或范围。"), code="value_out_of_range")
    if isinstance(exc, ActionError):
        return Response(
            {"code": exc.code, "message": str(exc.message), "fields": _fields(exc.fields)},
            status=exc.status_code,
        )
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"non_field_errors": exc.messages})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if getattr(exc, "auth_header", None) == "Token" and isinstance(
        exc, exceptions.AuthenticationFailed
    ):
        # a dead API token (portal.authentication.TokenRejected): 401 even on views whose first
        # authentication class (the session) would make DRF answer 403
        response.status_code = status.HTTP_401_UNAUTHORIZED
        response["WWW-Authenticate"] = "Token"

    if isinstance(exc, ServiceError):
        body = {"code": exc.code, "message": str(exc.detail), "fields": exc.fields}
    elif isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        if isinstance(exc.detail, list):
            fields = {"non_field_errors": [str(m) for m in exc.detail]}
        body = {
            "code": "invalid",
            "message": _("提交的数据有误，请按字段提示修改。"),
            "fields": fields,
        }
    else:
        codes = exc.get_codes() if hasattr(exc, "get_codes") else "error"
        code = codes if isinstance(codes, str) else "error"
        body = {"code": code, "message": str(getattr(exc, "detail", exc)), "fields": {}}
    body["fields"] = _fields(body["fields"])
    response.data = body
    return response


def json_404(request, exception=None):
    return Response({"code": "not_found", "message": _("未找到。"), "fields": {}}, status=404)
