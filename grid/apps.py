from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridConfig(AppConfig):
    name = "grid"
    verbose_name = _("网格化治理")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from grid import (  # noqa: F401  (the reminders modules register their rules)
            cards,
            dispatch_reminders,
            menus,
            reminders,
        )
        from grid.demo import categories, dispatch, incidents, people
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
        register_seeder(70, "dispatch", dispatch.seed)
        _connect_dispatch()
        from grid import stamps

        stamps.connect()
        generate.register(
            generate.Part(
                order=20,
                name="incidents",
                run=lambda run: _generate().run_part(run),
                add_arguments=lambda parser: _generate().add_arguments(parser),
            )
        )
        generate.register(
            generate.Part(
                order=40,
                name="dispatch",
                run=lambda run: _generate_dispatch().run_part(run),
                add_arguments=lambda parser: _generate_dispatch().add_arguments(parser),
            )
        )


def _connect_dispatch():
    """Grid learns what became of its leads from enforcement's signal, and reloads its compiled
    routing rules when a department is switched on or off."""
    from django.db.models.signals import post_save

    from enforcement.signals import lead_outcome
    from grid.services import dispatch

    lead_outcome.connect(dispatch.on_lead_outcome, dispatch_uid="grid.dispatch.lead_outcome")
    post_save.connect(
        dispatch.on_department_saved,
        sender="portal.Department",
        dispatch_uid="grid.dispatch.department_saved",
    )


def _generate():
    from grid import generate

    return generate


def _generate_dispatch():
    from grid import dispatch_generate

    return dispatch_generate
