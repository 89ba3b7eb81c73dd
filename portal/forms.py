from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal import idnumber
from portal.models import User
from portal.models.users import mobile_validator


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
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("两次输入的密码不一致。"))
        elif p1:
            probe = User(username=data.get("mobile", ""), real_name=data.get("real_name", ""))
            try:
                password_validation.validate_password(p1, probe)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data
