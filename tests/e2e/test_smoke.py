import pytest
from selenium.webdriver.common.by import By

from tests.e2e.helpers import axe_violations, fill, screenshot, wait_for, wait_text
from tests.factories import valid_id_number

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_citizen_signs_up_logs_in_sees_chinese_and_switches_to_english(phone, live_server):
    from portal.roles import sync_roles

    sync_roles()
    phone.get(f"{live_server.url}/accounts/signup/")
    assert phone.find_element(By.TAG_NAME, "h1").text == "群众/企业注册"
    fill(phone, "real_name", "林小雨")
    fill(phone, "mobile", "13698765432")
    fill(phone, "id_number", valid_id_number(88))
    fill(phone, "password1", "Harbour#Light7")
    fill(phone, "password2", "Harbour#Light7")
    phone.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
    wait_text(phone, "注册成功")
    assert axe_violations(phone) == []

    # log out (the page offers "sign out everywhere" too) and in again with the mobile number
    phone.find_element(By.CSS_SELECTOR, ".topbar-tools a[href='/accounts/logout/']").click()
    wait_text(phone, "在所有设备上退出")
    assert axe_violations(phone) == []
    phone.find_element(
        By.CSS_SELECTOR, "form.form:not(:has(input[name=everywhere])) button"
    ).click()
    wait_for(phone, ".topbar-tools a[href='/accounts/login/']")
    phone.get(f"{live_server.url}/accounts/login/")
    wait_for(phone, "input[name=username]")
    fill(phone, "username", "13698765432")
    fill(phone, "password", "Harbour#Light7")
    phone.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
    wait_for(phone, "a.who")
    body = phone.find_element(By.TAG_NAME, "body").text
    assert "林小雨，您好" in body
    assert phone.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    screenshot(phone, "home-citizen-phone")

    phone.find_element(By.CSS_SELECTOR, "button[name=language][value=en]").click()
    wait_text(phone, "Hello")
    assert phone.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert "Log out" in phone.find_element(By.TAG_NAME, "body").text


def test_the_api_docs_and_the_admin_run_under_the_policy(browser, live_server):
    """Swagger UI and the Django admin load their scripts from files: no CSP error in the
    console (the browser fixture fails the test on any)."""
    from tests.factories import UserFactory

    browser.get(f"{live_server.url}/api/docs/")
    wait_for(browser, "#swagger-ui .information-container", timeout=20)
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    admin.save()  # the factory sets the password after the first save
    browser.get(f"{live_server.url}/admin/login/")
    fill(browser, "username", admin.username)
    fill(browser, "password", "Secret#2026")
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    wait_for(browser, "#user-tools")
    for path in (
        "/admin/portal/user/",
        f"/admin/portal/user/{admin.pk}/change/",
        "/admin/portal/apitoken/",
        "/admin/portal/user/add/",
    ):
        browser.get(f"{live_server.url}{path}")
        wait_for(browser, "#content")
