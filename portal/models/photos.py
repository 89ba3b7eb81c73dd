"""Evidence photos, shared by every app (incidents, patrols, enforcement cases).

The original is stored exactly as received, with its SHA-256: it is evidence and is never
altered, re-encoded or served to anyone without an audited read. What people see is the
thumbnail, made from it with the EXIF orientation applied and every EXIF tag (the location
first of all) removed. Domain apps link photos to their objects with their own tables
(``grid.IncidentPhoto``…) and check access before asking :mod:`portal.photos` for a file."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def _original_path(instance, filename):
    day = instance.uploaded_at_path()
    return f"photos/{day}/{instance.public_id.hex}.{instance.extension}"


def _thumbnail_path(instance, filename):
    day = instance.uploaded_at_path()
    return f"photos/{day}/{instance.public_id.hex}.thumb.jpg"


class Photo(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    purpose = models.CharField(
        _("用途"), max_length=64, help_text=_("哪个业务的照片，如 grid.incident。")
    )
    original = models.FileField(_("原始照片"), upload_to=_original_path, max_length=200)
    thumbnail = models.FileField(_("缩略图"), upload_to=_thumbnail_path, max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    content_type = models.CharField(_("文件类型"), max_length=32)
    size = models.PositiveIntegerField(_("大小（字节）"))
    width = models.PositiveIntegerField(_("宽"))
    height = models.PositiveIntegerField(_("高"))
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    # From the original's EXIF (when the camera wrote them): kept as evidence metadata, never
    # shown in the thumbnail.
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    exif_lat = models.FloatField(_("拍摄纬度"), null=True, blank=True)
    exif_lng = models.FloatField(_("拍摄经度"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("证据照片")
        verbose_name_plural = _("证据照片")

    def __str__(self) -> str:
        return f"{self.public_id.hex[:12]} ({self.sha256[:12]})"

    @property
    def extension(self) -> str:
        return {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}.get(
            self.content_type, "bin"
        )

    def uploaded_at_path(self) -> str:
        from django.utils import timezone

        moment = self.uploaded_at or timezone.now()
        return timezone.localtime(moment).strftime("%Y/%m")
