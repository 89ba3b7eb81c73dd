"""Scale data for the dashboards and the benchmarks: a township served for three years.

    python manage.py generate --applications 1000000 --seed 20261122

What it builds — reproducibly: the same code, seed and ``--today`` give the same rows (when
``--today`` is the current date, the events of today stop at the current time, so a run later
in the day has a few more of them):
- the core township of portal.demo (demo log-ins keep working), grown to 30 departments,
  29 windows, 12 business categories and 300 staff (window clerks on every window, reviewers in
  every handling department, district reviewers, supervisors, village proxy agents);
- a register of 1,129 matters (some with an older, retired version; a few taken back; some
  delegated during the period) with their materials;
- citizens (one per ten applications by default) and N applications received over the last
  ``years`` years, more on working days, growing over time; matters drawn with a Zipf law (a
  few matters make most of the work). Each application is walked through the workflow —
  intake (accepted, one-time correction notice and resubmission, refused, deemed accepted),
  claim, special procedures, extensions, forwarding to the district, decision, release,
  withdrawal, rating and rectification of bad ratings — and cut at today, so the open work of
  today is what such a history leaves open;
- the stored clock of each application (due, statutory due and warning dates, paused and
  extension days) computed as the services compute it, with portal.workdays (memoised per
  (date, days));
- hall tickets and calls for walk-ins (plus enquiries that led to no application), the
  day counters of numbers and tickets, the state history, materials, suspensions, extensions,
  correction notices, evaluations, rectifications and call-backs;
- then the dashboard rollups for the whole period (approvals.services.dashboard).

Rows go in with COPY; the plain indexes of the big tables are set aside during the load and
rebuilt afterwards; foreign keys are then checked one by one (portal.generate.bulk). Notices (PDF
snapshots) and audit entries are not generated: they record real actions.
"""

from __future__ import annotations

import random
import time
import uuid
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import accumulate

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from approvals.models import (
    Application,
    ApplicationMaterial,
    ApplicationNumberCounter,
    BusinessCategory,
    Callback,
    CorrectionNotice,
    Evaluation,
    Extension,
    Material,
    Matter,
    Rectification,
    StateChange,
    Suspension,
    Ticket,
    TicketCall,
    TicketCounter,
)
from portal import demo, idnumber, roles, workdays
from portal.generate import bulk as loader
from portal.generate.bulk import NULL, js
from portal.models import Department, StaffProfile, User, Window

INTERNAL, EXTERNAL = Department.Kind.INTERNAL, Department.Kind.EXTERNAL

EXTRA_DEPARTMENTS = [
    ("CZS", "下埠镇财政所", "财政所", INTERNAL),
    ("TYJRZ", "下埠镇退役军人服务站", "退役军人服务站", INTERNAL),
    ("WHZ", "下埠镇综合文化站", "文化站", INTERNAL),
    ("SFS", "下埠司法所（驻镇）", "司法所", INTERNAL),
    ("SWFJ", "下埠税务分局（驻镇）", "税务分局", INTERNAL),
    ("ZRZYS", "下埠自然资源所（驻镇）", "自然资源所", INTERNAL),
    ("SCJGS", "下埠市场监督管理所（驻镇）", "市场监管所", INTERNAL),
    ("QJYJ", "湘东区教育局", "区教育局", EXTERNAL),
    ("QYJJ", "湘东区应急管理局", "区应急管理局", EXTERNAL),
]

# Business categories: code, name, ticket prefix, windows serving it, departments behind it.
CATEGORIES = [
    (
        "ZHSL",
        "综合受理",
        "A",
        [1, 2, 3, 10, 11, 12, 13, 14],
        ["XZSPJ", "JJFZB", "CZS", "WHZ", "DZB"],
    ),
    ("SCZR", "市场准入", "B", [4, 15, 16], ["SCJGS"]),
    ("SHBZ", "社会保障", "C", [5, 17, 18, 22], ["SHSWB"]),
    ("HJZJ", "户籍证件", "D", [7, 19], ["PCS"]),
    ("GHJS", "规划建设", "E", [6, 20], ["GHJSB"]),
    ("NYNC", "农业农村", "F", [8, 21], ["NYFWZX"]),
    ("BDCDJ", "不动产登记", "J", [23, 24], ["ZRZYS"]),
    ("SFFW", "税费服务", "K", [25], ["SWFJ"]),
    ("TYJR", "退役军人服务", "L", [26], ["TYJRZ"]),
    ("GGFL", "公共法律服务", "M", [27], ["SFS"]),
    ("ZHZF", "执法事项", "N", [14], ["ZHZFJ"]),
    ("YYSQ", "预约与其他", "P", [10, 11], []),
]
WINDOW_NAMES = {
    10: "综合受理四窗",
    11: "综合受理五窗",
    12: "综合受理六窗",
    13: "综合受理七窗",
    14: "综合受理八窗",
    15: "市场准入二窗",
    16: "市场准入三窗",
    17: "社会保障二窗",
    18: "社会保障三窗",
    19: "户籍二窗",
    20: "规划建设二窗",
    21: "农业服务二窗",
    22: "医保救助窗口",
    23: "不动产登记窗口",
    24: "不动产登记二窗",
    25: "税费服务窗口",
    26: "退役军人服务窗口",
    27: "公共法律服务窗口",
    28: "统一出件二窗",
    29: "统一出件三窗",
}
RELEASE_WINDOWS = (9, 28, 29)

