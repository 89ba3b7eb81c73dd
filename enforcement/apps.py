from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    name = "enforcement"
    verbose_name = _("综合行政执法")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from enforcement import menus, reminders, signals  # noqa: F401  (rules, signals)

        menus.register_all()
        from approvals import guide_hooks
        from enforcement.views.benchmarks import guide_provider

        guide_hooks.register_enforcement_provider(guide_provider)
        from enforcement.demo import seed
        from portal.demo import register_seeder

        register_seeder(60, "enforcement", seed.seed)
