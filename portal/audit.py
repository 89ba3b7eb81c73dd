"""The audit trail: services call record() inside their transaction."""

from django.db import models

from portal.middleware import current_ip
from portal.models import AuditEntry


def object_label(obj) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    if isinstance(obj, models.Model):
        return obj._meta.label_lower, str(obj.pk), str(obj)[:255]
    return type(obj).__name__.lower(), str(obj), str(obj)[:255]


def record(
    *,
    actor,
    action: str,
    obj=None,
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
    ip: str | None = None,
) -> AuditEntry:
    object_type, object_id, object_repr = object_label(obj)
    actor_obj = actor if getattr(actor, "pk", None) else None
    label = str(actor) if actor_obj else (actor if isinstance(actor, str) else "system")
    return AuditEntry.objects.create(
        actor=actor_obj,
        actor_label=label[:128],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        before=before,
        after=after,
        note=note,
        ip=ip or current_ip(),
    )


def trail_for(obj):
    object_type, object_id, _repr = object_label(obj)
    return AuditEntry.objects.filter(object_type=object_type, object_id=object_id).select_related(
        "actor"
    )
