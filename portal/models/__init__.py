from .announcements import Announcement
from .areas import Area, AreaChange, AreaImport, AreaKind, ChangeStamp, SpecialKind
from .audit import AuditEntry
from .calendar import CalendarDay, CalendarYear
from .notifications import Channel, Delivery, Notification, NotificationPreference, Reminder
from .org import Department, StaffProfile, Window
from .photos import Photo
from .tokens import ApiToken
from .users import User

__all__ = [
    "Announcement",
    "ApiToken",
    "Area",
    "AreaChange",
    "AreaImport",
    "AreaKind",
    "ChangeStamp",
    "SpecialKind",
    "AuditEntry",
    "CalendarDay",
    "CalendarYear",
    "Channel",
    "Delivery",
    "Department",
    "Notification",
    "NotificationPreference",
    "Photo",
    "Reminder",
    "StaffProfile",
    "User",
    "Window",
]
