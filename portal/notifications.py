"""notify(): one way to tell a person something. In-app now; e-mail and SMS channels plug in
behind the same call."""

from django.db import transaction

from portal.audit import object_label
from portal.models import Notification


def notify(*, recipient, kind: str, obj=None, title: str, body: str = "", url: str = ""):
    object_type, object_id, _repr = object_label(obj)
    return Notification.objects.create(
        recipient=recipient,
        kind=kind,
        title=str(title)[:200],
        body=str(body),
        url=url,
        object_type=object_type,
        object_id=object_id,
    )


def notify_many(*, recipients, **kwargs) -> int:
    count = 0
    with transaction.atomic():
        for person in recipients:
            notify(recipient=person, **kwargs)
            count += 1
    return count


def mark_read(*, recipient, ids=None) -> int:
    from django.utils import timezone

    qs = Notification.objects.filter(recipient=recipient, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
