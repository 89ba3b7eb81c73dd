"""What every enforcement service shares: the actor's label, role and scope checks, uploads."""

from __future__ import annotations

import hashlib

from django.utils.translation import gettext as _

from enforcement.selectors import scope as scope_sel
from portal import roles
from portal.errors import ActionError, Forbidden

MAX_UPLOAD_BYTES = 50 * 1024 * 1024

# Magic numbers of the files accepted as photos, audio, video and documents.
MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg", "photo"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "photo"),
    (b"RIFF", "riff", ""),  # WebP image or WAV audio: told apart below
    (b"%PDF-", "application/pdf", "document"),
    (b"ID3", "audio/mpeg", "audio"),
    (b"\xff\xfb", "audio/mpeg", "audio"),
    (b"\xff\xf3", "audio/mpeg", "audio"),
    (b"OggS", "audio/ogg", "audio"),
    (b"\x1aE\xdf\xa3", "video/webm", "video"),
)


def actor_label(actor) -> str:
    if getattr(actor, "pk", None):
        return str(actor)
    return str(actor) if isinstance(actor, str) and actor else "系统"


def actor_user(actor):
    return actor if getattr(actor, "pk", None) else None


def audit_actor(actor):
    return actor if getattr(actor, "pk", None) else (actor if isinstance(actor, str) else "system")


def require_role(actor, *role_names: str):
    user = actor_user(actor)
    if user is None or not (user.is_superuser or user.has_role(*role_names)):
        raise Forbidden(_("您的角色不能执行此操作。"), code="role_not_allowed")


def require_squad(actor, squad_id, *, leader: bool = False):
    """``actor`` works in (or, with ``leader``, leads) the squad, or is bureau staff."""
    user = actor_user(actor)
    if user is None:
        return
    if leader:
        if user.is_superuser or user.has_role(roles.BUREAU_HEAD):
            return
        if squad_id in scope_sel.leads_squad_of(user):
            return
        raise Forbidden(_("只有本中队中队长或局负责人可以执行此操作。"), code="not_squad_leader")
    if scope_sel.is_bureau(user) or squad_id in scope_sel.squad_ids(user):
        return
    raise Forbidden(_("该事项不属于您的中队。"), code="not_your_squad")


def sniff(head: bytes, name: str = "") -> tuple[str, str]:
    """(content type, kind) from the first bytes of a file, or ("", "") when not accepted."""
    for magic, content_type, kind in MAGIC:
        if head.startswith(magic):
            if content_type == "riff":
                if head[8:12] == b"WEBP":
                    return "image/webp", "photo"
                if head[8:12] == b"WAVE":
                    return "audio/wav", "audio"
                if head[8:12] == b"AVI ":
                    return "video/x-msvideo", "video"
                return "", ""
            return content_type, kind
    if head[4:8] == b"ftyp":  # MP4 / MOV / M4A / HEIC
        brand = head[8:12]
        if brand in (b"M4A ", b"M4B "):
            return "audio/mp4", "audio"
        if brand in (b"heic", b"heix", b"mif1"):
            return "image/heic", "photo"
        return "video/mp4", "video"
    return "", ""


def read_upload(uploaded, *, field: str, kinds=("photo",)) -> tuple[bytes, str, str, str]:
    """Read an uploaded file (a Django File, or a (name, bytes) pair) and check its type by
    content. Returns (content, original name, content type, SHA-256)."""
    if isinstance(uploaded, tuple | list):
        name, content = uploaded[0], bytes(uploaded[1])
    else:
        name = getattr(uploaded, "name", "") or "upload"
        size = getattr(uploaded, "size", None)
        if size is not None and size > MAX_UPLOAD_BYTES:
            raise ActionError(
                _("文件过大（上限50MB）。"), code="file_too_large", fields={field: _("文件过大。")}
            )
        if hasattr(uploaded, "seek"):
            uploaded.seek(0)
        content = uploaded.read()
    if len(content) > MAX_UPLOAD_BYTES:
        raise ActionError(
            _("文件过大（上限50MB）。"), code="file_too_large", fields={field: _("文件过大。")}
        )
    if not content:
        raise ActionError(_("文件是空的。"), code="file_empty", fields={field: _("文件是空的。")})
    content_type, kind = sniff(content[:16], name)
    if kind not in kinds:
        raise ActionError(
            _("不支持的文件类型：%(name)s。") % {"name": str(name)[:80]},
            code="file_type",
            fields={field: _("不支持的文件类型。")},
        )
    return content, str(name)[:255], content_type, hashlib.sha256(content).hexdigest()
