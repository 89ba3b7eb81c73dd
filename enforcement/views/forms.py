"""The forms of the enforcement pages: labels and widgets; the rules are the services'."""

from __future__ import annotations

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enforcement.models import (
    Circumstance,
    DecisionKind,
    InvestigationRecord,
    LeadSource,
    Officer,
    PartyKind,
    Payment,
    PaymentPlan,
    Penalty,
    Preservation,
    ServiceMethod,
)
from enforcement.models.records import CaseSuspension, Discussion, LegalReview
from portal.forms import AccessibleForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TEXT = forms.Textarea(attrs={"rows": 3})


def today():
    return timezone.localdate()


class _SharedRead(ModelChoiceIterator):
    """The choices of a field given a page's shared queryset (``SquadForm(officers=...)``):
    iterated as a whole, so the first form to render reads it and the others reuse its rows
    (issue 19: the case page's forms asked for the same squad's officers up to eight times)."""

    def __iter__(self):
        if not getattr(self.field, "shared_read", False):
            yield from super().__iter__()
            return
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class OfficerChoice(forms.ModelMultipleChoiceField):
    iterator = _SharedRead

    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.get_kind_display()}）"


OFFICERS = _("执法人员")
OFFICERS_HELP = _("不选则为本案办案人员。")


def officers_field(required=False, label=OFFICERS, help_text=OFFICERS_HELP):
    return OfficerChoice(
        queryset=Officer.objects.none(),
        required=required,
        label=label,
        help_text=help_text,
        widget=forms.CheckboxSelectMultiple,
    )


class SquadForm(AccessibleForm):
    """A form whose officers are those of a squad."""

    def __init__(self, *args, squad=None, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, OfficerChoice):
                if officers is not None:  # squad_officers(squad), shared by a page's forms
                    field.queryset = officers
                    field._queryset = officers  # the setter's copy would read it again
                    field.shared_read = True
                    field.widget.choices = field.choices
                else:
                    field.queryset = squad_officers(squad)


def squad_officers(squad):
    """The officers a SquadForm offers: the active ones of ``squad`` (all without one)."""
    qs = Officer.objects.filter(is_active=True).select_related("user")
    return qs.filter(squad=squad) if squad is not None else qs


class PartyForm(AccessibleForm):
    party_kind = forms.ChoiceField(
        label=_("当事人类型"), choices=PartyKind.choices, initial=PartyKind.PERSON
    )
    party_name = forms.CharField(label=_("当事人"), max_length=200)
    party_id_number = forms.CharField(label=_("身份证件号码"), max_length=18, required=False)
    party_credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)
    party_representative = forms.CharField(
        label=_("法定代表人（负责人）"), max_length=64, required=False
    )
    party_address = forms.CharField(label=_("住所（地址）"), max_length=255, required=False)
    party_mobile = forms.CharField(label=_("联系电话"), max_length=20, required=False)

    def party(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k.startswith("party_")}


# --- leads -----------------------------------------------------------------------------------


