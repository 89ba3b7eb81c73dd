"""The desk's leads tab read as plain rows with its statement kept per scope (issue 19:
~200 Lead, Squad and Matter instances were built per request and the clock's CASE compiled
each time) is byte for byte the page it was, for the bureau head, both squad leaders, an
officer, the legal reviewer and someone with no squad, in both languages, with the same number
of queries."""

import re
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.template import Context, Engine, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from enforcement.models import LEAD_OPEN, Lead, LeadState
from enforcement.selectors import leads as lead_sel
from enforcement.services import leads as svc
from enforcement.templatetags.enforcement_tags import lead_rows
from tests.enforcement.test_desk_rows import FORMER_LEADS

RANDOM = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"')
URL = "/enforcement/desk/?tab=leads"

DESCRIPTIONS = [
    "占道经营，摊位堵塞人行道",
    "<b>&\"'</b> 违规搭建雨棚 a/b?c#d%20 " * 3,  # long: cut at 40
    "e\u0301" * 45,  # NFD: combining accents count for nothing, NFC makes them one
    "e\u0301" * 15,  # NFD and short: shown as NFC
    "e\u0301" * 40,  # 80 code points, 40 characters: not cut
    "x" * 40,
    "y" * 41,
    "短",
]


def old_desk_leads(user, now=None):
    """The view's former read."""
    return list(
        lead_sel.with_clock(lead_sel.visible_leads(user).filter(state__in=LEAD_OPEN), now)
        .select_related("squad", "matter")
        .order_by("clock_rank", "due_at", "id")[:200]
    )


def make_leads(world):
    now = timezone.now()
    squads = [world.squad, world.squad2, None]
    received = [now - timedelta(days=40), now - timedelta(days=13), now - timedelta(days=1), now]
    n = 0
    for description in DESCRIPTIONS:
        for squad in squads:
            for _ in range(2):
                n += 1
                svc.lead_receive(
                    source=["grid_incident", "patrol", "complaint"][n % 3],
                    description=description,
                    actor=world.head,
                    matter_code="XB-CF-001" if n % 2 else None,
                    squad=squad,
                    client_uuid=uuid.uuid4(),
                    received_at=received[n % len(received)],
                )
    leads = list(Lead.objects.order_by("id"))
    # Some waiting for the filing decision, some decided (not on the desk).
    Lead.objects.filter(pk__in=[lead.pk for lead in leads[::5]]).update(
        state=LeadState.FILING_PROPOSED
    )
    Lead.objects.filter(pk__in=[lead.pk for lead in leads[3::7]]).update(state=LeadState.NOT_FILED)


def page(monkeypatch, user, language, old):
    with monkeypatch.context() as m:
        if old:
            m.setattr(lead_sel, "desk_leads", old_desk_leads)
        client = Client()
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        with translation.override(translation.get_language()):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(URL)
    return response.status_code, RANDOM.sub(b"random", response.content), len(ctx)


def test_the_desks_leads_are_the_page_they_were(world, monkeypatch):
    make_leads(world)
    users = [
        world.head,
        world.leader.user,
        world.leader2.user,
        world.officer1.user,
        world.reviewer,
        world.dispatcher,
    ]
    seen = set()
    for user in users:
        for language in ("zh-hans", "en"):
            page(monkeypatch, user, language, old=False)  # the person's caches warm
            old = page(monkeypatch, user, language, old=True)
            new = page(monkeypatch, user, language, old=False)
            assert new[0] in (200, 403)
            assert new == old, (user, language)
            seen.add(new[1].count(b'<tr class="rank-'))
    assert len(seen) >= 3  # all leads, one squad's, the other's (and none)


def test_the_kept_statement_takes_each_requests_moment(world):
    make_leads(world)
    for user in (world.head, world.leader.user):
        lead_sel._SQL_MEMO.clear()
        for now in (
            timezone.now(),
            timezone.make_aware(datetime(2020, 1, 1)),  # nothing due yet
            timezone.now() + timedelta(days=365),  # everything overdue
        ):
            expected = list(lead_sel.desk_queryset(user, now))
            with CaptureQueriesContext(connection) as ctx:
                assert lead_sel.desk_leads(user, now) == expected
            assert len(ctx) == 1
        assert len(lead_sel._SQL_MEMO) == 1
    statuses = {
        row[-1] for row in lead_sel.desk_leads(world.head, timezone.now() + timedelta(days=365))
    }
    assert statuses == {"overdue"}


def test_the_rows_are_the_former_template_loop(world):
    """lead_rows of the plain rows against the loop it replaced (tests/enforcement/
    test_desk_rows.py's FORMER_LEADS) over the leads as the view read them before."""
    make_leads(world)
    now = timezone.now()
    for user in (world.head, world.leader.user, world.leader2.user):
        for language in ("zh-hans", "en"):
            with translation.override(language):
                former = Template(FORMER_LEADS, engine=Engine.get_default()).render(
                    Context({"leads": old_desk_leads(user, now)})
                )
                assert lead_rows(lead_sel.desk_leads(user, now)) == former, (user, language)
                assert former.count("<tr") > 10
