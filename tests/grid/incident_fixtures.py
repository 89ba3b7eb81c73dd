"""A small world for incident tests: the hand-drawn town (tests/portal/area_fixtures.py), a
catalogue of four leaves, and the people of two grids."""

from __future__ import annotations

import io
from datetime import date, datetime

from django.contrib.auth.models import Group
from django.utils import timezone
from PIL import Image

from grid.models import AssignmentRole
from grid.services import categories as cat_svc
from grid.services.people import assignment_start
from portal import roles
from tests.factories import UserFactory
from tests.portal.area_fixtures import make_town, point

SINCE = date(2024, 1, 1)


def jpeg(color=(200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(out, format="JPEG")
    return out.getvalue()


def at(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def user(role: str, **kwargs):
    return UserFactory.with_role(role, **kwargs)


class World:
    """``w.town[code]``; people: head1/member1/member2 (grid V1G1), head2/member3 (V2G1),
    dispatcher, supervisor, citizen, citizen2, hotline; categories: ``ordinary`` (working days,
    grid may handle, extension up to 5), ``urgent`` (hours), ``dispatch`` (the grid may not
    handle it), ``fixed`` (no extension)."""

    def __init__(self):
        roles.sync_roles()
        self.town = make_town()
        self.supervisor = user(roles.SUPERVISOR)
        self.dispatcher = user(roles.DISPATCHER)
        self.head1 = user(roles.GRID_HEAD)
        self.member1 = user(roles.GRID_MEMBER)
        self.member2 = user(roles.GRID_MEMBER)
        self.head2 = user(roles.GRID_HEAD)
        self.member3 = user(roles.GRID_MEMBER)
        self.citizen = user(roles.CITIZEN)
        self.citizen2 = user(roles.CITIZEN)
        self.hotline = UserFactory(username="hotline-system")
        self.hotline.groups.add(Group.objects.get(name=roles.HOTLINE))
        for person, grid, role in (
            (self.head1, "V1G1", AssignmentRole.HEAD),
            (self.member1, "V1G1", AssignmentRole.MEMBER),
            (self.member2, "V1G1", AssignmentRole.MEMBER),
            (self.head2, "V2G1", AssignmentRole.HEAD),
            (self.member3, "V2G1", AssignmentRole.MEMBER),
        ):
            assignment_start(
                actor=self.supervisor, area=self.town[grid], role=role, user=person, on=SINCE
            )
        branch = cat_svc.branch_save(
            actor="test", code="CSGL", fields={"name": "城市管理", "network": "environment"}
        )
        since = at(2024, 1, 1)
        base = {
            "branch": branch,
            "urgency": "ordinary",
            "limit_unit": "working_days",
            "verify_limit": 1,
            "accept_limit": 1,
            "handle_limit": 3,
            "max_handle_limit": 5,
        }
        self.ordinary = cat_svc.category_create(
            actor="test", code="ORD", fields={**base, "name": "占道经营"}, at=since
        )
        self.urgent = cat_svc.category_create(
            actor="test",
            code="URG",
            fields={
                **base,
                "name": "井盖缺失",
                "urgency": "urgent",
                "limit_unit": "hours",
                "verify_limit": 2,
                "accept_limit": 2,
                "handle_limit": 24,
                "max_handle_limit": 48,
            },
            at=since,
        )
        self.dispatch = cat_svc.category_create(
            actor="test",
            code="DSP",
            fields={**base, "name": "道路破损", "grid_may_handle": False},
            at=since,
        )
        self.fixed = cat_svc.category_create(
            actor="test",
            code="FIX",
            fields={
                **base,
                "name": "乱贴小广告",
                "max_handle_limit": 3,
                "duplicate_radius_m": 50,
                "duplicate_days": 3,
            },
            at=since,
        )

    # points inside grids (lat, lng)
    V1G1 = point(0.5, 1.5)
    V1G1_NEAR = point(0.5, 1.51)  # about 111 m north
    V1G2 = point(1.5, 1.5)
    V2G1 = point(2.5, 1.5)
    OUTSIDE = point(10, 10)
