from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal import idnumber

mobile_validator = RegexValidator(
    r"^1[3-9]\d{9}$", _("请输入11位中国大陆手机号码。"), code="mobile_format"
)


class User(AbstractUser):
    """Everyone who logs in: citizens, proxy agents and staff. Roles are groups (portal.roles)."""

    real_name = models.CharField(_("姓名"), max_length=64, blank=True)
    mobile = models.CharField(
        _("手机号码"), max_length=11, blank=True, validators=[mobile_validator], db_index=True
    )
    id_number = models.CharField(
        _("居民身份证号码"),
        max_length=18,
        blank=True,
        null=True,
        unique=True,
        validators=[idnumber.validate_id_number],
    )

    # Where the person lives (citizens) or serves (proxy agents): the village fills in their
    # applications by default and counts them in the dashboards' village filter.
    address = models.CharField(_("联系地址"), max_length=255, blank=True, db_default="")
    village = models.ForeignKey(
        "portal.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind__in": ("village", "community")},
        verbose_name=_("所在村（社区）"),
    )

    # Raised by "sign out everywhere": every session signed before it no longer verifies.
    session_epoch = models.PositiveIntegerField(
        _("会话代次"), default=0, db_default=0, editable=False
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.real_name or self.get_full_name() or self.username

    @property
    def id_number_masked(self) -> str:
        return idnumber.mask(self.id_number or "")

    @property
    def mobile_masked(self) -> str:
        return idnumber.mask_mobile(self.mobile)

    def has_role(self, *roles: str) -> bool:
        names = getattr(self, "_role_names", None)
        if names is None:
            from portal import user_state

            names = user_state.role_names(self)
            self._role_names = names
        return any(role in names for role in roles)

    @property
    def role_names(self) -> set[str]:
        self.has_role()
        return self._role_names

    @property
    def is_staff_member(self) -> bool:
        return hasattr(self, "staff_profile")

    def save(self, *args, **kwargs):
        if self.id_number == "":
            self.id_number = None
        elif self.id_number:
            self.id_number = idnumber.normalize(self.id_number)
        # set_password() keeps the new raw password until the save (a hasher upgrade at log-in
        # does not): a changed password ends the person's API tokens. Other sessions end by
        # themselves, their session hash no longer matching.
        password_changed = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed:
            from portal import tokens

            tokens.revoke_all(user=self, reason="password")

    def _get_session_auth_hash(self, secret=None):
        """Django's HMAC of the password hash, with the session epoch mixed in once "sign out
        everywhere" has been used (epoch 0 keeps Django's value: no one is signed out by a
        deploy)."""
        value = super()._get_session_auth_hash(secret=secret)
        if not self.session_epoch:
            return value
        from django.utils.crypto import salted_hmac

        return salted_hmac(
            "onewindow.session_epoch",
            f"{value}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()