# Share of the register (number of matters) handled by each internal department.
DEPARTMENT_MATTER_SHARE = {
    "XZSPJ": 0.24,
    "SHSWB": 0.15,
    "PCS": 0.08,
    "JJFZB": 0.04,
    "GHJSB": 0.06,
    "NYFWZX": 0.07,
    "ZRZYS": 0.05,
    "SCJGS": 0.06,
    "SWFJ": 0.04,
    "TYJRZ": 0.03,
    "SFS": 0.03,
    "CZS": 0.03,
    "WHZ": 0.01,
    "DZB": 0.02,
    "ZHZFJ": 0.09,
}
SUBJECTS = {
    "XZSPJ": "个体工商户 食品经营 小餐饮 烟草零售 药品零售 户外广告设置 临时占用道路 公共场所卫生 建筑工程施工 娱乐场所 网吧经营 道路挖掘 燃气经营 出版物零售 旅馆业 民办学校 农民专业合作社 再生资源回收 校外培训机构 养老机构 二手车交易 危险化学品经营 成品油零售 人力资源服务 劳务派遣 文艺演出 种子经营 兽药经营 农药经营 渔业捕捞 林木采伐 排水 占用绿地 砍伐城市树木 夜间施工",
    "SHSWB": "城乡居民养老保险 城乡居民医疗保险 最低生活保障 特困人员供养 临时救助 高龄津贴 残疾人两项补贴 残疾人证 医疗救助 计划生育奖励扶助 再生育 独生子女父母光荣证 婚姻登记 孤儿基本生活费 困境儿童保障 殡葬补贴 居家养老服务 失业登记 就业困难人员认定 灵活就业社保补贴 创业担保贷款 职业技能培训补贴 社保卡 医保关系转移 生育保险待遇",
    "PCS": "居民身份证 临时居民身份证 户口迁入 户口迁出 出生登记 死亡注销 户口项目变更 居住证 无犯罪记录证明 亲属关系证明 户籍证明 流动人口登记",
    "JJFZB": "企业投资项目 中小企业扶持资金 招商引资项目 统计数据 安全生产许可 工业企业技改 电子商务补贴 外贸企业",
    "GHJSB": "乡村建设规划许可 农村建房 建设工程竣工验收 房屋安全鉴定 城镇供水 市政设施 建筑垃圾处置 物业服务 危房改造 小型工程",
    "NYFWZX": "耕地地力保护补贴 农机购置补贴 动物防疫条件 生猪定点屠宰 农产品质量安全 家庭农场 土地承包经营权 土地流转 农业保险 水利工程 取水 河道采砂 林权 植物检疫 畜禽养殖",
    "ZRZYS": "不动产首次登记 不动产转移登记 不动产抵押登记 宅基地使用权 集体土地使用权 临时用地 土地复垦 地质灾害防治 矿产资源 测绘成果",
    "SCJGS": "营业执照 食品小作坊 食品摊贩 特种设备使用 计量器具 商标质押 企业年报 股权出质 广告发布 价格收费公示",
    "SWFJ": "城乡居民社保费 个人所得税 发票领用 税务登记 增值税普通发票代开 房产税 契税 印花税 车船税 完税证明",
    "TYJRZ": "退役士兵安置 优待证 优抚对象抚恤 带病回乡 参战参试 退役军人创业 烈士褒扬 随军家属",
    "SFS": "人民调解 法律援助 公证咨询 社区矫正 安置帮教 法律顾问",
    "CZS": "惠民惠农补贴 村级公益事业一事一议 财政奖补 国库集中支付 政府采购",
    "WHZ": "文化活动场地 公共体育设施 农家书屋 非遗项目",
    "DZB": "信访事项 人大代表建议 政务公开 档案查阅",
    "ZHZFJ": "占道经营 违法建设 乱倒垃圾 噪声扰民 违规养犬 无证经营 露天焚烧 非法广告 擅自砍伐 违规排污",
}
ACTIONS = {
    Matter.Kind.LICENSING: ["许可", "审批", "核准", "许可证核发", "许可证延续", "许可证变更"],
    Matter.Kind.CONFIRMATION: ["确认", "认定", "证明开具", "备案", "资格审核"],
    Matter.Kind.PAYMENT: ["补贴发放", "待遇核定", "救助金发放", "资金申领"],
    Matter.Kind.PUBLIC_SERVICE: ["办理", "申领", "变更", "查询打印", "转移接续", "咨询服务"],
    Matter.Kind.AWARD: ["表彰奖励", "奖励"],
    Matter.Kind.LEVY: ["费用征收", "缴纳"],
    Matter.Kind.ADJUDICATION: ["权属争议裁决", "纠纷调处"],
    Matter.Kind.OTHER: ["审核", "审定", "年度核查"],
    Matter.Kind.PENALTY: ["违法行为处罚", "违规行为处罚"],
    Matter.Kind.COMPULSION: ["查封扣押", "强制拆除"],
    Matter.Kind.INSPECTION: ["监督检查", "日常巡查"],
}
KIND_SHARE = [
    (Matter.Kind.LICENSING, 0.22),
    (Matter.Kind.PUBLIC_SERVICE, 0.30),
    (Matter.Kind.CONFIRMATION, 0.14),
    (Matter.Kind.PAYMENT, 0.08),
    (Matter.Kind.OTHER, 0.06),
    (Matter.Kind.AWARD, 0.02),
    (Matter.Kind.LEVY, 0.01),
    (Matter.Kind.ADJUDICATION, 0.01),
]
ENFORCEMENT_KINDS = [
    (Matter.Kind.PENALTY, 0.7),
    (Matter.Kind.COMPULSION, 0.1),
    (Matter.Kind.INSPECTION, 0.2),
]
# Kinds nobody applies for: the register holds them for the enforcement bureau.
NO_APPLICATIONS = {Matter.Kind.PENALTY, Matter.Kind.COMPULSION, Matter.Kind.INSPECTION}
MODE_SHARE = [
    (Matter.DelegationMode.DIRECT, 0.40),
    (Matter.DelegationMode.ENTRUSTED, 0.15),
    (Matter.DelegationMode.FORWARD, 0.20),
    (Matter.DelegationMode.OWN, 0.25),
]
STATUTORY_SHARE = [
    (1, 0.04),
    (3, 0.05),
    (5, 0.10),
    (7, 0.05),
    (10, 0.15),
    (15, 0.15),
    (20, 0.34),
    (30, 0.06),
    (45, 0.03),
    (60, 0.03),
]
MATERIAL_POOL = (
    "申请表 营业执照或登记证书 户口簿 房屋产权证明 场所使用证明 授权委托书 近期免冠照片 结婚证 "
    "出生医学证明 家庭收入证明 健康证明 规划图纸 土地使用证明 村（居）委会证明 银行账户信息 "
    "法定代表人身份证明 从业人员资格证明 安全管理制度 设施设备清单 平面布局图 环境影响说明 "
    "专业技术人员名单 承诺书 病历资料 残疾评定材料 劳动合同 社保缴费证明 原证件 检测报告"
).split()
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
)
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国文辉玲红梅春燕海波宁鹏飞")
VILLAGES = list("东西南北上下新大小")
SUSPENSION_REASONS = {
    Suspension.Kind.HEARING: "申请人要求举行听证",
    Suspension.Kind.TESTING: "需委托第三方检验检测",
    Suspension.Kind.EXPERT_REVIEW: "需组织专家评审",
    Suspension.Kind.ON_SITE: "需现场核查",
    Suspension.Kind.SUPPLEMENT: "需补充相关证明材料",
}
BAD_COMMENTS = [
    "等候时间太长",
    "材料要求前后不一致",
    "工作人员解释不清楚",
    "办理时间超过承诺",
    "跑了好几趟",
]
GOOD_COMMENTS = ["办事效率高", "工作人员耐心细致", "一次办好", "服务态度好", ""]

# Event codes of an application's planned life, applied in order until today.
(
    SUBMIT,
    CORRECT,
    RESUBMIT,
    ACCEPT,
    DEEMED,
    REFUSE,
    CLAIM,
    SUSPEND,
    RESUME,
    EXT_REQUEST,
    EXT_DECIDE,
    FORWARD,
    DECIDE,
    DISTRICT,
    RELEASE,
    WITHDRAW,
) = range(16)

OFFICE_START = 8 * 3600 + 30 * 60
OFFICE_END = 17 * 3600 + 30 * 60

# The columns of an application row, in the order _application builds it. A column added to
# the model later without a default makes the COPY fail loudly: add it here and below.
APP_COLUMNS = (
    "id public_id number state outcome matter_id department_id delegating_department_id "
    "applicant_id applicant_kind applicant_name applicant_id_number applicant_mobile "
    "organisation_name credit_code address details declaration_accepted channel filed_by_id "
    "proxy_agent_id proxy_consent proxy_consent_at first_contact_id window_id handler_id "
    "ticket_id submission_round created_at updated_at submitted_at received_on "
    "deemed_acceptance_on accepted_on deemed_accepted accepted_by_id claimed_at forwarded_on "
    "decided_on decided_by_id decision_reason decision_basis refused_on refusal_reason "
    "refusal_basis withdrawn_at withdrawal_reason release_due_on released_on release_method "
    "tracking_number due_date statutory_due_date warning_date extension_days paused_days"
).split()
TICKET_COLUMN = APP_COLUMNS.index("ticket_id")
BIG_TABLES = [
    Application._meta.db_table,
    ApplicationMaterial._meta.db_table,
    StateChange._meta.db_table,
    Ticket._meta.db_table,
    TicketCall._meta.db_table,
    Evaluation._meta.db_table,
    Suspension._meta.db_table,
    Extension._meta.db_table,
    CorrectionNotice._meta.db_table,
    Rectification._meta.db_table,
    Callback._meta.db_table,
    User._meta.db_table,
    User.groups.through._meta.db_table,
]
LOADED_TABLES = [
    *BIG_TABLES,
    TicketCounter._meta.db_table,
    ApplicationNumberCounter._meta.db_table,
    Matter._meta.db_table,
    Material._meta.db_table,
]


def _pick(rng: random.Random, share):
    values = [v for v, _w in share]
    weights = [w for _v, w in share]
    return rng.choices(values, weights)[0]


def _valid_id(region: str, birth: date, seq: int) -> str:
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + idnumber.check_character(first17)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


@dataclass
class Config:
    applications: int = 1_000_000
    seed: int = 20261122
    today: date | None = None
    years: int = 3
    citizens: int | None = None
    matters: int = 1129
    staff: int = 300
    history: bool = True
    materials: bool = True
    rollup: bool = True
    drop_indexes: bool | None = None  # default: for loads of 50,000 applications or more
    vacuum: bool = True
    flush_every: int = 25_000


@dataclass
class MatterInfo:
    id: int
    code_index: int
    valid_from: date
    valid_to: date | None
    department_id: int
    delegating_id: int | None
    category_id: int
    committed: int
    statutory: int
    warning: int
    suspension_allowed: bool
    extension_allowed: bool
    max_extension: int
    forward: bool
    channels: list[str]
    channel_weights: list[float]
    materials: list[tuple] = field(default_factory=list)  # (id, name, mandatory, tolerated)


