"""State changes of the core: people, roles, calendar. Keyword-only, atomic, audited."""

from datetime import date

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from portal import audit, roles, stamps, workdays
from portal.models import CalendarDay, CalendarYear, User

CALENDAR_FIRST_YEAR = 2004


@transaction.atomic
def citizen_register(
    *, username: str, password: str, real_name: str, mobile: str, id_number: str, email: str = ""
) -> User:
    user = User(
        username=username,
        real_name=real_name,
        mobile=mobile,
        id_number=id_number,
        email=email,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    user.groups.add(Group.objects.get(name=roles.CITIZEN))
    audit.record(
        actor=user, action="citizen.register", obj=user, after={"mobile": user.mobile_masked}
    )
    return user


@transaction.atomic
def password_change(*, actor, person: User, new_password: str) -> int:
    """Set a new password (the person on the profile page, or an administrator's reset). Saving
    it revokes the person's API tokens (User.save) and ends their other sessions (their session
    hash changes); returns how many tokens were revoked."""
    from portal.models import ApiToken

    live = ApiToken.objects.active().filter(user=person).count()
    person.set_password(new_password)
    person.save(update_fields=["password"])
    audit.record(
        actor=actor,
        action="account.password_change",
        obj=person,
        after={"tokens_revoked": live, "by_self": getattr(actor, "pk", None) == person.pk},
    )
    return live


@transaction.atomic
def resident_register(*, actor, real_name: str, mobile: str, id_number: str) -> User:
    """A resident registered in person — by a window clerk for a walk-in or by a village proxy
    agent. The account is a citizen's, without a usable password (the resident may set one
    later); the ID number is validated (GB 11643) and must not be registered already."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from portal import idnumber
    from portal.errors import ActionError
    from portal.models.users import mobile_validator

    real_name = (real_name or "").strip()
    mobile = (mobile or "").strip()
    id_number = idnumber.normalize(id_number)
    errors = {}
    if not real_name:
        errors["real_name"] = _("请填写真实姓名。")
    try:
        mobile_validator(mobile)
    except ValidationError as exc:
        errors["mobile"] = exc.messages[0]
    try:
        idnumber.validate_id_number(id_number)
    except ValidationError as exc:
        errors["id_number"] = exc.messages[0]
    else:
        if User.objects.filter(id_number=id_number).exists():
            errors["id_number"] = _("该身份证号码已登记，请直接查找。")
    if errors:
        raise ActionError(_("群众信息有误，请按提示修改。"), code="invalid", fields=errors)
    username = mobile if not User.objects.filter(username=mobile).exists() else f"r{id_number}"
    user = User(username=username, real_name=real_name, mobile=mobile, id_number=id_number)
    user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get_or_create(name=roles.CITIZEN)[0])
    audit.record(
        actor=actor,
        action="resident.register",
        obj=user,
        after={"mobile": user.mobile_masked, "id_number": user.id_number_masked},
    )
    return user


@transaction.atomic
def calendar_seed_from_package(*, first_year: int = CALENDAR_FIRST_YEAR, actor=None) -> dict:
    """Copy China's holidays and make-up working days from `chinesecalendar` into our table.
    Years already confirmed by hand are left alone. Returns {year: days written}."""
    import chinese_calendar

    last_year = max(
        d.year
        for d in chinese_calendar.holidays  # type: ignore[attr-defined]
    )
    written = {}
    for year in range(first_year, last_year + 1):
        existing = CalendarYear.objects.filter(year=year).first()
        if existing and existing.confirmed and existing.source != "chinesecalendar":
            continue
        start, end = date(year, 1, 1), date(year, 12, 31)
        rows = []
        for day, name in chinese_calendar.holidays.items():  # type: ignore[attr-defined]
            if start <= day <= end:
                rows.append(CalendarDay(date=day, is_working_day=False, name=_holiday_name(name)))
        for day, name in chinese_calendar.workdays.items():  # type: ignore[attr-defined]
            if start <= day <= end and day.weekday() >= 5:
                rows.append(CalendarDay(date=day, is_working_day=True, name=_makeup_name(name)))
        CalendarDay.objects.filter(date__gte=start, date__lte=end).delete()
        CalendarDay.objects.bulk_create(rows)
        CalendarYear.objects.update_or_create(
            year=year,
            defaults={"confirmed": True, "source": "chinesecalendar"},
        )
        written[year] = len(rows)
    workdays.invalidate()
    stamps.bump(workdays.CALENDAR_STAMP)  # bulk_create sends no signal
    if written:
        audit.record(
            actor=actor or "system",
            action="calendar.seed",
            obj=None,
            after={"years": sorted(written)},
        )
    return written


_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def _holiday_name(name) -> str:
    text = str(name or "")
    return _HOLIDAY_NAMES.get(text, text)[:64]


def _makeup_name(name) -> str:
    base = _holiday_name(name)
    return f"{base}调休上班" if base else "调休上班"


def calendar_check_next_year(*, today: date | None = None) -> bool | None:
    """From 1 November (configurable), remind the register administrators when next year's
    holidays are not entered — once per year, through the reminder ledger (portal.reminders).
    Returns None when it is too early to check, True when next year is confirmed, False when
    it is missing (the administrators have been reminded, now or by an earlier sweep)."""
    from portal import reminders

    today = today or timezone.localdate()
    if today.month < settings.ONEWINDOW["CALENDAR_CHECK_FROM_MONTH"]:
        return None
    if workdays.is_confirmed(today.year + 1):
        return True
    reminders.run_sweep(
        now=reminders.local_datetime(today), kinds=[reminders.CALENDAR_NEXT_YEAR_MISSING]
    )
    return False


@transaction.atomic
def person_set_address(*, actor, person: User, address: str, village) -> User:
    """Where the person lives (or, for a proxy agent, serves): their address and village."""
    from django.utils.translation import gettext as _

    from portal.errors import ActionError
    from portal.models.areas import VILLAGE_KINDS

    if village is not None and (village.kind not in VILLAGE_KINDS or not village.is_active()):
        raise ActionError(
            _("请选择在用的村（社区）。"), fields={"village": _("请选择村（社区）。")}
        )
    locked = User.objects.select_for_update().get(pk=person.pk)
    before = {
        "address": locked.address,
        "village": locked.village.code if locked.village_id else None,
    }
    locked.address = address.strip()[:255]
    locked.village = village
    locked.save(update_fields=["address", "village"])
    audit.record(
        actor=actor,
        action="person.address",
        obj=locked,
        before=before,
        after={"address": locked.address, "village": village.code if village else None},
    )
    return locked
