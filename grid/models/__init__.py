from .patrols import DutyStandard, Finding, FindingCategory, FindingPhoto, Patrol
from .people import (
    ROLE_AREA_KINDS,
    SINGLE_ROLES,
    Assignment,
    AssignmentRole,
    Employment,
)

__all__ = [
    "ROLE_AREA_KINDS",
    "SINGLE_ROLES",
    "Assignment",
    "AssignmentRole",
    "DutyStandard",
    "Employment",
    "Finding",
    "FindingCategory",
    "FindingPhoto",
    "Patrol",
]
