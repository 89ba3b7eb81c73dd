"""Evaluation (好差评): the applicant rates a completed application once; a bad rating opens a
rectification (差评整改) that a supervisor follows up — call-back, action, result, closed.

The rater's identity (``rated_by``, ``on_behalf``) is shown to supervisors only; the state of a
rectification moves only through the FSM transition below, called from
approvals.services.evaluations."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from approvals.models.applications import Application


class Rating(models.IntegerChoices):
    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    BASICALLY_SATISFIED = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


# 不满意 and 非常不满意 open a rectification.
BAD_RATINGS = (Rating.DISSATISFIED, Rating.VERY_DISSATISFIED)


class Evaluation(models.Model):
    """One rating per application, by the applicant or by the proxy agent on their behalf."""

    application = models.OneToOneField(
        Application,
        on_delete=models.PROTECT,
        related_name="evaluation",
        verbose_name=_("办件"),
    )
    rating = models.PositiveSmallIntegerField(
        _("评价"),
        choices=Rating.choices,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    comment = models.TextField(_("评价内容"), blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("评价人"),
    )
    on_behalf = models.BooleanField(_("帮代办员代评"), default=False)
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("好差评")
        verbose_name_plural = _("好差评")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="evaluation_rating_1_to_5"
            )
        ]
        indexes = [
            models.Index(fields=["rating", "created_at"], name="evaluation_rating_idx"),
        ]

    def __str__(self) -> str:
        # No rater here: the audit trail and admin lists show this label.
        return f"{self.application_id}: {self.get_rating_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("A rating is given once and never edited.")
        super().save(*args, **kwargs)

    @property
    def is_bad(self) -> bool:
        return self.rating in BAD_RATINGS


class Rectification(models.Model):
    """The follow-up of a bad rating: due in N working days (ONEWINDOW['RECTIFICATION_DAYS'])."""

    class Status(models.TextChoices):
        OPEN = "open", _("整改中")
        CLOSED = "closed", _("已办结")

    evaluation = models.OneToOneField(
        Evaluation,
        on_delete=models.PROTECT,
        related_name="rectification",
        verbose_name=_("评价"),
    )
    status = FSMField(_("状态"), default=Status.OPEN, choices=Status.choices, protected=True)
    opened_on = models.DateField(_("开始日期"))
    due_date = models.DateField(_("整改期限"))
    action_taken = models.TextField(_("整改措施"), blank=True)
    result = models.TextField(_("整改结果"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办结人"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        indexes = [
            models.Index(fields=["status", "due_date"], name="rectification_due_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_status_display()}"

    @transition(field=status, source=Status.OPEN, target=Status.CLOSED)
    def close(self):
        pass


class Callback(models.Model):
    """A call-back (回访) to the citizen: when, who called, how, what the citizen said.
    Append-only."""

    class Method(models.TextChoices):
        PHONE = "phone", _("电话回访")
        VISIT = "visit", _("上门回访")
        HALL = "hall", _("现场回访")
        OTHER = "other", _("其他方式")

    rectification = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, related_name="callbacks"
    )
    called_at = models.DateTimeField(_("回访时间"))
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("回访人"),
    )
    method = models.CharField(_("回访方式"), max_length=8, choices=Method.choices)
    citizen_said = models.TextField(_("群众意见"))
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["called_at", "id"]
        verbose_name = _("回访记录")
        verbose_name_plural = _("回访记录")

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.called_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Call-back records are append-only.")
        super().save(*args, **kwargs)
