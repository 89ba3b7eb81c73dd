from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = _("一窗受理与审批")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # reminders registers its rules on import
        from approvals import home, menus, reminders, signals  # noqa: F401
        from approvals.demo import applications, dashboard, evaluations, guide, hall, register
        from portal import generate
        from portal.demo import register_seeder

        menus.register_all()
        signals.connect()
        from approvals import stamps

        stamps.connect()
        home.register_all()
        register_seeder(10, "register", register.seed)
        register_seeder(15, "life-events", guide.seed)
        register_seeder(20, "hall", hall.seed)
        register_seeder(21, "hall-devices", hall.seed_devices)
        register_seeder(30, "applications", applications.seed)
        register_seeder(40, "evaluations", evaluations.seed)
        register_seeder(90, "dashboard rollups", dashboard.seed)
        generate.register(
            generate.Part(
                order=10,
                name="applications",
                run=lambda run: _generate().run_part(run),
                add_arguments=lambda parser: _generate().add_arguments(parser),
                describe=lambda result: _generate().describe(result),
            )
        )


def _generate():
    from approvals import generate

    return generate
