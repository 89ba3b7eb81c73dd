"""A small world for dispatch tests: the incidents' world (tests/grid/incident_fixtures.py)
plus town departments with staff and heads, a district department, a dispatcher, and helpers
to make an incident waiting to be routed."""

from __future__ import annotations

from grid.selectors import routing
from grid.services import incidents as incident_svc
from grid.services import routing_rules as rules_svc
from portal import roles
from portal.models import Department, StaffProfile
from tests.factories import UserFactory
from tests.grid.incident_fixtures import World, at, jpeg, user  # noqa: F401


def staff(department: Department, *, head: bool = False):
    person = UserFactory.with_role(roles.DEPARTMENT_STAFF, department=department)
    StaffProfile.objects.filter(user=person).update(is_department_head=head)
    return person


class DispatchWorld(World):
    """Departments: ``roads`` (规划建设办, staff ``roads_staff``, head ``roads_head``), ``social``
    (社会事务办, ``social_staff``), ``safety`` (经济发展办, ``safety_staff``), ``district``
    (区城管局, external: no log-in)."""

    def __init__(self):
        super().__init__()
        make = Department.objects.create
        self.roads = make(
            code="GHJSB", name="规划建设办公室", short_name="规划建设办", kind="internal"
        )
        self.social = make(
            code="SHSWB", name="社会事务办公室", short_name="社会事务办", kind="internal"
        )
        self.safety = make(
            code="JJFZB", name="经济发展办公室", short_name="经济发展办", kind="internal"
        )
        self.district = make(
            code="QCGJ", name="区城市管理局", short_name="区城管局", kind="external"
        )
        self.roads_staff = staff(self.roads)
        self.roads_head = staff(self.roads, head=True)
        self.social_staff = staff(self.social)
        self.safety_staff = staff(self.safety)
        routing.forget()

    def rule(self, order, name, **fields):
        data = rules_svc.RuleData(order=order, name=name, **fields)
        return rules_svc.rule_create(actor=self.supervisor, data=data)

    def to_route(self, category=None, *, when=None, point=None, source="grid_member"):
        """An incident accepted and waiting for the centre (category the grid may not handle)."""
        category = category or self.dispatch
        point = point or self.V1G1
        reported = incident_svc.incident_report(
            actor=self.member1,
            source=source,
            category_code=category.code,
            description="路面塌陷一处，约两平方米。",
            lat=point[0],
            lng=point[1],
            photo_files=[jpeg()],
            now=when,
        )
        incident = reported.incident
        if incident.state == "reported":
            incident = incident_svc.incident_verify(actor=self.member1, incident=incident, now=when)
        return incident_svc.incident_accept(actor=self.head1, incident=incident, now=when)
