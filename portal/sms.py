"""The SMS gateway interface.

Chinese SMS gateways send pre-approved templates: each message kind maps to a template id
(``SMS_TEMPLATE_IDS``, e.g. ``calendar.next_year_missing=SMS_0001,*=SMS_0000``) and is sent
with its parameters; the rendered text goes along for gateways (and logs) that take free text.

Backends, chosen by ``SMS_BACKEND``:
- ``console`` (local default): writes the message to the log;
- ``file``: appends one JSON line per message to ``SMS_FILE_PATH`` (local runs, tests);
- ``locmem``: keeps messages in ``portal.sms.outbox`` (unit tests);
- ``http``: POSTs JSON to ``SMS_URL`` with ``Authorization: Bearer <SMS_KEY>``;
- or the dotted path of a class with the same ``send`` method.

A backend raises ``SmsError`` for a failure worth retrying (network, 5xx, 429) and
``PermanentSmsError`` for one that will not get better (4xx, no template id).
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class SmsError(Exception):
    """A failure worth retrying."""


class PermanentSmsError(SmsError):
    """A failure that retrying will not fix."""


@dataclass(frozen=True)
class SmsMessage:
    mobile: str
    text: str
    kind: str = ""
    params: dict = field(default_factory=dict)

    @property
    def template_id(self) -> str:
        ids = settings.SMS_TEMPLATE_IDS
        return ids.get(self.kind) or ids.get("*", "")


class BaseBackend:
    def send(self, message: SmsMessage) -> str:
        """Send one message; return the gateway's message id (or "")."""
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    def send(self, message: SmsMessage) -> str:
        log.info(
            "SMS to %s [%s %s]: %s",
            _mask(message.mobile),
            message.kind,
            message.template_id or "-",
            message.text,
        )
        return ""


class FileBackend(BaseBackend):
    def send(self, message: SmsMessage) -> str:
        path = settings.SMS_FILE_PATH
        if not path:
            raise PermanentSmsError("SMS_FILE_PATH is not set")
        line = {
            "mobile": message.mobile,
            "kind": message.kind,
            "template_id": message.template_id,
            "params": message.params,
            "text": message.text,
        }
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        return ""


outbox: list[SmsMessage] = []


class LocmemBackend(BaseBackend):
    def send(self, message: SmsMessage) -> str:
        outbox.append(message)
        return str(len(outbox))


class HttpBackend(BaseBackend):
    """A JSON-over-HTTPS gateway: POST {mobile, template_id, params, text}; 2xx is success.
    Adapters for a vendor's own signature scheme subclass this and override ``request``."""

    def request(self, message: SmsMessage) -> urllib.request.Request:
        if not settings.SMS_URL:
            raise PermanentSmsError("SMS_URL is not set")
        if not message.template_id:
            raise PermanentSmsError(f"no SMS template id for {message.kind!r} (SMS_TEMPLATE_IDS)")
        payload = {
            "mobile": message.mobile,
            "template_id": message.template_id,
            "params": message.params,
            "text": message.text,
        }
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if settings.SMS_KEY:
            headers["Authorization"] = f"Bearer {settings.SMS_KEY}"
        return urllib.request.Request(
            settings.SMS_URL,
            data=json.dumps(payload, ensure_ascii=False).encode(),
            headers=headers,
            method="POST",
        )

    def send(self, message: SmsMessage) -> str:
        req = self.request(message)
        try:
            with urllib.request.urlopen(req, timeout=settings.SMS_TIMEOUT) as resp:
                raw = resp.read(65536)
        except urllib.error.HTTPError as exc:
            detail = f"HTTP {exc.code} from the SMS gateway"
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                raise PermanentSmsError(detail) from exc
            raise SmsError(detail) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsError(f"SMS gateway unreachable: {exc}") from exc
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            return ""
        if isinstance(data, dict):
            if data.get("ok") is False:
                raise SmsError(str(data.get("error") or "the SMS gateway refused the message"))
            return str(data.get("id") or data.get("message_id") or "")
        return ""


BACKENDS = {
    "console": ConsoleBackend,
    "file": FileBackend,
    "locmem": LocmemBackend,
    "http": HttpBackend,
}


def get_backend() -> BaseBackend:
    name = settings.SMS_BACKEND
    cls = BACKENDS.get(name) or import_string(name)
    return cls()


def send(*, mobile: str, text: str, kind: str = "", params: dict | None = None) -> str:
    return get_backend().send(SmsMessage(mobile=mobile, text=text, kind=kind, params=params or {}))


def _mask(mobile: str) -> str:
    from portal import idnumber

    return idnumber.mask_mobile(mobile)
