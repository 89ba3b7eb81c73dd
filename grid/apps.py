from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridConfig(AppConfig):
    name = "grid"
    verbose_name = _("网格化治理")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from grid import cards, menus, reminders  # noqa: F401  (reminders registers its rules)
        from grid.demo import categories, incidents, people
        from portal import generate
        from portal.areas import cards as area_cards
        from portal.demo import register_seeder

        menus.register_all()
        area_cards.register("grid-people", cards.people_section, order=10)
        area_cards.register("grid-patrols", cards.patrols_section, order=20)
        area_cards.register("grid-incidents", cards.incidents_section, order=30)
        register_seeder(50, "grid people", people.seed)
        register_seeder(55, "incident categories", categories.seed)
        register_seeder(60, "incidents", incidents.seed)
        generate.register(
            generate.Part(
                order=20,
                name="incidents",
                run=lambda run: _generate().run_part(run),
                add_arguments=lambda parser: _generate().add_arguments(parser),
                describe=lambda result: _generate().describe(result),
            )
        )


def _generate():
    from grid import generate

    return generate
