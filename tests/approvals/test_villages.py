"""Applications carry the applicant's village: chosen from the list, defaulted from the
applicant (or, by proxy, the agent); the API takes a code; the dashboards filter by village."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from approvals.models import Application
from approvals.selectors import dashboard as sel
from approvals.services import applications as svc
from portal.areas import services as area_services
from tests.approvals.dashboard_data import OCTOBER, TODAY, Town
from tests.portal.area_fixtures import make_town

pytestmark = pytest.mark.django_db


@pytest.fixture
def areas(db):
    return make_town()


def test_the_village_defaults_from_the_applicant_and_can_be_chosen(world, areas):
    citizen = world.citizen
    citizen.village = areas["V2"]
    citizen.save()
    app = svc.application_create(
        actor=citizen, matter=world.matter, channel=Application.Channel.ONLINE
    )
    assert app.village == areas["V2"]
    chosen = svc.application_create(
        actor=citizen, matter=world.matter, channel=Application.Channel.ONLINE, village="V1"
    )
    assert chosen.village == areas["V1"]
    svc.application_update_draft(application=chosen, actor=citizen, village=areas["V2"])
    chosen.refresh_from_db()
    assert chosen.village == areas["V2"]


def test_a_grid_or_a_closed_village_is_refused(world, areas, make_user):
    from portal.errors import ActionError

    with pytest.raises(ActionError) as err:
        svc.application_create(
            actor=world.citizen,
            matter=world.matter,
            channel=Application.Channel.ONLINE,
            village="V1G1",
        )
    assert "village" in err.value.fields
    area_services.area_close(
        actor=make_user("register_admin"),
        area=areas["V2"],
        on=date(2025, 1, 1),
        note="撤村",
        with_children=True,
    )
    with pytest.raises(ActionError):
        svc.application_create(
            actor=world.citizen,
            matter=world.matter,
            channel=Application.Channel.ONLINE,
            village="V2",
        )


def test_the_api_takes_a_village_code_and_answers_it(world, areas):
    api = APIClient()
    api.force_authenticate(world.citizen)
    response = api.post(
        "/api/v1/applications/",
        {"matter_code": world.matter.code, "channel": "online", "village": "V1"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["village"] == "V1"
    bad = api.post(
        "/api/v1/applications/",
        {"matter_code": world.matter.code, "channel": "online", "village": "NOPE"},
        format="json",
    )
    assert bad.status_code == 400 and "village" in bad.json()["fields"]


def test_the_online_form_offers_the_villages_with_the_applicants_own_chosen(client, world, areas):
    world.citizen.village = areas["V2"]
    world.citizen.save()
    client.force_login(world.citizen)
    page = client.get(f"/apply/{world.matter.code}/").content.decode()
    assert 'data-village-locate="/api/v1/areas/locate/"' in page
    assert '<option value="V2" selected>西村</option>' in page
    assert "V1G1" not in page  # grids are not villages


def test_the_profile_keeps_the_address_and_village(client, world, areas):
    client.force_login(world.citizen)
    response = client.post("/accounts/profile/address/", {"address": "东村12号", "village": "V1"})
    assert response.status_code == 302
    world.citizen.refresh_from_db()
    assert (world.citizen.address, world.citizen.village.code) == ("东村12号", "V1")
    bad = client.post("/accounts/profile/address/", {"address": "x", "village": "V1G1"})
    assert bad.status_code == 400


def test_the_dashboards_filter_by_village(world, areas):
    from django.core.cache import cache

    cache.clear()
    town = Town(world)
    Application.objects.filter(pk__in=[town.a.pk, town.b.pk]).update(village=areas["V1"])
    Application.objects.filter(pk=town.d.pk).update(village=areas["V2"])
    town.rollup()
    october = {"start": OCTOBER[0], "end": OCTOBER[1]}
    everything = sel.history(sel.Filters(**october))["totals"]
    v1 = sel.history(sel.Filters(**october, village=areas["V1"]))["totals"]
    v2 = sel.history(sel.Filters(**october, village=areas["V2"]))["totals"]
    assert (everything["decided"], v1["decided"], v2["decided"]) == (4, 2, 1)
    live = sel.open_position(sel.Filters(start=TODAY, end=TODAY, village=areas["V1"]), TODAY)
    assert live["total"] == 0  # A and B are closed
    assert sel.village_filter_available()


def test_the_dashboard_page_shows_the_village_filter(client, world, areas, make_user):
    client.force_login(make_user("supervisor"))
    page = client.get("/dashboard/?village=V1").content.decode()
    assert 'name="village"' in page and '<option value="V1" selected>东村</option>' in page
    assert "办件登记所属村（社区）后提供" not in page
