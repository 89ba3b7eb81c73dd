"""The demo's life events (一件事): each lists the matters of the demo register it needs, in the
order a resident or a company would do them. Idempotent: an event already there is kept."""

from approvals.models import LifeEvent

EVENTS = [
    (
        "birth",
        "生育",
        "Having a baby",
        "生育登记、出生登记、医保参保、社保卡，一次提交材料。",
        "Birth registration, the child's household registration, health insurance and "
        "social-security card.",
        "person",
        ["XB-GG-007", "XB-QR-010", "XB-QR-004", "XB-GG-002"],
    ),
    (
        "employment",
        "就业创业",
        "Work and starting out",
        "就业登记、技能培训补贴、创业担保贷款。",
        "Employment registration, training subsidies and start-up loans.",
        "person",
        ["XB-GG-003", "XB-JF-005", "XB-GG-004", "XB-QR-003"],
    ),
    (
        "business",
        "开办企业",
        "Starting a business",
        "营业执照、食品经营许可、投资备案。",
        "Business licence, food business permit and investment filing.",
        "both",
        ["XB-GG-011", "XB-XK-001", "XB-XK-005", "XB-XK-006", "XB-QT-002"],
    ),
    (
        "building",
        "农村建房",
        "Building a village house",
        "宅基地建房审批、乡村建设规划许可、危房改造补助。",
        "Homestead approval, the village planning permit and the dilapidated-house subsidy.",
        "person",
        ["XB-XK-013", "XB-XK-014", "XB-JF-001"],
    ),
    (
        "retirement",
        "退休养老",
        "Retirement and old age",
        "养老金领取、老年人优待证、高龄津贴。",
        "Pension, the senior citizen's card and the longevity allowance.",
        "person",
        ["XB-JF-004", "XB-GG-006", "XB-JF-011", "XB-QR-003"],
    ),
    (
        "disability",
        "残疾人服务",
        "Disability services",
        "残疾人证、两项补贴、辅助器具。",
        "Disability card, the two allowances and assistive devices.",
        "person",
        ["XB-QR-007", "XB-JF-010", "XB-GG-005"],
    ),
    (
        "bereavement",
        "身后事",
        "When someone dies",
        "死亡注销户口、惠民殡葬补贴。",
        "Closing the household registration and the funeral subsidy.",
        "person",
        ["XB-QR-011", "XB-JF-012"],
    ),
]


def seed() -> None:
    for order, (code, name, name_en, summary, summary_en, audience, codes) in enumerate(
        EVENTS, start=1
    ):
        LifeEvent.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "summary": summary,
                "summary_en": summary_en,
                "audience": audience,
                "matter_codes": codes,
                "order": order,
            },
        )
