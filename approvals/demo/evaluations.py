"""Demo ratings (好差评): three more completed applications, rated through the services — one
非常满意 by a resident, one 不满意 with an open rectification, one 非常不满意 given by the proxy
agent on the resident's behalf whose rectification already has a call-back. The demo
applications seeder leaves its own completed application unrated, for the demo citizen to rate.

Idempotent: the applications are keyed by ``details["demo"]`` ("eval-…"), and a rating is
given only once per application anyway."""

from datetime import datetime, time

from django.db import transaction
from django.utils import timezone

from approvals.models import Application, Callback, Evaluation, Matter, State
from approvals.services import applications as svc
from approvals.services import evaluations as eval_svc
from portal.models import User

KEYS = ("eval-good", "eval-bad", "eval-proxy")


def seed() -> None:
    from approvals.demo.applications import _back, _draft, _received, _residents

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

    def complete(key, *, applicant, by_proxy=False, days_back=10):
        if key in existing:
            return existing[key]
        actor = users["proxy"] if by_proxy else users["clerk"]
        app = _draft(
            key,
            actor=actor,
            matter=matter,
            channel="proxy" if by_proxy else "hall",
            applicant=applicant,
            consent="村民当面签署委托代办书" if by_proxy else "",
        )
        accepted_on = _back(today, days_back)
        app = svc.application_submit(application=app, actor=actor, today=accepted_on)
        app = svc.application_accept(
            application=app, actor=users["clerk"], checks=_received(app), today=accepted_on
        )
        app = svc.application_claim(application=app, actor=users["reviewer"], today=accepted_on)
        app = svc.application_decide(
            application=app, actor=users["reviewer"], outcome="grant", today=_back(today, 6)
        )
        return svc.application_release(
            application=app, actor=users["release"], method="hand", today=_back(today, 5)
        )

    def rate(app, *, actor, rating, comment, day):
        if app.state != State.COMPLETED or Evaluation.objects.filter(application=app).exists():
            return None
        return eval_svc.evaluation_create(
            application=app, actor=actor, rating=rating, comment=comment, today=day
        )

    with transaction.atomic():
        good = complete("eval-good", applicant=residents["resident1"])
        rate(
            good,
            actor=residents["resident1"],
            rating=5,
            comment="窗口一次就办好了，很方便。",
            day=_back(today, 4),
        )
    with transaction.atomic():
        bad = complete("eval-bad", applicant=residents["resident3"])
        rate(
            bad,
            actor=residents["resident3"],
            rating=2,
            comment="排队等了一个多小时，叫号屏也没有声音。",
            day=_back(today, 3),
        )
    with transaction.atomic():
        proxied = complete("eval-proxy", applicant=residents["resident2"], by_proxy=True)
        evaluation = rate(
            proxied,
            actor=users["proxy"],
            rating=1,
            comment="村民反映材料被要求补了两次。",
            day=_back(today, 2),
        )
        if evaluation is not None:
            rectification = evaluation.rectification
            called_on = _back(today, 1)
            eval_svc.rectification_record_callback(
                rectification=rectification,
                actor=users["supervisor"],
                called_at=timezone.make_aware(datetime.combine(called_on, time(10, 30))),
                method=Callback.Method.PHONE,
                citizen_said="希望窗口能一次性把要补的材料说清楚。",
            )
