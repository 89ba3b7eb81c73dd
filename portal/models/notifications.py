"""Notifications: the in-app inbox, each person's channel choices, the outbox of e-mail/SMS
deliveries and the reminder ledger that makes periodic sweeps idempotent.

- ``Notification``: one message to one person, rendered in that person's language. It is the
  in-app copy (the bell) and always exists.
- ``Delivery``: the outbox. One row per notification per external channel (e-mail, SMS); a
  Celery task claims it atomically and sends it; retries, then ``failed`` (visible in the admin,
  with a resend action).
- ``Reminder``: one row per (kind, object, deadline). A sweep inserts these with
  ON CONFLICT DO NOTHING and notifies only for the rows it inserted itself.
- ``NotificationPreference``: a person's chosen channels and message language.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    IN_APP = "in_app", _("站内消息")
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")


class Reminder(models.Model):
    """The ledger of reminders already issued: unique per (kind, object, deadline). A changed
    deadline is a new key (remindable again); the old one is never sent twice."""

    kind = models.CharField(_("提醒类别"), max_length=64)
    object_type = models.CharField(_("对象类型"), max_length=64)
    object_id = models.CharField(_("对象编号"), max_length=64)
    deadline = models.DateField(_("期限"))
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    # The sweep run that inserted the row: lets a sweep re-select exactly what it inserted.
    sweep = models.UUIDField(_("扫描批次"), editable=False)
    recipients = models.PositiveIntegerField(_("接收人数"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_type", "object_id", "deadline"], name="reminder_once"
            )
        ]
        indexes = [
            models.Index(fields=["sweep"], name="reminder_sweep_idx"),
            models.Index(fields=["object_type", "object_id"], name="reminder_object_idx"),
        ]
        verbose_name = _("提醒记录")
        verbose_name_plural = _("提醒记录")

    def __str__(self) -> str:
        return f"{self.kind} {self.object_type}#{self.object_id} {self.deadline:%Y-%m-%d}"


class Notification(models.Model):
    """An in-app message in a person's inbox (the bell)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("接收人"),
    )
    kind = models.CharField(_("类别"), max_length=64)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    language = models.CharField(_("语言"), max_length=16, blank=True)
    reminder = models.ForeignKey(
        Reminder,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("提醒记录"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                name="notification_unread_idx",
                condition=models.Q(read_at__isnull=True),
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox_idx"),
        ]
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """The outbox: one e-mail or SMS copy of a notification."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    notification = models.ForeignKey(
        Notification,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("站内消息"),
    )
    channel = models.CharField(
        _("渠道"),
        max_length=16,
        choices=[
            (Channel.EMAIL.value, Channel.EMAIL.label),
            (Channel.SMS.value, Channel.SMS.label),
        ],
    )
    address = models.CharField(_("发送地址"), max_length=254)
    subject = models.CharField(_("标题"), max_length=200, blank=True)
    body = models.TextField(_("内容"), blank=True)
    params = models.JSONField(_("短信模板参数"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), default=timezone.now)
    enqueued_at = models.DateTimeField(_("入队时间"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The outbox sweep: only rows still to send, oldest first.
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_outbox_idx",
                condition=models.Q(status__in=["pending", "sending"]),
            ),
            # The admin's "failed" filter.
            models.Index(
                fields=["-created_at"],
                name="delivery_failed_idx",
                condition=models.Q(status="failed"),
            ),
        ]
        verbose_name = _("消息投递")
        verbose_name_plural = _("消息投递")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.address_masked} ({self.get_status_display()})"

    @property
    def address_masked(self) -> str:
        from portal import idnumber

        if self.channel == Channel.SMS:
            return idnumber.mask_mobile(self.address)
        return self.address


class NotificationPreference(models.Model):
    """A person's channel choices. In-app messages are always kept; e-mail and SMS are chosen.
    Without a row the defaults apply: citizens SMS, staff e-mail (portal.notifications)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("用户"),
    )
    email = models.BooleanField(_("电子邮件"), default=False)
    sms = models.BooleanField(_("短信"), default=False)
    language = models.CharField(
        _("消息语言"), max_length=16, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("消息接收设置")
        verbose_name_plural = _("消息接收设置")

    def __str__(self) -> str:
        return str(self.user)
