"""The incident category catalogue from the shell:

    python manage.py incident_categories import FILE.xlsx [--dry-run] [--retire-missing]
    python manage.py incident_categories export FILE.xlsx

``import`` checks every row first and prints every problem (exit status 1, nothing written);
``--dry-run`` shows what would be created, changed and retired and writes nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Import or export the incident category catalogue (.xlsx)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import a catalogue file")
        imp.add_argument("file")
        imp.add_argument("--dry-run", action="store_true", help="check and preview only")
        imp.add_argument(
            "--retire-missing",
            action="store_true",
            help="retire categories in force that the file does not list",
        )
        exp = sub.add_parser("export", help="export the catalogue in force")
        exp.add_argument("file")

    def handle(self, *args, **options):
        from grid import category_io

        path = Path(options["file"])
        if options["action"] == "export":
            path.write_bytes(category_io.export_catalogue())
            self.stdout.write(self.style.SUCCESS(_("已导出到 %(path)s") % {"path": path}))
            return
        if not path.is_file():
            raise CommandError(_("找不到文件：%(path)s") % {"path": path})
        result = category_io.import_catalogue(
            path.read_bytes(),
            actor="manage.py incident_categories",
            dry_run=options["dry_run"],
            retire_missing=options["retire_missing"],
        )
        if result.problems:
            for problem in result.problems:
                self.stderr.write(str(problem))
            raise CommandError(_("发现 %(n)s 处问题，文件未导入。") % {"n": len(result.problems)})
        plan = result.plan
        added, changed, switched_off = _("新增"), _("变更"), _("停用")
        for entry in plan.created:
            self.stdout.write(f"{added} {entry['code']} {entry['name']}")
        for entry in plan.changed:
            self.stdout.write(
                f"{changed} {entry['code']} {entry['name']} v{entry['version']}"
                f"（{'、'.join(entry['fields'])}）"
            )
        for entry in plan.retired:
            self.stdout.write(f"{switched_off} {entry['code']} {entry['name']}")
        summary = _("新增 %(c)s，变更 %(u)s，停用 %(r)s，无变化 %(n)s。") % {
            "c": len(plan.created),
            "u": len(plan.changed),
            "r": len(plan.retired),
            "n": plan.unchanged,
        }
        if options["dry_run"]:
            self.stdout.write(_("预览（未写入）：") + summary)
        else:
            self.stdout.write(self.style.SUCCESS(_("已导入：") + summary))
