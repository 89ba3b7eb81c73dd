"""Forms of the dispatch pages. Errors land on the field that caused them (AccessibleForm);
the service's field names are the forms' field names."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.views.citizen_forms import AccessibleForm
from grid.models.dispatch import HandlerKind, TimeWindow
from grid.models.incidents import Source
from grid.views.forms import MultiplePhotoField
from portal.models import Department

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=LOCAL_INPUT)


class DateInput(forms.DateInput):
    input_type = "date"


def _departments(kind=None, *, active_only=True):
    qs = Department.objects.all()
    if active_only:
        qs = qs.filter(is_active=True)
    if kind:
        qs = qs.filter(kind=kind)
    return [(d.code, d.short_name or d.name) for d in qs.order_by("kind", "code")]


def _squads():
    from enforcement.selectors.team import squads

    return [("", _("按片区由执法局确定"))] + [(s.code, s.name) for s in squads()]


class DispatchForm(AccessibleForm):
    """派遣: follow the suggested rule, or choose the handler by hand (with a reason)."""

    seen_dispatches = forms.IntegerField(widget=forms.HiddenInput, required=False)
    follow = forms.ChoiceField(
        label=_("派遣方式"),
        choices=[("rule", _("按建议规则派遣")), ("manual", _("人工选择处理单位"))],
        widget=forms.RadioSelect,
        initial="rule",
    )
    kind = forms.ChoiceField(label=_("处理单位类型"), choices=HandlerKind.choices, required=False)
    department = forms.ChoiceField(label=_("主办部门"), required=False)
    co_handlers = forms.MultipleChoiceField(
        label=_("协办部门"), required=False, widget=forms.CheckboxSelectMultiple
    )
    district = forms.ChoiceField(label=_("区级部门"), required=False)
    squad = forms.ChoiceField(label=_("执法中队"), required=False)
    note = forms.CharField(
        label=_("派遣说明"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("人工选择处理单位时必填：为何不按规则派遣。"),
    )

    def __init__(self, *args, has_rule: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        internal = _departments(Department.Kind.INTERNAL)
        self.fields["department"].choices = [("", _("请选择"))] + internal
        self.fields["co_handlers"].choices = internal
        self.fields["district"].choices = [("", _("请选择"))] + _departments(
            Department.Kind.EXTERNAL
        )
        self.fields["squad"].choices = _squads()
        if not has_rule:
            self.fields["follow"].choices = [("manual", _("人工选择处理单位"))]
            self.fields["follow"].initial = "manual"


class WhistleForm(AccessibleForm):
    departments = forms.MultipleChoiceField(
        label=_("召集部门"), widget=forms.CheckboxSelectMultiple
    )
    meet_at = forms.DateTimeField(
        label=_("报到时间"),
        widget=LocalDateTimeInput,
        input_formats=[LOCAL_INPUT, "%Y-%m-%d %H:%M"],
    )
    place = forms.CharField(label=_("报到地点"), max_length=200)
    note = forms.CharField(
        label=_("事由"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].choices = _departments()
        if not self.is_bound:
            start = timezone.localtime() + timezone.timedelta(hours=1)
            self.fields["meet_at"].initial = start.replace(minute=0, second=0, microsecond=0)


class ReasonForm(AccessibleForm):
    reason = forms.CharField(
        label=_("理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class NoteForm(AccessibleForm):
    note = forms.CharField(
        label=_("说明"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class EnforcementForm(AccessibleForm):
    note = forms.CharField(
        label=_("认定理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("为何认为这是违法行为（将作为执法线索移交综合行政执法局）。"),
    )
    squad = forms.ChoiceField(label=_("执法中队"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["squad"].choices = _squads()


# --- work orders -----------------------------------------------------------------------------


class SignForForm(AccessibleForm):
    at = forms.DateTimeField(
        label=_("区级部门签收时间"),
        required=False,
        widget=LocalDateTimeInput,
        input_formats=[LOCAL_INPUT, "%Y-%m-%d %H:%M"],
        help_text=_("区级部门不登录系统，由指挥中心按电话或函件登记；留空为现在。"),
    )


class ReturnForm(AccessibleForm):
    reason = forms.CharField(
        label=_("退单理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    basis = forms.CharField(
        label=_("退单依据"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("12345热线工单退单须写明法律法规或“三定”职责依据。"),
    )


class FeedbackForm(AccessibleForm):
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("办理结果"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("做了什么、现场现在怎样。"),
    )
    answered_on = forms.DateField(label=_("区级部门答复日期"), required=False, widget=DateInput)
    photos = MultiplePhotoField(label=_("现场照片"), help_text=_("处置后的现场照片，最多9张。"))

    def __init__(self, *args, district: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not district:
            del self.fields["answered_on"]
        if not self.is_bound:
            self.fields["client_uuid"].initial = uuid.uuid4()


class ExtensionForm(AccessibleForm):
    new_due_on = forms.DateField(label=_("申请延至"), widget=DateInput)
    reason = forms.CharField(
        label=_("延期理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtensionDecisionForm(AccessibleForm):
    approve = forms.TypedChoiceField(
        label=_("审批"),
        choices=[("1", _("批准")), ("0", _("不批准"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("审批意见"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("不批准时必填。"),
    )


class RedispatchForm(AccessibleForm):
    department = forms.ChoiceField(label=_("改由哪个部门协办"))
    note = forms.CharField(label=_("说明"), max_length=1000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("请选择"))] + _departments(
            Department.Kind.INTERNAL
        )


class ReportForm(AccessibleForm):
    """报到 (a district department's is recorded by the centre with its time)."""

    at = forms.DateTimeField(
        label=_("报到时间"),
        required=False,
        widget=LocalDateTimeInput,
        input_formats=[LOCAL_INPUT, "%Y-%m-%d %H:%M"],
        help_text=_("代区级部门登记时填写；留空为现在。"),
    )
    note = forms.CharField(label=_("报到说明"), max_length=300, required=False)


# --- routing rules ---------------------------------------------------------------------------------


def _category_choices():
    from grid.selectors import categories as category_sel

    choices = [("", _("任何分类"))]
    for branch, leaves in category_sel.tree():
        choices.append(
            (
                branch.name,
                [(branch.code, _("%(name)s（整个大类）") % {"name": branch.name})]
                + [(c.code, f"{branch.name} › {c.name}") for c in leaves],
            )
        )
    return choices


def _area_choices():
    from portal.models import Area, AreaKind

    areas = (
        Area.objects.active()
        .filter(
            kind__in=[AreaKind.VILLAGE, AreaKind.COMMUNITY, AreaKind.GRID, AreaKind.SPECIAL_GRID]
        )
        .select_related("village")
        .order_by("code")
    )
    villages, grids, special = [], [], []
    for area in areas:
        if area.kind in (AreaKind.VILLAGE, AreaKind.COMMUNITY):
            villages.append((area.code, area.name))
        elif area.kind == AreaKind.GRID:
            grids.append(
                (area.code, f"{area.village.name if area.village_id else ''} › {area.name}")
            )
        else:
            special.append((area.code, area.name))
    return [
        ("", _("全镇")),
        (_("村（社区）"), villages),
        (_("网格"), grids),
        (_("专属网格"), special),
    ]


class RuleForm(AccessibleForm):
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    order = forms.IntegerField(
        label=_("顺序"),
        min_value=1,
        max_value=100000,
        help_text=_("小的先比对；第一条匹配的规则生效。"),
    )
    name = forms.CharField(label=_("规则名称"), max_length=64)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    category_code = forms.ChoiceField(label=_("事件分类"), required=False)
    area_code = forms.ChoiceField(label=_("区域"), required=False)
    time_window = forms.ChoiceField(label=_("时段"), choices=TimeWindow.choices)
    source = forms.ChoiceField(
        label=_("来源"), required=False, choices=[("", _("任何来源"))] + list(Source.choices)
    )
    handler_kind = forms.ChoiceField(label=_("处理单位类型"), choices=HandlerKind.choices)
    department_code = forms.ChoiceField(label=_("主办部门（镇职能部门或区级部门）"), required=False)
    co_handler_codes = forms.MultipleChoiceField(
        label=_("协办部门"), required=False, widget=forms.CheckboxSelectMultiple
    )
    squad_code = forms.ChoiceField(label=_("执法中队"), required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category_code"].choices = _category_choices()
        self.fields["area_code"].choices = _area_choices()
        everyone = _departments(active_only=False)
        self.fields["department_code"].choices = [("", _("请选择"))] + everyone
        self.fields["co_handler_codes"].choices = _departments(
            Department.Kind.INTERNAL, active_only=False
        )
        self.fields["squad_code"].choices = _squads()


class RuleTestForm(AccessibleForm):
    category = forms.ChoiceField(label=_("事件小类"))
    area = forms.ChoiceField(label=_("区域"), required=False)
    lat = forms.FloatField(label=_("纬度"), required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(label=_("经度"), required=False, min_value=-180, max_value=180)
    at = forms.DateTimeField(
        label=_("时间"),
        required=False,
        widget=LocalDateTimeInput,
        input_formats=[LOCAL_INPUT, "%Y-%m-%d %H:%M"],
        help_text=_("留空为现在；可选节假日或夜间检查时段规则。"),
    )
    source = forms.ChoiceField(
        label=_("来源"), required=False, choices=[("", _("任何来源"))] + list(Source.choices)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from grid.selectors import categories as category_sel

        self.fields["category"].choices = [("", _("请选择"))] + [
            (branch.name, [(c.code, c.name) for c in leaves])
            for branch, leaves in category_sel.tree()
        ]
        areas = _area_choices()
        areas[0] = ("", _("按经纬度"))
        self.fields["area"].choices = areas


class ImportForm(AccessibleForm):
    file = forms.FileField(label=_("规则表（.xlsx）"))
    switch_off_missing = forms.BooleanField(label=_("停用表中未列出的规则"), required=False)
