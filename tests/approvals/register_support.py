"""Fixtures and helpers shared by the register tests (tests/approvals/test_register_*.py)."""

from datetime import date

import pytest

from approvals import register_io as rio
from approvals.models import Matter
from approvals.services import register as services
from portal.models import Department


@pytest.fixture
def township(db):
    """The demo township's departments, windows and people, and the business categories."""
    from approvals.demo.register import seed_categories
    from portal.demo import seed_core

    seed_core()
    seed_categories()
    return {d.code: d for d in Department.objects.all()}


@pytest.fixture
def demo_register(township):
    from approvals.demo.register import seed

    seed()
    return township


@pytest.fixture
def registrar(township):
    from portal.models import User

    return User.objects.get(username="registrar")


def matter_fields(township, **overrides) -> dict:
    fields = {
        "name": "个体工商户设立登记",
        "kind": "licensing",
        "delegation_mode": "direct",
        "delegating_department": township["QSCJG"],
        "handling_department": township["XZSPJ"],
        "legal_basis": "《促进个体工商户发展条例》",
        "statutory_days": 15,
        "committed_days": 5,
        "extension_allowed": True,
        "max_extension_days": 10,
        "channel_hall": True,
        "channel_online": True,
    }
    fields.update(overrides)
    return fields


def make_matter(
    township,
    code="T-001",
    *,
    valid_from: date | None = None,
    actor="test",
    materials=None,
    **overrides,
) -> Matter:
    """A draft (or, with ``valid_from``, a published version 1) of a matter."""
    matter = services.matter_create(
        actor=actor,
        code=code,
        fields=matter_fields(township, **overrides),
        materials=materials
        if materials is not None
        else [
            {"name": "申请书", "form": "original", "copies": 1},
            {"name": "身份证", "form": "copy", "copies": 1},
        ],
    )
    if valid_from:
        matter = services.matter_publish(actor=actor, matter=matter, valid_from=valid_from)
    return matter


def new_version(
    matter: Matter, *, valid_from: date | None = None, actor="test", **fields
) -> Matter:
    draft = services.matter_new_draft(actor=actor, code=matter.code)
    if fields:
        draft = services.matter_update_draft(
            actor=actor, matter=draft, revision=draft.revision, fields=fields
        )
    if valid_from:
        draft = services.matter_publish(actor=actor, matter=draft, valid_from=valid_from)
    return draft


def matter_row(code="IMP-001", **overrides) -> dict:
    row = {
        rio.C_CODE: code,
        rio.C_NAME: "农村村民宅基地建房审批",
        rio.C_KIND: "行政许可",
        rio.C_MODE: "直接赋权",
        rio.C_FROM: "湘东区自然资源局",
        rio.C_DEPT: "下埠镇规划建设办公室",
        rio.C_STATUTORY: 20,
        rio.C_COMMITTED: 10,
        rio.C_BASIS: "《中华人民共和国土地管理法》第六十二条",
        rio.C_FEE: "不收费",
        rio.C_CHANNELS: "窗口办理、帮代办",
        rio.C_LANE: "",
    }
    row.update(overrides)
    return row


def material_row(code="IMP-001", name="农村宅基地和建房（规划许可）申请表", **overrides) -> dict:
    row = {
        rio.M_CODE: code,
        rio.M_NAME: name,
        rio.M_FORM: "原件",
        rio.M_COPIES: 1,
        rio.M_MANDATORY: "是",
        rio.M_TOLERATED: "否",
    }
    row.update(overrides)
    return row


def workbook(matters: list[dict], materials: list[dict] | None = None, **kwargs) -> bytes:
    if materials is None:
        materials = [material_row(m[rio.C_CODE]) for m in matters]
    return rio.build_workbook(matters, materials, **kwargs)


def small_register(n: int = 3, prefix: str = "IMP") -> bytes:
    names = [
        "农村村民宅基地建房审批",
        "临时占用道路审批",
        "城乡居民基本养老保险参保登记",
        "生育登记",
    ]
    matters = [
        matter_row(f"{prefix}-{i:03d}", **{rio.C_NAME: names[i % len(names)]})
        for i in range(1, n + 1)
    ]
    materials = []
    for m in matters:
        materials.append(material_row(m[rio.C_CODE], "申请表"))
        materials.append(material_row(m[rio.C_CODE], "申请人居民身份证", **{rio.M_FORM: "复印件"}))
    return workbook(matters, materials)
