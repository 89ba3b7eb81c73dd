from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CentreConfig(AppConfig):
    name = "centre"
    verbose_name = _("综合指挥调度中心")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from centre import menus

        menus.register_all()
        from centre.models import DispatcherDuty, Handover
        from centre.selectors.stamp import DUTY_STAMP
        from portal import stamps

        stamps.watch(DUTY_STAMP, DispatcherDuty, Handover)
        from centre.selectors.duty import dispatchers_on_duty
        from enforcement.services.callouts import register_centre_recipients

        register_centre_recipients(dispatchers_on_duty)
        from approvals.models import HallDevice
        from approvals.views.hall import register_device_home

        register_device_home(HallDevice.Kind.WALL, "centre:screen")
        from centre.demo import seed
        from portal.demo import register_seeder

        register_seeder(90, "centre", seed.seed)
        from portal import generate

        generate.register(
            generate.Part(
                order=50,
                name="centre",
                run=lambda run: _generate().run_part(run),
                add_arguments=lambda parser: _generate().add_arguments(parser),
            )
        )


def _generate():
    from centre import generate

    return generate