class LeadForm(AccessibleForm):
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    source = forms.ChoiceField(
        label=_("线索来源"),
        choices=[
            (v, label)
            for v, label in LeadSource.choices
            if v not in ("grid_incident", "inspection")
        ],
        initial=LeadSource.PATROL,
    )
    description = forms.CharField(label=_("线索内容"), widget=TEXT, max_length=4000)
    address = forms.CharField(label=_("地点"), max_length=255, required=False)
    lat = forms.DecimalField(
        label=_("纬度"), required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput
    )
    lng = forms.DecimalField(
        label=_("经度"), required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput
    )
    matter_code = forms.ChoiceField(label=_("涉及事项"), required=False)
    reporter_name = forms.CharField(label=_("报告人"), max_length=64, required=False)
    reporter_contact = forms.CharField(label=_("报告人联系方式"), max_length=64, required=False)

    def __init__(self, *args, matters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter_code"].choices = [("", _("（暂不确定）")), *matters]


class ProposeFilingForm(PartyForm, SquadForm):
    matter_code = forms.ChoiceField(label=_("处罚事项"))
    facts = forms.CharField(label=_("初步查明的违法事实"), widget=TEXT, max_length=4000)
    officers = officers_field(
        required=True,
        label=_("承办人员（两名以上，第一位为主办）"),
        help_text=_("须持有效执法证；协管员不计入。"),
    )
    note = forms.CharField(label=_("承办人意见"), widget=TEXT, required=False, max_length=2000)

    def __init__(self, *args, matters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter_code"].choices = list(matters)


class NoteForm(AccessibleForm):
    note = forms.CharField(label=_("意见"), widget=TEXT, required=False, max_length=2000)


class RequiredNoteForm(AccessibleForm):
    note = forms.CharField(label=_("意见"), widget=TEXT, max_length=2000)


class ReasonForm(AccessibleForm):
    reason = forms.CharField(label=_("理由"), widget=TEXT, max_length=2000)


class NotFileForm(ReasonForm):
    told_how = forms.CharField(
        label=_("如何告知来源（电话、当面等）"), required=False, max_length=200
    )


class TransferForm(ReasonForm):
    body = forms.ChoiceField(label=_("接收机关"), required=False)
    body_name = forms.CharField(label=_("或填写机关名称"), required=False, max_length=128)

    def __init__(self, *args, bodies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = [("", "—"), *bodies]


class ReceiptForm(AccessibleForm):
    received_on = forms.DateField(label=_("回执日期"), widget=DATE, initial=today)
    note = forms.CharField(label=_("回执说明"), required=False, max_length=200)


class AssignForm(AccessibleForm):
    squad = forms.ChoiceField(label=_("承办中队"))

    def __init__(self, *args, squads=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["squad"].choices = list(squads)


class ExtensionDecisionForm(AccessibleForm):
    approve = forms.TypedChoiceField(
        label=_("审批"),
        choices=[("1", _("批准延长15个工作日")), ("0", _("不批准"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("意见"), required=False, max_length=2000)


# --- cases -----------------------------------------------------------------------------------


class ProposalForm(PartyForm):
    penalties = forms.MultipleChoiceField(
        label=_("处罚种类"),
        choices=Penalty.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    circumstance = forms.ChoiceField(
        label=_("裁量情节"), choices=[("", "—"), *Circumstance.choices], required=False
    )
    fine = forms.DecimalField(
        label=_("罚款金额（元）"), required=False, max_digits=12, decimal_places=2, min_value=0
    )
    confiscation = forms.DecimalField(
        label=_("没收金额（元）"), required=False, max_digits=12, decimal_places=2, min_value=0
    )
    outside_benchmark_reason = forms.CharField(
        label=_("超出裁量基准的理由"),
        widget=TEXT,
        required=False,
        max_length=2000,
        help_text=_("罚款不在所选情节的范围内时必填，案件须经法制审核。"),
    )
    legal_basis = forms.CharField(label=_("处罚依据"), widget=TEXT, required=False, max_length=2000)
    facts = forms.CharField(label=_("违法事实"), widget=TEXT, max_length=4000)
    complex_case = forms.BooleanField(label=_("情节复杂（须集体讨论）"), required=False)


class OfficersForm(SquadForm):
    officers = officers_field()


class AssignOfficersForm(SquadForm):
    officers = officers_field(required=True, label=_("办案人员（第一位为主办）"), help_text="")


class ReviewForm(AccessibleForm):
    opinion = forms.ChoiceField(
        label=_("审核意见"),
        choices=[c for c in LegalReview.Opinion.choices if c[0]],
        widget=forms.RadioSelect,
    )
    comments = forms.CharField(label=_("审核说明"), widget=TEXT, required=False, max_length=4000)


class DiscussionForm(AccessibleForm):
    purpose = forms.ChoiceField(label=_("讨论事项"), choices=Discussion.Purpose.choices)
    held_at = forms.DateTimeField(label=_("讨论时间"), widget=DATETIME, required=False)
    chair = forms.CharField(label=_("主持人"), max_length=64)
    participants = forms.CharField(
        label=_("参加人员"), max_length=500, help_text=_("用顿号或逗号分隔，三人以上。")
    )
    opinion = forms.CharField(label=_("讨论意见"), widget=TEXT, max_length=4000)
    conclusion = forms.ChoiceField(
        label=_("结论"), choices=Discussion.Conclusion.choices, widget=forms.RadioSelect
    )


class NotifyForm(OfficersForm):
    on = forms.DateField(label=_("告知日期"), widget=DATE, initial=today)


class StatementForm(AccessibleForm):
    received_on = forms.DateField(label=_("收到日期"), widget=DATE, initial=today)
    waived = forms.BooleanField(label=_("当事人放弃陈述申辩"), required=False)
    content = forms.CharField(label=_("陈述申辩内容"), widget=TEXT, required=False, max_length=8000)
    accepted = forms.NullBooleanField(label=_("意见成立"), required=False)
    reply = forms.CharField(label=_("复核意见"), widget=TEXT, required=False, max_length=4000)


class HearingRequestForm(AccessibleForm):
    requested_on = forms.DateField(label=_("申请日期"), widget=DATE, initial=today)


class HearingScheduleForm(AccessibleForm):
    notice_on = forms.DateField(label=_("听证通知日期"), widget=DATE, initial=today)
    scheduled_on = forms.DateField(label=_("听证日期"), widget=DATE)
    place = forms.CharField(label=_("听证地点"), max_length=255)
    host = forms.CharField(label=_("主持人"), max_length=64, help_text=_("由非本案调查人员主持。"))


class HearingRecordForm(AccessibleForm):
    held_on = forms.DateField(label=_("举行日期"), widget=DATE, initial=today)
    record = forms.CharField(
        label=_("听证笔录"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000
    )


class DecideForm(OfficersForm):
    kind = forms.ChoiceField(label=_("决定类型"), choices=DecisionKind.choices)
    reason = forms.CharField(
        label=_("理由"),
        widget=TEXT,
        required=False,
        max_length=4000,
        help_text=_("不予处罚、首违不罚、移送公安时必填。"),
    )
    on = forms.DateField(label=_("决定日期"), widget=DATE, initial=today)


class ServeForm(OfficersForm):
    method = forms.ChoiceField(
        label=_("送达方式"),
        choices=[c for c in ServiceMethod.choices if c[0] != ServiceMethod.ON_THE_SPOT],
    )
    served_on = forms.DateField(label=_("送达日期"), widget=DATE, initial=today, required=False)
    notice_published_on = forms.DateField(
        label=_("公告日期（公告送达）"), widget=DATE, required=False
    )
    recipient = forms.CharField(label=_("签收人"), max_length=64, required=False)
    note = forms.CharField(label=_("备注"), max_length=500, required=False)


class PaymentForm(AccessibleForm):
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    amount = forms.DecimalField(label=_("罚款（元）"), max_digits=12, decimal_places=2, min_value=0)
    late_fee = forms.DecimalField(
        label=_("加处罚款（元）"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        initial=0,
        required=False,
    )
    paid_on = forms.DateField(label=_("缴款日期"), widget=DATE, initial=today)
    method = forms.ChoiceField(label=_("缴款方式"), choices=Payment.Method.choices)
    receipt_number = forms.CharField(label=_("票据号"), max_length=64)


class PaymentPlanForm(AccessibleForm):
    kind = forms.ChoiceField(label=_("方式"), choices=PaymentPlan.Kind.choices)
    reason = forms.CharField(label=_("理由"), widget=TEXT, max_length=2000)
    deferred_to = forms.DateField(label=_("暂缓至"), widget=DATE, required=False)
    instalments = forms.CharField(
        label=_("分期计划"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一期：日期 金额，如 2026-05-15 500"),
    )

    def schedule(self):
        rows = []
        for line in (self.cleaned_data.get("instalments") or "").splitlines():
            parts = line.replace("，", " ").replace(",", " ").split()
            if len(parts) == 2:
                rows.append((parts[0], parts[1]))
            elif parts:
                rows.append(("", ""))
        return rows


class CourtForm(AccessibleForm):
    applied_on = forms.DateField(label=_("申请日期"), widget=DATE, initial=today)
    court = forms.CharField(label=_("人民法院"), max_length=128)


class CloseForm(AccessibleForm):
    report = forms.CharField(
        label=_("结案报告"), widget=forms.Textarea(attrs={"rows": 4}), max_length=8000
    )


class SuspendForm(AccessibleForm):
    kind = forms.ChoiceField(
        label=_("中止事由"),
        choices=[c for c in CaseSuspension.Kind.choices if c[0] != CaseSuspension.Kind.HEARING],
    )
    reason = forms.CharField(label=_("说明"), widget=TEXT, max_length=2000)
    started_on = forms.DateField(label=_("开始日期"), widget=DATE, initial=today)


class ResumeForm(AccessibleForm):
    ended_on = forms.DateField(label=_("结束日期"), widget=DATE, initial=today)


class ExtendForm(AccessibleForm):
    days = forms.IntegerField(
        label=_("延长天数"),
        min_value=1,
        max_value=365,
        required=False,
        help_text=_("不填为30日。第二次起须先记录关于延期的集体讨论。"),
    )
    reason = forms.CharField(label=_("延期理由"), widget=TEXT, max_length=2000)


class RecordForm(SquadForm):
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("记录类型"), choices=InvestigationRecord.Kind.choices)
    started_at = forms.DateTimeField(label=_("开始时间"), widget=DATETIME)
    ended_at = forms.DateTimeField(label=_("结束时间"), widget=DATETIME, required=False)
    place = forms.CharField(label=_("地点"), max_length=255)
    subject = forms.CharField(label=_("被询问人 / 被检查对象"), max_length=200)
    content = forms.CharField(
        label=_("记录内容"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000
    )
    officers = officers_field(label=_("在场执法人员（两名以上）"))


class EvidenceForm(AccessibleForm):
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    file = forms.FileField(label=_("证据文件（照片、录音、视频、PDF）"))
    description = forms.CharField(label=_("证明内容"), max_length=255, required=False)


class PreserveForm(OfficersForm):
    items = forms.CharField(label=_("保存物品清单（每行一项）"), widget=TEXT, max_length=4000)
    place = forms.CharField(label=_("保存地点"), max_length=255)
    started_on = forms.DateField(label=_("保存日期"), widget=DATE, initial=today)


class PreservationDealForm(AccessibleForm):
    preservation = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=_("处理结果"),
        choices=[c for c in Preservation.Outcome.choices if c[0] not in ("open", "released")],
    )
    note = forms.CharField(label=_("处理说明"), required=False, max_length=2000)


class CorrectionForm(OfficersForm):
    requirement = forms.CharField(label=_("改正要求"), widget=TEXT, max_length=4000)
    deadline = forms.DateField(label=_("改正期限（最长30日）"), widget=DATE)


class RecheckForm(OfficersForm):
    order = forms.IntegerField(widget=forms.HiddenInput)
    corrected = forms.TypedChoiceField(
        label=_("复查结果"),
        choices=[("1", _("已改正")), ("0", _("逾期未改正"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("复查情况"), required=False, max_length=2000)


class JointActionForm(AccessibleForm):
    held_on = forms.DateField(label=_("日期"), widget=DATE, initial=today)
    bodies = forms.MultipleChoiceField(label=_("参加单位"), widget=forms.CheckboxSelectMultiple)
    participants = forms.CharField(label=_("参加人员"), widget=TEXT, max_length=2000)
    findings = forms.CharField(
        label=_("各单位意见"),
        widget=TEXT,
        required=False,
        max_length=8000,
        help_text=_("每行一条：单位编码：意见，如 QSCJG：无照经营属实"),
    )

    def __init__(self, *args, bodies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bodies"].choices = list(bodies)

    def parsed_findings(self) -> dict:
        result = {}
        for line in (self.cleaned_data.get("findings") or "").splitlines():
            for sep in ("：", ":"):
                if sep in line:
                    code, text = line.split(sep, 1)
                    result[code.strip()] = text.strip()
                    break
        return result


class SimplifiedForm(PartyForm, SquadForm):
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    matter_code = forms.ChoiceField(label=_("违法行为（处罚事项）"))
    facts = forms.CharField(label=_("违法事实"), widget=TEXT, max_length=4000)
    address = forms.CharField(label=_("违法地点"), max_length=255)
    penalties = forms.MultipleChoiceField(
        label=_("处罚"),
        choices=[(Penalty.WARNING, Penalty.WARNING.label), (Penalty.FINE, Penalty.FINE.label)],
        widget=forms.CheckboxSelectMultiple,
        initial=[Penalty.FINE],
    )
    fine = forms.DecimalField(
        label=_("罚款金额（元）"),
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=0,
        help_text=_("自然人不超过200元，单位不超过3000元。"),
        widget=forms.NumberInput(attrs={"inputmode": "decimal"}),
    )
    circumstance = forms.ChoiceField(
        label=_("裁量情节"), choices=[("", "—"), *Circumstance.choices], required=False
    )
    officers = officers_field(label=_("同行执法人员"), help_text=_("出示执法证的另一名执法人员。"))
    paid_on_spot = forms.BooleanField(label=_("当场收缴罚款（不超过100元）"), required=False)
    receipt_number = forms.CharField(label=_("罚款收据号"), max_length=64, required=False)
    lat = forms.DecimalField(
        required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput
    )
    lng = forms.DecimalField(
        required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput
    )

    field_order = [
        "matter_code",
        "penalties",
        "fine",
        "circumstance",
        "party_kind",
        "party_name",
        "party_id_number",
        "party_mobile",
        "facts",
        "address",
        "officers",
        "paid_on_spot",
        "receipt_number",
        "party_credit_code",
        "party_representative",
        "party_address",
    ]

    def __init__(self, *args, matters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter_code"].choices = list(matters)
        self.order_fields(self.field_order)


class DutyForm(SquadForm):
    day = forms.DateField(label=_("值班日期"), widget=DATE, initial=today)
    officers = officers_field(required=True, label=_("值班人员"), help_text="")
    lead = forms.ModelChoiceField(queryset=Officer.objects.none(), label=_("带班"), required=False)

    def __init__(self, *args, squad=None, **kwargs):
        super().__init__(*args, squad=squad, **kwargs)
        self.fields["lead"].queryset = self.fields["officers"].queryset
