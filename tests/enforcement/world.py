"""The enforcement bureau in miniature: two squads, their leaders and officers with
certificates, an auxiliary, the bureau head, a legal reviewer, penalty and inspection matters
with benchmarks, and a grid member who hands leads over."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from approvals.models import Matter
from enforcement.models import Benchmark, BenchmarkLevel, Certificate, Officer, Squad
from portal import roles
from tests.factories import DepartmentFactory, UserFactory

VALID_FROM = date(2020, 1, 1)
VALID_TO = date(2030, 12, 31)


def make_enforcement_matter(code, *, name, kind=Matter.Kind.PENALTY, department) -> Matter:
    return Matter.objects.create(
        code=code,
        version=1,
        status=Matter.Status.PUBLISHED,
        valid_from=date(2020, 1, 1),
        name=name,
        kind=kind,
        delegation_mode=Matter.DelegationMode.DIRECT,
        handling_department=department,
        statutory_days=90,
        committed_days=60,
        legal_basis="《城市市容和环境卫生管理条例》第三十四条",
    )


def make_benchmark(matter_code, *, legal_min=0, legal_max=5000, one_officer=False, levels=None):
    benchmark = Benchmark.objects.create(
        matter_code=matter_code,
        violation="违反城市市容管理规定",
        violated_provision="《城市市容和环境卫生管理条例》第十四条",
        penalty_provision="《城市市容和环境卫生管理条例》第三十四条",
        legal_min=Decimal(legal_min),
        legal_max=Decimal(legal_max),
        one_officer_allowed=one_officer,
    )
    for circumstance, low, high in levels or (
        ("none", 0, 0),
        ("lighter", 0, 500),
        ("ordinary", 500, 2000),
        ("heavier", 2000, 5000),
    ):
        BenchmarkLevel.objects.create(
            benchmark=benchmark,
            circumstance=circumstance,
            fine_min=Decimal(low),
            fine_max=Decimal(high),
            description=f"{circumstance}情形",
        )
    return benchmark


class World:
    def __init__(self):
        self.bureau = DepartmentFactory(code="ZHZFJ", name="下埠镇综合行政执法局")
        self.police = DepartmentFactory(code="PCS", name="下埠派出所")
        self.squad = Squad.objects.create(code="ZD1", name="第一中队")
        self.squad2 = Squad.objects.create(code="ZD2", name="第二中队")
        self.leader = self.person(roles.SQUAD_LEADER, self.squad, "中队长甲")
        self.squad.leader = self.leader.user
        self.squad.save()
        self.leader2 = self.person(roles.SQUAD_LEADER, self.squad2, "中队长乙")
        self.squad2.leader = self.leader2.user
        self.squad2.save()
        self.officer1 = self.person(roles.ENFORCEMENT_OFFICER, self.squad, "队员一")
        self.officer2 = self.person(roles.ENFORCEMENT_OFFICER, self.squad, "队员二")
        self.officer3 = self.person(roles.ENFORCEMENT_OFFICER, self.squad2, "队员三")
        self.officer4 = self.person(roles.ENFORCEMENT_OFFICER, self.squad2, "队员四")
        self.auxiliary = self.person(
            roles.ENFORCEMENT_OFFICER, self.squad, "协管员", kind=Officer.Kind.AUXILIARY
        )
        self.expired = self.person(
            roles.ENFORCEMENT_OFFICER, self.squad, "过期队员", valid_to=date(2025, 12, 31)
        )
        self.head = UserFactory.with_role(roles.BUREAU_HEAD, department=self.bureau)
        self.head.real_name = "局长"
        self.head.save()
        self.reviewer = UserFactory.with_role(roles.LEGAL_REVIEWER, department=self.bureau)
        self.gridmember = UserFactory.with_role(roles.GRID_MEMBER, department=self.bureau)
        self.dispatcher = UserFactory.with_role(roles.DISPATCHER, department=self.bureau)
        self.citizen = UserFactory.with_role(roles.CITIZEN)
        self.matter = make_enforcement_matter(
            "XB-CF-001", name="对违反城市市容和环境卫生管理规定行为的处罚", department=self.bureau
        )
        self.matter2 = make_enforcement_matter(
            "XB-CF-002", name="对擅自设置户外广告设施的处罚", department=self.bureau
        )
        self.inspection_matter = make_enforcement_matter(
            "XB-JC-001",
            name="对食品小作坊的监督检查",
            kind=Matter.Kind.INSPECTION,
            department=self.bureau,
        )
        self.benchmark = make_benchmark("XB-CF-001")
        self.benchmark2 = make_benchmark(
            "XB-CF-002",
            legal_min=5000,
            legal_max=200000,
            levels=(
                ("mitigated", 1000, 5000),
                ("lighter", 5000, 20000),
                ("ordinary", 20000, 100000),
                ("heavier", 100000, 200000),
            ),
        )

    def person(self, role, squad, name, *, kind=Officer.Kind.OFFICER, valid_to=VALID_TO):
        user = UserFactory.with_role(role, department=getattr(self, "bureau", None))
        user.real_name = name
        user.save()
        officer = Officer.objects.create(user=user, squad=squad, kind=kind)
        if kind == Officer.Kind.OFFICER:
            Certificate.objects.create(
                officer=officer,
                number=f"赣执{officer.pk:06d}",
                issuing_body="萍乡市人民政府",
                fields="城市管理",
                valid_from=VALID_FROM,
                valid_to=valid_to,
            )
        return officer

    @property
    def pair(self):
        return [self.officer1, self.officer2]

    def party(self, **extra):
        return {
            "party_kind": "person",
            "party_name": "李某某",
            "party_id_number": "360313199001010018",
            "party_address": "下埠镇下埠村12号",
            "party_mobile": "13900000001",
            **extra,
        }


def open_case(world, *, on=None, party=None, squad=None, officers=None, matter_code="XB-CF-001"):
    """A lead from the grid, proposed and approved: a case under investigation."""
    import uuid
    from datetime import date

    from enforcement.services import leads as lead_svc

    on = on or date(2026, 3, 2)
    lead = lead_svc.lead_receive(
        source="grid_incident",
        source_ref=f"SJ-{uuid.uuid4().hex[:8]}",
        description="占道经营",
        actor=world.dispatcher,
        squad=squad or world.squad,
        client_uuid=uuid.uuid4(),
    )
    lead = lead_svc.lead_propose_filing(
        lead=lead,
        actor=world.leader.user,
        matter_code=matter_code,
        officers=officers or world.pair,
        facts="当事人李某某在下埠村人行道上摆摊经营，占用人行道约6平方米。",
        party=party or world.party(),
        today=on,
    )
    return lead_svc.lead_approve_filing(lead=lead, actor=world.head, today=on)


def jpeg(color=(200, 30, 30), size=(32, 24)) -> bytes:
    """A real (tiny) JPEG photo."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="JPEG")
    return buffer.getvalue()
