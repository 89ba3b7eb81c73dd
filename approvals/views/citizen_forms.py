"""Forms of the citizen, proxy-agent and evaluation pages. Every error is attached to the field
that caused it, and the widgets carry aria-invalid / aria-describedby so that screen readers
announce the message with the field."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.models import Application, Callback, Matter, Rating
from portal import idnumber
from portal.forms import AccessibleForm, VillageChoiceField
from portal.idnumber import credit_code_valid
from portal.models.users import mobile_validator

# --- applying --------------------------------------------------------------------------------


class ApplicantForm(AccessibleForm):
    """Step 1: the applicant's details (name and ID number come from the account). Only the
    fields of the applicant kinds the matter allows (办理对象): a matter for persons asks no
    organisation's name; a matter for organisations asks it always; a matter for both lets the
    applicant choose."""

    applicant_kind = forms.ChoiceField(
        label=_("以谁的名义申请"),
        choices=Application.ApplicantKind.choices,
        widget=forms.RadioSelect,
        initial=Application.ApplicantKind.PERSON,
    )
    applicant_mobile = forms.CharField(
        label=_("联系电话"),
        max_length=11,
        validators=[mobile_validator],
        help_text=_("办件进度短信发送到此号码；查询进度时需要后四位。"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )
    organisation_name = forms.CharField(
        label=_("单位名称"),
        max_length=200,
        required=False,
        help_text=_("与营业执照或登记证书上的名称一致。"),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=18,
        required=False,
        help_text=_("18位，见营业执照。"),
        widget=forms.TextInput(attrs={"autocapitalize": "characters"}),
    )
    address = forms.CharField(
        label=_("联系地址"),
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    village = VillageChoiceField(required=False)
    description = forms.CharField(
        label=_("申请事项说明（选填）"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    ORGANISATION_FIELDS = ("organisation_name", "credit_code")

    def __init__(self, *args, matter=None, **kwargs):
        self.audience = matter.audience if matter is not None else Matter.Audience.BOTH
        super().__init__(*args, **kwargs)
        kind = self.fields["applicant_kind"]
        if self.audience == Matter.Audience.PERSON:
            kind.widget = forms.HiddenInput()
            kind.initial = Application.ApplicantKind.PERSON
            for name in self.ORGANISATION_FIELDS:
                del self.fields[name]
        elif self.audience == Matter.Audience.ORGANISATION:
            kind.widget = forms.HiddenInput()
            kind.initial = Application.ApplicantKind.ORGANISATION
            self.fields["address"].label = _("单位地址")
            for name in self.ORGANISATION_FIELDS:
                self.fields[name].required = True
        if self.audience != Matter.Audience.BOTH:
            self.initial["applicant_kind"] = kind.initial
        if self.is_bound and self.audience != Matter.Audience.BOTH:
            data = self.data.copy()
            data[self.add_prefix("applicant_kind")] = kind.initial
            self.data = data

    @property
    def asks_kind(self) -> bool:
        return self.audience == Matter.Audience.BOTH

    @property
    def asks_organisation(self) -> bool:
        return self.audience != Matter.Audience.PERSON

    @property
    def for_organisation(self) -> bool:
        return self.audience == Matter.Audience.ORGANISATION

    def clean_credit_code(self):
        return (self.cleaned_data.get("credit_code") or "").strip().upper()

    def clean(self):
        data = super().clean()
        if data.get("applicant_kind") == Application.ApplicantKind.ORGANISATION:
            if not (data.get("organisation_name") or "").strip():
                self.add_error("organisation_name", _("以单位名义申请须填写单位名称。"))
            code = data.get("credit_code") or ""
            if not code:
                self.add_error("credit_code", _("以单位名义申请须填写统一社会信用代码。"))
            elif not credit_code_valid(code):
                self.add_error("credit_code", _("统一社会信用代码格式或校验位不正确，请核对。"))
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        organisation = data["applicant_kind"] == Application.ApplicantKind.ORGANISATION
        return {
            "applicant_kind": data["applicant_kind"],
            "organisation_name": (data.get("organisation_name") or "").strip()
            if organisation
            else "",
            "credit_code": (data.get("credit_code") or "") if organisation else "",
            "address": data["address"].strip(),
            "village": data.get("village"),
        }

    @classmethod
    def initial_for(cls, application: Application, defaults: dict | None = None) -> dict:
        """The draft's own values; what it leaves empty comes from ``defaults`` (the profile)."""
        initial = {
            "applicant_kind": application.applicant_kind,
            "applicant_mobile": application.applicant_mobile,
            "organisation_name": application.organisation_name,
            "credit_code": application.credit_code,
            "address": application.address,
            "village": application.village.code if application.village_id else None,
            "description": (application.details or {}).get("description", ""),
        }
        for key, value in (defaults or {}).items():
            if not initial.get(key):
                initial[key] = value
        return initial


