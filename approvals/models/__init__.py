from .applications import (
    Application,
    ApplicationMaterial,
    ApplicationNumberCounter,
    ClockStatus,
    CorrectionNotice,
    Extension,
    MaterialFile,
    Notice,
    State,
    StateChange,
    Suspension,
)
from .register import BusinessCategory, Material, Matter

__all__ = [
    "Application",
    "ApplicationMaterial",
    "ApplicationNumberCounter",
    "BusinessCategory",
    "ClockStatus",
    "CorrectionNotice",
    "Extension",
    "Material",
    "MaterialFile",
    "Matter",
    "Notice",
    "State",
    "StateChange",
    "Suspension",
]