class Generator:
    def __init__(self, config: Config, log=print):
        self.c = config
        self.log = log
        self.rng = random.Random(config.seed)
        self.today = config.today or timezone.localdate()
        if self.today == timezone.localdate():
            now = timezone.localtime()
            self.now_secs = now.hour * 3600 + now.minute * 60 + now.second
        else:
            self.now_secs = 86399
        self.start = self.today - timedelta(days=365 * config.years)
        self.counts: dict[str, int] = {}
        self.timings: dict[str, float] = {}
        self._add_memo: dict[tuple[date, int], date] = {}
        self._before_memo: dict[tuple[date, int], date] = {}
        self._day_str: dict[date, str] = {}
        self._clock: dict[int, str] = {}
        offset = timezone.localtime(timezone.now()).utcoffset() or timedelta(0)
        minutes = int(offset.total_seconds() // 60)
        self.tz_suffix = (
            f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
        )

    # --- helpers --------------------------------------------------------------------------

    def add(self, day: date, days: int) -> date:
        key = (day, days)
        found = self._add_memo.get(key)
        if found is None:
            found = self._add_memo[key] = workdays.add_working_days(day, days)
        return found

    def before(self, day: date, count: int) -> date:
        key = (day, count)
        found = self._before_memo.get(key)
        if found is None:
            found = self._before_memo[key] = workdays.working_day_on_or_before(day, count)
        return found

    def ds(self, day: date | None) -> str:
        if day is None:
            return NULL
        found = self._day_str.get(day)
        if found is None:
            found = self._day_str[day] = day.isoformat()
        return found

    def ts(self, day: date, secs: int) -> str:
        """A local timestamp for COPY: day plus seconds since local midnight."""
        secs = 0 if secs < 0 else 86399 if secs > 86399 else int(secs)
        clock = self._clock.get(secs)
        if clock is None:
            clock = self._clock[secs] = (
                f" {secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}{self.tz_suffix}"
            )
        found = self._day_str.get(day)
        if found is None:
            found = self._day_str[day] = day.isoformat()
        return found + clock

    def office_secs(self) -> int:
        return self.rng.randint(OFFICE_START, OFFICE_END)

    def _step(self, name: str, started: float) -> None:
        self.timings[name] = round(time.perf_counter() - started, 1)
        self.log(f"{name}: {self.timings[name]} s")

    # --- run ------------------------------------------------------------------------------

    def run(self) -> dict:
        if connection.vendor != "postgresql":
            raise RuntimeError("The generator loads with COPY: it needs PostgreSQL.")
        restored = loader.restore_saved_indexes()
        if restored:
            self.log(f"restored {restored} indexes left dropped by an interrupted load")
        if Application.objects.exists():
            raise RuntimeError(
                "This database already holds applications. Generate into an empty database "
                "(dropdb/createdb, migrate, then generate)."
            )
        total = time.perf_counter()
        t = time.perf_counter()
        with transaction.atomic():
            self.build_core()
            self.build_register()
        self._step("core and register", t)
        drop = self.c.drop_indexes
        if drop is None:
            drop = self.c.applications >= 50_000
        dropped = []
        triggers_off = False
        try:
            with transaction.atomic():
                triggers_off = loader.set_triggers(False)
                if drop:
                    dropped = loader.drop_indexes(BIG_TABLES)
                t = time.perf_counter()
                self.build_citizens()
                self._step("citizens", t)
                t = time.perf_counter()
                self.build_applications()
                self._step("applications and their records", t)
                t = time.perf_counter()
                loader.reset_sequences(LOADED_TABLES)
                if dropped:
                    loader.create_indexes(dropped)
                    self._step(f"{len(dropped)} indexes rebuilt", t)
        finally:
            if triggers_off:
                loader.set_triggers(True)
        t = time.perf_counter()
        orphans = loader.orphan_foreign_keys(LOADED_TABLES)
        if orphans:
            raise RuntimeError(f"foreign keys without their row: {orphans}")
        self._step("foreign keys checked", t)
        if self.c.vacuum:
            t = time.perf_counter()
            loader.vacuum_analyze(LOADED_TABLES)
            self._step("vacuum analyze", t)
        if self.c.rollup:
            from approvals.services import dashboard

            t = time.perf_counter()
            dashboard.rollup_backfill(start=self.start, end=self.today)
            self._step("dashboard rollups", t)
        self.timings["total"] = round(time.perf_counter() - total, 1)
        return {"counts": self.counts, "timings": self.timings}

    # --- the township ---------------------------------------------------------------------

    def build_core(self) -> None:
        demo.seed_core()
        rng = self.rng
        for code, name, short, kind in EXTRA_DEPARTMENTS:
            Department.objects.update_or_create(
                code=code, defaults={"name": name, "short_name": short, "kind": kind}
            )
        self.departments = {d.code: d for d in Department.objects.all()}
        for number, name in WINDOW_NAMES.items():
            kind = (
                Window.Kind.RELEASE
                if number in RELEASE_WINDOWS
                else Window.Kind.GENERAL
                if number <= 14
                else Window.Kind.SPECIALISED
            )
            Window.objects.update_or_create(number=number, defaults={"name": name, "kind": kind})
        self.windows = {w.number: w for w in Window.objects.all()}
        category_of_department = {}
        self.categories = {}
        for order, (code, name, prefix, window_numbers, dept_codes) in enumerate(CATEGORIES):
            category, _c = BusinessCategory.objects.update_or_create(
                code=code, defaults={"name": name, "ticket_prefix": prefix, "order": order}
            )
            category.windows.set([self.windows[n] for n in window_numbers])
            self.categories[code] = category
            for dept_code in dept_codes:
                category_of_department.setdefault(dept_code, category)
                for n in window_numbers:
                    self.windows[n].departments.add(self.departments[dept_code])
        self.category_of_department = category_of_department
        handling = [self.departments[c] for c in DEPARTMENT_MATTER_SHARE]
        for n in RELEASE_WINDOWS:
            self.windows[n].departments.add(*handling)
        # staff
        password = loader.password_hash(demo.DEMO_PASSWORD)
        groups = {g.name: g for g in Group.objects.all()}
        existing = StaffProfile.objects.count()
        plan = []  # (role, department code, window numbers)
        for number, window in sorted(self.windows.items()):
            depts = list(window.departments.values_list("code", flat=True))
            home = next((c for c in depts if c in DEPARTMENT_MATTER_SHARE), "XZSPJ")
            plan += [(roles.WINDOW_CLERK, home, [number])] * 2
        external = [c for c, d in self.departments.items() if d.kind == EXTERNAL]
        plan += [(roles.DISTRICT_REVIEWER, c, []) for c in external for _ in range(2)]
        plan += [(roles.SUPERVISOR, "XZSPJ", [])] * 6 + [(roles.SUPERVISOR, "ZHZX", [])]
        plan += [(roles.PROXY_AGENT, "SHSWB", [])] * 36
        plan += [(roles.REGISTER_ADMIN, "XZSPJ", [])] * 2
        reviewers = max(len(DEPARTMENT_MATTER_SHARE) * 2, self.c.staff - existing - len(plan))
        shares = list(DEPARTMENT_MATTER_SHARE.items())
        for code, _share in shares:
            plan += [(roles.REVIEWER, code, [])] * 2
        for _ in range(reviewers - 2 * len(shares)):
            plan.append((roles.REVIEWER, _pick(rng, shares), []))
        plan = plan[: max(0, self.c.staff - existing)]
        users = []
        for index, (role, _dept, _w) in enumerate(plan):
            birth = date(1970, 1, 1) + timedelta(days=rng.randrange(365 * 30))
            users.append(
                User(
                    username=f"g_{role}_{index:03d}",
                    password=password,
                    real_name=_name(rng),
                    mobile=f"137{index:08d}",
                    id_number=_valid_id("360322", birth, index % 1000),
                    email=f"g{index:03d}@staff.onewindow.local",
                    is_staff=role in roles.ADMIN_ROLES,
                )
            )
        User.objects.bulk_create(users)
        users = list(User.objects.filter(username__startswith="g_").order_by("username"))
        by_name = {u.username: u for u in users}
        memberships, profiles = [], []
        through = User.groups.through
        for index, (role, dept, _w) in enumerate(plan):
            user = by_name[f"g_{role}_{index:03d}"]
            memberships.append(through(user_id=user.pk, group_id=groups[role].pk))
            profiles.append(
                StaffProfile(
                    user=user,
                    department=self.departments[dept],
                    title=roles.LABELS[role],
                    employee_number=f"G{index:04d}",
                )
            )
        through.objects.bulk_create(memberships)
        StaffProfile.objects.bulk_create(profiles)
        window_links = []
        wthrough = StaffProfile.windows.through
        profile_of = {p.user_id: p for p in StaffProfile.objects.filter(user__in=users)}
        for index, (role, _dept, numbers) in enumerate(plan):
            profile = profile_of[by_name[f"g_{role}_{index:03d}"].pk]
            for n in numbers:
                window_links.append(
                    wthrough(staffprofile_id=profile.pk, window_id=self.windows[n].pk)
                )
        wthrough.objects.bulk_create(window_links)
        # who does what, by id
        staff = (
            StaffProfile.objects.select_related("user")
            .prefetch_related("windows", "user__groups")
            .order_by("user_id")
        )
        self.clerks_of_window: dict[int, list[tuple[int, str]]] = {}
        self.clerks_of_department: dict[int, list[tuple[int, str]]] = {}
        self.reviewers: dict[int, list[tuple[int, str]]] = {}
        self.district: dict[int, list[tuple[int, str]]] = {}
        self.supervisors: list[tuple[int, str]] = []
        self.proxies: list[tuple[int, str]] = []
        for profile in staff:
            user = profile.user
            person = (user.pk, user.real_name or user.username)
            names = {g.name for g in user.groups.all()}
            if roles.WINDOW_CLERK in names:
                for window in profile.windows.all():
                    self.clerks_of_window.setdefault(window.pk, []).append(person)
            if roles.REVIEWER in names:
                self.reviewers.setdefault(profile.department_id, []).append(person)
            if roles.DISTRICT_REVIEWER in names:
                self.district.setdefault(profile.department_id, []).append(person)
            if roles.SUPERVISOR in names:
                self.supervisors.append(person)
            if roles.PROXY_AGENT in names:
                self.proxies.append(person)
        for window in Window.objects.prefetch_related("departments"):
            clerks = self.clerks_of_window.get(window.pk, [])
            if window.kind == Window.Kind.RELEASE:
                continue
            for dept in window.departments.all():
                self.clerks_of_department.setdefault(dept.pk, []).extend(clerks)
        self.release_clerks = [
            c for n in RELEASE_WINDOWS for c in self.clerks_of_window.get(self.windows[n].pk, [])
        ]
        self.counts["departments"] = Department.objects.count()
        self.counts["windows"] = Window.objects.count()
        self.counts["staff"] = StaffProfile.objects.count()
        self.counts["categories"] = BusinessCategory.objects.count()

    # --- the register ---------------------------------------------------------------------

    def build_register(self) -> None:
        rng = self.rng
        external = [d for d in self.departments.values() if d.kind == EXTERNAL]
        shares = list(DEPARTMENT_MATTER_SHARE.items())
        used_names: set[str] = set()
        rows: list[dict] = []
        founded = date(2021, 1, 1)
        for index in range(self.c.matters):
            dept_code = _pick(rng, shares)
            kind = _pick(rng, ENFORCEMENT_KINDS if dept_code == "ZHZFJ" else KIND_SHARE)
            subject = rng.choice(SUBJECTS[dept_code].split())
            base = subject + rng.choice(ACTIONS[kind])
            name, n = base, 2
            while name in used_names:
                name, n = f"{base}（{n}）", n + 1
            used_names.add(name)
            mode = _pick(rng, MODE_SHARE)
            statutory = _pick(rng, STATUTORY_SHARE)
            committed = max(1, min(statutory, round(statutory * rng.uniform(0.25, 0.6))))
            licensing = kind == Matter.Kind.LICENSING
            extension = licensing and rng.random() < 0.7
            hall = rng.random() < 0.93
            online = rng.random() < 0.65 or not hall
            fields = {
                "code": f"3603130{list(Matter.Kind.values).index(kind):02d}{index + 1:05d}",
                "name": name,
                "kind": kind,
                "delegation_mode": mode,
                "delegating_department": rng.choice(external)
                if mode != Matter.DelegationMode.OWN
                else None,
                "handling_department": self.departments[dept_code],
                "category": self.category_of_department.get(dept_code),
                "legal_basis": f"《{subject}管理办法》第{rng.randint(3, 40)}条",
                "statutory_days": statutory,
                "committed_days": committed,
                "warning_days": rng.choice((1, 2, 3)) if rng.random() < 0.1 else None,
                "suspension_allowed": rng.random() < 0.85,
                "extension_allowed": extension,
                "max_extension_days": rng.choice((5, 10, 10, 15)) if extension else 0,
                "channel_hall": hall,
                "channel_online": online,
                "channel_self_service": rng.random() < 0.2,
                "channel_proxy": rng.random() < 0.45,
                "fee_free": True,
                "stages": [
                    {"name": "受理", "who": "窗口", "days": 1},
                    {"name": "审查", "who": self.departments[dept_code].short_name, "days": None},
                    {"name": "决定", "who": self.departments[dept_code].short_name, "days": None},
                ],
            }
            roll = rng.random()
            if roll < 0.08:  # revised during the period: v1 retired, v2 in force
                cutoff = self.start + timedelta(days=rng.randrange(60, 365 * self.c.years - 60))
                rows.append({**fields, "version": 1, "valid_from": founded, "valid_to": cutoff - timedelta(days=1), "status": Matter.Status.RETIRED})  # fmt: skip
                revised = max(1, round(committed * 0.8))
                rows.append({**fields, "version": 2, "valid_from": cutoff, "valid_to": None, "status": Matter.Status.PUBLISHED, "committed_days": revised, "change_note": "承诺时限压缩"})  # fmt: skip
            elif roll < 0.095:  # taken back during the period
                cutoff = self.start + timedelta(days=rng.randrange(60, 365 * self.c.years - 60))
                rows.append({**fields, "version": 1, "valid_from": founded, "valid_to": cutoff, "status": Matter.Status.RETIRED, "retire_reason": "收回赋权"})  # fmt: skip
            elif roll < 0.145:  # delegated during the period
                since = self.start + timedelta(days=rng.randrange(30, 365 * self.c.years - 30))
                rows.append({**fields, "version": 1, "valid_from": since, "valid_to": None, "status": Matter.Status.PUBLISHED})  # fmt: skip
            else:
                rows.append({**fields, "version": 1, "valid_from": founded, "valid_to": None, "status": Matter.Status.PUBLISHED})  # fmt: skip
        now = timezone.now()
        matters = []
        for row in rows:
            matter = Matter(**row)
            matter.published_at = timezone.make_aware(
                datetime.combine(matter.valid_from, datetime.min.time())
            )
            if matter.status == Matter.Status.RETIRED:
                matter.retired_at = timezone.make_aware(
                    datetime.combine(matter.valid_to, datetime.min.time())
                )
            matter.created_at = matter.updated_at = now
            matters.append(matter)
        Matter.objects.bulk_create(matters, batch_size=500)
        materials = []
        for matter in Matter.objects.order_by("code", "version"):
            names = ["居民身份证或其他有效身份证明", "申请表"]
            names += rng.sample(MATERIAL_POOL, rng.randint(0, 4))
            seen = []
            for name in names:
                if name not in seen:
                    seen.append(name)
            for order, name in enumerate(seen):
                materials.append(
                    Material(
                        matter=matter,
                        name=name,
                        form=Material.Form.ORIGINAL if order == 0 else Material.Form.COPY,
                        mandatory=order < 2 or rng.random() < 0.7,
                        tolerated_missing=order >= 2 and rng.random() < 0.25,
                        order=order,
                    )
                )
        Material.objects.bulk_create(materials, batch_size=2000)
        self.counts["matter_codes"] = len({r["code"] for r in rows})
        self.counts["matter_versions"] = len(rows)
        self.counts["materials"] = len(materials)
        # what the simulation needs, by code
        by_matter: dict[int, list[tuple]] = {}
        for m in Material.objects.order_by("matter_id", "order").values_list(
            "matter_id", "id", "name", "mandatory", "tolerated_missing"
        ):
            by_matter.setdefault(m[0], []).append(m[1:])
        code_index: dict[str, int] = {}
        self.versions: list[list[MatterInfo]] = []
        weights_channel = {"hall": 0.45, "online": 0.35, "proxy": 0.12, "self_service": 0.08}
        for m in Matter.objects.order_by("code", "version"):
            if m.kind in NO_APPLICATIONS:
                continue
            if m.code not in code_index:
                code_index[m.code] = len(self.versions)
                self.versions.append([])
            channels = m.channels
            info = MatterInfo(
                id=m.pk,
                code_index=code_index[m.code],
                valid_from=m.valid_from,
                valid_to=m.valid_to,
                department_id=m.handling_department_id,
                delegating_id=m.delegating_department_id,
                category_id=(m.category_id or self.categories["ZHSL"].pk),
                committed=m.committed_days,
                statutory=m.statutory_days,
                warning=m.effective_warning_days,
                suspension_allowed=m.suspension_allowed,
                extension_allowed=m.extension_allowed,
                max_extension=m.max_extension_days,
                forward=m.delegation_mode == Matter.DelegationMode.FORWARD,
                channels=channels,
                channel_weights=list(accumulate(weights_channel[c] for c in channels)),
                materials=by_matter.get(m.pk, []),
            )
            self.versions[code_index[m.code]].append(info)
        # Zipf popularity over the codes people apply for
        order = list(range(len(self.versions)))
        rng.shuffle(order)
        weights = [0.0] * len(order)
        for rank, idx in enumerate(order, start=1):
            weights[idx] = 1 / rank**1.07
        self.code_cum = list(accumulate(weights))
        self.category_windows = {
            c.pk: [w.pk for w in c.windows.all() if w.kind != Window.Kind.RELEASE]
            for c in BusinessCategory.objects.prefetch_related("windows")
        }

    # --- citizens -------------------------------------------------------------------------

    def build_citizens(self) -> None:
        rng = self.rng
        count = self.c.citizens or max(2000, self.c.applications // 10)
        table = User._meta.db_table
        first_id = loader.next_id(table)
        password = "!" + "x" * 39  # unusable: generated citizens never log in
        joined = self.ts(self.start, 9 * 3600)
        citizen_group = Group.objects.get(name=roles.CITIZEN).pk
        lines, memberships = [], []
        gthrough = User.groups.through._meta.db_table
        gid = loader.next_id(gthrough)
        names = []
        mobiles = []
        ids = []
        base = date(1945, 1, 1)
        for i in range(count):
            uid = first_id + i
            name = _name(rng)
            mobile = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
            birth = base + timedelta(days=i % 21000)
            id_number = _valid_id("360321", birth, i // 21000)
            names.append(name)
            mobiles.append(mobile)
            ids.append(id_number)
            lines.append(
                f"{uid}\t{password}\t{NULL}\tf\tc{i:07d}\t\t\t\tf\tt\t{joined}\t{name}\t{mobile}\t{id_number}"
            )
            memberships.append(f"{gid + i}\t{uid}\t{citizen_group}")
        columns = [
            "id",
            "password",
            "last_login",
            "is_superuser",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
            "real_name",
            "mobile",
            "id_number",
        ]
        loader.copy_rows(table, columns, lines)
        loader.copy_rows(gthrough, ["id", "user_id", "group_id"], memberships)
        self.citizens = (first_id, names, mobiles, ids)
        self.counts["citizens"] = count

    # --- applications ---------------------------------------------------------------------

    def _receipt_days(self) -> tuple[list[date], list[float]]:
        days, weights = [], []
        span = (self.today - self.start).days
        day = self.start + timedelta(days=1)
        while day <= self.today:
            t = (day - self.start).days / span
            trend = 0.8 + 0.4 * t
            season = 1.15 if day.month in (3, 4, 9, 12) else 0.85 if day.month in (1, 2, 8) else 1
            weight = trend * season * (1.0 if workdays.is_working_day(day) else 0.05)
            days.append(day)
            weights.append(weight)
            day += timedelta(days=1)
        return days, list(accumulate(weights))

    def _draws(self) -> list[tuple]:
        """(day, secs, matter, channel, citizen) of every application, by receipt time."""
        rng = self.rng
        n = self.c.applications
        days, cum = self._receipt_days()
        day_draws = rng.choices(days, cum_weights=cum, k=n)
        code_draws = rng.choices(range(len(self.versions)), cum_weights=self.code_cum, k=n)
        citizens = len(self.citizens[1])
        out = []
        for i in range(n):
            day = day_draws[i]
            info = self._version(code_draws[i], day)
            tries = 0
            while info is None and tries < 20:
                info = self._version(
                    rng.choices(range(len(self.versions)), cum_weights=self.code_cum)[0], day
                )
                tries += 1
            if info is None:
                info = self._version(0, self.today) or self.versions[0][-1]
            pos = bisect_right(info.channel_weights, rng.random() * info.channel_weights[-1])
            channel = info.channels[min(pos, len(info.channels) - 1)]
            if not workdays.is_working_day(day) and channel != "online":
                if "online" in info.channels:
                    channel = "online"
                else:
                    later = self.add(day, 1)
                    day = later if later <= self.today else self.before(day, 1)
            if channel == "online":
                secs = int(7 * 3600 + rng.random() * 16 * 3600)
            else:
                secs = self.office_secs()
            if day == self.today and secs >= self.now_secs:
                secs = rng.randrange(max(1, self.now_secs))
            out.append((day, secs, info, channel, rng.randrange(citizens)))
        out.sort(key=lambda row: (row[0], row[1]))
        return out

    def _version(self, code_index: int, day: date) -> MatterInfo | None:
        for info in self.versions[code_index]:
            if info.valid_from <= day and (info.valid_to is None or day <= info.valid_to):
                return info
        return None

    def build_applications(self) -> None:
        t = time.perf_counter()
        draws = self._draws()
        self._step("receipt days, matters and channels drawn", t)
        tables = {
            "app": Application._meta.db_table,
            "material": ApplicationMaterial._meta.db_table,
            "history": StateChange._meta.db_table,
            "suspension": Suspension._meta.db_table,
            "extension": Extension._meta.db_table,
            "correction": CorrectionNotice._meta.db_table,
            "evaluation": Evaluation._meta.db_table,
            "rectification": Rectification._meta.db_table,
            "callback": Callback._meta.db_table,
            "ticket": Ticket._meta.db_table,
            "call": TicketCall._meta.db_table,
        }
        self.ids = {key: loader.next_id(table) for key, table in tables.items()}
        self.buf = {key: [] for key in tables}
        self.columns = {
            "app": APP_COLUMNS,
            "material": [f.column for f in ApplicationMaterial._meta.concrete_fields],
            "history": [f.column for f in StateChange._meta.concrete_fields],
            "suspension": [f.column for f in Suspension._meta.concrete_fields],
            "extension": [f.column for f in Extension._meta.concrete_fields],
            "correction": [f.column for f in CorrectionNotice._meta.concrete_fields],
            "evaluation": [f.column for f in Evaluation._meta.concrete_fields],
            "rectification": [f.column for f in Rectification._meta.concrete_fields],
            "callback": [f.column for f in Callback._meta.concrete_fields],
            "ticket": [f.column for f in Ticket._meta.concrete_fields],
            "call": [f.column for f in TicketCall._meta.concrete_fields],
        }
        self.tables = tables
        self.number_format = settings.ONEWINDOW.get(
            "APPLICATION_NUMBER_FORMAT", "{town_code}{day:%Y%m%d}{seq:05d}"
        )
        self.town_code = settings.ONEWINDOW["TOWN_CODE"]
        self.number_counters: list[tuple[date, int]] = []
        self.ticket_counters: list[tuple[int, date, int]] = []
        self.state_counts: dict[str, int] = {}
        self.row_counts = dict.fromkeys(tables, 0)
        self.writer = loader.CopyWriter()
        try:
            self._days(draws)
        finally:
            self.writer.close()
        if self.number_counters:
            loader.copy_rows(
                ApplicationNumberCounter._meta.db_table,
                ["day", "last"],
                [f"{self.ds(d)}\t{n}" for d, n in self.number_counters],
            )
        if self.ticket_counters:
            loader.copy_rows(
                TicketCounter._meta.db_table,
                ["category_id", "day", "last_number"],
                [f"{c}\t{self.ds(d)}\t{n}" for c, d, n in self.ticket_counters],
            )
        for key, count in self.row_counts.items():
            self.counts[key] = count
        self.counts["states"] = dict(sorted(self.state_counts.items()))

    def _days(self, draws: list[tuple]) -> None:
        """Day by day (the hall numbers its tickets per day), flushing every few thousand."""
        pending = 0
        index = 0
        total = len(draws)
        while index < total:
            day = draws[index][0]
            stop = index
            while stop < total and draws[stop][0] == day:
                stop += 1
            self._day(day, draws[index:stop])
            pending += stop - index
            index = stop
            if pending >= self.c.flush_every:
                self._flush()
                pending = 0
        self._flush()

    def _flush(self) -> None:
        order = [
            "ticket",
            "app",
            "material",
            "history",
            "suspension",
            "extension",
            "correction",
            "evaluation",
            "rectification",
            "callback",
            "call",
        ]
        for key in order:
            lines = self.buf[key]
            if lines:
                self.writer.put(self.tables[key], self.columns[key], lines)
                self.row_counts[key] += len(lines)
                self.buf[key] = []
        self.log(f"  {self.row_counts['app']:,} applications generated")

    def _new_id(self, key: str) -> int:
        value = self.ids[key]
        self.ids[key] = value + 1
        return value

    # --- one day of the hall and the applications received on it ---------------------------

    def _day(self, day: date, draws: list[tuple]) -> None:
        rng = self.rng
        seq = 0
        tickets = []  # (taken, called, ended, category, window, clerk, resident, outcome, app_row)
        rows = []
        for drawn in draws:
            row, ticket = self._application(day, drawn, seq + 1)
            if row[2] != NULL:  # numbered
                seq += 1
            rows.append(row)
            if ticket:
                tickets.append(ticket)
        if seq:
            self.number_counters.append((day, seq))
        # enquiries that lead to no application
        if tickets and workdays.is_working_day(day):
            for _ in range(int(len(tickets) * 0.3)):
                category = rng.choice(list(self.category_windows))
                windows = (
                    self.category_windows[category]
                    or self.category_windows[self.categories["ZHSL"].pk]
                )
                window = rng.choice(windows)
                clerks = self.clerks_of_window.get(window)
                if not clerks:
                    continue
                taken = self.office_secs() - 1800
                wait = int(rng.expovariate(1 / 480)) + 30
                service = int(rng.lognormvariate(5.6, 0.5))
                outcome = "no_show" if rng.random() < 0.05 else "finished"
                tickets.append(
                    (taken, taken + wait, taken + wait + (60 if outcome == "no_show" else service),
                     category, window, rng.choice(clerks)[0], None, outcome, None)
                )  # fmt: skip
        if tickets:
            self._tickets(day, tickets)
        self.buf["app"].extend("\t".join(r) for r in rows)

    def _tickets(self, day: date, tickets: list[tuple]) -> None:
        tickets.sort(key=lambda t: t[0])
        sequences: dict[int, int] = {}
        prefixes = {c.pk: c.ticket_prefix for c in self.categories.values()}
        today = day == self.today
        for taken, called, ended, category, window, clerk, resident, outcome, app_row in tickets:
            taken = max(8 * 3600, taken)
            called = max(called, taken + 10)
            ended = max(ended, called + 30)
            number = sequences.get(category, 0) + 1
            sequences[category] = number
            tid = self._new_id("ticket")
            if today and app_row is not None:
                # a walk-in registered before now was served before now
                ended = min(ended, max(called + 30, self.now_secs - 1))
            served = not today or ended < self.now_secs or app_row is not None
            if app_row is not None:
                app_row[TICKET_COLUMN] = str(tid)
            taken_ts = self.ts(day, taken)
            if served:
                status = "finished" if outcome == "finished" else "no_show"
                self.buf["ticket"].append(
                    f"{tid}\t{category}\t{category}\t{self.ds(day)}\t{number}\t"
                    f"{prefixes[category]}{number:03d}\t{status}\tf\t\tkiosk\t{taken_ts}\t{taken_ts}\t"
                    f"{self.ts(day, called)}\t{self.ts(day, ended)}\t{window}\t{clerk}\t"
                    f"{resident if resident else NULL}"
                )
                call_id = self._new_id("call")
                self.buf["call"].append(
                    f"{call_id}\t{tid}\t{category}\t{window}\t{clerk}\t{taken_ts}\t"
                    f"{self.ts(day, called)}\t{self.ts(day, called)}\t1\t{self.ts(day, ended)}\t{outcome}"
                )
            else:
                self.buf["ticket"].append(
                    f"{tid}\t{category}\t{category}\t{self.ds(day)}\t{number}\t"
                    f"{prefixes[category]}{number:03d}\twaiting\tf\t\tkiosk\t{taken_ts}\t{taken_ts}\t"
                    f"{NULL}\t{NULL}\t{NULL}\t{NULL}\t{resident if resident else NULL}"
                )
        for category, last in sequences.items():
            self.ticket_counters.append((category, day, last))

    def _application(self, r0: date, drawn: tuple, seq: int):
        """Plan the life of one application, apply it until today, and emit its rows."""
        rng = self.rng
        add = self.add
        today = self.today
        _day, secs0, m, channel, citizen = drawn
        app_id = self._new_id("app")
        first_id, names, mobiles, id_numbers = self.citizens
        applicant = first_id + citizen
        applicant_name = names[citizen]
        dept = m.department_id
        window = None
        proxy = None
        first_contact = None
        ticket = None
        intake_clerks = self.clerks_of_department.get(dept) or self.release_clerks
        if channel == "hall":
            windows = (
                self.category_windows.get(m.category_id)
                or self.category_windows[self.categories["ZHSL"].pk]
            )
            window = rng.choice(windows)
            clerk = rng.choice(self.clerks_of_window.get(window) or intake_clerks)
            filed_by = clerk
            first_contact = clerk
        elif channel == "proxy":
            proxy = rng.choice(self.proxies)
            filed_by = proxy
            first_contact = proxy
            clerk = rng.choice(intake_clerks)
        else:
            filed_by = (applicant, applicant_name)
            clerk = rng.choice(intake_clerks)
        reviewers = self.reviewers.get(dept) or [clerk]
        handler = rng.choice(reviewers)
        supervisor = rng.choice(self.supervisors)
        received_version = m

        # ---- plan --------------------------------------------------------------------
        ev = []  # (day, code)
        draft_only = r0 > today - timedelta(days=20) and rng.random() < 0.004
        withdraw_at = rng.random() < 0.012
        if not draft_only:
            ev.append((r0, SUBMIT))
            k0 = rng.choices((0, 1, 2, 3), (60, 25, 10, 5))[0]
            roll = rng.random()
            intake_day = add(r0, k0)
            resubmitted = None
            if roll < 0.004:
                a = r0
                ev.append((add(r0, 6), DEEMED))
            elif roll < 0.09:
                ev.append((intake_day, CORRECT))
                if rng.random() < 0.95:
                    resubmitted = add(intake_day, rng.randint(1, 15))
                    ev.append((resubmitted, RESUBMIT))
                    intake_day = add(resubmitted, rng.choices((0, 1, 2), (70, 20, 10))[0])
                    if rng.random() < 0.03:
                        ev.append((intake_day, REFUSE))
                    else:
                        ev.append((intake_day, ACCEPT))
                else:
                    withdraw_at = withdraw_at or rng.random() < 0.4
            elif roll < 0.11:
                ev.append((intake_day, REFUSE))
            else:
                ev.append((intake_day, ACCEPT))
            if ev[-1][1] in (ACCEPT, DEEMED):
                a = r0 if ev[-1][1] == DEEMED else ev[-1][0]
                # as the service does: the version in force on the day of acceptance applies
                m = self._version(m.code_index, a) or m
                C = m.committed
                # a deemed acceptance is dated back to receipt: the review starts after it
                claim_base = 6 if ev[-1][1] == DEEMED else 0
                c_off = claim_base + rng.choices((0, 1, 2), (50, 35, 15))[0]
                late = rng.random() < 0.045
                ext_days = 0
                ext_approved = False
                wants_ext = m.extension_allowed and rng.random() < 0.05
                if wants_ext:
                    ext_days = rng.randint(min(3, m.max_extension), m.max_extension)
                    ext_approved = rng.random() < 0.85
                applied_ext = ext_days if ext_approved else 0
                if late:
                    h = C + applied_ext + rng.randint(1, max(1, C // 2 + 1))
                    if rng.random() < 0.05:  # stuck for weeks
                        h += rng.randint(20, 150)
                elif ext_approved:
                    h = C + rng.randint(0, applied_ext)
                else:
                    h = min(C, int(round(C * rng.triangular(0.05, 1.0, 0.3))))
                h = max(h, claim_base)
                c_off = min(c_off, h)
                L = 0
                s_off = None
                fwd_off = None
                if m.forward:
                    fwd_off = c_off + int((h - c_off) * rng.uniform(0.4, 0.7))
                    wants_ext = False
                if m.suspension_allowed and rng.random() < 0.055:
                    limit = (fwd_off if fwd_off is not None else h) - c_off
                    s_off = c_off + rng.randint(0, max(0, limit))
                    L = rng.randint(2, 20)
                claim_day = add(a, c_off)
                ev.append((claim_day, CLAIM))
                if s_off is not None:
                    s_day = add(a, s_off)
                    ev.append((s_day, SUSPEND))
                    ev.append((add(s_day, L), RESUME))
                x_day = None
                if wants_ext:
                    # requested and decided before the decision, outside any suspension
                    req_off = rng.randint(c_off, max(c_off, h - 2))
                    if s_off is not None and req_off >= s_off:
                        req_off += L
                    decide_off = req_off + 1
                    if decide_off < h + L and not (
                        s_off is not None and s_off <= decide_off < s_off + L
                    ):
                        ev.append((add(a, req_off), EXT_REQUEST))
                        x_day = add(a, decide_off)
                        ev.append((x_day, EXT_DECIDE))
                    else:
                        ext_approved, applied_ext = False, 0
                        wants_ext = False
                if fwd_off is not None:
                    ev.append((add(a, fwd_off + L), FORWARD))
                decided = add(a, h + L)
                ev.append((decided, DISTRICT if m.forward else DECIDE))
                k = rng.choices((0, 1, 2, 3, 5, 8, 12), (30, 30, 18, 10, 7, 3, 2))[0]
                ev.append((add(decided, k), RELEASE))
            ev.sort(key=lambda e: e[0])  # stable: same-day events keep their planned order
            if withdraw_at:
                # withdrawn by the applicant at some point before any decision
                final = (REFUSE, DECIDE, DISTRICT, RELEASE)
                last = next((i for i, e in enumerate(ev) if e[1] in final), len(ev))
                cut = rng.randint(1, max(1, last))
                previous = ev[cut - 1][0]
                following = ev[cut][0] if cut < len(ev) else previous + timedelta(days=10)
                gap = max(0, (following - previous).days)
                ev = ev[:cut] + [(previous + timedelta(days=rng.randint(0, gap)), WITHDRAW)]

        C, S = m.committed, m.statutory

        # ---- apply until today ------------------------------------------------------
        state = "draft"
        number = None
        outcome = ""
        received_on = submitted_ts = deemed_on = accepted_on = accepted_by = None
        claimed_ts = forwarded_on = decided_on = decided_by = None
        refused_on = withdrawn_ts = release_due = released_on = None
        deemed = False
        release_method = tracking = ""
        decision_reason = decision_basis = refusal_reason = refusal_basis = withdrawal_reason = ""
        the_handler = None
        rounds = 0
        paused = 0
        ext_applied_days = 0
        suspension = None  # [id, kind, started, ended]
        extension = None  # [id, status, requested_ts, decided_ts]
        correction = None  # [id, issued, resolved, items]
        history = self.buf["history"] if self.c.history else None
        last_ts = None
        prev_day = None
        prev_secs = 0
        updated_day, updated_secs = r0, secs0
        for day, code in ev:
            if day > today:
                break
            if code == SUBMIT:
                secs = secs0
            elif day == prev_day:
                secs = prev_secs + rng.randint(120, 3600)
            else:
                secs = self.office_secs()
            if day == today and secs >= self.now_secs:
                if code == SUBMIT:
                    secs = max(0, self.now_secs - 1)
                else:
                    break
            prev_day, prev_secs = day, secs
            stamp = self.ts(day, secs)
            last_ts = stamp
            updated_day, updated_secs = day, secs
            before = state
            actor, note, data = None, "", "{}"
            if code == SUBMIT or code == RESUBMIT:
                if number is None:
                    number = self.number_format.format(town_code=self.town_code, day=day, seq=seq)
                rounds += 1
                submitted_ts = stamp
                received_on = day
                deemed_on = add(day, 5)
                state = "submitted"
                actor = filed_by if code == SUBMIT else (proxy or (applicant, applicant_name))
                action = "submit"
                if code == RESUBMIT:
                    note = "补正后重新提交"
                    if correction:
                        correction[2] = day
            elif code == CORRECT:
                state = "correction"
                actor = clerk
                action = "request_correction"
                missing = [mm for mm in m.materials if mm[2]][: rng.randint(1, 2)] or m.materials[
                    :1
                ]
                items = [
                    {
                        "material": mm[1],
                        "problem": rng.choice(("缺少该材料", "复印件不清晰", "未签字盖章")),
                    }
                    for mm in missing
                ]
                note = f"一次性告知补正{len(items)}项"
                data = js({"items": items})
                correction = [self._new_id("correction"), day, None, items]
            elif code == ACCEPT or code == DEEMED:
                state = "accepted"
                accepted_on = received_on if code == DEEMED else day
                deemed = code == DEEMED
                accepted_by = None if deemed else clerk[0]
                actor = None if deemed else clerk
                action = "accept"
                if deemed:
                    note = "逾期未作出受理决定，依法自收到申请之日起视为受理"
                data = '{"deemed":true}' if deemed else '{"deemed":false}'
            elif code == REFUSE:
                state = "refused"
                refused_on = day
                refusal_reason = "不属于本镇受理范围或申请人不具备申请资格"
                refusal_basis = "《中华人民共和国行政许可法》第三十二条"
                actor = clerk
                action = "refuse"
                note = refusal_reason
            elif code == CLAIM:
                state = "in_review"
                the_handler = handler
                claimed_ts = stamp
                actor = handler
                action = "claim"
            elif code == SUSPEND:
                kind = rng.choice(list(SUSPENSION_REASONS))
                suspension = [self._new_id("suspension"), kind, day, None, L]
                state = "suspended"
                actor = handler
                action = "suspend"
                note = SUSPENSION_REASONS[kind]
                data = js({"kind": kind, "expected_days": L})
            elif code == RESUME:
                suspension[3] = day
                paused = L
                state = "in_review"
                actor = handler
                action = "resume"
                data = f'{{"paused_days":{paused}}}'
            elif code == EXT_REQUEST:
                extension = [self._new_id("extension"), "pending", stamp, None]
                continue  # no history row: the request is in the audit trail only
            elif code == EXT_DECIDE:
                extension[1] = "approved" if ext_approved else "rejected"
                extension[3] = stamp
                if not ext_approved:
                    continue
                ext_applied_days = ext_days
                actor = supervisor
                action = "approve_extension"
                note = "情况复杂，需延长审查期限"
                data = f'{{"days":{ext_days}}}'
            elif code == FORWARD:
                state = "forwarded"
                forwarded_on = day
                actor = handler
                action = "forward"
                note = "初审符合条件，转报区级部门决定"
            elif code == DECIDE or code == DISTRICT:
                state = "ready_for_release"
                outcome = "grant" if rng.random() < 0.95 else "deny"
                decided_on = day
                if code == DISTRICT:
                    people = self.district.get(m.delegating_id) or [supervisor]
                    decider = rng.choice(people)
                    action = "record_district_decision"
                else:
                    decider = handler
                    action = "decide"
                decided_by = decider[0]
                actor = decider
                if outcome == "deny":
                    decision_reason = "申请条件不符合规定"
                    decision_basis = "相关法律法规规定"
                    note = decision_reason
                release_due = add(day, 10) if outcome == "grant" else None
                data = f'{{"outcome":"{outcome}"}}'
            elif code == RELEASE:
                state = "completed"
                released_on = day
                release_method = "mail" if rng.random() < 0.2 else "hand"
                tracking = f"YZ{app_id:010d}" if release_method == "mail" else ""
                actor = rng.choice(self.release_clerks) if self.release_clerks else clerk
                action = "release"
                data = js({"method": release_method, "tracking_number": tracking})
            elif code == WITHDRAW:
                if state in ("ready_for_release", "completed", "refused"):
                    break
                state = "withdrawn"
                withdrawn_ts = stamp
                withdrawal_reason = "申请人主动撤回"
                actor = proxy or (applicant, applicant_name)
                action = "withdraw"
                note = withdrawal_reason
                if suspension and suspension[3] is None:
                    suspension[3] = day
            if history is not None:
                history.append(
                    f"{self._new_id('history')}\t{app_id}\t{stamp}\t"
                    f"{actor[0] if actor else NULL}\t{actor[1] if actor else '系统'}\t{action}\t"
                    f"{before}\t{state}\t{note}\t{data}"
                )
        self.state_counts[state] = self.state_counts.get(state, 0) + 1

        # ---- the clock as the services left it --------------------------------------
        due = stat_due = warn = None
        if accepted_on is not None:
            due = add(accepted_on, C + ext_applied_days + paused)
            stat_due = add(accepted_on, S + ext_applied_days + paused)
            warn = self.before(due, m.warning + 1)

        # ---- records ----------------------------------------------------------------
        if suspension:
            sid, kind, started, ended, expected = suspension
            self.buf["suspension"].append(
                f"{sid}\t{app_id}\t{kind}\t{SUSPENSION_REASONS[kind]}\t{expected}\t{self.ds(started)}\t"
                f"{self.ds(ended)}\t{handler[0]}\t{handler[0] if ended else NULL}"
            )
        if extension:
            xid, status, requested_ts, decided_ts = extension
            decided_by_x = supervisor[0] if decided_ts else NULL
            self.buf["extension"].append(
                f"{xid}\t{app_id}\t{ext_days}\t情况复杂，需延长审查期限\t{status}\t{handler[0]}\t"
                f"{requested_ts}\t{decided_by_x}\t{decided_ts or NULL}\t"
                f"{'同意延期' if status == 'approved' else '理由不充分' if status == 'rejected' else ''}"
            )
        if correction:
            cid, issued, resolved, items = correction
            self.buf["correction"].append(
                f"{cid}\t{app_id}\t1\t{js(items)}\t{self.ds(issued)}\t{clerk[0]}\t{self.ds(resolved)}"
            )
        if self.c.materials:
            self._materials(app_id, m, state, accepted_on, correction)
        if state == "completed":
            self._rating(app_id, released_on, applicant, proxy, channel, supervisor)

        # ---- the ticket of a walk-in --------------------------------------------------
        if channel == "hall" and state != "draft":
            wait = int(rng.expovariate(1 / 600)) + 30
            service = int(rng.lognormvariate(6.1, 0.5))
            called = secs0 - rng.randint(60, 300)
            taken = called - wait
            ticket = (taken, called, called + service, m.category_id, window, clerk[0], applicant, "finished", None)  # fmt: skip

        created_ts = self.ts(r0, secs0 - 600 if channel == "online" else secs0 - 60)
        updated_ts = self.ts(updated_day, updated_secs) if last_ts else created_ts
        proxy_consent = "村民本人口头同意并签字委托" if proxy else ""
        row = [
            str(app_id),
            str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            number or NULL,
            state,
            outcome,
            str(m.id if accepted_on else received_version.id),
            str(dept),
            str(m.delegating_id) if m.delegating_id else NULL,
            str(applicant),
            "person",
            applicant_name,
            id_numbers[citizen],
            mobiles[citizen],
            "",
            "",
            f"下埠镇{rng.choice(VILLAGES)}村{rng.randint(1, 12)}组",
            "{}",
            "t" if channel == "online" else "f",
            channel,
            str(filed_by[0]),
            str(proxy[0]) if proxy else NULL,
            proxy_consent,
            created_ts if proxy else NULL,
            str(first_contact[0]) if first_contact else NULL,
            str(window) if window else NULL,
            str(the_handler[0]) if the_handler else NULL,
            NULL,  # ticket_id, set when the day's tickets are numbered
            str(rounds),
            created_ts,
            updated_ts,
            submitted_ts or NULL,
            self.ds(received_on),
            self.ds(deemed_on),
            self.ds(accepted_on),
            "t" if deemed else "f",
            str(accepted_by) if accepted_by else NULL,
            claimed_ts or NULL,
            self.ds(forwarded_on),
            self.ds(decided_on),
            str(decided_by) if decided_by else NULL,
            decision_reason,
            decision_basis,
            self.ds(refused_on),
            refusal_reason,
            refusal_basis,
            withdrawn_ts or NULL,
            withdrawal_reason,
            self.ds(release_due),
            self.ds(released_on),
            release_method,
            tracking,
            self.ds(due),
            self.ds(stat_due),
            self.ds(warn),
            str(ext_applied_days),
            str(paused),
        ]
        if ticket:
            ticket = (*ticket[:8], row)
        return row, ticket

    def _materials(self, app_id, m: MatterInfo, state, accepted_on, correction) -> None:
        rng = self.rng
        buf = self.buf["material"]
        flagged = {item["material"] for item in correction[3]} if correction else set()
        for order, (mid, name, mandatory, tolerated) in enumerate(m.materials):
            status, problem, promised, commitment, supplied = "received", "", NULL, "", NULL
            if state in ("draft", "submitted") and not accepted_on:
                status = "pending"
            elif state == "correction" and name in flagged:
                status = "missing"
                problem = "缺少该材料"
            elif accepted_on and tolerated and rng.random() < 0.05:
                status = "tolerated"
                promised_day = self.add(accepted_on, 10)
                promised = self.ds(promised_day)
                commitment = "申请人承诺在期限内补交"
                supply = self.add(accepted_on, rng.randint(1, 12))
                if supply <= self.today:
                    status = "received"
                    supplied = self.ds(supply)
            buf.append(
                f"{self._new_id('material')}\t{app_id}\t{mid}\t{name}\t{'t' if mandatory else 'f'}\t"
                f"{'t' if tolerated else 'f'}\t{order}\t{status}\t{problem}\t{promised}\t{commitment}\t{supplied}"
            )

    def _rating(self, app_id, released_on, applicant, proxy, channel, supervisor) -> None:
        rng = self.rng
        if rng.random() >= 0.72:
            return
        day = self.add(released_on, rng.choices((0, 1, 2, 3), (40, 30, 20, 10))[0])
        if day > self.today:
            return
        secs = self.office_secs()
        if day == self.today and secs >= self.now_secs:
            return
        rating = rng.choices((5, 4, 3, 2, 1), (80, 12, 4.5, 2, 1.5))[0]
        bad = rating <= 2
        comment = rng.choice(BAD_COMMENTS if bad else GOOD_COMMENTS)
        on_behalf = channel == "proxy" and proxy is not None
        rater = proxy[0] if on_behalf else applicant
        eid = self._new_id("evaluation")
        stamp = self.ts(day, secs)
        self.buf["evaluation"].append(
            f"{eid}\t{app_id}\t{rating}\t{comment}\t{rater}\t{'t' if on_behalf else 'f'}\t{stamp}"
        )
        if not bad:
            return
        rid = self._new_id("rectification")
        due = self.add(day, int(settings.ONEWINDOW.get("RECTIFICATION_DAYS", 15)))
        close_day = self.add(day, rng.randint(2, 20))
        # supervisors close nearly all of them (a few linger, overdue)
        if close_day <= self.today and rng.random() < 0.99:
            closed_ts = self.ts(close_day, self.office_secs())
            if close_day == self.today and self.now_secs < OFFICE_END:
                closed_ts = self.ts(close_day, max(0, self.now_secs - 1))
            self.buf["rectification"].append(
                f"{rid}\t{eid}\tclosed\t{self.ds(day)}\t{self.ds(due)}\t已约谈相关窗口并优化流程\t"
                f"群众表示满意\t{closed_ts}\t{supervisor[0]}\t{closed_ts}"
            )
            self.buf["callback"].append(
                f"{self._new_id('callback')}\t{rid}\t{closed_ts}\t{supervisor[0]}\tphone\t"
                f"对整改结果表示认可\t{closed_ts}"
            )
        else:
            self.buf["rectification"].append(
                f"{rid}\t{eid}\topen\t{self.ds(day)}\t{self.ds(due)}\t\t\t{NULL}\t{NULL}\t{stamp}"
            )


def describe(result: dict) -> str:
    counts = result["counts"]
    lines = [f"{key}: {value:,}" for key, value in counts.items() if isinstance(value, int)]
    lines.append("states: " + ", ".join(f"{k} {v:,}" for k, v in counts["states"].items()))
    lines += [f"time {key}: {value} s" for key, value in result["timings"].items()]
    return "\n".join(lines)


def add_arguments(parser) -> None:
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument(
        "--citizens", type=int, default=None, help="default: one per ten applications"
    )
    parser.add_argument("--no-history", action="store_true", help="skip state history rows")
    parser.add_argument(
        "--no-materials", action="store_true", help="skip application material rows"
    )
    parser.add_argument("--no-rollup", action="store_true", help="skip dashboard rollups")


def run_part(run) -> dict:
    """The applications part of ``manage.py generate`` (portal.generate)."""
    options = run.options
    if options["applications"] < 1:
        raise ValueError("--applications must be at least 1")
    config = Config(
        applications=options["applications"],
        seed=run.seed,
        today=run.today,
        years=run.years,
        citizens=options["citizens"],
        history=not options["no_history"],
        materials=not options["no_materials"],
        rollup=not options["no_rollup"],
    )
    result = Generator(config, log=run.log).run()
    run.shared["applications"] = result
    return result
