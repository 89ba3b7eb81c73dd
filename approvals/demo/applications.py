"""Demo applications in every interesting state, driven through the real services at the dates
they tell (portal.demo_clock.simulated: a walk-in of 20 November has its ticket, its call, its
history, its notices and its audit trail dated that morning), so that queues, clocks, notices
and history are all genuine: one waiting for intake, one waiting for correction, yellow and
red cards, a suspension, a pending extension, one forwarded to the district, one ready for
release, one completed and ready to be rated, and one filed by the village proxy agent.
Idempotent: each is keyed by ``details["demo"]``."""

from datetime import date, datetime, time

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from approvals.models import Application, Matter, Ticket
from approvals.services import applications as svc
from approvals.services import hall as hall_svc
from portal import idnumber, roles, workdays
from portal.demo_clock import simulated
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


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment of a demo day, in the hall's time zone."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _draft(key, *, actor, matter, channel, applicant=None, consent="", ticket=None, window=None):
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
        ticket=ticket,
        window=window,
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


def _clerk_window(clerk, matter):
    """The clerk's first window that serves the matter's business category (for the ticket)."""
    if not matter.category_id:
        return None
    serving = set(matter.category.windows.values_list("pk", flat=True))
    for window in clerk.staff_profile.windows.order_by("number"):
        if window.pk in serving:
            return window
    return None


def walk_in(key, *, clerk, matter, applicant, day: date, hour: int = 9, minute: int = 0):
    """A resident at the hall on ``day``: a kiosk ticket, called at the clerk's window, the
    walk-in draft with the scanned materials, submitted and accepted, the ticket finished —
    every step at its time of that morning (the queue times, the history and the acceptance
    notice are all dated then)."""
    window = _clerk_window(clerk, matter)
    ticket = None
    if window is not None:
        ticket = hall_svc.ticket_take(
            category=matter.category, source=Ticket.Source.KIOSK, now=at(day, hour, minute)
        )
        ticket = hall_svc.ticket_call_next(
            window=window, clerk=clerk, now=at(day, hour, minute + 9)
        )
    with simulated(at(day, hour, minute + 11)):
        app = _draft(
            key,
            actor=clerk,
            matter=matter,
            channel="hall",
            applicant=applicant,
            ticket=ticket,
            window=window,
        )
    with simulated(at(day, hour, minute + 19)):
        app = svc.application_submit(application=app, actor=clerk)
    with simulated(at(day, hour, minute + 24)):
        app = svc.application_accept(application=app, actor=clerk, checks=_received(app))
    if ticket is not None:
        hall_svc.ticket_finish(ticket=ticket, clerk=clerk, now=at(day, hour, minute + 26))
    return app


def online(key, *, citizen, matter, day: date, hour: int = 20, minute: int = 10):
    """An online application filled in and submitted on the evening of ``day``."""
    with simulated(at(day, hour, minute)):
        app = _draft(key, actor=citizen, matter=matter, channel="online")
    with simulated(at(day, hour, minute + 14)):
        return svc.application_submit(application=app, actor=citizen)


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

    def claim(app, day, hour=14):
        with simulated(at(day, hour)):
            return svc.application_claim(application=app, actor=reviewer)

    def waiting_for_intake(key):
        online(key, citizen=citizen, matter=matter, day=_back(today, 2))

    def waiting_for_correction(key):
        app = online(key, citizen=citizen, matter=matter, day=_back(today, 3), hour=10)
        checks = _received(app)
        checks[-1].update(status="deficient", problem="租赁合同未加盖出租方印章，请补充盖章件")
        with simulated(at(_back(today, 2), 9, 40)):
            svc.application_request_correction(application=app, actor=clerk, checks=checks)

    def in_review(key, *, applicant, accepted_back: int, claim_it=True, hour=9):
        day = _back(today, accepted_back)
        app = walk_in(key, clerk=clerk, matter=matter, applicant=applicant, day=day, hour=hour)
        return claim(app, day) if claim_it else app

    def warning(key):
        in_review(key, applicant=residents["resident1"], accepted_back=2)

    def overdue(key):
        in_review(key, applicant=residents["resident2"], accepted_back=6)

    def unclaimed(key):
        in_review(key, applicant=residents["resident3"], accepted_back=1, claim_it=False)

    def suspended(key):
        app = in_review(key, applicant=residents["resident3"], accepted_back=2, hour=10)
        with simulated(at(_back(today, 1), 10)):
            svc.application_suspend(
                application=app,
                actor=reviewer,
                kind="on_site",
                reason="需现场核查经营场所是否符合消防要求",
                expected_days=3,
            )

    def extension_pending(key):
        app = in_review(key, applicant=residents["resident1"], accepted_back=1, hour=10)
        with simulated(at(_back(today, 1), 16, 30)):  # asked yesterday afternoon
            svc.extension_request(
                application=app,
                actor=reviewer,
                days=5,
                reason="经营场所涉及多户共用，需征求相邻权利人意见",
            )

    def forwarded(key):
        day = _back(today, 3)
        app = online(key, citizen=citizen, matter=forward_matter, day=_back(today, 4))
        with simulated(at(day, 9, 30)):
            app = svc.application_accept(application=app, actor=clerk, checks=_received(app))
        app = claim(app, day)
        with simulated(at(_back(today, 1), 11)):
            svc.application_forward(
                application=app, actor=reviewer, opinion="初审：材料齐全，符合条件，建议准予。"
            )

    def ready_for_release(key):
        app = in_review(key, applicant=citizen, accepted_back=3, hour=11)
        with simulated(at(_back(today, 1), 16)):
            svc.application_decide(application=app, actor=reviewer, outcome="grant")

    def completed(key):
        complete(
            key,
            users=users,
            matter=matter,
            applicant=citizen,
            accepted=_back(today, 8),
            decided=_back(today, 6),
            released=_back(today, 5),
        )

    def by_proxy(key):
        with simulated(at(_back(today, 1), 15)):
            app = _draft(
                key,
                actor=users["proxy"],
                matter=matter,
                channel="proxy",
                applicant=residents["resident2"],
                consent="村民黄秀英当面签署委托代办书，委托帮代办员代为申请",
            )
        with simulated(at(_back(today, 1), 15, 20)):
            svc.application_submit(application=app, actor=users["proxy"])

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


def complete(
    key,
    *,
    users,
    matter,
    applicant,
    accepted: date,
    decided: date,
    released: date,
    by_proxy: bool = False,
    hour: int = 9,
):
    """A completed application, every step on its own day: received and accepted on
    ``accepted`` (at the window, with a ticket; or filed by the proxy agent and accepted at
    intake), claimed that afternoon, decided on ``decided``, released on ``released``."""
    clerk = users["clerk"]
    if by_proxy:
        with simulated(at(accepted, hour - 1, 30)):
            app = _draft(
                key,
                actor=users["proxy"],
                matter=matter,
                channel="proxy",
                applicant=applicant,
                consent="村民当面签署委托代办书",
            )
            app = svc.application_submit(application=app, actor=users["proxy"])
        with simulated(at(accepted, hour + 1)):
            app = svc.application_accept(application=app, actor=clerk, checks=_received(app))
    else:
        app = walk_in(key, clerk=clerk, matter=matter, applicant=applicant, day=accepted, hour=hour)
    with simulated(at(accepted, 14, 5)):
        app = svc.application_claim(application=app, actor=users["reviewer"])
    with simulated(at(decided, 10, 15)):
        app = svc.application_decide(application=app, actor=users["reviewer"], outcome="grant")
    with simulated(at(released, 15, 30)):
        return svc.application_release(application=app, actor=users["release"], method="hand")
