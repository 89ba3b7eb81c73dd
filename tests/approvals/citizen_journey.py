"""Drive applications through the workflow services (the staff pages belong to another area):
for the citizen and evaluation tests."""

from datetime import date

from approvals.services import applications as svc
from tests.approvals.app_fixtures import pdf_upload

DAY = date(2026, 9, 24)


def online_draft(world, matter=None, citizen=None, today=DAY):
    citizen = citizen or world.citizen
    app = svc.application_create(
        actor=citizen, matter=matter or world.matter, channel="online", today=today
    )
    svc.application_update_draft(application=app, actor=citizen, declaration_accepted=True)
    app.refresh_from_db()
    return app


def upload_all(app, actor):
    for item in app.materials.all():
        svc.material_upload(
            application=app, actor=actor, application_material=item, uploaded=pdf_upload()
        )


def checks(app, **status_by_name):
    return [
        {
            "id": m.pk,
            "status": status_by_name.get(m.name, "received"),
            "problem": "复印件不清晰" if status_by_name.get(m.name) == "deficient" else "",
        }
        for m in app.materials.all()
    ]


def submitted(world, app=None, today=DAY):
    app = app or online_draft(world, today=today)
    actor = app.filed_by
    upload_all(app, actor)
    return svc.application_submit(application=app, actor=actor, today=today)


def accepted(world, app=None, today=DAY):
    app = submitted(world, app, today)
    return svc.application_accept(
        application=app, actor=world.clerk, checks=checks(app), today=today
    )


def decided(world, app=None, today=DAY, outcome="grant"):
    app = accepted(world, app, today)
    app = svc.application_claim(application=app, actor=world.reviewer, today=today)
    return svc.application_decide(
        application=app,
        actor=world.reviewer,
        outcome=outcome,
        reason="" if outcome == "grant" else "不符合条件",
        basis="" if outcome == "grant" else "《行政许可法》第三十八条",
        today=today,
    )


def completed(world, app=None, today=DAY):
    app = decided(world, app, today)
    return svc.application_release(
        application=app, actor=world.release_clerk, method="hand", today=today
    )


def proxy_draft(world, resident=None, today=DAY):
    return svc.application_create(
        actor=world.proxy,
        matter=world.matter,
        channel="proxy",
        applicant=resident or world.citizen,
        proxy_consent="村民当面签署委托书",
        today=today,
    )
