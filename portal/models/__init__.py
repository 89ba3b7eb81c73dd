from .audit import AuditEntry
from .calendar import CalendarDay, CalendarYear
from .notifications import Notification
from .org import Department, StaffProfile, Window
from .users import User

__all__ = [
    "AuditEntry",
    "CalendarDay",
    "CalendarYear",
    "Department",
    "Notification",
    "StaffProfile",
    "User",
    "Window",
]
