from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal import idnumber
from portal.errors import ActionError
from portal.models import User
from portal.models.users import mobile_validator


def check_new_password(form: forms.Form, first: str, second: str, user: User) -> None:
    """The one password policy (sign-up and change): both entries the same, then
    AUTH_PASSWORD_VALIDATORS against the person (their name in pinyin, their ID number)."""
    p1, p2 = form.cleaned_data.get(first), form.cleaned_data.get(second)
    if p1 and p2 and p1 != p2:
        form.add_error(second, _("两次输入的密码不一致。"))
    elif p1:
        try:
            password_validation.validate_password(p1, user)
        except ValidationError as exc:
            form.add_error(first, exc)


class AccessibleForm(forms.Form):
    """Links each widget to its help text and its error messages."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"{self[name].auto_id}_help"

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                auto_id = self[name].auto_id
                ids = [f"{auto_id}_error"]
                if self.fields[name].help_text:
                    ids.append(f"{auto_id}_help")
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = " ".join(ids)

    def add_service_error(self, error: ActionError) -> None:
        """Put a service's per-field messages on the fields; the rest above the form."""
        if not error.fields:
            self.add_error(None, error.message)
        for name, messages_ in error.fields.items():
            for message in messages_:
                self.add_error(name if name in self.fields else None, message)


class CitizenSignupForm(forms.Form):
    real_name = forms.CharField(label=_("真实姓名"), max_length=64)
    mobile = forms.CharField(
        label=_("手机号码"),
        max_length=11,
        validators=[mobile_validator],
        help_text=_("用于登录和接收办件短信。"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )
    id_number = forms.CharField(
        label=_("居民身份证号码"),
        max_length=18,
        min_length=18,
        validators=[idnumber.validate_id_number],
        help_text=_("18位，末位可为X。"),
    )
    email = forms.EmailField(label=_("电子邮箱（选填）"), required=False)
    password1 = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("确认密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_id_number(self):
        value = idnumber.normalize(self.cleaned_data["id_number"])
        if User.objects.filter(id_number=value).exists():
            raise ValidationError(_("该身份证号码已注册，请直接登录。"), code="id_taken")
        return value

    def clean_mobile(self):
        value = self.cleaned_data["mobile"].strip()
        if (
            User.objects.filter(mobile=value).exists()
            or User.objects.filter(username=value).exists()
        ):
            raise ValidationError(_("该手机号码已注册，请直接登录。"), code="mobile_taken")
        return value

    def clean(self):
        data = super().clean()
        probe = User(
            username=data.get("mobile", ""),
            real_name=data.get("real_name", ""),
            id_number=data.get("id_number", ""),
        )
        check_new_password(self, "password1", "password2", probe)
        return data


class NotificationPreferenceForm(forms.Form):
    """The profile's "how to reach me" section. In-app messages are always kept."""

    email = forms.BooleanField(label=_("电子邮件"), required=False)
    sms = forms.BooleanField(label=_("短信"), required=False)
    email_address = forms.EmailField(
        label=_("接收邮箱"),
        required=False,
        help_text=_("选择电子邮件时必填。"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    language = forms.ChoiceField(label=_("消息语言"), choices=settings.LANGUAGES)

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["sms"].help_text = (
            _("发送到 %(mobile)s。") % {"mobile": user.mobile_masked}
            if user.mobile
            else _("您的账号没有登记手机号码。")
        )

    def clean(self):
        data = super().clean()
        if (
            data.get("email")
            and not data.get("email_address")
            and "email_address" not in self.errors
        ):
            self.add_error("email_address", _("选择电子邮件接收消息时，请填写接收邮箱。"))
        if data.get("sms") and not self.user.mobile:
            self.add_error("sms", _("您的账号没有登记手机号码，无法接收短信；请到窗口登记。"))
        return data


class VillageChoiceField(forms.ModelChoiceField):
    """The villages and communities in force, by code; the page's "locate me" button can choose
    one from the phone's position (static/js/village-locate.js)."""

    def __init__(self, **kwargs):
        from portal.models import Area

        kwargs.setdefault("label", _("所在村（社区）"))
        kwargs.setdefault("empty_label", _("请选择"))
        kwargs.setdefault("help_text", _("可点“定位”按手机位置自动选择，也可从列表中选。"))
        queryset = Area.objects.villages().filter(active_to__isnull=True).order_by("code")
        super().__init__(queryset=queryset, to_field_name="code", **kwargs)
        self.widget.attrs["data-village-select"] = ""


class AddressForm(forms.Form):
    address = forms.CharField(
        label=_("联系地址"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    village = VillageChoiceField(required=False)


class PasswordChangeForm(AccessibleForm):
    """The profile's self-service password change: the current password, then the new one twice,
    under the same policy as sign-up (AUTH_PASSWORD_VALIDATORS, including the person's name in
    pinyin and their ID number)."""

    old_password = forms.CharField(
        label=_("当前密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password1 = forms.CharField(
        label=_("新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少8位，不能全为数字，不能由您姓名的拼音或身份证号码中的数字组成。"),
    )
    new_password2 = forms.CharField(
        label=_("确认新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise ValidationError(_("当前密码不正确。"), code="password_incorrect")
        return value

    def clean(self):
        data = super().clean()
        check_new_password(self, "new_password1", "new_password2", self.user)
        return data
