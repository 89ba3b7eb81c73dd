from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridConfig(AppConfig):
    name = "grid"
    verbose_name = _("网格化治理")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from grid import cards, menus
        from grid.demo import people
        from portal.areas import cards as area_cards
        from portal.demo import register_seeder

        menus.register_all()
        area_cards.register("grid-people", cards.people_section, order=10)
        area_cards.register("grid-patrols", cards.patrols_section, order=20)
        register_seeder(50, "grid people", people.seed)
