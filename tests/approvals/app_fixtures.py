"""Fixtures for application tests: a published matter with materials and the people around it."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from approvals.models import Material, Matter
from portal import roles
from portal.models import Department, Window
from tests.factories import DepartmentFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def pdf_upload(name="材料.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def make_matter(
    *,
    code="M001",
    department,
    delegating=None,
    mode=Matter.DelegationMode.DIRECT,
    committed=5,
    statutory=20,
    extension_allowed=True,
    max_extension=10,
    valid_from=date(2020, 1, 1),
    materials=(("身份证明", False), ("申请表", False), ("场所证明", True)),
    **extra,
) -> Matter:
    matter = Matter.objects.create(
        code=code,
        version=1,
        status=Matter.Status.PUBLISHED,
        valid_from=valid_from,
        name=extra.pop("name", "个体工商户设立登记"),
        kind=extra.pop("kind", Matter.Kind.LICENSING),
        delegation_mode=mode,
        delegating_department=delegating,
        handling_department=department,
        statutory_days=statutory,
        committed_days=committed,
        extension_allowed=extension_allowed,
        max_extension_days=max_extension if extension_allowed else 0,
        channel_hall=True,
        channel_online=True,
        channel_proxy=True,
        **extra,
    )
    for order, (name, tolerated) in enumerate(materials):
        Material.objects.create(
            matter=matter,
            name=name,
            form=Material.Form.ORIGINAL,
            order=order,
            tolerated_missing=tolerated,
        )
    return matter


class World:
    """The people of one department and its windows."""

    def __init__(self):
        self.dept = DepartmentFactory(code="XZSPJ", name="行政审批局")
        self.district = DepartmentFactory(
            code="QSCJG", name="区市场监管局", kind=Department.Kind.EXTERNAL
        )
        self.window = Window.objects.create(number=1, name="综合受理一窗", kind=Window.Kind.GENERAL)
        self.window.departments.add(self.dept)
        self.release_window = Window.objects.create(
            number=9, name="统一出件窗口", kind=Window.Kind.RELEASE
        )
        self.release_window.departments.add(self.dept)
        self.citizen = UserFactory.with_role(roles.CITIZEN)
        self.other_citizen = UserFactory.with_role(roles.CITIZEN)
        self.clerk = UserFactory.with_role(
            roles.WINDOW_CLERK, department=self.dept, windows=[self.window]
        )
        self.clerk2 = UserFactory.with_role(
            roles.WINDOW_CLERK, department=self.dept, windows=[self.window]
        )
        self.release_clerk = UserFactory.with_role(
            roles.WINDOW_CLERK, department=self.dept, windows=[self.release_window]
        )
        self.reviewer = UserFactory.with_role(roles.REVIEWER, department=self.dept)
        self.reviewer2 = UserFactory.with_role(roles.REVIEWER, department=self.dept)
        self.supervisor = UserFactory.with_role(roles.SUPERVISOR, department=self.dept)
        self.district_reviewer = UserFactory.with_role(
            roles.DISTRICT_REVIEWER, department=self.district
        )
        self.proxy = UserFactory.with_role(roles.PROXY_AGENT, department=self.dept)
        self.matter = make_matter(department=self.dept)
