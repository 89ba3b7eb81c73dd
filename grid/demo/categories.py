"""The demo town's incident catalogue: 8 branches over the five networks, 52 leaves.
Idempotent: a leaf whose demo values changed gets a new version, as any edit does."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from grid.models import Category, Network

H, WD = "hours", "working_days"
URG, ORD, CPX = "urgent", "ordinary", "complex"

BRANCHES = [
    # code, name, network
    ("CSGL", "城市管理", Network.ENVIRONMENT),
    ("AQSC", "安全生产", Network.WORK_SAFETY),
    ("MDJF", "矛盾纠纷", Network.PUBLIC_ORDER),
    ("SHZA", "社会治安", Network.PUBLIC_ORDER),
    ("HJBH", "环境保护", Network.ENVIRONMENT),
    ("MSFW", "民生服务", Network.CIVIL_AFFAIRS),
    ("SQMY", "社情民意", Network.RESIDENT_CONTACT),
    ("NYNC", "农业农村", Network.ENVIRONMENT),
]


def CATALOGUE_FROM():  # noqa: N802 - the demo catalogue is in force from this moment
    return timezone.make_aware(datetime(2023, 1, 1))


ACCEPTED = "您反映的问题已受理，网格员将尽快处理。"
CLOSED = "您反映的问题已办结，感谢您的支持，请对办理情况作出评价。"

# code, branch, name, urgency, unit, verify, accept, handle, max handle, grid may handle,
# possible violation, matter code
LEAVES = [
    ("CSGL01", "CSGL", "占道经营", ORD, WD, 1, 1, 3, 5, True, True, "XB-CF-003"),
    ("CSGL02", "CSGL", "乱堆乱放", ORD, WD, 1, 1, 3, 5, True, False, ""),
    ("CSGL03", "CSGL", "违章搭建", CPX, WD, 1, 2, 10, 15, False, True, "XB-CF-005"),
    ("CSGL04", "CSGL", "乱贴乱画小广告", ORD, WD, 1, 1, 2, 4, True, False, "XB-CF-001"),
    ("CSGL05", "CSGL", "户外广告设施破损", ORD, WD, 1, 1, 5, 8, False, True, "XB-CF-002"),
    ("CSGL06", "CSGL", "道路破损", ORD, WD, 1, 1, 7, 15, False, False, ""),
    ("CSGL07", "CSGL", "井盖缺失破损", URG, H, 2, 2, 24, 48, True, False, ""),
    ("CSGL08", "CSGL", "路灯损坏", ORD, WD, 1, 1, 5, 8, False, False, ""),
    ("CSGL09", "CSGL", "垃圾满溢", ORD, H, 4, 4, 24, 48, True, False, ""),
    ("CSGL10", "CSGL", "车辆乱停乱放", ORD, WD, 1, 1, 1, 2, True, False, ""),
    ("AQSC01", "AQSC", "消防隐患", URG, H, 2, 2, 24, 72, True, False, ""),
    ("AQSC02", "AQSC", "消防通道堵塞", URG, H, 1, 1, 12, 24, True, False, ""),
    ("AQSC03", "AQSC", "燃气泄漏隐患", URG, H, 1, 1, 8, 24, False, False, ""),
    ("AQSC04", "AQSC", "电动车违规充电", ORD, WD, 1, 1, 2, 3, True, False, ""),
    ("AQSC05", "AQSC", "危化品违规存放", URG, H, 2, 2, 24, 48, False, True, ""),
    ("AQSC06", "AQSC", "建筑工地安全隐患", ORD, WD, 1, 1, 3, 5, False, False, ""),
    ("AQSC07", "AQSC", "自建房安全隐患", CPX, WD, 1, 2, 10, 15, False, False, ""),
    ("AQSC08", "AQSC", "三合一场所", ORD, WD, 1, 1, 5, 8, False, True, ""),
    ("AQSC09", "AQSC", "道路交通安全隐患", ORD, WD, 1, 1, 3, 5, False, False, ""),
    ("MDJF01", "MDJF", "邻里纠纷", ORD, WD, 1, 1, 7, 15, True, False, ""),
    ("MDJF02", "MDJF", "婚姻家庭纠纷", ORD, WD, 1, 1, 7, 15, True, False, ""),
    ("MDJF03", "MDJF", "土地山林纠纷", CPX, WD, 2, 2, 15, 30, True, False, ""),
    ("MDJF04", "MDJF", "劳资纠纷", ORD, WD, 1, 1, 7, 15, False, False, ""),
    ("MDJF05", "MDJF", "物业纠纷", ORD, WD, 1, 1, 7, 15, True, False, ""),
    ("MDJF06", "MDJF", "征地拆迁矛盾", CPX, WD, 2, 2, 15, 30, False, False, ""),
    ("MDJF07", "MDJF", "群体性事件苗头", URG, H, 1, 1, 12, 24, False, False, ""),
    ("SHZA01", "SHZA", "治安隐患", ORD, WD, 1, 1, 3, 5, True, False, ""),
    ("SHZA02", "SHZA", "可疑人员或物品", URG, H, 1, 1, 6, 12, False, False, ""),
    ("SHZA03", "SHZA", "重点人员动态异常", URG, H, 2, 2, 12, 24, False, False, ""),
    ("SHZA04", "SHZA", "黄赌毒线索", URG, H, 2, 2, 24, 48, False, True, ""),
    ("SHZA05", "SHZA", "电信网络诈骗线索", URG, H, 2, 2, 24, 48, False, False, ""),
    ("HJBH01", "HJBH", "秸秆焚烧", URG, H, 1, 1, 4, 8, True, True, "XB-CF-008"),
    ("HJBH02", "HJBH", "露天焚烧垃圾", URG, H, 2, 2, 12, 24, True, True, "XB-CF-001"),
    ("HJBH03", "HJBH", "河道水体污染", ORD, WD, 1, 1, 5, 10, False, False, ""),
    ("HJBH04", "HJBH", "企业违规排污", ORD, WD, 1, 1, 5, 10, False, True, ""),
    ("HJBH05", "HJBH", "噪声扰民", ORD, WD, 1, 1, 3, 5, True, False, ""),
    ("HJBH06", "HJBH", "餐饮油烟扰民", ORD, WD, 1, 1, 5, 8, False, True, "XB-CF-009"),
    ("HJBH07", "HJBH", "河道垃圾漂浮物", ORD, WD, 1, 1, 3, 5, True, False, ""),
    ("MSFW01", "MSFW", "困难救助", ORD, WD, 1, 1, 5, 10, False, False, ""),
    ("MSFW02", "MSFW", "独居老人关爱", ORD, WD, 1, 1, 3, 5, True, False, ""),
    ("MSFW03", "MSFW", "残疾人帮扶", ORD, WD, 1, 1, 5, 10, False, False, ""),
    ("MSFW04", "MSFW", "留守儿童关爱", ORD, WD, 1, 1, 5, 10, True, False, ""),
    ("MSFW05", "MSFW", "社保医保诉求", ORD, WD, 1, 1, 5, 10, False, False, ""),
    ("MSFW06", "MSFW", "就业帮扶需求", ORD, WD, 1, 1, 7, 15, False, False, ""),
    ("MSFW07", "MSFW", "供水供电故障", URG, H, 2, 2, 24, 48, False, False, ""),
    ("SQMY01", "SQMY", "群众诉求", ORD, WD, 1, 1, 5, 10, True, False, ""),
    ("SQMY02", "SQMY", "意见建议", ORD, WD, 2, 2, 10, 15, True, False, ""),
    ("SQMY03", "SQMY", "政策咨询", ORD, WD, 1, 1, 3, 5, True, False, ""),
    ("NYNC01", "NYNC", "违法占用耕地建房", CPX, WD, 1, 2, 10, 15, False, True, "XB-CF-004"),
    ("NYNC02", "NYNC", "非法捕捞", URG, H, 2, 2, 24, 48, False, True, "XB-CF-010"),
    ("NYNC03", "NYNC", "动物疫情", URG, H, 2, 2, 12, 24, False, False, ""),
    ("NYNC04", "NYNC", "农药违规使用", ORD, WD, 1, 1, 5, 8, False, True, "XB-CF-011"),
]


def _existing_matters(codes: set[str]) -> set[str]:
    from approvals.models import Matter

    return set(
        Matter.objects.filter(code__in=codes, kind=Matter.Kind.PENALTY).values_list(
            "code", flat=True
        )
    )


@transaction.atomic
def seed() -> dict:
    from grid.services import categories as svc

    actor = "demo"
    branches = {}
    for order, (code, name, network) in enumerate(BRANCHES, start=1):
        branches[code] = svc.branch_save(
            actor=actor,
            code=code,
            fields={"name": name, "network": network, "order": order, "is_active": True},
        )
    matters = _existing_matters({row[11] for row in LEAVES if row[11]})
    created = changed = 0
    for order, row in enumerate(LEAVES, start=1):
        code, branch, name, urgency, unit, verify, accept, handle, most, grid_ok, viol, matter = row
        fields = {
            "branch": branches[branch],
            "name": name,
            "order": order,
            "urgency": urgency,
            "limit_unit": unit,
            "verify_limit": verify,
            "accept_limit": accept,
            "handle_limit": handle,
            "max_handle_limit": most,
            "grid_may_handle": grid_ok,
            "possible_violation": viol,
            "matter_code": matter if matter in matters else "",
            "accepted_text": ACCEPTED,
            "closed_text": CLOSED,
        }
        current = Category.objects.filter(code=code, valid_to__isnull=True).first()
        if current is None:
            if Category.objects.filter(code=code).exists():
                continue  # retired by someone on purpose: leave it so
            svc.category_create(actor=actor, code=code, fields=fields, at=CATALOGUE_FROM())
            created += 1
        else:
            after = svc.category_change(actor=actor, category=current, fields=fields)
            changed += after.pk != current.pk
    return {"branches": len(branches), "leaves": len(LEAVES), "created": created}
