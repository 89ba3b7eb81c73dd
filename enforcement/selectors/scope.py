"""Who sees what in enforcement: officers and squad leaders their squad's leads and cases; the
bureau head, legal reviewers and supervisors everything; anyone else nothing (a foreign object
is "not found")."""

from django.db.models import Q

from enforcement.models import Officer, Squad
from portal import roles

BUREAU_ROLES = (roles.BUREAU_HEAD, roles.LEGAL_REVIEWER, roles.SUPERVISOR)
SQUAD_ROLES = (roles.ENFORCEMENT_OFFICER, roles.SQUAD_LEADER)
ENFORCEMENT_ROLES = (*SQUAD_ROLES, roles.BUREAU_HEAD, roles.LEGAL_REVIEWER)


def officer_for(user) -> Officer | None:
    """The user's officer record (cached on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_enforcement_officer", False)
    if cached is not False:
        return cached
    officer = Officer.objects.filter(user=user).select_related("squad").first()
    user._enforcement_officer = officer
    return officer


def is_bureau(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_superuser or user.has_role(*BUREAU_ROLES))
    )


def squad_ids(user) -> set[int]:
    """The squads whose work ``user`` sees: their own, and the ones they lead."""
    if not getattr(user, "is_authenticated", False) or not user.has_role(*SQUAD_ROLES):
        return set()
    cached = getattr(user, "_enforcement_squads", None)
    if cached is not None:
        return cached
    ids = set(Squad.objects.filter(leader=user).values_list("pk", flat=True))
    officer = officer_for(user)
    if officer is not None and officer.squad_id and officer.is_active:
        ids.add(officer.squad_id)
    user._enforcement_squads = ids
    return ids


def leads_squad_of(user) -> set[int]:
    """Squads ``user`` leads (squad leaders only)."""
    if not getattr(user, "is_authenticated", False) or not user.has_role(roles.SQUAD_LEADER):
        return set()
    return squad_ids(user)


def scope_filter(user, squad_field: str = "squad_id") -> Q | None:
    """The Q limiting leads or cases to what ``user`` may see; None means everything."""
    if is_bureau(user):
        return None
    ids = squad_ids(user)
    return Q(**{f"{squad_field}__in": ids}) if ids else Q(pk__in=[])
