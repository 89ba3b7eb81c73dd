import pytest

from portal.models import User
from tests.factories import valid_id_number

pytestmark = pytest.mark.django_db


def _form(**overrides):
    data = {
        "real_name": "张三",
        "mobile": "13712345678",
        "id_number": valid_id_number(42),
        "email": "",
        "password1": "Harbour#Light7",
        "password2": "Harbour#Light7",
    }
    data.update(overrides)
    return data


def test_signup_logs_in_and_shows_masked_id_elsewhere(client):
    response = client.post("/accounts/signup/", _form(), follow=True)
    assert response.status_code == 200
    user = User.objects.get(mobile="13712345678")
    assert response.context["user"] == user
    profile = client.get("/accounts/profile/").content.decode()
    assert user.id_number in profile  # the owner's own page shows it whole
    assert "*" in client.get("/api/v1/me/").json()["id_number"]


def test_signup_errors_name_the_field_and_keep_input(client):
    response = client.post(
        "/accounts/signup/", _form(id_number="110105194912310021", mobile="12345")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "id_number" in form.errors and "mobile" in form.errors
    assert "校验码" in str(form.errors["id_number"])
    html = response.content.decode()
    assert 'value="张三"' in html
    assert not User.objects.filter(real_name="张三").exists()


def test_signup_refuses_taken_id_number(client):
    client.post("/accounts/signup/", _form())
    client.logout()
    response = client.post("/accounts/signup/", _form(mobile="13712345679"))
    assert "id_number" in response.context["form"].errors


def test_login_with_mobile_number(client):
    client.post("/accounts/signup/", _form())
    client.logout()
    response = client.post(
        "/accounts/login/", {"username": "13712345678", "password": "Harbour#Light7"}
    )
    assert response.status_code == 302
