import pytest

from portal import roles

pytestmark = pytest.mark.django_db


def test_admin_only_for_admin_roles(client, make_user):
    for role in roles.ALL:
        user = make_user(role)
        client.force_login(user)
        response = client.get("/admin/")
        if role in roles.ADMIN_ROLES:
            assert response.status_code == 200, role
        else:
            assert response.status_code == 302, role  # sent to the admin log-in
        client.logout()


def test_register_admin_may_edit_calendar_supervisor_may_not(client, make_user):
    client.force_login(make_user(roles.REGISTER_ADMIN))
    assert client.get("/admin/portal/calendarday/add/").status_code == 200
    client.force_login(make_user(roles.SUPERVISOR))
    assert client.get("/admin/portal/calendarday/add/").status_code == 403
    assert client.get("/admin/portal/auditentry/").status_code == 200


def test_audit_entries_cannot_be_changed_in_admin(client, make_user):
    from portal import audit

    entry = audit.record(actor="system", action="x", obj=None)
    user = make_user(roles.SUPERVISOR)
    user.is_superuser = True
    user.save()
    client.force_login(user)
    response = client.post(f"/admin/portal/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403


def test_api_requires_authentication_and_uses_error_format(client, make_user):
    response = client.get("/api/v1/me/")
    assert response.status_code in (401, 403)
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == "not_authenticated"
    user = make_user(roles.WINDOW_CLERK)
    client.force_login(user)
    me = client.get("/api/v1/me/").json()
    assert me["roles"] == [roles.WINDOW_CLERK]
    assert "*" in me["id_number"]


def test_api_token_authentication(client, make_user):
    user = make_user(roles.REVIEWER, username="tokenuser")
    response = client.post(
        "/api/v1/auth/token/", {"username": "tokenuser", "password": "Secret#2026"}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.json()["username"] == user.username


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_schema_and_docs_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


def test_home_in_chinese_by_default_and_english_on_switch(client):
    response = client.get("/")
    assert "一窗通办" in response.content.decode()
    assert response["Content-Language"] == "zh-hans"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/")
    assert response["Content-Language"] == "en"
    assert "One Window" in response.content.decode()


def test_security_headers(client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_axes_locks_out_after_repeated_failures(client, make_user):
    make_user(roles.CITIZEN, username="lockme")
    for _ in range(5):
        client.post("/accounts/login/", {"username": "lockme", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "lockme", "password": "Secret#2026"})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()


def test_menu_hides_pages_a_role_cannot_use(client, make_user):
    client.force_login(make_user(roles.CITIZEN))
    assert "/admin/" not in client.get("/").content.decode()
    client.force_login(make_user(roles.REGISTER_ADMIN))
    assert "/admin/" in client.get("/").content.decode()


def test_chinese_unless_the_person_chooses_english(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN")["Content-Language"] == "en"


def test_the_menu_follows_a_role_given_and_taken_away(client, make_user):
    from django.contrib.auth.models import Group

    from portal.menu import menu_for

    user = make_user(roles.CITIZEN)
    client.force_login(user)
    assert "/admin/" not in client.get("/").content.decode()
    admins = Group.objects.get(name=roles.REGISTER_ADMIN)
    user.groups.add(admins)
    assert "/admin/" in client.get("/").content.decode()
    user.groups.remove(admins)
    assert "/admin/" not in client.get("/").content.decode()
    client.logout()
    assert "/admin/" not in client.get("/").content.decode()
    entries = menu_for(user)
    entries[0]["url"] = "/changed/"
    assert menu_for(user)[0]["url"] != "/changed/"  # a caller's change stays its own
