"""The town's map from the command line.

    python manage.py areas import FILE [--dry-run] [--on YYYY-MM-DD] [--from-gcj02]
    python manage.py areas export FILE.geojson
    python manage.py areas close CODE --on YYYY-MM-DD --reason TEXT [--with-children]

``import`` reads GeoJSON, KML/KMZ or a zipped shapefile; on any problem it prints one line per
problem, each naming the feature's code, writes nothing and exits 1. ``--dry-run`` checks and
previews only. It adds and changes areas; it never closes one the file leaves out (``close``)."""

import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Case, IntegerField, Value, When

from portal.areas import formats, imports, services
from portal.errors import ActionError
from portal.models import Area, AreaKind


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value}") from None


class Command(BaseCommand):
    help = "Import, export and close areas of the town's map."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser(
            "import", help="import boundaries (GeoJSON, KML/KMZ, zipped shapefile)"
        )
        imp.add_argument("file")
        imp.add_argument("--dry-run", action="store_true", help="check and preview; write nothing")
        imp.add_argument("--on", type=_date, help="effective date (default: today)")
        imp.add_argument(
            "--from-gcj02",
            action="store_true",
            help="the file's coordinates are GCJ-02 (Amap/Tencent): convert them to WGS-84",
        )
        imp.add_argument("--tolerance", type=float, help="overlap/gap tolerance in m²")
        exp = sub.add_parser("export", help="write the areas in force as GeoJSON")
        exp.add_argument("file")
        close = sub.add_parser("close", help="close an area (explicitly) from a date")
        close.add_argument("code")
        close.add_argument("--on", type=_date, required=True)
        close.add_argument("--reason", required=True)
        close.add_argument("--with-children", action="store_true")

    def handle(self, *args, **options):
        getattr(self, f"_{options['action']}")(options)

    def _import(self, options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        if options.get("tolerance") is not None:
            from django.conf import settings

            settings.AREA_OVERLAP_TOLERANCE_M2 = options["tolerance"]
        read = formats.read(path.read_bytes(), path.name)
        for note in read.notes:
            self.stdout.write(f"note: {note}")
        plan = imports.check(
            read.features,
            on=options.get("on"),
            from_gcj02=options["from_gcj02"],
            file_problems=read.problems,
        )
        if plan.problems:
            for problem in plan.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(plan.problems)} problem(s); nothing was written")
        summary = plan.summary()
        self.stdout.write(
            "create {create}, change {change}, unchanged {unchanged}; "
            "in force but not in the file (not closed): {absent}".format(**summary)
        )
        for item in plan.items:
            if item.action == "change":
                self.stdout.write(f"  change {item.code}: {', '.join(sorted(item.changes))}")
        if options["dry_run"]:
            self.stdout.write("dry run: nothing written")
            return
        result = imports.apply(plan, actor="manage.py areas import", source=path.name)
        self.stdout.write(
            self.style.SUCCESS(
                "written: {created} created, {changed} changed, {unchanged} unchanged".format(
                    **result
                )
            )
        )

    def _export(self, options):
        order = Case(
            When(kind__in=["village", "community"], then=Value(1)),
            When(kind="grid", then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        )
        areas = list(
            Area.objects.active()
            .exclude(kind=AreaKind.TOWN)
            .select_related("parent")
            .annotate(level=order)
            .order_by("level", "code")
        )
        data = formats.export_features(areas)
        Path(options["file"]).write_text(
            json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )
        self.stdout.write(f"{len(areas)} areas written to {options['file']}")

    def _close(self, options):
        area = Area.objects.filter(code=options["code"]).first()
        if area is None:
            raise CommandError(f"no area with code {options['code']}")
        try:
            closed = services.area_close(
                actor="manage.py areas close",
                area=area,
                on=options["on"],
                note=options["reason"],
                with_children=options["with_children"],
            )
        except ActionError as exc:
            raise CommandError(f"{area.code}: {exc.message}") from None
        for a in closed:
            self.stdout.write(f"closed {a.code} from {options['on']}")
