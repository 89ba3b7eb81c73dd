from .categories import Category, CategoryBranch, Network, Urgency
from .incidents import (
    Incident,
    IncidentExtension,
    IncidentFollower,
    IncidentHold,
    IncidentNumberCounter,
    IncidentPhoto,
    IncidentRating,
    IncidentStep,
)
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
    "Category",
    "CategoryBranch",
    "DutyStandard",
    "Employment",
    "Finding",
    "FindingCategory",
    "FindingPhoto",
    "Incident",
    "IncidentExtension",
    "IncidentFollower",
    "IncidentHold",
    "IncidentNumberCounter",
    "IncidentPhoto",
    "IncidentRating",
    "IncidentStep",
    "Network",
    "Patrol",
    "Urgency",
]
