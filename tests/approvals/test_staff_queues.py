"""The staff queue pages: who may open them, what they show, keyset pages, pinned query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from approvals.models import Application, Extension, State
from approvals.services import applications as svc
from portal import roles
from portal.models import Window
from tests.approvals.app_fixtures import make_matter
from tests.approvals.staff_fixtures import accepted, decided, in_review, submitted
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

QUEUES = {
    "approvals:intake-queue": roles.WINDOW_CLERK,
    "approvals:walk-in": roles.WINDOW_CLERK,
    "approvals:release-queue": roles.WINDOW_CLERK,
    "approvals:review-queue": roles.REVIEWER,
    "approvals:district-queue": roles.DISTRICT_REVIEWER,
    "approvals:supervision": roles.SUPERVISOR,
}


def _user_for(world, role):
    return {
        roles.WINDOW_CLERK: world.clerk,
        roles.REVIEWER: world.reviewer,
        roles.DISTRICT_REVIEWER: world.district_reviewer,
        roles.SUPERVISOR: world.supervisor,
        roles.CITIZEN: world.citizen,
        roles.PROXY_AGENT: world.proxy,
    }[role]


@pytest.mark.parametrize("name", QUEUES)
def test_each_queue_opens_for_its_role_and_only_for_it(world, client, name):
    owner = QUEUES[name]
    for role in (*set(QUEUES.values()), roles.CITIZEN, roles.PROXY_AGENT):
        client.force_login(_user_for(world, role))
        response = client.get(reverse(name))
        assert response.status_code == (200 if role == owner else 403), (name, role)
    client.logout()
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_menu_shows_each_staff_role_only_its_pages(world, client):
    client.force_login(world.clerk)
    body = client.get(reverse("home")).content.decode()
    for name in ("intake-queue", "walk-in", "release-queue"):
        assert reverse(f"approvals:{name}") in body
    for name in ("review-queue", "district-queue", "supervision"):
        assert reverse(f"approvals:{name}") not in body
    client.force_login(world.reviewer)
    body = client.get(reverse("home")).content.decode()
    assert reverse("approvals:review-queue") in body
    assert reverse("approvals:intake-queue") not in body


# --- intake queue ----------------------------------------------------------------------------


def test_intake_queue_lists_own_windows_submissions_oldest_first_with_countdown(world, client):
    first = submitted(world)
    second = submitted(world, citizen=world.other_citizen)
    accepted(world)  # no longer waiting
    other_dept = DepartmentFactory(code="OTHER", name="别的部门")
    other_matter = make_matter(code="M900", department=other_dept, name="别处的事项")
    elsewhere = submitted(world, matter=other_matter)
    client.force_login(world.clerk)
    body = client.get(reverse("approvals:intake-queue")).content.decode()
    assert first.number in body and second.number in body
    assert body.index(first.number) < body.index(second.number)
    assert elsewhere.number not in body
    assert "剩5个工作日" in body  # the deemed-acceptance countdown (submitted today)
    assert first.deemed_acceptance_on.isoformat() in body
    assert reverse("approvals:intake", args=[first.number]) in body


def test_intake_queue_countdown_turns_red_on_the_last_day(world, client):
    app = submitted(world)
    Application.objects.filter(pk=app.pk).update(deemed_acceptance_on=timezone.localdate())
    client.force_login(world.clerk)
    body = client.get(reverse("approvals:intake-queue")).content.decode()
    assert "countdown-overdue" in body and "今天到期" in body


# --- review queue ----------------------------------------------------------------------------


def _age(app, *, due_in_days: int, warning_in_days: int | None = None):
    today = timezone.localdate()
    Application.objects.filter(pk=app.pk).update(
        due_date=today + timedelta(days=due_in_days),
        warning_date=today
        + timedelta(days=warning_in_days if warning_in_days is not None else due_in_days - 1),
    )


def test_review_queue_sorts_red_yellow_normal_paused_then_due_date(world, client):
    normal_late = accepted(world)
    _age(normal_late, due_in_days=30, warning_in_days=20)
    normal_soon = accepted(world)
    _age(normal_soon, due_in_days=10, warning_in_days=5)
    warning = in_review(world)
    _age(warning, due_in_days=2, warning_in_days=-1)
    overdue = in_review(world)
    _age(overdue, due_in_days=-3, warning_in_days=-6)
    paused = in_review(world)
    svc.application_suspend(
        application=paused, actor=world.reviewer, kind="testing", reason="送检", expected_days=5
    )
    client.force_login(world.reviewer)
    body = client.get(reverse("approvals:review-queue")).content.decode()
    order = [overdue, warning, normal_soon, normal_late, paused]
    positions = [body.index(a.number) for a in order]
    assert positions == sorted(positions)
    assert "clock-overdue" in body and "clock-warning" in body and "clock-paused" in body
    assert "未认领" in body  # accepted applications nobody has claimed yet


def test_review_queue_shows_only_own_department_and_filters(world, client):
    mine = in_review(world)
    unclaimed = accepted(world)
    other_dept = DepartmentFactory(code="OTHER2", name="别的部门2")
    other_matter = make_matter(code="M901", department=other_dept)
    window = Window.objects.get(number=1)
    window.departments.add(other_dept)
    elsewhere = accepted(world, matter=other_matter)
    client.force_login(world.reviewer)
    body = client.get(reverse("approvals:review-queue")).content.decode()
    assert mine.number in body and unclaimed.number in body and elsewhere.number not in body
    body = client.get(reverse("approvals:review-queue"), {"show": "mine"}).content.decode()
    assert mine.number in body and unclaimed.number not in body
    body = client.get(reverse("approvals:review-queue"), {"show": "unclaimed"}).content.decode()
    assert unclaimed.number in body and mine.number not in body


def test_review_queue_keyset_pages_cover_everything_once(world, client, monkeypatch):
    from approvals.selectors import staff as staff_sel

    monkeypatch.setattr(staff_sel, "PAGE_SIZE", 4)
    monkeypatch.setattr(staff_sel.keyset_page, "__defaults__", (4,))
    apps = [accepted(world) for _ in range(9)]
    for i, app in enumerate(apps):
        _age(app, due_in_days=3 + (i % 3), warning_in_days=1 + (i % 3))  # ties on due date
    client.force_login(world.reviewer)
    seen = []
    url = reverse("approvals:review-queue")
    params = {}
    for _page in range(5):
        response = client.get(url, params)
        page = response.context["page"]
        seen += [row.number for row in page.rows]
        if not page.next_cursor:
            break
        params = {"after": page.next_cursor}
    assert sorted(seen) == sorted(a.number for a in apps)
    assert len(seen) == len(set(seen)) == 9


def test_htmx_load_more_returns_only_rows(world, client, monkeypatch):
    from approvals.selectors import staff as staff_sel

    monkeypatch.setattr(staff_sel.keyset_page, "__defaults__", (2,))
    for _ in range(3):
        accepted(world)
    client.force_login(world.reviewer)
    first = client.get(reverse("approvals:review-queue"))
    cursor = first.context["page"].next_cursor
    assert cursor and f"after={cursor}" in first.content.decode()
    more = client.get(reverse("approvals:review-queue"), {"after": cursor}, HTTP_HX_REQUEST="true")
    body = more.content.decode()
    assert more.status_code == 200 and "<html" not in body and body.count("<tr") == 1


@pytest.mark.parametrize("cursor", ["garbage", "W1siYSJdXQ", "WyJ4IiwieSIsInoiXQ", "!!", "a" * 600])
def test_a_broken_cursor_starts_from_the_first_page(world, client, cursor):
    app = accepted(world)
    client.force_login(world.reviewer)
    response = client.get(reverse("approvals:review-queue"), {"after": cursor})
    assert response.status_code == 200 and app.number in response.content.decode()


# --- district, release, supervision ----------------------------------------------------------


def _forward_world(world):
    matter = make_matter(
        code="F001",
        department=world.dept,
        delegating=world.district,
        mode="forward",
        name="食品经营许可（转报）",
    )
    app = in_review(world, matter=matter)
    return svc.application_forward(application=app, actor=world.reviewer, opinion="初审同意")


def test_district_queue_lists_forwarded_applications_of_own_department(world, client):
    app = _forward_world(world)
    client.force_login(world.district_reviewer)
    body = client.get(reverse("approvals:district-queue")).content.decode()
    assert app.number in body and reverse("approvals:district-review", args=[app.number]) in body
    other = UserFactory.with_role(
        roles.DISTRICT_REVIEWER, department=DepartmentFactory(code="QX", name="区别的局")
    )
    client.force_login(other)
    assert app.number not in client.get(reverse("approvals:district-queue")).content.decode()


def test_release_queue_only_for_release_windows(world, client):
    ready = decided(world)
    client.force_login(world.release_clerk)
    body = client.get(reverse("approvals:release-queue")).content.decode()
    assert ready.number in body and ready.release_due_on.isoformat() in body
    client.force_login(world.clerk)  # a general window, no release window
    body = client.get(reverse("approvals:release-queue")).content.decode()
    assert ready.number not in body and "出件窗口" in body


def test_supervision_lists_extensions_overdue_and_warning_with_holder(world, client):
    held = in_review(world)
    _age(held, due_in_days=-2, warning_in_days=-5)
    nobody = accepted(world)
    _age(nobody, due_in_days=-1, warning_in_days=-3)
    yellow = in_review(world)
    _age(yellow, due_in_days=1, warning_in_days=-1)
    asking = in_review(world)
    svc.extension_request(application=asking, actor=world.reviewer, days=5, reason="需要现场核查")
    client.force_login(world.supervisor)
    body = client.get(reverse("approvals:supervision")).content.decode()
    assert asking.number in body and "需要现场核查" in body
    body = client.get(reverse("approvals:supervision"), {"tab": "overdue"}).content.decode()
    assert held.number in body and nobody.number in body and yellow.number not in body
    assert world.reviewer.display_name in body and "未认领" in body and "行政审批局" in body
    body = client.get(reverse("approvals:supervision"), {"tab": "warning"}).content.decode()
    assert yellow.number in body and held.number not in body
    body = client.get(
        reverse("approvals:supervision"), {"tab": "overdue", "department": world.district.pk}
    ).content.decode()
    assert held.number not in body


# --- pinned query counts: no N+1 -------------------------------------------------------------


def _count(client, url, params=None):
    client.get(url, params or {})  # warm caches (calendar, menu) the way a running server has them
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.fixture
def many(world):
    """30 applications in each queue."""
    for i in range(30):
        citizen = world.citizen if i % 2 else world.other_citizen
        submitted(world, citizen=citizen, upload=False)
        app = accepted(world, citizen=citizen, upload=False)
        if i % 3 == 0:
            app = svc.application_claim(application=app, actor=world.reviewer)
        if i % 5 == 0:
            app = svc.application_claim(
                application=accepted(world, upload=False), actor=world.reviewer2
            )
            svc.application_decide(application=app, actor=world.reviewer2, outcome="grant")
    return world


def test_queue_query_counts_are_pinned(many, client, django_assert_num_queries):
    world = many

    def page(user, name, params=None, rows=30):
        client.force_login(user)
        url = reverse(name)
        client.get(url, params or {})  # warm the per-process caches (calendar) like a live server
        with django_assert_num_queries(PINNED[name]):
            response = client.get(url, params or {})
        assert response.status_code == 200
        assert len(response.context["page"].rows) == rows

    page(world.clerk, "approvals:intake-queue")
    page(world.release_clerk, "approvals:release-queue", rows=6)
    page(world.reviewer, "approvals:review-queue")
    Application.objects.filter(state__in=[State.ACCEPTED, State.IN_REVIEW]).update(
        due_date=timezone.localdate() - timedelta(days=1)
    )
    page(world.supervisor, "approvals:supervision", {"tab": "overdue"})
    page(world.supervisor, "approvals:supervision", {"tab": "warning"}, rows=0)


# session, user, roles, staff profile (windows or department), [clock counts], the rows, unread
# notifications; the supervision page has no profile query but lists departments for its filter.
# the profile, the rows, their count (the session, the person, roles and unread count come
# from the cache once warm: portal.user_state and portal.session_user, issue 19)
PINNED = {
    "approvals:intake-queue": 3,
    "approvals:release-queue": 3,
    "approvals:review-queue": 3,
    "approvals:supervision": 2,
}


def test_queue_query_counts_do_not_grow_with_rows(world, client):
    """One row or thirty: the same number of queries."""
    client.force_login(world.reviewer)
    accepted(world, upload=False)
    few, _ = _count(client, reverse("approvals:review-queue"))
    for _ in range(10):
        svc.application_claim(application=accepted(world, upload=False), actor=world.reviewer)
    more, _ = _count(client, reverse("approvals:review-queue"))
    assert few == more


def test_supervision_extension_tab_query_count(world, client):
    for _ in range(5):
        app = in_review(world, upload=False)
        svc.extension_request(application=app, actor=world.reviewer, days=3, reason="需要专家评审")
    client.force_login(world.supervisor)
    few, r = _count(client, reverse("approvals:supervision"))
    assert len(r.context["extensions"]) == 5
    for _ in range(10):
        app = in_review(world, upload=False)
        svc.extension_request(application=app, actor=world.reviewer, days=3, reason="需要专家评审")
    more, r = _count(client, reverse("approvals:supervision"))
    assert len(r.context["extensions"]) == 15 == Extension.objects.filter(status="pending").count()
    assert few == more


def test_staff_pages_in_english(world, client, settings):
    app = accepted(world)
    client.force_login(world.reviewer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("approvals:review-queue")).content.decode()
    assert "Review queue" in body and "Unclaimed" in body and "审查队列" not in body
    body = client.get(reverse("approvals:review", args=[app.number])).content.decode()
    assert "Claim" in body and "History" in body and "Materials" in body
    client.force_login(world.clerk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("approvals:walk-in")).content.decode()
    assert "Walk-in registration" in body and "ID number" in body


def test_district_queue_query_count_is_pinned(world, client, django_assert_num_queries):
    matter = make_matter(
        code="F002", department=world.dept, delegating=world.district, mode="forward"
    )
    for _ in range(30):
        app = in_review(world, matter=matter, upload=False)
        svc.application_forward(application=app, actor=world.reviewer, opinion="初审同意")
    client.force_login(world.district_reviewer)
    url = reverse("approvals:district-queue")
    client.get(url)
    with django_assert_num_queries(2):  # profile, rows (session, person, roles, unread: cached)
        response = client.get(url)
    assert len(response.context["page"].rows) == 30


def test_screens_do_not_query_per_material_or_file(world, client):
    """The intake and review screens cost the same whatever the number of files."""
    from tests.approvals.app_fixtures import pdf_upload

    app = submitted(world)
    client.force_login(world.clerk)
    url = reverse("approvals:intake", args=[app.number])
    few, _ = _count(client, url)
    for item in app.materials.all():
        for i in range(3):
            svc.material_upload(
                application=app,
                actor=world.clerk,
                application_material=item,
                uploaded=pdf_upload(f"more-{i}.pdf"),
            )
    more, response = _count(client, url)
    assert few == more
    assert response.content.decode().count('target="preview"') == 12

    app = accepted(world)
    client.force_login(world.reviewer)
    url = reverse("approvals:review", args=[app.number])
    before, _ = _count(client, url)
    app = svc.application_claim(application=app, actor=world.reviewer)
    svc.extension_request(application=app, actor=world.reviewer, days=2, reason="评审")
    svc.application_suspend(
        application=app, actor=world.reviewer, kind="hearing", reason="听证", expected_days=3
    )
    after, _ = _count(client, url)
    assert (before, after) == (before, before + 1), "a paused clock reads its open suspension"
