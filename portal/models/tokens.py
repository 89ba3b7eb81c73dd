"""API tokens of our own: only a hash of the key is stored; each token has an expiry, a last use,
and can be revoked (by its owner, an administrator, a password change or "sign out everywhere").
Services in portal/tokens.py; the DRF authentication class in portal/authentication.py."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiTokenQuerySet(models.QuerySet):
    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("个人")
        SYSTEM = "system", _("系统账号")

    class RevokedReason(models.TextChoices):
        OWNER = "owner", _("本人撤销")
        ADMIN = "admin", _("管理员撤销")
        PASSWORD = "password", _("密码已修改")
        EVERYWHERE = "everywhere", _("在所有设备上退出")
        ROTATED = "rotated", _("已轮换")
        LIMIT = "limit", _("令牌数量超过上限")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("用户"),
    )
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("用途"), max_length=64, blank=True)
    key_hash = models.CharField(_("密钥摘要"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("密钥开头"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("签发时间"), default=timezone.now)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    expires_at = models.DateTimeField(_("到期时间"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_reason = models.CharField(
        _("撤销原因"), max_length=16, choices=RevokedReason.choices, blank=True
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API令牌")
        verbose_name_plural = _("API令牌")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["user", "expires_at"],
                condition=models.Q(revoked_at__isnull=True),
                name="apitoken_user_live",
            )
        ]

    def __str__(self) -> str:
        return f"{self.masked} ({self.user})"

    @property
    def masked(self) -> str:
        return f"{self.prefix}…"

    def is_active(self, now=None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or timezone.now())

    @property
    def state_label(self) -> str:
        if self.revoked_at:
            return str(_("已撤销"))
        if self.expires_at <= timezone.now():
            return str(_("已过期"))
        return str(_("有效"))
