"""Demo ratings (好差评): three more completed applications, rated through the services on the
days they tell (portal.demo_clock.simulated) — one 非常满意 by a resident, one 不满意 with an
open rectification, one 非常不满意 given by the proxy agent on the resident's behalf whose
rectification already has a call-back. The demo
applications seeder leaves its own completed application unrated, for the demo citizen to rate.

Idempotent: the applications are keyed by ``details["demo"]`` ("eval-…"), and a rating is
given only once per application anyway."""

from django.db import transaction
from django.utils import timezone

from approvals.models import Application, Callback, Evaluation, Matter, State
from approvals.services import evaluations as eval_svc
from portal.demo_clock import simulated
from portal.models import User

KEYS = ("eval-good", "eval-bad", "eval-proxy")


def seed() -> None:
    from approvals.demo.applications import _back, _residents, at, complete

    matter = (
        Matter.objects.filter(code="XB-XK-001", status=Matter.Status.PUBLISHED)
        .order_by("-valid_from")
        .first()
    )
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["proxy", "clerk", "release", "reviewer", "supervisor"]
        )
    }
    if matter is None or len(users) < 5:
        return  # the demo register or the demo staff are not loaded
    residents = _residents()
    today = timezone.localdate()
    existing = {
        app.details.get("demo"): app
        for app in Application.objects.filter(details__demo__in=KEYS).select_related("applicant")
    }

    def done(key, *, applicant, by_proxy=False, hour=9, accepted_back=9):
        if key in existing:
            return existing[key]
        return complete(
            key,
            users=users,
            matter=matter,
            applicant=applicant,
            accepted=_back(today, accepted_back),
            decided=_back(today, 6),
            released=_back(today, 5),
            by_proxy=by_proxy,
            hour=hour,
        )

    def rate(app, *, actor, rating, comment, day, hour):
        if app.state != State.COMPLETED or Evaluation.objects.filter(application=app).exists():
            return None
        with simulated(at(day, hour)):
            return eval_svc.evaluation_create(
                application=app, actor=actor, rating=rating, comment=comment
            )

    with transaction.atomic():
        good = done("eval-good", applicant=residents["resident1"], hour=10)
        rate(
            good,
            actor=residents["resident1"],
            rating=5,
            comment="窗口一次就办好了，很方便。",
            day=_back(today, 4),
            hour=19,
        )
    with transaction.atomic():
        # decided a day after its committed limit: the one late decision of the demo
        bad = done("eval-bad", applicant=residents["resident3"], hour=11, accepted_back=10)
        rate(
            bad,
            actor=residents["resident3"],
            rating=2,
            comment="排队等了一个多小时，叫号屏也没有声音。",
            day=_back(today, 3),
            hour=12,
        )
    with transaction.atomic():
        proxied = done("eval-proxy", applicant=residents["resident2"], by_proxy=True)
        evaluation = rate(
            proxied,
            actor=users["proxy"],
            rating=1,
            comment="村民反映材料被要求补了两次。",
            day=_back(today, 2),
            hour=16,
        )
        if evaluation is not None:
            called = at(_back(today, 1), 10, 30)
            with simulated(called):
                eval_svc.rectification_record_callback(
                    rectification=evaluation.rectification,
                    actor=users["supervisor"],
                    called_at=called,
                    method=Callback.Method.PHONE,
                    citizen_said="希望窗口能一次性把要补的材料说清楚。",
                )
