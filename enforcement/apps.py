from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    name = "enforcement"
    verbose_name = _("综合行政执法")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from enforcement import menus, reminders, signals  # noqa: F401  (rules, signals)

        menus.register_all()
