"""Incident pages: grid people's phone pages, the resident's pages, the supervisors' list and
export, the category admin pages. Foreign incidents are 404; lists have pinned query counts."""

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from grid.models import Incident
from grid.models.incidents import Source, State
from grid.services import incidents as svc
from portal.models import AuditEntry
from tests.grid.incident_fixtures import World, jpeg

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    return World()


def login(client, user):
    client.force_login(user)
    return client


def made(w, actor=None, **kw):
    actor = actor or w.member1
    defaults = {
        "source": Source.RESIDENT if actor.has_role("citizen") else Source.GRID_MEMBER,
        "category_code": "ORD",
        "description": "菜市场门口占道经营",
        "lat": World.V1G1[0],
        "lng": World.V1G1[1],
        "photo_files": [jpeg()],
    }
    defaults.update(kw)
    return svc.incident_report(actor=actor, **defaults).incident


def test_report_page_without_javascript_is_idempotent(client, w):
    login(client, w.member1)
    page = client.get("/grid/incidents/report/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-outbox="/api/v1/incidents/"' in html and "outbox-sw.js" in html
    assert "<script>" not in html and "onclick" not in html
    key = str(uuid.uuid4())
    data = {
        "client_uuid": key,
        "category": "ORD",
        "description": "占道经营",
        "lat": World.V1G1[0],
        "lng": World.V1G1[1],
        "photos": [SimpleUploadedFile("a.jpg", jpeg(), content_type="image/jpeg")],
    }
    first = client.post("/grid/incidents/report/", data)
    assert first.status_code == 302
    number = Incident.objects.get().number
    assert first["Location"] == f"/grid/incidents/{number}/"
    data["photos"] = [SimpleUploadedFile("a.jpg", jpeg(), content_type="image/jpeg")]
    again = client.post("/grid/incidents/report/", data, follow=True)
    assert Incident.objects.count() == 1
    assert "没有重复登记" in again.content.decode()


def test_report_page_errors_keep_the_form(client, w):
    login(client, w.citizen)
    response = client.post(
        "/incidents/report/",
        {
            "client_uuid": str(uuid.uuid4()),
            "category": "ORD",
            "description": "路灯坏了",
            "address": "老街12号",
            "lat": World.OUTSIDE[0],
            "lng": World.OUTSIDE[1],
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "不在本镇范围内" in html and "路灯坏了" in html and "老街12号" in html
    assert not Incident.objects.exists()


def test_detail_offers_what_the_person_may_do(client, w):
    incident = made(w, w.citizen, photo_files=[])
    page = login(client, w.member2).get(f"/grid/incidents/{incident.number}/").content.decode()
    assert 'data-action="verify"' in page and 'data-action="accept"' not in page
    page = login(client, w.head1).get(f"/grid/incidents/{incident.number}/").content.decode()
    assert 'data-action="void"' in page
    assert login(client, w.member3).get(f"/grid/incidents/{incident.number}/").status_code == 404


def test_actions_through_the_pages(client, w):
    incident = made(w)
    login(client, w.head1)
    url = f"/grid/incidents/{incident.number}"
    response = client.post(
        f"{url}/accept/", {"seen_state": "verified", "accept-handler": str(w.member2.pk)}
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.state == State.HANDLING and incident.handler == w.member2
    # A page that showed an older state: told, nothing changed.
    stale = client.post(f"{url}/accept/", {"seen_state": "verified"}, follow=True)
    assert "已被他人处理" in stale.content.decode()
    login(client, w.member2)
    bad = client.post(f"{url}/report_result/", {"seen_state": "handling", "report_result-note": ""})
    assert bad.status_code == 400
    ok = client.post(
        f"{url}/report_result/",
        {
            "seen_state": "handling",
            "report_result-note": "已清理",
            "report_result-photos": [
                SimpleUploadedFile("r.jpg", jpeg(), content_type="image/jpeg")
            ],
        },
    )
    assert ok.status_code == 302
    login(client, w.head1)
    client.post(f"{url}/close/", {"seen_state": "feedback", "close-outcome": "solved"})
    incident.refresh_from_db()
    assert incident.state == State.CLOSED and incident.outcome == "solved"


def test_member_list_urgent_first_with_pinned_queries(client, w):
    ordinary = made(w)
    urgent = made(w, category_code="URG")
    other = made(w, w.member3, lat=World.V2G1[0], lng=World.V2G1[1])
    login(client, w.member1)
    client.get("/grid/incidents/")  # warm the session and the menu
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/grid/incidents/")
    html = page.content.decode()
    assert html.index(urgent.number) < html.index(ordinary.number)
    assert other.number not in html
    for _ in range(10):
        made(w)
    with CaptureQueriesContext(connection) as more:
        client.get("/grid/incidents/")
    assert len(more) == len(queries), [q["sql"] for q in more.captured_queries]


def test_member_list_cards_escape_and_link(client, w):
    """The cards are written in Python (grid.templatetags.incidents.incident_cards): every
    value escaped, each card linking to the incident, with its clock and the map's data."""
    risky = made(w, description='<b onclick="x()">占道</b> & "引号"')
    login(client, w.member1)
    html = client.get("/grid/incidents/").content.decode()
    assert '<b onclick="x()">' not in html
    assert "&lt;b onclick=&quot;x()&quot;&gt;占道&lt;/b&gt; &amp; &quot;引号&quot;" in html
    url = f"/grid/incidents/{risky.number}/"
    assert f'<a class="card-link" href="{url}">' in html
    assert f'data-url="{url}"' in html and f'data-lat="{risky.lat:.7f}"' in html
    cards = html[html.index('<ul class="incident-list">') :]
    cards = cards[: cards.index("</ul>")]
    assert cards.count('<span class="clock clock-') == cards.count('class="card-link"') == 1


def test_resident_pages(client, w):
    incident = made(w, w.citizen, anonymous=True)
    login(client, w.citizen)
    listing = client.get("/my/incidents/").content.decode()
    assert incident.number in listing and "网格员到现场核实" in listing
    assert client.get(f"/my/incidents/{incident.number}/").status_code == 200
    other = made(w, w.citizen2)
    assert client.get(f"/my/incidents/{other.number}/").status_code == 404
    # staff pages are not for residents
    assert client.get(f"/grid/incidents/{incident.number}/").status_code == 403


def test_rating_link_without_log_in(client, w):
    incident = made(w)
    incident = svc.incident_accept(actor=w.head1, incident=incident, handler=w.member2)
    incident = svc.incident_report_result(
        actor=w.member2, incident=incident, note="好", photo_files=[jpeg()]
    )
    svc.incident_close(actor=w.head1, incident=incident, outcome="solved")
    url = svc.rating_url(incident, rater="caller")
    assert client.get(url).status_code == 200
    done = client.post(url, {"score": 4, "comment": "快"})
    assert "感谢" in done.content.decode()
    assert incident.ratings.get().score == 4
    assert client.get(url[:-3] + "xx/").status_code == 404


def test_supervisor_list_filters_export_and_figures(client, w):
    made(w)
    made(w, category_code="URG")
    made(w, w.member3, lat=World.V2G1[0], lng=World.V2G1[1])
    login(client, w.supervisor)
    page = client.get("/grid/supervise/", {"category": "URG"}).content.decode()
    assert page.count("/grid/incidents/SJ") == 1
    page = client.get("/grid/supervise/", {"state": "open"}).content.decode()
    assert page.count("/grid/incidents/SJ") == 3
    export = client.get("/grid/supervise/export.xlsx", {"grid": w.town["V2G1"].pk})
    assert export.status_code == 200
    rows = list(load_workbook(io.BytesIO(export.content)).active.values)
    assert rows[0][0] == "事件编号" and len(rows) == 2
    assert AuditEntry.objects.filter(action="incident.export").exists()
    assert login(client, w.member1).get("/grid/supervise/").status_code == 403
    board = login(client, w.head1).get("/grid/incidents/board/")
    assert board.status_code == 200 and "东村一网格" in board.content.decode()


def test_category_admin_pages(client, w, make_user):
    admin = make_user("register_admin")
    login(client, admin)
    assert client.get("/grid/categories/").status_code == 200
    edit = client.get("/grid/categories/ORD/edit/")
    assert edit.status_code == 200
    form = {
        "branch": w.ordinary.branch.pk,
        "name": "占道经营",
        "order": 0,
        "urgency": "ordinary",
        "limit_unit": "working_days",
        "verify_limit": 2,
        "accept_limit": 1,
        "handle_limit": 3,
        "max_handle_limit": 5,
        "grid_may_handle": "on",
        "duplicate_radius_m": 200,
        "duplicate_days": 14,
        "change_note": "核实放宽",
        "version": "1",
    }
    assert client.post("/grid/categories/ORD/edit/", form).status_code == 302
    versions = client.get("/grid/categories/ORD/").content.decode()
    assert "v2" in versions and "核实放宽" in versions
    stale = client.post("/grid/categories/ORD/edit/", {**form, "verify_limit": 3})
    assert stale.status_code == 200 and "已被他人修改" in stale.content.decode()
    export = client.get("/grid/categories/export.xlsx")
    assert export.status_code == 200
    preview = client.post(
        "/grid/categories/import/",
        {"file": SimpleUploadedFile("c.xlsx", export.content)},
    )
    assert "没有需要导入的变化" in preview.content.decode()
    assert login(client, w.member1).get("/grid/categories/").status_code == 403


def test_area_card_shows_the_open_work(client, w):
    made(w)
    made(w, category_code="URG")
    login(client, w.head1)
    card = client.get(f"/grid/map/card/{w.town['V1G1'].code}/")
    assert card.status_code == 200
    html = card.content.decode()
    assert "在办事件" in html and "/grid/supervise/?grid=" in html
    login(client, w.member3)
    other = client.get(f"/grid/map/card/{w.town['V1G1'].code}/").content.decode()
    assert "在办事件" not in other
