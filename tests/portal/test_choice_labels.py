"""portal.models.choices: get_FOO_display looked up once per field, still in the active
language, and Django's answer for values outside the choices."""

from django.utils import translation

from approvals.models import Application, ApplicationMaterial
from grid.models import Incident


def test_labels_follow_the_active_language():
    application = Application(channel=Application.Channel.ONLINE)
    with translation.override("zh-hans"):
        assert application.get_channel_display() == "网上申请"
    with translation.override("en"):
        assert application.get_channel_display() == "Apply online"
    with translation.override("zh-hans"):
        assert application.get_channel_display() == "网上申请"


def test_every_choice_and_an_unknown_value_as_django_shows_them():
    material = ApplicationMaterial()
    for value, label in ApplicationMaterial.Status.choices:
        material.status = value
        assert material.get_status_display() == str(label)
    material.status = "no-such-status"
    assert material.get_status_display() == "no-such-status"
    incident = Incident(source=Incident._meta.get_field("source").choices[0][0])
    assert incident.get_source_display() == str(Incident._meta.get_field("source").choices[0][1])


def test_labels_are_kept_per_language():
    from enforcement.models import Lead, LeadSource

    lead = Lead(source=LeadSource.values[0])
    for language in ("en", "zh-hans", "en"):
        with translation.override(language):
            assert lead.get_source_display() == str(LeadSource.choices[0][1])
    lead.source = None
    assert lead.get_source_display() is None
