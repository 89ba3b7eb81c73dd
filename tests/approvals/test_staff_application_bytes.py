"""The staff application page read with its scope at once (issue 19: it read the application,
then the same row again with what the screen shows) is byte for byte the page it was: the old
way (the scoped read, then ``application_for_screen``) and the new one rendered for
applications in several states, for the clerk, the reviewer and the supervisor, in both
languages."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from approvals.views import staff as views
from tests.approvals.staff_fixtures import accepted, decided, fresh, in_review, submitted

RANDOM = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"')
OLD_SCREEN_CONTEXT = views._screen_context
OLD_APPLICATION = views._application


def page(monkeypatch, user, language, url, old, queries=None):
    with monkeypatch.context() as m:
        if old:
            m.setattr(
                views,
                "_application",
                lambda request, reference, narrow=None: OLD_APPLICATION(request, reference),
            )
            m.setattr(
                views,
                "_screen_context",
                lambda application, loaded=False: OLD_SCREEN_CONTEXT(application),
            )
        client = Client()
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        with translation.override(translation.get_language()):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
    if queries is not None:
        queries.append(len(ctx.captured_queries))
    return response.status_code, RANDOM.sub(b"random", response.content)


def compare(world, monkeypatch, app):
    url = reverse("approvals:staff-application", args=[app.number])
    for user in (world.clerk, world.reviewer, world.supervisor, world.district_reviewer):
        for language in ("zh-hans", "en"):
            counts = []
            page(monkeypatch, user, language, url, old=False)  # the person's caches warm
            old = page(monkeypatch, user, language, url, old=True, queries=counts)
            new = page(monkeypatch, user, language, url, old=False, queries=counts)
            assert new == old, (app.number, app.state, user, language)
            if new[0] == 200:
                assert counts[1] == counts[0] - 1, counts


@pytest.mark.parametrize("make", [submitted, accepted, in_review, decided])
def test_the_staff_application_page_is_the_page_it_was(make, world, monkeypatch):
    compare(world, monkeypatch, make(world))


def test_with_a_suspension_and_an_extension(world, monkeypatch, client):
    app = in_review(world)
    client.force_login(world.reviewer)
    review = reverse("approvals:review", args=[app.number])
    response = client.post(
        review,
        {
            "state": "in_review",
            "action": "suspend",
            "suspend-kind": "expert_review",
            "suspend-reason": "组织专家评审",
            "suspend-expected_days": "5",
        },
    )
    assert response.status_code == 302
    compare(world, monkeypatch, fresh(app))
    client.post(review, {"state": "suspended", "action": "resume"})
    compare(world, monkeypatch, fresh(app))
