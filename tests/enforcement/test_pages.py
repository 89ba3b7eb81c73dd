"""The enforcement pages: who sees what, the forms refuse with the field named and the input
kept, a stale act is 409, the public pages show only what is published."""

import io
import uuid
from datetime import date

from django.test import Client

from enforcement.models import Case, Lead
from enforcement.services import cases as svc
from enforcement.services import publication, simplified
from tests.enforcement.world import jpeg, open_case

D = date


def login(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_officers_phone_home_lists_my_cases(world, django_assert_max_num_queries):
    case = open_case(world)
    client = login(world.officer1.user)
    with django_assert_max_num_queries(12):
        response = client.get("/enforcement/m/")
    assert response.status_code == 200
    assert case.number in response.content.decode()
    assert login(world.citizen).get("/enforcement/m/").status_code == 403


def test_a_new_lead_without_javascript_is_idempotent(world):
    client = login(world.officer1.user)
    page = client.get("/enforcement/m/leads/new/")
    assert page.status_code == 200 and b"data-outbox" in page.content
    key = str(uuid.uuid4())
    data = {
        "client_uuid": key,
        "source": "patrol",
        "description": "违规搭建雨棚",
        "address": "下埠街",
    }
    first = client.post("/enforcement/m/leads/new/", data)
    assert first.status_code == 302
    again = client.post("/enforcement/m/leads/new/", data)
    assert again.status_code == 302 and Lead.objects.count() == 1
    bad = client.post(
        "/enforcement/m/leads/new/", {"client_uuid": str(uuid.uuid4()), "description": ""}
    )
    assert bad.status_code == 400 and "description" in bad.context["form"].errors


def test_the_on_the_spot_form_keeps_the_input_and_names_the_field(world):
    client = login(world.officer1.user)
    data = {
        "client_uuid": str(uuid.uuid4()),
        "matter_code": "XB-CF-001",
        "party_kind": "person",
        "party_name": "王某某",
        "facts": "乱扔垃圾",
        "address": "集市",
        "penalties": ["fine"],
        "fine": "250",
        "circumstance": "ordinary",
        "officers": [world.officer2.pk],
    }
    response = client.post("/enforcement/m/spot/", data)
    assert response.status_code == 400
    assert "200" in " ".join(response.context["form"].errors["fine"])
    assert response.context["form"]["party_name"].value() == "王某某"
    data.update(fine="100", circumstance="lighter")
    response = client.post("/enforcement/m/spot/", data)
    assert response.status_code == 302
    case = Case.objects.get()
    done = client.get(response["Location"])
    assert case.documents.get().number in done.content.decode()


def test_the_case_page_shows_the_acts_the_person_may_do(world):
    case = open_case(world)
    officer = login(world.officer1.user).get(f"/enforcement/cases/{case.number}/")
    assert officer.status_code == 200
    text = officer.content.decode()
    assert 'data-act="proposal"' in text and 'data-act="decide"' not in text
    head = login(world.head).get(f"/enforcement/cases/{case.number}/").content.decode()
    assert 'data-act="decide"' in head
    assert login(world.officer3.user).get(f"/enforcement/cases/{case.number}/").status_code == 404


def test_an_act_refused_shows_the_field_and_a_stale_act_is_409(world):
    case = open_case(world)
    client = login(world.officer1.user)
    url = f"/enforcement/cases/{case.number}/proposal/"
    response = client.post(
        url,
        {
            "proposal-penalties": ["fine"],
            "proposal-fine": "3000",
            "proposal-circumstance": "ordinary",
            "proposal-facts": "事实",
            "proposal-party_kind": "person",
            "proposal-party_name": "李某某",
        },
    )
    assert response.status_code == 400
    form = next(i["form"] for i in response.context["forms"] if i["action"] == "proposal")
    assert "outside_benchmark_reason" in form.errors and form["fine"].value() == "3000"
    ok = client.post(
        url,
        {
            "proposal-penalties": ["fine"],
            "proposal-fine": "800",
            "proposal-circumstance": "ordinary",
            "proposal-facts": "事实",
            "proposal-party_kind": "person",
            "proposal-party_name": "李某某",
        },
    )
    assert ok.status_code == 302
    client.post(f"/enforcement/cases/{case.number}/notify/", {"notify-on": "2026-03-03"})
    case.refresh_from_db()
    assert case.state == "notified"
    again = client.post(f"/enforcement/cases/{case.number}/notify/", {"notify-on": "2026-03-03"})
    assert again.status_code == 409


def test_the_desk_for_the_head_the_leader_and_the_reviewer(world, django_assert_max_num_queries):
    for _n in range(3):
        open_case(world)
    head = login(world.head)
    with django_assert_max_num_queries(10):
        board = head.get("/enforcement/desk/")
    assert board.status_code == 200 and "第一中队" in board.content.decode()
    for tab in ("leads", "approvals", "reviews", "discussions", "cases"):
        assert login(world.head).get(f"/enforcement/desk/?tab={tab}").status_code == 200
    assert login(world.leader.user).get("/enforcement/desk/?tab=cases").status_code == 200
    assert login(world.reviewer).get("/enforcement/desk/").context["tab"] == "reviews"
    assert login(world.citizen).get("/enforcement/desk/").status_code == 403


def test_the_lead_page_takes_a_lead_to_filing(world):
    from enforcement.services import leads

    lead = leads.lead_receive(
        source="grid_incident",
        description="占道",
        actor=world.dispatcher,
        squad=world.squad,
        client_uuid=uuid.uuid4(),
    )
    client = login(world.leader.user)
    response = client.post(
        f"/enforcement/leads/{lead.number}/propose/",
        {
            "propose-matter_code": "XB-CF-001",
            "propose-facts": "占道经营",
            "propose-officers": [world.officer1.pk, world.auxiliary.pk],
            "propose-party_kind": "person",
            "propose-party_name": "李某某",
        },
    )
    assert response.status_code == 400 and "协管员" in response.content.decode()
    response = client.post(
        f"/enforcement/leads/{lead.number}/propose/",
        {
            "propose-matter_code": "XB-CF-001",
            "propose-facts": "占道经营",
            "propose-officers": [world.officer1.pk, world.officer2.pk],
            "propose-party_kind": "person",
            "propose-party_name": "李某某",
        },
    )
    assert response.status_code == 302
    approved = login(world.head).post(f"/enforcement/leads/{lead.number}/approve/", {})
    assert approved.status_code == 302 and "/enforcement/cases/" in approved["Location"]


def test_team_benchmarks_and_inspections_pages(world):
    head = login(world.head)
    assert head.get("/enforcement/team/").status_code == 200
    page = head.get("/enforcement/benchmarks/")
    assert page.status_code == 200 and "XB-CF-001" in page.content.decode()
    export = head.get("/enforcement/benchmarks/export/")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    upload = io.BytesIO(export.content)
    upload.name = "b.xlsx"
    # the world's "减轻" level of XB-CF-002 goes below the legal minimum without the law's leave
    refused = head.post("/enforcement/benchmarks/", {"file": upload})
    assert refused.status_code == 400 and len(refused.context["problems"]) == 1
    assert "第6行" in refused.context["problems"][0]
    world.benchmark2.levels.filter(circumstance="mitigated").update(below_legal_minimum=True)
    upload = io.BytesIO(head.get("/enforcement/benchmarks/export/").content)
    upload.name = "b.xlsx"
    result = head.post("/enforcement/benchmarks/", {"file": upload})
    assert result.status_code == 200 and result.context["result"]["matters"] == 2
    assert head.get("/enforcement/inspections/").status_code == 200
    assert login(world.officer1.user).get("/enforcement/benchmarks/").status_code == 200
    assert head.get("/enforcement/benchmarks/XB-CF-001/").status_code == 200


def test_the_public_pages_show_only_what_is_published(world):
    case = open_case(world)
    case = svc.case_set_proposal(
        case=case,
        actor=world.officer1.user,
        penalties=["fine"],
        fine="800",
        circumstance="ordinary",
    )
    case = svc.case_notify(case=case, actor=world.officer1.user, on=D(2026, 3, 3))
    case = svc.case_decide(case=case, actor=world.head, kind="penalty", on=D(2026, 3, 12))
    anonymous = Client()
    page = anonymous.get(f"/enforcement/public/{case.public_id}/")
    assert page.status_code == 200 and "李某某" not in page.content.decode()
    assert page.context["publication"] is None
    publication.publication_publish(publication=case.publication, actor=world.head)
    page = anonymous.get(f"/enforcement/public/{case.public_id}/").content.decode()
    assert "李**" in page and "李某某" not in page and "3603**********0018" in page
    listing = anonymous.get("/enforcement/publicity/").content.decode()
    assert "李**" in listing


def test_the_party_opens_their_on_the_spot_decision_by_its_qr_code(world):
    case = simplified.case_simplified(
        actor=world.officer1.user,
        client_uuid=uuid.uuid4(),
        matter_code="XB-CF-001",
        party=world.party(),
        facts="乱扔垃圾",
        address="集市",
        penalties=["fine"],
        fine="50",
        circumstance="lighter",
        officers=[world.officer2],
    )
    document = case.documents.get()
    response = Client().get(f"/enforcement/d/{document.public_token}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    filing = open_case(world).documents.get()
    assert Client().get(f"/enforcement/d/{filing.public_token}/").status_code == 404


def test_evidence_photos_are_served_as_thumbnails_and_audited(world):
    from enforcement.services import records

    case = open_case(world)
    evidence = records.case_add_evidence(
        case=case, actor=world.officer1.user, upload=("p.jpg", jpeg()), client_uuid=uuid.uuid4()
    )
    client = login(world.officer2.user)
    thumb = client.get(f"/enforcement/cases/{case.number}/evidence/{evidence.pk}/")
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert (
        login(world.officer3.user)
        .get(f"/enforcement/cases/{case.number}/evidence/{evidence.pk}/")
        .status_code
        == 404
    )
