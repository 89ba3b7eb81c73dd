import factory
from django.contrib.auth.models import Group

from portal import idnumber, roles
from portal.models import Department, StaffProfile, User, Window


def valid_id_number(n: int) -> str:
    """A valid ID number that tests name on purpose (born 1990-01-01). The factory's users are
    born on another day (``_factory_id_number``), so a number a test takes as "unknown" is never
    one a fixture made earlier in the session — the factory's sequence runs across the whole run
    and wrapped onto these (a walk-in test failed when its "new" number was a fixture user's)."""
    first17 = f"36031319900101{n % 1000:03d}"
    return first17 + idnumber.check_character(first17)


def _factory_id_number(n: int) -> str:
    first17 = f"36031319850101{n % 1000:03d}"
    return first17 + idnumber.check_character(first17)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"D{n:03d}")
    name = factory.Sequence(lambda n: f"测试部门{n}")
    kind = Department.Kind.INTERNAL


class WindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Window

    number = factory.Sequence(lambda n: 100 + n)
    name = factory.Sequence(lambda n: f"测试窗口{n}")
    kind = Window.Kind.GENERAL


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    real_name = factory.Sequence(lambda n: f"测试用户{n}")
    mobile = factory.Sequence(lambda n: f"139{n:08d}")
    id_number = factory.Sequence(_factory_id_number)
    password = factory.PostGenerationMethodCall("set_password", "Secret#2026")

    @classmethod
    def with_role(cls, role: str, department=None, windows=(), **kwargs) -> User:
        user = cls(**kwargs)
        user.save()
        roles.sync_roles() if not Group.objects.filter(name=role).exists() else None
        user.groups.add(Group.objects.get(name=role))
        if role != roles.CITIZEN:
            dept = department or DepartmentFactory(code="XZSPJ", name="行政审批局")
            profile = StaffProfile.objects.create(user=user, department=dept)
            if windows:
                profile.windows.set(windows)
        if role in roles.ADMIN_ROLES:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        return user
