"""What the enforcement pages share: access, the error a service raised, shown on the page."""

from enforcement.selectors.scope import BUREAU_ROLES, ENFORCEMENT_ROLES
from portal import access

STAFF = (*ENFORCEMENT_ROLES, *BUREAU_ROLES)


def staff_required(view):
    return access.role_required(*STAFF)(view)