class DeclarationForm(AccessibleForm):
    declaration_accepted = forms.BooleanField(
        label=_("本人已阅读并承诺遵守以上声明"),
        error_messages={"required": _("请阅读并勾选承诺声明后再继续。")},
    )


class WithdrawForm(AccessibleForm):
    reason = forms.CharField(
        label=_("撤回原因（选填）"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class StatusLookupForm(AccessibleForm):
    number = forms.RegexField(
        label=_("办件编号"),
        regex=r"^\d{6,32}$",
        max_length=32,
        error_messages={"invalid": _("办件编号由数字组成，请按通知书上的编号填写。")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    mobile_last4 = forms.RegexField(
        label=_("申请人手机号后四位"),
        regex=r"^\d{4}$",
        max_length=4,
        error_messages={"invalid": _("请填写4位数字。")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_number(self):
        return self.cleaned_data["number"].strip()


# --- proxy agents ----------------------------------------------------------------------------


def _validate_id(value: str) -> str:
    value = idnumber.normalize(value)
    idnumber.validate_id_number(value)
    return value


class ResidentSearchForm(AccessibleForm):
    id_number = forms.CharField(
        label=_("村民居民身份证号码"),
        max_length=18,
        help_text=_("18位，末位可为X。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_id_number(self):
        return _validate_id(self.cleaned_data["id_number"])


class ResidentRegisterForm(AccessibleForm):
    real_name = forms.CharField(label=_("真实姓名"), max_length=64)
    mobile = forms.CharField(
        label=_("手机号码"),
        max_length=11,
        validators=[mobile_validator],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    id_number = forms.CharField(
        label=_("居民身份证号码"),
        max_length=18,
        help_text=_("18位，末位可为X。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_id_number(self):
        return _validate_id(self.cleaned_data["id_number"])


CONSENT_METHODS = [
    ("signed", _("村民当面签署委托书")),
    ("in_person", _("村民当面口头同意")),
    ("phone", _("电话确认同意")),
]


class ProxyFilingForm(AccessibleForm):
    """Choose the matter and record the resident's consent."""

    id_number = forms.CharField(widget=forms.HiddenInput)
    matter = forms.ChoiceField(label=_("办理事项"), widget=forms.RadioSelect)
    consent_method = forms.ChoiceField(
        label=_("委托方式"), choices=CONSENT_METHODS, widget=forms.RadioSelect
    )
    consent_note = forms.CharField(
        label=_("委托说明（选填）"),
        max_length=500,
        required=False,
        help_text=_("如委托书编号、见证人、确认的时间。"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    consent_confirmed = forms.BooleanField(
        label=_("我确认村民本人同意委托我代为办理该事项"),
        error_messages={"required": _("须经村民本人同意才能代办。")},
    )

    def __init__(self, *args, matters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter"].choices = [(m.code, m.name) for m in matters]
        self.fields["matter"].error_messages["required"] = _("请选择要代办的事项。")
        self.fields["matter"].error_messages["invalid_choice"] = _("该事项不能帮代办，请重新选择。")

    def consent_text(self) -> str:
        data = self.cleaned_data
        label = str(dict(CONSENT_METHODS)[data["consent_method"]])
        note = (data.get("consent_note") or "").strip()
        return f"{label}；{note}" if note else label


# --- evaluation ------------------------------------------------------------------------------


class EvaluationForm(AccessibleForm):
    rating = forms.TypedChoiceField(
        label=_("您对本次服务的评价"),
        choices=Rating.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择评价等级。")},
    )
    comment = forms.CharField(
        label=_("意见和建议（选填）"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CallbackForm(AccessibleForm):
    called_at = forms.DateTimeField(
        label=_("回访时间"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "invalid": _("请按“年-月-日 时:分”填写回访时间。"),
            "required": _("请填写回访时间。"),
        },
    )
    method = forms.ChoiceField(
        label=_("回访方式"), choices=Callback.Method.choices, widget=forms.RadioSelect
    )
    citizen_said = forms.CharField(
        label=_("群众意见"),
        max_length=2000,
        help_text=_("如实记录群众在回访中所说的内容。"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请记录群众在回访中的意见。")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "initial",
            {"called_at": timezone.localtime().replace(second=0, microsecond=0)},
        )
        super().__init__(*args, **kwargs)


class RectificationForm(AccessibleForm):
    action_taken = forms.CharField(
        label=_("整改措施"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    result = forms.CharField(
        label=_("整改结果"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
