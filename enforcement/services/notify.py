"""Telling people about a case: in-app now, e-mail/SMS after commit (portal.notifications); the
text is templates/notifications/<kind>.txt."""

from django.urls import reverse

from portal.notifications import notify_many


def tell(recipients, kind: str, case, **context) -> int:
    people = {u.pk: u for u in recipients if u is not None}
    if not people:
        return 0
    return notify_many(
        recipients=people.values(),
        kind=kind,
        obj=case,
        context=context,
        url=reverse("enforcement:case", args=[case.number]),
    )
