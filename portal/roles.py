"""The roles of the portal. Each is a Django group; its permissions are synced after every
migrate (portal.apps), so a role's rights live in code, reviewed like code."""

from django.utils.translation import gettext_lazy as _

CITIZEN = "citizen"
PROXY_AGENT = "proxy_agent"
WINDOW_CLERK = "window_clerk"
REVIEWER = "reviewer"
DISTRICT_REVIEWER = "district_reviewer"
SUPERVISOR = "supervisor"
REGISTER_ADMIN = "register_admin"
GRID_MEMBER = "grid_member"
GRID_HEAD = "grid_head"
DISPATCHER = "dispatcher"
ENFORCEMENT_OFFICER = "enforcement_officer"
SQUAD_LEADER = "squad_leader"
BUREAU_HEAD = "bureau_head"
LEGAL_REVIEWER = "legal_reviewer"
# A system account (no person): the 12345 hotline pushes its work orders with a token.
HOTLINE = "hotline"
# Staff of a town department who sign for, handle and answer work orders (工单).
DEPARTMENT_STAFF = "department_staff"

LABELS = {
    CITIZEN: _("群众/企业"),
    PROXY_AGENT: _("帮代办员"),
    WINDOW_CLERK: _("窗口受理人员"),
    REVIEWER: _("后台审查人员"),
    DISTRICT_REVIEWER: _("区级审查人员"),
    SUPERVISOR: _("督查/分管领导"),
    REGISTER_ADMIN: _("事项清单管理员"),
    GRID_MEMBER: _("网格员"),
    GRID_HEAD: _("网格长"),
    DISPATCHER: _("指挥中心调度员"),
    ENFORCEMENT_OFFICER: _("执法队员"),
    SQUAD_LEADER: _("执法中队长"),
    BUREAU_HEAD: _("执法局负责人"),
    LEGAL_REVIEWER: _("法制审核人员"),
    HOTLINE: _("12345热线接口（系统账号）"),
    DEPARTMENT_STAFF: _("部门工单承办人员"),
}
ALL = tuple(LABELS)
STAFF_ROLES = tuple(r for r in ALL if r != CITIZEN)

# Model permissions per role, as "app_label.codename". Permissions that do not exist yet
# (an app not migrated) are skipped, and picked up by the next migrate.
_VIEW_ORG = ["portal.view_department", "portal.view_window"]
PERMISSIONS: dict[str, list[str]] = {
    CITIZEN: [],
    PROXY_AGENT: [],
    WINDOW_CLERK: [*_VIEW_ORG],
    REVIEWER: [*_VIEW_ORG],
    DISTRICT_REVIEWER: [*_VIEW_ORG],
    SUPERVISOR: [
        *_VIEW_ORG,
        "portal.view_auditentry",
        "portal.view_staffprofile",
        # the notification outbox: see failed deliveries and resend them
        "portal.view_delivery",
        "portal.change_delivery",
        "portal.view_reminder",
        "grid.view_incident",
        "grid.view_category",
        "grid.view_categorybranch",
    ],
    REGISTER_ADMIN: [
        *_VIEW_ORG,
        "portal.add_department",
        "portal.change_department",
        "portal.add_window",
        "portal.change_window",
        "portal.view_calendaryear",
        "portal.add_calendaryear",
        "portal.change_calendaryear",
        "portal.view_calendarday",
        "portal.add_calendarday",
        "portal.change_calendarday",
        "portal.delete_calendarday",
        "approvals.view_matter",
        "approvals.add_matter",
        "approvals.change_matter",
        "approvals.view_material",
        "approvals.add_material",
        "approvals.change_material",
        "approvals.delete_material",
        "approvals.view_delegationinstrument",
        "approvals.add_delegationinstrument",
        "approvals.change_delegationinstrument",
    ],
    GRID_MEMBER: [],
    GRID_HEAD: [],
    DISPATCHER: [*_VIEW_ORG],
    ENFORCEMENT_OFFICER: [],
    SQUAD_LEADER: [],
    BUREAU_HEAD: [],
    LEGAL_REVIEWER: [],
    HOTLINE: [],
    DEPARTMENT_STAFF: [],
}
# Roles whose members may enter the Django admin (is_staff is set for them).
ADMIN_ROLES = (REGISTER_ADMIN, SUPERVISOR)


def sync_roles() -> None:
    from django.contrib.auth.models import Group, Permission

    for role in ALL:
        group, _created = Group.objects.get_or_create(name=role)
        wanted = []
        for dotted in PERMISSIONS.get(role, []):
            app_label, codename = dotted.split(".", 1)
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm:
                wanted.append(perm)
        group.permissions.set(wanted)
