"""Forms of the register pages (the public guide's search and the administration)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.models import DelegationInstrument, DelegationItem, Material, Matter
from approvals.models.register import CHANNELS
from portal.models import Department

MATTER_FORM_FIELDS = [
    "name",
    "kind",
    "delegation_mode",
    "delegating_department",
    "handling_department",
    "category",
    "legal_basis",
    "audience",
    "name_en",
    "conditions",
    "visits",
    "office_address",
    "office_hours",
    "enquiry_phone",
    "complaint_phone",
    "faq",
    "statutory_days",
    "committed_days",
    "warning_days",
    "suspension_allowed",
    "extension_allowed",
    "max_extension_days",
    "fee_free",
    "fee_amount",
    "fee_basis",
    "channel_hall",
    "channel_online",
    "channel_self_service",
    "channel_proxy",
    "special_lane",
    "change_note",
]


class GuideSearchForm(forms.Form):
    q = forms.CharField(
        label=_("搜索事项"),
        required=False,
        max_length=100,
        help_text=_("事项名称的一部分、拼音首字母或事项编码，如：宅基地、lnr（老年人）、XB-XK-001"),
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("如：养老保险、lnr"),
                "autocomplete": "off",
                "enterkeyhint": "search",
            }
        ),
    )
    audience = forms.ChoiceField(label=_("办理对象"), required=False)
    department = forms.ChoiceField(label=_("部门"), required=False)
    kind = forms.ChoiceField(label=_("事项类型"), required=False)
    channel = forms.ChoiceField(label=_("办理渠道"), required=False)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("全部部门"))] + [
            (d.code, d.name) for d in departments
        ]
        self.fields["audience"].choices = [
            ("", _("个人和法人")),
            (Matter.Audience.PERSON, _("个人办事")),
            (Matter.Audience.ORGANISATION, _("法人办事")),
        ]
        self.fields["kind"].choices = [("", _("全部类型"))] + [
            (value, label)
            for value, label in Matter.Kind.choices
            if value not in Matter.EX_OFFICIO_KINDS
        ]
        self.fields["channel"].choices = [("", _("全部渠道")), *CHANNELS]


class StagesField(forms.CharField):
    """Stages of the process chart, one per line: ``name | who | working days``."""

    widget = forms.Textarea(attrs={"rows": 5})

    def prepare_value(self, value):
        if isinstance(value, list):
            lines = []
            for stage in value:
                if isinstance(stage, str):
                    lines.append(stage)
                elif isinstance(stage, dict):
                    parts = [str(stage.get("name", "")), str(stage.get("who") or "")]
                    if stage.get("days") not in (None, ""):
                        parts.append(str(stage["days"]))
                    lines.append(" | ".join(parts).rstrip(" |"))
            return "\n".join(lines)
        return value

    def to_python(self, value):
        stages = []
        for number, line in enumerate((value or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            stage = {"name": parts[0], "who": parts[1] if len(parts) > 1 else "", "days": None}
            if len(parts) > 2 and parts[2]:
                try:
                    stage["days"] = int(parts[2])
                except ValueError:
                    raise forms.ValidationError(
                        _("第%(line)s行：时限应为整数。") % {"line": number}
                    ) from None
            if not stage["name"]:
                raise forms.ValidationError(_("第%(line)s行：缺少环节名称。") % {"line": number})
            if "→" in stage["name"] or "->" in stage["name"]:
                # the spreadsheet joins stages with arrows: a name holding one would split
                raise forms.ValidationError(
                    _("第%(line)s行：环节名称不能含有“→”或“->”。") % {"line": number}
                )
            stages.append(stage)
        return stages


class MatterForm(forms.ModelForm):
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    stages = StagesField(
        label=_("办理环节"),
        required=False,
        help_text=_("每行一个环节：名称 | 承办人或部门 | 工作日（后两项可省略）。"),
    )

    class Meta:
        model = Matter
        fields = ["code", *MATTER_FORM_FIELDS]
        widgets = {
            "legal_basis": forms.Textarea(attrs={"rows": 3}),
            "conditions": forms.Textarea(attrs={"rows": 3}),
            "faq": forms.Textarea(attrs={"rows": 4}),
            "fee_basis": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["code"]
        else:
            self.fields["code"].help_text = _("字母、数字和“-”，同一事项的各版本共用。")
        self.fields["delegating_department"].queryset = Department.objects.filter(is_active=True)
        self.fields["handling_department"].queryset = Department.objects.filter(is_active=True)
        self.fields["audience"].required = False
        if self.instance and self.instance.pk:
            self.fields["revision"].initial = self.instance.revision
            self.fields["stages"].initial = self.instance.stages

    def clean_code(self):
        from approvals.register_io import CODE_RE

        code = (self.cleaned_data.get("code") or "").strip()
        if not CODE_RE.match(code):
            raise forms.ValidationError(_("事项编码只能由字母、数字、“-”“_”“.”组成，最长64位。"))
        return code

    def clean_audience(self):
        return self.cleaned_data.get("audience") or self.instance.audience or Matter.Audience.PERSON

    def validate_unique(self):
        """Code/version uniqueness is the service's business (a clear message, not a 500)."""


