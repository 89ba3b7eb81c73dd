"""The password policy refuses passwords made of the person's name in pinyin or of digits of their
ID number — at sign-up, on the profile's password change and in the admin alike."""

import pytest
from django.urls import reverse

from portal import roles
from portal.models import User
from portal.passwords import built_from_personal_data
from tests.factories import valid_id_number

ID = "110105199003071234"  # digits only matter here; the check digit is not validated


@pytest.mark.parametrize(
    "password",
    [
        "Zhang2026",  # the surname and a year
        "zhangwei!!88",  # the full name
        "WeiZhang#1",  # given name first
        "Wei@@2026zw",  # given name, initials, digits
        "Xx#19900307",  # the birthday from the ID number
        "Ok!" + ID[-6:],  # the last six digits
        "Zhang0307",  # the surname and four digits of the ID
    ],
)
def test_refused(password):
    assert built_from_personal_data(password, "张伟", ID)


@pytest.mark.parametrize(
    "password", ["Secret#2026", "Harbour#Light7", "Weixin#2026x", "Blue!Sky1990", "Zhangjiajie#7"]
)
def test_accepted(password):
    assert not built_from_personal_data(password, "张伟", ID)


def test_compound_surname_and_latin_names():
    assert built_from_personal_data("Ouyang2026!", "欧阳娜娜", "")
    assert built_from_personal_data("Tom#123456", "Tom Lee", "")
    assert not built_from_personal_data("Ouyang2026!", "张伟", "")


@pytest.mark.django_db
def test_signup_refuses_zhang2026_for_zhang(client):
    response = client.post(
        "/accounts/signup/",
        {
            "real_name": "张",
            "mobile": "13712345670",
            "id_number": valid_id_number(7),
            "password1": "Zhang2026",
            "password2": "Zhang2026",
        },
    )
    assert response.status_code == 200
    assert "拼音" in str(response.context["form"].errors["password1"])
    assert not User.objects.filter(mobile="13712345670").exists()


@pytest.mark.django_db
def test_the_profile_password_change_applies_the_same_policy(client, make_user):
    user = make_user(roles.CITIZEN, real_name="张伟")
    client.force_login(user)
    response = client.post(
        reverse("profile-password"),
        {"old_password": "Secret#2026", "new_password1": "Zhang2026", "new_password2": "Zhang2026"},
    )
    assert response.status_code == 400
    assert "拼音" in response.content.decode()
    wrong_old = client.post(
        reverse("profile-password"),
        {"old_password": "nope", "new_password1": "Qz!8vRt#p2", "new_password2": "Qz!8vRt#p2"},
    )
    assert wrong_old.status_code == 400 and "当前密码不正确" in wrong_old.content.decode()
    user.refresh_from_db()
    assert user.check_password("Secret#2026")


@pytest.mark.django_db
def test_the_admins_password_form_applies_it_too(admin_client, make_user):
    user = make_user(roles.CITIZEN, real_name="张伟")
    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": "Zhang2026", "password2": "Zhang2026", "usable_password": "true"},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password("Secret#2026")
