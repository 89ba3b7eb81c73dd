"""Seed the working-day calendar 2004–2026 from chinesecalendar (copied into our table)."""

from datetime import date

from django.db import migrations

NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def seed(apps, schema_editor):
    import chinese_calendar

    CalendarDay = apps.get_model("portal", "CalendarDay")
    CalendarYear = apps.get_model("portal", "CalendarYear")
    rows = []
    for day, name in chinese_calendar.holidays.items():
        if day.year >= 2004:
            rows.append(CalendarDay(date=day, is_working_day=False, name=NAMES.get(name, name or "")[:64]))
    for day, name in chinese_calendar.workdays.items():
        if day.year >= 2004 and day.weekday() >= 5:
            base = NAMES.get(name, name or "")
            rows.append(CalendarDay(date=day, is_working_day=True, name=f"{base}调休上班"[:64]))
    CalendarDay.objects.bulk_create(rows, ignore_conflicts=True)
    last = max(d.year for d in chinese_calendar.holidays)
    for year in range(2004, last + 1):
        CalendarYear.objects.update_or_create(
            year=year, defaults={"confirmed": True, "source": "chinesecalendar"}
        )


def unseed(apps, schema_editor):
    apps.get_model("portal", "CalendarDay").objects.filter(date__lte=date(2026, 12, 31)).delete()
    apps.get_model("portal", "CalendarYear").objects.filter(source="chinesecalendar").delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_audit_append_only")]
    operations = [migrations.RunPython(seed, unseed)]
