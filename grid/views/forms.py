"""Forms of the incident pages. Errors land on the field that caused them (AccessibleForm)."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.views.citizen_forms import AccessibleForm
from grid.models.incidents import Outcome, VoidReason
from grid.selectors import categories as category_sel


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Up to nine photos; their content is checked by portal.photos in the service."""

    widget = MultiplePhotoInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"accept": "image/jpeg,image/png,image/webp"})

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [f for f in data if f]
        return [data] if data else []


def category_choices():
    choices = [("", _("请选择"))]
    for branch, leaves in category_sel.tree():
        choices.append((branch.name, [(c.code, c.name) for c in leaves]))
    return choices


class ReportForm(AccessibleForm):
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    category = forms.ChoiceField(label=_("事件分类"))
    description = forms.CharField(
        label=_("情况描述"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("发生了什么、在哪里、影响到谁。"),
    )
    address = forms.CharField(
        label=_("地点说明"),
        max_length=200,
        required=False,
        help_text=_("如：XX路12号门口、XX村委会东侧。"),
    )
    lat = forms.FloatField(widget=forms.HiddenInput, required=False)
    lng = forms.FloatField(widget=forms.HiddenInput, required=False)
    coords = forms.ChoiceField(
        choices=[("wgs84", "WGS-84"), ("gcj02", "GCJ-02")],
        widget=forms.HiddenInput,
        required=False,
        initial="wgs84",
    )
    location_source = forms.ChoiceField(
        choices=[("gps", "gps"), ("map", "map")],
        widget=forms.HiddenInput,
        required=False,
        initial="gps",
    )
    photos = MultiplePhotoField(label=_("现场照片"), help_text=_("1至9张，拍摄问题现场。"))

    def __init__(self, *args, resident: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        if resident:
            self.fields["anonymous"] = forms.BooleanField(
                label=_("匿名上报"),
                required=False,
                help_text=_("网格员和处理人员看不到您的姓名和电话，只有督查人员可见。"),
            )
        if not self.is_bound:
            self.initial.setdefault("client_uuid", uuid.uuid4())

    def clean(self):
        data = super().clean()
        if data.get("lat") is None or data.get("lng") is None:
            self.add_error(None, _("请先获取手机定位，或在地图上点选位置。"))
        return data


class NoteForm(AccessibleForm):
    note = forms.CharField(
        label=_("说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class VerifyForm(NoteForm):
    photos = MultiplePhotoField(label=_("核实照片"))


class AcceptForm(NoteForm):
    handler = forms.ChoiceField(label=_("处置方式"), required=False)

    def __init__(self, *args, handlers=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("仅受理，稍后指派或分流交办"))]
        choices += [(str(u.pk), _("由 %(name)s 在网格内处置") % {"name": u}) for u in handlers]
        self.fields["handler"].choices = choices


class VoidForm(NoteForm):
    reason = forms.ChoiceField(label=_("作废原因"), choices=VoidReason.choices)
    duplicate_of = forms.CharField(
        label=_("重复的事件编号"), max_length=20, required=False, help_text=_("重复上报时必填。")
    )


class HandlerForm(AccessibleForm):
    handler = forms.ChoiceField(label=_("处置人"))

    def __init__(self, *args, handlers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].choices = [(str(u.pk), str(u)) for u in handlers]


class ResultForm(AccessibleForm):
    note = forms.CharField(
        label=_("处置结果"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = MultiplePhotoField(label=_("处置后照片"), help_text=_("至少1张。"))


class CloseForm(NoteForm):
    outcome = forms.ChoiceField(
        label=_("办理结果"), choices=[c for c in Outcome.choices if c[0] != Outcome.DUPLICATE]
    )
    outcome_reason = forms.CharField(
        label=_("结果说明"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("部分解决、暂不能解决、不属于本镇职责时必填。"),
    )
    photos = MultiplePhotoField(label=_("核查照片"))


class ReasonForm(AccessibleForm):
    reason = forms.CharField(
        label=_("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    photos = MultiplePhotoField(label=_("照片"))


class HoldForm(AccessibleForm):
    reason = forms.CharField(
        label=_("挂账原因"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    review_on = forms.DateField(label=_("复查日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["review_on"].widget.attrs["min"] = (
            timezone.localdate() + timezone.timedelta(days=1)
        ).isoformat()


class ExtensionForm(AccessibleForm):
    amount = forms.IntegerField(label=_("延长"), min_value=1, max_value=720)
    reason = forms.CharField(
        label=_("延期理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtensionDecisionForm(NoteForm):
    approve = forms.ChoiceField(
        label=_("审批"), choices=[("1", _("批准")), ("0", _("不批准"))], widget=forms.RadioSelect
    )


class MergeForm(NoteForm):
    into = forms.CharField(label=_("合并到事件编号"), max_length=20)


class RateForm(AccessibleForm):
    score = forms.TypedChoiceField(
        label=_("评分"),
        coerce=int,
        choices=[
            (5, _("5 非常满意")),
            (4, _("4 满意")),
            (3, _("3 基本满意")),
            (2, _("2 不满意")),
            (1, _("1 非常不满意")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("评价意见"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SearchForm(forms.Form):
    """The supervisors' list filters (GET)."""

    q = forms.CharField(label=_("编号"), required=False, max_length=64)
    category = forms.ChoiceField(label=_("分类"), required=False)
    village = forms.TypedChoiceField(
        label=_("村（社区）"), required=False, coerce=int, empty_value=None
    )
    grid = forms.TypedChoiceField(label=_("网格"), required=False, coerce=int, empty_value=None)
    state = forms.ChoiceField(label=_("状态"), required=False)
    clock = forms.ChoiceField(label=_("时限"), required=False)
    outcome = forms.ChoiceField(label=_("办理结果"), required=False)
    source = forms.ChoiceField(label=_("来源"), required=False)
    date_from = forms.DateField(
        label=_("上报自"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("上报至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        from grid.models.incidents import Source, State
        from portal.clock import ClockStatus
        from portal.models import Area

        super().__init__(*args, **kwargs)
        all_label = _("全部")
        everything = [("", all_label)]
        branches = []
        for branch, leaves in category_sel.tree():
            branches.append((branch.code, f"{branch.name}（{all_label}）"))
            branches += [(c.code, f"　{c.name}") for c in leaves]
        self.fields["category"].choices = everything + branches
        villages = Area.objects.active().villages().order_by("code").values_list("pk", "name")
        self.fields["village"].choices = everything + list(villages)
        grids = Area.objects.active().grids().order_by("code").values_list("pk", "name")
        self.fields["grid"].choices = everything + list(grids)
        self.fields["state"].choices = everything + [("open", _("未办结"))] + list(State.choices)
        self.fields["clock"].choices = everything + [
            (s.value, s.label)
            for s in (
                ClockStatus.OVERDUE,
                ClockStatus.WARNING,
                ClockStatus.NORMAL,
                ClockStatus.PAUSED,
                ClockStatus.STOPPED,
            )
        ]
        self.fields["outcome"].choices = everything + list(Outcome.choices)
        self.fields["source"].choices = everything + list(Source.choices)


class CategoryForm(AccessibleForm):
    """One leaf of the catalogue (a change makes a new version from now)."""

    code = forms.CharField(label=_("小类编码"), max_length=16)
    branch = forms.ModelChoiceField(label=_("事件大类"), queryset=None)
    name = forms.CharField(label=_("小类名称"), max_length=64)
    order = forms.IntegerField(label=_("排序"), min_value=0, initial=0)
    urgency = forms.ChoiceField(label=_("紧急程度"))
    limit_unit = forms.ChoiceField(label=_("时限单位"))
    verify_limit = forms.IntegerField(label=_("核实时限"), min_value=1, max_value=720)
    accept_limit = forms.IntegerField(label=_("受理时限"), min_value=1, max_value=720)
    handle_limit = forms.IntegerField(label=_("处置时限"), min_value=1, max_value=720)
    max_handle_limit = forms.IntegerField(label=_("延期后最长处置时限"), min_value=1, max_value=720)
    grid_may_handle = forms.BooleanField(label=_("网格可自行处置"), required=False)
    possible_violation = forms.BooleanField(label=_("可能涉及违法"), required=False)
    matter_code = forms.CharField(label=_("关联事项编码"), max_length=64, required=False)
    duplicate_radius_m = forms.IntegerField(
        label=_("疑似重复半径（米）"), min_value=10, max_value=5000
    )
    duplicate_days = forms.IntegerField(label=_("疑似重复天数"), min_value=1, max_value=365)
    accepted_text = forms.CharField(label=_("受理告知语"), max_length=300, required=False)
    closed_text = forms.CharField(label=_("结案告知语"), max_length=300, required=False)
    change_note = forms.CharField(label=_("变更说明"), max_length=200, required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        from grid.models import CategoryBranch
        from grid.models.categories import LIMIT_UNITS, Urgency

        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = CategoryBranch.objects.filter(is_active=True)
        self.fields["urgency"].choices = Urgency.choices
        self.fields["limit_unit"].choices = LIMIT_UNITS
        if editing:
            self.fields["code"].disabled = True


class ImportForm(AccessibleForm):
    file = forms.FileField(label=_("分类表（.xlsx）"))
    retire_missing = forms.BooleanField(
        label=_("停用表中未列出的小类"), required=False, initial=False
    )
