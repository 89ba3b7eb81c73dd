"""The register of delegated powers (赋权事项清单). A matter row is one *version* of a matter;
all versions share the stable ``code``. Applications point at the exact version in force when
they were accepted."""

import math
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from portal.models import Department, Window
from portal.models.names import localized_name
from portal.pinyin import search_keys


class BusinessCategory(models.Model):
    """A business category of the hall (社会保障, 市场准入…): matters map to it, windows serve
    it, tickets are numbered per category with its prefix."""

    code = models.CharField(_("类别编码"), max_length=32, unique=True)
    name = models.CharField(_("类别名称"), max_length=64, unique=True)
    name_en = models.CharField(_("英文名称"), max_length=128, blank=True)
    ticket_prefix = models.CharField(_("取号字母"), max_length=2, unique=True)
    windows = models.ManyToManyField(
        Window, blank=True, related_name="categories", verbose_name=_("服务窗口")
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("业务类别")
        verbose_name_plural = _("业务类别")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return localized_name(self.name, self.name_en)


class MatterQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for matter in objs:
            matter.fill_search_keys()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        if "name" in fields:
            for matter in objs:
                matter.fill_search_keys()
            fields = [*fields, "search_initials", "search_pinyin"]
        return super().bulk_update(objs, fields, *args, **kwargs)


class Matter(models.Model):
    class Audience(models.TextChoices):
        PERSON = "person", _("自然人")
        ORGANISATION = "organisation", _("法人或其他组织")
        BOTH = "both", _("自然人、法人或其他组织")

    class Kind(models.TextChoices):
        LICENSING = "licensing", _("行政许可")
        PENALTY = "penalty", _("行政处罚")
        COMPULSION = "compulsion", _("行政强制")
        LEVY = "levy", _("行政征收")
        PAYMENT = "payment", _("行政给付")
        INSPECTION = "inspection", _("行政检查")
        CONFIRMATION = "confirmation", _("行政确认")
        AWARD = "award", _("行政奖励")
        ADJUDICATION = "adjudication", _("行政裁决")
        OTHER = "other", _("其他行政权力")
        PUBLIC_SERVICE = "public_service", _("公共服务")

    # Things the town does to people, not services people apply for: never appliable, shown
    # in the guide's separate section 执法事项公示.
    EX_OFFICIO_KINDS = (Kind.PENALTY, Kind.COMPULSION, Kind.INSPECTION)

    class DelegationMode(models.TextChoices):
        DIRECT = "direct", _("直接赋权")
        ENTRUSTED = "entrusted", _("委托行使")
        FORWARD = "forward", _("受理转报")
        OWN = "own", _("本级")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        RETIRED = "retired", _("已停用")

    code = models.CharField(_("事项编码"), max_length=64, db_index=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    status = FSMField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)

    name = models.CharField(_("事项名称"), max_length=200)
    name_en = models.CharField(
        _("英文名称"),
        max_length=300,
        blank=True,
        help_text=_("选填；英文页面显示，空则显示中文名称。"),
    )
    kind = models.CharField(_("事项类型"), max_length=20, choices=Kind.choices)
    delegation_mode = models.CharField(_("行使方式"), max_length=16, choices=DelegationMode.choices)
    delegating_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delegated_matters",
        verbose_name=_("来源部门"),
    )
    handling_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="handled_matters",
        verbose_name=_("办理部门"),
    )
    category = models.ForeignKey(
        BusinessCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="matters",
        verbose_name=_("窗口业务类别"),
    )
    legal_basis = models.TextField(_("设定依据"), blank=True)
    audience = models.CharField(
        _("办理对象"),
        max_length=16,
        choices=Audience.choices,
        default=Audience.PERSON,
        help_text=_("决定网上申请第一步显示个人还是单位信息，以及首页“个人办事/法人办事”。"),
    )

    # The national service-guide standard's fields (办事指南要素); each is optional and shown
    # on the guide page, with the hall's own address, hours and phones as the fallback.
    conditions = models.TextField(_("受理条件"), blank=True)
    visits = models.PositiveSmallIntegerField(
        _("到现场次数"),
        null=True,
        blank=True,
        choices=[(0, _("0次（全程网办）")), (1, _("1次")), (2, _("2次及以上"))],
    )
    office_address = models.CharField(_("办理地点"), max_length=200, blank=True)
    office_hours = models.CharField(_("办公时间"), max_length=200, blank=True)
    enquiry_phone = models.CharField(_("咨询电话"), max_length=64, blank=True)
    complaint_phone = models.CharField(_("监督投诉电话"), max_length=64, blank=True)
    faq = models.TextField(
        _("常见问题"),
        blank=True,
        help_text=_("每条以“问：”开头，下一行以“答：”开头，条与条之间空一行。"),
    )

    statutory_days = models.PositiveSmallIntegerField(
        _("法定时限（工作日）"), validators=[MinValueValidator(1)]
    )
    committed_days = models.PositiveSmallIntegerField(
        _("承诺时限（工作日）"), validators=[MinValueValidator(1)]
    )
    warning_days = models.PositiveSmallIntegerField(
        _("预警阈值（工作日）"),
        null=True,
        blank=True,
        help_text=_("剩余工作日不超过此数即黄牌预警；留空则为承诺时限的20%（向上取整，至少1天）。"),
    )
    suspension_allowed = models.BooleanField(_("允许特别程序中止"), default=True)
    extension_allowed = models.BooleanField(_("允许延期"), default=False)
    max_extension_days = models.PositiveSmallIntegerField(_("最长延期（工作日）"), default=0)

    fee_free = models.BooleanField(_("不收费"), default=True)
    fee_amount = models.DecimalField(
        _("收费金额（元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    fee_basis = models.TextField(_("收费依据"), blank=True)

    channel_hall = models.BooleanField(_("窗口办理"), default=True)
    channel_online = models.BooleanField(_("网上办理"), default=False)
    channel_self_service = models.BooleanField(_("自助终端"), default=False)
    channel_proxy = models.BooleanField(_("帮代办"), default=False)
    special_lane = models.CharField(_("特色标签"), max_length=32, blank=True)
    stages = models.JSONField(_("办理环节"), default=list, blank=True)

    # Optimistic locking of drafts: every saved edit increments it; an edit based on an older
    # revision is refused (409) instead of silently overwriting someone else's work.
    revision = models.PositiveIntegerField(_("修订号"), default=1)
    change_note = models.CharField(_("变更说明"), max_length=200, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布人"),
    )
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    retire_reason = models.CharField(_("停用原因"), max_length=200, blank=True)

    # Filled from the name on every save (and bulk_create): the guide's pinyin search.
    search_initials = models.CharField(_("拼音首字母"), max_length=200, blank=True, editable=False)
    search_pinyin = models.CharField(_("全拼"), max_length=800, blank=True, editable=False)

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = MatterQuerySet.as_manager()

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("事项")
        verbose_name_plural = _("事项")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="matter_code_version_unique"),
            models.CheckConstraint(
                condition=Q(committed_days__lte=models.F("statutory_days")),
                name="matter_committed_within_statutory",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="matter_valid_range_ordered",
            ),
            # A draft may exist beside the version in force, but only one per code.
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(status="draft"),
                name="matter_one_draft_per_code",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(valid_from__isnull=False),
                name="matter_published_has_start",
            ),
            # On PostgreSQL, migration 0003 adds the exclusion constraint
            # matter_versions_no_overlap: non-draft versions of one code never overlap.
        ]
        indexes = [
            models.Index(fields=["status", "valid_from", "valid_to"], name="matter_in_force_idx"),
            models.Index(fields=["handling_department", "status"], name="matter_dept_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code} v{self.version}）"

    def save(self, *args, **kwargs):
        self.fill_search_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_initials", "search_pinyin"}
        super().save(*args, **kwargs)

    def faq_items(self) -> list[dict]:
        """常见问题 as [{"q", "a"}]: "问：" starts a question, "答：" its answer."""
        items: list[dict] = []
        for block in (self.faq or "").replace("\r\n", "\n").split("\n\n"):
            question, answers = "", []
            for line in block.strip().splitlines():
                text = line.strip()
                if text.startswith(("问：", "问:", "Q:")):
                    question = text[2:].strip()
                elif text.startswith(("答：", "答:", "A:")):
                    answers.append(text[2:].strip())
                elif text:
                    answers.append(text)
            if question or answers:
                items.append({"q": question, "a": "\n".join(answers)})
        return items

    def fill_search_keys(self) -> None:
        self.search_initials, self.search_pinyin = search_keys(self.name)
        self.search_initials = self.search_initials[:200]
        self.search_pinyin = self.search_pinyin[:800]

    @property
    def display_name(self) -> str:
        """The name in the page's language (the register is Chinese; English when given)."""
        return localized_name(self.name, getattr(self, "name_en", ""))

    @property
    def for_persons(self) -> bool:
        return self.audience in (self.Audience.PERSON, self.Audience.BOTH)

    @property
    def for_organisations(self) -> bool:
        return self.audience in (self.Audience.ORGANISATION, self.Audience.BOTH)

    # FSM transitions only check guards and change state; approvals.services.register does
    # the locking, the dates, the audit trail.
    @transition(field=status, source=Status.DRAFT, target=Status.PUBLISHED)
    def publish(self):
        pass

    @transition(field=status, source=Status.PUBLISHED, target=Status.RETIRED)
    def retire(self):
        pass

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_ex_officio(self) -> bool:
        """A penalty, compulsion or inspection: exercised by the town, never applied for."""
        return self.kind in self.EX_OFFICIO_KINDS

    @property
    def is_appliable(self) -> bool:
        return not self.is_ex_officio

    def in_force_on(self, day) -> bool:
        return (
            self.status != self.Status.DRAFT
            and self.valid_from is not None
            and self.valid_from <= day
            and (self.valid_to is None or self.valid_to >= day)
        )

    @property
    def channels(self) -> list[str]:
        """The channel keys this version may be handled through, in display order."""
        return [key for key, _label in CHANNELS if getattr(self, f"channel_{key}")]

    def stage_list(self) -> list[dict]:
        """Stages as dicts ({"name", "who", "days"}), whatever form they were stored in."""
        result = []
        for stage in self.stages or []:
            if isinstance(stage, str):
                result.append({"name": stage, "who": "", "days": None})
            elif isinstance(stage, dict) and stage.get("name"):
                result.append(
                    {
                        "name": str(stage["name"]),
                        "who": str(stage.get("who") or ""),
                        "days": stage.get("days"),
                    }
                )
        return result

    @property
    def effective_warning_days(self) -> int:
        if self.warning_days:
            return self.warning_days
        return max(1, math.ceil(self.committed_days * 0.2))

    def clean(self):
        errors = {}
        if (
            self.committed_days
            and self.statutory_days
            and self.committed_days > self.statutory_days
        ):
            errors["committed_days"] = _("承诺时限不得超过法定时限。")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = _("失效日期不得早于生效日期。")
        if self.extension_allowed and not self.max_extension_days:
            errors["max_extension_days"] = _("允许延期时须填写最长延期天数。")
        if not self.extension_allowed and self.max_extension_days:
            errors["max_extension_days"] = _("不允许延期的事项，最长延期应为0。")
        if self.delegation_mode in (self.DelegationMode.FORWARD, self.DelegationMode.ENTRUSTED):
            if not self.delegating_department_id:
                errors["delegating_department"] = _("委托行使和受理转报事项须填写来源部门。")
        if not self.fee_free and self.fee_amount is None:
            errors["fee_amount"] = _("收费事项须填写收费金额。")
        if errors:
            raise ValidationError(errors)


CHANNELS = [
    ("hall", _("窗口办理")),
    ("online", _("网上办理")),
    ("self_service", _("自助终端")),
    ("proxy", _("帮代办")),
]


class Material(models.Model):
    """A material required by one matter version."""

    class Form(models.TextChoices):
        ORIGINAL = "original", _("原件")
        COPY = "copy", _("复印件")
        BOTH = "both", _("原件和复印件")
        ELECTRONIC = "electronic", _("电子材料")

    matter = models.ForeignKey(
        Matter, on_delete=models.CASCADE, related_name="materials", verbose_name=_("事项")
    )
    name = models.CharField(_("材料名称"), max_length=200)
    form = models.CharField(_("原件或复印件"), max_length=16, choices=Form.choices)
    copies = models.PositiveSmallIntegerField(_("份数"), default=1)
    mandatory = models.BooleanField(_("是否必需"), default=True)
    tolerated_missing = models.BooleanField(_("是否容缺"), default=False)
    blank_form = models.FileField(
        _("空白表格"), upload_to="register/forms/", blank=True, max_length=255
    )
    sample_form = models.FileField(
        _("示例样表"), upload_to="register/samples/", blank=True, max_length=255
    )
    notes = models.TextField(_("填写说明"), blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["matter", "order", "id"]
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        constraints = [
            models.UniqueConstraint(fields=["matter", "name"], name="material_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def plain_form(self) -> str:
        """What to bring or send, in plain words (the register says 原件/复印件/电子材料)."""
        return str(PLAIN_FORMS.get(self.form, self.get_form_display()))


PLAIN_FORMS = {
    Material.Form.ORIGINAL: _("带原件（核对后退还）"),
    Material.Form.COPY: _("交复印件"),
    Material.Form.BOTH: _("带原件核对，并交复印件"),
    Material.Form.ELECTRONIC: _("拍照或扫描后上传，不用交纸质件"),
}


class DelegationInstrument(models.Model):
    """A delegation instrument (赋权书): one batch of powers delegated, adjusted or taken back
    on one effective date, with its handover list (交接单)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("待生效登记")
        APPLIED = "applied", _("已登记生效")

    title = models.CharField(_("标题"), max_length=200)
    document_number = models.CharField(_("文号"), max_length=100, unique=True)
    issuing_authority = models.CharField(_("发文机关"), max_length=128)
    effective_date = models.DateField(_("生效日期"))
    end_date = models.DateField(_("截止日期"), null=True, blank=True)
    handover_list = models.FileField(
        _("交接单"), upload_to="register/handover/", blank=True, max_length=255
    )
    notes = models.TextField(_("备注"), blank=True)
    status = FSMField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    applied_at = models.DateTimeField(_("生效登记时间"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("生效登记人"),
    )

    class Meta:
        ordering = ["-effective_date", "-id"]
        verbose_name = _("赋权书")
        verbose_name_plural = _("赋权书")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("effective_date")),
                name="instrument_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_number} {self.title}"

    @transition(field=status, source=Status.DRAFT, target=Status.APPLIED)
    def apply(self):
        pass

    def clean(self):
        if self.end_date and self.effective_date and self.end_date < self.effective_date:
            raise ValidationError({"end_date": _("截止日期不得早于生效日期。")})


class DelegationItem(models.Model):
    """One line of an instrument: a power delegated, adjusted or taken back."""

    class Action(models.TextChoices):
        DELEGATE = "delegate", _("赋权")
        ADJUST = "adjust", _("调整")
        TAKE_BACK = "take_back", _("收回")

    instrument = models.ForeignKey(
        DelegationInstrument,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("赋权书"),
    )
    action = models.CharField(_("类型"), max_length=16, choices=Action.choices)
    code = models.CharField(_("事项编码"), max_length=64, db_index=True)
    matter = models.ForeignKey(
        Matter,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delegation_items",
        verbose_name=_("事项版本"),
        help_text=_("赋权、调整：将发布的草稿版本；收回：被终止的版本（生效登记时填入）。"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["instrument", "order", "id"]
        verbose_name = _("赋权书事项")
        verbose_name_plural = _("赋权书事项")
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="instrument_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.code}"


class RegisterImportJob(models.Model):
    """One spreadsheet import: the uploaded file is kept with the job (so any worker can read
    it without shared storage), checked and previewed in the background, then applied."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        CHECKING = "checking", _("校验中")
        INVALID = "invalid", _("校验未通过")
        READY = "ready", _("待确认导入")
        APPLYING = "applying", _("导入中")
        APPLIED = "applied", _("已导入")
        FAILED = "failed", _("失败")

    FINISHED = (Status.INVALID, Status.APPLIED, Status.FAILED)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    file_name = models.CharField(_("文件名"), max_length=255)
    file_size = models.PositiveIntegerField(_("文件大小（字节）"), default=0)
    file_sha256 = models.CharField(_("文件校验值"), max_length=64, blank=True)
    source = models.BinaryField(_("上传文件"), editable=False)
    language = models.CharField(_("语言"), max_length=16, default="zh-hans")
    retire_missing = models.BooleanField(
        _("停用文件中没有的事项"),
        default=False,
        help_text=_("仅在明确选择时按全量清单导入：现行事项不在文件中的，导入时停用。"),
    )
    status = FSMField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    progress_note = models.CharField(_("进度说明"), max_length=200, blank=True)
    errors = models.JSONField(_("问题清单"), default=list, blank=True)
    report = models.JSONField(_("导入报告"), default=dict, blank=True)
    plan_fingerprint = models.CharField(_("预览指纹"), max_length=64, blank=True)
    failure = models.TextField(_("失败原因"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认导入人"),
    )
    # The versions the import retired, with the dates they had before: what an undo restores.
    retired_versions = models.JSONField(_("本次停用的版本"), default=list, blank=True)
    undone_at = models.DateTimeField(_("撤销停用时间"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("撤销停用人"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("清单导入任务")
        verbose_name_plural = _("清单导入任务")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.CHECKING, self.Status.APPLYING)

    @staticmethod
    def undo_days() -> int:
        return int(settings.ONEWINDOW.get("REGISTER_IMPORT_UNDO_DAYS", 30))

    @property
    def undo_until(self):
        """The last moment the import's retirements can be undone."""
        if not self.applied_at:
            return None
        from datetime import timedelta

        return self.applied_at + timedelta(days=self.undo_days())

    def can_undo_retirements(self, now=None) -> bool:
        from django.utils import timezone

        return bool(
            self.status == self.Status.APPLIED
            and self.retired_versions
            and self.undone_at is None
            and self.undo_until
            and (now or timezone.now()) <= self.undo_until
        )


class LifeEvent(models.Model):
    """A life event (一件事: 生育、就业、开办企业、建房、养老…): the matters a resident or a company
    needs for it, listed by code (the version in force is shown), in the order to do them."""

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    name_en = models.CharField(_("英文名称"), max_length=128, blank=True)
    summary = models.CharField(_("简介"), max_length=200, blank=True)
    summary_en = models.CharField(_("英文简介"), max_length=300, blank=True)
    audience = models.CharField(
        _("办理对象"),
        max_length=16,
        choices=Matter.Audience.choices,
        default=Matter.Audience.PERSON,
    )
    matter_codes = models.JSONField(
        _("事项编码"), default=list, blank=True, help_text=_("按办理顺序排列的事项编码列表。")
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("一件事")
        verbose_name_plural = _("一件事")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return localized_name(self.name, self.name_en)

    @property
    def display_summary(self) -> str:
        return localized_name(self.summary, self.summary_en)

    def clean(self):
        codes = self.matter_codes
        if not isinstance(codes, list) or not all(isinstance(c, str) and c for c in codes):
            raise ValidationError({"matter_codes": _('请填写事项编码的列表，如 ["XB-GG-007"]。')})
