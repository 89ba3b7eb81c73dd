"""Opening files the portal stored (uploads, photos, generated documents) for a download.

A file whose record exists but whose bytes are gone from the disk (a restore without the media
folder, a volume that was not mounted) is not the requester's fault and must not crash: the
requester gets a JSON error (or the HTML 404 page), and the operators — active superusers —
get one in-app alert per missing file, however often it is asked for."""

import hashlib
import logging

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import NotFound

log = logging.getLogger(__name__)

ALERT_KIND = "portal.file_missing"


class StoredFileMissing(NotFound):
    default_code = "file_missing"
    default_detail = gettext_lazy("文件在服务器上缺失，已通知管理员。")


def _operators():
    """The administrators of the installation (superusers): staff of the township are
    ``is_staff`` too, and a missing file is not their business."""
    from portal.models import User

    return User.objects.filter(is_active=True, is_superuser=True)


def report_missing(name: str, *, what: str = "") -> int:
    """Log the missing file and alert the operators once per file name. Returns how many
    alerts were written now (0 when they were told before)."""
    from portal.models import Notification
    from portal.notifications import notify_many

    log.error("stored file missing on disk: %s (%s)", name, what or "file")
    key = hashlib.sha256((name or "").encode()).hexdigest()[:64]
    if Notification.objects.filter(
        kind=ALERT_KIND, object_type="stored_file", object_id=key
    ).exists():
        return 0
    return notify_many(
        recipients=list(_operators()),
        kind=ALERT_KIND,
        obj=("stored_file", key),
        context={"name": (name or "")[-150:], "what": what or _("文件")},
        channels=["in_app"],
    )


def open_stored(stored, *, what: str = ""):
    """``stored.open("rb")``, or StoredFileMissing (after the operators' alert)."""
    name = getattr(stored, "name", "") or ""
    if not name:
        raise StoredFileMissing()
    try:
        return stored.open("rb")
    except (FileNotFoundError, IsADirectoryError, ValueError, OSError):
        report_missing(name, what=what)
        raise StoredFileMissing() from None
