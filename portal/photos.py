"""Evidence photos: one place that accepts, stores and serves the photos of every app.

    from portal import photos

    checked = photos.check_many(request.FILES.getlist("photos"), field="photos")  # all problems
    stored = photos.store_many(checked, actor=user, purpose="grid.incident")      # in your txn
    photos.thumbnail_response(photo, actor=user, obj=incident)   # audited read, EXIF-free
    photos.original_response(photo, actor=user, obj=incident)    # audited read of the evidence
    photos.verify(photo)                                         # SHA-256 still matches?

Rules:
- content is checked by its magic bytes (JPEG, PNG, WebP), never by the name or the browser's
  content type, then opened with Pillow (size and pixel limits: no decompression bombs);
- the original is written exactly as received, with its SHA-256 — never re-encoded;
- the thumbnail has the EXIF orientation applied and carries no EXIF at all (no location);
- every read (thumbnail or original) goes into the audit trail, against the object the caller
  names (the incident, the case), so "who looked at this evidence" is answerable.

The caller checks that ``actor`` may see ``obj`` before asking for a file; this module does
not know incidents or cases (the core imports no domain app)."""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal import audit
from portal.errors import ActionError, NotFound
from portal.models.photos import Photo

log = logging.getLogger(__name__)

MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "PNG"),
)
WEBP = ("image/webp", "WEBP")

EXIF_IFD = 0x8769
GPS_IFD = 0x8825
DATETIME_ORIGINAL = 36867


class PhotoRejected(ActionError):
    default_code = "photo_rejected"


class PhotoMissing(NotFound):
    default_code = "photo_missing"


@dataclass(frozen=True)
class Checked:
    """An upload that passed every check, ready to store."""

    content: bytes
    content_type: str
    name: str
    width: int
    height: int
    sha256: str


def max_bytes() -> int:
    return settings.PHOTO_MAX_BYTES


def _sniff(head: bytes) -> tuple[str, str] | None:
    for magic, content_type, pil_format in MAGIC:
        if head.startswith(magic):
            return content_type, pil_format
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None


def check(upload, *, field: str = "photos") -> Checked:
    """Read and check one uploaded file (a Django UploadedFile, or bytes). Raises PhotoRejected
    naming the file and the field."""
    from PIL import Image

    name = getattr(upload, "name", "") or ""
    label = name or _("照片")
    size = getattr(upload, "size", None)
    limit = max_bytes()
    if size is not None and size > limit:
        raise _rejected(field, label, _too_big(limit))
    if isinstance(upload, bytes | bytearray):
        content = bytes(upload)
    else:
        upload.seek(0)
        content = upload.read(limit + 1)
    if len(content) > limit:
        raise _rejected(field, label, _too_big(limit))
    if not content:
        raise _rejected(field, label, _("文件是空的。"))
    sniffed = _sniff(content[:16])
    if sniffed is None:
        raise _rejected(field, label, _("不是照片：只接受 JPEG、PNG 或 WebP 图片。"))
    content_type, pil_format = sniffed
    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.format != pil_format:
                raise ValueError("format mismatch")
            width, height = image.size
            if width * height > settings.PHOTO_MAX_PIXELS:
                raise _rejected(field, label, _("照片像素过大，请压缩后再上传。"))
            image.verify()
    except PhotoRejected:
        raise
    except Exception:  # noqa: BLE001 - any failure to decode means a damaged or fake image
        raise _rejected(field, label, _("照片已损坏，无法读取。")) from None
    return Checked(
        content=content,
        content_type=content_type,
        name=name[:255],
        width=width,
        height=height,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def check_many(
    uploads, *, field: str = "photos", min_count: int = 0, max_count: int | None = None
) -> list[Checked]:
    """Check every file and report every problem at once (one message per file)."""
    uploads = list(uploads or [])
    max_count = settings.PHOTO_MAX_COUNT if max_count is None else max_count
    problems: list[str] = []
    if len(uploads) < min_count:
        problems.append(
            ngettext("请至少上传%(n)s张照片。", "请至少上传%(n)s张照片。", min_count)
            % {"n": min_count}
        )
    if len(uploads) > max_count:
        problems.append(
            ngettext("最多上传%(n)s张照片。", "最多上传%(n)s张照片。", max_count) % {"n": max_count}
        )
    checked = []
    for upload in uploads:
        try:
            checked.append(check(upload, field=field))
        except PhotoRejected as exc:
            problems.extend(exc.fields.get(field, [exc.message]))
    if problems:
        raise PhotoRejected(problems[0], code="photo_rejected", fields={field: problems})
    return checked


def _too_big(limit: int) -> str:
    return _("照片超过 %(mb)s MB。") % {"mb": f"{limit / (1024 * 1024):.0f}"}


def _rejected(field: str, label: str, problem: str) -> PhotoRejected:
    message = _("%(name)s：%(problem)s") % {"name": label, "problem": problem}
    return PhotoRejected(message, code="photo_rejected", fields={field: [message]})


# --- storing ------------------------------------------------------------------------------------


def _exif_facts(content: bytes) -> tuple[datetime | None, float | None, float | None]:
    """When and where the camera says the photo was taken (None when it does not say)."""
    from PIL import Image

    taken_at = lat = lng = None
    try:
        with Image.open(io.BytesIO(content)) as image:
            exif = image.getexif()
            raw = exif.get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL) or exif.get(306)
            if raw:
                naive = datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
                taken_at = timezone.make_aware(naive)
            gps = exif.get_ifd(GPS_IFD)
            if gps.get(2) and gps.get(4):
                lat = _degrees(gps[2], gps.get(1, "N"), "S")
                lng = _degrees(gps[4], gps.get(3, "E"), "W")
    except Exception:  # noqa: BLE001 - EXIF is a hint, never a reason to refuse the photo
        log.info("unreadable EXIF ignored", exc_info=True)
    return taken_at, lat, lng


