"""Routing rules from the shell:

    python manage.py routing import FILE.xlsx [--dry-run] [--switch-off-missing]
    python manage.py routing export FILE.xlsx

``import`` checks every row first and prints every problem (exit status 1, nothing written);
``--dry-run`` shows what would be created, changed and switched off, and writes nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Import or export the routing rules (.xlsx)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import a rules file")
        imp.add_argument("file")
        imp.add_argument("--dry-run", action="store_true", help="check and preview only")
        imp.add_argument(
            "--switch-off-missing",
            action="store_true",
            help="switch off rules that the file does not list",
        )
        exp = sub.add_parser("export", help="export the rules")
        exp.add_argument("file")

    def handle(self, *args, **options):
        from grid import routing_io

        path = Path(options["file"])
        if options["action"] == "export":
            path.write_bytes(routing_io.export_rules())
            self.stdout.write(self.style.SUCCESS(_("已导出到 %(path)s") % {"path": path}))
            return
        if not path.is_file():
            raise CommandError(_("找不到文件：%(path)s") % {"path": path})
        result = routing_io.import_rules(
            path.read_bytes(),
            actor="manage.py routing",
            dry_run=options["dry_run"],
            switch_off_missing=options["switch_off_missing"],
        )
        if result.problems:
            for problem in result.problems:
                self.stderr.write(str(problem))
            raise CommandError(_("发现 %(n)s 处问题，文件未导入。") % {"n": len(result.problems)})
        plan = result.plan
        added, changed, switched_off = _("新增"), _("变更"), _("停用")
        for entry in plan.created:
            self.stdout.write(f"{added} {entry['code'] or '—'} {entry['name']}")
        for entry in plan.changed:
            self.stdout.write(
                f"{changed} {entry['code']} {entry['name']} v{entry['version']}"
                f"（{'、'.join(entry['fields'])}）"
            )
        for entry in plan.switched_off:
            self.stdout.write(f"{switched_off} {entry['code']} {entry['name']}")
        summary = _("新增 %(c)s，变更 %(u)s，停用 %(r)s，无变化 %(n)s。") % {
            "c": len(plan.created),
            "u": len(plan.changed),
            "r": len(plan.switched_off),
            "n": plan.unchanged,
        }
        if options["dry_run"]:
            self.stdout.write(_("预览（未写入）：") + summary)
        else:
            self.stdout.write(self.style.SUCCESS(_("已导入：") + summary))
