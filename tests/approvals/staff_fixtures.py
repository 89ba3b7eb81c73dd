"""Builders for the staff page tests: applications in each state, made through the services."""

from approvals.models import Application
from approvals.services import applications as svc
from tests.approvals.app_fixtures import pdf_upload


def draft(world, *, matter=None, citizen=None) -> Application:
    citizen = citizen or world.citizen
    app = svc.application_create(actor=citizen, matter=matter or world.matter, channel="online")
    svc.application_update_draft(application=app, actor=citizen, declaration_accepted=True)
    app.refresh_from_db()
    return app


def submitted(world, *, matter=None, citizen=None, upload=True) -> Application:
    citizen = citizen or world.citizen
    app = draft(world, matter=matter, citizen=citizen)
    if upload:
        for item in app.materials.all():
            svc.material_upload(
                application=app,
                actor=citizen,
                application_material=item,
                uploaded=pdf_upload(f"{item.name}.pdf"),
            )
    return svc.application_submit(application=app, actor=citizen)


def received_checks(app) -> list[dict]:
    return [{"id": m.pk, "status": "received"} for m in app.materials.all()]


def accepted(world, **kwargs) -> Application:
    app = submitted(world, **kwargs)
    return svc.application_accept(application=app, actor=world.clerk, checks=received_checks(app))


def in_review(world, *, reviewer=None, **kwargs) -> Application:
    app = accepted(world, **kwargs)
    return svc.application_claim(application=app, actor=reviewer or world.reviewer)


def decided(world, *, outcome="grant", **kwargs) -> Application:
    app = in_review(world, **kwargs)
    return svc.application_decide(
        application=app,
        actor=world.reviewer,
        outcome=outcome,
        reason="" if outcome == "grant" else "不符合条件",
        basis="" if outcome == "grant" else "《行政许可法》第三十八条",
    )


def fresh(app) -> Application:
    return Application.objects.get(pk=app.pk)
