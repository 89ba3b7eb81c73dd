from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    name = "enforcement"
    verbose_name = _("综合行政执法")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from enforcement import (  # noqa: F401  (rules, signals)
            callout_reminders,
            menus,
            reminders,
            signals,
        )

        menus.register_all()
        from enforcement import stamps

        stamps.connect()
        from approvals import guide_hooks
        from enforcement.views.benchmarks import guide_provider

        guide_hooks.register_enforcement_provider(guide_provider)
        from enforcement.demo import seed
        from portal.demo import register_seeder

        register_seeder(60, "enforcement", seed.seed)
        from portal import generate

        generate.register(
            generate.Part(
                order=30,
                name="enforcement",
                run=lambda run: _generate().run_part(run),
                add_arguments=lambda parser: _generate().add_arguments(parser),
            )
        )
        generate.register(
            generate.Part(
                order=45,
                name="callouts",
                run=lambda run: _callout_generate().run_part(run),
                add_arguments=lambda parser: _callout_generate().add_arguments(parser),
            )
        )


def _generate():
    from enforcement import generate

    return generate


def _callout_generate():
    from enforcement import callout_generate

    return callout_generate