class MaterialForm(forms.ModelForm):
    class Meta:
        model = Material
        fields = [
            "name",
            "form",
            "copies",
            "mandatory",
            "tolerated_missing",
            "blank_form",
            "sample_form",
            "notes",
            "order",
        ]
        widgets = {"notes": forms.TextInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False
        self.fields["copies"].required = False

    def validate_unique(self):
        pass


MaterialFormSet = forms.inlineformset_factory(
    Matter, Material, form=MaterialForm, extra=2, can_delete=True
)


class PublishForm(forms.Form):
    valid_from = forms.DateField(
        label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_to = forms.DateField(
        label=_("失效日期（可不填）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valid_from"].initial = timezone.localdate()


class RetireForm(forms.Form):
    effective = forms.DateField(
        label=_("停用日期"),
        help_text=_("自该日起不再办理；事项办理至前一日。"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(label=_("停用原因"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective"].initial = timezone.localdate()


class PublishDraftsForm(forms.Form):
    valid_from = forms.DateField(
        label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"})
    )


class InstrumentForm(forms.ModelForm):
    class Meta:
        model = DelegationInstrument
        fields = [
            "title",
            "document_number",
            "issuing_authority",
            "effective_date",
            "end_date",
            "handover_list",
            "notes",
        ]
        widgets = {
            "effective_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class InstrumentItemForm(forms.Form):
    action = forms.ChoiceField(label=_("类型"), choices=DelegationItem.Action.choices)
    code = forms.CharField(label=_("事项编码"), max_length=64)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class AttachForm(forms.Form):
    instrument = forms.ModelChoiceField(
        label=_("赋权书"), queryset=DelegationInstrument.objects.none()
    )
    action = forms.ChoiceField(label=_("类型"), choices=DelegationItem.Action.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument"].queryset = DelegationInstrument.objects.filter(
            status=DelegationInstrument.Status.DRAFT
        )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("清单文件（.xlsx）"),
        help_text=_("须含“事项”和“材料”两张工作表，列名见导出的文件。"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    retire_missing = forms.BooleanField(
        label=_("停用文件中没有的现行事项"),
        required=False,
        initial=False,
        help_text=_(
            "默认不停用任何事项：导入只新增和变更。仅当区里下发的是全量清单、"
            "且确需停用清单外的事项时才勾选；确认前会显示将停用的数量。"
        ),
    )

    def clean_file(self):
        from approvals.register_io import OLE_MAGIC
        from approvals.services.register import MAX_UPLOAD_BYTES

        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("文件过大（上限 %(mb)s MB）。") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        head = upload.read(8)
        upload.seek(0)
        if head == OLE_MAGIC:
            raise forms.ValidationError(
                _("这是旧版 Excel（.xls）文件，请在 Excel 中“另存为”.xlsx 格式后再导入。")
            )
        if not head.startswith(b"PK"):
            raise forms.ValidationError(
                _("文件不是 .xlsx 表格，请上传 Excel 2007 及以上版本的 .xlsx 文件。")
            )
        return upload
