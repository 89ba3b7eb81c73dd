from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from portal import workdays
from portal.models import CalendarDay, CalendarYear


@receiver([post_save, post_delete], sender=CalendarDay)
@receiver([post_save, post_delete], sender=CalendarYear)
def _calendar_changed(sender, **kwargs):
    workdays.invalidate()
