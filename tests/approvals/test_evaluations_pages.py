"""Evaluation pages: rating on the application page, the supervisors' ratings list and the
rectification pages (call-back, action, result, close)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals.models import Callback, Evaluation, Rectification
from approvals.services import evaluations as svc
from tests.approvals import citizen_journey as j

pytestmark = pytest.mark.django_db


def _detail(app):
    return reverse("approvals:application-detail", args=[app.reference])


def test_completed_application_offers_the_rating_once(client, world):
    app = j.completed(world)
    client.force_login(world.citizen)
    html = client.get(_detail(app)).content.decode()
    for label in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
        assert label in html
    response = client.post(
        reverse("approvals:evaluate", args=[app.reference]),
        {"rating": "2", "comment": "跑了两趟"},
        follow=True,
    )
    html = response.content.decode()
    assert "感谢您的评价" in html and 'class="rating-badge rating-2"' in html
    evaluation = Evaluation.objects.get()
    assert evaluation.rating == 2 and evaluation.rectification.status == "open"
    assert "我们已收到您的意见，将回访并整改" in html
    # once: the form is gone and a second post changes nothing
    assert 'name="rating"' not in html
    response = client.post(reverse("approvals:evaluate", args=[app.reference]), {"rating": "5"})
    assert response.status_code == 302
    assert Evaluation.objects.get().rating == 2


def test_rating_errors_are_on_the_field_and_keep_the_comment(client, world):
    app = j.completed(world)
    client.force_login(world.citizen)
    response = client.post(
        reverse("approvals:evaluate", args=[app.reference]), {"comment": "态度很好"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_rating_error"' in html and "请选择评价等级" in html
    assert "态度很好" in html
    assert not Evaluation.objects.exists()


def test_staff_cannot_rate_through_the_page(client, world):
    app = j.completed(world)
    for who in (world.release_clerk, world.reviewer, world.supervisor):
        client.force_login(who)
        html = client.get(_detail(app)).content.decode()
        assert 'name="rating"' not in html
        response = client.post(reverse("approvals:evaluate", args=[app.reference]), {"rating": "1"})
        assert response.status_code == 404
    assert not Evaluation.objects.exists()


def test_proxy_agent_rates_on_behalf(client, world):
    app = j.completed(world, j.proxy_draft(world))
    client.force_login(world.proxy)
    html = client.get(_detail(app)).content.decode()
    assert "帮代办员代评" in html
    client.post(reverse("approvals:evaluate", args=[app.reference]), {"rating": "4"})
    evaluation = Evaluation.objects.get()
    assert evaluation.on_behalf and evaluation.rated_by == world.proxy


def test_rater_identity_is_shown_to_supervisors_only(client, world):
    app = j.completed(world, j.proxy_draft(world))
    svc.evaluation_create(application=app, actor=world.proxy, rating=1, comment="太慢")
    client.force_login(world.supervisor)
    html = client.get(reverse("approvals:evaluations")).content.decode()
    assert world.proxy.display_name in html and "帮代办员代评" in html and "太慢" in html
    html = client.get(_detail(app)).content.decode()
    assert f"评价人：{world.proxy.display_name}" in html
    for who in (world.reviewer, world.clerk):
        client.force_login(who)
        assert client.get(reverse("approvals:evaluations")).status_code == 403
        html = client.get(_detail(app)).content.decode()
        assert "太慢" in html  # the rating itself is no secret to the department
        assert "评价人" not in html and "帮代办员代评" not in html


def test_rectification_pages_are_for_supervisors(client, world):
    app = j.completed(world)
    rect = svc.evaluation_create(application=app, actor=world.citizen, rating=1).rectification
    for who in (world.citizen, world.clerk, world.reviewer):
        client.force_login(who)
        assert client.get(reverse("approvals:rectifications")).status_code == 403
        assert (
            client.get(reverse("approvals:rectification-detail", args=[rect.pk])).status_code == 403
        )
    client.force_login(world.supervisor)
    assert client.get(reverse("approvals:rectification-detail", args=[999999])).status_code == 404


def test_rectification_list_flags_overdue(client, world):
    app = j.completed(world)
    rect = svc.evaluation_create(
        application=app, actor=world.citizen, rating=1, today=date(2026, 9, 1)
    ).rectification
    client.force_login(world.supervisor)
    html = client.get(reverse("approvals:rectifications")).content.decode()
    assert app.number in html
    assert rect.due_date < timezone.localdate()
    assert 'class="overdue-flag"' in html
    html = client.get(reverse("approvals:rectifications") + "?status=overdue").content.decode()
    assert app.number in html
    html = client.get(reverse("approvals:rectifications") + "?status=closed").content.decode()
    assert app.number not in html


def test_callback_form_errors_keep_what_was_typed(client, world):
    app = j.completed(world)
    rect = svc.evaluation_create(application=app, actor=world.citizen, rating=2).rectification
    client.force_login(world.supervisor)
    url = reverse("approvals:rectification-callback", args=[rect.pk])
    future = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url, {"called_at": future, "method": "phone", "citizen_said": "希望下次一次办好"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_called_at_error"' in html and "回访时间不能晚于现在" in html
    assert "希望下次一次办好" in html
    assert not Callback.objects.exists()


def test_supervisor_records_a_callback_and_closes(client, world):
    app = j.completed(world)
    rect = svc.evaluation_create(application=app, actor=world.citizen, rating=2).rectification
    client.force_login(world.supervisor)
    detail = reverse("approvals:rectification-detail", args=[rect.pk])
    save = reverse("approvals:rectification-save", args=[rect.pk])
    # closing before any call-back is refused, the typed texts stay
    response = client.post(
        save, {"action_taken": "窗口培训", "result": "群众认可", "action": "close"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "办结前请先记录至少一次回访" in html and "窗口培训" in html and "群众认可" in html
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("approvals:rectification-callback", args=[rect.pk]),
        {"called_at": now, "method": "phone", "citizen_said": "等了太久"},
    )
    assert response.status_code == 302
    html = client.get(detail).content.decode()
    assert "等了太久" in html and "电话回访" in html
    response = client.post(
        save, {"action_taken": "窗口培训", "result": "群众认可", "action": "close"}
    )
    assert response.status_code == 302
    rect = Rectification.objects.get(pk=rect.pk)
    assert rect.status == "closed" and rect.result == "群众认可"
    # the applicant sees the outcome on the application page
    client.force_login(world.citizen)
    html = client.get(_detail(app)).content.decode()
    assert "我们已完成整改：群众认可" in html


def test_supervisor_lists_query_counts_do_not_grow(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def rate_one():
        app = j.completed(world)
        svc.evaluation_create(application=app, actor=world.citizen, rating=1)

    rate_one()
    client.force_login(world.supervisor)
    urls = [
        reverse("approvals:rectifications"),
        reverse("approvals:rectifications") + "?status=all",
        reverse("approvals:evaluations"),
    ]
    few = {}
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        few[url] = len(queries)
    for _ in range(4):
        rate_one()
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) == few[url] <= 12, url
