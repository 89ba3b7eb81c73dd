from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs):
    from portal.roles import sync_roles

    sync_roles()


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("门户核心")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal import reminders, signals  # noqa: F401  (signal handlers, reminder rules)
        from portal.areas import demo as areas_demo
        from portal.demo import register_seeder

        register_seeder(5, "areas", areas_demo.seed)
        signals.connect_user_state()
        signals.connect_token_cache()

        from portal import generate
        from portal.areas import generate as areas_generate

        generate.register(
            generate.Part(
                order=5,
                name="areas",
                add_arguments=areas_generate.add_arguments,
                run=areas_generate.run_part,
            )
        )

        post_migrate.connect(_sync_roles, dispatch_uid="portal.sync_roles")
        from portal import roles
        from portal.menu import MenuItem, register

        register(
            MenuItem(
                key="admin",
                label=_("管理后台"),
                url_name="admin:index",
                roles=roles.ADMIN_ROLES,
                description=_("部门、窗口、工作日历与审计记录"),
                order=900,
            )
        )
        register(
            MenuItem(
                key="areas",
                label=_("区域与边界"),
                url_name="areas:list",
                roles=(roles.REGISTER_ADMIN, roles.SUPERVISOR),
                description=_("村（社区）、网格、微网格：边界导入导出、停用、拆分合并"),
                order=64,
            )
        )
