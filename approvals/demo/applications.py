"""Demo applications in every interesting state, driven through the real services with dates in
the recent past, so that queues, clocks, notices and history are all genuine: one waiting for
intake, one waiting for correction, yellow and red cards, a suspension, a pending extension, one
forwarded to the district, one ready for release, one completed and ready to be rated, and one
filed by the village proxy agent. Idempotent: each is keyed by ``details["demo"]``."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from approvals.models import Application, Matter
from approvals.services import applications as svc
from portal import idnumber, roles, workdays
from portal.models import User

RESIDENTS = [
    ("resident1", "刘大伟", "13800001101"),
    ("resident2", "黄秀英", "13800001102"),
    ("resident3", "何建国", "13800001103"),
]


def _pdf(title: str) -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"% " + title.encode("utf-8") + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def _residents() -> dict[str, User]:
    from django.contrib.auth.models import Group

    people = {}
    group = Group.objects.get(name=roles.CITIZEN)
    for index, (username, name, mobile) in enumerate(RESIDENTS):
        first17 = f"36031319{85 + index}0{index + 3}15{index:03d}"
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "real_name": name,
                "mobile": mobile,
                "id_number": first17 + idnumber.check_character(first17),
            },
        )
        if created:
            user.set_password("Demo@2026")
            user.save()
        user.groups.add(group)
        people[username] = user
    return people


def _back(today: date, working_days: int) -> date:
    """The working day ``working_days`` working days before today."""
    return workdays.working_day_on_or_before(today, working_days + 1) if working_days else today


def _draft(key, *, actor, matter, channel, applicant=None, consent=""):
    organisation = {}
    if not matter.for_persons:  # 办理对象: organisations only
        organisation = {
            "applicant_kind": Application.ApplicantKind.ORGANISATION,
            "organisation_name": "下埠镇好味食品有限公司",
            "credit_code": "91350100M000100Y43",
        }
    app = svc.application_create(
        actor=actor,
        matter=matter,
        channel=channel,
        applicant=applicant,
        proxy_consent=consent,
        details={"demo": key, "经营范围": "日用百货零售"},
        address="下埠镇人民路12号",
        **organisation,
    )
    for material in app.materials.all():
        svc.material_upload(
            application=app,
            actor=actor,
            application_material=material,
            uploaded=SimpleUploadedFile(
                f"{material.name}.pdf", _pdf(material.name), "application/pdf"
            ),
        )
    if channel == Application.Channel.ONLINE:
        app = svc.application_update_draft(application=app, actor=actor, declaration_accepted=True)
    return app


def _received(app):
    return [{"id": m.pk, "status": "received"} for m in app.materials.all()]


def seed() -> None:
    matter = (
        Matter.objects.filter(code="XB-XK-001", status=Matter.Status.PUBLISHED)
        .order_by("-valid_from")
        .first()
    )
    forward_matter = (
        Matter.objects.filter(code="XB-XK-009", status=Matter.Status.PUBLISHED)
        .order_by("-valid_from")
        .first()
    )
    if matter is None or forward_matter is None:
        return  # the demo register is not loaded
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=[
                "citizen",
                "proxy",
                "clerk",
                "release",
                "reviewer",
                "supervisor",
                "district",
            ]
        )
    }
    if len(users) < 7:
        return
    residents = _residents()
    today = timezone.localdate()
    existing = set(
        Application.objects.filter(details__has_key="demo").values_list("details__demo", flat=True)
    )
    citizen, clerk, reviewer = users["citizen"], users["clerk"], users["reviewer"]

    def once(key, build):
        if key in existing:
            return
        with transaction.atomic():
            build(key)

    def waiting_for_intake(key):
        app = _draft(key, actor=citizen, matter=matter, channel="online")
        svc.application_submit(application=app, actor=citizen, today=_back(today, 2))

    def waiting_for_correction(key):
        app = _draft(key, actor=citizen, matter=matter, channel="online")
        app = svc.application_submit(application=app, actor=citizen, today=_back(today, 3))
        checks = _received(app)
        checks[-1].update(status="deficient", problem="租赁合同未加盖出租方印章，请补充盖章件")
        svc.application_request_correction(
            application=app, actor=clerk, checks=checks, today=_back(today, 2)
        )

    def in_review(key, *, applicant, accepted_back: int, claim=True):
        app = _draft(key, actor=clerk, matter=matter, channel="hall", applicant=applicant)
        day = _back(today, accepted_back)
        app = svc.application_submit(application=app, actor=clerk, today=day)
        app = svc.application_accept(application=app, actor=clerk, checks=_received(app), today=day)
        if claim:
            app = svc.application_claim(application=app, actor=reviewer, today=day)
        return app

    def warning(key):
        in_review(key, applicant=residents["resident1"], accepted_back=2)

    def overdue(key):
        in_review(key, applicant=residents["resident2"], accepted_back=6)

    def unclaimed(key):
        in_review(key, applicant=residents["resident3"], accepted_back=1, claim=False)

    def suspended(key):
        app = in_review(key, applicant=residents["resident3"], accepted_back=2)
        svc.application_suspend(
            application=app,
            actor=reviewer,
            kind="on_site",
            reason="需现场核查经营场所是否符合消防要求",
            expected_days=3,
            today=_back(today, 1),
        )

    def extension_pending(key):
        app = in_review(key, applicant=residents["resident1"], accepted_back=1)
        svc.extension_request(
            application=app,
            actor=reviewer,
            days=5,
            reason="经营场所涉及多户共用，需征求相邻权利人意见",
        )

    def forwarded(key):
        app = _draft(key, actor=citizen, matter=forward_matter, channel="online")
        day = _back(today, 3)
        app = svc.application_submit(application=app, actor=citizen, today=day)
        app = svc.application_accept(application=app, actor=clerk, checks=_received(app), today=day)
        app = svc.application_claim(application=app, actor=reviewer, today=day)
        svc.application_forward(
            application=app,
            actor=reviewer,
            opinion="初审：材料齐全，符合条件，建议准予。",
            today=_back(today, 1),
        )

    def ready_for_release(key):
        app = in_review(key, applicant=citizen, accepted_back=3)
        svc.application_decide(
            application=app, actor=reviewer, outcome="grant", today=_back(today, 1)
        )

    def completed(key):
        app = in_review(key, applicant=citizen, accepted_back=8)
        app = svc.application_decide(
            application=app, actor=reviewer, outcome="grant", today=_back(today, 6)
        )
        svc.application_release(
            application=app, actor=users["release"], method="hand", today=_back(today, 5)
        )

    def by_proxy(key):
        app = _draft(
            key,
            actor=users["proxy"],
            matter=matter,
            channel="proxy",
            applicant=residents["resident2"],
            consent="村民黄秀英当面签署委托代办书，委托帮代办员代为申请",
        )
        svc.application_submit(application=app, actor=users["proxy"], today=_back(today, 1))

    for key, build in [
        ("intake", waiting_for_intake),
        ("correction", waiting_for_correction),
        ("warning", warning),
        ("overdue", overdue),
        ("unclaimed", unclaimed),
        ("suspended", suspended),
        ("extension", extension_pending),
        ("forwarded", forwarded),
        ("release", ready_for_release),
        ("completed", completed),
        ("proxy", by_proxy),
    ]:
        once(key, build)
