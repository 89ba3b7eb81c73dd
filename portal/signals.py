from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from portal import stamps, workdays
from portal.models import CalendarDay, CalendarYear


@receiver([post_save, post_delete], sender=CalendarDay)
@receiver([post_save, post_delete], sender=CalendarYear)
def _calendar_changed(sender, **kwargs):
    """This process counts on the new calendar at once; the others see the calendar's change
    stamp move in the same transaction (what is cached with a counted date drops)."""
    workdays.invalidate()
    if kwargs.get("raw"):  # loaddata
        return
    stamps.bump(workdays.CALENDAR_STAMP)


# --- what every page asks about the signed-in person (portal.user_state) ----------------------


def _groups_of_people_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    from portal import user_state

    if reverse:  # group.user_set.add(...): pk_set holds people; a clear names nobody
        if pk_set is None:
            user_state.groups_changed()
        else:
            user_state.changed(pk_set)
    else:
        user_state.changed([instance.pk])
        user_state.forget(instance)


def _group_changed(sender, **kwargs):
    from portal import user_state

    user_state.groups_changed()


def _notification_changed(sender, instance, **kwargs):
    from portal import user_state

    user_state.changed([instance.recipient_id])


def _person_saved(sender, instance, created=False, **kwargs):
    """The person's cached session user (portal.session_user) is read afresh."""
    if created or kwargs.get("raw"):
        return
    from portal import user_state

    user_state.changed([instance.pk])


def connect_user_state() -> None:
    from django.contrib.auth.models import Group
    from django.db.models.signals import m2m_changed

    from portal.models import Notification, User

    m2m_changed.connect(
        _groups_of_people_changed, sender=User.groups.through, dispatch_uid="user-state-groups"
    )
    for signal in (post_save, post_delete):
        signal.connect(_group_changed, sender=Group, dispatch_uid=f"user-state-group-{signal}")
        signal.connect(
            _notification_changed, sender=Notification, dispatch_uid=f"user-state-note-{signal}"
        )
        signal.connect(_person_saved, sender=User, dispatch_uid=f"user-state-person-{signal}")


# --- API tokens read from the cache (portal.tokens) --------------------------------------------


def _token_changed(sender, instance, **kwargs):
    from portal import tokens

    tokens.changed([instance.key_hash])


def _person_changed(sender, instance, created=False, **kwargs):
    if created:  # no token yet
        return
    from portal import tokens

    tokens.person_changed([instance.pk])


def connect_token_cache() -> None:
    from portal.models import ApiToken, User

    for signal in (post_save, post_delete):
        signal.connect(_token_changed, sender=ApiToken, dispatch_uid=f"token-cache-token-{signal}")
        signal.connect(_person_changed, sender=User, dispatch_uid=f"token-cache-user-{signal}")
