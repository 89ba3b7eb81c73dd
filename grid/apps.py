from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridConfig(AppConfig):
    name = "grid"
    verbose_name = _("网格化治理")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from grid import menus
        from grid.demo import people
        from portal.demo import register_seeder

        menus.register_all()
        register_seeder(50, "grid people", people.seed)