def _degrees(value, ref, negative: str) -> float | None:
    try:
        d, m, s = (float(x) for x in value)
    except (TypeError, ValueError):
        return None
    result = d + m / 60 + s / 3600
    if str(ref).upper().startswith(negative):
        result = -result
    return round(result, 7)


def make_thumbnail(content: bytes, *, size: int | None = None) -> bytes:
    """A JPEG no larger than ``size`` px, upright (EXIF orientation applied), with no EXIF."""
    from PIL import Image, ImageOps

    size = size or settings.PHOTO_THUMBNAIL_PX
    with Image.open(io.BytesIO(content)) as image:
        upright = ImageOps.exif_transpose(image)
        upright.thumbnail((size, size))
        if upright.mode in ("RGBA", "LA", "P"):
            rgba = upright.convert("RGBA")
            background = Image.new("RGB", rgba.size, (255, 255, 255))
            background.paste(rgba, mask=rgba.getchannel("A"))
            upright = background
        elif upright.mode != "RGB":
            upright = upright.convert("RGB")
        out = io.BytesIO()
        # No exif= argument: Pillow writes no EXIF (and so no location) into the thumbnail.
        upright.save(out, format="JPEG", quality=80, optimize=True)
        return out.getvalue()


def store(checked: Checked, *, actor, purpose: str) -> Photo:
    """Write the original unaltered and its EXIF-free thumbnail; audit the upload. Run inside
    the caller's transaction (a rolled-back caller leaves at most unreferenced files)."""
    taken_at, lat, lng = _exif_facts(checked.content)
    photo = Photo(
        purpose=purpose[:64],
        sha256=checked.sha256,
        content_type=checked.content_type,
        size=len(checked.content),
        width=checked.width,
        height=checked.height,
        original_name=checked.name,
        taken_at=taken_at,
        exif_lat=lat,
        exif_lng=lng,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    photo.original.save("original", ContentFile(checked.content), save=False)
    photo.thumbnail.save("thumb", ContentFile(make_thumbnail(checked.content)), save=False)
    photo.save()
    audit.record(
        actor=actor if getattr(actor, "pk", None) else (actor or "system"),
        action="photo.store",
        obj=photo,
        after={"purpose": photo.purpose, "sha256": photo.sha256, "size": photo.size},
    )
    return photo


def store_many(checked: list[Checked], *, actor, purpose: str) -> list[Photo]:
    return [store(item, actor=actor, purpose=purpose) for item in checked]


# --- reading ------------------------------------------------------------------------------------


def _open(photo: Photo, which: str):
    stored = photo.original if which == "original" else photo.thumbnail
    try:
        return stored.open("rb")
    except (FileNotFoundError, ValueError, OSError):
        from portal.stored_files import report_missing

        report_missing(stored.name or f"photo {photo.pk}", what=_("照片"))
        raise PhotoMissing(_("照片文件缺失，已通知管理员。"), code="photo_missing") from None


def _read(photo: Photo, which: str, *, actor, obj) -> FileResponse:
    handle = _open(photo, which)
    audit.record(
        actor=actor if getattr(actor, "pk", None) else (actor or "system"),
        action="photo.read_original" if which == "original" else "photo.view",
        obj=obj if obj is not None else photo,
        after={"photo": photo.public_id.hex, "sha256": photo.sha256},
    )
    response = FileResponse(
        handle,
        content_type=photo.content_type if which == "original" else "image/jpeg",
        as_attachment=which == "original",
        filename=f"{photo.public_id.hex}.{photo.extension if which == 'original' else 'jpg'}",
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def thumbnail_response(photo: Photo, *, actor, obj=None) -> FileResponse:
    """The EXIF-free thumbnail, for pages. Audited against ``obj``."""
    return _read(photo, "thumbnail", actor=actor, obj=obj)


def original_response(photo: Photo, *, actor, obj=None) -> FileResponse:
    """The original as received (evidence), as a download. Audited against ``obj``."""
    return _read(photo, "original", actor=actor, obj=obj)


def verify(photo: Photo) -> bool:
    """Whether the stored original still has the SHA-256 recorded at upload."""
    digest = hashlib.sha256()
    with _open(photo, "original") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest() == photo.sha256
