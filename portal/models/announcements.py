from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AnnouncementQuerySet(models.QuerySet):
    def current(self, on=None):
        today = on or timezone.localdate()
        return self.filter(is_active=True, published_on__lte=today).filter(
            models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=today)
        )


class Announcement(models.Model):
    """A notice of the service centre shown on the home page (opening hours at the holidays, a
    new service, a change of window)."""

    title = models.CharField(_("标题"), max_length=120)
    title_en = models.CharField(_("英文标题"), max_length=200, blank=True)
    body = models.TextField(_("正文"), blank=True)
    body_en = models.TextField(_("英文正文"), blank=True)
    published_on = models.DateField(_("发布日期"), default=timezone.localdate)
    expires_on = models.DateField(_("截止日期"), null=True, blank=True)
    pinned = models.BooleanField(_("置顶"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        ordering = ["-pinned", "-published_on", "-id"]
        verbose_name = _("公告")
        verbose_name_plural = _("公告")
        indexes = [models.Index(fields=["is_active", "published_on"], name="announcement_live_idx")]

    def __str__(self) -> str:
        return self.title
