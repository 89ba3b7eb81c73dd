"""Enforcement journeys in a real headless Chromium.

(1) An officer on a phone fines a person on the spot (simplified procedure): the form goes
through the offline outbox to the API, the decision is made with its PDF and QR code.
(2) A squad leader takes a lead handed over from the grid to filing (approved by the bureau
head), the proposed penalty, the notice, the decision (the head) and service."""

import uuid

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from enforcement.models import Case, Lead
from enforcement.services import leads as lead_svc
from tests.e2e.helpers import fill, login, screenshot, submit_and_wait, wait_for, wait_text
from tests.enforcement.world import World

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "Secret#2026"


def _check(driver, name, value=None):
    selector = f"input[name='{name}']" + (f"[value='{value}']" if value is not None else "")
    box = driver.find_element(By.CSS_SELECTOR, selector)
    if not box.is_selected():
        driver.execute_script("arguments[0].click()", box)


def _act(driver, action):
    """Open an act's panel on the case or lead page."""
    panel = wait_for(driver, f"#act-{action}")
    if panel.get_attribute("open") is None:
        panel.find_element(By.TAG_NAME, "summary").click()
    return panel


def test_an_officer_fines_on_the_spot_on_a_phone(phone, live_server):
    world = World()
    login(phone, live_server, world.officer1.user.username, PASSWORD)
    phone.get(f"{live_server.url}/enforcement/m/")
    wait_text(phone, "当场处罚")
    screenshot(phone, "enforcement-field-home")
    phone.find_element(By.CSS_SELECTOR, "a[data-go=spot]").click()
    wait_for(phone, "form[data-outbox]")
    Select(phone.find_element(By.NAME, "matter_code")).select_by_value("XB-CF-001")
    fill(phone, "fine", "100")
    Select(phone.find_element(By.NAME, "circumstance")).select_by_value("lighter")
    fill(phone, "party_name", "王小二")
    fill(phone, "facts", "当事人在人行道上摆摊经营，经劝导后仍不撤离。")
    fill(phone, "address", "下埠集市入口")
    _check(phone, "officers", world.officer2.pk)
    screenshot(phone, "enforcement-field-spot")
    phone.find_element(By.CSS_SELECTOR, "form[data-outbox] button[type=submit]").click()
    wait_text(phone, "已发送", timeout=30)
    case = Case.objects.get(procedure="simplified")
    assert case.fine == 100 and case.state == "executing"
    document = case.documents.get(kind="on_the_spot_decision")
    phone.get(f"{live_server.url}/enforcement/m/spot/{case.number}/")
    wait_text(phone, document.number)
    screenshot(phone, "enforcement-field-spot-done")
    # a resend of the same form (same client UUID) never makes a second case
    assert Case.objects.count() == 1


def test_a_squad_leader_takes_a_grid_lead_to_service(browser_factory, live_server):
    world = World()
    lead = lead_svc.lead_receive(
        source="grid_incident",
        source_ref="SJ2026120300001",
        description="石岭村主街有商户长期占道摆放货物，网格员劝导无效。",
        actor=world.dispatcher,
        squad=world.squad,
        client_uuid=uuid.uuid4(),
        reporter=world.gridmember,
        address="石岭村主街",
    )
    leader = browser_factory()
    login(leader, live_server, world.leader.user.username, PASSWORD)
    leader.get(f"{live_server.url}/enforcement/desk/?tab=leads")
    wait_text(leader, lead.number)
    screenshot(leader, "enforcement-desk-leads")
    leader.find_element(By.LINK_TEXT, lead.number).click()
    panel = _act(leader, "propose")
    Select(panel.find_element(By.NAME, "propose-matter_code")).select_by_value("XB-CF-001")
    fill(leader, "propose-party_name", "李某某")
    _check(leader, "propose-officers", world.officer1.pk)
    _check(leader, "propose-officers", world.officer2.pk)
    screenshot(leader, "enforcement-lead-propose")
    submit_and_wait(
        leader, panel.find_element(By.CSS_SELECTOR, "button[data-act=propose]"), "立案审批中"
    )

    head = browser_factory()
    login(head, live_server, world.head.username, PASSWORD)
    head.get(f"{live_server.url}/enforcement/desk/?tab=approvals")
    wait_text(head, lead.number)
    head.find_element(By.LINK_TEXT, lead.number).click()
    panel = _act(head, "approve")
    submit_and_wait(
        head, panel.find_element(By.CSS_SELECTOR, "button[data-act=approve]"), "调查取证"
    )
    case = Case.objects.get(lead=lead)
    assert Lead.objects.get(pk=lead.pk).state == "filed"

    leader.get(f"{live_server.url}/enforcement/cases/{case.number}/")
    panel = _act(leader, "proposal")
    _check(leader, "proposal-penalties", "fine")
    fill(leader, "proposal-fine", "800")
    Select(panel.find_element(By.NAME, "proposal-circumstance")).select_by_value("ordinary")
    submit_and_wait(
        leader, panel.find_element(By.CSS_SELECTOR, "button[data-act=proposal]"), "已办理"
    )
    panel = _act(leader, "notify")
    submit_and_wait(
        leader, panel.find_element(By.CSS_SELECTOR, "button[data-act=notify]"), "已告知"
    )
    panel = _act(leader, "statement")
    _check(leader, "statement-waived")
    submit_and_wait(
        leader, panel.find_element(By.CSS_SELECTOR, "button[data-act=statement]"), "已办理"
    )
    screenshot(leader, "enforcement-case-notified")

    head.get(f"{live_server.url}/enforcement/cases/{case.number}/")
    panel = _act(head, "decide")
    Select(panel.find_element(By.NAME, "decide-kind")).select_by_value("penalty")
    submit_and_wait(head, panel.find_element(By.CSS_SELECTOR, "button[data-act=decide]"), "已决定")

    leader.get(f"{live_server.url}/enforcement/cases/{case.number}/")
    panel = _act(leader, "serve")
    Select(panel.find_element(By.NAME, "serve-method")).select_by_value("hand")
    fill(leader, "serve-recipient", "李某某")
    submit_and_wait(leader, panel.find_element(By.CSS_SELECTOR, "button[data-act=serve]"), "执行中")
    screenshot(leader, "enforcement-case-served")
    case.refresh_from_db()
    assert case.state == "executing" and case.payment_due is not None
    kinds = set(case.documents.values_list("kind", flat=True))
    assert {"filing_approval", "penalty_notice", "penalty_decision", "service_receipt"} <= kinds
    head.get(f"{live_server.url}/enforcement/desk/")
    wait_text(head, case.number)
    screenshot(head, "enforcement-desk-board")
