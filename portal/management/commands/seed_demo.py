from django.core.management.base import BaseCommand

from portal import demo


class Command(BaseCommand):
    help = "Load the demo township (idempotent: running it again changes nothing)."

    def handle(self, *args, **options):
        demo.seed_core()
        self.stdout.write("core: departments, windows, calendar, demo users")
        for _order, name, fn in demo.seeders():
            fn()
            self.stdout.write(f"{name}: done")
        self.stdout.write(
            self.style.SUCCESS(
                f"demo data loaded; password for every demo user: {demo.DEMO_PASSWORD}"
            )
        )
